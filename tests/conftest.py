"""Shared fixtures: temporary projects and small source files, on SQLite and, for the modules in
BOTH_DATABASES, on PostgreSQL too.

PostgreSQL: the server at QUALKIT_TEST_POSTGRES_URL (`.ci/run` starts one), else a throwaway cluster
started here when the server binaries are installed (tests/pg.py); its tests skip, saying why, only
where neither is there. The run gets one database of its own; every project created in it
(`services.init_project` without a database URL) gets a fresh schema, which is much cheaper than a
database per project.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pg
import pytest

from qualkit import services
from qualkit.coders import embeddings

from coding_doubles import BagOfWordsEmbedder

# The store, services, migration, agreement, anonymisation, report, concurrency and account tests (a
# team server's database is PostgreSQL) run on both databases; the rest (ingestion, coders, app, REFI
# files, ...) reach the database through the same services and stay on SQLite to keep CI short.
BOTH_DATABASES = ("test_services.py", "test_coding_services.py", "test_anonymisation_services.py",
                  "test_agreement.py", "test_memos.py", "reports/", "test_postgres.py", "test_concurrency.py",
                  "test_accounts.py")
# Tests that open the SQLite file itself (project.db, sqlite3): there is none on PostgreSQL.
SQLITE_FILE_TESTS = ("test_init_is_safe_to_rerun", "test_a_received_project_with_a_trigger_is_refused",
                     "test_sqlite_file_opened_from_elsewhere_is_hardened")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    path = metafunc.definition.path.as_posix()
    if (any(path.endswith(name) or f"/{name}" in path for name in BOTH_DATABASES)
            and metafunc.definition.originalname not in SQLITE_FILE_TESTS):
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server URL: the CI's, else a cluster of this run's own (stopped at the end)."""
    url = os.environ.get("QUALKIT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        folder, url = pg.start()
    except RuntimeError as error:
        pytest.skip(f"PostgreSQL tests need a server: set QUALKIT_TEST_POSTGRES_URL or install "
                    f"PostgreSQL ({error})")
    try:
        yield url
    finally:
        pg.stop(folder)


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[pg.TestDatabase]:
    """A database for this test run on the server, dropped at the end."""
    database = pg.TestDatabase.create(postgres_server)
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture(scope="session", autouse=True)
def database(request: pytest.FixtureRequest) -> Iterator[str]:
    """The database projects are created in: "sqlite" (a file in the project folder, the default) or,
    where parametrised, "postgresql" (a fresh schema per project in the run's PostgreSQL database)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield kind
        return
    test_database: pg.TestDatabase = request.getfixturevalue("postgres_database")
    real = services.init_project
    names = (f"p{n}" for n in itertools.count())

    def init_project(folder: Path, *, database_url: str | None = None, name: str | None = None
                     ) -> services.Project:
        if database_url is None and not (folder / "qualkit.toml").exists():
            database_url = test_database.new_schema(next(names))
        return real(folder, database_url=database_url, name=name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "init_project", init_project)
        yield kind


@pytest.fixture
def postgres_url(postgres_database: pg.TestDatabase, request: pytest.FixtureRequest) -> str:
    """A URL to a fresh, empty schema on the test PostgreSQL server."""
    return postgres_database.new_schema(f"t{abs(hash(request.node.nodeid))}")


@pytest.fixture
def project(tmp_path: Path, database: str) -> services.Project:
    return services.init_project(tmp_path / "proj")


@pytest.fixture
def transcript(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "kw_interview.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Evaluation interview 1\nDate of interview: 5 February 2024\n\n"
        "Interviewer: How did you first meet the family?\n\n"
        "Keyworker C: Erm, through a referral. Mum didn't open the door at first.\n\n"
        "Interviewer: And then?\n\n"
        "Keyworker C: Then we built trust, slowly. It took weeks.\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> BagOfWordsEmbedder:
    """Stands in for MiniLM inside the services' cached embedder (fast, predictable vectors)."""
    fake = BagOfWordsEmbedder()
    monkeypatch.setattr(embeddings, "MiniLMEmbedder", lambda: fake)
    return fake
