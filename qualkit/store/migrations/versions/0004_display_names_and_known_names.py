"""documents' display names; the names participants are known by in the texts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=500), nullable=True))
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("known_names", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("known_names")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("display_name")
