"""Exports of the reports: one sheet per klaster (a row per puskesmas × day, or × week for the
weekly form, indicator columns with their labels), a dana desa sheet and an SPM capaian sheet.
`/ekspor` in chat (Dinkes: any puskesmas or all; kepala puskesmas: their own) sends the XLSX;
`ilpbot export` writes XLSX, CSV or DHIS2 JSON (handlers/exports/files.py)."""

from __future__ import annotations

import asyncio
import calendar
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM
from conversations.model import N_, Flow, Text
from db import digest_queries as dq
from db import export_queries as eq
from db.models import User
from handlers.core import media
from handlers.core.inbound import Command, Runtime
from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts
from handlers.core.turn import Turn
from handlers.dana.budget import ROUTE_NAMES
from handlers.dana.common import KATEGORI_LABELS, STATUS_LABELS
from handlers.exports import files as export_files
from handlers.exports.pws import pws_sheet
from handlers.exports.sheets import Request, Sheet
from handlers.people import roles
from handlers.people.roles import Can, Place, roles_that
from handlers.reports import completeness
from handlers.reports.indicators import catalog, running_counts, short_name, spm_codes

ROLES = roles_that(Can.EXPORT)
ALL = "semua"
KIND = "export"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def sheets(
    session: AsyncSession, texts: Texts, flows: dict[str, Flow], req: Request, locale: str = "id"
) -> list[Sheet]:
    names = await dq.puskesmas_names(session, req.scope)
    running = running_counts(flows)
    values = await eq.report_values(session, monday(req.first), req.last, req.scope, running)
    counts = await eq.report_counts(session, monday(req.first), req.last, req.scope)
    klasters = list(dict.fromkeys(i.klaster for i in catalog(flows).values()))
    days = [req.first + timedelta(days=n) for n in range((req.last - req.first).days + 1)]
    filed = await completeness.reported(session, days, klasters, req.scope)
    out = [
        _klaster_sheet(texts, locale, flows, spec, names, values, counts, filed, req)
        for spec in klasters
    ]
    out.append(await _dana_sheet(session, texts, locale, req))
    out.append(await _spm_sheet(session, texts, locale, flows, names, values, req))
    if (pws := await pws_sheet(session, texts, locale, flows, req)) is not None:
        out.append(pws)  # only once Dinkes has sasaran per desa
    return out


def _days(spec: Any, req: Request) -> list[date]:
    if spec.weekly:
        first = monday(req.first)
        return [first + timedelta(days=7 * n) for n in range((req.last - first).days // 7 + 1)]
    return [req.first + timedelta(days=n) for n in range((req.last - req.first).days + 1)]


def _klaster_sheet(texts, locale, flows, spec, names, values, counts, complete, req) -> Sheet:
    """The last column says whether the puskesmas reported the klaster for the period, as
    handlers/reports/completeness.py defines it (the same answer as /status and the digest)."""
    codes = [i for i in catalog(flows).values() if i.klaster.key == spec.key]
    t = texts
    header = (
        t(N_("Puskesmas"), locale),
        t(N_("Week from") if spec.weekly else N_("Date"), locale),
        t(N_("Reports"), locale),
        *(f"{i.code} – {t.render(Text(i.label), locale)}" for i in codes),
        t(N_("Reported (in the building or nihil)"), locale),
    )
    words = {True: t(N_("yes"), locale), False: t(N_("not yet"), locale)}
    rows, sums, reported = [], [0] * (len(codes) + 1), 0
    for pid, name in names.items():
        for day in _days(spec, req):
            filed = counts.get((pid, day, spec.key), 0)
            cells = [values.get((pid, day, i.code)) if filed else None for i in codes]
            done = complete.has(pid, spec, day)
            reported += done
            rows.append((name, day, filed, *cells, words[done]))
            for n, v in enumerate([filed, *cells]):
                sums[n] += v or 0
    # a running count (outbreak cases so far) added over days would count a case many times
    sums = [s if n == 0 or codes[n - 1].summable else None for n, s in enumerate(sums)]
    total = (t(N_("Total"), locale), None, *sums, reported)
    return Sheet(t.render(Text(spec.sheet or spec.name), locale), header, rows, total)


def _utc(texts: Texts, day: date) -> datetime:
    return datetime.combine(day, time(0), texts.timezone).astimezone(UTC)


def span(texts: Texts, req: Request) -> tuple[datetime, datetime]:
    """The export's days as a [start, end) of UTC times."""
    return _utc(texts, req.first), _utc(texts, req.last + timedelta(days=1))


async def _dana_sheet(session, texts: Texts, locale: str, req: Request) -> Sheet:
    t = texts
    found = await eq.dana_requests(session, *span(t, req), req.scope)
    header = tuple(
        t(m, locale)
        for m in (
            N_("Reference"), N_("Desa"), N_("Puskesmas"), N_("Category"), N_("Activity"),
            N_("Amount requested"), N_("Status"), N_("Amount approved"), N_("Submitted"),
            N_("Decided"), N_("Budget route"), N_("Tahun anggaran"), N_("APBDes kegiatan"),
            N_("Dana realised"), N_("SPJ reference"), N_("Realisasi date"), N_("People served"),
            N_("RAB photo"), N_("Receipt photo"),
        )
    )  # fmt: skip
    files = {f for row in found for f in (row.request.rab_foto, row.request.realisasi_foto) if f}
    kept = await media.by_file_ids(session, files)

    def evidence(file_id: str | None) -> str | None:
        item = kept.get(file_id or "")
        if item is None:
            return None
        if item.status == "stored":
            return media.link(item, req.public_url)
        return t(N_("still being fetched") if item.status == "pending" else N_("not kept"), locale)

    rows = []
    for row in found:
        r = row.request
        rows.append(
            (
                r.reference,
                row.desa,
                row.puskesmas or "",
                t.render(KATEGORI_LABELS.get(r.kategori, Text.raw(r.kategori)), locale),
                r.uraian,
                r.jumlah,
                t(STATUS_LABELS[r.status], locale),
                r.jumlah_disetujui,
                _local(t, r.created_at),
                _local(t, r.decided_at) if r.decided_at else None,
                t(ROUTE_NAMES[r.rute], locale) if r.rute else None,
                r.tahun_anggaran,
                r.kegiatan_apbdes,
                r.realisasi_jumlah,
                r.realisasi_spj,
                r.realisasi_tanggal,
                r.hasil_terlayani,
                evidence(r.rab_foto),
                evidence(r.realisasi_foto),
            )
        )
    total = (t(N_("Total"), locale), None, None, None, None, sum(r[5] for r in rows), None,
             sum(r[7] or 0 for r in rows), None, None, None, None, None,
             sum(r[13] or 0 for r in rows), None, None, None, None, None)  # fmt: skip
    return Sheet(t(N_("Dana desa"), locale), header, rows, total)


def _local(texts: Texts, moment: datetime) -> datetime:
    return moment.astimezone(texts.timezone).replace(tzinfo=None)  # Excel has no zones


async def _spm_sheet(session, texts, locale, flows, names, values, req: Request) -> Sheet:
    """A row per puskesmas and each of the 12 services, in the order of the table: the people
    counted in the period and since January, the sasaran, capaian, where the figure comes from
    and what the Dinkes must still confirm about it."""
    codes = spm_codes(flows)
    since = await dq.served_since_january(session, req.last, codes, req.scope)
    targets = await dq.sasaran(session, req.last.year, req.scope)
    t = texts
    header = (
        t(N_("Puskesmas"), locale),
        t(N_("SPM service"), locale),
        t(N_("Served in the period"), locale),
        t(N_("Served since January"), locale),
        t(N_("Sasaran {year}"), locale, year=str(req.last.year)),
        t(N_("Capaian %"), locale),
        t(N_("Counted from"), locale),
        t(N_("To be confirmed by the Dinkes"), locale),
    )
    in_period: dict[tuple[int, str], int] = {}
    for (p, d, c), v in values.items():
        if c in codes and d >= req.first:
            in_period[(p, codes[c])] = in_period.get((p, codes[c]), 0) + v
    rows = []
    for pid, name in names.items():
        for service in SPM:
            year = sum(since.get((pid, c), 0) for c in service.numerator)
            target = targets.get((pid, service.key))
            share = round(100 * year / target, 1) if target else None
            label = t.render(Text(service.label), locale)
            source = _numerator_source(flows, service.numerator)
            note = t(service.confirm, locale) if service.confirm else None
            period = in_period.get((pid, service.key), 0)
            rows.append((name, label, period, year, target, share, source, note))
    return Sheet(t(N_("SPM capaian"), locale), header, rows)


def _numerator_source(flows: dict[str, Flow], numerator: tuple[str, ...]) -> str:
    """ "HTSPM (K3)": the codes and the report form they are asked in."""
    found = catalog(flows)
    return ", ".join(f"{code} ({short_name(found[code].klaster)})" for code in numerator)


# --- /ekspor -------------------------------------------------------------------------------


def period_of(choice: str, today: date, answers: dict[str, Any]) -> tuple[date, date]:
    if choice == "bulan_ini":
        return today.replace(day=1), today
    if choice == "bulan_lalu":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last.replace(day=calendar.monthrange(last.year, last.month)[1])
    if choice == "minggu_lalu":
        start = monday(today) - timedelta(days=7)
        return start, start + timedelta(days=6)
    first, last = date.fromisoformat(answers["dari"]), date.fromisoformat(answers["sampai"])
    return min(first, last), max(first, last)


def own_puskesmas_only(user: User) -> bool:
    return roles.place(user.role) is Place.PUSKESMAS


async def ekspor_command(turn: Turn, _arg: str) -> None:
    own = own_puskesmas_only(turn.user)
    if own and turn.user.puskesmas_id is None:
        turn.say("Your account is not linked to a puskesmas. Please contact the Dinas Kesehatan.")
        return
    names = await dq.puskesmas_names(turn.session, None)
    choices = [[ALL, turn.t("All puskesmas")], *([str(p), n] for p, n in names.items())]
    await turn.start_flow("ekspor", {"own_puskesmas": own, "choices": {"puskesmas": choices}})


async def on_ekspor(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    user, texts = turn.user, turn.runtime.texts
    first, last = period_of(answers["periode"], texts.today(turn.now), answers)
    if own_puskesmas_only(user):
        scope = [user.puskesmas_id]
    else:
        scope = None if answers.get("puskesmas", ALL) == ALL else [int(answers["puskesmas"])]
    text = turn.t(
        "Export {first} – {last}: one sheet per cluster, dana desa and SPM capaian.",
        first=first.strftime("%d/%m/%Y"),
        last=last.strftime("%d/%m/%Y"),
    )
    recipe = {
        "kind": KIND,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "scope": scope,
        "locale": turn.locale,
    }
    turn.out.append(Outgoing(turn.msg.channel, turn.msg.chat_id, text, build=recipe))


async def make_xlsx(runtime: Runtime, recipe: dict[str, Any]) -> Path:
    """The XLSX of an /ekspor reply, made by the process that sends it (Runtime.finish): the
    turn only said what to make, so its transaction is short and the file is on this disk."""
    first, last = date.fromisoformat(recipe["first"]), date.fromisoformat(recipe["last"])
    req = Request(first, last, recipe["scope"], runtime.settings.public_url)
    async with runtime.db.snapshot() as session:
        book = await sheets(session, runtime.texts, runtime.flows, req, recipe["locale"])
    folder = runtime.settings.clock.export_dir
    # openpyxl takes a while on a district month: in a thread, the event loop goes on meanwhile
    return await asyncio.to_thread(
        export_files.write_xlsx, book, folder / export_files.file_name(req, "xlsx")
    )


def install(runtime: Runtime) -> None:
    runtime.submit_handlers["ekspor"] = on_ekspor
    runtime.file_builders[KIND] = make_xlsx
    runtime.add_command(Command("ekspor", N_("Export reports (Excel)"), ROLES, ekspor_command))
