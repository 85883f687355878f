"""`ilpbot run | console | db | seed | invite | user …`: the entry points."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from bot import clock_cli, people_cli, places_cli, processes
from bot.app import App, build, configure_logging, prepare_embedded
from bot.channels.console import chat as console
from bot.config import Settings
from bot.media_store import media_store
from conversations.model import Text
from db.migrate import downgrade, upgrade
from handlers.core import setup
from handlers.dashboard import access as dashboard
from handlers.people import operator
from handlers.people.roles import Role
from handlers.reports import posyandu

log = logging.getLogger("ilpbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilpbot", description="ILP and dana desa chatbot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run every configured channel in one process")
    web = sub.add_parser("web", help="the webhook web app (Starlette on uvicorn), PORT")
    web.add_argument("--sender", action="store_true", help="deliver the outbox here too")
    sub.add_parser("clock", help="the outbox sender and the scheduler (digest, reminders…)")
    hook = sub.add_parser("webhook", help="register the Telegram webhook")
    hook.add_argument("action", choices=["set", "delete", "info"])
    chat = sub.add_parser("console", help="chat with the bot on stdin/stdout")
    chat.add_argument("--chat", default="1", help="console chat id (one per person)")

    dbp = sub.add_parser("db", help="database migrations")
    dbsub = dbp.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade").add_argument("revision", nargs="?", default="heads")
    dbsub.add_parser("downgrade").add_argument("revision")

    seedp = sub.add_parser("seed", help="load kecamatan, desa and puskesmas (idempotent)")
    seedp.add_argument("--dir", type=Path, default=None, help="a folder of CSVs of the same shape")

    people_cli.add_parsers(sub)

    places_cli.add_parsers(sub)
    pos = sub.add_parser("posyandu", help="posyandu master data of the puskesmas")
    pos.add_subparsers(dest="posyandu_command", required=True).add_parser("import").add_argument(
        "file", type=Path, help="CSV: puskesmas, desa (name or kode), posyandu, aktif (ya/tidak)"
    )
    clock_cli.add_parsers(sub)
    return parser


def invites_roles() -> tuple[str, ...]:
    return tuple(Role)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:  # one line per setting, not a traceback
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            msg = error["msg"].removeprefix("Value error, ")
            print(f"error: {name}: {msg}" if name else f"error: {msg}")
        return 2
    configure_logging(settings)
    if args.command == "web" and settings.web_concurrency > 1:
        return processes.serve_web_workers(settings, args.sender)  # runs its own event loops
    if args.command == "db":
        if args.db_command == "upgrade":
            upgrade(settings.database_url, args.revision)
        else:
            downgrade(settings.database_url, args.revision)
        return 0
    handlers: dict[str, Callable[[App, argparse.Namespace], Awaitable[int]]] = {
        "run": _run,
        "web": lambda app, args: processes.serve_web(app, args.sender),
        "clock": lambda app, _args: processes.run_clock(app),
        "webhook": lambda app, args: processes.webhook(app, args.action),
        "console": _console,
        "seed": _seed,
        "invite": people_cli.invite,
        "user": people_cli.user,
        "sasaran": places_cli.sasaran,
        "wilayah": places_cli.wilayah,
        "posyandu": _posyandu,
        "digest": clock_cli.digest,
        "export": clock_cli.export,
    }
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(_with_app(settings, handlers[args.command], args))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it exists: its event loop and sockets cost about half of asyncio's, which
    is most of a webhook update that is not the database."""
    try:
        import uvloop
    except ImportError:  # Windows
        return None
    return uvloop.new_event_loop


async def _with_app(
    settings: Settings,
    fn: Callable[[App, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    app = build(settings)
    try:
        await prepare_embedded(settings, app.db)
        return await fn(app, args)
    finally:
        await app.close()


async def _seed(app: App, args: argparse.Namespace) -> int:
    report = await setup.seed_places(app.db, args.dir)
    print(
        f"kecamatan {report.kecamatan}, desa {report.desa}, puskesmas {report.puskesmas}, links {report.links}"
    )
    return 0


async def _posyandu(app: App, args: argparse.Namespace) -> int:
    """Errors and the summary in Indonesian: the file is the puskesmas's, read by its staff."""
    result = await posyandu.import_file(app.db, args.file, app.runtime.clock())
    say = app.runtime.texts.render
    if result.unreadable:
        print(say(result.unreadable), file=sys.stderr)
        return 2
    for error in result.errors:
        print(say(error), file=sys.stderr)
    if result.errors:
        print(say(Text(posyandu.NOTHING_IMPORTED)), file=sys.stderr)
        return 2
    print(say(posyandu.summary(result)))
    return 0


async def _console(app: App, args: argparse.Namespace) -> int:
    await console.chat(app.runtime, str(args.chat), store=media_store(app.settings))
    return 0


def _program() -> str:
    """The command as the user typed it (`.venv/bin/ilpbot` under `make run`), for the commands
    the demo suggests: a fresh checkout has no `ilpbot` on the PATH."""
    called = sys.argv[0]
    return called if Path(called).name == "ilpbot" else "ilpbot"


async def _run(app: App, args: argparse.Namespace) -> int:
    settings = app.settings
    if not (settings.telegram_enabled or settings.whatsapp_enabled):
        return await _demo(app)
    if settings.telegram_enabled:
        return await processes.run_polling(app)
    # WhatsApp comes by webhook only; the clock runs in this process too
    return await processes.serve_web(app, with_sender=True, with_clock=True)


DEMO_KAPUS = "Dr. Hendra"  # the demo's kepala puskesmas: his card names him


async def _demo(app: App) -> int:
    """No channel configured: a demo invite and the console chat, with a word on configuring."""
    now, secret = app.runtime.clock(), app.settings.invite_secret
    petugas = await operator.create_invite(
        app.db, now, Role.PETUGAS, puskesmas="Sumber Urip", uses=5, secret=secret
    )
    kades = await operator.create_invite(
        app.db, now, Role.KADES, desa="17.02.11.2009", uses=5, secret=secret
    )
    web, link = await _demo_dashboard(app)
    kapus = await operator.create_invite(
        app.db,
        now,
        Role.KEPALA_PUSKESMAS,
        puskesmas="Sumber Urip",
        uses=5,
        secret=secret,
        name=DEMO_KAPUS,
    )
    print(
        "ilpbot — no Telegram or WhatsApp configured (set TELEGRAM_BOT_TOKEN or WHATSAPP_* in .env;\n"
        "see .env.example). Chatting in the console instead; end with Ctrl-D.\n"
        f"Demo invite (petugas, Puskesmas Sumber Urip): type  DAFTAR {petugas.code}\n"
        f"Kepala Desa Sumber Urip can register in another terminal: {_program()} console --chat 2,\n"
        f"then DAFTAR {kades.code}\n"
        f"Dashboard (demo Dinkes user, link valid 10 minutes; /dasbor in chat gives a new one):\n"
        f"  {link}\n"
        f"The kepala puskesmas ({DEMO_KAPUS}) manages his staff with /staf: {_program()} console\n"
        f"--chat 3, then DAFTAR {kapus.code}, answer 1 (Ya), and type /staf\n"
    )
    serving = asyncio.create_task(web.serve())
    try:
        await console.chat(app.runtime, "1", store=media_store(app.settings))
    finally:
        web.should_exit = True
        await serving
    return 0


async def _demo_dashboard(app: App):
    """The dashboard on http://127.0.0.1:PORT beside the console, and a sign-in link for the
    demo Dinkes user."""
    url = app.settings.public_url or f"http://127.0.0.1:{app.settings.port}"
    app.settings = app.settings.model_copy(update={"public_url": url})
    app.runtime.settings = replace(app.runtime.settings, public_url=url)
    now = app.runtime.clock()
    link = await dashboard.make_link(app.db, await dashboard.demo_dinkes(app.db, now), now, url)
    return processes.dashboard_beside_console(app), link


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
