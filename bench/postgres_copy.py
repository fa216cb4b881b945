"""A PostgreSQL twin of a built SQLite project, for benches that compare the two databases on one corpus.

Building a large corpus (import, a coder run, anonymisation) takes minutes; copying its tables into
PostgreSQL with the same service `qualkit db copy` uses takes seconds, and gives both databases exactly
the same rows (ids included), so their timings compare like for like.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PostgreSQL cluster

import pg  # noqa: E402

from qualkit import services  # noqa: E402
from qualkit.services.database import copy_project_database  # noqa: E402


@contextmanager
def postgres_database(server_url: str | None) -> Iterator[pg.TestDatabase]:
    """A new database on `server_url`, else on `QUALKIT_TEST_POSTGRES_URL`, else on a throwaway cluster
    started here; dropped (and the cluster stopped) on the way out."""
    cluster = None
    server = server_url or os.environ.get("QUALKIT_TEST_POSTGRES_URL")
    if not server:
        cluster, server = pg.start()
    try:
        database = pg.TestDatabase.create(server)
        try:
            yield database
        finally:
            database.drop()
    finally:
        if cluster is not None:
            pg.stop(cluster)


def postgres_twin(project: services.Project, folder: Path, database_url: str) -> services.Project:
    """A project in `folder` whose database is `database_url` (empty), holding a copy of `project`'s
    rows (checked table by table) and of its folder's codebooks."""
    twin = services.init_project(folder, database_url=database_url, name=project.config.name)
    for sub in ("codebooks", "reports"):
        shutil.copytree(project.folder / sub, twin.folder / sub, dirs_exist_ok=True)
    copy_project_database(project.config.database_url_for(project.folder), database_url)
    return services.open_project(folder)
