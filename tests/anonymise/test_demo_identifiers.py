"""Every identifier of the demo corpus, as listed in corpora/demo/_identifiers.txt, is detected at every
one of its occurrences when the whole corpus is one project with the programme's allow list."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import LABELS
from qualkit.ingest.registry import parse_file

from demo_identifiers import ALLOW_FILE, NOT_DOCUMENTS, identifiers, occurrences
from paths import DEMO_CORPUS


def _sources() -> list[Path]:
    return [path for path in sorted(DEMO_CORPUS.iterdir())
            if not path.name.startswith("_") and path.name not in NOT_DOCUMENTS]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [doc.text for path in _sources() for doc in parse_file(path)]


@pytest.fixture(scope="module")
def detections(texts: list[str]) -> list[list[tuple[int, int]]]:
    allow = ALLOW_FILE.read_text(encoding="utf-8").split("\n")
    detector = Detector(allow=[term for term in allow if term.strip()])
    return [[(d.start, d.end) for d in found] for found in detector.detect_many(texts)]


def _covered(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    chars = set(range(*span))
    for start, end in spans:
        chars -= set(range(start, end))
    return not chars


def test_the_list_is_well_formed() -> None:
    pairs = identifiers()
    assert pairs and all(label in LABELS for label, _ in pairs)
    assert len({term for _, term in pairs}) == len(pairs)


def test_every_identifier_is_in_the_corpus(texts: list[str]) -> None:
    """The list names what the corpus holds: each term occurs in a document's text or, for table
    columns that are not text (a case-note date, a family reference), in the source file."""
    raw = "\n".join(path.read_text(encoding="utf-8") for path in _sources() if path.suffix == ".csv")
    absent = [term for _, term in identifiers()
              if not any(occurrences(term, text) for text in texts) and term not in raw]
    assert absent == []


@pytest.mark.slow
def test_every_occurrence_is_detected(texts: list[str], detections: list[list[tuple[int, int]]]) -> None:
    missed = []
    for label, term in identifiers():
        for text, spans in zip(texts, detections, strict=True):
            for start, end in occurrences(term, text):
                if not _covered((start, end), spans):
                    missed.append(f"{label} {term!r}: …{text[max(0, start - 40):end + 30]!r}…")
    assert missed == []
