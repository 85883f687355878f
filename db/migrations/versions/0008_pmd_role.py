"""role 'pmd': Dinas PMD staff, who oversee dana desa requests

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 03:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "role IN ('petugas', 'kader', 'kepala_puskesmas', 'kades', 'dinkes', 'admin')"
AFTER = "role IN ('petugas', 'kader', 'kepala_puskesmas', 'kades', 'dinkes', 'pmd', 'admin')"
TABLES = ("app_user", "invite")


def _check(condition: str) -> None:
    # SQLite cannot alter a CHECK in place: batch mode rebuilds the table.
    for table in TABLES:
        with op.batch_alter_table(table, recreate="auto") as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_role"), type_="check")
            batch_op.create_check_constraint(op.f(f"ck_{table}_role"), condition)


def upgrade() -> None:
    _check(AFTER)


def downgrade() -> None:
    op.execute("UPDATE app_user SET active = false WHERE role = 'pmd'")
    op.execute("DELETE FROM invite WHERE role = 'pmd'")
    op.execute("UPDATE app_user SET role = 'dinkes' WHERE role = 'pmd'")
    _check(BEFORE)
