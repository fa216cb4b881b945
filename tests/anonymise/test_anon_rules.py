"""The general rules behind the detector's recall, each on sentences of its own (none are in the
benchmark's labelled set): lower-case names and places, towns that are surnames or words, known
and title-case organisations, languages, ordinal and spoken dates, names that are words."""

from __future__ import annotations

import pytest

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.places import load_places


def _texts(found: set[tuple[str, str]]) -> set[str]:
    return {text for text, _ in found}


@pytest.mark.parametrize(("sentence", "name"), [
    ("me and zofia used to walk home the long way", "zofia"),
    ("it weren't me it was kerys", "kerys"),
    ("i said that bilal was being bullied on the bus", "bilal"),
    ("then tiegan kicked off and we all got sent out", "tiegan"),
])
def test_lower_case_names_where_a_name_goes(found, sentence: str, name: str) -> None:
    assert (name, "PERSON") in found(sentence)


@pytest.mark.parametrize("sentence", [
    "we owe loads in arrears and the landline's been cut off",
    "the caseworker said to ring the helpline in a fortnight",
])
def test_lower_case_english_words_are_not_names(found, sentence: str) -> None:
    assert found(sentence) == set()


@pytest.mark.parametrize(("sentence", "place"), [
    ("we was stopping with my nan down in stockport for a bit", "stockport"),
    ("My sister lives in Wigan now.", "Wigan"),
    ("He got the train to Doncaster and never came back.", "Doncaster"),
    ("She'd moved from Bolton to Bury after the refuge.", "Bolton"),
])
def test_towns_are_places_even_when_they_are_surnames(found, sentence: str, place: str) -> None:
    assert (place, "PLACE") in found(sentence)


def test_a_town_that_is_a_word_is_a_place_only_where_a_place_goes(found) -> None:
    assert ("Reading", "PLACE") in found("Her dad took her to Reading for the weekend.")
    assert _texts(found("Reading is hard for him, he's dyslexic.")) == set()


def test_a_town_that_is_a_first_name_is_a_person_unless_a_place_word_leads(found) -> None:
    assert ("Chelsea", "PLACE") in found("We went up to Chelsea for the match.")
    assert ("Chelsea", "PERSON") in found("Her friend Chelsea was there as well.")


@pytest.mark.parametrize(("sentence", "org"), [
    ("Refuge found us a place within a week.", "Refuge"),
    ("Then Samaritans rang back the next morning.", "Samaritans"),
    ("She got a grant off Turn2us for the cooker.", "Turn2us"),
    ("I stack shelves at Lidl on nights.", "Lidl"),
    ("Citizens Advice were the ones who sorted the debt.", "Citizens Advice"),
])
def test_known_organisations(found, sentence: str, org: str) -> None:
    assert (org, "ORG") in found(sentence)


def test_an_organisation_that_is_a_word_counts_only_as_a_name(found) -> None:
    assert ("Shelter", "ORG") in found("Shelter were really good with the council.")
    assert _texts(found("Shelter is a basic right, not a favour.")) == set()
    assert _texts(found("Mind you, he'd already gone by then.")) == set()


@pytest.mark.parametrize(("sentence", "org"), [
    ("Coaching for Dads runs on a Saturday morning.", "Coaching for Dads"),
    ("She's been going to the Network for Young Carers since March.", "Network for Young Carers"),
    ("They referred us to Fathers' Network straight away.", "Fathers' Network"),
    ("He does shifts at the Kelmore meat factory.", "Kelmore"),
])
def test_organisations_named_by_their_shape(found, sentence: str, org: str) -> None:
    assert any(text.endswith(org) and label == "ORG" for text, label in found(sentence))


def test_title_case_for_phrases_that_are_not_names(found) -> None:
    assert _texts(found("Thanks for Everything, she wrote on the card.")) == set()


@pytest.mark.parametrize("sentence", [
    "The interpreter for Tigrinya didn't turn up.",
    "Her mum only speaks Sylheti and a bit of Urdu.",
])
def test_languages_are_not_identifiers(found, sentence: str) -> None:
    assert found(sentence) == set()


@pytest.mark.parametrize(("sentence", "date"), [
    ("The hearing's on the nineteenth, I think.", "the nineteenth"),
    ("Thirtieth of March was her last day.", "Thirtieth of March"),
    ("We got the keys back in nineteen ninety-eight.", "nineteen ninety-eight"),
    ("Her dad left, erm, twenty-one, just before lockdown ended.", "twenty-one"),
])
def test_dates_in_words(found, sentence: str, date: str) -> None:
    assert (date, "DATE") in found(sentence)


@pytest.mark.parametrize("sentence", [
    "It was the twenty-first century and still no lift.",
    "They pay twenty-two pound a week off the arrears.",
    "He's been there for the third time this week.",
])
def test_numbers_in_words_that_are_not_dates(found, sentence: str) -> None:
    assert not {label for _, label in found(sentence)} & {"DATE"}


def test_possessive_names_leave_the_possessive(found) -> None:
    assert ("Tiegan", "PERSON") in found("Tiegan's dad never came to one meeting.")


def test_names_that_are_words_are_found_as_names(detector: Detector) -> None:
    texts = ["Her youngest is called Hope.", "Hope started nursery in the spring.",
             "I hope it works out.", "Hope so, anyway.", "Grace and Will came to the group.",
             "Will they come back?"]
    found = [{d.text for d in ds} for ds in detector.detect_many(texts)]
    assert "Hope" in found[0] and "Hope" in found[1]
    assert found[2] == set() and found[3] == set()
    assert {"Grace", "Will"} <= found[2 + 2]
    assert "Will" not in found[5]


def test_propagation_leaves_everyday_words_opening_a_sentence(detector: Detector) -> None:
    texts = ["Her little one, Summer, is four.", "We stayed in Bath for a week.",
             "Summer holidays are always the hardest.", "Bath time is chaos.", "Summer loves the park."]
    found = [{d.text for d in ds} for ds in detector.detect_many(texts)]
    assert found[2] == set() and found[3] == set()
    assert "Summer" in found[4]


def test_names_split_by_runs_of_spaces_are_one_name(found) -> None:
    assert ("Darius  Nowicki", "PERSON") in found("Yeah.  Darius  Nowicki,  he's  the  dad.")


def test_the_gazetteers_load_their_data() -> None:
    places, lexicon = load_places(), load_lexicon()
    assert places.is_place("Merthyr Tydfil") and places.is_place("poland") and not places.is_place("Hope")
    assert lexicon.is_dictionary_word("arrears") and not lexicon.is_dictionary_word("kasia")


def test_named_shapes_never_run_across_lines(found) -> None:
    detected = found("Service: Children's Services\nKeyworker: in post since May")
    assert not any("\n" in text for text, _ in detected)
