"""Opening a project database: engine settings, migrations to the latest schema, sessions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from qualkit.errors import ConflictError, NumberTooLargeError, ProjectError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions: a database already there opens without loading Alembic
# and its scripts (every command opens the project). tests/test_services.py keeps it equal to Alembic's.
HEAD = "0007"


def _harden_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Per-connection SQLite settings: enforce foreign keys, let readers and one writer share the
    file (several app sessions), wait rather than fail on a lock, and ignore schema-embedded code
    in a project file received from elsewhere."""
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=15000",
                   "synchronous=NORMAL", "trusted_schema=OFF"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


_INT64 = range(-(2 ** 63), 2 ** 63)


def _refuse_huge_numbers(_conn, _cursor, _statement, parameters, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
    """A number no database column can hold (an id typed as 99999999999999999999) is a clear error
    whatever passed it (CLI, app, files), not an OverflowError from the driver."""
    for value in _values(parameters):
        if type(value) is int and value not in _INT64:
            raise NumberTooLargeError(
                f"the number {str(value)[:30]}{'…' if len(str(value)) > 30 else ''} is too large: ids, "
                "offsets and counts go up to 9223372036854775807.",
                "Check the id or number you gave (see the listing it comes from).")


def _values(parameters: object) -> Iterator[object]:
    """Every value in a statement's parameters (one row or many, tuples or dicts, however batched)."""
    stack = [parameters]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        else:
            yield item


def create_project_engine(url: str) -> Engine:
    """An engine for `url`, migrated to the latest schema (backing up a SQLite file first)."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ProjectError(f"'{url}' is not a database URL.",
                           "Use sqlite:///path/to/file.db or postgresql://user@host/db.") from error
    engine = create_engine(parsed)
    event.listen(engine, "before_cursor_execute", _refuse_huge_numbers)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _harden_sqlite)
    try:
        refuse_foreign_code(engine)
        migrate(engine)
    except OperationalError as error:
        raise ProjectError(f"cannot open the project database ({error.orig}).",
                           "Check the path or URL and that you may write there.") from error
    except DatabaseError as error:  # "file is not a database": a project.db that is something else
        raise ProjectError(f"{parsed.database or url} is not a qualkit project database ({error.orig}).",
                           "Check that this is the project you meant; restore project.db from a backup "
                           "(a project.db.*.bak file beside it) if it was overwritten.") from error
    return engine


def refuse_foreign_code(engine: Engine) -> None:
    """Refuse a database holding triggers or views, which qualkit never creates: in a project
    received from elsewhere they could rewrite what is stored or shown (a trigger that rejects every
    redaction would put real names in exports). SQLite's trusted_schema=OFF does not stop triggers."""
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        query = "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name"
    elif backend == "postgresql":
        query = ("SELECT 'trigger', tgname FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
                 "SELECT 'view', table_name FROM information_schema.views "
                 "WHERE table_schema = current_schema()")
    else:
        return
    with engine.connect() as connection:
        found = [(kind, name) for kind, name in connection.exec_driver_sql(query)]
    if found:
        listed = ", ".join(f"{kind} '{name}'" for kind, name in found)
        drops = " ".join(f"DROP {kind.upper()} \"{name}\";" for kind, name in found)
        raise ProjectError(f"the project database holds code qualkit did not create ({listed}); it could "
                           "change what is stored or shown, such as switching anonymisation off, so the "
                           "project was not opened.",
                           "Ask whoever sent the project for a clean copy, or, if you trust it, remove "
                           f"them (for SQLite: sqlite3 project.db '{drops}').")


def migrate(engine: Engine) -> None:
    """Upgrade to the latest schema. A database from a newer qualkit (a revision this one does not know)
    is refused before anything is written, backups included; a SQLite file is backed up first."""
    if stored_revision(engine) == HEAD:
        return  # the usual case, decided without Alembic
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == head:
            return
        if current is not None:
            try:
                scripts.get_revision(current)
            except CommandError as error:
                raise ProjectError(
                    f"the project database was written by a newer qualkit (schema '{current}'; this "
                    f"qualkit knows up to '{head}'), so it was not opened.",
                    "Upgrade qualkit (pip install -U qualkit) to open it.") from error
        database = engine.url.database
        if current is not None and engine.url.get_backend_name() == "sqlite" and database:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            backup_sqlite(database, f"{database}.{current}.{stamp}.bak")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def stored_revision(engine: Engine) -> str | None:
    """The schema revision the database records (None for a new, empty one)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def backup_sqlite(database: str, target: str) -> None:
    """A consistent copy of a SQLite database, committed data still in its WAL included, through
    SQLite's backup API; written to a temporary name and renamed when complete, so a copy cut short
    (a crash, a full disk) never sits under a backup's name."""
    partial = f"{target}.partial"
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    os.replace(partial, target)


SessionFactory = sessionmaker[Session]  # `factory()` opens a session; layers above hold it as a handle


def session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


def open_database(url: str) -> SessionFactory:
    """Sessions on the project database at `url`, opened (hardened, migrated) once, here: the only place
    an engine is made."""
    return session_factory(create_project_engine(url))


def display_url(url: str) -> str:
    """The database location as people may see it: without any password in it."""
    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """One unit of work: everything inside commits together or not at all. A row changed or removed by
    someone else meanwhile (a decision on a suggestion a coder's re-run just replaced) ends it with a
    `ConflictError` saying so, and nothing of it is written."""
    try:
        with factory() as session, session.begin():
            yield session
    except StaleDataError as error:
        raise ConflictError(
            "someone else changed or replaced what you were deciding on while you did (for example a "
            "coder or anonymisation run replacing its suggestions); nothing of yours was saved.",
            "Look again (reload the page, or list it again) and decide on what is there now.") from error
