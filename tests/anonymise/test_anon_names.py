"""People: role words, ordinary-word names, lower-case names, titles, possessives, project lists."""

from __future__ import annotations

import pytest

from qualkit.anonymise.detect import AnonymiseSettingError, Detector


def test_role_words_are_not_identifiers(found) -> None:
    text = ("The keyworker and the social worker came with my mum, my dad and my nan. The teacher rang "
            "the police. PC said the school and the council knew.")
    assert found(text) == set()


@pytest.mark.parametrize("text", ["I hope she will come.", "I will ring them, I hope.",
                                  "There's no grace period on the rent.", "Will they actually do it?",
                                  "Hope so, anyway.", "May I just say, it helped."])
def test_ordinary_words_stay(found, text: str) -> None:
    assert found(text) == set()


@pytest.mark.parametrize("text, name", [("Hope's nursery rang twice.", "Hope"),
                                        ("Then Grace went missing again.", "Grace"),
                                        ("Grace went missing on the Friday.", "Grace"),
                                        ("I live with my dad and my brother, Will.", "Will"),
                                        ("Summer is nine and she still wets the bed.", "Summer"),
                                        ("Me and my sister Rose took turns.", "Rose")])
def test_ordinary_words_used_as_names(found, text: str, name: str) -> None:
    assert (name, "PERSON") in found(text)


def test_lower_case_names_in_transcripts(found) -> None:
    assert {("kayden", "PERSON"), ("jade", "PERSON")} <= found("kayden was there and jade said no")


@pytest.mark.parametrize("text, name", [("Mrs Tierney rang.", "Mrs Tierney"),
                                        ("I spoke to PC Whitfield about it.", "PC Whitfield"),
                                        ("Dr Shah at the surgery was lovely.", "Dr Shah"),
                                        ("Allocated to KW D. Okafor today.", "D. Okafor")])
def test_titles_with_surnames(found, text: str, name: str) -> None:
    assert (name, "PERSON") in found(text)


def test_possessive_covers_the_name_only(found) -> None:
    assert ("Kayleigh", "PERSON") in found("Honestly, Kayleigh's dad never turned up.")


def test_known_people_allow_and_deny_lists() -> None:
    detector = Detector(known_people=["Zorbeth Quayle"], allow=["Harbour"], deny={"the Den": "ORG"})
    found = {(d.text, d.label, d.source) for d in detector.detect(
        "Quayle runs Harbour, and Zorbeth Quayle meets kids at the Den.")}
    assert ("Quayle", "PERSON", "known") in found and ("Zorbeth Quayle", "PERSON", "known") in found
    assert ("the Den", "ORG", "deny") in found
    assert not any("Harbour" in text for text, _, _ in found)


def test_bad_settings_say_what_is_allowed() -> None:
    with pytest.raises(AnonymiseSettingError, match=r"unknown label 'NAME'.*Use one of PERSON"):
        Detector(deny={"x": "NAME"})
    with pytest.raises(AnonymiseSettingError, match="Unknown detection layer"):
        Detector(layers=["regex"])
