"""A project copied into PostgreSQL (`qualkit db copy`) leaves with planner statistics gathered, so a
team's first pages on the moved project are planned for its real size, not for empty tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from qualkit import services
from qualkit.services.database import copy_project_database


def test_a_copy_into_postgresql_is_analysed(project: services.Project, transcript: Path,
                                             postgres_url: str) -> None:
    services.import_sources(project, [transcript])
    copy_project_database(project.config.database_url_for(project.folder), postgres_url)

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            analysed = connection.execute(text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('segments', 'documents') AND schemaname = current_schema()")).all()
    finally:
        engine.dispose()
    assert sorted(analysed) == [("documents", True), ("segments", True)]
