"""What /rekap adds under the klaster totals: the ratios of conversations/forms/consistency.py
for this month (D/S, stunting among the measured, ABJ) and the year's soft checks (K4 ≤ K1)."""

from __future__ import annotations

from conversations.forms.consistency import RATIOS, YEAR_CHECKS
from db.report_queries import Window, paired_totals
from handlers.core.text import format_number
from handlers.core.turn import Turn


async def check_lines(
    turn: Turn, puskesmas_id: int, month: Window, year_totals: dict[str, int]
) -> list[str]:
    lines = []
    for ratio in RATIOS:
        part, whole = await paired_totals(
            turn.session, puskesmas_id, month, ratio.part, ratio.whole
        )
        if not whole:
            continue
        lines.append(
            turn.t(
                "{label} ({part}/{whole}): {count} of {total} = {percent}%",
                label=turn.t(ratio.label),
                part=ratio.part,
                whole=ratio.whole,
                count=format_number(part, turn.locale),
                total=format_number(whole, turn.locale),
                percent=format_number(round(100 * part / whole), turn.locale),
            )
        )
    for check in YEAR_CHECKS:
        more, less = year_totals.get(check.code, 0), year_totals.get(check.at_most, 0)
        if more > less:
            lines.append(
                turn.t(
                    "Please check: {code} this year ({more}) is more than {other} ({less}). {why}",
                    code=check.code,
                    other=check.at_most,
                    more=format_number(more, turn.locale),
                    less=format_number(less, turn.locale),
                    why=turn.t(check.why),
                )
            )
    if lines:
        lines.insert(0, "\n" + turn.t("Ratios this month and checks (perlu konfirmasi Dinkes):"))
    return lines
