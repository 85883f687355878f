"""/bantuan SPM: how the bot counts each of the 12 SPM services, from the table in
conversations/forms/spm.py, with what still awaits the Dinkes' confirmation."""

from __future__ import annotations

from conversations.forms.spm import SPM
from handlers.core.turn import Turn
from handlers.reports.indicators import catalog, short_name


def spm_text(turn: Turn) -> str:
    found = catalog(turn.runtime.flows)
    lines = [
        turn.t(
            "SPM capaian = people (not visits) who received the standard service this year ÷ the "
            "year's sasaran. A person counts once a year: on the day of their first service this "
            "year, or on the day a series is complete (K6, KN)."
        ),
        turn.t("Counted from (report code and klaster):"),
    ]
    for number, service in enumerate(SPM, start=1):
        codes = ", ".join(f"{c} ({short_name(found[c].klaster)})" for c in service.numerator)
        mark = "*" if service.confirm else ""
        lines.append(f"{number}. {turn.t(service.label)}{mark}: {codes}")
    lines.append(turn.t("* To be confirmed by the Dinkes:"))
    for service in SPM:
        if service.confirm:
            lines.append(f"- {turn.t(service.label)}: {turn.t(service.confirm)}")
    return "\n".join(lines)
