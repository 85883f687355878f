"""`ilpbot digest` and `ilpbot export`: the clock's outputs built by hand."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from bot.app import App
from conversations.parsing import normalize
from db import export_queries
from db.digest_queries import puskesmas_names
from handlers.core.clock_settings import ClockSettings
from handlers.digest import send as digest_send
from handlers.digest.words import render
from handlers.exports import entry as exports
from handlers.exports import files as export_files
from handlers.reports.indicators import WEEKLY, catalog, running_counts


def add_parsers(sub: argparse._SubParsersAction) -> None:
    dig = sub.add_parser("digest", help="build the Dinkes digest of a day")
    dig.add_argument(
        "--date", type=day_arg, help="YYYY-MM-DD, today or yesterday (default: yesterday)"
    )
    how = dig.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true", help="queue it to every Dinkes user")
    how.add_argument("--print", action="store_true", help="write the text to stdout (default)")
    dig.add_argument("--no-chart", action="store_true", help="skip the PNG chart")

    exp = sub.add_parser("export", help="export reports: XLSX, CSV or DHIS2 JSON")
    exp.add_argument("--from", dest="first", type=date.fromisoformat, required=True)
    exp.add_argument("--to", dest="last", type=date.fromisoformat, required=True)
    exp.add_argument("--format", choices=["xlsx", "csv", "dhis2"], default="xlsx")
    exp.add_argument("--puskesmas", help="one puskesmas by name (default: all)")
    exp.add_argument("--out", type=Path, help="file (xlsx, dhis2) or folder (csv)")
    exp.add_argument("--mapping", type=Path, help="DHIS2 codes (JSON); written if missing")


def day_arg(value: str) -> date | str:
    """--date: a date, or today / yesterday in BOT_TIMEZONE (resolved once the clock is known)."""
    return value if value in ("today", "yesterday") else date.fromisoformat(value)


def the_day(value: date | str | None, today: date) -> date:
    if isinstance(value, date):
        return value
    return today if value == "today" else today - timedelta(days=1)


async def digest(app: App, args: argparse.Namespace) -> int:
    runtime = app.runtime
    now = runtime.clock()
    day = the_day(args.date, runtime.texts.today(now))
    async with app.db.snapshot() as session:
        digest = await digest_send.collect(session, runtime, day, now)
    # drawn between the transactions: SQLite's writer lock is not held for it
    chart = None if args.no_chart else await digest_send.chart_of(runtime, digest)
    built = digest_send.Built(digest, chart)
    if args.send:
        async with app.db.transaction() as session:
            sent = await digest_send.send(session, runtime, built, now)
        print(f"digest of {day} queued for {sent} Dinkes user(s)")
    if not args.send:
        deadline = ClockSettings.of(runtime.settings).deadline_text
        print(render(built.digest, runtime.texts, "id", deadline))
    if built.chart:
        print(f"chart: {built.chart}", file=sys.stderr)
    return 0


async def export(app: App, args: argparse.Namespace) -> int:
    runtime = app.runtime
    async with app.db.transaction() as session:
        names = await puskesmas_names(session, None)
        scope = None
        if args.puskesmas:
            found = [p for p, n in names.items() if normalize(n) == normalize(args.puskesmas)]
            if not found:
                print(f"error: no puskesmas named {args.puskesmas!r}", file=sys.stderr)
                return 2
            scope = found
        req = exports.Request(min(args.first, args.last), max(args.first, args.last), scope)
        if args.format == "dhis2":
            return await _dhis2(app, session, req, args)
        sheets = await exports.sheets(session, runtime.texts, runtime.flows, req)
    folder = ClockSettings.of(runtime.settings).export_dir
    if args.format == "xlsx":
        path = export_files.write_xlsx(
            sheets, args.out or folder / export_files.file_name(req, "xlsx")
        )
        print(path)
    else:
        out = args.out or folder / export_files.file_name(req, "csv").removesuffix(".csv")
        for path in export_files.write_csv(sheets, out):
            print(path)
    return 0


async def _dhis2(app: App, session, req: exports.Request, args: argparse.Namespace) -> int:
    flows = app.runtime.flows
    names = await puskesmas_names(session, req.scope)
    values = await export_queries.report_values(
        session, exports.monday(req.first), req.last, req.scope, running_counts(flows)
    )
    weekly = {code for code, ind in catalog(flows).items() if ind.klaster in WEEKLY}
    values = {k: v for k, v in values.items() if k[1] >= req.first or k[2] in weekly}
    folder = ClockSettings.of(app.runtime.settings).export_dir
    mapping_path = args.mapping or folder / "dhis2_mapping.json"
    if mapping_path.exists():
        mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
    else:
        mapping = export_files.dhis2_mapping(list(catalog(flows)), names)
        export_files.write_json(mapping, mapping_path)
        print(
            f"mapping written: {mapping_path.resolve()} (put the DHIS2 codes in it)",
            file=sys.stderr,
        )
    payload = export_files.dhis2_values(values, weekly, names, mapping)
    out = args.out or folder / export_files.file_name(req, "json")
    print(export_files.write_json(payload, out))
    return 0
