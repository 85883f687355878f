"""conversation: drop the unused (status, updated_at) index, leave room on each page

Every inbound message updates its chat's conversation row. With `updated_at` in an index,
PostgreSQL cannot update it in place (a HOT update): each update wrote a new entry into every
index of the table, so more WAL and more dirty pages per message. No query reads that index.
On PostgreSQL, pages are also filled to 80 %, so the new version of a row fits beside the old.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_index("ix_conversation_status_updated")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE conversation SET (fillfactor = 80)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE conversation RESET (fillfactor)")
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.create_index("ix_conversation_status_updated", ["status", "updated_at"])
