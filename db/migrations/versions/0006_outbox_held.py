"""outbox status 'held': WhatsApp messages waiting for the 24-hour window

Revision ID: 0006wa
Revises: 0004
Create Date: 2026-11-23 19:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006wa"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "status IN ('pending', 'sent', 'failed')"
AFTER = "status IN ('pending', 'sent', 'failed', 'held')"


def _check(condition: str) -> None:
    # SQLite cannot alter a CHECK in place: batch mode rebuilds the table.
    with op.batch_alter_table("outbox", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_outbox_status"), condition)


def upgrade() -> None:
    _check(AFTER)


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'held'")
    _check(BEFORE)
