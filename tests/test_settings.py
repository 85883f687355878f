"""Settings: what the environment sets reaches the handlers typed, each key declared once, and
.env.example lists every setting the code reads. A new setting is a field in bot/config.py
(handlers/core/settings.py if a handler reads it) and two lines in .env.example: a comment, and
`# NAME=default` (or an example value when unset by default)."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest

from bot.config import Settings
from handlers.core.settings import ClockSettings, RuntimeSettings

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "handlers", "conversations", "db")
VARIABLE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=(.*)$")


def settings(monkeypatch, **env: str) -> Settings:
    """Settings from exactly `env` (no .env file, none of the caller's variables)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


def runtime_keys() -> list[str]:
    clock = [f.name for f in fields(ClockSettings)]
    return clock + [f.name for f in fields(RuntimeSettings) if f.name != "clock"]


def test_what_the_handlers_read_is_set_by_its_environment_variable(monkeypatch):
    runtime = settings(
        monkeypatch,
        REPORT_LOCK_DAYS="10",
        REPORT_UNLOCK_DAYS="5",
        DANA_AMOUNT_CEILING="75000000",
        DANA_DINKES_THRESHOLD="2000000",
        DIGEST_AT="6.30",
        REMIND_AT="13:15",
        QUIET_FROM="21:00",
        EXPORT_DIR="/srv/ilp",
    ).runtime()
    assert runtime == RuntimeSettings(
        clock=ClockSettings(
            digest_at=time(6, 30),
            remind_at=time(13, 15),
            quiet_from=time(21, 0),
            export_dir=Path("/srv/ilp"),
        ),
        report_lock_days=10,
        report_unlock_days=5,
        dana_amount_ceiling=75_000_000,
        dana_dinkes_threshold=2_000_000,
    )


def test_an_unset_or_empty_setting_is_the_handlers_default(monkeypatch):
    assert settings(monkeypatch).runtime() == RuntimeSettings()
    assert settings(monkeypatch, DIGEST_AT="").runtime() == RuntimeSettings()


def test_every_key_the_handlers_read_has_one_environment_variable():
    assert set(runtime_keys()) <= set(Settings.model_fields)


@pytest.mark.parametrize(
    ("name", "value"),
    [("REPORT_LOCK_DAYS", "0"), ("DANA_AMOUNT_CEILING", "banyak"), ("DIGEST_AT", "pagi")],
)
def test_a_setting_that_makes_no_sense_stops_the_start(monkeypatch, name, value):
    with pytest.raises(ValueError):
        settings(monkeypatch, **{name: value})


def example() -> dict[str, tuple[str, bool, str]]:
    """.env.example: name → (value, commented out, the line above)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    found = {}
    for above, line in zip(["", *lines], lines, strict=False):
        if m := VARIABLE.match(line):
            assert m[1] not in found, f"{m[1]} twice in .env.example"
            found[m[1]] = (m[2], line.startswith("#"), above)
    return found


def environment_reads() -> set[str]:
    """Variables the product code reads itself (os.environ.get, os.getenv, os.environ[...]),
    by literal or by a module constant's name (metrics.MULTIPROC_DIR)."""
    trees = [ast.parse(p.read_text()) for pkg in PRODUCT for p in (ROOT / pkg).rglob("*.py")]
    constants = {
        target.id: node.value.value
        for tree in trees
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def name(arg: ast.expr) -> str:
        if isinstance(arg, ast.Constant):
            return arg.value
        key = arg.id if isinstance(arg, ast.Name) else arg.attr
        return constants[key]

    def environ(node: ast.expr) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ"

    reads = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if (func.attr == "get" and environ(func.value)) or func.attr == "getenv":
                reads.add(name(node.args[0]))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            reads |= {name(node.slice)} if environ(node.value) else set()
    return reads


def test_the_code_reads_the_environment_in_the_places_this_test_knows():
    assert environment_reads() == {"PROMETHEUS_MULTIPROC_DIR"}  # a library's own variable


def test_env_example_lists_every_setting_and_nothing_else():
    settings = {name.upper() for name in Settings.model_fields}
    read = settings | environment_reads()
    listed = set(example())
    assert sorted(read - listed) == [], "missing from .env.example"
    assert sorted(listed - read) == [], "in .env.example but read by nothing"


def test_each_setting_in_env_example_has_its_comment():
    undocumented = [
        name
        for name, (_, _, above) in example().items()
        if not above.startswith("# ") or VARIABLE.match(above)
    ]
    assert undocumented == []


def test_env_example_shows_each_default_as_it_is(monkeypatch):
    """`# PORT=8000` is what an unset PORT means (a setting unset by default shows an example)."""
    wrong = {}
    for field, info in Settings.model_fields.items():
        value, _, _ = example()[field.upper()]
        if info.default is None:
            continue
        if getattr(settings(monkeypatch, **{field.upper(): value}), field) != info.default:
            wrong[field.upper()] = (value, info.default)
    assert wrong == {}
