"""The settings the use cases read, typed and frozen: each key's one declaration and default.

bot/config.py reads them from the environment (the field name in upper case: DIGEST_AT,
REPORT_LOCK_DAYS, …) and builds these with `Settings.runtime()`; handlers never see bot/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any


def clock_time(value: Any) -> time:
    """ "07:00", "7.00" or a time."""
    if isinstance(value, time):
        return value
    hour, _, minute = str(value).strip().replace(".", ":").partition(":")
    return time(int(hour), int(minute or 0))


@dataclass(frozen=True)
class ClockSettings:
    """The clock (handlers/jobs.py): local times in BOT_TIMEZONE."""

    digest_at: time = time(7, 0)
    report_deadline: time = time(16, 0)  # a report first received after this is late
    remind_at: time = time(14, 0)
    quiet_from: time = time(20, 0)  # no reminders from QUIET_FROM until QUIET_TO
    quiet_to: time = time(6, 0)
    export_dir: Path = Path("./exports")  # digest charts and XLSX exports

    @property
    def deadline_text(self) -> str:
        return f"{self.report_deadline:%H.%M}"


@dataclass(frozen=True)
class RuntimeSettings:
    clock: ClockSettings = field(default_factory=ClockSettings)
    report_lock_days: int = 7  # a report day older than this needs /bukakunci
    report_unlock_days: int = 3  # how long /bukakunci opens an old day
    dana_amount_ceiling: int = 50_000_000  # above this the amount asks "yakin?" once
    dana_dinkes_threshold: int = 5_000_000  # approvals from this amount are told to the dinkes
    # An undecided dana desa request: the kades is reminded after this many hours; Dinas PMD, the
    # camat and the pendamping desa hear of it after this many days (a kades often consults the
    # sekdes and the BPD first).
    dana_remind_after_hours: int = 24
    dana_escalate_after_days: int = 7
    invite_secret: str | None = None  # the HMAC key of invite codes (handlers/people/invites.py)
    public_url: str | None = None  # the dashboard's address for /dasbor links; None: switched off
    # for the links and QR codes of invitations (handlers/people/links.py)
    telegram_bot_username: str | None = None
    whatsapp_number: str | None = None  # the bot's number in international form, 62…
