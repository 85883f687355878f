"""posyandu master data; a report's place (gedung, desa, posyandu) and its reporter in the slot

Reports from different people or places add up; only the same person's report for the same
place and period replaces (a correction). Old rows: a report without a desa was the whole
puskesmas (gedung), one with a desa a desa report.

Revision ID: 0011
Revises: 0016
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SLOT = ["puskesmas_id", "klaster", "period_start", sa.text("coalesce(desa_id, 0)")]
NEW_SLOT = [
    "puskesmas_id",
    "klaster",
    "period_start",
    "place",
    sa.text("coalesce(desa_id, 0)"),
    sa.text("coalesce(posyandu_id, 0)"),
    "user_id",
]


def _slot_index(columns) -> None:
    """Outside batch mode: SQLite's batch copy cannot reflect an expression index."""
    op.create_index(
        "uq_report_current_slot",
        "report",
        columns,
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def upgrade() -> None:
    op.create_table(
        "posyandu",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("desa_id", sa.Integer(), nullable=False),
        sa.Column("nama", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["desa_id"], ["desa.id"], name=op.f("fk_posyandu_desa_id_desa")),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"], ["puskesmas.id"], name=op.f("fk_posyandu_puskesmas_id_puskesmas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posyandu")),
        sa.UniqueConstraint(
            "puskesmas_id", "desa_id", "nama", name=op.f("uq_posyandu_puskesmas_id_desa_id_nama")
        ),
    )
    with op.batch_alter_table("posyandu") as batch_op:
        batch_op.create_index(batch_op.f("ix_posyandu_puskesmas_id"), ["puskesmas_id"])
    op.drop_index("uq_report_current_slot", table_name="report")
    with op.batch_alter_table("report") as batch_op:
        batch_op.add_column(
            sa.Column("place", sa.String(length=10), server_default="gedung", nullable=False)
        )
        batch_op.add_column(sa.Column("posyandu_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_posyandu_id_posyandu"), "posyandu", ["posyandu_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_report_place"), sa.text("place IN ('gedung', 'desa', 'posyandu')")
        )
    op.execute("UPDATE report SET place = 'desa' WHERE desa_id IS NOT NULL")
    _slot_index(NEW_SLOT)


def downgrade() -> None:
    """Back to one slot per (puskesmas, klaster, day, desa): of the reports that now add up in
    one old slot, the latest stays current and the others become history (run
    `db.totals.rebuild` afterwards: the running totals still count them)."""
    op.drop_index("uq_report_current_slot", table_name="report")
    op.execute(
        "UPDATE report SET is_current = false WHERE is_current AND id < ("
        "SELECT max(r.id) FROM report r WHERE r.is_current"
        " AND r.puskesmas_id = report.puskesmas_id AND r.klaster = report.klaster"
        " AND r.period_start = report.period_start"
        " AND coalesce(r.desa_id, 0) = coalesce(report.desa_id, 0))"
    )
    with op.batch_alter_table("report") as batch_op:
        batch_op.drop_constraint(op.f("ck_report_place"), type_="check")
        batch_op.drop_constraint(op.f("fk_report_posyandu_id_posyandu"), type_="foreignkey")
        batch_op.drop_column("posyandu_id")
        batch_op.drop_column("place")
    _slot_index(OLD_SLOT)
    with op.batch_alter_table("posyandu") as batch_op:
        batch_op.drop_index(batch_op.f("ix_posyandu_puskesmas_id"))
    op.drop_table("posyandu")
