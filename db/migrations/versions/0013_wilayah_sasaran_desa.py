"""puskesmas.kecamatan_status and sasaran.desa_id

The master data says for each puskesmas whether its kecamatan is confirmed by a source,
inferred, or uncertain; only "uncertain" was kept (kecamatan_uncertain), so the 10 inferred ones
read as confirmed. Sasaran may now be per desa (PWS): a desa row carries its puskesmas too, and
two partial unique indexes replace the unique constraint (one row per puskesmas-level target,
one per desa-level target). Old rows are puskesmas-level (desa_id NULL).

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUSKESMAS_LEVEL = sa.text("desa_id IS NULL")
DESA_LEVEL = sa.text("desa_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("puskesmas") as batch_op:
        batch_op.add_column(
            sa.Column(
                "kecamatan_status",
                sa.String(length=12),
                nullable=False,
                server_default="confirmed",
            )
        )
    op.execute(
        "UPDATE puskesmas SET kecamatan_status = 'uncertain' WHERE kecamatan_uncertain = "
        + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
    )
    with op.batch_alter_table("sasaran") as batch_op:
        batch_op.add_column(sa.Column("desa_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_sasaran_desa_id_desa"), "desa", ["desa_id"], ["id"])
        batch_op.drop_constraint(op.f("uq_sasaran_tahun_puskesmas_id_spm"), type_="unique")
    op.create_index(
        "uq_sasaran_puskesmas",
        "sasaran",
        ["tahun", "puskesmas_id", "spm"],
        unique=True,
        sqlite_where=PUSKESMAS_LEVEL,
        postgresql_where=PUSKESMAS_LEVEL,
    )
    op.create_index(
        "uq_sasaran_desa",
        "sasaran",
        ["tahun", "puskesmas_id", "desa_id", "spm"],
        unique=True,
        sqlite_where=DESA_LEVEL,
        postgresql_where=DESA_LEVEL,
    )


def downgrade() -> None:
    op.execute("DELETE FROM sasaran WHERE desa_id IS NOT NULL")
    op.drop_index("uq_sasaran_desa", table_name="sasaran")
    op.drop_index("uq_sasaran_puskesmas", table_name="sasaran")
    with op.batch_alter_table("sasaran") as batch_op:
        batch_op.drop_constraint(op.f("fk_sasaran_desa_id_desa"), type_="foreignkey")
        batch_op.drop_column("desa_id")
        batch_op.create_unique_constraint(
            op.f("uq_sasaran_tahun_puskesmas_id_spm"), ["tahun", "puskesmas_id", "spm"]
        )
    with op.batch_alter_table("puskesmas") as batch_op:
        batch_op.drop_column("kecamatan_status")
