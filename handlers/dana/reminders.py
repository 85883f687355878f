"""Dana desa requests left undecided: the kades is reminded after DANA_REMIND_AFTER_HOURS (with
the decision buttons again); after DANA_ESCALATE_AFTER_DAYS those who coach desa hear of it:
Dinas PMD, the camat of the desa's kecamatan and the desa's pendamping desa (the puskesmas and
the Dinkes have no authority over a kades). Each happens once per request version (a claim in
scheduled_run), whichever hourly tick gets there first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db import dana
from db.clock import claim
from db.dana import DanaRequest
from db.models import Desa, User
from handlers.core.schedule import Tick
from handlers.dana import notify as dana_notify
from handlers.dana.common import decision_buttons, describe, facts, money
from handlers.digest.reminders import paused
from handlers.people.coaching import coaches
from handlers.people.roles import Can, Place, roles_that

ESCALATION = "dana_escalation"


async def escalation_recipients(session: AsyncSession, request: DanaRequest) -> list[User]:
    """Who hears of a request left undecided for long: the kabupaten roles (Dinas PMD), those
    who coach the desa (its camat, its pendamping desa), a puskesmas role of the requester's
    puskesmas if the table gives one the capability."""
    everywhere = roles_that(Can.HEAR_DANA_LATE, Place.DISTRICT)
    at_puskesmas = roles_that(Can.HEAR_DANA_LATE, Place.PUSKESMAS)
    heads = (
        await dana.active_users(session, at_puskesmas, request.puskesmas_id)
        if request.puskesmas_id and at_puskesmas
        else []
    )
    desa = await session.get(Desa, request.desa_id)
    coaching_it = await coaches(session, desa, Can.HEAR_DANA_LATE)
    found = [*await dana.active_users(session, everywhere), *heads, *coaching_it]
    return list({u.id: u for u in found}.values())


def _key(request: DanaRequest) -> str:
    return f"{request.id}:{request.version}"


async def run(tick: Tick) -> None:
    session, now, texts = tick.session, tick.now, tick.runtime.texts
    settings = tick.runtime.settings
    remind_after = timedelta(hours=settings.dana_remind_after_hours)
    escalate_after = timedelta(days=settings.dana_escalate_after_days)
    for request in await dana.waiting_for_decision(session, remind_after, now):
        if not await claim(session, "dana_remind", _key(request), now):
            continue
        f = await facts(session, request)
        since = request.submitted_at

        def render(locale: str, f=f, since=since) -> tuple[str, tuple]:
            lead = texts(
                N_(
                    "⏰ Reminder: {reference} for {desa} has waited for your decision since {since}."
                ),
                locale,
                reference=f.reference,
                desa=f.desa,
                since=since,
            )
            body = f"{lead}\n\n{describe(texts, locale, f)}"
            return body, decision_buttons(texts, locale, f.request)

        for kades in await dana_notify.deciders(session, request.desa_id):
            if not paused(kades, now):
                await dana_notify.send(session, now, kades, dana_notify.KADES, request, render)
    for request in await dana.waiting_for_decision(session, escalate_after, now):
        if await claim(session, "dana_escalate", _key(request), now):
            await _escalate(tick, request, settings.dana_escalate_after_days)


async def _escalate(tick: Tick, request: DanaRequest, days: int) -> None:
    session, texts = tick.session, tick.runtime.texts
    f = await facts(session, request)

    def render(locale: str) -> tuple[str, tuple]:
        text = texts(
            N_(
                "⚠️ Dana desa support request {reference} ({desa}, {amount}) has waited more than "
                "{days} days for the kepala desa's decision (since {since}). Proposed by "
                "{requester}. Please help the kepala desa decide: approve, propose it to the "
                "musdes / RKP Desa, or reject."
            ),
            locale,
            days=days,
            reference=f.reference,
            desa=f.desa,
            amount=money(request.jumlah),
            since=request.submitted_at,
            requester=f.requester,
        )
        return text, ()

    for user in await escalation_recipients(session, request):
        await dana_notify.send(session, tick.now, user, ESCALATION, request, render)
