"""Over the whole demo corpus, taken as one project, no fictional identifier survives."""

from __future__ import annotations

import re

import pytest

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.replace import PseudonymKey, anonymise
from qualkit.ingest.registry import parse_file

from paths import DEMO_CORPUS

IDENTIFIERS = """Jodie Craig Kayden Lacey Amira Zain Noor Shannon Tyler Liam Ewa Danielle Dani Okafor Tom
Bradley Priya Nair Lorraine Walsh Gary Pearson Sarah Whitfield Joanne Tierney Fiona McLeod Ben Asante Carol
Henshaw Leanne Shaw Kowalski Foxley Langdale Millbrook Ravensmoor Kettlewick Brightstart Ashworth""".split()
PHRASES = ["Mark Kowalski", "Orchard Road", "Canal Street", "Hollins Lane", "St Bede's", "Ravensmoor Academy",
           "Kettlewick Primary", "Millbrook Medical Centre", "Open Door Foodbank", "Open Door", "Tom Bradley",
           "Priya Nair", "Danielle Okafor", "Dani Okafor"]
# Names that are also words: checked capitalised, except where the word opens a sentence before a pronoun
# or a verb ("Will do").
WORD_NAMES = ["Hope", "Grace", "Will", "Mark"]


@pytest.fixture(scope="module")
def anonymised(detector: Detector) -> list[str]:
    texts = [doc.text for path in sorted(DEMO_CORPUS.iterdir())
             if path.suffix != ".csv" and not path.name.startswith("_") for doc in parse_file(path)]
    key = PseudonymKey()
    return [anonymise(text, found, key)[0] for text, found in zip(texts, detector.detect_many(texts),
                                                                   strict=True)]


@pytest.mark.parametrize("identifier", IDENTIFIERS + PHRASES)
def test_identifier_never_survives(anonymised: list[str], identifier: str) -> None:
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, identifier.split())) + r"(?!\w)", re.I)
    leaks = [m.group() for text in anonymised for m in pattern.finditer(text)]
    assert leaks == []


@pytest.mark.parametrize("name", WORD_NAMES)
def test_names_that_are_words_survive_only_as_words(anonymised: list[str], name: str) -> None:
    as_name = re.compile(rf"\b{name}\b(?!\s+(?:it|you|so|I|do)\b)")
    assert [m.group() for text in anonymised for m in as_name.finditer(text)] == []
