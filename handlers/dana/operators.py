"""`/operator`: a kepala desa invites the operator desa who keeps the desa's accounts (Siskeudes,
SPJ) and confirms the dana realised in the bot. The code is bound to the kades' own desa, used
once, and its creation is in the audit trail."""

from __future__ import annotations

from conversations.model import N_
from db import queries
from db.models import Desa
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.dana.common import place
from handlers.people import invites
from handlers.people.roles import Can, Role, can, roles_that

DAYS = 7


async def operator_command(turn: Turn, _arg: str) -> None:
    user = turn.user
    if user is None or not can(user.role, Can.INVITE_OPERATOR) or user.desa_id is None:
        turn.say("Sorry, only a kepala desa can invite an operator desa.")
        return
    desa = await turn.session.get(Desa, user.desa_id)
    secret = invites.secret_of(turn.runtime.settings)
    created = await invites.create_invite(
        turn.session, turn.now, Role.OPERATOR_DESA, desa=desa.kode, days=DAYS, secret=secret
    )
    await queries.audit(
        turn.session,
        turn.now,
        "invite",
        "created_in_chat",
        entity_id=str(created.invite.id),
        actor_user_id=user.id,
        actor_role=user.role,
        channel=turn.msg.channel,
    )
    turn.say(
        "Invitation code for the operator desa of {desa}: {code}\n"
        "Valid for {days} days, for one person. Give it to your operator desa: they type it "
        "when they register with the bot, then confirm the dana realised with its SPJ reference.",
        desa=place(desa),
        code=created.code,
        days=DAYS,
    )


def install(runtime: Runtime) -> None:
    who = roles_that(Can.INVITE_OPERATOR)
    runtime.add_command(Command("operator", N_("Invite an operator desa"), who, operator_command))
