"""Replies before a broadcast on WhatsApp, within Meta's limits (issue 22).

    python bench/priority.py --channel whatsapp [--recipients 10000] [--people 50] [--every 3]

As bench/priority.py's Telegram bench, with its helpers: `ilpbot web` and `ilpbot clock` against
the fake Graph API, which here refuses what Meta refuses (fakes/graph_limits.py): over the
number's throughput in any sliding second 130429, over a recipient's pair rate (1 per 6 s, bursts
to 45) 131056. A broadcast of `--recipients` text messages is queued as bulk, to people who wrote
an hour ago (the 24-hour window is open, so the message itself goes, not a template); five of
them (the 50th, 100th, … 250th) are saturated for SATURATED_S, as if someone else on the number
had used up their pair rate. Then `--people` registered bidans each write every `--every` seconds through the signed
webhook. A reply's latency runs from the webhook's 200 to the first accepted /messages send to
that person.

Meta counts inbound messages in a number's throughput: the sender leaves them room
(whatsapp.client.sending_limit, told the inbound rate by the outbox worker). The rate (all
accepted sends, replies too, from the first to the broadcast's last: afterwards only replies are
left) is compared with that room: the processes' WHATSAPP_MESSAGES_PER_SECOND (Meta's default
80) less the webhook posts per second meanwhile. Targets: p99 ≤ 1 s, none unanswered, the
broadcast complete (none lost or doubled, the saturated recipients too, later), ≥ 95 % of the
room, no sliding second of sends over the client's 90 %, no 130429, and nobody else held up by the saturated ones (in the second after
each 131056 the others' sends never wait NOT_PAUSED_S; a pause of the number, as a 130429 makes,
would be 1 s). Sends and webhook posts together are reported, not a target: a surge of
inbound can pass Meta's 80 for the second before the sender hears of it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import priority
from bench import telegram as tg
from bench import whatsapp as wa
from bench.common import percentile, recent_writers, register_bidans
from bot.channels.whatsapp.client import sending_limit
from bot.config import Settings
from db.database import Database
from fakes.databases import fresh_database, queue_broadcast
from fakes.graph_api import FakeGraphApi, GraphCall, wa_envelope, wa_text
from fakes.graph_limits import PAIR_RATE, THROUGHPUT
from fakes.server import free_port, worst_window

FIRST_PERSON, FIRST_RECIPIENT = 6281230000000, 6281500000000
SATURATED = 5  # broadcast recipients someone else has been writing to
SATURATED_EVERY = 50  # the 50th, 100th, … recipient: reached in the first seconds of sending
SATURATED_S = 15.0  # from the processes' start: each is refused two or three times
NOT_PAUSED_S = 0.5  # the others' longest wait after a 131056: a pause of all would be 1 s


def per_second() -> float:
    """The number's throughput as the processes get it (the bench passes it on)."""
    default = Settings.model_fields["whatsapp_messages_per_second"].default
    return float(os.environ.get("WHATSAPP_MESSAGES_PER_SECOND", default))


def message(wa_id: str, n: int) -> bytes:
    text = priority.TEXTS[n % len(priority.TEXTS)]
    return json.dumps(wa_envelope([wa_text(wa_id, text, name="Bidan")])).encode()


async def replies_beside_broadcast(
    recipients: int, people: int, every: float, backend: str = "sqlite"
) -> dict:
    url, cleanup = await fresh_database(backend)
    bot_api, graph = tg.FakeBotApi().start(), FakeGraphApi().start()
    chats = [str(FIRST_PERSON + n) for n in range(people)]
    await register_bidans(url, "whatsapp", chats, phones=True)
    broadcast = [str(FIRST_RECIPIENT + n) for n in range(recipients)]
    await recent_writers(url, "whatsapp", broadcast, datetime.now(UTC) - timedelta(hours=1))
    db = Database(url)
    texts = [(chat, f"Pengingat laporan untuk {chat}") for chat in broadcast]
    await queue_broadcast(db, texts, channel="whatsapp")
    # reached in the first seconds, while still saturated: each is refused, and retried
    places = sorted({min(recipients - 1, SATURATED_EVERY * (i + 1)) for i in range(SATURATED)})
    saturated = [broadcast[i] for i in places]
    rate = per_second()
    graph.enforce(per_second=int(rate))
    port = free_port()
    env = wa.environment(
        url, bot_api.url, graph.base_url, PORT=str(port), WHATSAPP_MESSAGES_PER_SECOND=str(rate)
    )
    for wa_id in saturated:
        graph.saturate(wa_id, SATURATED_S)
    saturated_until = time.monotonic() + SATURATED_S
    try:
        async with priority.processes(env, port):
            conns = [await wa.WaConnection.open(port) for _ in chats]
            bodies = [functools.partial(message, chat) for chat in chats]
            posts = await priority.people_writing(db, conns, bodies, every)
            waits = await priority.queue_waits(db)
    finally:
        await db.dispose()
        bot_api.stop()
        graph.stop()
        await cleanup()
    sent = [c for c in graph.calls if c.status == 200 and "to" in c.body]
    by_person: dict[str, list[float]] = {chat: [] for chat in chats}
    for call in sent:
        if call.body["to"] in by_person:
            by_person[call.body["to"]].append(call.at)
    lat = [
        x
        for chat, p in zip(chats, posts, strict=True)
        for x in priority.latencies(by_person[chat], p)
    ]
    recipient = set(broadcast)
    delivered = [c.body["to"] for c in sent if c.body["to"] in recipient]
    # the rate while the broadcast drains: afterwards only the replies are left to send
    drained = max(c.at for c in sent if c.body["to"] in recipient)
    sent = [c for c in sent if c.at <= drained]
    limit = sending_limit(rate)
    inbound = sorted(answered for p in posts for _, answered in p)
    first = min(c.at for c in sent)
    arrived = sum(1 for at in inbound if first <= at <= drained)
    room = rate - arrived / (drained - first)  # what Meta leaves the sends, inbound counted
    row = {"backend": backend, "channel": "whatsapp", "recipients": recipients}
    row |= priority.figures(people, every, lat, [c.at for c in sent], room, broadcast, delivered)
    row["room_per_s"] = round(room, 1)
    row["limit_per_s"] = limit
    row["worst_second"] = graph.worst_second()
    row |= saturation(graph, sent, saturated, saturated_until)
    row["refused_130429"] = len(graph.refused(THROUGHPUT))
    row["violations"] = len(graph.rate_violations())
    sends = [c.at for c in graph.calls if "to" in c.body]
    row["meta_per_s"] = int(rate)
    together = sorted(sends + inbound)
    row["worst_second_with_inbound"] = worst_window(together, 1.0)
    row["seconds_over_meta"] = over_meta(together, int(rate))
    row["seconds"] = int(together[-1] - together[0]) + 1
    row["reply_queue_p99_s"] = round(percentile(waits, 99), 3)
    return row


def over_meta(times: list[float], per_second: int) -> int:
    """How many whole seconds of the run held more than Meta's throughput, sends and inbound
    together: a surge of inbound can pass it for the second before the sender hears of it."""
    start = times[0]
    seconds = Counter(int(at - start) for at in times)
    return sum(1 for n in seconds.values() if n > per_second)


def saturation(
    graph: FakeGraphApi, sent: list[GraphCall], saturated: list[str], until: float
) -> dict:
    """The 131056 answers, whether the saturated recipients got theirs once Meta let them, and
    the others' sends in the second after each refusal: their rate, and the longest wait
    between two of them (a pause of the whole number, as a 130429 makes, would be 1 s)."""
    refused = graph.refused(PAIR_RATE)
    mine = [c.at for c in refused if c.body["to"] in saturated]
    refused_to = {c.body["to"] for c in refused if c.body["to"] in saturated}
    first = {to: min((c.at for c in sent if c.body["to"] == to), default=None) for to in refused_to}
    late = [at - until for at in first.values() if at is not None]
    times = sorted(c.at for c in sent if c.body["to"] not in saturated)
    after = [[at, *(t for t in times if at < t <= at + 1.0), at + 1.0] for at in mine]
    gaps = [max(b - a for a, b in itertools.pairwise(window)) for window in after]
    span = times[-1] - times[0] if len(times) > 1 else 1.0
    return {
        "refused_131056": len(refused),
        "refused_131056_others": len(refused) - len(mine),
        "saturated": len(saturated),
        "saturated_refused": len(refused_to),  # reached while saturated: the bench's premise
        "saturated_delivered": len(late),
        "saturated_last_after_s": round(max(late), 2) if late else None,
        "others_per_s": round((len(times) - 1) / span, 2),
        "others_per_s_after_131056": round(statistics.fmean(len(w) - 2 for w in after), 1)
        if after
        else None,
        "others_longest_wait_after_131056_s": round(max(gaps), 3) if gaps else None,
    }


def met(row: dict) -> bool:
    wait = row["others_longest_wait_after_131056_s"]
    return bool(
        row["reply_p99_s"] <= priority.P99_TARGET_S
        and not row["unanswered"]
        and not row["lost"] + row["doubled"]
        and row["of_limit"] >= priority.SHARE_TARGET
        and row["worst_second"] <= row["limit_per_s"]
        and row["saturated_refused"] == row["saturated_delivered"] == row["saturated"]
        and not row["refused_130429"] + row["refused_131056_others"] + row["violations"]
        and wait is not None
        and wait < NOT_PAUSED_S
    )


def line(row: dict) -> str:
    return (
        f"{row['recipients']} broadcast + {row['people']} people every {row['every_s']} s on "
        f"WhatsApp: reply p50 {row['reply_p50_s']} s, p99 {row['reply_p99_s']} s "
        f"({row['unanswered']} unanswered of {row['replies']}); {row['sends_per_s']} msg/s "
        f"= {row['of_limit']:.1%} of the {row['room_per_s']}/s inbound leaves of "
        f"{row['meta_per_s']}; lost {row['lost']}, "
        f"doubled {row['doubled']}; busiest second {row['worst_second']}; 131056 answered "
        f"{row['refused_131056']} ({row['refused_131056_others']} to others), saturated "
        f"{row['saturated']}, refused {row['saturated_refused']}, delivered later "
        f"{row['saturated_delivered']} "
        f"(the last {row['saturated_last_after_s']} s after Meta let them); in the second after a "
        f"131056 the others' {row['others_per_s_after_131056']} vs {row['others_per_s']} msg/s, longest wait "
        f"{row['others_longest_wait_after_131056_s']} s; 130429 "
        f"{row['refused_130429']}; after-the-fact violations {row['violations']}; with inbound "
        f"the busiest second {row['worst_second_with_inbound']}, over Meta's {row['meta_per_s']} "
        f"in {row['seconds_over_meta']} of {row['seconds']} seconds; "
        f"met: {met(row)}"
    )
