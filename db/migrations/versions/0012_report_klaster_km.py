"""report.klaster may be "km": the deaths and suspected outbreak form

Deaths and a community outbreak are reported as they happen (conversations/forms/kematian.py),
in a report slot of their own. Old rows keep their klaster. The downgrade removes the "km"
reports (their values and running totals) so the old constraint holds again.

Revision ID: 0012
Revises: 0019
Create Date: 2026-12-06 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "klaster IN ('1', '2', '3', '4', 'lk')"
NEW = "klaster IN ('1', '2', '3', '4', 'lk', 'km')"
KM_CODES = ("KMATIBU", "KMATNEO", "KMATBAYI", "KMATBALITA", "DKLB", "DKLBKASUS", "DKLBMATI")


def _check(rule: str) -> None:
    # SQLite rebuilds the table for a new CHECK; its expression index is not carried over by
    # the copy, so it is dropped before and made again after.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.drop_index("uq_report_current_slot", table_name="report")
    with op.batch_alter_table("report") as batch_op:
        batch_op.drop_constraint(op.f("ck_report_klaster"), type_="check")
        batch_op.create_check_constraint(op.f("ck_report_klaster"), rule)
    if sqlite:
        op.create_index(
            "uq_report_current_slot",
            "report",
            ["puskesmas_id", "klaster", "period_start", sa.text("coalesce(desa_id, 0)")],
            unique=True,
            sqlite_where=sa.text("is_current"),
        )


def upgrade() -> None:
    _check(NEW)


def downgrade() -> None:
    km = "SELECT id FROM report WHERE klaster = 'km'"
    op.execute(f"DELETE FROM report_value WHERE report_id IN ({km})")
    op.execute("UPDATE report SET replaces_id = NULL WHERE klaster = 'km'")
    op.execute("DELETE FROM report WHERE klaster = 'km'")
    codes = ", ".join(f"'{code}'" for code in KM_CODES)
    for table in ("total_day", "total_all_day", "total_year"):
        op.execute(f"DELETE FROM {table} WHERE indicator IN ({codes})")
    _check(OLD)
