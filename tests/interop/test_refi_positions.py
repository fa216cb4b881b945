"""REFI positions into a vendor's raw text land on the same characters of qualkit's stored text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qualkit.ingest.normalise import normalise_text, rejoin_page_breaks
from qualkit.interop.refi.positions import Convention, conventions, counting, track_normalisation

# Letters, the characters normalisation touches, and combining marks that compose under NFC.
PIECES = st.sampled_from(["a", "b", "Z", " ", ".", ",", "\n", "\r\n", "\r", "\f", "\t", "\u00a0", "\u200b",
                          "\ufeff", "\u00ad", "\x07", "e\u0301", "\u0301", "é", "\u2028", "\u2029",
                          "word", "Word", "\n\nnext", "  \n", "😀"])
RAW = st.lists(PIECES, max_size=40).map("".join)


@given(RAW)
def test_tracked_text_is_what_the_normaliser_stores(raw: str) -> None:
    assert track_normalisation(raw).text == rejoin_page_breaks(normalise_text(raw))


@given(RAW)
def test_each_stored_character_comes_from_where_it_was(raw: str) -> None:
    mapped = track_normalisation(raw)
    assert list(mapped.origins) == sorted(mapped.origins)
    for index, origin in enumerate(mapped.origins):
        assert mapped.offset(origin) <= index  # the character's own raw position maps to or before it
        char = mapped.text[index]
        if char.isalnum() and raw[origin] == char:
            assert mapped.offset(origin) == index and mapped.offset(origin + 1) == index + 1


def test_a_selection_past_crlf_line_endings_keeps_its_words() -> None:
    raw = "First line\r\n\r\nSecond: the funding ran out.\r\n"
    start = raw.index("funding")
    mapped = track_normalisation(raw)
    assert mapped.text[mapped.offset(start):mapped.offset(start + len("funding"))] == "funding"


def test_characters_removed_by_normalisation_shrink_the_selection_not_shift_it() -> None:
    raw = "\ufeffA\u200bB  \nC\u0301 D"
    mapped = track_normalisation(raw)
    assert mapped.text == "AB\nĆ D"
    assert mapped.text[mapped.offset(raw.index("C")):mapped.offset(raw.index(" D"))] == "Ć"


def _units_by_hand(raw: str, convention: Convention) -> list[int]:
    """The raw index of each unit a program counts, written out from the convention's definition."""
    units = [0] if convention.bom and not raw.startswith("\ufeff") else []
    for index, char in enumerate(raw):
        if index == 0 and char == "\ufeff" and convention.bom is False:
            continue  # a BOM the program does not count
        if convention.crlf_one and char == "\n" and raw[index - 1:index] == "\r":
            continue  # the LF of a CRLF counted as one
        units += [index, index] if convention.utf16 and ord(char) > 0xFFFF else [index]
    return units


@given(RAW)
def test_every_counting_convention_counts_the_units_its_definition_says(raw: str) -> None:
    """Also where a convention changes nothing in a text and the count is taken as the code points."""
    for convention in conventions(Convention()):
        count, units = counting(raw, convention), _units_by_hand(raw, convention)
        assert [count.raw(position) for position in range(len(units) + 2)] == [*units, len(raw), None]
