"""roles 'camat' and 'pendamping_desa', who coach desa: app_user/invite.kecamatan_id (a camat's
kecamatan) and desa_assignment (the desa of a pendamping desa)

Existing users and invites keep kecamatan_id NULL: no role before this one is bound to a kecamatan.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("petugas", "kader", "kepala_puskesmas", "kades", "dinkes", "pmd", "admin")
NEW = ("camat", "pendamping_desa")
TABLES = ("app_user", "invite")


def _roles(values: tuple[str, ...]) -> str:
    return f"role IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # SQLite cannot alter a CHECK in place: batch mode rebuilds the table.
    for table in TABLES:
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.add_column(sa.Column("kecamatan_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                op.f(f"fk_{table}_kecamatan_id_kecamatan"), "kecamatan", ["kecamatan_id"], ["id"]
            )
            batch_op.drop_constraint(op.f(f"ck_{table}_role"), type_="check")
            batch_op.create_check_constraint(
                op.f(f"ck_{table}_role"), _roles((*OLD[:-1], *NEW, OLD[-1]))
            )
    op.create_table(
        "desa_assignment",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("desa_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_desa_assignment_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["desa_id"], ["desa.id"], name=op.f("fk_desa_assignment_desa_id_desa")
        ),
        sa.PrimaryKeyConstraint("user_id", "desa_id", name=op.f("pk_desa_assignment")),
    )
    with op.batch_alter_table("desa_assignment") as batch_op:
        batch_op.create_index(batch_op.f("ix_desa_assignment_desa_id"), ["desa_id"], unique=False)


def downgrade() -> None:
    # The coaches become deactivated Dinas PMD accounts (the nearest read-only role): their
    # chats and audit entries stay readable; their unused invites go.
    new = ", ".join(repr(v) for v in NEW)
    op.execute(f"UPDATE app_user SET active = false, role = 'pmd' WHERE role IN ({new})")
    op.execute(f"DELETE FROM invite WHERE role IN ({new})")
    op.drop_table("desa_assignment")
    for table in TABLES:
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_role"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_role"), _roles(OLD))
            batch_op.drop_constraint(op.f(f"fk_{table}_kecamatan_id_kecamatan"), type_="foreignkey")
            batch_op.drop_column("kecamatan_id")
