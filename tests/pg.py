"""A throwaway PostgreSQL cluster for tests, CI and the team bench: initdb and pg_ctl in a temporary
folder, run by an unprivileged user (initdb refuses root), listening on a unix socket only, trusting
local connections, removed when stopped.

    python tests/pg.py start     # prints the folder and the server's URL (tab-separated)
    python tests/pg.py stop DIR  # stops the cluster in DIR and removes it
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy loads only for TestDatabase: `.ci/run` starts a cluster before any venv
    from sqlalchemy import Engine

SUPERUSER = "qualkit"
PORT = 5432  # the socket's name only: nothing listens on TCP


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps them versioned), else None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _as_user(user: str | None) -> list[str]:
    """Run a server command as `user` (needed when we are root), as ourselves otherwise."""
    return ["runuser", "-u", user, "--"] if user else []


def _unprivileged() -> str | None:
    return "nobody" if os.geteuid() == 0 else None


def start(parent: str | None = None) -> tuple[Path, str]:
    """Start a fresh cluster; returns its folder and a server URL (database `postgres`). Raises
    RuntimeError saying why when none can be started."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server is installed (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="qualkit-pg-", dir=parent))
    user = _unprivileged()
    if user:
        account = pwd.getpwnam(user)
        os.chown(folder, account.pw_uid, account.pw_gid)
    data = folder / "data"
    run = _as_user(user)
    try:
        subprocess.run([*run, str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
        # A test cluster: durability traded for speed (the data is thrown away), room for the many
        # short-lived connections of a test run and the concurrency tests' processes.
        options = (f"-c listen_addresses='' -c unix_socket_directories={folder} -c port={PORT} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=400 -c shared_buffers=64MB")
        subprocess.run([*run, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                        "-o", options, "-w", "-t", "60", "start"], check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL ({error}; {detail.decode(errors='replace')[-300:]})"
                           ) from error
    return folder, f"postgresql+psycopg://{SUPERUSER}@/postgres?host={folder}&port={PORT}"


def stop(folder: Path) -> None:
    """Stop the cluster in `folder` (immediately: its data is thrown away) and remove the folder."""
    bin_dir = binaries()
    if bin_dir is not None and (folder / "data" / "postmaster.pid").exists():
        subprocess.run([*_as_user(_unprivileged()), str(bin_dir / "pg_ctl"), "-D", str(folder / "data"),
                        "-m", "immediate", "-w", "stop"], check=False, capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class TestDatabase:
    """One database of a test run on a server, holding one schema per project: a schema is created in
    9 ms, a database in 130 ms (measured on the 2-CPU development machine; migrating a new project to
    the head then takes 180 ms either way), and dropping the one database at the end removes them all."""

    url: str
    admin: Engine  # on the server's own database, to create and drop this one

    @classmethod
    def create(cls, server_url: str) -> TestDatabase:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        name = f"qualkit_tests_{os.getpid()}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
        return cls(make_url(server_url).set(database=name).render_as_string(hide_password=False), admin)

    def new_schema(self, schema: str) -> str:
        """A URL whose connections find and create tables in a new, empty schema `schema`."""
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        return schema_url(self.url, schema)

    def drop(self) -> None:
        from sqlalchemy.engine import make_url

        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {make_url(self.url).database} WITH (FORCE)")
        self.admin.dispose()


def schema_url(url: str, schema: str) -> str:
    """`url` with its connections' search path set to `schema` (libpq's `options`)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        try:
            started, url = start()
        except RuntimeError as error:
            raise SystemExit(f"PostgreSQL tests will skip: {error}") from error
        print(f"{started}\t{url}")
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(Path(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
