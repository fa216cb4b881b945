"""A name found once is found everywhere, with one label, and replaced by one pseudonym."""

from __future__ import annotations

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import make
from qualkit.anonymise.propagate import propagate
from qualkit.anonymise.replace import PseudonymKey, anonymise


def test_a_name_found_in_one_text_is_found_in_the_others(detector: Detector) -> None:
    texts = ["The Marsh family live on the Foxley estate.", "Marsh rang. Things on Foxley are calm.",
             "foxley was quiet"]
    found = detector.detect_many(texts)
    assert ("Marsh", "PERSON") in {(d.text, d.label) for d in found[1]}
    assert ("Foxley", "PLACE") in {(d.text, d.label) for d in found[1]}
    assert ("foxley", "PLACE") in {(d.text, d.label) for d in found[2]}


def test_propagation_alone_uses_the_detections_given() -> None:
    texts = ["Zorbeth came.", "I saw zorbeth and Zorbeth's mum."]
    found = propagate(texts, [[make(texts[0], 0, 7, "PERSON", "known", "test")], []])
    assert [(d.text, d.source) for d in found[1]] == [("zorbeth", "propagated"), ("Zorbeth", "propagated")]


def test_ordinary_word_names_spread_only_as_names(detector: Detector) -> None:
    found = detector.detect_many(["Her brother, Will, does the cooking.", "Will you ring me? Will cooks."])
    assert [(d.text, d.start) for d in found[1]] == [("Will", 18)]


def test_same_person_same_pseudonym_across_texts(detector: Detector) -> None:
    texts = ["Jodie Marsh rang about Kayden.", "Jodie said Kayden was at school.", "kayden's fine"]
    key = PseudonymKey()
    out = [anonymise(t, d, key)[0] for t, d in zip(texts, detector.detect_many(texts), strict=True)]
    assert out == ["[Person 1] rang about [Person 2].", "[Person 1] said [Person 2] was at school.",
                   "[Person 2]'s fine"]
