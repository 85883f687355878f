"""Death alerts: every maternal, neonatal, infant or under-five death counted in a report (and
the deaths of a suspected outbreak) goes at once to the Dinkes and the kepala puskesmas,
written to the outbox in the transaction that stores the report.

The bot collects counts only; the alert asks for the identifying details through the official
death notification route (`DEATH_ROUTE`, data, perlu konfirmasi Dinkes). A correction alerts
again only for a count it raises above every earlier one: one claim per (report slot, reporter,
code) and death counted."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms import kematian, klaster4
from conversations.forms.kematian import DEATH_CODES
from conversations.forms.surveillance import DEATH_ROUTE
from conversations.model import N_, Text
from db.clock import claim
from db.models import Desa, Puskesmas, User
from db.reports import Report, ReportValue
from handlers.core import notify
from handlers.core.text import Texts
from handlers.digest import audience
from handlers.people import roles
from handlers.reports.words import desa_name

KIND = "death_alert"


def death_text(texts: Texts, locale: str, facts: dict) -> str:
    """The first line names place and deaths: it is the WhatsApp notice's parameter."""
    return texts(
        N_(
            "🚨 Death reported, Puskesmas {puskesmas}{place}: {deaths}\n"
            "Reported by {reporter} ({role}) on {time}, report {reference}.\n"
            "Please send the identifying details within 1×24 hours through the official death "
            "notification route: {route} (route awaiting the Dinkes' confirmation). "
            "This bot collects no names or NIK."
        ),
        locale,
        **facts,
    )


def labels() -> dict[str, str]:
    """Death code → its label msgid, from the forms that ask it."""
    steps = (*kematian.FLOW.steps, *klaster4.FLOW.steps)
    return {s.code: s.label for s in steps if s.code in DEATH_CODES}


async def report_stored(session: AsyncSession, texts: Texts, report: Report) -> int:
    counts = await _death_counts(session, report.id)
    slot = f"{report.puskesmas_id}:{report.period_start:%Y%m%d}:{report.desa_id or 0}"
    fresh = {}
    for code, count in counts.items():
        # one claim per death counted: only a count above every earlier one claims a new row
        claimed = [
            await claim(
                session, f"death:{code}", f"{slot}:{report.user_id}:{n}", report.received_at
            )
            for n in range(1, count + 1)
        ]
        if any(claimed):
            fresh[code] = count
    if not fresh:
        return 0
    puskesmas = await session.get(Puskesmas, report.puskesmas_id)
    reporter = await session.get(User, report.user_id)
    desa = await session.get(Desa, report.desa_id) if report.desa_id else None
    names = labels()
    facts = {
        "puskesmas": puskesmas.nama,
        "place": f", {desa_name(desa)}" if desa else "",
        "reporter": reporter.name,
        "role": Text(roles.label(reporter.role)),
        "time": report.received_at,
        "reference": report.reference,
        "route": DEATH_ROUTE,
    }

    def render(user: User) -> notify.Letter:
        listed = "; ".join(f"{texts(names[c], user.locale)} {n}" for c, n in fresh.items())
        return notify.Letter(death_text(texts, user.locale, facts | {"deaths": listed}))

    users = await audience.recipients(session, report.puskesmas_id)
    users = [u for u in users if u.id != report.user_id]  # the reporter knows
    return await notify.send_to(session, report.received_at, users, KIND, render)


async def _death_counts(session: AsyncSession, report_id: int) -> dict[str, int]:
    stmt = select(ReportValue.indicator, ReportValue.value).where(
        ReportValue.report_id == report_id,
        ReportValue.indicator.in_(DEATH_CODES),
        ReportValue.value > 0,
    )
    found = dict((await session.execute(stmt)).all())
    return {code: found[code] for code in DEATH_CODES if code in found}
