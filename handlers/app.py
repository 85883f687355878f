"""Composition of the use cases into one runtime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from conversations.flows import load_all
from db.database import Database
from handlers import menu
from handlers.inbound import Runtime, utcnow
from handlers.text import Texts


def build_runtime(
    db: Database,
    texts: Texts,
    clock: Callable[[], datetime] = utcnow,
    settings: dict[str, Any] | None = None,
) -> Runtime:
    runtime = Runtime(db=db, texts=texts, flows=load_all(), clock=clock, settings=settings or {})
    menu.install(runtime)
    runtime.check_catalogue()
    return runtime
