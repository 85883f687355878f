"""Each page's data for a viewer, read in a snapshot of its own (the web layer runs no SQL).
A page outside the viewer's scope answers None, as if it did not exist."""

from __future__ import annotations

from datetime import date, datetime

from conversations.forms.spm import SPM, SpmService
from db import dashboard_queries as dq
from db.digest_queries import puskesmas_names
from handlers.core.inbound import Runtime
from handlers.dana.common import STATUS_LABELS
from handlers.dashboard import dana, overview, places
from handlers.dashboard.scope import Viewer

SERVICES = SPM
STATUSES = STATUS_LABELS


async def ringkasan(runtime: Runtime, viewer: Viewer, now: datetime) -> overview.Ringkasan:
    texts = runtime.texts
    async with runtime.db.snapshot() as session:
        return await overview.ringkasan(session, viewer, texts.today(now), now, texts.timezone)


async def capaian(runtime: Runtime, viewer: Viewer, now: datetime) -> overview.Capaian:
    async with runtime.db.snapshot() as session:
        return await overview.capaian(session, runtime.flows, viewer, runtime.texts.today(now))


async def pws(
    runtime: Runtime, viewer: Viewer, service: SpmService, month: date, puskesmas: int | None
) -> places.Pws:
    """Every desa of the viewer's scope, or of one puskesmas in it."""
    scope = viewer.puskesmas if puskesmas is None else (puskesmas,)
    async with runtime.db.snapshot() as session:
        return await places.pws(session, scope, service, month)


async def puskesmas(
    runtime: Runtime, viewer: Viewer, puskesmas_id: int, now: datetime
) -> places.PuskesmasPage | None:
    if not viewer.sees_puskesmas(puskesmas_id):
        return None
    async with runtime.db.snapshot() as session:
        return await places.puskesmas_page(
            session, runtime.flows, puskesmas_id, runtime.texts.today(now)
        )


async def puskesmas_list(runtime: Runtime, viewer: Viewer) -> dict[int, str]:
    async with runtime.db.snapshot() as session:
        return await puskesmas_names(session, viewer.puskesmas)


async def dana_list(runtime: Runtime, viewer: Viewer, f: dq.DanaFilter) -> dana.DanaPage:
    async with runtime.db.snapshot() as session:
        page = await dana.dana_page(session, viewer, f)
        session.expunge_all()  # the rows are read after the snapshot ends, never changed
        return page


async def dana_one(runtime: Runtime, viewer: Viewer, reference: str) -> dana.DanaDetail | None:
    async with runtime.db.snapshot() as session:
        detail = await dana.dana_detail(session, viewer, reference)
        session.expunge_all()
        return detail


async def desa(runtime: Runtime, viewer: Viewer, now: datetime) -> dana.DesaPage | None:
    async with runtime.db.snapshot() as session:
        today = runtime.texts.today(now)
        page = await dana.desa_page(session, viewer, today, runtime.flows, runtime.texts)
        session.expunge_all()
        return page


async def evidence(runtime: Runtime, viewer: Viewer, item_id: int) -> tuple[str, str] | None:
    """(store key, mime type) of a stored photo the viewer may see, else None."""
    async with runtime.db.snapshot() as session:
        item = await dana.evidence(session, viewer, item_id)
        return None if item is None else (item.key, item.mime or "application/octet-stream")
