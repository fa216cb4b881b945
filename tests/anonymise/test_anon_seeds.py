"""The real public documents of ../shared/seeds with the demo corpus, as one project: words known not to
be identifiers are not redacted as people, and the people the documents name are found. Skips when
../shared is absent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import Detection
from qualkit.ingest.registry import parse_file

from paths import DEMO_CORPUS, SHARED

SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")

NOT_PEOPLE = ["conferencing", "decluttered", "responsively", "kayaking", "Arts", "London", "North Yorkshire",
              "Hillingdon", "Stockton", "Springboard", "Careline", "Families", "Group", "Case", "Policy",
              "Digital"]
NOT_REDACTED_ALONE = ["conferencing", "decluttered", "responsively", "kayaking", "Arts", "Springboard",
                      "Careline", "Families", "Group", "Case", "Policy", "Digital", "NVQ Level"]
PLACES = ["London", "North Yorkshire", "Hillingdon"]
PEOPLE = ["Lynette Sung", "Sung", "Amanda Doyle", "Julie Rogers", "Paul Cawley", "Sheila Kenny",
          "Danny McCluskey", "Fiona Waddington", "Waddington", "Barry Kushner", "Angela D'Annunzio",
          "Chris Cooke", "Chris Carubia", "Wendy Clements", "Kerry Lockhart-Thompson", "Emma Meaney"]


@pytest.fixture(scope="module")
def project(detector: Detector) -> list[tuple[str, list[Detection]]]:
    paths = [p for p in sorted(DEMO_CORPUS.iterdir()) if not p.name.startswith("_")
             and p.name != "participants.csv"]
    texts = [doc.text for p in [*paths, *sorted(Path(SEEDS).glob("*.txt"))] for doc in parse_file(p)]
    return list(zip(texts, detector.detect_many(texts), strict=True))


def _hits(project, word: str, hyphen: bool = True):
    end = r"(?!\w)" if hyphen else r"(?![\w-])"
    pattern = re.compile(r"(?<![\w'’-])" + r"\s+".join(map(re.escape, word.split())) + end)
    for text, found in project:
        for m in pattern.finditer(text):
            yield m, [d for d in found if d.start < m.end() and m.start() < d.end]


@pytest.mark.parametrize("word", NOT_PEOPLE)
def test_not_redacted_as_a_person(project, word: str) -> None:
    assert [m.group() for m, hits in _hits(project, word) if any(d.label == "PERSON" for d in hits)] == []


@pytest.mark.parametrize("word", NOT_REDACTED_ALONE)
def test_not_redacted_on_its_own(project, word: str) -> None:
    alone = [m.group() for m, hits in _hits(project, word)
             if any(re.sub(r"['’]s?$", "", d.text) == m.group() for d in hits)]
    assert alone == []


@pytest.mark.parametrize("place", PLACES)
def test_places_are_places(project, place: str) -> None:
    found = list(_hits(project, place))
    assert found and all(hits and all(d.label == "PLACE" for d in hits) for _, hits in found)


@pytest.mark.parametrize("name", PEOPLE)
def test_people_are_found(project, name: str) -> None:
    found = list(_hits(project, name, hyphen=False))
    assert found
    assert [m.group() for m, hits in found
            if not any(d.label == "PERSON" and d.start <= m.start() and m.end() <= d.end for d in hits)] == []
