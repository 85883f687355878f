"""Approved WhatsApp templates: which one stands in for a message outside the 24-hour window.

The names, Indonesian bodies and the outbox kinds each one covers live in
bot/templates/whatsapp_templates.json (submit exactly those bodies to Meta, see README). Kinds are
matched as shell patterns in file order; anything else gets the `default` template.

Parameters come from the message itself: `headline` (its first line) and `date` (the day it was
written, in the bot's time zone). A producer that knows better may put
`template={"params": [...]}` on its Outgoing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from handlers.core.outgoing import Outgoing
from handlers.core.text import Texts, format_day

DATA = Path(__file__).resolve().parents[2] / "templates" / "whatsapp_templates.json"
PARAM_MAX = 160  # a headline, not the message; Meta refuses newlines and long runs of spaces
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


@dataclass(frozen=True)
class Template:
    name: str
    category: str
    body: str
    params: tuple[str, ...]
    kinds: tuple[str, ...]
    example: tuple[str, ...]

    def fill(self, values: list[str]) -> str:
        return _PLACEHOLDER.sub(lambda m: values[int(m[1]) - 1], self.body)


@dataclass(frozen=True)
class Templates:
    language: str
    default: str
    items: tuple[Template, ...]

    @classmethod
    def load(cls, path: Path | str | None = None) -> Templates:
        data = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
        items = tuple(
            Template(
                item["name"],
                item.get("category", "UTILITY"),
                item["body"],
                tuple(item.get("params", ())),
                tuple(item.get("kinds", ())),
                tuple(item.get("example", ())),
            )
            for item in data["templates"]
        )
        templates = cls(data.get("language", "id"), data["default"], items)
        templates.check()
        return templates

    def check(self) -> None:
        """A template whose placeholders and parameters disagree would be refused by Meta."""
        names = {t.name for t in self.items}
        if self.default not in names:
            raise ValueError(f"default template {self.default!r} is not defined")
        for t in self.items:
            used = sorted({int(n) for n in _PLACEHOLDER.findall(t.body)})
            if used != list(range(1, len(t.params) + 1)) or len(t.example) != len(t.params):
                raise ValueError(f"template {t.name}: placeholders, params and example disagree")

    def for_kind(self, kind: str) -> Template:
        for t in self.items:
            if any(fnmatchcase(kind, pattern) for pattern in t.kinds):
                return t
        return next(t for t in self.items if t.name == self.default)

    def values(
        self, template: Template, out: Outgoing, written: datetime, texts: Texts
    ) -> list[str]:
        given = (out.template or {}).get("params")
        if isinstance(given, list) and len(given) == len(template.params):
            return [_param(str(v)) for v in given]
        sources = {
            "headline": lambda: headline(out.text),
            "date": lambda: format_day(texts.today(written)),
        }
        return [_param(sources[p]()) for p in template.params]

    def message(self, kind: str, out: Outgoing, written: datetime, texts: Texts) -> dict[str, Any]:
        """The Graph API `template` object standing in for `out`."""
        template = self.for_kind(kind)
        values = self.values(template, out, written, texts)
        parameters = [{"type": "text", "text": v} for v in values]
        return {
            "name": template.name,
            "language": {"code": self.language},
            "components": [{"type": "body", "parameters": parameters}] if parameters else [],
        }

    def preview(self, template_object: dict[str, Any]) -> str:
        """The words the person sees, for the record."""
        template = next(t for t in self.items if t.name == template_object["name"])
        params = [p["text"] for c in template_object["components"] for p in c["parameters"]]
        return template.fill(params)


def headline(text: str) -> str:
    """The first line that says something, without formatting marks or a closing full stop."""
    for line in text.splitlines():
        line = re.sub(r"[*_~`]", "", line).strip()
        if line:
            return line.rstrip(".:")
    return "-"


def _param(value: str) -> str:
    value = " ".join(value.split()) or "-"
    if len(value) <= PARAM_MAX:
        return value
    return value[: PARAM_MAX - 1].rsplit(" ", 1)[0] + "…"
