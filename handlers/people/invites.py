"""Invitations: who may create them, what they grant, and how a typed code is checked."""

from __future__ import annotations

import difflib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.parsing import Ambiguous, ParseError, match_choice
from db.models import Desa, Invite, Kecamatan, Puskesmas, User
from db.queries import puskesmas_serving
from handlers.core.settings import RuntimeSettings
from handlers.core.text import load_words
from handlers.people import roles
from handlers.people.roles import Can, Place, Role

# No 0/O, 1/I/L: codes are read aloud and typed on small keyboards.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 31**10 ≈ 2**49.5
# The key of the embedded console demo only: bot/config.py refuses to run a channel or
# PostgreSQL without an INVITE_SECRET of the operator's.
DEV_SECRET = "ilpbot-embedded-development-key"


class InviteError(ValueError):
    pass


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def secret_of(settings: RuntimeSettings) -> str:
    return settings.invite_secret or DEV_SECRET


def hash_code(code: str, secret: str) -> str:
    """Keyed: a copy of the database alone reveals no code (10 characters, 3 of them in the
    hint, are a small space for an unkeyed hash)."""
    return hmac.new(secret.encode(), normalize_code(code).encode(), hashlib.sha256).hexdigest()


def legacy_hash(code: str) -> str:
    """How codes were stored before INVITE_SECRET (unsalted SHA-256): still accepted."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_code(text: str) -> bool:
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


@dataclass
class Created:
    code: str
    invite: Invite
    place: str | None = None  # what it is for, by its proper name (None: the kabupaten)


# Words people put before a place's name ("Puskesmas Sumber Urip", "Desa Kayu Manis").
PLACE_WORDS = {"desa": ("desa", "kelurahan", "kel", "ds"), "puskesmas": ("puskesmas", "pkm")}


def bare(name: str, kind: str) -> str:
    words = name.split()
    if len(words) > 1 and words[0].casefold().rstrip(".") in PLACE_WORDS[kind]:
        return " ".join(words[1:])
    return name


def _nearest(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(
        name.casefold(), [n.casefold() for n in names], n=3, cutoff=0.6
    )
    by_fold = {n.casefold(): n for n in names}
    return f"; did you mean {', '.join(by_fold[c] for c in close)}?" if close else ""


async def resolve_desa(session: AsyncSession, name: str) -> Desa:
    rows = (await session.execute(select(Desa, Kecamatan.nama).join(Kecamatan))).all()
    by_code = {d.kode: d for d, _ in rows}
    if name in by_code:
        return by_code[name]
    name = bare(name, "desa")
    options = [(d.kode, [d.nama]) for d, _ in rows]
    kecamatan = {d.kode: k for d, k in rows}
    try:
        return by_code[match_choice(name, options, words=load_words())]
    except Ambiguous as exc:
        names = ", ".join(f"{by_code[c].nama} ({c}, Kec. {kecamatan[c]})" for c in exc.options)
        raise InviteError(f"desa {name!r} is ambiguous: {names}; use the Kemendagri code") from exc
    except ParseError as exc:
        nearest = _nearest(name, sorted({d.nama for d, _ in rows}))
        raise InviteError(f"no desa named {name!r}{nearest}") from exc


async def resolve_kecamatan(session: AsyncSession, name: str) -> Kecamatan:
    rows = list((await session.execute(select(Kecamatan))).scalars())
    by_name = {k.nama: k for k in rows}
    words = name.split()
    if len(words) > 1 and words[0].casefold().rstrip(".") in ("kecamatan", "kec"):
        name = " ".join(words[1:])
    try:
        return by_name[match_choice(name, [(k.nama, [k.nama]) for k in rows], words=load_words())]
    except Ambiguous as exc:
        raise InviteError(f"kecamatan {name!r} is ambiguous: {', '.join(exc.options)}") from exc
    except ParseError as exc:
        raise InviteError(f"no kecamatan named {name!r}{_nearest(name, sorted(by_name))}") from exc


async def resolve_puskesmas(session: AsyncSession, name: str) -> Puskesmas:
    rows = list((await session.execute(select(Puskesmas))).scalars())
    by_name = {p.nama: p for p in rows}
    name = bare(name, "puskesmas")
    try:
        options = [(p.nama, [p.nama]) for p in rows]
        return by_name[match_choice(name, options, words=load_words())]
    except Ambiguous as exc:
        raise InviteError(f"puskesmas {name!r} is ambiguous: {', '.join(exc.options)}") from exc
    except ParseError as exc:
        nearest = _nearest(name, sorted(by_name))
        raise InviteError(f"no puskesmas named {name!r}{nearest}") from exc


async def create_invite(
    session: AsyncSession,
    now: datetime,
    role: str,
    *,
    desa: str | None = None,
    puskesmas: str | None = None,
    kecamatan: str | None = None,
    uses: int = 1,
    days: int = 7,
    link_user: int | None = None,
    secret: str | None = None,
    name: str | None = None,
) -> Created:
    if uses < 1 or days < 1:
        raise InviteError("--uses and --days must be at least 1")
    if link_user is None and role not in tuple(Role):
        raise InviteError(f"unknown role {role}: one of {', '.join(Role)}")
    place_desa = await resolve_desa(session, desa) if desa else None
    place_pkm = await resolve_puskesmas(session, puskesmas) if puskesmas else None
    place_kec = await resolve_kecamatan(session, kecamatan) if kecamatan else None
    place_kec_id = None
    if link_user is not None:
        user = await session.get(User, link_user)
        if user is None:
            raise InviteError(f"no user {link_user}")
        if not user.active:
            raise InviteError(f"user {link_user} is deactivated: reactivate them first")
        role, place_desa_id, place_pkm_id = user.role, user.desa_id, user.puskesmas_id
        place_kec_id = user.kecamatan_id
    elif roles.place(role) is Place.KECAMATAN:
        if place_kec is None:
            raise InviteError(f"role {role} needs --kecamatan")
        place_desa_id, place_pkm_id, place_kec_id = None, None, place_kec.id
    else:
        place_desa_id, place_pkm_id = await _binding(session, role, place_desa, place_pkm)
    created = issue(
        now,
        role,
        secret,
        puskesmas_id=place_pkm_id,
        desa_id=place_desa_id,
        kecamatan_id=place_kec_id,
        link_user_id=link_user,
        uses=uses,
        days=days,
        name=name,
    )
    session.add(created.invite)
    await session.flush()
    return created


def issue(
    now: datetime, role: str, secret: str | None, *, uses: int = 1, days: int = 7, **row: Any
) -> Created:
    """A new code and its invite row (not added): `row` holds the invite's other columns
    (puskesmas_id, desa_id, link_user_id, name, replaces_user_id)."""
    code = new_code()
    invite = Invite(
        code_hash=hash_code(code, secret or DEV_SECRET),
        hint=code[:3],
        role=role,
        max_uses=uses,
        used=0,
        created_at=now,
        expires_at=now + timedelta(days=days),
        **row,
    )
    return Created(code, invite)


async def _binding(
    session: AsyncSession, role: str, desa: Desa | None, puskesmas: Puskesmas | None
) -> tuple[int | None, int | None]:
    where = roles.place(role)
    if where is Place.PUSKESMAS:
        if puskesmas is None:
            raise InviteError(f"role {role} needs --puskesmas")
        return None, puskesmas.id
    if where in (Place.DESA, Place.ASSIGNED):
        if desa is None:
            raise InviteError(f"role {role} needs --desa")
        if desa.jenis != "desa" and (roles.can(role, Can.DANA_DECIDE) or where is Place.ASSIGNED):
            # its head is a lurah, a civil servant under the camat: no dana desa to decide
            raise InviteError(
                f"{desa.nama} is a kelurahan: its head is a lurah and it has no dana desa, "
                f"so there is no {role} to invite there"
            )
        if not roles.can(role, Can.REPORT):
            return desa.id, None
        # a desa's reporter files for the puskesmas that serves the desa
        return desa.id, (puskesmas or await _only_puskesmas(session, desa)).id
    return None, None


async def _only_puskesmas(session: AsyncSession, desa: Desa) -> Puskesmas:
    serving = await puskesmas_serving(session, desa.id)
    namesake = [p for p in serving if p.nama.casefold() == desa.nama.casefold()]
    if len(serving) > 1 and len(namesake) == 1:
        return namesake[0]  # overlapping default wilayah: the puskesmas of the same name
    if len(serving) != 1:
        names = ", ".join(p.nama for p in serving) or "none"
        raise InviteError(f"desa {desa.nama} is served by {names}; add --puskesmas")
    return serving[0]


async def find_usable(
    session: AsyncSession, code: str, now: datetime, secret: str
) -> Invite | None:
    hashes = (hash_code(code, secret), legacy_hash(code))
    stmt = select(Invite).where(Invite.code_hash.in_(hashes)).with_for_update()
    invite = (await session.execute(stmt)).scalars().first()
    if invite is None or invite.revoked_at or invite.expires_at <= now:
        return None
    return invite if invite.used < invite.max_uses else None


async def list_invites(session: AsyncSession) -> list[Invite]:
    return list((await session.execute(select(Invite).order_by(Invite.id))).scalars())


async def revoke(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.revoked_at:
        return False
    invite.revoked_at = now
    return True
