"""conversation.position: the provider's position of the chat's last applied message

Telegram (with several webhook connections) and Meta may deliver two messages of one chat out of
order. The position (Telegram's message_id, WhatsApp's timestamp) of the last message applied
lets a late one be refused instead of answering the question after it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.add_column(sa.Column("position", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch_op:
        batch_op.drop_column("position")
