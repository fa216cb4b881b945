"""A fast rule-based sentence splitter, used to cut over-long turns into coding units.

Rules rather than a statistical parser: it must handle a million words in seconds, and a split
that is slightly off only moves a unit boundary, it never loses text.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st rev cllr pc dc sgt insp no vs etc eg ie approx dept govt "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Sentence end: terminal punctuation, optional closing quotes/brackets, whitespace, then a likely start.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"(\w+)\.$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (absolute offsets) of the sentences in `text[start:end]`, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end() - len(match.group()) + len(match.group().rstrip())
        abbreviation = _LAST_WORD.search(text, cursor, stop)
        if abbreviation and abbreviation.end() == stop and (
            abbreviation.group(1).lower() in _ABBREVIATIONS or len(abbreviation.group(1)) == 1
        ):
            continue
        spans.append((cursor, stop))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return [_trim(text, a, b) for a, b in spans if text[a:b].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def pack_spans(spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Greedily merge consecutive sentence spans into chunks of at most `max_chars` characters.

    A single sentence longer than the limit stays whole: cutting mid-sentence would harm coding.
    """
    chunks: list[tuple[int, int]] = []
    for start, end in spans:
        if chunks and end - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks
