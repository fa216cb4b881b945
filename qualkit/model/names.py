"""Names and labels people read in every output (groups, codes, participants, documents, coders) must
be printable text: a control character is invisible on screen and ends a Word or Excel report (XML
cannot hold it). One rule, checked wherever such a name enters: the codebook model, the participants
sheet, and, for every other way in, the store's own name columns (checked on set)."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls (tab and newline too: a name is one line), lone surrogates, the two non-characters
# XML forbids, and Unicode's line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]")


def unprintable(value: str) -> str | None:
    """What is wrong with `value` as a name ("a control character U+0007 at position 4"), or None."""
    match = _UNPRINTABLE.search(value)
    if match is None:
        return None
    char = match.group()
    kind = "a line break" if char in "\n\r\u2028\u2029" else "a tab" if char == "\t" else (
        "a control character" if unicodedata.category(char) == "Cc" else "an unprintable character")
    return f"{kind} (U+{ord(char):04X}) at position {match.start() + 1}"


def printable_or_error(value: str, what: str) -> str:
    """`value` unchanged, or a ValueError saying which character of the `what` is wrong."""
    problem = unprintable(value)
    if problem:
        raise ValueError(f"{what} {value[:60]!r} holds {problem}; names must be printable text")
    return value
