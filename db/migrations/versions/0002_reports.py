"""ILP cluster reports: report (versioned), report_value, report_unlock, sasaran

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref_day", sa.Date(), nullable=False),
        sa.Column("ref_seq", sa.Integer(), nullable=False),
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("desa_id", sa.Integer(), nullable=True),
        sa.Column("klaster", sa.String(length=2), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("klb", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.CheckConstraint("klaster IN ('1', '2', '3', '4', 'lk')", name=op.f("ck_report_klaster")),
        sa.ForeignKeyConstraint(["desa_id"], ["desa.id"], name=op.f("fk_report_desa_id_desa")),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"], ["puskesmas.id"], name=op.f("fk_report_puskesmas_id_puskesmas")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["report.id"], name=op.f("fk_report_replaces_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_report_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("ref_day", "ref_seq", name=op.f("uq_report_ref_day_ref_seq")),
    )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.create_index("ix_report_klb", ["klb", "received_at"], unique=False)
        batch_op.create_index(
            "ix_report_puskesmas_period", ["puskesmas_id", "period_start"], unique=False
        )
        batch_op.create_index("ix_report_user", ["user_id", "id"], unique=False)
        batch_op.create_index(
            "uq_report_current_slot",
            ["puskesmas_id", "klaster", "period_start", sa.text("coalesce(desa_id, 0)")],
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        )

    op.create_table(
        "report_value",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_value_report_id_report")
        ),
        sa.PrimaryKeyConstraint("report_id", "indicator", name=op.f("pk_report_value")),
    )
    op.create_table(
        "report_unlock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"],
            ["puskesmas.id"],
            name=op.f("fk_report_unlock_puskesmas_id_puskesmas"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_report_unlock_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_unlock")),
    )
    with op.batch_alter_table("report_unlock", schema=None) as batch_op:
        batch_op.create_index("ix_report_unlock_puskesmas", ["puskesmas_id", "until"], unique=False)

    op.create_table(
        "sasaran",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("puskesmas_id", sa.Integer(), nullable=False),
        sa.Column("spm", sa.String(length=30), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["puskesmas_id"], ["puskesmas.id"], name=op.f("fk_sasaran_puskesmas_id_puskesmas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sasaran")),
        sa.UniqueConstraint(
            "tahun", "puskesmas_id", "spm", name=op.f("uq_sasaran_tahun_puskesmas_id_spm")
        ),
    )
    with op.batch_alter_table("sasaran", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sasaran_puskesmas_id"), ["puskesmas_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sasaran")
    op.drop_table("report_unlock")
    op.drop_table("report_value")
    op.drop_table("report")
