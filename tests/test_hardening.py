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
