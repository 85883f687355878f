"""`ilpbot digest` and `ilpbot export`: the clock's outputs built by hand."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from bot.app import App
from handlers.digest import send as digest_send
from handlers.digest.words import render
from handlers.exports import by_hand
from handlers.exports import files as export_files
from handlers.exports.sheets import Request


def add_parsers(sub: argparse._SubParsersAction) -> None:
    dig = sub.add_parser("digest", help="build the Dinkes digest of a day")
    dig.add_argument(
        "--date",
        type=day_arg,
        help="YYYY-MM-DD, today/hari ini or yesterday/kemarin (default: yesterday)",
    )
    how = dig.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true", help="queue it to every Dinkes user")
    how.add_argument("--print", action="store_true", help="write the text to stdout (default)")
    dig.add_argument("--no-chart", action="store_true", help="skip the PNG chart")

    exp = sub.add_parser("export", help="export reports: XLSX, CSV or DHIS2 JSON")
    exp.add_argument(
        "--from", dest="first", type=date.fromisoformat, help="default: the 1st of this month"
    )
    exp.add_argument("--to", dest="last", type=date.fromisoformat, help="default: today")
    exp.add_argument("--format", choices=["xlsx", "csv", "dhis2"], default="xlsx")
    exp.add_argument("--puskesmas", help="one puskesmas by name (default: all)")
    exp.add_argument("--out", type=Path, help="file (xlsx, dhis2) or folder (csv)")
    exp.add_argument("--mapping", type=Path, help="DHIS2 codes (JSON); written if missing")


# --date in either language, as an operator types it
DAY_WORDS = {
    "today": "today",
    "hari ini": "today",
    "yesterday": "yesterday",
    "kemarin": "yesterday",
}


def day_arg(value: str) -> date | str:
    """--date: a date, or today / yesterday in BOT_TIMEZONE (resolved once the clock is known)."""
    word = " ".join(value.casefold().split())
    return DAY_WORDS[word] if word in DAY_WORDS else date.fromisoformat(value)


def the_day(value: date | str | None, today: date) -> date:
    if isinstance(value, date):
        return value
    return today if value == "today" else today - timedelta(days=1)


async def digest(app: App, args: argparse.Namespace) -> int:
    runtime = app.runtime
    now = runtime.clock()
    day = the_day(args.date, runtime.texts.today(now))
    built = await digest_send.by_hand(runtime, day, now, chart=not args.no_chart)
    if args.send:
        sent = await digest_send.send_by_hand(runtime, built, now)
        print(f"digest of {day} queued for {sent} Dinkes user(s)")
    if not args.send:
        deadline = runtime.settings.clock.deadline_text
        print(render(built.digest, runtime.texts, "id", deadline))
    if built.chart:
        print(f"chart: {built.chart}", file=sys.stderr)
    return 0


async def export(app: App, args: argparse.Namespace) -> int:
    runtime = app.runtime
    today = runtime.texts.today(runtime.clock())  # in BOT_TIMEZONE
    try:
        req = await by_hand.request(
            runtime, args.first or today.replace(day=1), args.last or today, args.puskesmas
        )
    except by_hand.NoSuchPuskesmas:
        print(f"error: no puskesmas named {args.puskesmas!r}", file=sys.stderr)
        return 2
    folder = runtime.settings.clock.export_dir
    if args.format == "dhis2":
        return await _dhis2(app, req, args)
    sheets = await by_hand.sheets(runtime, req)
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


async def _dhis2(app: App, req: Request, args: argparse.Namespace) -> int:
    folder = app.runtime.settings.clock.export_dir
    mapping_path = args.mapping or folder / "dhis2_mapping.json"
    payload, written = await by_hand.dhis2(app.runtime, req, mapping_path)
    if written:
        print(
            f"mapping written: {mapping_path.resolve()} (put the DHIS2 codes in it)",
            file=sys.stderr,
        )
    out = args.out or folder / export_files.file_name(req, "json")
    print(export_files.write_json(payload, out))
    return 0
