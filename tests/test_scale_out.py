"""Scale-out as deployed: two `ilpbot web` processes behind a load balancer and one `ilpbot
clock` on one PostgreSQL, with the fake Bot API as Telegram. Every update is posted to the
workers the way Telegram and a balancer would — to both at once, to one and retried on the
other, to either — so conversations hop between processes; a second clock runs for a while
too. Nothing may be processed or sent twice, nothing lost, and each chat reads its messages in
order."""

from __future__ import annotations

import asyncio
import itertools
import re
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from report_steps import K2_ANSWERS, quick
from sqlalchemy import func, select

from bot.channels.telegram.web import SECRET_HEADER
from db.clock import ScheduledRun
from db.dana import DanaRequest
from db.database import Database, normalize_url
from db.migrate import upgrade
from db.models import ChannelIdentity, Desa, Outbox, ProcessedInbound, Puskesmas, User
from db.reports import Report
from fakes.databases import ilpbot_environment
from fakes.server import free_port
from fakes.telegram_api import FakeBotApi
from handlers.people.invites import create_invite

from conftest import PG_URL, _pg_exec, _seeded
from tests.telegram_support import METRICS_TOKEN, SCRAPER, SECRET, TOKEN, Person, until

pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)"),
    pytest.mark.slow,  # real ilpbot processes
]

ROOT = Path(__file__).resolve().parent.parent
# (puskesmas of the petugas, desa of the kades it asks): three pairs, three puskesmas
PAIRS = [
    ("Sumber Urip", "17.02.11.2009"),
    ("Watas Marga", "17.02.18.2004"),
    ("Tunas Harapan", "17.02.16.2004"),
]
PETUGAS = ["Siti Aminah", "Dewi Lestari", "Yuliana Putri"]
KADES = ["Budi Santoso", "Agus Salim", "Hendra Wijaya"]
DINKES_CHAT = 7001


# --- the processes ------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


class Deployment:
    """`ilpbot <command>` processes sharing one environment, as the Procfile starts them."""

    def __init__(self, url: str, api_url: str, folder: Path) -> None:
        self.folder = folder
        self.processes: list[Process] = []
        self.env = ilpbot_environment(
            url,
            api_url,
            TOKEN,
            SECRET,
            WEB_CONCURRENCY="1",
            LOG_LEVEL="INFO",
            METRICS_TOKEN=METRICS_TOKEN,
            EXPORT_DIR=str(folder / "exports"),
            # every clock job is due at once and none is held back by the quiet hours
            DIGEST_AT="00:00",
            REMIND_AT="00:00",
            QUIET_FROM="00:00",
            QUIET_TO="00:00",
        )

    def start(self, name: str, *args: str, **env: str) -> Process:
        log = self.folder / f"{name}.log"
        popen = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            env=self.env | env,
            cwd=self.folder,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    async def ready(self, process: Process, port: int, path: str) -> None:
        async def answers() -> bool:
            assert process.popen.poll() is None, f"{process.name} exited:\n{process.tail()}"
            try:
                async with httpx.AsyncClient() as http:
                    return (await http.get(f"http://127.0.0.1:{port}{path}")).status_code == 200
            except httpx.TransportError:
                return False

        await until(answers, 30, f"{process.name} to answer on :{port}")

    async def ticked(self, clock: Process) -> None:
        """The clock's catch-up tick at start has run (APScheduler logs each finished job)."""
        await until(
            lambda: "executed successfully" in clock.log.read_text(errors="replace"),
            30,
            f"{clock.name}'s first tick",
        )

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


class Balancer:
    """Telegram in front of two web workers. Each update goes, in turn: to both at once (a
    retry racing the first attempt), to the second and again to the first (Telegram did not
    see the 200), to the first only, to the second only."""

    def __init__(self, ports: list[int]) -> None:
        self.urls = [f"http://127.0.0.1:{port}/telegram/webhook" for port in ports]
        self.http = httpx.AsyncClient(timeout=30)
        self.turn = itertools.count()
        self.statuses: list[int] = []
        self.update_ids: set[int] = set()

    async def _post(self, worker: int, update: dict[str, Any]) -> httpx.Response:
        headers = {SECRET_HEADER: SECRET}
        response = await self.http.post(self.urls[worker], json=update, headers=headers)
        self.statuses.append(response.status_code)
        return response

    async def post(self, update: dict[str, Any]) -> httpx.Response:
        self.update_ids.add(update["update_id"])
        way = next(self.turn) % 4
        if way == 0:
            first, _ = await asyncio.gather(self._post(0, update), self._post(1, update))
            return first
        if way == 1:
            await self._post(1, update)
            return await self._post(0, update)
        return await self._post(way - 2, update)


@dataclass
class Member(Person):
    """A Telegram user whose updates reach the bot through the balancer. A typed answer waits
    only until it is committed; a press first waits until the chat's messages arrived, as a
    person presses only what they can see."""

    async def _deliver(self, update: dict[str, Any]) -> list[str]:
        response = await self.post(update)
        self.responses.append(response.status_code)
        await until(lambda: processed(self.db, update["update_id"]), 20, f"update {update}")
        return []

    async def question(self) -> tuple[int, list[dict[str, Any]]]:
        await self.arrived()
        return await super().question()

    async def arrived(self) -> None:
        await until(lambda: nothing_pending(self.db, self.chat_id), 30, f"chat {self.chat_id}")

    async def receives(self, kind: str) -> None:
        """Waits for a message someone else's turn queued for this chat, and its delivery."""

        async def queued() -> bool:
            async with self.db.transaction() as session:
                stmt = select(func.count()).where(
                    Outbox.chat_id == str(self.chat_id), Outbox.kind == kind
                )
                return bool(await session.scalar(stmt))

        await until(queued, 30, f"{kind} for chat {self.chat_id}")
        await self.arrived()


async def processed(db: Database, update_id: int) -> bool:
    async with db.transaction() as session:
        stmt = select(func.count()).where(
            ProcessedInbound.channel == "telegram",
            ProcessedInbound.external_id == str(update_id),
        )
        return bool(await session.scalar(stmt))


async def nothing_pending(db: Database, chat_id: int | None = None) -> bool:
    stmt = select(func.count()).where(Outbox.status == "pending")
    if chat_id is not None:
        stmt = stmt.where(Outbox.chat_id == str(chat_id))
    async with db.transaction() as session:
        return not await session.scalar(stmt)


# --- the people ---------------------------------------------------------------------------


async def register(person: Member, code: str, name: str) -> None:
    await person.send(f"/start {code}")
    await person.send(name)
    await person.press("Ya")


async def petugas_day(person: Member, code: str, name: str, desa: str, kades_in: asyncio.Event):
    """Registers, files Klaster 2 in one message, then asks the kades for dana desa."""
    await register(person, code, name)
    await person.send(quick("K2", K2_ANSWERS))
    await person.press("Kirim")
    await kades_in.wait()
    await person.send("/dana")
    await person.press(desa)
    await person.press("Penyakit menular")
    await person.send("Fogging DBD di RT 03 dan RT 04 setelah 2 kasus DBD bulan ini")
    await person.send("2 kali fogging di 2 RT")
    await person.send("120")
    await person.send("2,5 juta")
    await person.send("Desember")
    await person.press("Posyandu / kader")
    await person.send("lewati")
    await person.press("Kirim")
    await person.receives("dana_requester")


async def kades_day(person: Member, code: str, name: str, registered: asyncio.Event):
    await register(person, code, name)
    await person.arrived()
    registered.set()
    await person.receives("dana_kades")
    await person.press("Setujui — lewat perubahan APBDes")
    await person.press("Ya")


# --- the story ----------------------------------------------------------------------------


@pytest.fixture
def pg_url():
    """A fresh database of its own on the test server, migrated and seeded (what `ilpbot db
    upgrade` and `ilpbot seed` do at the first release)."""
    admin = normalize_url(PG_URL).replace("postgresql+asyncpg", "postgresql")
    name = f"ilpbot_scale_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_exec(admin, f'CREATE DATABASE "{name}"'))
    url = admin.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    asyncio.run(_seeded(url))
    yield url
    asyncio.run(_pg_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_two_web_workers_and_a_clock_process_and_send_everything_once(pg_url, tmp_path):
    fake = FakeBotApi().start()
    deployment = Deployment(pg_url, fake.url, tmp_path)
    db = Database(pg_url)
    balancer = None
    try:
        codes = await invites_and_dinkes(db)

        ports = [free_port(), free_port()]
        webs = [deployment.start(f"web{i}", "web", PORT=str(p)) for i, p in enumerate(ports)]
        clock_port = free_port()
        clock = deployment.start("clock", "clock", METRICS_PORT=str(clock_port))
        for web, port in zip(webs, ports, strict=True):
            await deployment.ready(web, port, "/healthz")
        await deployment.ready(clock, clock_port, "/metrics")
        await deployment.ticked(clock)
        balancer = Balancer(ports)

        people = []
        for n in range(len(PAIRS)):
            kades_in = asyncio.Event()
            petugas = Member(fake, db, 7101 + n, post=balancer.post)
            kades = Member(fake, db, 7201 + n, post=balancer.post)
            desa_label = f"Desa {codes['desa_names'][n]}"
            people.append(
                petugas_day(petugas, codes["petugas"][n], PETUGAS[n], desa_label, kades_in)
            )
            people.append(kades_day(kades, codes["kades"][n], KADES[n], kades_in))
        chats = asyncio.gather(*people)

        # A second clock for a while, beside the first: it claims nothing twice.
        await asyncio.sleep(3)
        second_port = free_port()
        second = deployment.start("clock2", "clock", METRICS_PORT=str(second_port))
        await deployment.ready(second, second_port, "/metrics")
        await deployment.ticked(second)
        await asyncio.sleep(2)
        second.stop()

        await asyncio.wait_for(chats, 60)
        await until(lambda: nothing_pending(db), 30, "the outbox to drain")
        metrics = [await scrape(balancer.http, port) for port in ports]
    finally:
        if balancer is not None:
            await balancer.http.aclose()
        deployment.stop()
        fake.stop()

    try:
        await check_the_database(db, balancer)
        check_the_deliveries(fake, await outbox_by_chat(db))
        check_the_metrics(metrics, balancer)
    finally:
        await db.dispose()


async def invites_and_dinkes(db: Database) -> dict[str, list[str]]:
    """An invite per petugas and kades; Rina of the Dinkes is registered already."""
    now = datetime.now(UTC)
    codes: dict[str, list[str]] = {"petugas": [], "kades": [], "desa_names": []}
    async with db.transaction() as session:
        for puskesmas, desa in PAIRS:
            made = await create_invite(session, now, "petugas", puskesmas=puskesmas)
            codes["petugas"].append(made.code)
            made = await create_invite(session, now, "kades", desa=desa)
            codes["kades"].append(made.code)
            codes["desa_names"].append(await desa_name(session, made.invite.desa_id))
        rina = User(name="Rina Marlina", role="dinkes", created_at=now)
        session.add(rina)
        await session.flush()
        session.add(
            ChannelIdentity(channel="telegram", external_id=str(DINKES_CHAT), user_id=rina.id)
        )
    return codes


async def desa_name(session, desa_id: int) -> str:
    return (await session.get(Desa, desa_id)).nama


async def scrape(http: httpx.AsyncClient, port: int) -> dict[str, float]:
    text = (await http.get(f"http://127.0.0.1:{port}/metrics", headers=SCRAPER)).text
    found = re.findall(r'^(ilpbot_\w+_total)\{channel="telegram"\} (\S+)$', text, re.M)
    return {name: float(value) for name, value in found}


async def outbox_by_chat(db: Database) -> dict[int, list[Outbox]]:
    async with db.transaction() as session:
        rows = (await session.execute(select(Outbox).order_by(Outbox.id))).scalars()
        chats: dict[int, list[Outbox]] = {}
        for row in rows:
            chats.setdefault(int(row.chat_id), []).append(row)
    return chats


async def check_the_database(db: Database, balancer: Balancer) -> None:
    async with db.transaction() as session:
        inbound = await session.scalar(select(func.count()).select_from(ProcessedInbound))
        users = await session.scalar(select(func.count()).select_from(User))
        reports = (await session.execute(select(Report))).scalars().all()
        requests = (await session.execute(select(DanaRequest))).scalars().all()
        runs = (await session.execute(select(ScheduledRun.job, ScheduledRun.period))).all()
        puskesmas = dict((await session.execute(select(Puskesmas.id, Puskesmas.nama))).all())
    assert inbound == len(balancer.update_ids)  # each update recorded once, none lost
    assert users == 1 + 2 * len(PAIRS)
    assert sorted(puskesmas[r.puskesmas_id] for r in reports) == sorted(p for p, _ in PAIRS)
    assert all(r.version == 1 and r.is_current for r in reports)
    assert sorted(r.number for r in requests) == [1, 2, 3]
    assert {r.status for r in requests} == {"disetujui"}
    digest_runs = [period for job, period in runs if job == "digest"]
    assert len(digest_runs) == 1 and len(runs) == len(set(runs))


def check_the_deliveries(fake: FakeBotApi, outbox: dict[int, list[Outbox]]) -> None:
    """Every row sent once, in the chat's order: what each chat read is its outbox, row by row."""
    assert all(row.status == "sent" for rows in outbox.values() for row in rows)
    assert set(outbox) == {
        DINKES_CHAT,
        *(7101 + n for n in range(3)),
        *(7201 + n for n in range(3)),
    }
    for chat, rows in outbox.items():
        assert fake.texts(chat) == [row.payload["text"] for row in rows], chat
    said = {chat: "\n".join(fake.texts(chat)) for chat in outbox}
    for text in said.values():
        assert "tidak berlaku" not in text and "Maaf" not in text, text
    assert said[DINKES_CHAT].count("📊 Ringkasan ILP") == 1
    for n in range(3):
        petugas, kades = said[7101 + n], said[7201 + n]
        assert petugas.count("Selamat datang") == 1 and kades.count("Selamat datang") == 1
        assert petugas.count("Laporan Anda tersimpan dengan nomor ILP-") == 1
        assert petugas.count("Kabar baik: DD-") == 1
        assert kades.count("Permohonan dukungan dana desa DD-") == 1
        assert kades.count("sekarang disetujui") == 1


def check_the_metrics(metrics: list[dict[str, float]], balancer: Balancer) -> None:
    assert set(balancer.statuses) == {200}
    posts = sum(m.get("ilpbot_updates_total", 0) for m in metrics)
    duplicates = sum(m.get("ilpbot_duplicate_updates_total", 0) for m in metrics)
    assert posts == len(balancer.statuses)
    assert posts - duplicates == len(balancer.update_ids)  # processed once each
    assert all(m.get("ilpbot_update_errors_total", 0) == 0 for m in metrics)
    assert all(m.get("ilpbot_updates_total", 0) > 0 for m in metrics)  # both workers served
