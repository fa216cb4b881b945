"""The documented normalisation rules (qualkit/ingest/normalise.py)."""

from __future__ import annotations

import unicodedata

import pytest

from qualkit.ingest.normalise import normalise_text, rejoin_page_breaks, stored_text


@pytest.mark.parametrize("decomposed", ["Cafe\u0301 ne\u0301e", "Cafe\u00ad\u0301 ne\u200b\u0301e",
                                        "Cafe\x07\u0301 ne\ufeff\u0301e"])
def test_nfc(decomposed: str) -> None:
    """Also when an invisible character sat between a letter and its accent."""
    assert normalise_text(decomposed) == "Café née"
    assert unicodedata.is_normalized("NFC", normalise_text(decomposed))


@pytest.mark.parametrize(("raw", "clean"), [
    ("one\r\ntwo\rthree\n", "one\ntwo\nthree"),
    ("page one\fpage two", "page one\n\npage two"),
    ("line\u2028break\u2029para", "line\nbreak\n\npara"),
    ("\ufeffStarts with a BOM", "Starts with a BOM"),
    ("zero\u200bwidth\u200c non\u200djoiner\u2060 soft\u00adhyphen", "zerowidth nonjoiner softhyphen"),
    ("bell\x07 and\x1b escape, tab\tkept", "bell and escape, tab\tkept"),
    ("no-break\u00a0space and\u202fnarrow", "no-break space and narrow"),
    ("trailing   \nspaces\t\n", "trailing\nspaces"),
    ("\n\n\nblank lines around\n\n\n", "blank lines around"),
])
def test_rules(raw: str, clean: str) -> None:
    assert normalise_text(raw) == clean


def test_curly_quotes_dashes_and_ellipses_are_kept() -> None:
    text = "“Don’t,” she said – ‘it’s fine…’ — really."
    assert normalise_text(text) == text


def test_indentation_is_kept() -> None:
    assert normalise_text("  indented\n\tline") == "  indented\n\tline"


def test_rejoin_page_breaks() -> None:
    assert rejoin_page_breaks("half a sentence and\n\nthe rest.") == "half a sentence and the rest."
    assert rejoin_page_breaks("a list,\n\n  \n\nand more") == "a list, and more"
    assert rejoin_page_breaks("A sentence.\n\nanother") == "A sentence.\n\nanother"
    assert rejoin_page_breaks("no blank line\nhere") == "no blank line\nhere"
    assert rejoin_page_breaks("Heading\n\nText") == "Heading\n\nText"


def test_stored_text_applies_every_rule_then_rejoins_page_breaks() -> None:
    """A page break (form feed) in CRLF text, with trailing spaces: normalised first, so the break
    is found and the two halves of the sentence meet again."""
    assert stored_text("\ufeffhalf a sentence and  \r\n\fthe rest.\r\n") == "half a sentence and the rest."


def test_parse_file_stores_normalised_text(parse_one) -> None:
    raw = "\ufeffInterviewer: Cafe\u0301?\r\n\r\nP1: “Yes”\u200b.\r\n\r\nInterviewer: OK.\r\n\r\nP1: Bye.\r\n"
    doc = parse_one("t.txt", raw)
    assert doc.text == "Interviewer: Café?\n\nP1: “Yes”.\n\nInterviewer: OK.\n\nP1: Bye."
    assert [s.text for s in doc.segments] == ["Café?", "“Yes”.", "OK.", "Bye."]
