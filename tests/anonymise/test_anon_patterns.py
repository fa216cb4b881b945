"""The pattern layer: structured identifiers, dates, ages, addresses, estates and institutions."""

from __future__ import annotations

import pytest

from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.patterns import find_patterns, nhs_number_valid


def patterns(text: str) -> set[tuple[str, str]]:
    return {(d.text, d.label) for d in find_patterns(text, load_lexicon())}


@pytest.mark.parametrize("number", ["07700 900123", "+44 7700 900123", "0161 496 0000", "(0161) 4960000",
                                    "01632 960 214", "07700-900-683", "07384551902", "020 7946 0018",
                                    "0808 802 4040", "(0114) 496 0927"])
def test_uk_phone_numbers(number: str) -> None:
    assert (number, "PHONE") in patterns(f"Ring me on {number}, any time.")


def test_emails_and_postcodes() -> None:
    found = patterns("Email jo.b1985@hotmail.co.uk, post to AS4 7QT or M1 1AE; she typed bd3 9pl.")
    assert {("jo.b1985@hotmail.co.uk", "EMAIL"), ("AS4 7QT", "POSTCODE"), ("M1 1AE", "POSTCODE"),
            ("bd3 9pl", "POSTCODE")} <= found


def test_nhs_numbers_are_checked_but_labelled_ones_are_flagged_anyway() -> None:
    assert nhs_number_valid("9434765919") and not nhs_number_valid("9434765918")
    assert ("943 476 5919", "IDNUM") in patterns("Reference 943 476 5919 on the letter.")
    assert not any(label == "IDNUM" for _, label in patterns("The count was 943 476 5918 in total."))
    assert ("943 476 5918", "IDNUM") in patterns("Her NHS number is 943 476 5918.")


def test_national_insurance_and_reference_numbers() -> None:
    found = patterns("NI AB 12 34 56 C, or ab123456c. Family ref: H-0147.")
    assert {("AB 12 34 56 C", "IDNUM"), ("ab123456c", "IDNUM"), ("H-0147", "IDNUM")} <= found


@pytest.mark.parametrize("date", ["12/03/2019", "12 March 2024", "March 2024", "3rd of May", "Monday 5th",
                                  "the 28th", "21.11.22", "Boxing Day", "the twenty-third of October",
                                  "Thursday 2nd November", "mid-August"])
def test_dates(date: str) -> None:
    assert (date, "DATE") in patterns(f"It was {date} when it happened.")


def test_may_the_verb_is_not_a_date() -> None:
    assert patterns("May I just say, you may as well.") == set()
    assert ("May", "DATE") in patterns("It started in May.")


@pytest.mark.parametrize("text, age", [
    ("She was aged 14 then.", "14"), ("a 14-year-old boy", "14-year-old"), ("Yeah, he's 9.", "9"),
    ("Age 34, unemployed.", "34"),
    ("Kayden who's thirteen", "thirteen"), ("a nine-year-old", "nine-year-old"),
    ("Shannon (27) lives", "27"), ("mum's in her seventies", "seventies"), ("He's just turned 16.", "16"),
    ("The baby's eight months.", "eight months")])
def test_ages(text: str, age: str) -> None:
    assert (age, "AGE") in patterns(text)


@pytest.mark.parametrize("text", ["He's five minutes late.", "It's about nine at night.",
                                  "Attendance was 61%.", "He was one of them.",
                                  "they were about two thousand in arrears"])
def test_numbers_that_are_not_ages(text: str) -> None:
    assert not any(label == "AGE" for _, label in patterns(text))


def test_addresses_streets_and_estates() -> None:
    found = patterns("They moved from 14 Orchard Road to Flat 3, 27 Cedar Court, then Flat 6, Alder House, "
                     "18 Bridge Street. Kids hang round Hollins Lane and on Foxley Close, on the Foxley "
                     "estate.")
    assert {("14 Orchard Road", "ADDRESS"), ("Flat 3, 27 Cedar Court", "ADDRESS"),
            ("Flat 6, Alder House, 18 Bridge Street", "ADDRESS"), ("Hollins Lane", "PLACE"),
            ("Foxley Close", "PLACE"), ("Foxley", "PLACE")} <= found


def test_named_institutions_but_not_generic_services() -> None:
    found = patterns("Ravensmoor Academy, St Bede's, Millbrook Medical Centre and the Family Hub.")
    assert {("Ravensmoor Academy", "ORG"), ("St Bede's", "ORG"), ("Millbrook Medical Centre", "ORG")} <= found
    assert not any("Family Hub" in text for text, _ in found)
