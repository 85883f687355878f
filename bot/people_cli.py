"""`ilpbot invite …` and `ilpbot user …`: the operator's side of people. The use cases are in
handlers/people; this module parses and prints."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import processes
from bot.app import App
from bot.config import Settings
from db.models import ROLES
from handlers.people import accounts, coaching, invites, operator, roles, roster_file
from handlers.people.roster import ROSTER_DAYS

# What a roster import reports, in this order (handlers/people/onboarding.py)
IMPORT_COUNTS = ("created", "renewed", "moved", "unchanged", "registered", "duplicate")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    inv = sub.add_parser("invite", help="invitation codes")
    invsub = inv.add_subparsers(dest="invite_command", required=True)
    create = invsub.add_parser("create")
    create.add_argument("--role", choices=list(ROLES), default=None)
    create.add_argument("--desa")
    create.add_argument("--puskesmas")
    create.add_argument("--kecamatan", help="a camat's kecamatan")
    create.add_argument("--uses", type=int, default=1)
    create.add_argument("--days", type=int, default=7)
    create.add_argument("--link-user", type=int, default=None)
    create.add_argument("--name", default=None, help="for whom: registration asks no name")
    create.add_argument("--json", action="store_true")
    invsub.add_parser("list")
    imp = invsub.add_parser("import", help="a roster (.xlsx or .csv) → invitations + PDF sheet")
    imp.add_argument("roster", type=Path, help="columns nama, peran, puskesmas, desa, telepon")
    imp.add_argument("--out", type=Path, default=None, help="where the PDF and XLSX go")
    imp.add_argument("--days", type=int, default=ROSTER_DAYS, help="how long the codes last")
    invsub.add_parser("revoke").add_argument("id", type=int)

    users = sub.add_parser("user", help="users: list, deactivate, reactivate")
    usersub = users.add_subparsers(dest="user_command", required=True)
    usersub.add_parser("list", help="id, name, role, place, status, chats (last digits)")
    usersub.add_parser("deactivate", help="refused in chat, sent nothing").add_argument(
        "id", type=int
    )
    usersub.add_parser("reactivate").add_argument("id", type=int)
    assign = usersub.add_parser("assign", help="one more desa for a pendamping desa")
    assign.add_argument("id", type=int)
    assign.add_argument("desa", help="the desa's name or Kemendagri code")


def invite_link(settings: Settings, code: str) -> str | None:
    username = settings.telegram_bot_username
    return f"https://t.me/{username}?start={code}" if username else None


async def invite(app: App, args: argparse.Namespace) -> int:
    now, db = app.runtime.clock(), app.db
    if args.invite_command in ("create", "import"):
        await processes.resolve_bot_username(app.settings)
    try:
        if args.invite_command == "import":
            return await _import(app, args)
        if args.invite_command == "create":
            return _print_created(app, args, await _create(db, now, args, app.settings))
        if args.invite_command == "list":
            for inv in await operator.list_invites(db):
                print(_invite_line(inv, now, app.settings))
            return 0
    except invites.InviteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if await operator.revoke_invite(db, args.id, now):
        print(f"invite {args.id} revoked")
        return 0
    print(f"no active invite {args.id}", file=sys.stderr)
    return 1


async def _import(app: App, args: argparse.Namespace) -> int:
    settings, texts = app.settings.runtime(), app.runtime.texts
    for name, value in (
        ("TELEGRAM_BOT_USERNAME", settings.telegram_bot_username),
        ("WHATSAPP_NUMBER", settings.whatsapp_number),
    ):
        if not value:
            print(f"warning: {name} is not set: the cards carry no QR code for it", file=sys.stderr)
    try:
        done = await operator.import_roster(
            app.db,
            app.runtime.clock(),
            args.roster,
            args.out or args.roster.parent,
            settings,
            texts,
            args.days,
        )
    except roster_file.RosterFileError as exc:
        print(f"error: {texts(exc.msgid, 'id', **exc.params)}", file=sys.stderr)
        return 2
    report = done.report
    for error in report.errors:
        print(texts(error.msgid, "id", **error.params), file=sys.stderr)
    if report.errors:
        print(f"nothing imported: {len(report.errors)} rows to fix", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {report.counts[k]}" for k in IMPORT_COUNTS if report.counts[k])
    print(f"{args.roster.name}: {counts or 'nothing'}")
    if done.pdf:
        print(f"PDF: {done.pdf}\nXLSX: {done.xlsx}")
    else:
        print("nothing new to print: every person is invited or registered already")
    return 0


def _invite_line(inv, now: datetime, settings: Settings) -> str:
    state = (
        "revoked"
        if inv.revoked_at
        else "used"
        if inv.used >= inv.max_uses
        else "expired"
        if inv.expires_at <= now
        else "active"
    )
    until = local(inv.expires_at, settings)
    return f"{inv.id}\t{inv.hint}…\t{inv.role}\t{inv.used}/{inv.max_uses}\t{state}\t{until}"


def local(moment: datetime, settings: Settings) -> str:
    """A moment as the operator reads it: BOT_TIMEZONE, with its name (WIB)."""
    return moment.astimezone(ZoneInfo(settings.bot_timezone)).strftime("%Y-%m-%d %H:%M %Z")


async def _create(db, now, args: argparse.Namespace, settings: Settings) -> invites.Created:
    if args.role is None and args.link_user is None:
        raise invites.InviteError("--role is required (or --link-user)")
    return await operator.create_invite(
        db,
        now,
        args.role or "petugas",
        desa=args.desa,
        puskesmas=args.puskesmas,
        kecamatan=args.kecamatan,
        uses=args.uses,
        days=args.days,
        link_user=args.link_user,
        secret=settings.invite_secret,
        name=args.name,
    )


def _print_created(app: App, args: argparse.Namespace, created: invites.Created) -> int:
    link = invite_link(app.settings, created.code)
    inv = created.invite
    role = app.runtime.texts(roles.label(inv.role), "id")
    place = created.place or app.runtime.texts("Kabupaten Rejang Lebong", "id")
    if args.json:
        print(json.dumps({"code": created.code, "role": inv.role, "place": place, "link": link}))
        return 0
    print(f"code: {created.code}\nfor: {role}, {place}\nrole: {inv.role}\nlink: {link or '-'}")
    print(f"valid until {local(inv.expires_at, app.settings)}, uses {inv.max_uses}")
    return 0


async def user(app: App, args: argparse.Namespace) -> int:
    if args.user_command == "list":
        for account in await operator.list_users(app.db):
            print(_user_line(account))
        return 0
    if args.user_command == "assign":
        return await _assign(app, args)
    active = args.user_command == "reactivate"
    try:
        changed = await operator.set_active(app.db, args.id, active, app.runtime.clock())
    except accounts.AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"user {changed.id} ({changed.name}, {changed.role}) {args.user_command}d")
    return 0


async def _assign(app: App, args: argparse.Namespace) -> int:
    try:
        added = await operator.assign_desa(app.db, args.id, args.desa, app.runtime.clock())
    except (invites.InviteError, coaching.AssignError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"user {args.id}: {args.desa} {'assigned' if added else 'was already assigned'}")
    return 0


def _user_line(account: accounts.Account) -> str:
    u = account.user
    status = "active" if u.active else "deactivated"
    chats = ", ".join(account.chats) or "-"
    return f"{u.id}\t{u.name}\t{u.role}\t{account.place or '-'}\t{status}\t{chats}"
