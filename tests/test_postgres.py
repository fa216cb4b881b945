"""The database under a project, on SQLite and PostgreSQL alike: migrations from an empty database,
bad input (a wrong or unreachable URL, another application's database, a newer qualkit's project)
refused with a clear error and nothing written, and a project moved between the two databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from qualkit import services
from qualkit.errors import ProjectError
from qualkit.services.database import copy_project_database
from qualkit.store.database import HEAD, create_project_engine, stored_revision
from qualkit.store.schema import Base

from coding_doubles import BagOfWordsEmbedder, write_sources


@pytest.fixture
def empty_url(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A new, empty database of the kind under test."""
    if database == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_url")


def tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_migrations_from_an_empty_database_match_the_tables(empty_url: str) -> None:
    engine = create_project_engine(empty_url)
    assert stored_revision(engine) == HEAD
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


@pytest.mark.parametrize(("url", "says"), [
    ("not a url", "is not a database URL"),
    ("mysql+nodriver://someone@localhost/db", "is not a database URL"),
    ("postgresql://someone:secret@127.0.0.1:1/nothing", "PostgreSQL server is running"),
])
def test_a_wrong_or_unreachable_url_is_a_clear_error_without_its_password(url: str, says: str) -> None:
    with pytest.raises(ProjectError, match=says) as raised:
        create_project_engine(url)
    assert "secret" not in str(raised.value)


def test_a_plain_postgresql_url_uses_psycopg_3(database: str, request: pytest.FixtureRequest) -> None:
    if database != "postgresql":
        pytest.skip("a PostgreSQL URL's driver")
    postgres_url = request.getfixturevalue("postgres_url")
    engine = create_project_engine(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_a_database_missing_on_a_reachable_server_names_the_fix(database: str, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'project.db'}"
        fix = "Check the path"
    else:
        url = request.getfixturevalue("postgres_url").replace("/qualkit_tests_", "/missing_")
        fix = "database name"
    with pytest.raises(ProjectError, match=f"cannot open the project database.*{fix}"):
        services.init_project(tmp_path / "p", database_url=url)


def test_another_applications_database_is_refused_and_left_alone(empty_url: str, tmp_path: Path) -> None:
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
        connection.execute(text("INSERT INTO invoices VALUES (1, 250)"))
    engine.dispose()
    with pytest.raises(ProjectError, match=r"holds tables that are not a qualkit project's \(invoices\)"
                                           r".*nothing was written.*empty database"):
        services.init_project(tmp_path / "p", database_url=empty_url)
    assert tables(empty_url) == ["invoices"]


def test_another_application_using_alembic_too_is_not_taken_for_a_newer_qualkit(empty_url: str) -> None:
    engine = create_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('ae1027a6acf')"))
        connection.execute(text("CREATE TABLE orders (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(ProjectError, match=r"not a qualkit project's \(orders\)"):
        create_project_engine(empty_url)
    assert tables(empty_url) == ["alembic_version", "orders"]


def test_a_project_from_a_newer_qualkit_is_refused_and_left_alone(project: services.Project) -> None:
    url = project.config.database_url_for(project.folder)
    with project.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    before = tables(url)
    with pytest.raises(ProjectError, match=r"newer qualkit \(schema '0099'; this qualkit knows up to "
                                           rf"'{HEAD}'\).*Upgrade qualkit"):
        services.project_status(services.open_project(project.folder))
    assert tables(url) == before
    assert stored_revision(create_engine(url)) == "0099"
    assert not list(project.folder.glob("*.bak"))  # not even a backup written


def test_a_trigger_in_a_postgresql_project_is_refused_but_not_one_in_another_project(
        project: services.Project, database: str, postgres_url: str) -> None:
    if database != "postgresql":
        pytest.skip("SQLite's case is tests/test_anonymisation_services.py's")
    other = services.init_project(project.folder.parent / "other", database_url=postgres_url)
    with project.transaction() as session:
        session.execute(text("CREATE FUNCTION hide() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN NEW.status := 'rejected'; RETURN NEW; END $$"))
        session.execute(text("CREATE TRIGGER reveal BEFORE INSERT ON redactions "
                             "FOR EACH ROW EXECUTE FUNCTION hide()"))
    with pytest.raises(ProjectError, match=r"trigger 'reveal'.*not opened"):
        services.project_status(services.open_project(project.folder))
    assert services.project_status(services.open_project(other.folder)).documents == 0


def coded_project(project: services.Project, sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows in every table a project fills as it is used: documents, codings decided and suggested,
    events, embeddings, anonymisation, memos."""
    codebook, units = write_sources(sources)
    interview = sources / "visit.txt"
    interview.write_text("Interviewer: Who helped?\n\nMum: Dr Okafor came to our flat on Mill Lane "
                         "every week, and Jayden liked her.\n", encoding="utf-8")
    services.import_sources(project, [units, interview])
    services.import_codebook(project, codebook)
    monkeypatch.setattr("qualkit.coders.embeddings.MiniLMEmbedder", BagOfWordsEmbedder)
    services.run_coder(project, "testkeyword.v1")
    queue = services.review_queue(project, limit=4)
    services.decide_many(project, accept=[queue[0].id, queue[1].id], reject=[queue[2].id], reviewer="Ana")
    services.anonymise_project(project)


def test_a_project_moves_to_the_other_database_and_back_unchanged(
        project: services.Project, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest) -> None:
    coded_project(project, tmp_path / "src", monkeypatch)
    source = project.config.database_url_for(project.folder)
    other = (f"sqlite:///{tmp_path / 'moved.db'}" if database == "postgresql"
             else request.getfixturevalue("postgres_url"))
    copies = copy_project_database(source, other)
    by_table = {copy.table: copy for copy in copies}
    assert {table.name for table in Base.metadata.sorted_tables} == set(by_table)
    for table in ("documents", "segments", "code_assignments", "events", "embeddings", "redactions"):
        assert by_table[table].copied_rows > 0, table
    assert all(copy.same for copy in copies)
    moved = services.init_project(tmp_path / "moved", database_url=other)
    assert services.review_queue(moved, limit=100) == services.review_queue(project, limit=100)
    assert services.project_status(moved).segments == services.project_status(project).segments
    segment = next(iter(services.iter_segments(moved))).id
    services.add_coding(moved, segment, "trust", "Ben")  # new rows get new ids after the copied ones
    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert all(copy.same for copy in copy_project_database(other, back))


def test_a_copy_into_a_database_holding_a_project_writes_nothing(project: services.Project,
                                                                   transcript: Path, tmp_path: Path) -> None:
    services.import_sources(project, [transcript])
    target = services.init_project(tmp_path / "target")
    services.import_sources(target, [transcript])
    target_url = target.config.database_url_for(target.folder)
    with pytest.raises(ProjectError, match=r"already holds a project .*documents.*nothing was copied"):
        copy_project_database(project.config.database_url_for(project.folder), target_url)
    assert services.project_status(target).documents == 1
    with pytest.raises(ProjectError, match="same database"):
        copy_project_database(target_url, target_url)


def test_a_copy_that_differs_from_its_source_is_an_error(project: services.Project, transcript: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    services.import_sources(project, [transcript])
    import qualkit.store.copy as copying

    written = copying._for_target

    def altered(row: dict[str, object], target: object) -> dict[str, object]:
        row = written(row, target)
        return {**row, "text": row["text"].replace("trust", "TRUST")} if "word_count" in row else row

    monkeypatch.setattr(copying, "_for_target", altered)
    with pytest.raises(ProjectError, match=r"differs from the source in documents\b"):
        copy_project_database(project.config.database_url_for(project.folder),
                              f"sqlite:///{tmp_path / 'copy.db'}")


def test_qualkit_db_copy_prints_every_tables_count_and_checksum(project: services.Project, transcript: Path,
                                                                database: str, tmp_path: Path,
                                                                request: pytest.FixtureRequest) -> None:
    from typer.testing import CliRunner

    from qualkit.cli import app

    services.import_sources(project, [transcript])
    source = project.config.database_url_for(project.folder)
    other = (f"sqlite:///{tmp_path / 'moved.db'}" if database == "postgresql"
             else request.getfixturevalue("postgres_url"))
    result = CliRunner().invoke(app, ["db", "copy", source, other])
    assert result.exit_code == 0, result.output
    assert "documents: 1 of 1 rows, sha256 " in result.output
    assert f"Copied {len(Base.metadata.tables)} tables; every row count and checksum matches" in result.output
    again = CliRunner().invoke(app, ["db", "copy", source, other])
    assert again.exit_code == 1 and "already holds a project" in " ".join(again.output.split())


def test_a_change_kept_waiting_by_another_past_the_limit_is_a_clear_conflict(
        project: services.Project, transcript: Path, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from qualkit.errors import ConflictError

    monkeypatch.setattr("qualkit.store.database.LOCK_WAIT_MS", 300)
    opened = services.open_project(project.folder)  # new connections: the shorter wait applies
    url = project.config.database_url_for(project.folder)
    if database == "sqlite":
        holder = sqlite3.connect(project.folder / "project.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's long write
        release = holder.close
    else:
        engine = create_engine(url)
        connection = engine.connect()
        connection.execute(text("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE"))

        def release() -> None:
            connection.close()
            engine.dispose()
    try:
        with pytest.raises(ConflictError, match=r"busy with someone else's change .* nothing of yours was "
                                                r"saved\. Try again in a moment\."):
            services.import_sources(opened, [transcript])
    finally:
        release()
    assert services.project_status(opened).documents == 0
    services.import_sources(opened, [transcript])
    assert services.project_status(opened).documents == 1
