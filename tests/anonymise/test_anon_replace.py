"""Pseudonyms: consistent, role-aware, age bands, the key's round trip, and the offsets contract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import LABELS, Detection
from qualkit.anonymise.replace import PseudonymKey, PseudonymKeyError, age_band, anonymise


@pytest.mark.parametrize("original, band", [("9", "[Age: child]"), ("twelve", "[Age: child]"),
                                            ("14-year-old", "[Age: teens]"), ("nineteen", "[Age: teens]"),
                                            ("34", "[Age: 30s]"), ("fifty-eight", "[Age: 50s]"),
                                            ("eight months", "[Age: child]"), ("seventies", "[Age: 70s]")])
def test_age_bands(original: str, band: str) -> None:
    assert age_band(original) == band


def test_pseudonyms_link_forms_of_one_name_and_follow_roles() -> None:
    key = PseudonymKey(roles={"Dani": "keyworker", "Kayden": "child", "Jodie": "parent", "Tom": "keyworker"})
    names = ["Jodie", "Jodie Marsh", "Kayden", "Dani", "Tom", "Joanne Tierney", "Miss Tierney", "Craig"]
    assert [key.pseudonym(n, "PERSON") for n in names] == [
        "[Parent 1]", "[Parent 1]", "[Child 1]", "[Keyworker A]", "[Keyworker B]", "[Person 1]", "[Person 1]",
        "[Person 2]"]
    assert [key.pseudonym(o, label) for o, label in [("Ravensmoor Academy", "ORG"), ("Open Door", "ORG"),
                                                      ("Foxley", "PLACE"), ("07700 900123", "PHONE")]] == [
        "[School 1]", "[Organisation 1]", "[Place 1]", "[Phone]"]


def test_key_round_trips_and_refuses_other_versions() -> None:
    key = PseudonymKey(roles={"Dani": "keyworker"})
    key.pseudonym("Dani", "PERSON")
    again = PseudonymKey.from_dict(key.to_dict())
    assert again.to_dict() == key.to_dict() and again.pseudonym("Dani", "PERSON") == "[Keyworker A]"
    with pytest.raises(PseudonymKeyError, match="re-run anonymisation"):
        PseudonymKey.from_dict({**key.to_dict(), "version": 99})


def test_realistic_style_is_deterministic_and_never_reuses_an_original() -> None:
    first, second = PseudonymKey("realistic"), PseudonymKey("realistic")
    names = ["Alex", "Jodie", "Jodie Marsh", "Craig Marsh"]
    assert [first.pseudonym(n, "PERSON") for n in names] == [second.pseudonym(n, "PERSON") for n in names]
    assert first.pseudonym("Jodie", "PERSON") == first.pseudonym("Jodie Marsh", "PERSON")
    assert first.pseudonym("Alex", "PERSON") != "Alex"


def check_spans(original: str, anonymised: str, spans) -> None:
    """Spans lie in the original, sorted and apart; replacing each reproduces the anonymised text."""
    rebuilt, position = [], 0
    for span in spans:
        assert 0 <= position <= span.start < span.end <= len(original)
        assert span.label in LABELS
        rebuilt += [original[position:span.start], span.replacement]
        position = span.end
    assert "".join(rebuilt) + original[position:] == anonymised


@st.composite
def text_and_detections(draw):
    text = draw(st.text(min_size=1, max_size=60))
    detections = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(LABELS))
        detections.append(Detection(start, end, label, text[start:end], "pattern", "test"))
    return text, detections


@given(text_and_detections())
def test_offsets_for_any_detections(case) -> None:
    text, detections = case
    check_spans(text, *anonymise(text, detections, PseudonymKey()))


FRAGMENTS = ["Kayden", "kayden's", "Mrs Tierney", "07700 900123", "aged 14", "12 March 2024", "hope",
             "Hope's", "the Foxley estate", "14 Orchard Road", "M1 1AE", "social worker", ",", ".", "\n",
             "Grace", "will", "and", "Ravensmoor Academy", "jo@x.org", "AB 12 34 56 C", "  ", "é"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=14))
def test_offsets_for_detected_text(detector: Detector, fragments: list[str]) -> None:
    text = " ".join(fragments)
    check_spans(text, *anonymise(text, detector.detect(text), PseudonymKey()))
