"""running totals of report values for the digest: total_day, total_all_day, total_year

Revision ID: 0007
Revises: 0006wa (after 0002: the totals are filled from the reports)
Create Date: 2026-11-24 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006wa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0002"

CURRENT = "FROM report r JOIN report_value v ON v.report_id = r.id WHERE r.is_current"


def upgrade() -> None:
    op.create_table(
        "total_day",
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"], ["puskesmas.id"], name=op.f("fk_total_day_puskesmas_id_puskesmas")
        ),
        sa.PrimaryKeyConstraint("puskesmas_id", "day", "indicator", name=op.f("pk_total_day")),
    )
    with op.batch_alter_table("total_day", schema=None) as batch_op:
        batch_op.create_index("ix_total_day_day", ["day", "indicator"], unique=False)
    op.create_table(
        "total_all_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "indicator", name=op.f("pk_total_all_day")),
    )
    op.create_table(
        "total_year",
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"], ["puskesmas.id"], name=op.f("fk_total_year_puskesmas_id_puskesmas")
        ),
        sa.PrimaryKeyConstraint("puskesmas_id", "tahun", "indicator", name=op.f("pk_total_year")),
    )
    # Reports stored before this revision: their totals, once.
    op.execute(
        "INSERT INTO total_day (puskesmas_id, day, indicator, total) "
        f"SELECT r.puskesmas_id, r.period_start, v.indicator, sum(v.value) {CURRENT} "
        "GROUP BY r.puskesmas_id, r.period_start, v.indicator"
    )
    op.execute(
        "INSERT INTO total_all_day (day, indicator, total) "
        "SELECT day, indicator, sum(total) FROM total_day GROUP BY day, indicator"
    )
    year = (
        "CAST(strftime('%Y', day) AS INTEGER)"
        if op.get_bind().dialect.name == "sqlite"
        else "CAST(extract(year FROM day) AS INTEGER)"
    )
    op.execute(
        "INSERT INTO total_year (puskesmas_id, tahun, indicator, total) "
        f"SELECT puskesmas_id, {year}, indicator, sum(total) FROM total_day "
        f"GROUP BY puskesmas_id, {year}, indicator"
    )


def downgrade() -> None:
    op.drop_table("total_year")
    op.drop_table("total_all_day")
    op.drop_table("total_day")
