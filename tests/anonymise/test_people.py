"""People as entities: one pseudonym per person, never one for two people, ambiguity left to people."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit.anonymise.people import AMBIGUOUS, PeopleIndex, parse_name, same_first_name
from qualkit.anonymise.replace import AMBIGUOUS_PERSON, PseudonymKey


def pseudonyms(mentions: list[tuple[int, str]], **options) -> dict[tuple[int, str], str]:
    key = PseudonymKey(**options)
    key.learn_people(mentions)
    return {(text, name): key.pseudonym(name, "PERSON", text) for text, name in mentions}


def test_name_parts() -> None:
    assert parse_name("Tom de Castella").last == "de castella"
    assert parse_name("Cllr Chris Cooke").first == "chris"
    assert parse_name("Mrs Doyle's").last == "doyle" and parse_name("Mrs Doyle").first is None
    assert parse_name("KW D. Okafor").initial == "d"
    assert parse_name("Kirk").single == "kirk"
    assert parse_name("Mrs") is None


def test_short_forms_of_first_names_come_from_the_nickname_list() -> None:
    assert same_first_name("dani", "danielle") and same_first_name("tom", "thomas")
    assert not same_first_name("tom", "fiona")


def test_different_full_names_are_different_people_even_with_one_first_name() -> None:
    found = pseudonyms([(1, "Tom Bradley"), (2, "Tom de Castella"), (3, "Fiona McLeod"),
                        (3, "Fiona Waddington"), (4, "Cllr Chris Carubia"), (4, "Cllr Chris Cooke")])
    assert len(set(found.values())) == 6


def test_forms_of_one_person_share_a_pseudonym() -> None:
    found = pseudonyms([(1, "Dani"), (1, "Danielle Okafor"), (2, "Dani Okafor"), (2, "KW Okafor"),
                        (3, "Amanda Doyle"), (3, "Doyle"), (3, "Mrs Doyle's"), (4, "Lynette Sung"),
                        (4, "Sung")])
    assert found[(1, "Dani")] == found[(1, "Danielle Okafor")] == found[(2, "Dani Okafor")] \
        == found[(2, "KW Okafor")]
    assert found[(3, "Amanda Doyle")] == found[(3, "Doyle")] == found[(3, "Mrs Doyle's")]
    assert found[(4, "Lynette Sung")] == found[(4, "Sung")]
    assert len({found[(1, "Dani")], found[(3, "Doyle")], found[(4, "Sung")]}) == 3
    bare = pseudonyms([(1, "Bill"), (2, "Will")])  # both short for William, but nothing says one person
    assert bare[(1, "Bill")] != bare[(2, "Will")]


def test_a_first_name_that_could_be_two_people_in_its_text_is_ambiguous_not_guessed() -> None:
    found = pseudonyms([(1, "Tom Bradley"), (1, "Tom"), (2, "Tom de Castella"), (2, "Tom"),
                        (3, "Tom Bradley"), (3, "Tom de Castella"), (3, "Tom"), (4, "Tom")])
    assert found[(1, "Tom")] == found[(1, "Tom Bradley")]
    assert found[(2, "Tom")] == found[(2, "Tom de Castella")]
    assert found[(3, "Tom")] == AMBIGUOUS_PERSON  # both Toms are named in text 3
    assert found[(4, "Tom")] == AMBIGUOUS_PERSON  # either Tom could be meant
    index = PeopleIndex()
    index.add_all([(3, "Tom Bradley"), (3, "Tom de Castella"), (3, "Tom")])
    assert index.person_of(3, "Tom") == AMBIGUOUS and index.ambiguous() == [(3, "tom")]


def test_peoples_decisions_merge_and_keep_apart() -> None:
    mentions = [(1, "Tom Bradley"), (1, "Tom de Castella"), (1, "Tom"), (2, "Big Tom")]
    merged = pseudonyms(mentions, participants={})
    assert merged[(1, "Tom")] == AMBIGUOUS_PERSON
    key = PseudonymKey()
    key.merged = [["Tom", "Tom Bradley"]]
    key.learn_people(mentions)
    assert key.pseudonym("Tom", "PERSON", 1) == key.pseudonym("Tom Bradley", "PERSON", 1)
    apart = PseudonymKey()
    apart.apart = ["Dani"]
    apart.learn_people([(1, "Danielle Okafor"), (1, "Dani")])
    assert apart.pseudonym("Dani", "PERSON", 1) != apart.pseudonym("Danielle Okafor", "PERSON", 1)


def test_participants_names_take_their_participant_label() -> None:
    found = pseudonyms([(1, "Danielle Okafor"), (1, "Dani"), (2, "KW Okafor"), (2, "Craig")],
                       participants={"Danielle Okafor": "Keyworker B"})
    assert found[(1, "Dani")] == found[(2, "KW Okafor")] == "[Keyworker B]"
    assert found[(2, "Craig")] == "[Person 1]"


def test_pseudonyms_are_stable_across_runs_and_a_merged_key_is_split() -> None:
    people = [(1, "Jodie Marsh"), (2, "Craig"), (3, "Kayden")]
    first = PseudonymKey()
    first.learn_people(people)
    before = {n: first.pseudonym(n, "PERSON", t) for t, n in people}
    again = PseudonymKey.from_dict(first.to_dict())
    again.learn_people([(9, "Lacey"), (3, "Kayden"), (2, "Craig"), (1, "Jodie Marsh"), (1, "Jodie")])
    assert {n: again.pseudonym(n, "PERSON", t) for t, n in people} == before
    assert again.pseudonym("Lacey", "PERSON", 9) not in before.values()
    # a version-1 key gave two Toms one pseudonym: one keeps it, the other gets a new one
    old = {"version": 1, "style": "bracket", "roles": {}, "counters": {"Person": 16},
           "entries": {"PERSON": {"tom bradley": "[Person 16]", "tom de castella": "[Person 16]"}}}
    key = PseudonymKey.from_dict(old)
    key.learn_people([(1, "Tom Bradley"), (2, "Tom de Castella")])
    assert {key.pseudonym("Tom Bradley", "PERSON", 1), key.pseudonym("Tom de Castella", "PERSON", 2)} \
        == {"[Person 16]", "[Person 17]"}


FIRST = ["Tom", "Fiona", "Chris", "Dani", "Danielle", "Amanda", "Lynette", "Craig"]
LAST = ["Bradley", "de Castella", "McLeod", "Okafor", "Doyle", "Sung"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(FIRST), st.sampled_from(LAST)), min_size=1,
                max_size=12),
       st.lists(st.tuples(st.integers(0, 3), st.sampled_from(FIRST + LAST)), max_size=8))
def test_no_pseudonym_covers_two_full_names_that_cannot_be_one_person(full, bare) -> None:
    mentions = [(t, f"{first} {last}") for t, first, last in full] + list(bare)
    found = pseudonyms(mentions)
    owner: dict[str, tuple[str, str]] = {}
    for (_, name), pseudonym in found.items():
        parts = parse_name(name)
        if parts is None or not parts.full:
            continue
        seen = owner.setdefault(pseudonym, (parts.first, parts.last))
        assert seen[1] == parts.last and same_first_name(seen[0], parts.first), (name, seen, pseudonym)
