"""Telegram throughput: inbound through the webhook app, outbound through the sender.

    python bench/telegram.py [--updates 3000] [--connections 40] [--workers 1] [--json]

Inbound: `ilpbot web` runs as real processes (`--workers` of them, each on its own port, as
behind a load balancer); registered users post updates over keep-alive HTTP/1.1 connections,
as many as `ilpbot webhook set` lets Telegram open (max_connections, 40 by default), one update
in flight per chat as Telegram does: HTTP → runtime → DB → 200. First the most the
app does with every connection busy, then an open-loop run at 80 % of that rate whose latency
counts from the scheduled send time (queueing included). The bare DB transaction rate is
measured in the same run. Targets (issue 5): ≥ 1,000 msg/s on PostgreSQL, ≥ 800 on SQLite,
p99 ≤ 50 ms at 80 % of that load: a second open-loop run at 80 % of the target rate (640 and 800
msg/s) gives it; the first, at 80 % of the measured rate, shows the margin above the target.
The second runs 15 s (12,000 updates on PostgreSQL): over 5 s, one stall of a virtual disk's
WAL flush (30-350 ms, seen in PostgreSQL's own log) delays more than 1 % of the updates alone.
Beside it a probe fdatasyncs one block every 20 ms and the line prints the slowest flush: a
COMMIT waits for one, so a p99 above the target next to a stall of the disk is the disk's.

Outbound: `ilpbot clock` delivers a broadcast to the fake Bot API (the rate is measured at the
fake, on delivered sends), clean and with injected 429s. Target: ≥ 95 % of 30 msg/s, no loss.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.common import (  # noqa: E402
    cpu_steal,
    disk_flushes,
    no_collector_pauses,
    on_uvloop,
    percentile,
    posting_lanes,
    register_bidans,
    settle,
)
from bench.engine import bare_transactions  # noqa: E402
from bot.config import Settings  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import Outbox  # noqa: E402
from fakes.databases import (  # noqa: E402
    fresh_database,
    ilpbot_environment,
    pg_available,
    queue_broadcast,
)
from fakes.server import free_port  # noqa: E402
from fakes.telegram_api import FakeBotApi  # noqa: E402

TOKEN, SECRET = "123456:BENCH", "bench-webhook-secret"
CHATS = 1000
TEXTS = ("/profil", "halo", "/bantuan", "/menu")
LIMIT = 30  # Telegram's overall messages per second
HELD_SECONDS = 15.0  # the run at 80 % of the target rate
RATE_TARGET = {"sqlite": 800, "postgresql": 1000}  # issue 5: inbound msg/s through the webhook
P99_TARGET_MS = 50  # issue 5: at 80 % of the target rate
# Telegram's concurrent webhook deliveries, as `ilpbot webhook set` registers them
CONNECTIONS = Settings.model_fields["telegram_webhook_max_connections"].default


# --- a lean HTTP/1.1 client: the load generator must not be the bottleneck ---------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def post(self, body: bytes) -> int:
        head = (
            "POST /telegram/webhook HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        status = int(headers[9:12])
        length = 0
        for line in headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


class Updates:
    """Text messages from the registered chats; each connection owns its chats, so a chat
    never has two updates in flight."""

    def __init__(self, connections: int) -> None:
        self.ids = itertools.count(1)
        self.turn = itertools.count()
        self.connections = connections

    def next_for(self, lane: int) -> bytes:
        n = next(self.turn)
        chat = 10_000 + lane + self.connections * (n % (CHATS // self.connections))
        update_id = next(self.ids)
        person = {"id": chat, "is_bot": False, "first_name": "Bidan"}
        message = {"message_id": update_id, "date": int(time.time()), "from": person}
        message |= {"chat": {"id": chat, "type": "private"}, "text": TEXTS[n % len(TEXTS)]}
        return json.dumps({"update_id": update_id, "message": message}).encode()


async def closed_loop(ports: list[int], connections: int, total: int, updates: Updates):
    """Every connection busy: the most the app does. Returns (msg/s, latencies, errors)."""
    conns = [await Connection.open(ports[i % len(ports)]) for i in range(connections)]
    return await posting_lanes(conns, total, updates)


async def open_loop(ports: list[int], connections: int, rate: float, seconds: float, updates):
    """Updates at a fixed rate; latency from the scheduled time, so queueing counts."""
    idle: asyncio.Queue[tuple[int, Connection]] = asyncio.Queue()
    for i in range(connections):
        idle.put_nowait((i, await Connection.open(ports[i % len(ports)])))
    latencies: list[float] = []
    errors = 0
    tasks = []

    async def one(due: float) -> None:
        nonlocal errors
        i, conn = await idle.get()
        if await conn.post(updates.next_for(i)) != 200:
            errors += 1
        latencies.append(time.perf_counter() - due)
        idle.put_nowait((i, conn))

    with no_collector_pauses():
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait()[1].close()
    return latencies, errors


# --- processes and data --------------------------------------------------------------------


def environment(url: str, api_url: str, **extra: str) -> dict[str, str]:
    return ilpbot_environment(url, api_url, TOKEN, SECRET, **extra)


def ilpbot(command: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", command], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )


async def healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
            ok = (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
            writer.close()
            if ok:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"ilpbot web on :{port} did not become healthy")


async def register_chats(url: str) -> None:
    await register_bidans(url, "telegram", [str(chat) for chat in range(10_000, 10_000 + CHATS)])


# --- the measurements ----------------------------------------------------------------------


async def inbound(backend: str, args: argparse.Namespace) -> dict:
    url, cleanup = await fresh_database(backend)
    fake = FakeBotApi().start()
    servers: list[subprocess.Popen] = []
    try:
        bare = await bare_transactions(url, 2000, 1 if backend == "sqlite" else 8)
        await register_chats(url)
        ports = [free_port() for _ in range(args.workers)]
        servers = [ilpbot("web", environment(url, fake.url, PORT=str(port))) for port in ports]
        for port in ports:
            await healthy(port)
        updates = Updates(args.connections)
        await closed_loop(ports, args.connections, 300, updates)  # warm up
        await settle(url)
        # the median of three runs: on a shared machine one run can lose a tenth to a neighbour
        with cpu_steal() as steal:
            runs = [
                await closed_loop(ports, args.connections, args.updates // 3, updates)
                for _ in range(3)
            ]
        rate = statistics.median(run[0] for run in runs)
        saturated = [latency for run in runs for latency in run[1]]
        errors = sum(run[2] for run in runs)
        target = 0.8 * rate
        latencies, late_errors = await open_loop(ports, args.connections, target, 5.0, updates)
        # the reading: p99 at 80 % of the target rate (and above at 80 % of the most)
        at_target = 0.8 * RATE_TARGET[backend]
        with disk_flushes() as disk:
            held, target_errors = await open_loop(
                ports, args.connections, at_target, HELD_SECONDS, updates
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        fake.stop()
        await cleanup()
    return {
        "backend": backend,
        "workers": args.workers,
        "bare_tx_per_s": round(bare),
        "inbound_per_s": round(rate),
        "cpu_steal": f"{steal['steal']:.0%}",
        "saturated_p50_ms": round(percentile(saturated, 50) * 1000, 1),
        "saturated_p99_ms": round(percentile(saturated, 99) * 1000, 1),
        "at_80pct_per_s": round(target),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "at_target_80pct_per_s": round(at_target),
        "target_p50_ms": round(percentile(held, 50) * 1000, 1),
        "target_p99_ms": round(percentile(held, 99) * 1000, 1),
        "disk_slowest_flush_ms": disk["slowest_ms"],
        "errors": errors + late_errors + target_errors,
    }


async def outbound(messages: int, storm: float) -> dict:
    url, cleanup = await fresh_database("sqlite")
    fake = FakeBotApi().start()
    if storm:
        fake.storm_429(probability=storm, retry_after=1, seed=5)
    db = Database(url)
    chats = [20_000 + n for n in range(messages)]
    await queue_broadcast(db, [(chat, f"Pengingat laporan untuk {chat}") for chat in chats])
    clock = ilpbot("clock", environment(url, fake.url))
    try:
        while True:
            await asyncio.sleep(0.5)
            async with db.transaction() as session:
                pending = await session.scalar(
                    select(Outbox.id).where(Outbox.status == "pending").limit(1)
                )
            if pending is None:
                break
    finally:
        clock.terminate()
        clock.wait(timeout=20)
        await db.dispose()
        fake.stop()
        await cleanup()
    sends = fake.sent()
    times = sorted(c.at for c in sends)
    rate = (len(times) - 1) / (times[-1] - times[0])
    delivered = [c.params["chat_id"] for c in sends]
    return {
        "messages": messages,
        "injected_429": storm,
        "refused_429": sum(1 for c in fake.calls if c.status == 429),
        "delivered_per_s": round(rate, 2),
        "of_limit": f"{rate / LIMIT:.1%}",
        "lost": len(set(chats) - set(delivered)),
        "doubled": len(delivered) - len(set(delivered)),
        "limit_violations": len(fake.rate_violations()),
        "worst_second": fake.worst_second(),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=CONNECTIONS)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--broadcast", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    result = {
        "inbound": [await inbound(b, args) for b in backends],
        "outbound": [await outbound(args.broadcast, s) for s in (0.0, 0.05)],
    }
    if args.json:
        print(json.dumps(result))
        return
    for row in result["inbound"]:
        print(
            f"inbound {row['backend']:>10} ({row['workers']} web): {row['inbound_per_s']:,} msg/s "
            f"(bare DB {row['bare_tx_per_s']:,} tx/s; CPU steal {row['cpu_steal']}; saturated p50 {row['saturated_p50_ms']} ms, "
            f"p99 {row['saturated_p99_ms']} ms); at 80 % = {row['at_80pct_per_s']:,} msg/s: "
            f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms; at 80 % of the target = "
            f"{row['at_target_80pct_per_s']:,} msg/s: p50 {row['target_p50_ms']} ms, "
            f"p99 {row['target_p99_ms']} ms (disk's slowest flush {row['disk_slowest_flush_ms']} ms); "
            f"errors {row['errors']}"
        )
    for row in result["outbound"]:
        print(
            f"outbound {row['messages']} msgs, 429 injected {row['injected_429']:.0%} "
            f"({row['refused_429']} refused): {row['delivered_per_s']} msg/s = {row['of_limit']} "
            f"of {LIMIT}/s; lost {row['lost']}, doubled {row['doubled']}, "
            f"limit violations {row['limit_violations']}"
        )


if __name__ == "__main__":
    on_uvloop(main())
