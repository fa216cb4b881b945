"""REFI positions into a source's plain text -> offsets into qualkit's stored text.

qualkit stores every document normalised (`qualkit.ingest.normalise`: line endings, NFC,
invisible characters, trailing spaces, page-break joins), while a REFI selection counts code
points in the file as the other program wrote it. `track_normalisation` applies the same rules
while remembering where each stored character came from, so a selection lands on exactly the
characters it selected. Callers compare `MappedText.text` with the normaliser's own output and
do not trust the map if they differ.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

# The normaliser's own patterns, so the two cannot drift apart (callers also compare the results).
from qualkit.ingest.normalise import (
    CONTROL,
    INVISIBLE,
    LINE_BREAK,
    LINE_BREAKS,
    NO_BREAK_SPACE,
    PAGE_BREAK,
    TRAILING_SPACE,
)


@dataclass(frozen=True)
class MappedText:
    """Normalised text, and for each of its characters the index it came from in the raw text."""

    text: str
    origins: tuple[int, ...]

    def offset(self, raw: int) -> int:
        """The stored offset of raw position `raw`: how many stored characters came from before it."""
        return bisect_left(self.origins, raw)


def track_normalisation(raw: str) -> MappedText:
    """`stored_text` (`normalise_text` then `rejoin_page_breaks`), with each character's origin kept."""
    text, origins = raw, list(range(len(raw)))
    text, origins = _sub(text, origins, LINE_BREAK, lambda m: LINE_BREAKS[m.group()])
    text, origins = _sub(text, origins, INVISIBLE, lambda m: "")
    text, origins = _sub(text, origins, CONTROL, lambda m: "")
    text, origins = _sub(text, origins, NO_BREAK_SPACE, lambda m: " ")
    text, origins = _nfc(text, origins)
    text, origins = _sub(text, origins, TRAILING_SPACE, lambda m: "")
    stripped = text.strip("\n")
    first = len(text) - len(text.lstrip("\n"))
    text, origins = stripped, origins[first:first + len(stripped)]
    text, origins = _sub(text, origins, PAGE_BREAK, lambda m: " ")
    return MappedText(text, tuple(origins))


def _sub(text: str, origins: list[int], pattern: re.Pattern[str],
         replace: Callable[[re.Match[str]], str]) -> tuple[str, list[int]]:
    """`pattern.sub` that gives each replacement character the origin of the match's start."""
    parts: list[str] = []
    mapped: list[int] = []
    done = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        parts.append(text[done:start])
        mapped.extend(origins[done:start])
        replacement = replace(match)
        origin = origins[start] if start < len(origins) else (origins[-1] + 1 if origins else 0)
        parts.append(replacement)
        mapped.extend([origin] * len(replacement))
        done = end
    parts.append(text[done:])
    mapped.extend(origins[done:])
    return "".join(parts), mapped


def _nfc(text: str, origins: list[int]) -> tuple[str, list[int]]:
    """NFC one run at a time (a character that does not combine, then the marks after it)."""
    if unicodedata.is_normalized("NFC", text):
        return text, origins
    starts = [i for i, char in enumerate(text) if i == 0 or not unicodedata.combining(char)]
    parts: list[str] = []
    mapped: list[int] = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        run = unicodedata.normalize("NFC", text[start:end])
        parts.append(run)
        mapped.extend(origins[start + min(j, end - start - 1)] for j in range(len(run)))
    return "".join(parts), mapped


# --- Counting conventions -------------------------------------------------------------------------
#
# The spec counts code points in the plain-text file, but programs differ: ATLAS.ti counts a stored
# CRLF as one character, programs built on UTF-16 strings (.NET, Qt, Java) count a character beyond
# the Basic Multilingual Plane (an emoji) as two units, and some count, or do not count, a
# byte-order mark at the start. A `Convention` turns a vendor position into a position in the raw
# text as qualkit read it (code points, BOM and CRLF included).


@dataclass(frozen=True)
class Convention:
    utf16: bool = False  # a character beyond U+FFFF counts as two
    crlf_one: bool = False  # CRLF counts as one character
    bom: bool | None = None  # True: a BOM is counted (even if the file has none); False: not counted;
    #                          None: counted exactly when the file has one

    def describe(self) -> str:
        parts = ["UTF-16 units" if self.utf16 else "code points",
                 "CRLF as one character" if self.crlf_one else "CRLF as two"]
        if self.bom is not None:
            parts.append("a byte-order mark counted" if self.bom else "no byte-order mark counted")
        return ", ".join(parts)


def conventions(preferred: Convention) -> list[Convention]:
    """Every convention, the preferred one first."""
    found = [preferred]
    for utf16 in (False, True):
        for crlf_one in (False, True):
            for bom in (None, True, False):
                convention = Convention(utf16, crlf_one, bom)
                if convention not in found:
                    found.append(convention)
    return found


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # counted as two units by UTF-16 programs
_CRLF = re.compile("\r\n")


@dataclass(frozen=True)
class Counting:
    """How one convention counts a raw text: each character is one unit, except the few in `uneven`
    ((raw index, units it counts as), in order): a character beyond U+FFFF as two, the LF of a CRLF
    or an uncounted BOM as none, the first character as one more for a BOM counted but not written.
    Kept sparse, so counting a long text costs only its exceptions."""

    convention: Convention
    uneven: tuple[tuple[int, int], ...]
    starts: tuple[int, ...]  # the position of each uneven character's first unit
    raw_length: int
    length: int  # how many units the text counts as

    def raw(self, position: int) -> int | None:
        """The raw index of a vendor position; None when it is past the end."""
        if position == self.length:
            return self.raw_length
        if not 0 <= position < self.length:
            return None
        before = bisect_right(self.starts, position)
        if before == 0:
            return position
        index, weight = self.uneven[before - 1]
        start = self.starts[before - 1]
        return index if position < start + weight else index + 1 + position - start - weight


def counting(raw: str, convention: Convention) -> Counting:
    has_bom = raw.startswith("\ufeff")
    weights: dict[int, int] = {}
    if convention.bom and not has_bom:
        weights[0] = 2  # a BOM the program counted but the file does not hold, then the first character
    if convention.bom is False and has_bom:
        weights[0] = 0
    if convention.crlf_one:
        weights.update((match.start() + 1, 0) for match in _CRLF.finditer(raw))
    if convention.utf16:
        for match in _ASTRAL.finditer(raw):
            weights[match.start()] = weights.get(match.start(), 1) + 1
    uneven = tuple(sorted(weights.items()))
    starts, shift = [], 0
    for index, weight in uneven:
        starts.append(index + shift)
        shift += weight - 1
    return Counting(convention, uneven, tuple(starts), len(raw), len(raw) + shift)


_SPACE = re.compile(r"\s+")
_ELLIPSIS = ("…", "...")


def matches(name: str | None, selected: str) -> bool | None:
    """Whether a selection's stored name is the text it selects (None: the name says nothing).

    Names are compared with white space collapsed; a name cut short (ending in an ellipsis, or a
    prefix of at least 20 characters, as MAXQDA and qualkit shorten long selections) matches
    the start of the text."""
    if not name or not name.strip():
        return None
    wanted, found = _SPACE.sub(" ", name).strip(), _SPACE.sub(" ", selected).strip()
    if wanted == found:
        return True
    for mark in _ELLIPSIS:
        if wanted.endswith(mark) and len(wanted) > len(mark):
            stem = wanted[:-len(mark)].rstrip()
            return found.startswith(stem) and len(found) > len(stem)
    return len(wanted) >= 20 and found.startswith(wanted)
