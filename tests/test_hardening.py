"""Hardening (issue 16): one test per class of failure an attack pass found.

Hostile files come from `tests/attack_files.py` (regenerated, never committed): each must end in a
clear error naming the file, or a clean import, within 60 s; a failed import writes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app
from qualkit.errors import IngestError
from qualkit.ingest.normalise import normalise_text
from qualkit.ingest.registry import parse_file
from qualkit.ingest.segmenter import HARD_MAX_CHARS, segment_text
from qualkit.services.imports import ImportFailed
from qualkit.store.schema import DocumentRow, EventRow

from attack_files import SPEECH, attacks
from paths import REPO

ATTACKS = {attack.name: attack for attack in attacks()}
FILE_ATTACKS = [name for name in ATTACKS if not name.endswith((".qdpx", ".qdc"))]
SECONDS = 60
runner = CliRunner()


def _counts(project: services.Project) -> tuple[int, int]:
    with project.sessions() as session:
        return (session.scalar(select(func.count()).select_from(DocumentRow)),
                session.scalar(select(func.count()).select_from(EventRow)))


# --- 2, 3: hostile files end in a typed error naming the file (or import cleanly), fast -------------

@pytest.mark.parametrize("name", FILE_ATTACKS)
def test_attack_file_ends_in_a_clear_error_or_a_clean_import(tmp_path: Path, name: str) -> None:
    attack = ATTACKS[name]
    path = tmp_path / name
    path.write_bytes(attack.build())
    started = time.monotonic()
    if attack.imports:
        documents = parse_file(path)
        assert documents and all(len(s.text) <= HARD_MAX_CHARS for d in documents for s in d.segments)
    else:
        with pytest.raises(IngestError) as caught:
            parse_file(path)
        message = str(caught.value)
        assert message.startswith(str(path)) and caught.value.fix
        for word in attack.words:
            assert word in message, message
    assert time.monotonic() - started < SECONDS


@pytest.mark.parametrize("name", [n for n in ATTACKS if n.endswith((".qdpx", ".qdc"))])
def test_attack_exchange_file_imports_cleanly_or_fails_cleanly(project: services.Project, tmp_path: Path,
                                                               name: str) -> None:
    path = tmp_path / name
    path.write_bytes(ATTACKS[name].build())
    started = time.monotonic()
    try:
        report = services.import_sources(project, [path])
        assert len(report.exchange) == 1
    except ImportFailed as failed:
        assert all(str(e).startswith(str(path)) for e in failed.errors)
    assert time.monotonic() - started < SECONDS


def test_a_failed_import_writes_nothing_and_skip_bad_skips_every_attack(project: services.Project,
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "attacks"
    folder.mkdir()
    for name in FILE_ATTACKS:
        (folder / name).write_bytes(ATTACKS[name].build())
    (folder / "fine.txt").write_text(SPEECH * 3, encoding="utf-8")
    before = _counts(project)
    with pytest.raises(ImportFailed) as caught:
        services.import_sources(project, [folder])
    assert len(caught.value.errors) == sum(not ATTACKS[n].imports for n in FILE_ATTACKS)
    assert _counts(project) == before
    report = services.import_sources(project, [folder], skip_bad=True)
    assert len(report.failed) == len(caught.value.errors)
    clean = {name for name in FILE_ATTACKS if ATTACKS[name].imports}
    assert {name for name, _ in report.imported} == {"fine.txt", *clean}


def test_normalisation_is_linear() -> None:
    started = time.monotonic()
    assert normalise_text(" " * 400_000 + "x") == " " * 400_000 + "x"
    assert normalise_text("a" + " \t" * 200_000 + "\nb   ") == "a\nb"
    assert time.monotonic() - started < 2


# --- 4: no segment is unbounded -----------------------------------------------------------------------

def test_a_line_without_sentence_ends_is_cut_into_bounded_segments() -> None:
    text = "word " * 200_000
    segments = segment_text(text.strip())
    assert max(len(s.text) for s in segments) <= HARD_MAX_CHARS
    assert " ".join(s.text for s in segments) == text.strip()
    unbroken = "x" * 50_000
    assert "".join(s.text for s in segment_text(unbroken)) == unbroken


# --- 12: folders do not follow links; REFI + files are all or nothing ----------------------------------

def test_folder_import_does_not_follow_symbolic_links(project: services.Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Parent 1: the secret.\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "real.txt").write_text(SPEECH, encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    (corpus / "folder").symlink_to(outside, target_is_directory=True)
    report = services.import_sources(project, [corpus])
    assert [name for name, _ in report.imported] == ["real.txt"]
    assert {Path(p).name for p, _ in report.skipped} == {"link.txt", "folder"}


def test_refi_file_and_a_bad_file_import_nothing(project: services.Project, tmp_path: Path) -> None:
    qdc = tmp_path / "codes.qdc"
    qdc.write_bytes(ATTACKS["guid_case.qdc"].build())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    before = _counts(project)
    with pytest.raises(ImportFailed):
        services.import_sources(project, [qdc, bad])
    assert _counts(project) == before
    code, _ = _cli("import", project.folder, qdc, bad)
    assert code == 1 and _counts(project) == before


# --- 1: the CLI prints plain text ----------------------------------------------------------------------

def _cli(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_cli_prints_brackets_literally(project: services.Project, tmp_path: Path) -> None:
    folder = tmp_path / "a["
    folder.mkdir()
    empty = folder / "b].txt"  # the path reads a[/b].txt: a closing tag to Rich markup
    empty.write_bytes(b"")
    code, output = _cli("import", project.folder, empty)
    assert code == 1 and "a[/b].txt: is empty" in " ".join(output.split())
    source = tmp_path / "t.txt"
    source.write_text("Interviewer: How was it?\n\nParent 1: It was fine [laughs]. [inaudible] Really.\n",
                      encoding="utf-8")
    assert _cli("import", project.folder, source)[0] == 0
    code, output = _cli("show", project.folder, "segments")
    assert code == 0 and "[laughs]" in output and "[inaudible]" in output


# --- 4: texts over spaCy's max_length go through spaCy in pieces ------------------------------------------

LONG_TEXT = "".join(f"Parent {n}: We met the keyworker on a Monday and things got better slowly.\n\n"
                    for n in range(60)) + "Parent 61: Then Sarah Jones from Leeds came round.\n"


def test_detection_and_lemmas_run_on_texts_longer_than_spacys_max_length(monkeypatch) -> None:
    from qualkit.anonymise.detect import Detector
    from qualkit.anonymise.entities import load_ner_pipeline
    from qualkit.coders.nlp import DEFAULT_PIPELINE, lemmatise, load_pipeline

    for nlp in (load_ner_pipeline(DEFAULT_PIPELINE), load_pipeline(DEFAULT_PIPELINE)):
        monkeypatch.setattr(nlp, "max_length", 1000)  # LONG_TEXT is 5 times over it
    detections = Detector().detect(LONG_TEXT)
    found = {d.text for d in detections if d.start > 4000}
    assert "Sarah Jones" in found
    assert all(LONG_TEXT[d.start:d.end] == d.text for d in detections)
    (doc,) = lemmatise([LONG_TEXT])
    assert doc.text == LONG_TEXT and "feel" not in [t.lemma_ for t in doc]


def test_a_project_with_a_document_over_max_length_anonymises_and_exports(project: services.Project,
                                                                         tmp_path: Path, monkeypatch) -> None:
    from qualkit.anonymise.entities import load_ner_pipeline
    from qualkit.coders.nlp import DEFAULT_PIPELINE

    monkeypatch.setattr(load_ner_pipeline(DEFAULT_PIPELINE), "max_length", 1000)
    source = tmp_path / "long.txt"
    source.write_text(LONG_TEXT, encoding="utf-8")
    services.import_sources(project, [source])
    services.import_codebook(project, REPO / "codebooks" / "family_support.yaml")
    services.anonymise_project(project)
    result = services.export(project, "quotes-csv", tmp_path / "quotes.csv")
    assert result.path.is_file()


# --- 5: names people read are printable text, wherever they enter -----------------------------------------

def test_control_characters_in_names_are_refused_at_every_entry_point(project: services.Project,
                                                                       tmp_path: Path) -> None:
    from qualkit.errors import CodebookError, InvalidNameError, SheetError

    source = tmp_path / "kw.txt"
    source.write_text("Interviewer: How was it?\n\nKeyworker C: Fine, thank you. It helped.\n",
                      encoding="utf-8")
    services.import_sources(project, [source])
    with pytest.raises(InvalidNameError, match="U\\+0007"):
        services.set_document_group(project, "kw.txt", "Fam\x07ilies")
    with pytest.raises(InvalidNameError):
        services.set_display_name(project, "kw.txt", "Parent\x00 interview")
    sheet = tmp_path / "people.csv"
    sheet.write_text("speaker,group\nKeyworker C,Key\x1bworkers\n", encoding="utf-8")
    with pytest.raises(SheetError, match="row 2"):
        services.load_participants(project, sheet)
    codebook = tmp_path / "codes.yaml"
    codebook.write_text('name: c\ncodes:\n  - id: trust\n    name: "Tr\\x07ust"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="printable"):
        services.import_codebook(project, codebook)
    table = tmp_path / "survey.csv"
    table.write_text("speaker,group,answer\nP\x071,Fam\x07ilies,We waited a long time for help.\n",
                     encoding="utf-8")
    report = services.import_sources(project, [table])
    assert report.imported
    assert {p.label for p in services.list_participants(project)} >= {"P1"}
    assert all("\x07" not in (p.group or "") for p in services.list_participants(project))
    bad_name = tmp_path / "bad\x07name.txt"
    bad_name.write_text(SPEECH, encoding="utf-8")
    with pytest.raises(ImportFailed, match="U\\+0007"):
        services.import_sources(project, [bad_name])
    assert "\x07" not in " ".join(d.group or "" for d in services.list_documents(project))


# --- 6: no CSV or XLSX cell qualkit writes starts a formula -------------------------------------------------

FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_and_xlsx_cells_never_start_a_formula() -> None:
    import csv
    import io
    import zipfile

    import openpyxl

    from qualkit.reports import tables
    from qualkit.reports import xlsx as report_xlsx
    from qualkit.reports.cells import CSV_PREFIX, FORMULA_STARTS
    from qualkit.reports.document import Paragraph, Quote, ReportDocument

    rows = [[text, 3, "plain"] for text in FORMULAS]
    written = tables.csv_text(["=quote", "n", "x"], rows)
    first = [row[0] for row in csv.reader(io.StringIO(written, newline=""))]
    assert first == [CSV_PREFIX + "=quote", *(CSV_PREFIX + t.replace("\r", "\n") for t in FORMULAS)]
    book = tables.xlsx_bytes([("Quotes", ["quote", "n", "x"], rows)])
    quote = Quote('=HYPERLINK("http://x")', "@A", "t", "g", "accepted")
    document = ReportDocument("=report", [Paragraph("=1+1"), quote])
    for data in (book, report_xlsx.render(document)):
        archive = zipfile.ZipFile(io.BytesIO(data))
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets"))
        workbook = openpyxl.load_workbook(io.BytesIO(data))
        texts = [c for sheet in workbook for row in sheet.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert all(c.data_type == "s" for c in texts)
        assert all(c.quotePrefix for c in texts if c.value.startswith(FORMULA_STARTS))
    kept = openpyxl.load_workbook(io.BytesIO(book)).active
    assert [kept.cell(r, 1).value for r in range(2, 2 + len(FORMULAS))] == FORMULAS  # shown as written


# --- 7: no rendered text from data becomes markup, a link or an image -------------------------------------

HOSTILE = ("Fine.\n\n![x](http://127.0.0.1:9/p.png) <img src=http://127.0.0.1:9/q.png> [a](http://h) "
           "<script>alert(1)</script> **bold** [laughs]")


def test_markdown_report_and_app_text_carry_no_markup_from_data() -> None:
    import markdown_it

    from qualkit.escaping import html_text, markdown_text
    from qualkit.reports import markdown as report_markdown
    from qualkit.reports.document import Heading, Paragraph, Quote, ReportDocument, Table

    document = ReportDocument("Report", [Heading(HOSTILE, 1), Paragraph(HOSTILE),
                                         Quote(HOSTILE, HOSTILE, "t", "g", "accepted"),
                                         Table("t", [HOSTILE], [[HOSTILE]], caption=HOSTILE)])
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    for rendered in (renderer.render(report_markdown.render(document)),
                     renderer.render(markdown_text(HOSTILE)),
                     renderer.render(f"<div class='qk-quote'>{html_text(HOSTILE)}</div>")):
        for tag in ("<img", "<a ", "<script", "<strong"):
            assert tag not in rendered, rendered
        assert "[laughs]" in rendered.replace("&#91;", "[").replace("&#93;", "]")


# --- 11: migrations back up everything committed, and refuse what they cannot open -----------------------

def _open(folder: Path) -> None:
    with services.open_project(folder).sessions() as session:
        session.scalar(select(func.count()).select_from(DocumentRow))


def test_backup_holds_data_still_in_the_wal_and_is_never_left_half_written(tmp_path: Path) -> None:
    import sqlite3

    from qualkit.store.database import backup_sqlite

    database = tmp_path / "live.db"
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # committed rows stay in the WAL, as in a busy project
    writer.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY)")
    writer.executemany("INSERT INTO decisions VALUES (?)", [(n,) for n in range(500)])
    writer.commit()
    assert (tmp_path / "live.db-wal").stat().st_size > 0
    backup_sqlite(str(database), str(tmp_path / "copy.bak"))
    writer.close()
    copy = sqlite3.connect(tmp_path / "copy.bak")
    assert copy.execute("SELECT count(*) FROM decisions").fetchone() == (500,)
    assert not list(tmp_path.glob("*.partial"))


def test_an_upgrade_backs_up_and_newer_or_foreign_databases_are_refused_without_backups(
        project: services.Project, tmp_path: Path) -> None:
    import sqlite3

    from qualkit.errors import ProjectError

    database = project.folder / "project.db"
    source = tmp_path / "t.txt"
    source.write_text(SPEECH, encoding="utf-8")
    services.import_sources(project, [source])
    project.sessions.kw["bind"].dispose()
    with sqlite3.connect(database) as connection:  # as an older qualkit left it: 0003 before 0004's columns
        connection.execute("ALTER TABLE documents DROP COLUMN display_name")
        connection.execute("ALTER TABLE participants DROP COLUMN known_names")
        connection.execute("DROP TABLE exchange_guids")  # 0005's table
        connection.execute("ALTER TABLE codebooks DROP COLUMN edition")  # 0006's column
        connection.execute("DROP TABLE logins")  # 0007's tables
        connection.execute("DROP TABLE accounts")
        connection.execute("DROP INDEX ix_code_assignments_code_status")  # 0009's index
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    _open(project.folder)
    (backup,) = project.folder.glob("project.db.0003.*.bak")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT count(*) FROM documents").fetchone() == (1,)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for _ in range(2):
        with pytest.raises(ProjectError, match="newer qualkit"):
            _open(project.folder)
    database.write_bytes(b"this is a spreadsheet, not a database " * 100)
    for suffix in ("-wal", "-shm"):
        (project.folder / f"project.db{suffix}").unlink(missing_ok=True)
    for _ in range(2):
        with pytest.raises(ProjectError, match="not a qualkit project database"):
            _open(project.folder)
    assert list(project.folder.glob("*.bak")) == [backup]


# --- 10: decisions made while a run works stand; a decision on what a run replaced is a clear conflict ----

def test_a_rejection_made_while_anonymisation_runs_stands(project: services.Project, tmp_path: Path,
                                                          monkeypatch) -> None:
    from qualkit.anonymise.detect import Detector

    source = tmp_path / "visit.txt"
    source.write_text("Parent 1: Sarah Jones came round on Monday. Sarah Jones helped us a lot.\n",
                      encoding="utf-8")
    services.import_sources(project, [source])
    services.anonymise_project(project)
    sarah = [r for r in services.list_redactions(project) if r.original == "Sarah Jones"]
    assert sarah
    detect_many = Detector.detect_many

    def detect_then_someone_rejects(self, texts):  # a reviewer decides while the detector works
        found = detect_many(self, texts)
        services.decide_redactions(project, reject=[r.id for r in sarah], reviewer="Ana")
        return found

    monkeypatch.setattr(Detector, "detect_many", detect_then_someone_rejects)
    services.anonymise_project(project)
    rows = [r for r in services.list_redactions(project) if r.original == "Sarah Jones"]
    assert rows and all(r.status == "rejected" for r in rows)


def test_a_change_to_a_row_someone_else_removed_is_a_clear_conflict(project: services.Project,
                                                                   tmp_path: Path) -> None:
    from sqlalchemy import delete

    from qualkit.errors import ConflictError

    source = tmp_path / "t.txt"
    source.write_text(SPEECH, encoding="utf-8")
    services.import_sources(project, [source])
    with pytest.raises(ConflictError, match="nothing of yours was saved"), project.transaction() as session:
        row = session.scalar(select(DocumentRow))
        with project.transaction() as other:  # e.g. a coder's clean-up, committed meanwhile
            other.execute(delete(DocumentRow).where(DocumentRow.id == row.id))
        row.group = "Families"
    code, output = _cli("set-group", project.folder, "t.txt", "Families")
    assert code == 1 and "Traceback" not in output


def test_ids_beyond_64_bits_are_a_clear_error(project: services.Project, transcript: Path) -> None:
    services.import_sources(project, [transcript])
    huge = str(2 ** 64 + 5)
    for args in (("redactions", project.folder, "--reject", huge),
                 ("memo", project.folder, "delete", "--id", huge)):
        code, output = _cli(*args)
        assert code == 1 and "too large" in output and "Traceback" not in output, output
