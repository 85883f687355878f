"""The outbreak alert: a report answering "ada dugaan KLB?" with yes goes at once to every
Dinkes user and the kepala puskesmas (the juknis' 1×24 hour rule), written to the outbox in the
transaction that stores the report, so the report and its alert commit together.

One alert per report slot (puskesmas, day, desa): a correction that still says KLB does not
alert again; a correction that first says KLB does. The same transaction also writes the death
alerts (handlers/digest/deaths.py) and the early-warning rules that fire (handlers/digest/ews.py).

The outbreak question is klaster 4's `klb` or the community form's `dklb`
(conversations/forms/kematian.py), for a petugas or a kader."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.kematian import OUTBREAK_ITEMS
from conversations.model import N_, Text
from db.clock import claim
from db.models import Desa, Puskesmas, User
from db.reports import Report, ReportValue
from handlers.core import notify
from handlers.core.text import Texts
from handlers.digest import audience, deaths, ews
from handlers.people import roles
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


def outbreak(answers: dict[str, Any]) -> bool:
    """Whether a form's answers say "ada dugaan KLB" (stored as report.klb)."""
    return any(answers.get(key) is True for key in OUTBREAK_ITEMS)


async def report_stored(session: AsyncSession, texts: Texts, report_id: int) -> int:
    """Called by the report submit after storing; returns how many alerts were written."""
    report = await session.get(Report, report_id)
    if report is None:
        return 0
    written = await deaths.report_stored(session, texts, report)
    written += await ews.report_stored(session, texts, report)
    return written + await _outbreak(session, texts, report)


async def _outbreak(session: AsyncSession, texts: Texts, report: Report) -> int:
    if not report.klb:
        return 0
    slot = f"{report.puskesmas_id}:{report.period_start.isoformat()}:{report.desa_id or 0}"
    if report.klaster != "4":  # the community form's outbreak is not klaster 4's
        slot += f":{report.klaster}"
    if not await claim(session, KIND, slot, report.received_at):
        return 0
    puskesmas = await session.get(Puskesmas, report.puskesmas_id)
    reporter = await session.get(User, report.user_id)
    details = report.details or {}
    desa_id = details.get("klb_desa") or report.desa_id
    desa = await session.get(Desa, int(desa_id)) if desa_id else None
    cases = await _cases(session, report.id)
    facts = {
        "puskesmas": puskesmas.nama,
        "desa": desa_name(desa) if desa else "-",
        "disease": details.get("klb_penyakit") or "-",
        "cases": "-" if cases is None else cases,
        "reporter": reporter.name,
        "role": Text(roles.label(reporter.role)),
        "time": report.received_at,
        "reference": report.reference,
    }
    users = [
        u for u in await audience.recipients(session, report.puskesmas_id) if u.id != reporter.id
    ]

    def render(user: User) -> notify.Letter:
        return notify.Letter(alert_text(texts, user.locale, facts))

    return await notify.send_to(session, report.received_at, users, KIND, render)


async def _cases(session: AsyncSession, report_id: int) -> int | None:
    for cases, _deaths in OUTBREAK_ITEMS.values():
        value = await session.get(ReportValue, (report_id, cases))
        if value is not None:
            return value.value
    return None
