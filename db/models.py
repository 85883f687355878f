"""Tables. Status columns carry CHECK constraints so 'what is waiting' is a plain query."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# pmd: Dinas Pemberdayaan Masyarakat dan Desa, which oversees dana desa (sees requests, not reports);
# camat and pendamping_desa coach desa (read their requests, decide none); operator_desa keeps a
# desa's accounts
ROLES = (
    "petugas",
    "kader",
    "kepala_puskesmas",
    "kades",
    "dinkes",
    "pmd",
    "camat",
    "pendamping_desa",
    "operator_desa",
    "admin",
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return (
            value.astimezone(UTC)
            if dialect.name != "sqlite"
            else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}


class Kecamatan(Base):
    __tablename__ = "kecamatan"
    id: Mapped[int] = mapped_column(primary_key=True)
    kode: Mapped[str] = mapped_column(String(20), unique=True)
    nama: Mapped[str] = mapped_column(String(100))


class Desa(Base):
    __tablename__ = "desa"
    __table_args__ = (CheckConstraint(_in("jenis", ("desa", "kelurahan")), name="jenis"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kode: Mapped[str] = mapped_column(String(20), unique=True)
    nama: Mapped[str] = mapped_column(String(100), index=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    jenis: Mapped[str] = mapped_column(String(10))


class Puskesmas(Base):
    __tablename__ = "puskesmas"
    id: Mapped[int] = mapped_column(primary_key=True)
    nama: Mapped[str] = mapped_column(String(100), unique=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("kecamatan.id"), index=True)
    kecamatan_uncertain: Mapped[bool] = mapped_column(Boolean, default=False)  # = status uncertain
    # confirmed (a source says so), inferred (from a same-name desa), uncertain (sources differ):
    # anything but confirmed is shown "perlu konfirmasi" (handlers/wilayah)
    kecamatan_status: Mapped[str] = mapped_column(
        String(12), default="confirmed", server_default="confirmed"
    )
    rawat_inap: Mapped[bool] = mapped_column(Boolean, default=False)
    source_note: Mapped[str | None] = mapped_column(Text)


class PuskesmasDesa(Base):
    """The desa a puskesmas serves (its wilayah kerja)."""

    __tablename__ = "puskesmas_desa"
    puskesmas_id: Mapped[int] = mapped_column(ForeignKey("puskesmas.id"), primary_key=True)
    desa_id: Mapped[int] = mapped_column(ForeignKey("desa.id"), primary_key=True, index=True)


class User(Base):
    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    puskesmas_id: Mapped[int | None] = mapped_column(ForeignKey("puskesmas.id"), index=True)
    desa_id: Mapped[int | None] = mapped_column(ForeignKey("desa.id"), index=True)
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("kecamatan.id"))  # a camat's
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(10), default="id")
    created_at: Mapped[datetime]
    reminders_paused_until: Mapped[datetime | None]


class DesaAssignment(Base):
    """The desa a pendamping desa coaches (Place.ASSIGNED): several, changed by the operator."""

    __tablename__ = "desa_assignment"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    desa_id: Mapped[int] = mapped_column(ForeignKey("desa.id"), primary_key=True, index=True)
    created_at: Mapped[datetime]


class ChannelIdentity(Base):
    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    last_inbound_at: Mapped[datetime | None]


class Invite(Base):
    __tablename__ = "invite"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(20))
    puskesmas_id: Mapped[int | None] = mapped_column(ForeignKey("puskesmas.id"))
    desa_id: Mapped[int | None] = mapped_column(ForeignKey("desa.id"))
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("kecamatan.id"))
    link_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # for whom (a roster's invitation: registration confirms the name instead of asking it)
    name: Mapped[str | None] = mapped_column(String(80))
    # a handover: registering deactivates this user (a new kepala puskesmas, a new kades)
    replaces_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class RegistrationAttempt(Base):
    """A wrong invite code, counted per chat for the lockout."""

    __tablename__ = "registration_attempt"
    __table_args__ = (Index("ix_registration_attempt_chat", "channel", "chat_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class Conversation(Base):
    """The one current conversation of a chat; `state` is the engine's State as JSON.

    Updated by every inbound message: keep the columns an update changes out of every index,
    so PostgreSQL updates the row in place (HOT; the table has fillfactor 80 there)."""

    __tablename__ = "conversation"
    __table_args__ = (
        UniqueConstraint("channel", "chat_id"),
        CheckConstraint(_in("status", ("idle", "active", "done", "cancelled")), name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    flow: Mapped[str | None] = mapped_column(String(40))
    flow_version: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="idle")
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    nonce: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    # The provider's position of the last message applied (Incoming.position): an older one
    # arriving after it is late (handlers/core/order.py).
    position: Mapped[int | None] = mapped_column(BigInteger)


class ProcessedInbound(Base):
    __tablename__ = "processed_inbound"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(index=True)


# held: a channel could not show the message yet (WhatsApp's 24-hour window) and sent a notice
# instead; the message goes out when the person writes again.
OUTBOX_STATUSES = ("pending", "sent", "failed", "held")


class Outbox(Base):
    """A message to deliver; written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
        Index("ix_outbox_class", "status", "priority", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # db/outbox_classes.py: 0 reply, 1 alert, 2 bulk (rows written before it: by their kind)
    priority: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(120), index=True)


MEDIA_STATUSES = ("pending", "stored", "refused", "failed")


class MediaItem(Base):
    """An inbound photo or document: the platform's file id until the media worker has fetched,
    checked and kept it in the media store (handlers/core/media.py); `key` names it there."""

    __tablename__ = "media_item"
    __table_args__ = (
        CheckConstraint(_in("status", MEDIA_STATUSES), name="status"),
        UniqueConstraint("channel", "file_id"),
        Index("ix_media_item_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    file_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    keep_location: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    stored_at: Mapped[datetime | None]
    mime: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Append-only: every state change and every refused action."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
