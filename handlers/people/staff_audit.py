"""The audit row of a staff change: who, what, when, and what the /staf history shows."""

from __future__ import annotations

from typing import Any

from db import people_queries
from db.models import AuditEvent, User
from handlers.core.turn import Turn
from handlers.people.places import place_name


async def record(turn: Turn, action: str, target: User | None, **data: Any) -> None:
    """One audit row of a staff change, with what the history shows (names, not only ids)."""
    actor = turn.user
    if "place" not in data and target is not None:
        data["place"] = await place_name(turn, target.puskesmas_id, target.desa_id)
    pkm = data.pop("puskesmas_id", target.puskesmas_id if target else None)
    shown = {"user": target.id, "name": target.name, "role": target.role} if target else {}
    turn.session.add(
        AuditEvent(
            at=turn.now,
            entity=people_queries.STAFF,
            entity_id=people_queries.scope_key(pkm),
            action=action,
            actor_user_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
            channel=turn.msg.channel,
            data={**shown, "actor": actor.name if actor else None, **data},
        )
    )
