"""Checks across indicators that no single report can make, as data: the ratios /rekap shows
(D/S, stunting among the measured, the ABJ), the year's soft checks (K4 ≤ K1) and the figures of
the start context a form's rule compares with (S ≤ the sasaran balita).

A ratio adds its part only from the reports that also give its whole: D of the puskesmas
building, where S is skipped, does not inflate D/S. K4 ≤ K1 holds per pregnancy, not per day
nor strictly per year (a pregnancy begun last year reaches K4 this year), so it is a note to
check, never a refusal. The definitions are perlu konfirmasi Dinkes (docs/indicators.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conversations.model import N_, Flow


@dataclass(frozen=True)
class Ratio:
    part: str  # indicator code
    whole: str  # indicator code, given in the same reports
    label: str  # msgid


@dataclass(frozen=True)
class YearCheck:
    code: str  # its year total should not pass
    at_most: str  # this one's
    why: str  # msgid: when passing it can still be right


RATIOS: tuple[Ratio, ...] = (
    Ratio("D", "S", N_("D/S, weighing participation")),
    Ratio("STUNT", "UKUR", N_("Stunted among the children measured")),
    Ratio("PJBBEBAS", "PJB", N_("ABJ, houses free of larvae")),
    Ratio("TBBAKT", "TB", N_("New TB bacteriologically confirmed")),
)
YEAR_CHECKS: tuple[YearCheck, ...] = (
    YearCheck("K4", "K1", N_("It can happen early in the year, for pregnancies begun last year.")),
)
# A context figure a form's rule names → the SPM service whose sasaran of the year it is.
CONTEXT_SASARAN = {"sasaran_balita": "balita"}


def check_table(
    flows: Iterable[Flow],
    ratios: tuple[Ratio, ...] = RATIOS,
    year_checks: tuple[YearCheck, ...] = YEAR_CHECKS,
) -> None:
    """Every code named here is a counted indicator of a report form, every context figure known."""
    flows = list(flows)
    counted = {s.code for f in flows for s in f.steps if s.code and s.type == "integer"}
    named = [c for r in ratios for c in (r.part, r.whole)]
    named += [c for y in year_checks for c in (y.code, y.at_most)]
    for code in named:
        if code not in counted:
            raise ValueError(f"consistency table: no counted indicator {code}")
    for flow in flows:
        for rule in flow.rules:
            if rule.scope == "context" and rule.other not in CONTEXT_SASARAN:
                raise ValueError(f"{flow.name}: unknown context figure {rule.other}")
