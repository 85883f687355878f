"""What the fault scenarios (fakes/faults.py) share: real `ilpbot` processes, a lean webhook
client that notices a hang, Telegram-shaped updates, registered staff and report slots."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from db.database import Database
from db.models import ChannelIdentity, Outbox, ProcessedInbound, Puskesmas, User
from db.reports import Report
from fakes.databases import ilpbot_environment
from fakes.server import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN, SECRET = "123456:FAULTS", "faults-webhook-secret"
ZONE = ZoneInfo("Asia/Jakarta")

# Whole reports in one message (quick entry): the summary comes back with Kirim / Ubah / Batal.
QUICK = {
    "K2": "K1=3 K4=2 K6=2 SALIN=1 KF=1 KN=1 IDL=4 BALITASPM=2 D=40 T=5 UKUR=30 STUNT=2 GIZI=1 KEK=1 ANEMIA=2",
    "K3": "HTSKR=50 HT=9 HTLAYAN=12 HTSPM=2 DMSKR=30 DM=3 DMLAYAN=6 DMSPM=1 PRODUKTIF=45 PRODSPM=40 LANSIA=14 LANSIASPM=9 SKILAS=10 ODGJ=1 ODGJSPM=0 CATIN=1 KBBARU=2 KBAKTIF=5",
    "K4": "TBDUGA=0 TB=0 TBKONTAK=0 HIV=0 IKL=0 PJB=0 DBD=0 MAL=0 DIARE=1 PNEU=0 CAMPAK=0 AFP=0 DIFTERI=0 GHPR=0 KLB=tidak",
    "LK": "UGD=5 RANAP=1 RUJUK=2 LAB=20",  # RANAP: asked of a rawat-inap puskesmas only
}
KLASTERS = tuple(QUICK)


def report_values(klaster: str, rawat_inap: bool) -> dict[str, int]:
    """The figures a quick entry stores."""
    pairs = (item.split("=") for item in QUICK[klaster].split())
    values = {code: int(value) for code, value in pairs if value.isdigit()}
    return values if rawat_inap else {k: v for k, v in values.items() if k != "RANAP"}


def local_today() -> date:
    return datetime.now(ZONE).date()


def slots(count: int, puskesmas: list[int]) -> list[tuple[int, str, date]]:
    """`count` distinct report slots (puskesmas, klaster, day) within the correction window,
    spread over the puskesmas first, so no two reports of a run replace each other."""
    today = local_today()
    found = [
        (pkm, klaster, today - timedelta(days=back))
        for back in range(7)
        for klaster in KLASTERS
        for pkm in puskesmas
    ]
    if count > len(found):
        raise ValueError(f"at most {len(found)} distinct report slots")
    return found[:count]


def quick_text(klaster: str, day: date) -> str:
    return f"LAPOR {klaster} TGL={day.isoformat()} {QUICK[klaster]}"


# --- processes -----------------------------------------------------------------------------


def environment(url: str, api_url: str, **extra: str) -> dict[str, str]:
    """The environment of an `ilpbot` process. The clock's daily jobs are set six hours ahead,
    so no reminder or digest joins the conversations a scenario checks."""
    later = (datetime.now(ZONE) + timedelta(hours=6)).strftime("%H:%M")
    clock = {"DIGEST_AT": later, "REMIND_AT": later}
    return ilpbot_environment(url, api_url, TOKEN, SECRET, WEB_CONCURRENCY="1", **clock | extra)


class Process:
    """One `ilpbot <command>` with its output in a log file (read when a check fails)."""

    def __init__(self, command: str, env: dict[str, str], folder: Path) -> None:
        self.command, self.env, self.folder = command, env, folder
        self.log = folder / f"ilpbot-{command}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", self.command],
                env=self.env,
                cwd=self.folder,  # no stray .env, exports/ in the temporary folder
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM; the exit code (a clean stop is 0)."""
        if self.popen is None or self.popen.poll() is not None:
            return self.popen.returncode if self.popen else 0
        self.popen.terminate()
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def work_folder() -> Path:
    """Where a scenario's processes run and log; `tidy` removes it unless the check failed."""
    return Path(tempfile.mkdtemp(prefix="ilpbot-faults-"))


def tidy(folder: Path, figures: dict[str, Any]) -> dict[str, Any]:
    if figures.get("ok"):
        shutil.rmtree(folder, ignore_errors=True)
    else:
        figures["logs"] = str(folder)
    return figures


class WebWorkers:
    """`count` separate `ilpbot web` processes on their own ports, as behind a load balancer."""

    def __init__(self, url: str, api_url: str, count: int, folder: Path) -> None:
        self.ports = [free_port() for _ in range(count)]
        self.processes = [
            Process("web", environment(url, api_url, PORT=str(port)), folder / f"web{n}")
            for n, port in enumerate(self.ports)
        ]

    async def __aenter__(self) -> WebWorkers:
        for process in self.processes:
            process.folder.mkdir(parents=True, exist_ok=True)
            process.start()
        for port, process in zip(self.ports, self.processes, strict=True):
            await healthy(port, process)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        for process in self.processes:
            process.stop()


async def healthy(port: int, process: Process | None = None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen and process.popen.poll() is not None:
            raise RuntimeError(f"ilpbot web exited: {process.tail()}")
        if await http_get(port, "/healthz", timeout=2.0) == 200:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"ilpbot web on :{port} did not become healthy")


# --- HTTP ----------------------------------------------------------------------------------

NO_ANSWER = 0  # the status we record when the app did not answer in time


async def http_get(port: int, path: str, timeout: float = 5.0) -> int:
    """One GET on a fresh connection; NO_ANSWER when refused or hanging."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(f"GET {path} HTTP/1.1\r\nHost: faults\r\n\r\n".encode())
                status, _body = await _response(reader)
            finally:
                writer.close()
            return status
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
        return NO_ANSWER


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length) if length else b""
    return int(head[9:12]), body


class Webhook:
    """A keep-alive connection posting updates to /telegram/webhook, as Telegram does. A post
    that gets no answer within `timeout` returns NO_ANSWER and the connection is opened again."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.port, self.timeout = port, timeout
        self._conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, update: dict[str, Any]) -> int:
        body = json.dumps(update).encode()
        head = (
            "POST /telegram/webhook HTTP/1.1\r\nHost: faults\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        for fresh in (self._conn is None, True):
            try:
                async with asyncio.timeout(self.timeout):
                    if self._conn is None:
                        self._conn = await asyncio.open_connection("127.0.0.1", self.port)
                    reader, writer = self._conn
                    writer.write(head.encode() + body)
                    status, _body = await _response(reader)
                    return status
            except (OSError, asyncio.IncompleteReadError) as exc:
                self.close()
                # The server closed an idle keep-alive connection: HTTP clients (Telegram's
                # too) open a new one and send again; a refused new one is an answer.
                if fresh or isinstance(exc, ConnectionRefusedError):
                    return NO_ANSWER
            except (TimeoutError, ValueError):
                self.close()
                return NO_ANSWER
        return NO_ANSWER

    async def deliver(self, update: dict[str, Any], answers: Counter[int], tries: int = 8) -> bool:
        """Posts until the app answers 200, as Telegram retries a webhook that failed; every
        answer is counted in `answers`. False when it never did."""
        for attempt in range(tries):
            status = await self.post(update)
            answers[status] += 1
            if status == 200:
                return True
            await asyncio.sleep(min(0.1 * 2**attempt, 2.0))
        return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn[1].close()
            self._conn = None


# --- updates -------------------------------------------------------------------------------

_update_ids = itertools.count(1)


def next_update_id() -> int:
    return next(_update_ids)


def _person(chat: int) -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": "Bidan", "language_code": "id"}


def text_update(chat: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    update_id = update_id or next_update_id()
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "Bidan"},
        "from": _person(chat),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def press_update(chat: int, data: str, message_id: int = 1) -> dict[str, Any]:
    update_id = next_update_id()
    bot = {"id": 7000000001, "is_bot": True, "first_name": "ILP Test Bot"}
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "Bidan"},
        "from": bot,
        "text": "...",
    }
    query = {"id": str(update_id), "from": _person(chat), "message": message}
    query |= {"chat_instance": str(chat * 31), "data": data}
    return {"update_id": update_id, "callback_query": query}


# --- the database --------------------------------------------------------------------------


async def puskesmas_ids(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.execute(select(Puskesmas.id).order_by(Puskesmas.id))).scalars())


async def rawat_inap(db: Database) -> set[int]:
    async with db.transaction() as session:
        stmt = select(Puskesmas.id).where(Puskesmas.rawat_inap.is_(True))
        return set((await session.execute(stmt)).scalars())


async def register(db: Database, chats: dict[int, int]) -> None:
    """Petugas already registered on Telegram: chat id -> puskesmas id."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        for chat, pkm in chats.items():
            user = User(name=f"Bidan {chat}", role="petugas", puskesmas_id=pkm, created_at=now)
            session.add(user)
            await session.flush()
            session.add(ChannelIdentity(channel="telegram", external_id=str(chat), user_id=user.id))


async def button_data(db: Database, chat: int, label: str) -> str | None:
    """The callback data of `label` on the chat's latest question with buttons (outbox)."""
    stmt = (
        select(Outbox.payload)
        .where(Outbox.channel == "telegram", Outbox.chat_id == str(chat))
        .order_by(Outbox.id.desc())
        .limit(5)
    )
    async with db.transaction() as session:
        for payload in (await session.execute(stmt)).scalars():
            for button in payload.get("buttons") or []:
                if button["label"] == label:
                    return button["data"]
            if payload.get("buttons"):
                return None
    return None


async def replies_per_chat(db: Database) -> dict[int, int]:
    stmt = (
        select(Outbox.chat_id, func.count())
        .where(Outbox.channel == "telegram", Outbox.kind == "reply")
        .group_by(Outbox.chat_id)
    )
    async with db.transaction() as session:
        return {int(chat): n for chat, n in (await session.execute(stmt)).all()}


async def processed_updates(db: Database) -> int:
    stmt = select(func.count()).where(ProcessedInbound.channel == "telegram")
    async with db.transaction() as session:
        return (await session.execute(stmt)).scalar_one()


async def stored_reports(db: Database) -> list[Report]:
    async with db.transaction() as session:
        return list((await session.execute(select(Report))).scalars())


async def until_drained(db: Database, timeout: float) -> bool:
    """Until no outbox row is pending (every message sent and recorded); False on timeout."""
    deadline = time.monotonic() + timeout
    stmt = select(func.count()).where(Outbox.status == "pending")
    while time.monotonic() < deadline:
        async with db.transaction() as session:
            if not (await session.execute(stmt)).scalar_one():
                return True
        await asyncio.sleep(0.5)
    return False


def over(values: dict[int, int], expected: dict[int, int]) -> tuple[int, int]:
    """(doubled, lost): how far per key the counts lie above and below what was expected."""
    keys = set(values) | set(expected)
    doubled = sum(max(0, values.get(k, 0) - expected.get(k, 0)) for k in keys)
    lost = sum(max(0, expected.get(k, 0) - values.get(k, 0)) for k in keys)
    return doubled, lost


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextlib.contextmanager
def elapsed() -> Iterator[list[float]]:
    """with elapsed() as took: …; took[0] is the seconds the block ran."""
    took = [0.0]
    started = time.perf_counter()
    try:
        yield took
    finally:
        took[0] = time.perf_counter() - started
