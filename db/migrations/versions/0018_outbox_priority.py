"""outbox.priority: replies before alerts before bulk (db/outbox_classes.py)

Rows already written get the class of their kind (a reply pending at the upgrade stays a
reply); a kind not known is bulk, as the server default is for a writer that does not say.

Revision ID: 0018
Revises: 0010
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration keeps meaning what it meant when it was written.
REPLY_KINDS = ("reply", "notice", "export")
ALERT_KINDS = (
    "klb_alert",
    "death_alert",
    "early_warning",
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


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_index("ix_outbox_class")
        batch_op.drop_column("priority")
