"""What every ILP cluster report form shares: the klaster list, the builder of one counted
indicator, the optional attachments, and the checks run when a form is loaded.

An indicator is a Step with its metadata: `code` (quick entry, unique over all report forms; the
step key is the code in lower case), `label`, `help`, `unit` (msgids), `min`/`max` (hard),
`soft_max` (a plausible daily maximum: above it the user is asked "yakin?" once) and `source`
(which SPM service an indicator counts toward is the table in conversations/forms/spm.py):
- "juknis": named in the Kepmenkes HK.01.07/MENKES/2015/2023 recording and dashboard lists,
  or an SPM service numerator;
- "usulan": our suggestion, to be confirmed with the Dinas Kesehatan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conversations.model import N_, Condition, Flow, Rule, Step

JUKNIS, USULAN = "juknis", "usulan"
DAILY_MAX = 9999  # a hard ceiling against slips like 30000 for 30

# Skip for a kader: the item is counted at the puskesmas, not at the posyandu.
NOT_AT_POSYANDU = Condition("kader", "eq", True, scope="context")


@dataclass(frozen=True)
class Klaster:
    key: str  # stored in report.klaster
    code: str  # the word after LAPOR in quick entry: KL2, never K2 (the ANC visit K2)
    flow: str
    name: str  # msgid
    weekly: bool = False
    kader: bool = False  # a kader may report its posyandu items
    expected: bool = True  # False: filed when something happens, never counted as missing
    sheet: str = ""  # msgid: a name of at most 31 characters (a spreadsheet's limit); "" = name


KLASTERS: tuple[Klaster, ...] = (
    Klaster(
        "1", "KL1", "lapor_k1", N_("Cluster 1 – Management (weekly)"), weekly=True,
        sheet=N_("KL1 Management (weekly)"),
    ),
    Klaster(
        "2", "KL2", "lapor_k2", N_("Cluster 2 – Mother and child"), kader=True,
        sheet=N_("KL2 Mother and child"),
    ),
    Klaster(
        "3", "KL3", "lapor_k3", N_("Cluster 3 – Adults and elderly"), kader=True,
        sheet=N_("KL3 Adults and elderly"),
    ),
    Klaster(
        "4", "KL4", "lapor_k4", N_("Cluster 4 – Communicable disease and environment"),
        sheet=N_("KL4 Communicable disease, env."),
    ),
    Klaster("lk", "LK", "lapor_lk", N_("Cross-cluster services")),
    Klaster(
        "km", "KM", "lapor_km", N_("Deaths and suspected outbreak"), kader=True, expected=False,
        sheet=N_("Deaths and suspected KLB"),
    ),
)  # fmt: skip
KLASTER_BY_KEY = {k.key: k for k in KLASTERS}
KLASTER_BY_FLOW = {k.flow: k for k in KLASTERS}


def count(
    code: str,
    prompt: str,
    label: str,
    help: str,
    *,
    unit: str,
    source: str,
    soft_max: int,
    max: int = DAILY_MAX,
    min: int = 0,
    required: bool = True,
    skip_if: Condition | None = None,
    summable: bool = True,
) -> Step:
    """One counted indicator: a whole number of people, cases or items. `summable=False` marks
    a running count (the cases of an outbreak so far): totals show its highest value, /rekap and
    the exports never add it up over reports or days."""
    return Step(
        key=code.lower(),
        prompt=prompt,
        type="integer",
        help=help,
        required=required,
        min=min,
        max=max,
        soft_max=soft_max,
        label=label,
        code=code,
        source=source,
        unit=unit,
        skip_if=skip_if,
        summable=summable,
    )


def yes_no(
    code: str, prompt: str, label: str, help: str, *, source: str, skip_if: Condition | None = None
) -> Step:
    """A yes/no indicator; stored as 1 or 0 so it can be counted like the others."""
    return Step(
        key=code.lower(),
        prompt=prompt,
        type="yes_no",
        help=help,
        label=label,
        code=code,
        source=source,
        unit=N_("reports"),
        skip_if=skip_if,
    )


def attachments() -> tuple[Step, ...]:
    """The optional photo of the activity and location pin that end every report form."""
    return (
        Step(
            key="foto",
            prompt=N_(
                "Optional: send a photo of the activity (you may add a caption), or press Skip."
            ),
            type="photo",
            required=False,
            label=N_("Photo"),
            help=N_("A photo of the posyandu or service helps the Dinkes see the activity."),
        ),
        Step(
            key="lokasi",
            prompt=N_("Optional: share the location with the button below, or press Skip."),
            type="location",
            required=False,
            label=N_("Location"),
            help=N_(
                "Use the location button of your chat app; it sends the place of the activity."
            ),
        ),
    )


def not_more_than(key: str, other: str, message: str) -> Rule:
    return Rule(key=key, op="le", other=other, message=message)


FIRST_TIME_RULE = N_("{label} cannot be more than {other}. Please check both numbers.")


def first_time(
    code: str,
    of: str,
    prompt: str,
    label: str,
    help: str,
    *,
    soft_max: int,
    max: int = DAILY_MAX,
    skip_if: Condition | None = None,
) -> Step:
    """The SPM numerator asked right after the day's count `of`: of those people, how many had
    their first standard service of the year on this day. SPM counts people in the year, so a
    patient controlled every month is counted once; the day's count stays for the workload.
    Not asked when the day's count is 0 or was not asked (a kader)."""
    return count(
        code,
        prompt,
        label,
        help,
        unit=N_("people"),
        source=JUKNIS,
        soft_max=soft_max,
        max=max,
        skip_if=skip_if or Condition(of.lower(), "in", (0, None)),
    )


def within(code: str, of: str) -> Rule:
    """The first-time count of `code` is part of the day's count `of`."""
    return not_more_than(code.lower(), of.lower(), FIRST_TIME_RULE)


FIRST_TIME_INTRO = N_(
    "SPM items count people, not visits. “First time this year”: a person whose first standard "
    "service this year was on this day; at their later visits this year they are not counted "
    "there again."
)


def form(
    klaster: str,
    title: str,
    steps: tuple[Step, ...],
    rules: tuple[Rule, ...] = (),
    intro: str | None = None,
) -> Flow:
    """A report form, with its indicator metadata checked at load time."""
    spec = KLASTER_BY_KEY[klaster]
    flow = Flow(
        name=spec.flow,
        title=title,
        steps=(*steps, *attachments()),
        review=True,
        rules=rules,
        intro=intro,
    )
    check_indicators(flow)
    return flow


def indicators(flow: Flow) -> tuple[Step, ...]:
    return tuple(step for step in flow.steps if step.code)


def check_indicators(flow: Flow) -> None:
    seen: set[str] = set()
    for step in indicators(flow):
        where = f"{flow.name}.{step.key}"
        problems = [
            step.key != step.code.lower() and "key must be the code in lower case",
            not step.code.isalnum() and "code must be letters and digits",
            step.code in seen and "code used twice",
            not (step.label and step.help and step.unit) and "label, help and unit are required",
            step.source not in (JUKNIS, USULAN) and "source must be juknis or usulan",
            step.type not in ("integer", "yes_no") and "an indicator is counted or yes/no",
        ]
        for problem in problems:
            if problem:
                raise ValueError(f"{where}: {problem}")
        seen.add(step.code)


def check_codes_unique(flows: Any) -> None:
    """Quick-entry codes must be unique over all report forms (values are stored by code)."""
    owner: dict[str, str] = {}
    for flow in flows:
        for step in indicators(flow):
            if step.code in owner:
                raise ValueError(f"code {step.code} in both {owner[step.code]} and {flow.name}")
            owner[step.code] = flow.name
