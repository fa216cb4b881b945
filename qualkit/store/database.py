"""Opening a project database: engine settings, migrations to the latest schema, sessions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from qualkit.errors import ProjectError

MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _harden_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Per-connection SQLite settings: enforce foreign keys, let readers and one writer share the
    file (several app sessions), wait rather than fail on a lock, and ignore schema-embedded code
    in a project file received from elsewhere."""
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=15000",
                   "synchronous=NORMAL", "trusted_schema=OFF"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def create_project_engine(url: str) -> Engine:
    """An engine for `url`, migrated to the latest schema (backing up a SQLite file first)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ProjectError(f"'{url}' is not a database URL.",
                           "Use sqlite:///path/to/file.db or postgresql://user@host/db.") from error
    engine = create_engine(parsed)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _harden_sqlite)
    try:
        migrate(engine)
    except OperationalError as error:
        raise ProjectError(f"cannot open the project database ({error.orig}).",
                           "Check the path or URL and that you may write there.") from error
    return engine


def migrate(engine: Engine) -> None:
    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        database = engine.url.database
        if current is not None and engine.url.get_backend_name() == "sqlite" and database:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            shutil.copy2(database, f"{database}.{current}.{stamp}.bak")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: everything inside commits together or not at all."""
    with factory() as session, session.begin():
        yield session
