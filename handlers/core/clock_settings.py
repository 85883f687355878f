"""The clock's settings (DIGEST_AT, REPORT_DEADLINE, REMIND_AT, QUIET_FROM, QUIET_TO,
EXPORT_DIR) read from the runtime's settings, with the defaults when a key is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

DEFAULTS = {
    "digest_at": "07:00",
    "report_deadline": "16:00",
    "remind_at": "14:00",
    "quiet_from": "20:00",
    "quiet_to": "06:00",
    "export_dir": "./exports",
}


def clock_time(value: Any) -> time:
    """ "07:00", "7.00" or a time."""
    if isinstance(value, time):
        return value
    hour, _, minute = str(value).strip().replace(".", ":").partition(":")
    return time(int(hour), int(minute or 0))


@dataclass(frozen=True)
class ClockSettings:
    digest_at: time
    report_deadline: time
    remind_at: time
    quiet_from: time
    quiet_to: time
    export_dir: Path

    @classmethod
    def of(cls, settings: dict[str, Any]) -> ClockSettings:
        value = {k: settings.get(k) or default for k, default in DEFAULTS.items()}
        return cls(
            digest_at=clock_time(value["digest_at"]),
            report_deadline=clock_time(value["report_deadline"]),
            remind_at=clock_time(value["remind_at"]),
            quiet_from=clock_time(value["quiet_from"]),
            quiet_to=clock_time(value["quiet_to"]),
            export_dir=Path(value["export_dir"]),
        )

    @property
    def deadline_text(self) -> str:
        return f"{self.report_deadline:%H.%M}"
