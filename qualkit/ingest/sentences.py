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
# Tried only where a run of punctuation starts, and taken possessively, so that a long run ("!!!…",
# 100k dots) costs its length once rather than once per character (linear, not quadratic).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+\s++(?=[\"'“‘(\[]?[A-Z0-9])")
# The word before a full stop, looked for in the last few characters only (abbreviations are short).
_LAST_WORD = re.compile(r"(?<!\w)(\w{1,12})\.$")
_ABBREVIATION_WINDOW = 14


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (absolute offsets) of the sentences in `text[start:end]`, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end() - len(match.group()) + len(match.group().rstrip())
        abbreviation = _LAST_WORD.search(text, max(cursor, stop - _ABBREVIATION_WINDOW), stop)
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


def pack_spans(spans: list[tuple[int, int]], max_chars: int, text: str | None = None,
               hard_max: int | None = None) -> list[tuple[int, int]]:
    """Greedily merge consecutive sentence spans into chunks of at most `max_chars` characters.

    A single sentence longer than the limit stays whole (cutting mid-sentence would harm coding) up to
    `hard_max` characters: a longer one (a 50 MB line without a full stop) is cut at the last space
    before each `hard_max` characters, or at `hard_max` where there is none.
    """
    if text is not None and hard_max is not None:
        spans = [piece for span in spans for piece in cut_span(text, *span, hard_max)]
    chunks: list[tuple[int, int]] = []
    for start, end in spans:
        if chunks and end - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks


def cut_span(text: str, start: int, end: int, hard_max: int) -> list[tuple[int, int]]:
    """`text[start:end]` in pieces of at most `hard_max` characters, cut after whitespace when there is
    some in a piece's second half; each piece trimmed."""
    pieces: list[tuple[int, int]] = []
    while end - start > hard_max:
        half, limit = start + hard_max // 2, start + hard_max
        cut = max(text.rfind(" ", half, limit), text.rfind("\n", half, limit))
        cut = cut + 1 if cut > start else limit
        a, b = _trim(text, start, cut)
        if a < b:
            pieces.append((a, b))
        start = cut
    a, b = _trim(text, start, end)
    if a < b:
        pieces.append((a, b))
    return pieces
