"""Opening a project database: engine settings, migrations to the latest schema, sessions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from qualkit.errors import ConflictError, NumberTooLargeError, ProjectError

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions: a database already there opens without loading Alembic
# and its scripts (every command opens the project). tests/test_services.py keeps it equal to Alembic's.
HEAD = "0009"


# How long a change waits for another's lock (a long import or coder run) before giving up with a
# clear ConflictError, on either database.
LOCK_WAIT_MS = 15000


def _harden_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Per-connection SQLite settings: enforce foreign keys, let readers and one writer share the
    file (several app sessions), wait rather than fail on a lock, and ignore schema-embedded code
    in a project file received from elsewhere."""
    cursor = dbapi_connection.cursor()
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", f"busy_timeout={LOCK_WAIT_MS}",
                   "synchronous=NORMAL", "trusted_schema=OFF"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _bound_postgresql_waits(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """A change waits for another's lock as long as on SQLite, then fails clearly, never for ever."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(LOCK_WAIT_MS)}")
    dbapi_connection.commit()


# PostgreSQL's lock wait timed out, deadlock detected, serialisation failure: the transaction was rolled
# back because of someone else's at the same time.
_BUSY_STATES = {"55P03", "40P01", "40001"}


def _busy(error: OperationalError) -> bool:
    return (getattr(error.orig, "sqlstate", None) in _BUSY_STATES
            or "database is locked" in str(error.orig))


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
    """An engine for `url`, migrated to the latest schema (backing up a SQLite file first). A URL that
    is wrong or unreachable, a database another application uses, or one a newer qualkit wrote is a
    `ProjectError` saying what and how to fix it, and nothing is written to it."""
    try:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":  # the driver qualkit installs, whatever SQLAlchemy's default
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, **_engine_options(parsed))
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        raise ProjectError(f"'{display_url(url) if _parses(url) else url}' is not a database URL qualkit "
                           f"can open ({error}).",
                           "Use sqlite:///path/to/file.db or postgresql://user@host/db.") from error
    event.listen(engine, "before_cursor_execute", _refuse_huge_numbers)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _harden_sqlite)
    elif parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _bound_postgresql_waits)
    try:
        refuse_foreign_code(engine)
        migrate(engine)
    except OperationalError as error:
        engine.dispose()
        raise ProjectError(f"cannot open the project database {display_url(url)} ({_first_line(error)}).",
                           _unreachable_fix(parsed.get_backend_name())) from error
    except DatabaseError as error:  # "file is not a database": a project.db that is something else
        engine.dispose()
        raise ProjectError(f"{parsed.database or url} is not a qualkit project database ({error.orig}).",
                           "Check that this is the project you meant; restore project.db from a backup "
                           "(a project.db.*.bak file beside it) if it was overwritten.") from error
    except ProjectError:
        engine.dispose()
        raise
    return engine


def _engine_options(url: URL) -> dict[str, object]:
    """Settings for a database server: a connection the server dropped (a restart) is replaced rather
    than failing a page, and an unreachable server is reported after ten seconds, not minutes."""
    if url.get_backend_name() != "postgresql":
        return {}
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
    return {"pool_pre_ping": True, "connect_args": connect_args}


def _parses(url: str) -> bool:
    try:
        make_url(url)
    except ArgumentError:
        return False
    return True


def _first_line(error: OperationalError) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)


def _unreachable_fix(backend: str) -> str:
    if backend == "postgresql":
        return ("Check that the PostgreSQL server is running and reachable, and the URL's host, port, user, "
                "password and database name (database_url in qualkit.toml).")
    return "Check the path or URL and that you may write there."


def refuse_foreign_code(engine: Engine) -> None:
    """Refuse a database holding triggers, views or rewrite rules, which qualkit never creates: in a
    project received from elsewhere they could rewrite what is stored or shown (a trigger that rejects
    every redaction would put real names in exports). SQLite's trusted_schema=OFF does not stop
    triggers. On PostgreSQL only the project's schema counts: other schemas are other projects'."""
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        query = "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'view') ORDER BY name"
    elif backend == "postgresql":
        query = ("SELECT 'trigger', t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace "
                 "UNION ALL SELECT 'view', table_name FROM information_schema.views "
                 "WHERE table_schema = current_schema() "
                 "UNION ALL SELECT 'rule', rulename FROM pg_rules WHERE schemaname = current_schema() "
                 "ORDER BY 2")
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


def refuse_other_applications(engine: Engine, revision: str | None) -> None:
    """Refuse a database of another application (a URL one character off, a shared server's default
    database): tables but no schema revision, or a revision but none of qualkit's tables. Migrating
    would add qualkit's tables to it."""
    with engine.connect() as connection:
        tables = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
    if (revision is None and tables) or (revision is not None and "code_assignments" not in tables):
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise ProjectError(
            f"{display_url(engine.url.render_as_string(hide_password=False))} holds tables that are not "
            f"a qualkit project's ({shown}), so it was not opened and nothing was written to it.",
            "Point database_url in qualkit.toml at an empty database (or schema) of its own, or at "
            "the project's own database.")


def migrate(engine: Engine) -> None:
    """Upgrade to the latest schema. A database of another application, or from a newer qualkit (a
    revision this one does not know), is refused before anything is written, backups included; a
    SQLite file is backed up first."""
    revision = stored_revision(engine)
    if revision == HEAD:
        return  # the usual case, decided without Alembic
    refuse_other_applications(engine, revision)
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
    someone else meanwhile (a decision on a suggestion a coder's re-run just replaced), or a lock held by
    someone else past LOCK_WAIT_MS, ends it with a `ConflictError` saying so, and nothing of it is
    written."""
    try:
        with factory() as session, session.begin():
            yield session
    except StaleDataError as error:
        raise ConflictError(
            "someone else changed or replaced what you were deciding on while you did (for example a "
            "coder or anonymisation run replacing its suggestions); nothing of yours was saved.",
            "Look again (reload the page, or list it again) and decide on what is there now.") from error
    except OperationalError as error:
        if not _busy(error):
            raise
        raise ConflictError(
            "the project was busy with someone else's change (a long import or run, or a change waiting "
            f"on yours) for more than {LOCK_WAIT_MS // 1000} s; nothing of yours was saved.",
            "Try again in a moment.") from error
