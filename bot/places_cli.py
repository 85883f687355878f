"""`ilpbot sasaran …` and `ilpbot wilayah …`: the Dinkes' tables of places and targets. The use
cases are in handlers/reports (sasaran) and handlers/wilayah; this module parses and prints, in
Indonesian (the operator is the Dinkes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.app import App
from conversations.model import N_
from handlers.core.text import Texts
from handlers.reports import sasaran as sasaran_import
from handlers.reports import sasaran_template
from handlers.wilayah import check as wilayah_check
from handlers.wilayah import mapping as wilayah_map


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sas = sub.add_parser("sasaran", help="SPM annual targets per puskesmas or desa")
    sassub = sas.add_subparsers(dest="sasaran_command", required=True)
    imp = sassub.add_parser("import", help="CSV or XLSX, long or wide (see docs/operations.md)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--tahun", type=int, default=None, help="the year when there is no column")
    tpl = sassub.add_parser("template", help="write the wide XLSX to fill in")
    tpl.add_argument("file", type=Path, nargs="?", default=None)
    tpl.add_argument("--tahun", type=int, default=None, help="default: this year")

    wil = sub.add_parser("wilayah", help="places awaiting confirmation; the desa → puskesmas map")
    wilsub = wil.add_subparsers(dest="wilayah_command", required=True)
    wilsub.add_parser("check", help="every uncertain fact and every desa of several puskesmas")
    wilsub.add_parser("import-map", help="CSV/XLSX: desa_kode (or desa), puskesmas").add_argument(
        "file", type=Path
    )


def _in_indonesian(texts: Texts):
    def t(msgid: str, **params: object) -> str:
        return texts(msgid, "id", **params)

    return t


def _refused(texts: Texts, result: Any) -> int | None:
    """Prints why a file was not imported (exit 2), or None when it was."""
    if result.unreadable:
        print(texts.render(result.unreadable, "id"), file=sys.stderr)
        return 2
    for error in result.errors:
        print(texts.render(error, "id"), file=sys.stderr)
    if result.errors:
        again = N_("Nothing imported: correct the rows above and import again.")
        print(texts(again, "id"), file=sys.stderr)
        return 2
    return None


async def sasaran(app: App, args: argparse.Namespace) -> int:
    texts, now = app.runtime.texts, app.runtime.clock()
    t = _in_indonesian(texts)
    if args.sasaran_command == "template":
        year = args.tahun or texts.today(now).year
        path = args.file or Path(f"sasaran-{year}.xlsx")
        print(await sasaran_template.write(app.db, path, year, t))
        return 0
    result = await sasaran_import.import_file(app.db, args.file, now, args.tahun, t)
    if (code := _refused(texts, result)) is not None:
        return code
    if result.ignored:
        print(
            t(N_("Columns not read: {columns}"), columns=", ".join(result.ignored)), file=sys.stderr
        )
    print(t(N_("sasaran: {rows} targets imported"), rows=result.rows))
    if result.summed:
        print(t(N_("{count} puskesmas targets are the sum of their desa"), count=result.summed))
    return 0


async def wilayah(app: App, args: argparse.Namespace) -> int:
    texts = app.runtime.texts
    t = _in_indonesian(texts)
    if args.wilayah_command == "check":
        print("\n".join(await wilayah_check.check_lines(app.db, t)))
        return 0
    result = await wilayah_map.import_map_file(app.db, args.file, app.runtime.clock())
    if (code := _refused(texts, result)) is not None:
        return code
    changed, unchanged = result.changed, result.unchanged
    print(
        t(
            N_("wilayah: {changed} desa changed, {unchanged} unchanged"),
            changed=changed,
            unchanged=unchanged,
        )
    )
    return 0
