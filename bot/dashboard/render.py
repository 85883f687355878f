"""Jinja2 for the dashboard: templates shipped in the package, autoescaped, with the bot's
catalogue (`t`) and Indonesian number, money, date and percent formats."""

from __future__ import annotations

import functools
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from handlers.core.text import Texts, format_day, format_money, format_month, format_number
from handlers.dana.budget import ROUTE_NAMES
from handlers.dashboard.overview import ALERT_LABELS
from handlers.dashboard.places import COLOUR_LABELS
from handlers.dashboard.scope import PAGE_LABELS
from handlers.people import roles

TEMPLATES = Path(__file__).parent / "templates"
LOCALE = "id"


@functools.lru_cache(maxsize=4096)
def number(value: int) -> str:
    """ "1.234": a page repeats the same few numbers (0 above all) hundreds of times."""
    return format_number(value, LOCALE)


@functools.lru_cache(maxsize=4096)
def percent(value: float | None) -> str:
    """ "78,4 %"; "–" when there is no target to divide by."""
    if value is None:
        return "–"
    return f"{format_decimal(round(value, 1), '#,##0.0', locale=LOCALE)} %"


def environment(texts: Texts) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def t(msgid: str, **params: Any) -> str:
        return texts(msgid, LOCALE, **params)

    def moment(value: datetime) -> str:
        return texts.moment(value, LOCALE)

    def day(value: date) -> str:
        return format_day(value, LOCALE)

    def short_day(value: date) -> str:
        return value.strftime("%d/%m")

    env.globals |= {
        "t": t,
        "page_labels": {p.value: label for p, label in PAGE_LABELS.items()},
        "role_labels": {r.value: info.label for r, info in roles.TABLE.items()},
        "colour_labels": COLOUR_LABELS,
        "alert_labels": ALERT_LABELS,
        "route_names": ROUTE_NAMES,
    }
    env.filters |= {
        "number": lambda v: number(v or 0),
        "money": lambda v: format_money(v or 0, LOCALE),
        "percent": percent,
        "moment": moment,
        "day": day,
        "short_day": short_day,
        "month": lambda v: format_month(f"{v:%Y-%m}", LOCALE),
    }
    return env
