"""codings and redactions keep their ids for good on SQLite (AUTOINCREMENT)

Without it SQLite hands the id of the newest deleted row to the next insert: after a coder re-run
replaced its suggestions, a decision taken on a review card drawn before the run (id 12, once
"repairs" on segment 6) landed on whichever new suggestion got id 12. With AUTOINCREMENT an id
names one row forever, so such a decision finds nothing and says so. PostgreSQL sequences never
reuse ids: nothing to do there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("code_assignments", "redactions")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always",
                                  table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
