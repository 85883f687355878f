"""dana desa: the decision's budget route and year, the RAB, the desa's realisasi and the
puskesmas's output; role 'operator_desa'. Rows from before read route 'tidak_tercatat'.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = (
    "role IN ('petugas', 'kader', 'kepala_puskesmas', 'kades', 'dinkes', 'pmd', 'camat', "
    "'pendamping_desa', 'admin')"
)
ROLES_AFTER = (
    "role IN ('petugas', 'kader', 'kepala_puskesmas', 'kades', 'dinkes', 'pmd', 'camat', "
    "'pendamping_desa', 'operator_desa', 'admin')"
)
STATUS_BEFORE = (
    "status IN ('diajukan', 'disetujui', 'disetujui_sebagian', 'ditolak', 'perlu_revisi', "
    "'dibatalkan', 'selesai')"
)
STATUS_AFTER = (
    "status IN ('diajukan', 'disetujui', 'disetujui_sebagian', 'ditolak', 'perlu_revisi', "
    "'diusulkan_rkp', 'dibatalkan', 'selesai')"
)
ROUTE = "rute IS NULL OR rute IN ('apbdes', 'perubahan', 'btt', 'rkp', 'tidak_tercatat')"
COLUMNS = (
    ("rute", sa.String(length=20)),
    ("tahun_anggaran", sa.Integer()),
    ("kegiatan_apbdes", sa.String(length=20)),
    ("volume", sa.String(length=200)),
    ("pelaksana", sa.String(length=30)),
    ("rab_foto", sa.String(length=300)),
    ("realisasi_spj", sa.String(length=200)),
    ("realisasi_by", sa.Integer()),
    ("hasil_terlayani", sa.Integer()),
    ("hasil_tanggal", sa.Date()),
    ("hasil_by", sa.Integer()),
)
USERS = ("realisasi_by", "hasil_by")


def _roles(condition: str) -> None:
    # SQLite cannot alter a CHECK in place: batch mode rebuilds the table.
    for table in ("app_user", "invite"):
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_role"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_role"), condition)


def upgrade() -> None:
    _roles(ROLES_AFTER)
    with op.batch_alter_table("dana_request", recreate="auto") as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
        for name in USERS:
            batch_op.create_foreign_key(
                op.f(f"fk_dana_request_{name}_app_user"), "app_user", [name], ["id"]
            )
        batch_op.drop_constraint(op.f("ck_dana_request_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_dana_request_status"), STATUS_AFTER)
        batch_op.create_check_constraint(op.f("ck_dana_request_rute"), ROUTE)
    # Decided (or waiting) before routes existed: readable, honestly "not recorded".
    op.execute("UPDATE dana_request SET rute = 'tidak_tercatat'")


def downgrade() -> None:
    op.execute("UPDATE app_user SET active = false WHERE role = 'operator_desa'")
    op.execute("DELETE FROM invite WHERE role = 'operator_desa'")
    op.execute("UPDATE app_user SET role = 'kader' WHERE role = 'operator_desa'")
    op.execute("UPDATE dana_request SET status = 'diajukan' WHERE status = 'diusulkan_rkp'")
    with op.batch_alter_table("dana_request", recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_dana_request_rute"), type_="check")
        batch_op.drop_constraint(op.f("ck_dana_request_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_dana_request_status"), STATUS_BEFORE)
        for name in USERS:
            batch_op.drop_constraint(op.f(f"fk_dana_request_{name}_app_user"), type_="foreignkey")
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
    _roles(ROLES_BEFORE)
