"""What SQLite's synchronous=FULL costs next to NORMAL (db/sqlite_inline.py runs FULL).

    python bench/sqlite_sync.py [--transactions 1000] [--messages 2400] [--rounds 3] [--json]

Two loads on one machine's disk, each under NORMAL then FULL, on a fresh database each time:
one bare inbound transaction at a time (every commit waits for its own sync: the worst case),
and the full inbound path with 8 chats at once (bench/engine.py's; the group commit shares one
sync among the messages that arrived together). The database is made in the current folder's
disk, not in /tmp (a tmpfs would make every sync free). The levels alternate for `--rounds`
rounds and the median of each is reported: a shared machine's disk varies from minute to minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import on_uvloop  # noqa: E402
from bench.engine import bare_transactions, full_inbound  # noqa: E402
from db.database import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.seed import seed  # noqa: E402

LEVELS = ("NORMAL", "FULL")


async def _fresh(folder: Path, name: str) -> str:
    url = f"sqlite+aiosqlite:///{folder / name}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    async with db.transaction() as session:
        await seed(session)
    await db.dispose()
    return url


async def measure(
    folder: Path, transactions: int, messages: int, rounds: int
) -> dict[str, dict[str, float]]:
    runs: dict[str, list[tuple[float, float]]] = {level: [] for level in LEVELS}
    for n in range(rounds):
        for level in LEVELS:
            one = await _fresh(folder, f"one-{level}-{n}.db")
            grouped = await _fresh(folder, f"grouped-{level}-{n}.db")
            options = {"sqlite_synchronous": level}
            alone = await bare_transactions(one, transactions, 1, **options)
            inbound, _ = await full_inbound(grouped, messages, 8, **options)
            runs[level].append((alone, inbound))
    return {
        level: {
            "one_at_a_time_tx_per_s": round(statistics.median(a for a, _ in got)),
            "inbound_8_chats_per_s": round(statistics.median(i for _, i in got)),
        }
        for level, got in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=2400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ilpbot-sync-", dir="."))
    try:
        result = on_uvloop(measure(folder, args.transactions, args.messages, args.rounds))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(result))
        return
    normal, full = result["NORMAL"], result["FULL"]
    for key, what in (
        ("one_at_a_time_tx_per_s", "bare transactions, one at a time"),
        ("inbound_8_chats_per_s", "full inbound, 8 chats at once (group commit)"),
    ):
        share = full[key] / normal[key] if normal[key] else 0.0
        print(f"{what}: NORMAL {normal[key]:,}/s, FULL {full[key]:,}/s ({share:.0%} of NORMAL)")


if __name__ == "__main__":
    main()
