"""`/wilayah DESA -> PUSKESMAS[, PUSKESMAS]`: Dinkes corrects which puskesmas serve a desa,
after a confirmation; `/wilayah` alone says how and how many desa still overlap."""

from __future__ import annotations

from typing import Any

from conversations.model import N_, Flow, Text
from db import wilayah
from db.models import Desa, Puskesmas
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.people.roles import Can, roles_that
from handlers.reports.words import desa_name
from handlers.wilayah.mapping import Master, apply

ROLES = roles_that(Can.MANAGE_WILAYAH)
ARROWS = ("->", "→", "=>")


async def wilayah_command(turn: Turn, arg: str) -> None:
    arrow = next((a for a in ARROWS if a in arg), None)
    if arrow is None:
        shared = await wilayah.shared_desa_ids(turn.session)
        turn.say(
            "Type /wilayah DESA -> PUSKESMAS to set which puskesmas serves a desa, for example "
            "/wilayah Air Duku -> Sumber Urip (several: separate them with a comma). "
            "{count} desa are listed by more than one puskesmas; ilpbot wilayah check lists them.",
            count=len(shared),
        )
        return
    written_desa, _, written_puskesmas = arg.partition(arrow)
    master = await Master.load(turn.session)
    desa = master.desa(written_desa)
    found = [master.puskesmas_id(w) for w in written_puskesmas.split(",") if w.strip()]
    problems = [x for x in (desa, *found) if isinstance(x, Text)]
    if problems or not found:
        turn.say_raw("\n".join(turn.runtime.texts.render(p, turn.locale) for p in problems))
        if not found:
            turn.say("Name at least one puskesmas after the arrow.")
        return
    assert isinstance(desa, Desa)
    ids = sorted({i for i in found if isinstance(i, int)})
    before = sorted(await wilayah.serving_ids(turn.session, desa.id))
    if before == ids:
        turn.say("{desa} is already served by exactly that.", desa=desa_name(desa))
        return
    params = {
        "desa": desa_name(desa),
        "before": await _names(turn, before) or "-",
        "after": await _names(turn, ids),
    }
    context = {"params": params, "desa_id": desa.id, "puskesmas_ids": ids}
    await turn.start_flow("wilayah_ubah", context)


async def _names(turn: Turn, ids: list[int]) -> str:
    names = [(await turn.session.get(Puskesmas, i)).nama for i in ids]
    return ", ".join(f"Puskesmas {n}" for n in sorted(names))


async def on_confirm(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    context = turn.state.context
    if not answers.get("confirm"):
        turn.say("Nothing changed.")
        return
    desa = await turn.session.get(Desa, int(context["desa_id"]))
    actor = {
        "actor_user_id": turn.user.id,
        "actor_role": turn.user.role,
        "channel": turn.msg.channel,
    }
    await apply(turn.session, desa, set(context["puskesmas_ids"]), turn.now, **actor)
    turn.say(
        "Saved: {desa} is served by {after}.",
        desa=desa_name(desa),
        after=context["params"]["after"],
    )


def install(runtime: Runtime) -> None:
    runtime.submit_handlers["wilayah_ubah"] = on_confirm
    runtime.add_command(
        Command("wilayah", N_("Correct a puskesmas' desa"), ROLES, wilayah_command, in_menu=False)
    )
