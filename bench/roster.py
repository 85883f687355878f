"""A district's roster imported at once: `ilpbot invite import` on N people, PDF included.

    python bench/roster.py [--rows 5000] [--json]

A fresh SQLite database (migrated, seeded with Rejang Lebong's places), a roster XLSX of N
people (kader of the desa each puskesmas serves, bidan, a kepala puskesmas per puskesmas, a
kepala desa per desa), imported through the same use case the command line runs
(handlers/people/operator.py): the rows read and matched, the invitations written, the PDF
invitation sheet (two QR codes a card) and its XLSX. Then the same roster once more, which must
create nothing. Target: the first import under 30 s (issue 20).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.database import Database  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Desa, Puskesmas, PuskesmasDesa  # noqa: E402
from db.seed import seed  # noqa: E402
from handlers.core.settings import RuntimeSettings  # noqa: E402
from handlers.core.text import Texts  # noqa: E402
from handlers.people import operator  # noqa: E402

TARGET_SECONDS = 30.0
SETTINGS = replace(
    RuntimeSettings(),
    invite_secret="bench-roster-secret-0123456789",
    telegram_bot_username="ilp_rejanglebong_bot",
    whatsapp_number="6281234567890",
)
HEADER = ("No", "Nama", "Peran", "Puskesmas", "Desa/Posyandu", "Telepon")


async def places(db: Database) -> list[tuple[str, str, str]]:
    """(puskesmas, desa, jenis) of each desa a puskesmas serves."""
    async with db.transaction() as session:
        stmt = (
            select(Puskesmas.nama, Desa.nama, Desa.jenis)
            .join(PuskesmasDesa, PuskesmasDesa.puskesmas_id == Puskesmas.id)
            .join(Desa, Desa.id == PuskesmasDesa.desa_id)
            .order_by(Puskesmas.nama, Desa.nama)
        )
        return [tuple(row) for row in (await session.execute(stmt)).all()]


def roster(path: Path, served: list[tuple[str, str, str]], rows: int) -> Path:
    """Made-up names (person number N): kepala puskesmas and kepala desa once, then bidan and
    kader in turn over the desa until N rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Roster")
    sheet.append(HEADER)
    people: list[tuple[str, str, str]] = []
    for pkm in sorted({p for p, _, _ in served}):
        people.append(("Kepala Puskesmas", pkm, ""))
    for pkm, desa, jenis in served:
        if jenis == "desa":
            people.append(("Kepala Desa", pkm, desa))
    n = 0
    while len(people) < rows:
        pkm, desa, _ = served[n % len(served)]
        people.append(("Bidan", pkm, "") if n % 4 == 0 else ("Kader", pkm, desa))
        n += 1
    for number, (role, pkm, desa) in enumerate(people[:rows], start=1):
        phone = f"0812{number:08d}"
        sheet.append((number, f"Peserta Nomor {number}", role, pkm, desa, phone))
    book.save(path)
    return path


def cpu_seconds() -> float:
    """This process's CPU time and its QR workers': on a shared machine the wall clock also
    counts the time others had the cores."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return sum(r.ru_utime + r.ru_stime for r in (own, children))


async def measure(folder: Path, rows: int) -> dict[str, float | int]:
    url = f"sqlite+aiosqlite:///{folder / 'roster.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    try:
        async with db.transaction() as session:
            await seed(session)
        path = roster(folder / "roster.xlsx", await places(db), rows)
        texts = Texts.load()
        now = datetime.now(UTC)
        started, cpu = time.perf_counter(), cpu_seconds()
        first = await operator.import_roster(db, now, path, folder, SETTINGS, texts)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        started = time.perf_counter()
        second = await operator.import_roster(db, now, path, folder, SETTINGS, texts)
        again = time.perf_counter() - started
    finally:
        await db.dispose()
    if first.report.errors:
        raise RuntimeError(f"roster rows refused: {first.report.errors[:3]}")
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "created": first.report.counts["created"],
        "pdf_bytes": first.pdf.stat().st_size if first.pdf else 0,
        "second_seconds": round(again, 2),
        "second_created": second.report.counts["created"],
    }


async def run(rows: int) -> dict[str, float | int]:
    folder = Path(tempfile.mkdtemp(prefix="ilpbot-roster-"))
    try:
        return await measure(folder, rows)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.rows))
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"roster of {result['rows']:,} rows: {result['seconds']:.1f} s "
        f"(target < {TARGET_SECONDS:.0f} s; CPU {result['cpu_seconds']:.1f} s), "
        f"{result['created']:,} invitations, "
        f"PDF {result['pdf_bytes'] / 1e6:.1f} MB; the same roster again: "
        f"{result['second_seconds']:.1f} s, {result['second_created']} created"
    )


if __name__ == "__main__":
    main()
