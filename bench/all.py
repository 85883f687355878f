"""`make bench`: every bench in one run, one table, and bench/results.json.

    python bench/all.py [--updates 2000] [--digest-puskesmas 10000] [--out bench/results.json]

Runs, through the other bench modules' own functions: the pure engine; the runtime's inbound
next to the bare DB transaction rate; the Telegram and WhatsApp webhooks (`ilpbot web` as a
real process) on SQLite and PostgreSQL, next to the bare rate measured in the same run; the
Telegram webhook with 2 web processes behind a balancer on PostgreSQL; the
sender against Telegram's 30 msg/s, clean and with injected 429s; replies before a broadcast on
Telegram and on WhatsApp (Meta's limits enforced, bench/priority.py); forged and stale buttons,
another desa's decision, a /staf button for another puskesmas, a wrong webhook secret and a bad
HMAC (bench/refusals.py: refused, logged, counted); a 5,000-person roster imported with its PDF
invitation sheet (bench/roster.py); digest build times at national size; the peak RSS (VmHWM) of the web workers
under the inbound load. PostgreSQL needs BENCH_DATABASE_URL or TEST_DATABASE_URL; without it
its rows say "skipped".

Sizes are cut to finish within 10 minutes on the 2-core machine (the digest's national load is
most of it). Left out: bench/reports.py (38M report values) and the 10,000-user reminder
broadcast of bench/digest.py (5.6 min at the limit); run those scripts alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As in bench/digest.py: run as a script, bench/ would come first on the path and
# bench/telegram.py would hide the python-telegram-bot package.
sys.path[:] = [str(ROOT), *(p for p in sys.path[1:] if Path(p or ".").resolve() != ROOT / "bench")]

from bench import dashboard, digest, engine, priority, roster, sqlite_sync  # noqa: E402
from bench import priority_whatsapp as priority_wa  # noqa: E402
from bench import telegram as tg  # noqa: E402
from bench import whatsapp as wa  # noqa: E402
from bench.common import on_uvloop  # noqa: E402
from bench.national import Shape  # noqa: E402
from bench.refusals import refusals  # noqa: E402
from bench.report import write as write_page  # noqa: E402
from fakes.databases import fresh_database, pg_available  # noqa: E402
from handlers.core.text import Texts  # noqa: E402

NAMES = {
    "sqlite": "SQLite",
    "postgresql": "PostgreSQL",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
}
BARE_RATIO = 0.6  # issue 2: inbound ≥ 0.6 × the bare DB transaction rate
WA_RATIO = 0.9  # issue 6: WhatsApp ≥ 0.9 × Telegram
SEND_SHARE = 0.95  # of Telegram's 30 msg/s
WORKERS = 2  # web processes for PostgreSQL: one per core of the 2-core machine


@dataclass
class Row:
    figure: str
    value: str
    target: str
    met: bool | None  # None: no target
    command: str


class Bench:
    """Collects the rows and each section's raw result; a failing section becomes a row."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.raw: dict[str, object] = {}
        self.failed = 0

    def add(self, figure: str, value: str, target: str, met: bool | None, command: str) -> None:
        self.rows.append(Row(figure, value, target, met, command))

    def fail(self, name: str, exc: BaseException) -> None:
        self.failed += 1
        traceback.print_exception(exc)
        self.add(name, f"failed: {type(exc).__name__}: {exc}", "—", False, "—")

    async def section(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            await run()
        except Exception as exc:
            self.fail(name, exc)
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


# --- peak RSS of the web workers -------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:  # gone meanwhile
        return []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def web_workers() -> list[int]:
    """This bench's `ilpbot web` processes, or with WEB_CONCURRENCY > 1 their uvicorn workers
    (not the supervisor, nor multiprocessing's resource tracker)."""
    workers = []
    for pid in _children(os.getpid()):
        if b"bot.cli\0web" in _cmdline(pid):
            spawned = [c for c in _children(pid) if b"spawn_main" in _cmdline(c)]
            workers += spawned or [pid]
    return workers


def vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextlib.asynccontextmanager
async def peak_rss(interval: float = 0.25) -> AsyncIterator[dict[int, int]]:
    """VmHWM (kB) per web worker, read while the bench runs: the kernel keeps the peak, so the
    last reading before the bench stops its servers is the worker's peak."""
    peaks: dict[int, int] = {}

    async def watch() -> None:
        while True:
            for pid in web_workers():
                peaks[pid] = max(peaks.get(pid, 0), vm_hwm_kb(pid))
            await asyncio.sleep(interval)

    task = asyncio.create_task(watch())
    try:
        yield peaks
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.contextmanager
def environ(**values: str):
    """`ilpbot web` inherits the bench's environment (bench/telegram.py environment())."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


# --- the sections --------------------------------------------------------------------------


async def engine_rows(bench: Bench, backends: list[str], messages: int) -> None:
    steps = engine.engine_steps_per_second(2.0)
    bench.raw["engine_steps_per_s"] = round(steps)
    cmd = "python bench/engine.py"
    bench.add("pure engine", f"{steps:,.0f} steps/s", "≥ 20,000", bool(steps >= 20_000), cmd)
    for backend in backends:
        row = await engine.measure(backend, messages, 8)
        bench.raw.setdefault("runtime_inbound", []).append(row)
        bench.add(
            f"runtime inbound vs bare DB transaction, {NAMES[backend]}",
            f"{row['inbound_per_s']:,.0f} msg/s vs {row['bare_tx_per_s']:,.0f} tx/s "
            f"(ratio {row['ratio']}); {row['latency']}",
            f"ratio ≥ {BARE_RATIO}",
            bool(row["ratio"] >= BARE_RATIO),
            f"{cmd} --messages {messages}",
        )


async def sqlite_sync_rows(bench: Bench, messages: int) -> None:
    """What synchronous=FULL (every answered 200 on disk) costs next to NORMAL, on this disk."""
    folder = Path(tempfile.mkdtemp(prefix="ilpbot-sync-", dir=ROOT))
    try:
        result = await sqlite_sync.measure(folder, 300, messages, 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    bench.raw["sqlite_sync"] = result
    normal, full = result["NORMAL"], result["FULL"]
    for key, what in (
        ("one_at_a_time_tx_per_s", "bare transactions one at a time"),
        ("inbound_8_chats_per_s", "runtime inbound, 8 chats at once"),
    ):
        share = full[key] / normal[key] if normal[key] else 0.0
        bench.add(
            f"SQLite FULL vs NORMAL, {what}",
            f"FULL {full[key]:,}/s vs NORMAL {normal[key]:,}/s ({share:.0%})",
            "—",
            None,
            "python bench/sqlite_sync.py",
        )


async def roster_rows(bench: Bench, rows: int) -> None:
    """Issue 20: a district's roster imported, the PDF invitation sheet included."""
    result = await roster.run(rows)
    bench.raw["roster"] = result
    target = roster.TARGET_SECONDS
    bench.add(
        f"roster import, {rows:,} people, PDF and XLSX included, SQLite",
        f"{result['seconds']:.1f} s (CPU {result['cpu_seconds']:.1f} s, "
        f"{result['pdf_bytes'] / 1e6:.1f} MB PDF); the same roster "
        f"again {result['second_seconds']:.1f} s, {result['second_created']} created",
        f"< {target:.0f} s, nothing created again",
        bool(result["seconds"] < target and result["second_created"] == 0),
        f"python bench/roster.py --rows {rows}",
    )


async def telegram_inbound(backend: str, updates: int, processes: int = 1) -> dict:
    """`processes` separate `ilpbot web` on their own ports, the bench's connections spread
    over them in turn (as an nginx upstream does)."""
    args = argparse.Namespace(updates=updates, connections=tg.CONNECTIONS, workers=processes)
    with environ(WEB_CONCURRENCY="1"):
        async with peak_rss() as peaks:
            row = await tg.inbound(backend, args)
    row["peak_rss_mb"] = [round(kb / 1024) for kb in peaks.values()]
    return row


def telegram_rows(bench: Bench, row: dict, updates: int) -> None:
    backend, workers = row["backend"], row["workers"]
    name = f"Telegram webhook inbound, {NAMES[backend]}"
    cmd = f"python bench/telegram.py --updates {updates}"
    ratio = row["inbound_per_s"] / row["bare_tx_per_s"]
    latency = (
        f"at 80 % of the target ({row['at_target_80pct_per_s']:,} msg/s): p50 "
        f"{row['target_p50_ms']} ms, p99 {row['target_p99_ms']} ms (disk's slowest flush "
        f"{row['disk_slowest_flush_ms']} ms); at 80 % of the measured "
        f"({row['at_80pct_per_s']:,} msg/s): p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms; "
        f"CPU steal {row['cpu_steal']}"
    )
    target_rate, target_p99 = tg.RATE_TARGET[backend], tg.P99_TARGET_MS
    rate_ok = row["inbound_per_s"] >= target_rate and row["target_p99_ms"] <= target_p99
    rate_target = f"≥ {target_rate:,} msg/s, p99 ≤ {target_p99} ms at 80 % of it"
    if workers > 1:
        one = next(
            (r for r in bench.raw["telegram_inbound"] if r is not row and r["backend"] == backend),
            None,
        )
        scale = f"; {row['inbound_per_s'] / one['inbound_per_s']:.2f} × 1 worker" if one else ""
        bench.add(
            f"{name}, {workers} web processes behind a balancer",
            f"{row['inbound_per_s']:,} msg/s (ratio {ratio:.2f} to bare {row['bare_tx_per_s']:,} "
            f"tx/s{scale}); {latency}; errors {row['errors']}",
            rate_target,
            bool(rate_ok and not row["errors"]),
            f"{cmd} --workers {workers}",
        )
        return
    bench.add(
        f"{name} vs bare DB transaction (1 web process)",
        f"{row['inbound_per_s']:,} msg/s vs {row['bare_tx_per_s']:,} tx/s (ratio {ratio:.2f})",
        f"ratio ≥ {BARE_RATIO}",
        bool(ratio >= BARE_RATIO),
        cmd,
    )
    bench.add(
        f"{name}: rate and latency (1 web process)",
        f"{row['inbound_per_s']:,} msg/s; {latency}; errors {row['errors']}",
        rate_target,
        bool(rate_ok and not row["errors"]),
        cmd,
    )


def whatsapp_rows(bench: Bench, row: dict, bare: float | None, updates: int, rounds: int) -> None:
    t, w = row["telegram"], row["whatsapp"]
    versus = f"; ratio {w['msg_per_s'] / bare:.2f} to bare {bare:,.0f} tx/s" if bare else ""
    bench.add(
        f"WhatsApp webhook inbound vs Telegram's, same process, {NAMES[row['backend']]}",
        f"{w['msg_per_s']:,} vs {t['msg_per_s']:,} msg/s: {row['ratio']:.2f} (paired rounds "
        f"{row['paired_ratio']:.2f}); saturated p50 {w['p50_ms']} ms, p99 {w['p99_ms']} ms"
        f"{versus}; errors {t['errors'] + w['errors']}",
        f"≥ {WA_RATIO} × Telegram",
        bool(row["paired_ratio"] >= WA_RATIO and not t["errors"] + w["errors"]),
        f"python bench/whatsapp.py --updates {updates} --rounds {rounds}",
    )


async def outbound_rows(bench: Bench, messages: int) -> None:
    for storm in (0.0, 0.05):
        row = await tg.outbound(messages, storm)
        bench.raw.setdefault("telegram_outbound", []).append(row)
        clean = not (row["lost"] or row["doubled"] or row["limit_violations"])
        share = row["delivered_per_s"] / tg.LIMIT
        facts = f"lost {row['lost']}, doubled {row['doubled']}, over the limit {row['limit_violations']}"
        if storm:
            figure = f"Telegram outbound, {storm:.0%} of sends answered 429 (retry after 1 s)"
            value = (
                f"{row['delivered_per_s']} msg/s ({row['of_limit']} of 30/s), "
                f"{row['refused_429']} refused; {facts}"
            )
            target, met = "none lost or doubled, never over 30/s", clean
        else:
            figure = "Telegram outbound to the fake Bot API"
            value = f"{row['delivered_per_s']} msg/s ({row['of_limit']} of 30/s); {facts}"
            target, met = f"≥ {SEND_SHARE:.0%} of 30/s, none lost", clean and share >= SEND_SHARE
        bench.add(
            figure, value, target, bool(met), f"python bench/telegram.py --broadcast {messages}"
        )


async def priority_rows(bench: Bench, recipients: int, messages: int) -> None:
    row = await priority.replies_beside_broadcast(recipients, 50, 3.0)
    row["load_average"] = round(os.getloadavg()[0], 1)
    bench.raw["priority"] = row
    bench.add(
        f"Telegram replies while a {recipients:,}-message broadcast drains (50 people, 1 msg/3 s)",
        f"reply p50 {row['reply_p50_s']} s, p99 {row['reply_p99_s']} s "
        f"({row['unanswered']} of {row['replies']} unanswered); {row['sends_per_s']} msg/s = "
        f"{row['of_limit']:.0%} of 30/s; lost {row['lost']}, doubled {row['doubled']}; "
        f"load average {row['load_average']}",
        "p99 ≤ 1 s, broadcast complete, ≥ 95 % of 30/s",
        priority.met(row),
        f"python bench/priority.py --recipients {recipients} --runs 0",
    )
    exact = await priority.worst_of_runs(messages, priority.RUNS)
    bench.raw["exactness"] = exact
    bench.add(
        f"Telegram outbound × {exact['runs']}: the busiest sliding second at the fake",
        f"{exact['worst_second']} sends ({exact['over']} over 30); slowest run "
        f"{exact['slowest_per_s']} msg/s; lost {exact['lost']}, doubled {exact['doubled']}",
        "≤ 30 in every sliding second of every run",
        exact["worst_second"] <= tg.LIMIT and not exact["lost"] + exact["doubled"],
        f"python bench/priority.py --broadcast {messages} --runs {exact['runs']}",
    )


async def priority_whatsapp_rows(bench: Bench, recipients: int) -> None:
    row = await priority_wa.replies_beside_broadcast(recipients, 50, 3.0)
    row["load_average"] = round(os.getloadavg()[0], 1)
    bench.raw["priority_whatsapp"] = row
    limit = row["limit_per_s"]
    bench.add(
        f"WhatsApp replies while a {recipients:,}-message broadcast drains (50 people, "
        f"1 msg/3 s; Meta's limits enforced, {row['saturated']} recipients saturated)",
        f"reply p50 {row['reply_p50_s']} s, p99 {row['reply_p99_s']} s "
        f"({row['unanswered']} of {row['replies']} unanswered); {row['sends_per_s']} msg/s = "
        f"{row['of_limit']:.0%} of the {row['room_per_s']}/s inbound leaves of "
        f"{row['meta_per_s']}/s, busiest second "
        f"{row['worst_second']}; lost {row['lost']}, doubled {row['doubled']}; 131056 × "
        f"{row['refused_131056']} ({row['refused_131056_others']} to others); of the "
        f"{row['saturated']} saturated {row['saturated_refused']} refused, "
        f"{row['saturated_delivered']} delivered later (the last "
        f"{row['saturated_last_after_s']} s after Meta let them), the others' longest wait after "
        f"a 131056 {row['others_longest_wait_after_131056_s']} s; 130429 × "
        f"{row['refused_130429']}, after-the-fact violations {row['violations']}; sends and "
        f"inbound together: busiest second {row['worst_second_with_inbound']}, over "
        f"{row['meta_per_s']} in {row['seconds_over_meta']} of {row['seconds']} seconds; load "
        f"average {row['load_average']}",
        f"p99 ≤ 1 s, broadcast complete (the saturated later), ≥ 95 % of what inbound leaves, "
        f"sends never over {limit}/s, a 131056 holds up no one else",
        priority_wa.met(row),
        f"python bench/priority.py --channel whatsapp --recipients {recipients} --runs 0",
    )


async def digest_rows(bench: Bench, backends: list[str], puskesmas: int, repeat: int) -> None:
    shape = Shape(puskesmas=puskesmas, days=30, end=digest.END)
    fresh = [await fresh_database(b) for b in backends]
    fresh = [(url, digest.removing(url, cleanup)) for url, cleanup in fresh]
    rows = []
    try:  # both loads at once, as bench/digest.py; the timings alone afterwards
        loaded = await asyncio.gather(
            *(digest.load(b, url, shape) for b, (url, _) in zip(backends, fresh, strict=True)),
            return_exceptions=True,
        )
        texts = Texts.load("Asia/Jakarta")
        for backend, info, (url, _) in zip(backends, loaded, fresh, strict=True):
            try:  # one backend failing (PostgreSQL restarted under us) keeps the other's row
                if isinstance(info, BaseException):
                    raise info
                row = info | await digest.digest_times(url, repeat, texts)
                row["ringkasan_all_ms"] = await dashboard.ringkasan_all_ms(url, texts, repeat)
                rows.append(row)
            except Exception as exc:
                bench.fail(f"digest, {NAMES[backend]}", exc)
    finally:
        for _, cleanup in fresh:
            try:
                await cleanup()
            except Exception as exc:
                print(f"digest: could not drop a bench database: {exc}", file=sys.stderr)
    bench.raw["digest"] = rows
    full = puskesmas >= 10_000
    for row in rows:
        rl, every = row["rejang_lebong"], row["all"]
        bench.add(
            f"digest build, Rejang Lebong / all {row['puskesmas']:,} puskesmas, "
            f"{NAMES[row['backend']]}",
            f"{rl['median_ms']} / {every['median_ms']:,} ms (cold {rl['cold_ms']} / "
            f"{every['cold_ms']:,} ms; {row['values']:,} values)",
            "≤ 100 ms / ≤ 2 s" + ("" if full else " (at 10,000)"),
            bool(rl["median_ms"] <= 100 and (every["median_ms"] <= 2000 or not full)),
            f"python bench/digest.py --puskesmas {puskesmas} --repeat {repeat} --users 0",
        )

    for row in rows:
        ms = row["ringkasan_all_ms"]
        bench.add(
            f"dashboard Ringkasan data, all {row['puskesmas']:,} puskesmas, "
            f"{NAMES[row['backend']]}",
            f"{ms:,} ms (median of {repeat})",
            f"≤ {dashboard.RINGKASAN_ALL_MS:,} ms" + ("" if full else " (at 10,000)"),
            bool(ms <= dashboard.RINGKASAN_ALL_MS or not full),
            "python bench/all.py (digest section)",
        )


async def dashboard_rows(bench: Bench, backends: list[str], repeat: int) -> None:
    texts = Texts.load("Asia/Jakarta")
    rows = [await dashboard.rejang_lebong_year(b, texts, repeat) for b in backends]
    bench.raw["dashboard"] = rows
    for row in rows:
        pages = row["p95_ms"]
        bench.add(
            f"dashboard pages p95, Rejang Lebong with a year ({row['reports']:,} reports), "
            f"{NAMES[row['backend']]}",
            ", ".join(f"{page} {ms} ms" for page, ms in pages.items()),
            f"each ≤ {dashboard.PAGE_P95_MS} ms",
            all(ms <= dashboard.PAGE_P95_MS for ms in pages.values()),
            f"python bench/dashboard.py --repeat {repeat}",
        )


def rss_row(bench: Bench) -> None:
    parts = [
        f"{NAMES[r['backend']]}, {_processes(r['workers'])}: {max(r['peak_rss_mb'])} MB"
        for r in bench.raw.get("telegram_inbound", [])
        if r["peak_rss_mb"]
    ]
    bench.add(
        "peak RSS of a web worker after the Telegram inbound run (VmHWM, /proc/<pid>/status)",
        "; ".join(parts) or "not measured",
        "—",
        None,
        "python bench/all.py",
    )


def _processes(count: int) -> str:
    return "1 web process" if count == 1 else f"largest of {count} web processes"


class RefusalLog(logging.Handler):
    """Counts the "refused <why> …" warnings per (channel, why): refused *and logged*."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[tuple[str, str]] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if not (isinstance(record.msg, str) and record.msg.startswith("refused ") and record.args):
            return
        args = [str(a) for a in record.args]
        channel = next((a for a in args[1:] if a in ("telegram", "whatsapp")), "?")
        self.counts[(channel, args[0])] += 1


REFUSAL_NAMES = {
    "forged": "forged button data",
    "stale": "stale button",
    "other_desa": "another desa's dana decision",
    "out_of_scope": "a /staf button for another puskesmas's kader",
    "bad_secret": "wrong webhook secret",
    "bad_signature": "bad HMAC signature",
}


async def refusal_rows(bench: Bench, backends: list[str], n: int) -> None:
    results, logged = [], {}
    for backend in backends:
        handler = RefusalLog()
        logging.getLogger().addHandler(handler)  # also keeps the warnings off the terminal
        try:
            results.append(await refusals(backend, n))
        finally:
            logging.getLogger().removeHandler(handler)
        logged[backend] = handler.counts
    bench.raw["refusals"] = results
    kinds = [(r["channel"], r["why"]) for r in results[0]["rows"]]
    for kind in kinds:
        parts, met = [], True
        for result in results:
            row = next(r for r in result["rows"] if (r["channel"], r["why"]) == kind)
            logs = logged[result["backend"]][kind]
            row["logged"] = logs
            met = met and row["counted"] == row["sent"] == logs
            answers = ", ".join(f"{code}×{count}" for code, count in row["status"].items())
            parts.append(
                f"{NAMES[result['backend']]}: {row['counted']} counted, {logs} logged "
                f"(answered {answers})"
            )
        channel, why = kind
        bench.add(
            f"refused: {REFUSAL_NAMES.get(why, why)}, {NAMES[channel]} ({n} sent)",
            "; ".join(parts),
            "every one refused, logged and counted",
            met,
            f"python bench/refusals.py --n {n}",
        )


# --- the table -----------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    mark = {True: "yes", False: "**no**", None: "—"}
    lines = ["| figure | measured | target | met | command |", "|---|---|---|---|---|"]
    for r in rows:
        command = f"`{r.command}`" if r.command != "—" else r.command
        lines.append(f"| {r.figure} | {r.value} | {r.target} | {mark[r.met]} | {command} |")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> Bench:
    bench = Bench()
    pg = await pg_available()
    backends = ["sqlite", *(["postgresql"] if pg else [])]
    bench.raw["telegram_inbound"] = []
    await bench.section("engine", lambda: engine_rows(bench, backends, args.messages))
    await bench.section("sqlite durability", lambda: sqlite_sync_rows(bench, args.messages))
    bare: dict[str, float] = {}
    for backend in backends:

        async def telegram(backend: str = backend) -> None:
            row = await telegram_inbound(backend, args.updates)
            bench.raw["telegram_inbound"].append(row)
            bare[backend] = row["bare_tx_per_s"]
            telegram_rows(bench, row, args.updates)

        async def whatsapp(backend: str = backend) -> None:
            ns = argparse.Namespace(updates=args.wa_updates, connections=16, rounds=args.rounds)
            row = await wa.compare(backend, ns)
            bench.raw.setdefault("whatsapp", []).append(row)
            whatsapp_rows(bench, row, bare.get(backend), args.wa_updates, args.rounds)

        await bench.section(f"telegram inbound {backend}", telegram)
        await bench.section(f"whatsapp inbound {backend}", whatsapp)
    if pg:

        async def workers() -> None:
            row = await telegram_inbound("postgresql", args.updates, WORKERS)
            bench.raw["telegram_inbound"].append(row)
            telegram_rows(bench, row, args.updates)

        await bench.section(f"telegram inbound postgresql × {WORKERS} processes", workers)
    else:
        for what in ("Telegram/WhatsApp webhooks", f"{WORKERS} web processes"):
            bench.add(
                f"{what}, PostgreSQL", "skipped: no PostgreSQL (BENCH_DATABASE_URL)", "—", None, "—"
            )
    rss_row(bench)
    await bench.section("telegram outbound", lambda: outbound_rows(bench, args.broadcast))
    await bench.section(
        "priority", lambda: priority_rows(bench, args.priority_recipients, args.broadcast)
    )
    await bench.section(
        "priority whatsapp", lambda: priority_whatsapp_rows(bench, args.priority_wa_recipients)
    )
    await bench.section("refusals", lambda: refusal_rows(bench, backends, args.refusals))
    await bench.section("roster", lambda: roster_rows(bench, args.roster))
    await bench.section(
        "digest",
        lambda: digest_rows(bench, backends, args.digest_puskesmas, args.repeat),
    )
    await bench.section("dashboard", lambda: dashboard_rows(bench, backends, 20))
    return bench


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1500, help="runtime inbound (engine.py)")
    parser.add_argument("--updates", type=int, default=2000, help="Telegram webhook posts")
    parser.add_argument("--wa-updates", type=int, default=1500, help="per WhatsApp round")
    parser.add_argument("--rounds", type=int, default=2, help="WhatsApp/Telegram rounds")
    parser.add_argument("--broadcast", type=int, default=300, help="outbound messages")
    parser.add_argument(  # the 10,000: about 6 minutes at 30 msg/s
        "--priority-recipients", type=int, default=10_000, help="broadcast beside the replies"
    )
    parser.add_argument(  # about 2.5 minutes at 72 msg/s
        "--priority-wa-recipients",
        type=int,
        default=10_000,
        help="WhatsApp broadcast beside the replies",
    )
    parser.add_argument("--refusals", type=int, default=50, help="refusals of each kind")
    parser.add_argument("--roster", type=int, default=5000, help="people in the roster import")
    parser.add_argument("--digest-puskesmas", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="digest builds after the cold one")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    started = time.perf_counter()
    bench = await run(args)
    seconds = round(time.perf_counter() - started)
    print(table(bench.rows))
    print(f"\nmake bench: {seconds} s; {sum(r.met is False for r in bench.rows)} targets missed")
    args.out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": seconds,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "rows": [asdict(r) | {"met": _met(r.met)} for r in bench.rows],
                "raw": bench.raw,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"written {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    write_page(args.out)  # docs/performance.md, never edited by hand
    return 1 if bench.failed else 0


def _met(met: bool | None) -> str | None:
    return None if met is None else ("yes" if met else "no")


if __name__ == "__main__":
    sys.exit(on_uvloop(main()))
