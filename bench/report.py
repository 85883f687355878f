"""docs/performance.md, rendered from bench/results.json: `make bench` writes both.

    python bench/report.py [bench/results.json] [docs/performance.md]

The page is generated, never edited by hand: the figures come from the last run, the prose
saying what each bench measures lives here. Standard library only, so it renders anywhere.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PAGE = ROOT / "docs" / "performance.md"

INTRO = """\
`make bench` (bench/all.py) runs every bench below in one go, prints the
tables, writes `bench/results.json` (per figure: value, target, met, command; plus each bench's
raw result) and renders this page from it. `BENCH_DATABASE_URL=…` or `TEST_DATABASE_URL=…` adds
PostgreSQL, and with it the Telegram webhook served by 2 `ilpbot web` processes behind a balancer.
It takes about an hour on a 2-core machine, 40 minutes of it the replies beside a
10,000-message Telegram broadcast (`--priority-recipients 600` makes that 2 minutes); most other
benches run smaller than alone, and each row names the command that reproduces its figure.

How the benches measure (bench/common.py): they measure a database in service, not one just
made. Registered users already have their conversation row; tables are analyzed after the
warm-up; the disk is settled (ANALYZE, CHECKPOINT, `sync`) before measuring, so the writeback of
creating and seeding the database does not land in a measured run. Saturated rates are the
median of three runs. The load generator runs on uvloop and turns its own garbage collector off
while it measures, so its pauses are not counted as the app's latency."""

# (bench script, title, what it measures), in the order of the page.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "engine",
        "Engine and runtime",
        "The pure engine's steps per second (no I/O), and the runtime's full inbound path "
        "(dedupe → identify → lock + load → engine → save + outbox, one transaction per group) "
        "next to the rate of bare database transactions on the same database. A ratio above 1 "
        "is the group commit at work.",
    ),
    (
        "telegram",
        "Telegram",
        "Inbound: `ilpbot web` runs as real processes (each on its own port, the bench's "
        "connections spread over them in turn, as an nginx `upstream` does); registered users "
        "post updates over 40 keep-alive connections (what Telegram opens to a webhook, "
        "`TELEGRAM_WEBHOOK_MAX_CONNECTIONS`), one update in flight per chat: HTTP → runtime → "
        "database → 200. First the saturated rate, next to the bare transaction rate measured in "
        "the same run; then two open-loop runs whose latency counts from the scheduled send "
        "time: at 80 % of the target rate for 15 s, and at 80 % of the measured rate for 5 s "
        "(the margin above the target). Each row gives the CPU steal during the run "
        "(`/proc/stat`: on a shared machine the hypervisor sometimes takes a fifth of the CPU) "
        "and the disk's slowest flush: a probe fdatasyncs one block every 20 ms beside the run "
        "at the target rate. A COMMIT waits for its WAL flush, so a p99 above the target next to "
        "a slow flush is the disk's, not the app's.\n\n"
        "Outbound: the one sender delivers a broadcast to the fake Bot API, measured at the "
        "fake on delivered sends: clean, and with 5 % of sends answered 429.",
    ),
    (
        "priority",
        "Replies before broadcasts, never over the limit",
        "`ilpbot web` and `ilpbot clock` (the Procfile's processes) against the fake Bot API "
        "(30 msg/s overall, about 1 msg/s per chat): a broadcast is queued, then 50 registered "
        "bidans each write every 3 s. A reply's latency runs from the webhook's 200 to the "
        "first sendMessage to that chat the fake sees; the broadcast must complete, none lost "
        "or doubled, all sends together near 30 msg/s. The limiter is exact: a send starts only "
        "once the send 30 places before it was answered a second ago, so no sliding second at "
        "the platform holds more than 30 whatever the jitter; its cost is the round trip, "
        "larger on a busy machine (the load average is in the row). The clean outbound "
        "broadcast runs five times and the busiest sliding second of all of them is reported.\n\n"
        "WhatsApp: the same processes against the fake Graph API, which refuses what Meta "
        "refuses (fakes/graph_limits.py): a send over the number's throughput in a sliding "
        "second gets 130429, one over a person's pair rate (1 per 6 s, bursts to 45) 131056. "
        "The broadcast goes to people who wrote an hour ago (the message itself, not a "
        "template); five of them are saturated for 15 s, as if someone else on the number had "
        "written to them. Meta counts inbound messages in the throughput too, so the sender "
        "leaves them room: the rate is compared with what the webhook posts leave of "
        "`WHATSAPP_MESSAGES_PER_SECOND` (80 by default) over the time the broadcast drains, and "
        "the row gives the busiest second of sends and webhook posts together, and in how many "
        "seconds they passed 80. A 131056 must hold up that person only: the saturated ones are "
        "delivered later, and in the second after each refusal the others' sends never wait "
        "0.5 s (a pause of the number, as a 130429 makes, is 1 s).",
    ),
    (
        "whatsapp",
        "WhatsApp",
        "Meta-shaped payloads signed with `X-Hub-Signature-256` posted to the same `ilpbot web` "
        "process as Telegram updates, in alternating rounds (median of each, and the median of "
        "the per-round ratios, steadier on a busy machine): the signature check, the parsing, "
        "the dedupe by wamid and the 24-hour window hook are all in the figure.",
    ),
    (
        "all",
        "Memory",
        "The peak RSS (VmHWM from `/proc/<pid>/status`) of each web worker, read while the "
        "Telegram inbound runs.",
    ),
    (
        "refusals",
        "Refusals",
        "One `ilpbot web` app (both webhooks, in-process over ASGI): a petugas asks for dana "
        "desa, then N times each a forged and a stale button on both channels, another desa's "
        "kades pressing *Setujui*, a wrong Telegram secret and a bad WhatsApp signature. Each "
        "must be answered as designed (a 200 with a refusal message, or a 403), logged, and "
        "counted once in `ilpbot_refused_total{channel,why}`; nothing may be decided.",
    ),
    (
        "roster",
        "Roster import",
        "`ilpbot invite import` through its use case on a fresh SQLite database seeded with "
        "Rejang Lebong's places: a 5,000-person roster XLSX (a kepala puskesmas per puskesmas, "
        "a kepala desa per desa, bidan and kader), its rows read and matched, one named "
        "invitation per person written, the PDF invitation sheet (two QR codes a card, "
        "segno) and its XLSX made; then the same roster again, which must create nothing.",
    ),
    (
        "digest",
        "Digest at national size",
        "A national-size database (bench/national.py: 10,000 puskesmas, 30 days of reports, "
        "about 10 million values, running totals written as the report flow writes them). "
        "Timed: the digest's data and text for Rejang Lebong (21 puskesmas) and for every "
        "puskesmas at once, cold and the median of the next builds. The chart adds 0.1-0.6 s "
        "(matplotlib, drawn once per digest).",
    ),
)

LEFT_OUT = """\
## Not in `make bench`

Too long for one run; run them alone:

| bench | what it measures | target |
|---|---|---|
| `python bench/reports.py` | `/rekap` and the district month totals at national size (10,000 puskesmas × 90 days × 5 forms, 38M values), SQLite and PostgreSQL | `/rekap` ≤ 50 ms; month totals ≤ 500 ms |
| `python bench/digest.py` | the reminder broadcast to 10,000 users through the real sender to the fake Bot API (5.6 minutes at the limit; `--users N` shrinks it) | ≥ 95 % of 30 msg/s, none lost or doubled |
| `make faults` (bench/faults.py) | real `ilpbot web` / `run` / `clock` processes under duplicated deliveries, kill -9, Bot API 5xx and 429 storms, a PostgreSQL restart, one chat written at two workers; writes `bench/faults.json` (docs/architecture.md, Faults) | every check ok |
"""

MET = {"yes": "yes", "no": "**no**", None: "—"}
SCRIPT = re.compile(r"bench/(\w+)\.py")


def render(results: dict) -> str:
    """The whole page for one results.json."""
    rows = results.get("rows", [])
    parts = [_header(results), INTRO]
    for script, title, prose in SECTIONS:
        mine = [r for r in rows if _script(r) == script]
        if mine:
            parts += [f"## {title}", _wrap(prose), _table(mine)]
    known = {s for s, _, _ in SECTIONS}
    other = [r for r in rows if _script(r) not in known]
    if other:
        parts += ["## Skipped or failed", _table(other)]
    parts.append(LEFT_OUT)
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def write(results: Path = RESULTS, page: Path = PAGE) -> None:
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render(json.loads(results.read_text(encoding="utf-8"))), encoding="utf-8")


def _header(results: dict) -> str:
    machine = results.get("machine", {})
    when = results.get("when")
    day = datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M UTC") if when else "an unknown day"
    rows = results.get("rows", [])
    missed = sum(r.get("met") == "no" for r in rows)
    postgres = not any("no PostgreSQL" in r.get("value", "") for r in rows)
    return (
        "# Performance\n\n"
        "<!-- Generated by `make bench` (bench/all.py → bench/report.py) from bench/results.json."
        " Do not edit by hand. -->\n\n"
        f"Generated by `make bench` on a machine with {machine.get('cpus', '?')} CPUs "
        f"(Python {machine.get('python', '?')}), {day}, in {results.get('seconds', '?')} s; "
        f"{'SQLite and PostgreSQL' if postgres else 'SQLite only (no PostgreSQL configured)'}; "
        f"{missed} target{'' if missed == 1 else 's'} missed."
    )


def _script(row: dict) -> str | None:
    found = SCRIPT.search(row.get("command", ""))
    return found[1] if found else None


def _table(rows: list[dict]) -> str:
    lines = ["| figure | measured | target | met | command |", "|---|---|---|---|---|"]
    for r in rows:
        command = r.get("command", "—")
        command = f"`{command}`" if command != "—" else command
        cells = [r.get("figure", ""), r.get("value", ""), r.get("target", ""), MET[r.get("met")]]
        lines.append("| " + " | ".join(_cell(c) for c in [*cells, command]) + " |")
    return "\n".join(lines)


def _wrap(prose: str) -> str:
    return "\n\n".join(
        textwrap.fill(p, 100, break_long_words=False, break_on_hyphens=False)
        for p in prose.split("\n\n")
    )


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:3]]
    write(*args)
    print(f"written {args[1] if len(args) > 1 else PAGE}")
