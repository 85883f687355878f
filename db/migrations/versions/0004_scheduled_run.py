"""the clock's claims: one row per job and period

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_run")),
        sa.UniqueConstraint("job", "period", name=op.f("uq_scheduled_run_job_period")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_run")
