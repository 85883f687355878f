"""`ilpbot export`: the exports an operator makes from the CLI, read in a snapshot of their own
(no write lock: the chats' turns go on meanwhile)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from conversations.parsing import normalize
from db import export_queries
from db.digest_queries import puskesmas_names
from handlers.core.inbound import Runtime
from handlers.exports import entry as exports
from handlers.exports import files as export_files
from handlers.exports.sheets import Request, Sheet
from handlers.reports.indicators import WEEKLY, catalog, running_counts


class NoSuchPuskesmas(LookupError):
    pass


async def request(runtime: Runtime, first: date, last: date, puskesmas: str | None) -> Request:
    """The dates in order, and the one puskesmas named (by any spelling), or all of them."""
    scope = None
    if puskesmas:
        async with runtime.db.snapshot() as session:
            names = await puskesmas_names(session, None)
        scope = [p for p, n in names.items() if normalize(n) == normalize(puskesmas)]
        if not scope:
            raise NoSuchPuskesmas(puskesmas)
    public_url = runtime.settings.public_url
    return exports.Request(min(first, last), max(first, last), scope, public_url)


async def sheets(runtime: Runtime, req: Request) -> list[Sheet]:
    async with runtime.db.snapshot() as session:
        return await exports.sheets(session, runtime.texts, runtime.flows, req)


async def dhis2(runtime: Runtime, req: Request, mapping_path: Path) -> tuple[Any, bool]:
    """DHIS2 data values, and whether the mapping file was missing (then it is written, with
    empty codes for the operator to fill)."""
    flows = runtime.flows
    async with runtime.db.snapshot() as session:
        names = await puskesmas_names(session, req.scope)
        values = await export_queries.report_values(
            session, exports.monday(req.first), req.last, req.scope, running_counts(flows)
        )
        decisions = await export_queries.dana_decisions(
            session, *exports.span(runtime.texts, req), req.scope
        )
    weekly = {code for code, ind in catalog(flows).items() if ind.klaster in WEEKLY}
    values = {k: v for k, v in values.items() if k[1] >= req.first or k[2] in weekly}
    written = not mapping_path.exists()
    if written:
        mapping = export_files.dhis2_mapping(list(catalog(flows)), names)
        export_files.write_json(mapping, mapping_path)
    else:
        mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
    payload = export_files.dhis2_values(values, weekly, names, mapping)
    local = [(p, runtime.texts.today(at), r, n) for p, at, r, n in decisions]
    payload["dataValues"] += export_files.dhis2_dana(local, names, mapping)
    return payload, written
