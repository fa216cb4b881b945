"""Moving a project to another database: a laptop's SQLite file to the team's PostgreSQL server, or a
server's project back into a file."""

from __future__ import annotations

from qualkit.errors import ProjectError
from qualkit.store.copy import TableCopy, copy_database
from qualkit.store.database import display_url


def copy_project_database(source_url: str, target_url: str) -> list[TableCopy]:
    """Copy the project at `source_url` into the new, empty database at `target_url`, then compare every
    table's row count and checksum; returns them per table. A copy that differs anywhere is an error
    (discard the destination then). The source is only read, once it is at this qualkit's schema (an
    older one is migrated first, a SQLite file backed up before)."""
    copies = copy_database(source_url, target_url)
    differ = [copy.table for copy in copies if not copy.same]
    if differ:
        raise ProjectError(f"the copy in {display_url(target_url)} differs from the source in "
                           f"{', '.join(differ)}, so it cannot be trusted.",
                           "Discard the destination database and copy again; report it if it recurs.")
    return copies
