"""Pure engine steps/s, and full inbound transactions/s next to the bare DB transaction rate.

    python bench/engine.py [--messages 3000] [--concurrency 8] [--json]

Targets (issue 2): engine ≥ 20,000 steps/s; full inbound ≥ 0.6 × bare transaction rate.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import update  # noqa: E402

from bench.common import summary, timed_concurrently  # noqa: E402
from conversations import engine  # noqa: E402
from conversations.model import N_, Choice, Flow, Inbound, Step, Text  # noqa: E402
from db import chats as chat_rows  # noqa: E402
from db import queries  # noqa: E402
from db.database import Database  # noqa: E402
from db.models import Conversation  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from handlers.app import build_runtime  # noqa: E402
from handlers.core.inbound import Command  # noqa: E402
from handlers.core.text import Texts, load_words  # noqa: E402
from handlers.core.turn import Incoming  # noqa: E402

WORDS = load_words()
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
# A report-like flow: the steps a bidan answers most (numbers, a choice, yes/no), built from
# msgids the catalogue already has so the runtime renders real Indonesian text.
SURVEY = Flow(
    name="bench_survey",
    title=N_("Menu"),
    review=False,
    steps=(
        Step("a", N_("What is your full name?"), "text", max_length=80),
        Step("b", N_("Please type your answer."), "integer", min=0, max=1000),
        Step("c", N_("Please type your answer."), "integer", min=0, max=1000),
        Step("d", N_("Which one do you mean?"), "choice", choices=(Choice("x", Text(N_("Yes"))),)),
        Step("e", N_("Please answer yes or no."), "yes_no"),
    ),
)
ANSWERS = ("Siti Aminah", "12", "3", "1", "ya")


def engine_steps_per_second(seconds: float = 2.0) -> float:
    steps, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        outcome = engine.start(SURVEY, {}, NOW, words=WORDS)
        for answer in ANSWERS:
            outcome = engine.resume(SURVEY, outcome.state, Inbound(text=answer), NOW, words=WORDS)
            steps += 1
    return steps / seconds


async def _start(turn, _arg: str) -> None:
    await turn.start_flow("bench_survey", {})


async def _noop_submit(turn, _flow, _answers) -> None:
    return None


async def full_inbound(
    url: str, messages: int, concurrency: int, **db_options: str
) -> tuple[float, list[float]]:
    db = Database(url, **db_options)
    runtime = build_runtime(db, Texts.load())
    runtime.flows["bench_survey"] = SURVEY
    runtime.add_command(Command("survei", N_("Menu"), ("*",), _start, in_menu=False))
    runtime.submit_handlers["bench_survey"] = _noop_submit
    ids = itertools.count()
    chats = [str(9000 + i) for i in range(concurrency)]

    def conversation(chat: str):
        async def job() -> None:
            for text in ("/survei", *ANSWERS):
                msg = Incoming("bench", chat, f"m{next(ids)}", NOW, Inbound(text=text))
                await runtime.handle(msg)

        return job

    rounds = max(1, messages // (len(ANSWERS) + 1) // concurrency)
    jobs = [conversation(chats[i % concurrency]) for i in range(rounds * concurrency)]
    wall, latencies = await timed_concurrently(jobs, concurrency)
    await db.dispose()
    per_message = [lat / (len(ANSWERS) + 1) for lat in latencies]
    return len(jobs) * (len(ANSWERS) + 1) / wall, per_message


async def bare_transactions(url: str, count: int, concurrency: int, **db_options: str) -> float:
    """What one inbound costs the database at least: inbox insert + conversation read-modify-write."""
    db = Database(url, **db_options)
    ids = itertools.count()

    def job(chat: str):
        async def run() -> None:
            async with db.transaction() as session:
                await queries.record_inbound(session, "bare", f"b{next(ids)}", NOW)
                conv = (await chat_rows.open_chat(session, "bare", chat, NOW)).conversation
                await session.execute(
                    update(Conversation).where(Conversation.id == conv.id).values(state={"n": 1})
                )

        return run

    jobs = [job(str(i % concurrency)) for i in range(count)]
    wall, _ = await timed_concurrently(jobs, concurrency)
    await db.dispose()
    return count / wall


async def measure(backend: str, messages: int, concurrency: int) -> dict:
    url, cleanup = await fresh_database(backend)
    try:
        bare = await bare_transactions(url, messages, concurrency)
        rate, latencies = await full_inbound(url, messages, concurrency)
    finally:
        await cleanup()
    return {
        "backend": backend,
        "bare_tx_per_s": round(bare, 1),
        "inbound_per_s": round(rate, 1),
        "ratio": round(rate / bare, 2),
        "latency": summary(latencies),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = {"engine_steps_per_s": round(engine_steps_per_second())}
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    result["inbound"] = [await measure(b, args.messages, args.concurrency) for b in backends]
    if args.json:
        print(json.dumps(result))
        return
    print(f"pure engine: {result['engine_steps_per_s']:,} steps/s (target ≥ 20,000)")
    for row in result["inbound"]:
        print(
            f"{row['backend']:>10}: full inbound {row['inbound_per_s']:,} msg/s, bare DB "
            f"{row['bare_tx_per_s']:,} tx/s, ratio {row['ratio']} (target ≥ 0.6); {row['latency']}"
        )


if __name__ == "__main__":
    asyncio.run(main())
