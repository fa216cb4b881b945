"""Use cases end to end over a real SQLite project: import, participants, groups, export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select

from qualkit import services
from qualkit.errors import NotFoundError, ProjectError, SheetError
from qualkit.store import repository
from qualkit.store.database import HEAD, MIGRATIONS, create_project_engine, display_url, stored_revision
from qualkit.store.schema import Base, DocumentRow, EventRow, SegmentRow


def count(project: services.Project, column) -> int:  # type: ignore[no-untyped-def]
    with project.sessions() as session:
        return session.scalar(select(func.count(column))) or 0


def test_init_is_safe_to_rerun(tmp_path: Path) -> None:
    first = services.init_project(tmp_path / "p")
    settings = tmp_path / "p" / "qualkit.toml"
    settings.write_text(settings.read_text().replace("max_segment_chars = 1200", "max_segment_chars = 900"))
    again = services.init_project(tmp_path / "p")
    assert again.config.import_.max_segment_chars == 900  # settings are not overwritten
    assert first.config.name == again.config.name
    assert (tmp_path / "p" / "project.db").is_file()


def test_open_project_outside_a_project_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="qualkit init"):
        services.open_project(tmp_path)


def test_bad_settings_name_the_setting(tmp_path: Path) -> None:
    services.init_project(tmp_path / "p")
    (tmp_path / "p" / "qualkit.toml").write_text('name = "x"\n[import]\nmax_segment_char = 5\n')
    with pytest.raises(ProjectError, match="max_segment_char"):
        services.open_project(tmp_path / "p")


def test_migrations_match_the_orm() -> None:
    engine = create_project_engine("sqlite://")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_the_head_opened_without_alembic_is_alembics_head(tmp_path: Path) -> None:
    """A database at HEAD skips Alembic when opened: HEAD must be the newest migration, or a database
    one migration behind would be taken as up to date."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    engine = create_project_engine(f"sqlite:///{tmp_path / 'p.db'}")
    assert stored_revision(engine) == HEAD
    assert stored_revision(create_engine(f"sqlite:///{tmp_path / 'empty.db'}")) is None


def test_import_stores_segments_with_offsets_into_the_document(project, transcript) -> None:
    report = services.import_sources(project, [transcript])
    assert report.imported == [("kw_interview.txt", 5)]
    with project.sessions() as session:
        document = session.scalar(select(DocumentRow))
        for segment in session.scalars(select(SegmentRow)):
            assert document.text[segment.start:segment.end] == segment.text
    views = list(services.iter_segments(project))
    keyworker = [s for s in views if s.speaker == "Keyworker C"]
    assert [s.codable for s in views if s.speaker == "Interviewer"] == [False, False]
    assert all(s.codable and s.participant == "Keyworker C" for s in keyworker)


def test_reimport_is_a_no_op_and_a_changed_file_is_reported(project, transcript) -> None:
    services.import_sources(project, [transcript])
    again = services.import_sources(project, [transcript])
    assert again.unchanged == ["kw_interview.txt"] and not again.imported
    transcript.write_text(transcript.read_text() + "\nInterviewer: Thanks.\n", encoding="utf-8")
    changed = services.import_sources(project, [transcript])
    assert changed.changed == ["kw_interview.txt"]
    assert count(project, DocumentRow.id) == 1


def test_identical_content_under_another_name_is_a_duplicate(project, transcript) -> None:
    copy = transcript.parent / "copy_of_interview.txt"
    copy.write_bytes(transcript.read_bytes())
    report = services.import_sources(project, [transcript, copy])
    assert report.duplicates == [("copy_of_interview.txt", "kw_interview.txt")]
    assert count(project, DocumentRow.id) == 1


def test_one_bad_file_imports_nothing(project, transcript) -> None:
    bad = transcript.parent / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    events_before = count(project, EventRow.id)
    with pytest.raises(services.ImportFailed) as failure:
        services.import_sources(project, [transcript.parent])
    assert "broken.docx" in str(failure.value) and "skipping unreadable files" in str(failure.value)
    assert count(project, DocumentRow.id) == 0
    assert count(project, EventRow.id) == events_before


def test_skip_bad_imports_the_readable_files(project, transcript) -> None:
    (transcript.parent / "empty.txt").write_text("")
    report = services.import_sources(project, [transcript.parent], skip_bad=True)
    assert [name for name, _ in report.imported] == ["kw_interview.txt"]
    assert "empty.txt" in str(report.failed[0])


def test_a_failure_while_writing_rolls_back_everything(project, transcript, monkeypatch) -> None:
    other = transcript.parent / "second.txt"
    other.write_text("A paragraph about trust.\n\nAnother about isolation.\n")
    calls = []
    real_add = repository.add_document

    def failing_add(session, corpus_id, document):  # type: ignore[no-untyped-def]
        calls.append(document.name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_add(session, corpus_id, document)

    monkeypatch.setattr(repository, "add_document", failing_add)
    with pytest.raises(RuntimeError):
        services.import_sources(project, [transcript.parent])
    assert count(project, DocumentRow.id) == 0
    assert count(project, SegmentRow.id) == 0


def test_folder_import_skips_sheets_and_private_files(project, transcript) -> None:
    (transcript.parent / "participants.csv").write_text("speaker,group\nKeyworker C,Keyworkers\n")
    (transcript.parent / "_notes.txt").write_text("internal")
    (transcript.parent / "audio.mp3").write_bytes(b"ID3")
    report = services.import_sources(project, [transcript.parent])
    assert [name for name, _ in report.imported] == ["kw_interview.txt"]
    assert {Path(p).name for p, _ in report.skipped} == {"participants.csv", "audio.mp3"}


def test_participants_sheet_sets_groups_and_roles(project, transcript, tmp_path) -> None:
    services.import_sources(project, [transcript])
    sheet = tmp_path / "participants.csv"
    sheet.write_text("document,speaker,participant,group,role,site,years\n"
                     ",Keyworker C,,Keyworkers,Keyworker,Millbrook,3\n"
                     ",Keyworker Z,,Keyworkers,,,\n")
    report = services.load_participants(project, sheet)
    assert report.matched == 1 and report.unmatched == ["row 3: no speaker 'Keyworker Z' in the project yet"]
    people = {p.label: p for p in services.list_participants(project)}
    assert people["Keyworker C"].group == "Keyworkers"
    assert people["Keyworker C"].attributes == {"years": "3"}
    groups = {s.group for s in services.iter_segments(project, codable_only=True)}
    assert groups == {"Keyworkers"}


def test_sheet_can_rename_a_document_local_speaker_and_mark_interviewers(project, tmp_path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("Speaker 1: Hello.\n\nSpeaker 2: Hi there.\n\n"
                   "Speaker 1: Tell me more.\n\nSpeaker 2: Well.\n")
    services.import_sources(project, [src])
    assert all(s.codable for s in services.iter_segments(project))
    sheet = tmp_path / "people.csv"
    sheet.write_text("document,speaker,participant,group,role\n"
                     "a.txt,Speaker 1,,,interviewer\n"
                     "a.txt,Speaker 2,Partner C,Partner agencies,DSL\n")
    services.load_participants(project, sheet)
    views = list(services.iter_segments(project))
    assert [(s.participant, s.codable) for s in views] == [
        ("Speaker 1 (a.txt)", False), ("Partner C", True), ("Speaker 1 (a.txt)", False), ("Partner C", True)]
    assert "Speaker 2 (a.txt)" not in {p.label for p in services.list_participants(project)}


def test_ambiguous_sheet_row_names_the_row_and_changes_nothing(project, tmp_path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"I: Question?\n\nR: Answer.\n\nI: Another?\n\nR: Yes, {name}.\n")
    services.import_sources(project, [tmp_path / "a.txt", tmp_path / "b.txt"])
    sheet = tmp_path / "people.csv"
    sheet.write_text("document,speaker,group\na.txt,R,Families\n,I,Research team\n")
    with pytest.raises(SheetError, match=r"row 3.*'I' appears in 2 documents.*'document' column"):
        services.load_participants(project, sheet)
    assert {p.group for p in services.list_participants(project)} == {None}


def test_document_group_applies_to_unattributed_segments(project, tmp_path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("01/02/2024 - Visit by keyworker. All well.\n\n08/02/2024 - Call by team manager.\n")
    services.import_sources(project, [notes])
    services.set_document_group(project, "notes.txt", "Keyworkers")
    assert {s.group for s in services.iter_segments(project)} == {"Keyworkers"}
    with pytest.raises(NotFoundError, match=r"no document named 'missing\.txt'"):
        services.set_document_group(project, "missing.txt", "X")


def test_segments_jsonl_round_trips_through_jsonl_import(project, transcript, tmp_path) -> None:
    services.import_sources(project, [transcript])
    sheet = tmp_path / "p.csv"
    sheet.write_text("speaker,group\nKeyworker C,Keyworkers\n")
    services.load_participants(project, sheet)
    records = [services.segment_record(s) for s in services.iter_segments(project, codable_only=True)]
    exported = tmp_path / "segments.jsonl"
    exported.write_text("".join(json.dumps(r) + "\n" for r in records))
    other = services.init_project(tmp_path / "other")
    services.import_sources(other, [exported])
    again = [services.segment_record(s) for s in services.iter_segments(other)]
    assert [(r["document"], r["speaker"], r["group"], r["text"]) for r in again] == [
        (r["document"], r["speaker"], r["group"], r["text"]) for r in records]
    assert [r["source_id"] for r in again] == [r["id"] for r in records]


def test_status_counts_by_group(project, transcript, tmp_path) -> None:
    services.import_sources(project, [transcript])
    status = services.project_status(project)
    assert (status.documents, status.segments, status.codable) == (1, 5, 2)
    assert status.by_group == [(None, 2, 1, 1)]
    assert status.events == 1


def test_database_url_hides_passwords(tmp_path) -> None:
    services.init_project(tmp_path / "p")
    project = services.open_project(tmp_path / "p")
    project.config.database_url = "postgresql://ann:secret@db.example/qual"
    assert display_url(project.config.database_url_for(project.folder)) == "postgresql://ann:***@db.example/qual"


def test_services_do_not_import_streamlit() -> None:
    code = "import sys, qualkit.services, qualkit.cli; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_sqlite_file_opened_from_elsewhere_is_hardened(tmp_path) -> None:
    project = services.init_project(tmp_path / "p")
    with project.sessions() as session:
        pragmas = {name: session.connection().exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("foreign_keys", "journal_mode", "trusted_schema")}
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "trusted_schema": 0}
    # The same file through a plain engine has SQLite's defaults: the project's engine set them.
    with create_engine(project.sessions.kw["bind"].url).connect() as plain:
        defaults = {name: plain.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("foreign_keys", "trusted_schema")}
    assert defaults == {"foreign_keys": 0, "trusted_schema": 1}
