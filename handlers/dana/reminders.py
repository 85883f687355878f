"""Dana desa requests left undecided: the kades is reminded after 24 hours (with the decision
buttons again), Dinkes and the kepala puskesmas hear of it after 72 hours. Each happens once per
request version (a claim in scheduled_run), whichever hourly tick gets there first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db import dana
from db.clock import claim
from db.dana import DanaRequest
from db.models import User
from handlers.core.schedule import Tick
from handlers.dana import notify as dana_notify
from handlers.dana.common import decision_buttons, describe, facts, money
from handlers.digest.reminders import paused
from handlers.people.roles import Can, Place, roles_that

REMIND_AFTER = timedelta(hours=24)
ESCALATE_AFTER = timedelta(hours=72)
ESCALATION = "dana_escalation"


async def escalation_recipients(session: AsyncSession, request: DanaRequest) -> list[User]:
    """Who hears of a request left undecided for long: Dinkes, and the kepala puskesmas of the
    requester's puskesmas."""
    everywhere = roles_that(Can.HEAR_DANA_LATE, Place.DISTRICT)
    at_puskesmas = roles_that(Can.HEAR_DANA_LATE, Place.PUSKESMAS)
    heads = (
        await dana.active_users(session, at_puskesmas, request.puskesmas_id)
        if request.puskesmas_id
        else []
    )
    return [*await dana.active_users(session, everywhere), *heads]


def _key(request: DanaRequest) -> str:
    return f"{request.id}:{request.version}"


async def run(tick: Tick) -> None:
    session, now, texts = tick.session, tick.now, tick.runtime.texts
    for request in await dana.waiting_for_decision(session, REMIND_AFTER, now):
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
    for request in await dana.waiting_for_decision(session, ESCALATE_AFTER, now):
        if await claim(session, "dana_escalate", _key(request), now):
            await _escalate(tick, request)


async def _escalate(tick: Tick, request: DanaRequest) -> None:
    session, texts = tick.session, tick.runtime.texts
    f = await facts(session, request)

    def render(locale: str) -> tuple[str, tuple]:
        text = texts(
            N_(
                "⚠️ Dana desa request {reference} ({desa}, {amount}) has waited more than 3 days "
                "for the kepala desa's decision (since {since}). Requested by {requester}. "
                "Please follow up with the kepala desa."
            ),
            locale,
            reference=f.reference,
            desa=f.desa,
            amount=money(request.jumlah),
            since=request.submitted_at,
            requester=f.requester,
        )
        return text, ()

    for user in await escalation_recipients(session, request):
        await dana_notify.send(session, tick.now, user, ESCALATION, request, render)
