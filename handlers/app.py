"""Composition of the use cases into one runtime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from conversations.flows import load_all
from conversations.forms import consistency
from conversations.forms.spm import check_table
from db.database import Database
from handlers.core.inbound import Runtime, utcnow
from handlers.core.outbox import Deliver, OutboxWorker
from handlers.core.settings import RuntimeSettings
from handlers.core.text import Texts
from handlers.dana import entry as dana_desa
from handlers.dana import notify as dana_notify
from handlers.dashboard import access as dashboard
from handlers.digest import profile as desa_profile
from handlers.digest import reminders
from handlers.exports import entry as exports
from handlers.people import accounts, chats, linking, menu, staff
from handlers.reports import entry as reports
from handlers.reports import posyandu
from handlers.reports import status as report_status
from handlers.wilayah import chat as wilayah_chat


def build_runtime(
    db: Database,
    texts: Texts,
    clock: Callable[[], datetime] = utcnow,
    settings: RuntimeSettings | None = None,
) -> Runtime:
    runtime = Runtime(
        db=db, texts=texts, flows=load_all(), clock=clock, settings=settings or RuntimeSettings()
    )
    menu.install(runtime)
    accounts.install(runtime)  # a deactivated user is refused before any command
    linking.install(runtime)  # another chat for an existing account
    staff.install(runtime)  # /staf
    chats.install(runtime)  # /tautkan, unlinking from /profil
    dana_desa.install(runtime)
    reports.install(runtime)  # after menu: extends /bantuan with the quick-entry codes
    report_status.install(runtime)
    posyandu.install(runtime)  # /posyandu
    reminders.install(runtime)  # /jeda, /lanjut
    exports.install(runtime)  # /ekspor
    dashboard.install(runtime)  # /dasbor
    desa_profile.install(runtime)  # /desa
    wilayah_chat.install(runtime)  # /wilayah
    dana_notify.install_failure_hooks(runtime)
    runtime.check_catalogue()
    check_table(runtime.flows.values())
    consistency.check_table(runtime.flows.values())
    return runtime


def build_outbox_worker(runtime: Runtime, deliverers: dict[str, Deliver]) -> OutboxWorker:
    """The one outbox worker, with every use case's failure hooks plugged in."""
    return OutboxWorker(
        runtime.db,
        deliverers,
        runtime.clock,
        on_failure=runtime.delivery_failed,
        finish=runtime.finish,
    )
