"""Invite codes are kept as an HMAC under the server's INVITE_SECRET: a copy of the database
alone does not reveal them (the unsalted SHA-256 of a 10-character code beside its first 3
characters could be reversed in seconds). Codes stored the old way are still accepted."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.config import Settings
from db.models import Invite
from handlers.app import build_runtime
from handlers.core.settings import RuntimeSettings
from handlers.people.invites import create_invite, normalize_code

SECRET = "a-server-secret-of-32-characters"


async def _invite(db, clock, secret=SECRET) -> str:
    async with db.transaction() as session:
        created = await create_invite(
            session, clock(), "petugas", puskesmas="Sumber Urip", secret=secret
        )
    return created.code


async def test_the_stored_hash_is_keyed_and_only_the_same_key_accepts_the_code(
    db, texts, clock, chat
):
    code = await _invite(db, clock)
    async with db.transaction() as session:
        stored = (await session.execute(select(Invite.code_hash))).scalar_one()
    plain = normalize_code(code).encode()
    assert stored != hashlib.sha256(plain).hexdigest()
    assert stored == hmac.new(SECRET.encode(), plain, hashlib.sha256).hexdigest()

    other_key = build_runtime(
        db, texts, clock=clock, settings=RuntimeSettings(invite_secret="x" * 32)
    )
    stranger = chat("901")
    stranger.runtime = other_key
    assert (await stranger.send(f"DAFTAR {code}"))[0].startswith("Kode itu tidak berlaku")

    right_key = build_runtime(
        db, texts, clock=clock, settings=RuntimeSettings(invite_secret=SECRET)
    )
    siti = chat("902")
    siti.runtime = right_key
    assert await siti.send(f"DAFTAR {code}") == ["Siapa nama lengkap Bapak/Ibu?"]


async def test_a_code_stored_with_the_legacy_hash_still_registers(db, texts, clock, chat):
    code = "K7QX2-M9PRT"
    async with db.transaction() as session:
        session.add(
            Invite(
                code_hash=hashlib.sha256(normalize_code(code).encode()).hexdigest(),
                hint=code[:3],
                role="dinkes",
                max_uses=1,
                used=0,
                created_at=clock(),
                expires_at=clock() + timedelta(days=7),
            )
        )
    person = chat("903")
    person.runtime = build_runtime(
        db, texts, clock=clock, settings=RuntimeSettings(invite_secret=SECRET)
    )
    assert await person.send(f"DAFTAR {code.lower()}") == ["Siapa nama lengkap Bapak/Ibu?"]


PG = "postgresql://u:p@db:5432/ilpbot"


@pytest.mark.parametrize(
    ("env", "refused"),
    [
        ({}, False),  # the embedded console demo: a built-in development key
        ({"invite_secret": ""}, False),
        ({"invite_secret": SECRET}, False),
        ({"invite_secret": "short"}, True),
        ({"database_url": PG}, True),
        ({"database_url": PG, "invite_secret": SECRET}, False),
        ({"telegram_bot_token": "123:ABC"}, True),
        ({"telegram_bot_token": "123:ABC", "invite_secret": "15-characters.."}, True),
        ({"telegram_bot_token": "123:ABC", "invite_secret": SECRET}, False),
        ({"whatsapp_access_token": "t", "whatsapp_phone_number_id": "1"}, True),
    ],
)
def test_invite_secret_is_required_outside_the_embedded_default(monkeypatch, env, refused):
    monkeypatch.delenv("INVITE_SECRET", raising=False)
    base = {"telegram_bot_token": None, "whatsapp_access_token": None}
    if refused:
        with pytest.raises(ValidationError, match="INVITE_SECRET"):
            Settings(_env_file=None, **{**base, **env})
    else:
        Settings(_env_file=None, **{**base, **env})
