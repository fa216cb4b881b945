"""code_assignments: an index on (code_id, status), so one code's accepted codings are read directly

The Themes page reads the accepted codings of one code at a time; with only the status index a
database walks every accepted coding to find one code's (30,000 rows at 30,000 segments).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 05:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_code_assignments_code_status", "code_assignments", ["code_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_code_assignments_code_status", table_name="code_assignments")
