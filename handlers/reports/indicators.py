"""Every counted indicator of the report forms, with its klaster, label and SPM service: what
the digest, the summaries and the exports name and add up."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.forms.report_common import KLASTERS, Klaster, indicators
from conversations.forms.spm import SERVICE_OF, SPM
from conversations.forms.surveillance import SIGNALS
from conversations.model import Flow

DAILY = tuple(k for k in KLASTERS if k.expected and not k.weekly)
WEEKLY = tuple(k for k in KLASTERS if k.weekly)
SPM_LABELS = {s.key: s.label for s in SPM}
# The figures the digest shows against their 7-day average: one or two per klaster.
KEY_CODES = ("K1", "SALIN", "IDL", "HTSKR", "DMSKR", "TBDUGA", "DIARE", "UGD")


@dataclass(frozen=True)
class Indicator:
    code: str
    klaster: Klaster
    label: str  # msgid
    unit: str  # msgid
    spm: str | None
    counted: bool  # a number of people or cases (not a yes/no answered as 1/0)
    summable: bool  # False: a running count, shown at its highest, never added up
    signal: bool = False  # a disease count whose rise is news (conversations/forms/surveillance.py)


def catalog(flows: dict[str, Flow]) -> dict[str, Indicator]:
    """Indicator code → its description, in form order."""
    out: dict[str, Indicator] = {}
    for spec in KLASTERS:
        for step in indicators(flows[spec.flow]):
            out[step.code] = Indicator(
                step.code,
                spec,
                step.label or step.prompt,
                step.unit or "",
                SERVICE_OF.get(step.code),
                step.type == "integer",
                step.summable,
                step.code in SIGNALS,
            )
    return out


def spm_codes(flows: dict[str, Flow]) -> dict[str, str]:
    """Indicator code → the SPM service it counts toward (the table in conversations/forms/spm.py)."""
    return {code: ind.spm for code, ind in catalog(flows).items() if ind.spm}


def running_counts(flows: dict[str, Flow]) -> frozenset[str]:
    """The codes never added up over reports or days (KLBKASUS: the cases so far)."""
    return frozenset(code for code, ind in catalog(flows).items() if not ind.summable)


def short_name(klaster: Klaster) -> str:
    """ "K2", "LK": the quick-entry word, the same in every language."""
    return "LK" if klaster.key == "lk" else klaster.code
