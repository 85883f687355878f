"""invite.name and invite.replaces_user_id: invitations from a roster, and role handovers

A roster import names each invitation for its person (registration then asks "Apakah Anda
{nama}?" instead of the name) and finds it again by person and place, so a second import
creates nothing. An invitation that hands a role over (a new kepala puskesmas, a new kepala
desa after the pilkades) names the user it replaces: registering deactivates that one.
Old rows: no name, replacing nobody.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invite") as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(80), nullable=True))
        batch_op.add_column(sa.Column("replaces_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_invite_replaces_user_id_app_user", "app_user", ["replaces_user_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("invite") as batch_op:
        batch_op.drop_constraint("fk_invite_replaces_user_id_app_user", type_="foreignkey")
        batch_op.drop_column("replaces_user_id")
        batch_op.drop_column("name")
