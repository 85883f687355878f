"""The dana desa budget rules the bot applies, held as data because each rests on our reading
of regulation (Permendagri 20/2018, Permendes 21/2020) that Dinas PMD has yet to confirm: users
read them marked "perlu konfirmasi Dinas PMD" and docs/dana-desa-rules.md lists them."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from conversations.model import N_, Text
from db.dana import DanaRequest
from handlers.core.text import Texts

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


# The route as a phrase after "funded …" / "didanai …", with the tahun anggaran.
ROUTE_LABELS = {
    "apbdes": N_("from the APBDes {tahun}"),
    "perubahan": N_("through the perubahan APBDes {tahun}"),
    "btt": N_("as belanja tidak terduga (KLB/emergency) {tahun}"),
    "rkp": N_("proposed to the musdes / RKP Desa {tahun}"),
    "tidak_tercatat": N_("route not recorded"),
}
# The route alone, for a column or a count.
ROUTE_NAMES = {
    "apbdes": N_("APBDes"),
    "perubahan": N_("perubahan APBDes"),
    "btt": N_("belanja tidak terduga"),
    "rkp": N_("RKP Desa"),
    "tidak_tercatat": N_("not recorded"),
}


def route(texts: Texts, locale: str, request: DanaRequest) -> str | None:
    """The decision's budget route with its year ("dari APBDes 2026"), once there is one."""
    if request.rute is None:
        return None
    year = Text.raw(str(request.tahun_anggaran or ""))
    return texts(ROUTE_LABELS[request.rute], locale, tahun=year).strip()


def year_notes(texts: Texts, locale: str, request: DanaRequest, today: date) -> list[str]:
    """What both sides read about the tahun anggaran: an activity in another year belongs to
    that year's APBDes; after September, the next RKP Desa is the honest route."""
    year = Text.raw(str(request.year))
    notes = []
    if request.year != today.year:
        msgid = N_(
            "The activity falls in {tahun}: it belongs to the APBDes {tahun} (perlu konfirmasi "
            "Dinas PMD), so it is numbered in {tahun}."
        )
        notes.append(texts(msgid, locale, tahun=year))
    if suggest_rkp(today, request.year):
        msgid = N_(
            "The RKP Desa is set by the end of September: if it is not in the APBDes {tahun} yet, "
            "it can be proposed to the musdes for the RKP Desa {next}."
        )
        notes.append(texts(msgid, locale, tahun=year, next=Text.raw(str(request.year + 1))))
    return notes
