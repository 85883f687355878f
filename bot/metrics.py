"""Prometheus collectors: one set per process, exposed by `ilpbot web` at /metrics.

The web app counts inbound work; the sender (in `ilpbot run` / `ilpbot clock`) counts sends and
serves them itself when METRICS_PORT is set. The outbox depth is read from the database at scrape
time, so every process reports the same shared queue. Several uvicorn workers on one port
(WEB_CONCURRENCY) share their counts through PROMETHEUS_MULTIPROC_DIR, which `ilpbot web` sets
for them, so a scrape that reaches any worker sees all of them.
"""

from __future__ import annotations

import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from db.database import Database
from handlers.core import probes
from handlers.core.inbound import Runtime
from handlers.core.turn import Incoming

UPDATES = Counter("ilpbot_updates", "Platform updates received", ["channel"])
DUPLICATES = Counter("ilpbot_duplicate_updates", "Updates seen before (redeliveries)", ["channel"])
ERRORS = Counter("ilpbot_update_errors", "Updates that failed and will be retried", ["channel"])
FAILED = Counter(
    "ilpbot_failed_messages",
    "Messages whose turn raised: answered with an apology and skipped (handlers.core.poison)",
    ["channel"],
)
HANDLE_SECONDS = Histogram(
    "ilpbot_update_seconds",
    "Handling one update, commit included",
    ["channel"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
# Each worker reads the same table when scraped: across workers the latest reading is the one.
OUTBOX_DEPTH = Gauge(
    "ilpbot_outbox_pending",
    "Outbox rows waiting to be sent",
    ["channel"],
    multiprocess_mode="mostrecent",
)
SENDS = Counter("ilpbot_sends", "Platform send calls by result", ["channel", "result"])
SEND_SECONDS = Histogram(
    "ilpbot_send_seconds",
    "One platform send call (limiter wait excluded)",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
# why: forged, stale (buttons), other_desa, not_kades, not_requester (dana desa buttons),
# bad_secret (Telegram webhook), bad_signature (WhatsApp webhook), bad_token (a /metrics scrape),
# late (a message older than one already applied in its chat: handlers/core/order.py).
REFUSED = Counter("ilpbot_refused", "Requests and button presses refused", ["channel", "why"])

log = logging.getLogger(__name__)


def _count_duplicate(msg: Incoming) -> None:
    DUPLICATES.labels(msg.channel).inc()


def _count_failed(msg: Incoming) -> None:
    FAILED.labels(msg.channel).inc()


def _count_refused(msg: Incoming, why: str) -> None:
    REFUSED.labels(msg.channel, why).inc()


def refused(channel: str, why: str, peer: tuple[str, int] | None = None) -> None:
    """A webhook request refused at the door: logged and counted, nothing else is touched."""
    log.warning("refused %s %s webhook request from %s", why, channel, peer[0] if peer else "?")
    REFUSED.labels(channel, why).inc()


def install(runtime: Runtime) -> None:
    """Counts the runtime's duplicates, failures and refusals; safe to call more than once."""
    if _count_duplicate not in runtime.on_duplicate:
        runtime.on_duplicate.append(_count_duplicate)
    if _count_failed not in runtime.on_failed:
        runtime.on_failed.append(_count_failed)
    if _count_refused not in runtime.on_refused:
        runtime.on_refused.append(_count_refused)


async def refresh_outbox_depth(db: Database) -> None:
    depth = await probes.outbox_depth(db)
    # a drained channel reports 0, not its last depth
    for channel in _depth_channels | depth.keys():
        _depth_channels.add(channel)
        OUTBOX_DEPTH.labels(channel).set(depth.get(channel, 0))


_depth_channels: set[str] = set()


MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def exposition() -> tuple[bytes, str]:
    if not os.environ.get(MULTIPROC_DIR):
        return generate_latest(), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # every worker's files in the shared directory
    return generate_latest(registry), CONTENT_TYPE_LATEST
