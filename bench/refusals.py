"""Refusals through the real web app: N of each kind sent, next to what /metrics counted.

    python bench/refusals.py [--n 50] [--json]

One `ilpbot web` app (Telegram and WhatsApp webhooks, in-process over ASGI) against a fresh
database. A petugas asks for dana desa through the Telegram webhook; then, N times each:
a forged and a stale button on both channels, the kepala desa of another desa and the operator
desa pressing each decision (every budget route in turn) on that request, the petugas pressing
the desa's "Konfirmasi dana terealisasi", the camat and the pendamping desa of that desa pressing "Setujui" (they coach, never decide:
`read_only`), a kepala puskesmas pressing a forged /staf button that deactivates a
kader of another puskesmas, a Telegram post with a wrong secret, a WhatsApp post with a bad
signature. Every refusal must answer as designed (a 200 with a refusal message, or a 403) and
be counted once in `ilpbot_refused_total{channel,why}`; nothing may be decided.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script (or imported by bench/all.py), bench/ is on sys.path and bench/telegram.py
# would shadow python-telegram-bot, which this bench imports in-process.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import App, build  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.web import create_app  # noqa: E402
from db import dana  # noqa: E402
from db.dana import DanaRequest  # noqa: E402
from db.models import AuditEvent, Outbox, User  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from fakes.graph_api import sign, wa_button_reply, wa_envelope, wa_text  # noqa: E402
from fakes.metrics import refused_counts  # noqa: E402
from fakes.telegram_api import FakeBotApi  # noqa: E402
from handlers.people.invites import create_invite  # noqa: E402

TOKEN, SECRET = "123456:BENCH", "bench-webhook-secret"
APP_SECRET = "bench-app-secret"
METRICS_TOKEN = "bench-metrics-token"
INVITE_SECRET = "bench-invite-secret-key"
SUMBER_URIP, SUMBER_BENING = "17.02.11.2009", "17.02.11.2010"
AT_THE_DOOR = ("bad_secret", "bad_signature")  # no user, no database write: log and count
KINDS = (
    ("telegram", "forged"),
    ("telegram", "stale"),
    ("whatsapp", "forged"),
    ("whatsapp", "stale"),
    ("telegram", "other_desa"),
    ("telegram", "read_only"),
    ("whatsapp", "read_only"),
    ("telegram", "not_kades"),
    ("telegram", "not_desa"),
    ("telegram", "out_of_scope"),
    ("telegram", "bad_secret"),
    ("whatsapp", "bad_signature"),
)


class Web:
    """The web app over ASGI, and a Telegram chat's latest buttons read from the outbox."""

    def __init__(self, app: App, http: httpx.AsyncClient) -> None:
        self.app, self.http = app, http
        self.updates = itertools.count(1)

    async def telegram(self, update: dict[str, Any], secret: str = SECRET) -> int:
        update = {"update_id": next(self.updates), **update}
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        return (await self.http.post("/telegram/webhook", json=update, headers=headers)).status_code

    async def say(self, chat: int, text: str) -> int:
        user = {"id": chat, "is_bot": False, "first_name": "Bench"}
        message = {"message_id": 1, "date": int(time.time()), "from": user, "text": text}
        message["chat"] = {"id": chat, "type": "private", "first_name": "Bench"}
        return await self.telegram({"message": message})

    async def press(self, chat: int, data: str) -> int:
        user = {"id": chat, "is_bot": False, "first_name": "Bench"}
        shown = {"message_id": 1, "date": int(time.time()), "text": "..."}
        shown["chat"] = {"id": chat, "type": "private", "first_name": "Bench"}
        query = {"id": str(chat), "from": user, "chat_instance": "1", "data": data}
        return await self.telegram({"callback_query": query | {"message": shown}})

    async def button(self, chat: int, label: str) -> str:
        """The data of the button `label` on the latest message to the chat that has one."""
        stmt = select(Outbox.payload).where(Outbox.chat_id == str(chat)).order_by(Outbox.id.desc())
        async with self.app.db.transaction() as session:
            for payload in (await session.execute(stmt)).scalars():
                for button in payload.get("buttons") or []:
                    if button["label"] == label:
                        return button["data"]
        raise AssertionError(f"no button {label!r} in chat {chat}")

    async def whatsapp(self, message: dict[str, Any], secret: str = APP_SECRET) -> int:
        body = json.dumps(wa_envelope([message])).encode()
        headers = {"content-type": "application/json", "X-Hub-Signature-256": sign(body, secret)}
        return (
            await self.http.post("/whatsapp/webhook", content=body, headers=headers)
        ).status_code

    async def audited(self) -> dict[tuple[str, str], int]:
        """Audit entries of refused presses, by (channel, why)."""
        stmt = (
            select(AuditEvent.channel, AuditEvent.action, func.count())
            .where(AuditEvent.action.like("refused_%"))
            .group_by(AuditEvent.channel, AuditEvent.action)
        )
        async with self.app.db.transaction() as session:
            rows = (await session.execute(stmt)).all()
        return {(channel, action.removeprefix("refused_")): n for channel, action, n in rows}

    async def counted(self) -> dict[tuple[str, str], float]:
        return await refused_counts(self.http, METRICS_TOKEN)


async def register(web: Web, chat: int, name: str, role: str, **place: str) -> str:
    """A user registered through the webhook; returns the data of their old "Ya" button."""
    async with web.app.db.transaction() as session:
        invite = await create_invite(
            session, web.app.runtime.clock(), role, secret=INVITE_SECRET, **place
        )
    await web.say(chat, f"/start {invite.code}")
    await web.say(chat, name)
    confirm = await web.button(chat, "Ya")
    await web.press(chat, confirm)
    return confirm


async def register_on_whatsapp(web: Web, phone: str, name: str, role: str, **place: str) -> None:
    """A user registered through the WhatsApp webhook (the confirmation typed: "ya")."""
    async with web.app.db.transaction() as session:
        invite = await create_invite(
            session, web.app.runtime.clock(), role, secret=INVITE_SECRET, **place
        )
    for text in (f"DAFTAR {invite.code}", name, "ya"):
        await web.whatsapp(wa_text(phone, text))


async def ask_for_dana(web: Web, chat: int) -> None:
    await web.say(chat, "/dana")
    await web.press(chat, await web.button(chat, "Desa Sumber Urip"))
    await web.press(chat, await web.button(chat, "Penyakit menular"))
    for answer in ("PSN 3M Plus di RT 03 setelah 2 kasus DBD", "4 kali PSN", "120", "2,5 juta"):
        await web.say(chat, answer)
    await web.say(chat, "Desember")
    await web.press(chat, await web.button(chat, "Posyandu / kader"))
    await web.say(chat, "lewati")
    await web.press(chat, await web.button(chat, "Kirim"))


async def drive(web: Web, n: int) -> dict[tuple[str, str], list[int]]:
    """Sends n of each kind; the HTTP status of every one."""
    old_yes = await register(web, 501, "Siti Aminah", "petugas", puskesmas="Sumber Urip")
    await register(web, 502, "Budi Santoso", "kades", desa=SUMBER_URIP)
    await register(web, 503, "Joko Susilo", "kades", desa=SUMBER_BENING)
    await register(web, 506, "Camat Selupu", "camat", kecamatan="Selupu Rejang")
    await register_on_whatsapp(web, "62813", "Yudi", "pendamping_desa", desa=SUMBER_URIP)
    await register(web, 504, "Ani", "operator_desa", desa=SUMBER_URIP)
    await register(web, 507, "Dr. Hendra", "kepala_puskesmas", puskesmas="Sumber Urip")
    await register(web, 505, "Rina Curup", "kader", desa="Talang Rimbo Lama")
    await ask_for_dana(web, 501)
    async with web.app.db.transaction() as session:
        request = await session.scalar(select(DanaRequest).order_by(DanaRequest.id.desc()))
    assert request is not None, "the dana desa request was not made"
    routes = "aubkptr"  # every decision: APBDes, perubahan, BTT, RKP, sebagian, tolak, revisi

    def decide(i: int) -> str:
        return f"dd:{request.id}:{routes[i % len(routes)]}:{request.version}"

    realised = f"dk:{request.id}:real:{request.version}"
    async with web.app.db.transaction() as session:
        rina = await session.scalar(select(User).where(User.name == "Rina Curup"))
    deactivate = f"sf:dy:{rina.id}"  # a kader of Puskesmas Talang Rimbo Lama
    halo = {"message": {"message_id": 1, "date": 0, "chat": {"id": 9, "type": "private"}}}
    sends = {
        ("telegram", "forged"): lambda i: web.press(501, f"bukan-tombol-{i}"),
        ("telegram", "stale"): lambda i: web.press(501, old_yes),
        ("whatsapp", "forged"): lambda i: web.whatsapp(wa_button_reply("62811", f"x:{i}", "?")),
        ("whatsapp", "stale"): lambda i: web.whatsapp(wa_button_reply("62811", "v1:7:0", "Ya")),
        ("telegram", "read_only"): lambda i: web.press(506, decide(i)),
        ("whatsapp", "read_only"): lambda i: web.whatsapp(wa_button_reply("62813", decide(i), "?")),
        ("telegram", "other_desa"): lambda i: web.press(503, decide(i)),
        ("telegram", "not_kades"): lambda i: web.press(504, decide(i)),
        ("telegram", "not_desa"): lambda i: web.press(501, realised),
        ("telegram", "out_of_scope"): lambda i: web.press(507, deactivate),
        ("telegram", "bad_secret"): lambda i: web.telegram(halo, secret=f"guess-{i}"),
        ("whatsapp", "bad_signature"): lambda i: web.whatsapp(
            wa_text("62812", "halo"), secret=f"guess-{i}"
        ),
    }
    statuses: dict[tuple[str, str], list[int]] = {}
    for kind in KINDS:
        statuses[kind] = [await sends[kind](i) for i in range(n)]
    async with web.app.db.transaction() as session:
        still = (await session.get(DanaRequest, request.id)).status
        kept = (await session.get(User, rina.id)).active
    assert still == dana.WAITING, f"a refused press changed the request: {still}"
    assert kept, "a refused /staf press deactivated a kader of another puskesmas"
    return statuses


def answered(codes: list[int]) -> dict[str, int]:
    return {str(code): codes.count(code) for code in sorted(set(codes))}


async def refusals(backend: str = "sqlite", n: int = 50) -> dict:
    """Per kind: sent, counted in /metrics (this run's increase), the HTTP statuses."""
    url, cleanup = await fresh_database(backend)
    fake = FakeBotApi().start()
    app = build(
        Settings(
            _env_file=None,
            database_url=url,
            telegram_bot_token=TOKEN,
            telegram_api_url=fake.url,
            telegram_webhook_secret=SECRET,
            whatsapp_access_token="bench-token",
            whatsapp_phone_number_id="1234567890",
            whatsapp_app_secret=APP_SECRET,
            whatsapp_verify_token="bench-verify-token",
            metrics_token=METRICS_TOKEN,
            invite_secret=INVITE_SECRET,
        )
    )
    web_app = create_app(app)
    started = time.perf_counter()
    try:
        transport = httpx.ASGITransport(web_app)
        async with (
            web_app.router.lifespan_context(web_app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as http,
        ):
            web = Web(app, http)
            before = await web.counted()
            statuses = await drive(web, n)
            after, audited = await web.counted(), await web.audited()
    finally:
        await app.close()
        fake.stop()
        await cleanup()
    rows = [
        {
            "channel": channel,
            "why": why,
            "sent": n,
            "counted": round(after.get((channel, why), 0) - before.get((channel, why), 0)),
            "audited": audited.get((channel, why)) if why not in AT_THE_DOOR else None,
            "status": answered(statuses[(channel, why)]),
        }
        for channel, why in KINDS
    ]
    return {
        "backend": backend,
        "seconds": round(time.perf_counter() - started, 2),
        "rows": rows,
        "all_counted": all(row["counted"] == row["sent"] for row in rows),
        "all_audited": all(row["audited"] in (None, row["sent"]) for row in rows),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50, help="refusals of each kind")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    # Every refusal logs a warning (bench/all.py counts them); here they would flood the terminal.
    logging.getLogger().addHandler(logging.NullHandler())
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    results = [await refusals(backend, args.n) for backend in backends]
    if args.json:
        print(json.dumps(results))
        return
    for result in results:
        print(f"refusals, {result['backend']} ({result['seconds']} s):")
        for row in result["rows"]:
            codes = ", ".join(f"{code}×{count}" for code, count in row["status"].items())
            audited = "-" if row["audited"] is None else row["audited"]
            print(
                f"  {row['channel']:>8} {row['why']:<13} sent {row['sent']:>4}  "
                f"counted {row['counted']:>4}  audited {audited:>4}  answered {codes}"
            )
        every = result["all_counted"] and result["all_audited"]
        print(f"  every refusal counted and audited: {'yes' if every else 'NO'}")


if __name__ == "__main__":
    asyncio.run(main())
