"""The fault suite at full size: every scenario of fakes/faults.py, in one table.

    python bench/faults.py [--small] [--only NAME] [--json]      (`make faults`)

The table goes to stdout and bench/faults.json; the exit status is 1 when a scenario fails its
check. SQLite always; PostgreSQL too when TEST_DATABASE_URL (or BENCH_DATABASE_URL) answers.
tests/test_faults.py runs the same scenarios small.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fakes.databases import fresh_database, pg_available  # noqa: E402
from fakes.faults import FULL, SMALL  # noqa: E402
from handlers.people.invites import DEV_SECRET  # noqa: E402

# The `ilpbot` processes need an INVITE_SECRET once a channel is configured (bench/common.py too).
os.environ.setdefault("INVITE_SECRET", DEV_SECRET)


async def run_suite(small: bool, only: str | None) -> list[dict[str, Any]]:
    backends = ["sqlite", *(["postgresql"] if await pg_available() else [])]
    results = []
    for name, (scenario, sizes, on) in FULL.items():
        if only and only.lower() not in name.lower():
            continue
        for backend in on:
            if backend not in backends:
                why = "PostgreSQL not reachable (set TEST_DATABASE_URL)"
                results.append({"scenario": name, "backend": backend, "skipped": why, "ok": True})
                continue
            url, cleanup = await fresh_database(backend)
            try:
                figures = await scenario(url, **(SMALL[name] if small else sizes))
            finally:
                await cleanup()
            results.append({"scenario": name, "backend": backend, **figures})
            print(f"{name} ({backend}): {'ok' if figures['ok'] else 'FAILED'}", file=sys.stderr)
    return results


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| scenario | backend | figures | check |", "|---|---|---|---|"]
    for row in results:
        shown = {
            k: v for k, v in row.items() if k not in ("scenario", "backend", "ok", "log", "skipped")
        }
        figures = row.get("skipped") and f"skipped: {row['skipped']}"
        figures = figures or ", ".join(f"{k} {v}" for k, v in shown.items())
        check = "skipped" if row.get("skipped") else ("ok" if row["ok"] else "**FAILED**")
        lines.append(f"| {row['scenario']} | {row['backend']} | {figures} | {check} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="the sizes of tests/test_faults.py")
    parser.add_argument("--only", help="scenarios whose name contains this")
    parser.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    args = parser.parse_args()
    # The fake Bot API logs every request a killed bot left half-sent: noise here.
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    results = asyncio.run(run_suite(args.small, args.only))
    if not args.small and not args.only:
        (ROOT / "bench" / "faults.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, default=str) if args.json else table(results))
    failed = [r for r in results if not r["ok"]]
    for row in failed:
        print(f"\nFAILED {row['scenario']} ({row['backend']}):\n{row.get('log', '')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
