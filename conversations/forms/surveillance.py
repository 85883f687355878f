"""Surveillance as data: which indicators are disease signals, the early-warning rules in the
style of the national SKDR, and where identifying details of a death are reported.

None of this rests on a regulation we could read in full: every figure here is "perlu
konfirmasi Dinkes" (shown so in the alerts and in /bantuan, listed in docs/surveillance.md).
Change the data, not the code: handlers/digest/ews.py reads `RULES`; the digest's "above its
28-day pattern" check reads `SIGNALS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.model import N_

# Indicators whose rise means disease (a surveillance signal). Service counts (D, screening,
# visits) are not: a bulan timbang or a screening day is planned work, not an outbreak.
SIGNALS = frozenset({"DBD", "MAL", "DIARE", "PNEU", "CAMPAK", "GHPR", "AFP", "DIFTERI"})

# The official route for the identifying details of a maternal or perinatal death (the bot
# collects counts only): Kemenkes' Maternal Perinatal Death Notification. Perlu konfirmasi Dinkes.
DEATH_ROUTE = "MPDN (Maternal Perinatal Death Notification)"

ANY, AT_LEAST, RISE = "any", "at_least", "rise"


@dataclass(frozen=True)
class EwsRule:
    """One early-warning rule, judged per puskesmas and ISO week on the week's sum of `codes`:
    - any: one case or more;
    - at_least: `threshold` cases or more;
    - rise: at least `threshold` cases and at least `factor` × the mean of the `weeks` weeks
      before.
    `key` is stable: it records that the rule fired for a (puskesmas, week), so it fires once."""

    key: str
    name: str  # msgid, shown in the alert
    codes: tuple[str, ...]
    kind: str
    threshold: int = 1
    factor: float = 2.0
    weeks: int = 3


RULES: tuple[EwsRule, ...] = (
    EwsRule("afp", N_("Any case of acute flaccid paralysis (AFP)"), ("AFP",), ANY),
    EwsRule("difteri", N_("Any suspected diphtheria case"), ("DIFTERI",), ANY),
    EwsRule("ghpr", N_("Any rabies-risk animal bite (GHPR)"), ("GHPR",), ANY),
    EwsRule(
        "campak", N_("Suspected measles: 5 or more in a week"), ("CAMPAK",), AT_LEAST, threshold=5
    ),
    EwsRule(
        "diare", N_("Diarrhoea: 2× the mean of the 3 weeks before"), ("DIARE",), RISE, threshold=5
    ),
    EwsRule("dbd", N_("Dengue: 2× the mean of the 3 weeks before"), ("DBD",), RISE, threshold=2),
    EwsRule(
        "malaria", N_("Malaria: 2× the mean of the 3 weeks before"), ("MAL",), RISE, threshold=2
    ),
    EwsRule(
        "pneumonia",
        N_("Pneumonia in under-fives: 2× the mean of the 3 weeks before"),
        ("PNEU",),
        RISE,
        threshold=3,
    ),
)


def fires(rule: EwsRule, week: int, before: list[int]) -> bool:
    """Whether `rule` fires on a week's sum, given the sums of the weeks before (latest first)."""
    if week < rule.threshold:
        return False
    if rule.kind in (ANY, AT_LEAST):
        return True
    past = before[: rule.weeks]
    mean = sum(past) / rule.weeks if past else 0.0
    return week >= rule.factor * mean
