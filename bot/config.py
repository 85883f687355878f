"""Settings from the environment and an optional .env; built once in the entry point."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from db.database import normalize_url

INVITE_SECRET_MIN = 16


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

    # The clock (handlers/jobs.py): local times in BOT_TIMEZONE, "HH:MM".
    digest_at: str = "07:00"
    report_deadline: str = "16:00"  # a report first received after this is late
    remind_at: str = "14:00"
    quiet_from: str = "20:00"  # no reminders from QUIET_FROM until QUIET_TO
    quiet_to: str = "06:00"
    export_dir: str = "./exports"  # digest charts and XLSX exports

    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v21.0"  # a pinned Graph API version
    whatsapp_messages_per_second: float = 80.0  # the number's throughput (Meta's default)
    whatsapp_templates_file: str | None = None  # default: bot/templates/whatsapp_templates.json

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

    @property
    def is_embedded_demo(self) -> bool:
        return self.is_sqlite and not (self.telegram_enabled or self.whatsapp_enabled)

    @field_validator("database_url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_url(value)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id)
