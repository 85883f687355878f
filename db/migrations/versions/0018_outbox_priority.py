"""outbox.priority: replies before alerts before bulk (db/outbox_classes.py); media_item:
inbound photos and documents kept in the media store (handlers/core/media.py)

Rows already written get the class of their kind (a reply pending at the upgrade stays a
reply); a kind not known is bulk, as the server default is for a writer that does not say.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration keeps meaning what it meant when it was written.
REPLY_KINDS = ("reply", "notice", "export")
ALERT_KINDS = (
    "klb_alert",
    "death_alert",
    "ews_alert",
    "link",
    "dana_kades",
    "dana_requester",
    "dana_dinkes",
    "dana_info",
    "dana_escalation",
)


def _in(kinds: tuple[str, ...]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(
            sa.Column("priority", sa.SmallInteger(), server_default="2", nullable=False)
        )
        batch_op.create_index(
            "ix_outbox_class", ["status", "priority", "next_attempt_at"], unique=False
        )
    op.execute(f"UPDATE outbox SET priority = 0 WHERE kind IN ({_in(REPLY_KINDS)})")
    op.execute(f"UPDATE outbox SET priority = 1 WHERE kind IN ({_in(ALERT_KINDS)})")
    _media_item()


def _media_item() -> None:
    op.create_table(
        "media_item",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("file_id", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("keep_location", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mime", sa.String(length=100), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'stored', 'refused', 'failed')",
            name=op.f("ck_media_item_status"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_media_item_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_item")),
        sa.UniqueConstraint("channel", "file_id", name=op.f("uq_media_item_channel_file_id")),
    )
    op.create_index("ix_media_item_due", "media_item", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_media_item_due", table_name="media_item")
    op.drop_table("media_item")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_class")
        batch_op.drop_column("priority")
