"""Real material: the bundled demo corpus and, when present, the shared seed documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.ingest.registry import parse_file
from qualkit.model import Document, SegmentKind

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpora" / "demo"
SHARED = REPO.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
INTERVIEW_PREFIXES = ("kw_", "partner_", "frontline_", "parent_", "young_person_")
# What an import of the folder skips: private files and the participants sheet.
DEMO_SOURCES = sorted(p for p in DEMO.iterdir()
                      if not p.name.startswith(("_", ".")) and p.stem != "participants")


def _check_offsets(document: Document) -> None:
    assert document.segments, document.name
    for segment in document.segments:
        assert document.text[segment.start:segment.end] == segment.text


@pytest.mark.parametrize("path", DEMO_SOURCES, ids=lambda p: p.name)
def test_every_demo_file_parses(path: Path) -> None:
    documents = parse_file(path)
    assert documents
    for document in documents:
        _check_offsets(document)
        assert any(s.codable for s in document.segments)
    if path.name.startswith(INTERVIEW_PREFIXES):
        [document] = documents
        assert document.word_count > 600
        assert len({s.speaker for s in document.segments if s.kind is SegmentKind.TURN}) >= 2


def test_demo_corpus_covers_the_formats() -> None:
    assert {".txt", ".md", ".docx", ".pdf", ".odt", ".rtf", ".html", ".vtt", ".srt", ".csv",
            ".xlsx"} <= {p.suffix for p in DEMO_SOURCES}


@pytest.fixture(scope="module")
def seeds() -> list[Path]:
    if not SEEDS:
        pytest.skip(f"no shared seed documents at {SHARED / 'seeds'}")
    return SEEDS


def test_real_documents_parse_into_paragraphs_and_headings(seeds: list[Path]) -> None:
    assert len(seeds) == 4
    for path in seeds:
        [document] = parse_file(path)
        _check_offsets(document)
        kinds = {s.kind for s in document.segments}
        assert kinds <= {SegmentKind.PARAGRAPH, SegmentKind.HEADING}, (path.name, kinds)
        assert SegmentKind.PARAGRAPH in kinds
        assert all(s.speaker is None for s in document.segments), path.name
