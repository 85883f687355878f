"""Settings from the environment and an optional .env; built once in the entry point."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import time
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.database import normalize_url
from handlers.core.settings import ClockSettings, RuntimeSettings, clock_time

CLOCK, RUNTIME = ClockSettings(), RuntimeSettings()
CLOCK_TIMES = tuple(f.name for f in fields(ClockSettings) if isinstance(f.default, time))

# Telegram's rule for a webhook secret (1-256 of A-Z a-z 0-9 _ -), at least 16 long: our secrets
# follow it, so one made for Telegram fits everywhere.
SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")

INVITE_SECRET_MIN = 16
SECRET_KEY_MIN = 32
DEMO_SECRET_KEY = "ilpbot-embedded-demo-only-not-for-any-deployment"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///ilpbot.db"
    bot_timezone: str = "Asia/Jakarta"
    log_level: str = "INFO"

    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_bot_username: str | None = None
    # Updates Telegram delivers to the webhook at once (its setWebhook max_connections, 1-100;
    # Telegram's default is 40). The webhook's group commit is sized for this (handlers/core/inbound.py).
    telegram_webhook_max_connections: int = Field(40, ge=1, le=100)

    # `ilpbot web` listens on PORT (Heroku/Dokku set it); the sender process exposes its
    # Prometheus metrics on METRICS_PORT when set.
    port: int = 8000
    web_host: str = "0.0.0.0"
    # `ilpbot web` worker processes on PORT (Heroku/Dokku set WEB_CONCURRENCY): uvicorn's
    # supervisor binds the port once and each worker builds its own app (bot/processes.py).
    web_concurrency: int = 1
    metrics_port: int | None = None

    # What the use cases read (handlers/core/settings.py declares them and their defaults).
    digest_at: time = CLOCK.digest_at
    report_deadline: time = CLOCK.report_deadline
    remind_at: time = CLOCK.remind_at
    quiet_from: time = CLOCK.quiet_from
    quiet_to: time = CLOCK.quiet_to
    export_dir: Path = CLOCK.export_dir
    report_lock_days: int = Field(RUNTIME.report_lock_days, ge=1)
    report_unlock_days: int = Field(RUNTIME.report_unlock_days, ge=1)
    dana_amount_ceiling: int = Field(RUNTIME.dana_amount_ceiling, ge=1)
    dana_dinkes_threshold: int = Field(RUNTIME.dana_dinkes_threshold, ge=0)
    dana_remind_after_hours: int = Field(RUNTIME.dana_remind_after_hours, ge=1)
    dana_escalate_after_days: int = Field(RUNTIME.dana_escalate_after_days, ge=1)

    # --- the media store (bot/media_store.py): inbound photos and documents kept as evidence ---
    media_dir: Path = Path("./media")
    media_s3_url: str | None = None  # https://host/bucket: an S3-compatible bucket instead
    media_s3_access_key: str | None = None
    media_s3_secret_key: str | None = None
    media_s3_region: str = "us-east-1"

    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"  # a pinned Graph API version
    whatsapp_messages_per_second: float = 80.0  # the number's throughput (Meta's default)
    whatsapp_templates_file: str | None = None  # default: bot/templates/whatsapp_templates.json
    # The bot's own number (62…, digits only): the wa.me click-to-chat links of invitations
    whatsapp_number: str | None = None

    # --- invite codes (handlers/people/invites.py) ---
    # Codes are stored as HMAC-SHA256 under this key: a copy of the database alone reveals none.
    # Required (at least 16 characters) once a channel or PostgreSQL is configured; only the
    # embedded console demo (SQLite, no channel) runs without it, on a built-in development key.
    # Changing it invalidates the invites not yet used.
    invite_secret: str | None = None

    @model_validator(mode="after")
    def _invite_secret_set(self) -> Settings:
        secret = self.invite_secret or ""
        if secret and len(secret) < INVITE_SECRET_MIN:
            raise ValueError(f"INVITE_SECRET must be at least {INVITE_SECRET_MIN} characters")
        if not secret and not self.is_embedded_demo:
            raise ValueError(
                f"INVITE_SECRET is required (at least {INVITE_SECRET_MIN} random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) once a channel "
                "or PostgreSQL is configured"
            )
        return self

    # --- the dashboard (bot/dashboard): on when PUBLIC_URL is set -------------------------------
    # The dashboard's public address (https://… behind a proxy), for the links /dasbor sends.
    public_url: str | None = None
    # Signs the dashboard's session cookies: at least 32 random characters. Required once
    # PUBLIC_URL is set outside the embedded console demo; changing it signs everyone out.
    secret_key: str | None = None

    @model_validator(mode="after")
    def _dashboard_secret_set(self) -> Settings:
        key = self.secret_key or ""
        if key and (len(key) < SECRET_KEY_MIN or len(set(key)) < 8):
            raise ValueError(f"SECRET_KEY must be at least {SECRET_KEY_MIN} random characters")
        if self.public_url and not key and not self.is_embedded_demo:
            raise ValueError(
                f"SECRET_KEY is required (at least {SECRET_KEY_MIN} random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) once PUBLIC_URL "
                "switches the dashboard on"
            )
        return self

    def dashboard_secret_key(self) -> str:
        """The cookie key; the embedded demo alone runs on a built-in development key."""
        return self.secret_key or DEMO_SECRET_KEY

    @property
    def is_embedded_demo(self) -> bool:
        return self.is_sqlite and not (self.telegram_enabled or self.whatsapp_enabled)

    @field_validator("database_url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_url(value)

    @field_validator(*CLOCK_TIMES, mode="before")
    @classmethod
    def _clock_time(cls, value: Any, info: ValidationInfo) -> time:
        if value in (None, ""):  # DIGEST_AT= in a .env: the default, as before
            return getattr(CLOCK, info.field_name)
        return clock_time(value)  # "7.00" as well as "07:00"

    def runtime(self) -> RuntimeSettings:
        """What the handlers read: the fields of the same names."""
        clock = ClockSettings(**{f.name: getattr(self, f.name) for f in fields(ClockSettings)})
        scalars = {
            f.name: getattr(self, f.name) for f in fields(RuntimeSettings) if f.name != "clock"
        }
        return RuntimeSettings(clock=clock, **scalars)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id)

    # --- webguard: the web app's guard (bot/guard.py) and strong secrets ----------------------
    # A request body over this many bytes is refused (413) unread: Telegram's and Meta's
    # payloads are a few KB.
    max_body_bytes: int = Field(1_000_000, ge=1024)
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (uvicorn's
    # forwarded_allow_ips: comma-separated addresses or networks, "*" for any): from anyone
    # else the header is ignored, so a refusal logs the address that really connected.
    forwarded_allow_ips: str = "127.0.0.1"
    # GET /metrics on PORT answers only `Authorization: Bearer <METRICS_TOKEN>`; without a token
    # the route does not exist there (METRICS_PORT, where set, is a listener of its own).
    metrics_token: str | None = None

    @field_validator(
        "telegram_webhook_secret",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "metrics_token",
        mode="before",
    )
    @classmethod
    def _strong_secret(cls, value: object) -> object:
        """A guessable secret is refused at start-up, not discovered in an incident. Empty
        means unset (the channel then says what it needs)."""
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not SECRET.fullmatch(value):
            raise ValueError(
                "must be 16 to 256 characters of A-Z a-z 0-9 _ - (Telegram's rule); "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value
