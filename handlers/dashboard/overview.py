"""Ringkasan and Capaian SPM: the district (or one puskesmas) at a glance, from the same
queries as the daily digest, so the page and the digest never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.forms.spm import SPM
from conversations.forms.surveillance import RULES
from conversations.model import N_, Flow
from db import dashboard_queries as dq
from db import digest_queries as q
from db import wilayah
from db.report_queries import klb_reports_since
from handlers.core.calendar import district
from handlers.dashboard.scope import Viewer
from handlers.digest.build import year_pace
from handlers.digest.deaths import labels as death_labels
from handlers.reports.indicators import DAILY, short_name, spm_codes

ALERT_LABELS = {
    "klb": N_("Suspected outbreak (KLB)"),
    "death": N_("Death"),
    "ews": N_("Early warning (SKDR)"),
}
HEAT_DAYS = 14
HEAT_MAX = 60  # more puskesmas than this: the heat-map shows the least complete of them


@dataclass(frozen=True)
class HeatRow:
    puskesmas_id: int
    puskesmas: str
    # one per day of Heat.days: "filed", "missing", or "off" (not a working day of the puskesmas)
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Heat:
    klaster: str  # short name: K2, LK
    days: tuple[date, ...]
    rows: tuple[HeatRow, ...]
    filed_today: int  # puskesmas (all of them, shown or not) that filed the klaster today


@dataclass(frozen=True)
class Alert:
    at: datetime
    puskesmas: str
    desa: str | None
    disease: str | None  # KLB: the disease named; a death: its label; a rule: its name (msgids)
    cases: int | None
    kind: str = "klb"  # klb | death | ews


@dataclass(frozen=True)
class Waiting:
    reference: str
    desa: str
    since: datetime
    days: int


@dataclass(frozen=True)
class Ringkasan:
    day: date
    puskesmas: int
    heat: tuple[Heat, ...]
    alerts: tuple[Alert, ...]
    waiting: tuple[Waiting, ...]
    heat_rows: int = 0  # puskesmas in the heat-map: all of them, or the HEAT_MAX least complete


def _start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


async def ringkasan(
    session: AsyncSession, viewer: Viewer, day: date, now: datetime, zone: ZoneInfo
) -> Ringkasan:
    scope = viewer.puskesmas
    names = await q.puskesmas_names(session, scope)
    # the district's last 14 working days (a rawat-inap puskesmas's Sunday is not shown)
    days = tuple(district().last_working_days(day, HEAT_DAYS, False))
    first = days[0]
    daily = [k.key for k in DAILY]
    shown = names
    if len(names) > HEAT_MAX:  # a national scope: the least complete, counted in the database
        shown = await dq.least_complete(session, first, day, daily, scope, HEAT_MAX)
    slots = await q.filed_slots(session, first, day, daily, list(shown))
    filed = {(s.puskesmas_id, s.day, s.klaster) for s in slots}
    calendar, rawat_inap = district(), await wilayah.rawat_inap_ids(session, list(shown))

    def cell(p: int, d: date, klaster: str) -> str:
        if (p, d, klaster) in filed:
            return "filed"
        return "missing" if calendar.works(d, p in rawat_inap) else "off"

    today = await q.kelengkapan(session, day, _start(day + timedelta(days=1), zone), daily, scope)
    heat = tuple(
        Heat(
            short_name(k),
            days,
            tuple(
                HeatRow(p, name, tuple(cell(p, d, k.key) for d in days))
                for p, name in shown.items()
            ),
            today.get(k.key, (0, 0))[0],
        )
        for k in DAILY
    )
    found = await klb_reports_since(session, _start(day, zone))
    alerts = [
        Alert(k.received_at, k.puskesmas, k.desa, k.disease, k.cases)
        for k in found
        if k.puskesmas_id in names
    ]
    alerts += await _claimed_alerts(session, _start(day, zone), names)
    alerts.sort(key=lambda a: a.at)
    waiting = tuple(
        Waiting(ref, desa, at, (now - at).days)
        for ref, desa, at in await dq.waiting_requests(session, scope, None)
    )
    return Ringkasan(day, len(names), heat, tuple(alerts), waiting, len(shown))


async def _claimed_alerts(
    session: AsyncSession, since: datetime, names: dict[int, str]
) -> list[Alert]:
    """Deaths and early-warning rules alerted since `since`, from their claims (one per death
    counted: "death:<code>" for "<puskesmas>:<day>:<desa>:<reporter>:<n>"; one per rule and
    week: "ews:<rule>" for "<puskesmas>:<week>")."""
    deaths, rules = death_labels(), {r.key: r.name for r in RULES}
    counted: dict[tuple[str, str], Alert] = {}
    for job, period, at in await dq.alert_claims(session, since, ("death:", "ews:")):
        kind, _, key = job.partition(":")
        puskesmas_id = int(period.split(":", 1)[0])
        if puskesmas_id not in names:
            continue
        if kind == "ews" and key in rules:
            counted[(job, period)] = Alert(at, names[puskesmas_id], None, rules[key], None, "ews")
        elif kind == "death" and key in deaths:
            slot = (job, period.rsplit(":", 1)[0])
            n = counted[slot].cases + 1 if slot in counted else 1
            counted[slot] = Alert(at, names[puskesmas_id], None, deaths[key], n, "death")
    return list(counted.values())


@dataclass(frozen=True)
class Cell:
    served: int
    target: int | None

    @property
    def percent(self) -> float | None:
        return 100 * self.served / self.target if self.target else None


@dataclass(frozen=True)
class CapaianRow:
    puskesmas: str
    cells: tuple[Cell, ...]  # one per SPM service, in SPM order


@dataclass(frozen=True)
class Capaian:
    day: date
    pace: float  # where every service should be by `day`, in percent
    services: tuple[str, ...]  # msgids
    rows: tuple[CapaianRow, ...]
    total: CapaianRow
    # per service, the scope's cumulative percent at each month's end so far (empty: no sasaran)
    monthly: tuple[tuple[float, ...], ...] = ()


async def capaian(
    session: AsyncSession, flows: dict[str, Flow], viewer: Viewer, day: date
) -> Capaian:
    scope = viewer.puskesmas
    names = await q.puskesmas_names(session, scope)
    service_of = spm_codes(flows)
    served = await q.served_since_january(session, day, service_of, scope)
    targets = await q.sasaran(session, day.year, scope)
    per: dict[tuple[int, str], int] = {}
    for (p, code), n in served.items():
        per[(p, service_of[code])] = per.get((p, service_of[code]), 0) + n
    rows = tuple(
        CapaianRow(
            name,
            tuple(Cell(per.get((p, s.key), 0), targets.get((p, s.key))) for s in SPM),
        )
        for p, name in names.items()
    )
    total = CapaianRow(
        "",
        tuple(
            Cell(
                sum(per.get((p, s.key), 0) for p in names),
                sum(targets.get((p, s.key), 0) for p in names) or None,
            )
            for s in SPM
        ),
    )
    labels = tuple(s.label for s in SPM)
    monthly = await _monthly(session, service_of, total, day, scope)
    return Capaian(day, year_pace(day), labels, rows, total, monthly)


async def _monthly(
    session: AsyncSession, service_of: dict[str, str], total: CapaianRow, day: date, scope
) -> tuple[tuple[float, ...], ...]:
    """The year-to-date line of each service: cumulative persons ÷ sasaran at each month end."""
    months = await dq.monthly_totals(session, date(day.year, 1, 1), day, service_of, scope)
    by_month: dict[tuple[str, int], int] = {}
    for (month, code), n in months.items():
        key = (service_of[code], month)
        by_month[key] = by_month.get(key, 0) + n
    out = []
    for service, cell in zip(SPM, total.cells, strict=True):
        if not cell.target:
            out.append(())
            continue
        running, series = 0, []
        for month in range(1, day.month + 1):
            running += by_month.get((service.key, month), 0)
            series.append(100 * running / cell.target)
        out.append(tuple(series))
    return tuple(out)
