"""The dana desa budget rules the bot applies, held as data because each rests on our reading
of regulation (Permendagri 20/2018, Permendes 21/2020) that Dinas PMD has yet to confirm: users
read them marked "perlu konfirmasi Dinas PMD" and docs/dana-desa-rules.md lists them."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from pathlib import Path

KEGIATAN_FILE = Path(__file__).resolve().parents[2] / "db" / "data" / "apbdes_kesehatan.csv"
# RKP Desa of the next year is set by Perdes by the end of September (Permendes 21/2020 ps. 22):
# a request made later, for this year, is told that the next RKP Desa is its honest route.
RKP_LAST_MONTH = 9
# How long before the planned month a realisasi may be dated without a warning.
REALISASI_WINDOW_DAYS = 31


@cache
def kegiatan() -> tuple[tuple[str, str], ...]:
    """(kode, nama) of the APBDes health kegiatan (Sub Bidang 2.2 Kesehatan, 2.4)."""
    with open(KEGIATAN_FILE, encoding="utf-8", newline="") as fp:
        return tuple((row["kode"], row["nama"]) for row in csv.DictReader(fp))


def kegiatan_name(kode: str | None) -> str | None:
    return dict(kegiatan()).get(kode) if kode else None


def fiscal_year(bulan: str) -> int:
    """The tahun anggaran of an activity month "YYYY-MM": its APBDes is that year's."""
    return int(bulan[:4])


def suggest_rkp(today: date, year: int) -> bool:
    """After September, an activity of this year not yet budgeted belongs to the next RKP Desa."""
    return year == today.year and today.month > RKP_LAST_MONTH


def before_window(day: date, bulan: str) -> bool:
    """A realisasi dated more than the window before the planned month (a soft warning)."""
    first = date(int(bulan[:4]), int(bulan[5:7]), 1)
    return day < first - timedelta(days=REALISASI_WINDOW_DAYS)
