"""WhatsApp inbound throughput next to Telegram's, in the same run and the same `ilpbot web`.

    python bench/whatsapp.py [--updates 3000] [--connections 16] [--rounds 3] [--json]

One `ilpbot web` process serves both webhooks against one database; 1,000 registered people on
each channel write over keep-alive HTTP/1.1 connections, one message in flight per chat. A
WhatsApp POST is a Meta-shaped payload signed with X-Hub-Signature-256, so the signature check,
the payload parsing, the dedupe by wamid and the window hook are all in the figure. Rounds
alternate Telegram and WhatsApp; the median of each is reported, and the median of the
per-round ratios (steadier on a busy machine). Target (issue 6): WhatsApp ≥ 0.9 × Telegram.
The Telegram side reuses bench/telegram.py's connection, updates and setup.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import telegram as tg  # noqa: E402
from bench.common import (  # noqa: E402
    on_uvloop,
    percentile,
    posting_lanes,
    register_bidans,
    settle,
)
from fakes.databases import fresh_database, pg_available  # noqa: E402
from fakes.graph_api import FakeGraphApi, sign, wa_envelope, wa_text  # noqa: E402
from fakes.server import free_port  # noqa: E402

APP_SECRET, VERIFY = "bench-app-secret", "bench-verify-token"
FIRST_WA = 6281200000000


class WaConnection(tg.Connection):
    async def post(self, body: bytes) -> int:
        head = (
            "POST /whatsapp/webhook HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: {sign(body, APP_SECRET)}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(h.split(b":")[1])
                for h in headers.split(b"\r\n")
                if h.lower().startswith(b"content-length:")
            ),
            0,
        )
        if length:
            await self.reader.readexactly(length)
        return int(headers[9:12])


class WaUpdates:
    """Meta-shaped text messages; each connection owns its chats, as with Telegram."""

    def __init__(self, connections: int) -> None:
        self.turn = itertools.count()
        self.connections = connections

    def next_for(self, lane: int) -> bytes:
        n = next(self.turn)
        wa_id = str(FIRST_WA + lane + self.connections * (n % (tg.CHATS // self.connections)))
        message = wa_text(wa_id, tg.TEXTS[n % len(tg.TEXTS)], name="Bidan")
        return json.dumps(wa_envelope([message])).encode()


async def closed_loop(port: int, connections: int, total: int, opener, updates) -> tuple:
    """Every connection busy: the most the app does. Returns (msg/s, latencies, errors)."""
    conns = [await opener(port) for _ in range(connections)]
    return await posting_lanes(conns, total, updates)


def environment(url: str, bot_api_url: str, graph_url: str, **extra: str) -> dict[str, str]:
    """An `ilpbot` process's environment with both channels, WhatsApp on the fake Graph API."""
    return tg.environment(
        url,
        bot_api_url,
        WHATSAPP_ACCESS_TOKEN="test-token",
        WHATSAPP_PHONE_NUMBER_ID="1234567890",
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY,
        WHATSAPP_API_URL=graph_url,
        **extra,
    )


async def register_whatsapp(url: str) -> None:
    wa_ids = [str(FIRST_WA + n) for n in range(tg.CHATS)]
    await register_bidans(url, "whatsapp", wa_ids, phones=True)


async def compare(backend: str, args: argparse.Namespace) -> dict:
    url, cleanup = await fresh_database(backend)
    bot_api, graph = tg.FakeBotApi().start(), FakeGraphApi().start()
    server: subprocess.Popen | None = None
    try:
        await tg.register_chats(url)
        await register_whatsapp(url)
        port = free_port()
        env = environment(url, bot_api.url, graph.base_url, PORT=str(port))
        server = tg.ilpbot("web", env)
        await tg.healthy(port)
        channels = {
            "telegram": (tg.Connection.open, tg.Updates(args.connections)),
            "whatsapp": (WaConnection.open, WaUpdates(args.connections)),
        }
        for opener, updates in channels.values():  # warm up both
            await closed_loop(port, args.connections, 300, opener, updates)
        await settle(url)
        runs: dict[str, list[tuple]] = {name: [] for name in channels}
        for _ in range(args.rounds):
            for name, (opener, updates) in channels.items():
                runs[name].append(
                    await closed_loop(port, args.connections, args.updates, opener, updates)
                )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        bot_api.stop()
        graph.stop()
        await cleanup()
    row: dict = {"backend": backend, "rounds": args.rounds, "updates": args.updates}
    for name, results in runs.items():
        rates = [r[0] for r in results]
        latencies = [lat for r in results for lat in r[1]]
        row[name] = {
            "msg_per_s": round(statistics.median(rates)),
            "rounds_msg_per_s": [round(r) for r in rates],
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "errors": sum(r[2] for r in results),
        }
    row["ratio"] = round(row["whatsapp"]["msg_per_s"] / row["telegram"]["msg_per_s"], 3)
    # Each WhatsApp round runs right after its Telegram round: the median of those pairs'
    # ratios is steadier than the ratio of medians when the machine's load drifts.
    pairs = zip(runs["whatsapp"], runs["telegram"], strict=True)
    row["paired_ratio"] = round(statistics.median(w[0] / t[0] for w, t in pairs), 3)
    return row


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    rows = [await compare(b, args) for b in backends]
    if args.json:
        print(json.dumps(rows))
        return
    for row in rows:
        t, w = row["telegram"], row["whatsapp"]
        print(
            f"inbound {row['backend']:>10}: telegram {t['msg_per_s']:,} msg/s "
            f"(p50 {t['p50_ms']} ms, p99 {t['p99_ms']} ms), whatsapp {w['msg_per_s']:,} msg/s "
            f"(p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms, signature checked); "
            f"whatsapp/telegram = {row['ratio']:.2f}, paired rounds {row['paired_ratio']:.2f} "
            "(target ≥ 0.90); "
            f"errors {t['errors']}/{w['errors']}; rounds tg {t['rounds_msg_per_s']} "
            f"wa {w['rounds_msg_per_s']}"
        )


if __name__ == "__main__":
    on_uvloop(main())
