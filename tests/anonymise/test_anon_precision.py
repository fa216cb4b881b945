"""Precision and recall on the shapes real documents take (issue 11): word-form evidence before a name,
known places, generic services, role labels, surname continuation, partial phone numbers, institutions
and venues, lower-case names where only a person goes. Every sentence here is invented."""

from __future__ import annotations

import pytest

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.lexicon import load_lexicon


@pytest.mark.parametrize("word", ["conferencing", "decluttered", "responsively", "kayaking", "Careline",
                                  "Introductions", "Disengagement"])
def test_word_forms_are_words(word: str) -> None:
    assert load_lexicon().is_word_form(word)


@pytest.mark.parametrize("word", ["kasia", "tash", "bisi", "Gethin", "Penywaun", "Okafor", "Goldsmiths"])
def test_names_are_no_word_forms(word: str) -> None:
    assert not load_lexicon().is_word_form(word)


@pytest.mark.parametrize("text", [
    "We used family group conferencing and it went well.",
    "Me and the kids went in and decluttered the whole flat.",
    "The team worked flexibly and responsively with the family.",
    "They tried kayaking and climbing over the summer.",
    "Out of hours the council's Careline takes the calls.",
    "She is studying for a Bachelor of Arts at night.",
    "• Date agreed for the next review",
    "Visits happen together with the Case holding social worker.",
])
def test_ordinary_words_are_not_people(found, text: str) -> None:
    assert not any(label == "PERSON" for _, label in found(text))


@pytest.mark.parametrize("text, place", [
    ("Teams across London boroughs were asked.", "London"),
    ("A case study from North Yorkshire followed.", "North Yorkshire"),
    ("Hillingdon was trying a new model.", "Hillingdon"),
    ("The pilot ran in Stockton-on-Tees for a year.", "Stockton-on-Tees"),
])
def test_known_and_place_shaped_places_are_places(found, text: str, place: str) -> None:
    assert (place, "PLACE") in found(text)


@pytest.mark.parametrize("text, words", [
    ("It came from Liverpool's Families programme.", "Families"),
    ("They offered CYP Now Digital membership and Policy briefings.", "Digital Policy"),
    ("The minimum is an NVQ Level 3 in childcare.", "NVQ Level"),
])
def test_everyday_words_are_not_organisations(found, text: str, words: str) -> None:
    assert not any(word in detected.split() for detected, _ in found(text) for word in words.split())


def test_an_everyday_phrase_the_project_writes_in_lower_case_is_a_topic(detector: Detector) -> None:
    texts = ["Officers said Domestic Abuse was the main need.", "Most referrals mention domestic abuse."]
    assert not any(d.text == "Domestic Abuse" for found in detector.detect_many(texts) for d in found)


def test_surname_after_a_first_name(found) -> None:
    assert ("Lynette Sung", "PERSON") in found("Two workers, Lynette Sung and Amanda Doyle, went.")


def test_a_role_label_is_no_name() -> None:
    detector = Detector(known_people=["Housing Officer", "Keyworker B", "Dani Okafor"])
    found = {(d.text, d.label) for d in detector.detect("Housing was the worry. Dani came with the housing "
                                                          "officer.")}
    assert found == {("Dani", "PERSON")}


@pytest.mark.parametrize("text, phone", [
    ("She wrote her number on it, 07700 900 — something, I forget.", "07700 900"),
    ("Ring them on 0151 233 ... I've lost the rest.", "0151 233"),
    ("Text me on 0 7 7 0 0 9 0 0 1 2 3 tonight.", "0 7 7 0 0 9 0 0 1 2 3"),
])
def test_partial_and_spaced_phone_numbers(found, text: str, phone: str) -> None:
    assert (phone, "PHONE") in found(text)


@pytest.mark.parametrize("text", ["Rate it 0 1 2 3 4 5 6 7 8 9 10.", "It cost £0151 233 in all.",
                                  "In 2019 there were 900 calls."])
def test_numbers_that_are_no_phone(found, text: str) -> None:
    assert not any(label == "PHONE" for _, label in found(text))


def test_institutions_and_venues(found) -> None:
    assert ("Ashworth Job Centre", "ORG") in found("I went down Ashworth Job Centre on the Monday.")
    assert found("The job centre sent me a letter.") == set()
    assert ("Hive", "ORG") in found("We met the youth worker at the Hive.")
    assert found("We wrote to the Council about it.") == set()


@pytest.mark.parametrize("text, name", [("i told joy about the letter", "joy"),
                                        ("precious said she would come", "precious")])
def test_lower_case_first_names_where_only_a_person_goes(found, text: str, name: str) -> None:
    assert (name, "PERSON") in found(text)


def test_a_short_form_of_a_name_in_the_text(found) -> None:
    assert ("Jode", "PERSON") in found("Jodie was upset. You don't know who reads it, Jode.")
