"""Steps the clock stories share: reports filed in bulk through the report repository (the
same store_report the chat uses), sasaran, dana desa requests, and reading the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from db.dana import DanaRequest
from db.database import Database
from db.models import Desa, Outbox, Puskesmas, User
from db.reports import NewReport, Sasaran, Slot, store_report
from handlers.core.outgoing import Outgoing
from handlers.core.settings import ClockSettings, RuntimeSettings

WIB = ZoneInfo("Asia/Jakarta")


def exports_in(folder: Path) -> RuntimeSettings:
    """Settings whose digest charts and exports go to `folder` (a test's tmp_path)."""
    return RuntimeSettings(clock=ClockSettings(export_dir=Path(folder)))


def export_to(runtime, folder: Path) -> None:
    """The runtime's digest charts and exports go to `folder` from now on."""
    clock = replace(runtime.settings.clock, export_dir=Path(folder))
    runtime.settings = replace(runtime.settings, clock=clock)


def wib(day: date, hour: int, minute: int = 0) -> datetime:
    """A local (WIB) moment as the aware UTC datetime the database keeps."""
    return datetime.combine(day, time(hour, minute), WIB).astimezone(UTC)


@dataclass
class Filed:
    puskesmas: str
    klaster: str
    day: date
    values: dict[str, int]
    at: datetime
    desa: str | None = None
    klb: bool = False


@dataclass
class Seeder:
    """Files reports as the repository stores them, and remembers what it filed."""

    db: Database
    ids: dict[str, int] = field(default_factory=dict)
    staff: dict[int, int] = field(default_factory=dict)
    filed: list[Filed] = field(default_factory=list)

    async def load(self) -> Seeder:
        async with self.db.transaction() as session:
            rows = (await session.execute(select(Puskesmas.id, Puskesmas.nama))).all()
        self.ids = {name: pid for pid, name in rows}
        return self

    @property
    def names(self) -> list[str]:
        return sorted(self.ids)

    async def _user(self, session, pid: int) -> int:
        if pid not in self.staff:
            user = User(
                name=f"Petugas {pid}",
                role="petugas",
                puskesmas_id=pid,
                created_at=wib(date(2026, 1, 1), 8),
            )
            session.add(user)
            await session.flush()
            self.staff[pid] = user.id
        return self.staff[pid]

    async def report(
        self,
        puskesmas: str,
        klaster: str,
        day: date,
        values: dict[str, int],
        at: datetime | None = None,
        desa: str | None = None,
        klb: bool = False,
        details: dict | None = None,
    ) -> Filed:
        at = at or wib(day, 10)
        end = day + timedelta(days=6) if klaster == "1" else day
        async with self.db.transaction() as session:
            desa_id = None
            if desa is not None:
                desa_id = (
                    (await session.execute(select(Desa.id).where(Desa.nama == desa)))
                    .scalars()
                    .first()
                )
            pid = self.ids[puskesmas]
            await store_report(
                session,
                NewReport(
                    slot=Slot(pid, klaster, day, end, desa_id),
                    values=values,
                    overridden=frozenset(),
                    details=details or {},
                    user_id=await self._user(session, pid),
                    channel="test",
                    sent_at=at,
                    received_at=at,
                    ref_day=at.astimezone(WIB).date(),
                    form_version=1,
                    klb=klb,
                ),
            )
        filed = Filed(puskesmas, klaster, day, values, at, desa, klb)
        self.filed.append(filed)
        return filed

    def current(self) -> list[Filed]:
        """The filed reports less those a later filing of the same slot replaced."""
        latest: dict[tuple, Filed] = {}
        for f in self.filed:
            latest[(f.puskesmas, f.klaster, f.day, f.desa)] = f
        return list(latest.values())

    def total(self, code: str, first: date, last: date | None = None) -> int:
        last = last or first
        return sum(f.values.get(code, 0) for f in self.current() if first <= f.day <= last)

    async def sasaran(self, targets: dict[tuple[str, str], int], year: int = 2026) -> None:
        async with self.db.transaction() as session:
            for (puskesmas, spm), target in targets.items():
                session.add(
                    Sasaran(
                        tahun=year,
                        puskesmas_id=self.ids[puskesmas],
                        spm=spm,
                        target=target,
                        updated_at=wib(date(year, 1, 2), 8),
                    )
                )


async def dana_request(
    db: Database, requester_id: int, desa: str, puskesmas_id: int | None, **kw
) -> int:
    """A request row as the dana desa flow leaves it (status, amounts and times given)."""
    async with db.transaction() as session:
        desa_id = (
            (await session.execute(select(Desa.id).where(Desa.nama == desa))).scalars().first()
        )
        number = kw.pop("number")
        created = kw.pop("created_at")
        request = DanaRequest(
            year=2026,
            number=number,
            desa_id=desa_id,
            puskesmas_id=puskesmas_id,
            requester_id=requester_id,
            kategori="stunting_pmt",
            uraian=kw.pop("uraian", "PMT balita"),
            sasaran=20,
            jumlah=kw.pop("jumlah", 2_500_000),
            bulan="2026-11",
            status=kw.pop("status", "diajukan"),
            created_at=created,
            submitted_at=kw.pop("submitted_at", created),
            updated_at=created,
            **kw,
        )
        session.add(request)
        await session.flush()
        return request.id


async def outbox(db: Database, kind: str | None = None) -> list[Outbox]:
    async with db.transaction() as session:
        stmt = select(Outbox).order_by(Outbox.id)
        if kind is not None:
            stmt = stmt.where(Outbox.kind == kind)
        return list((await session.execute(stmt)).scalars())


def message(row: Outbox) -> Outgoing:
    return Outgoing.from_json(row.payload)
