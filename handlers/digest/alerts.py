"""The outbreak alert: a report answering "ada dugaan KLB?" with yes goes at once to every
Dinkes user and the kepala puskesmas (the juknis' 1×24 hour rule), written to the outbox in the
transaction that stores the report, so the report and its alert commit together.

One alert per report slot (puskesmas, day, desa): a correction that still says KLB does not
alert again; a correction that first says KLB does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Text
from db.clock import claim
from db.models import Desa, Puskesmas, User
from db.reports import Report, ReportValue
from handlers.core import notify
from handlers.core.text import Texts
from handlers.people.registration import ROLE_LABELS
from handlers.reports.words import desa_name

KIND = "klb_alert"


def alert_text(texts: Texts, locale: str, facts: dict) -> str:
    """The first line names place, disease and cases: it is the WhatsApp notice's parameter."""
    return texts(
        N_(
            "🚨 Suspected outbreak (KLB) at Puskesmas {puskesmas}, {desa}: {disease}, {cases} cases\n"
            "Reported by {reporter} ({role}) on {time}, report {reference}.\n"
            "The juknis asks for verification and a report within 1×24 hours."
        ),
        locale,
        **facts,
    )


async def report_stored(session: AsyncSession, texts: Texts, report_id: int) -> int:
    """Called by the report submit after storing; returns how many alerts were written."""
    report = await session.get(Report, report_id)
    if report is None or not report.klb:
        return 0
    slot = f"{report.puskesmas_id}:{report.period_start.isoformat()}:{report.desa_id or 0}"
    if not await claim(session, KIND, slot, report.received_at):
        return 0
    puskesmas = await session.get(Puskesmas, report.puskesmas_id)
    reporter = await session.get(User, report.user_id)
    details = report.details or {}
    desa_id = details.get("klb_desa") or report.desa_id
    desa = await session.get(Desa, int(desa_id)) if desa_id else None
    cases = await _cases(session, report_id)
    facts = {
        "puskesmas": puskesmas.nama,
        "desa": desa_name(desa) if desa else "-",
        "disease": details.get("klb_penyakit") or "-",
        "cases": "-" if cases is None else cases,
        "reporter": reporter.name,
        "role": Text(ROLE_LABELS[reporter.role]),
        "time": report.received_at,
        "reference": report.reference,
    }
    users = await notify.active_users(session, ("dinkes",))
    users += await notify.active_users(session, ("kepala_puskesmas",), [report.puskesmas_id])
    users = [u for u in users if u.id != reporter.id]

    def render(user: User) -> notify.Letter:
        return notify.Letter(alert_text(texts, user.locale, facts))

    return await notify.send_to(session, report.received_at, users, KIND, render)


async def _cases(session: AsyncSession, report_id: int) -> int | None:
    value = await session.get(ReportValue, (report_id, "KLBKASUS"))
    return value.value if value else None
