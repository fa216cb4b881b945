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
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

# The normaliser's own patterns, so the two cannot drift apart (callers also compare the results).
from qualkit.ingest.normalise import _CONTROL, _INVISIBLE, _PAGE_BREAK, _TRAILING_SPACE

_LINE_ENDINGS = re.compile("\r\n|\r|\f|\u2028|\u2029")
_BREAK_FOR = {"\r\n": "\n", "\r": "\n", "\f": "\n\n", "\u2028": "\n", "\u2029": "\n\n"}
_NO_BREAK_SPACE = re.compile("[\u00a0\u202f]")


@dataclass(frozen=True)
class MappedText:
    """Normalised text, and for each of its characters the index it came from in the raw text."""

    text: str
    origins: tuple[int, ...]

    def offset(self, raw: int) -> int:
        """The stored offset of raw position `raw`: how many stored characters came from before it."""
        return bisect_left(self.origins, raw)


def track_normalisation(raw: str) -> MappedText:
    """`normalise_text` then `rejoin_page_breaks`, with each character's origin kept."""
    text, origins = raw, list(range(len(raw)))
    text, origins = _sub(text, origins, _LINE_ENDINGS, lambda m: _BREAK_FOR[m.group()])
    text, origins = _sub(text, origins, _INVISIBLE, lambda m: "")
    text, origins = _sub(text, origins, _CONTROL, lambda m: "")
    text, origins = _sub(text, origins, _NO_BREAK_SPACE, lambda m: " ")
    text, origins = _nfc(text, origins)
    text, origins = _sub(text, origins, _TRAILING_SPACE, lambda m: "")
    stripped = text.strip("\n")
    first = len(text) - len(text.lstrip("\n"))
    text, origins = stripped, origins[first:first + len(stripped)]
    text, origins = _sub(text, origins, _PAGE_BREAK, lambda m: " ")
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
