"""Settings: what the environment sets reaches the handlers typed, each key declared once."""

from __future__ import annotations

from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest

from bot.config import Settings
from handlers.core.settings import ClockSettings, RuntimeSettings


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
