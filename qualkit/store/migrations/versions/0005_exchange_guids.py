"""GUIDs other programs gave the project's objects (REFI-QDA exchange)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_guids",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=300), nullable=False),
        sa.Column("guid", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=True),
        sa.UniqueConstraint("kind", "ref"),
    )


def downgrade() -> None:
    op.drop_table("exchange_guids")
