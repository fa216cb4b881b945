"""Anonymised text of stored documents and segments, from the redactions a project keeps.

Pure: built from document texts and the applied redactions (suggested and accepted ones; rejected
ones are false positives and left alone), so reports, exports and the app all read the same text.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AppliedRedaction:
    """`text[start:end]` of a document (document offsets) shows as `replacement`."""

    start: int
    end: int
    replacement: str
    forced: bool = False  # a person marked or accepted it: it wins an overlap


def merge(redactions: Iterable[AppliedRedaction]) -> list[AppliedRedaction]:
    """Non-overlapping redactions in text order. Overlapping ones become one covering both, named by
    the forced one (else the longer), so no part of either identifier shows."""
    merged: list[AppliedRedaction] = []
    for r in sorted(redactions, key=lambda r: (r.start, -(r.end - r.start))):
        if merged and r.start < merged[-1].end:
            last = merged[-1]
            longer = last.end - last.start >= r.end - r.start
            winner = last if last.forced or (not r.forced and longer) else r
            merged[-1] = AppliedRedaction(last.start, max(last.end, r.end), winner.replacement,
                                          last.forced or r.forced)
        else:
            merged.append(r)
    return merged


def apply(text: str, offset: int, redactions: Iterable[AppliedRedaction]) -> str:
    """`text` (which starts at document offset `offset`) with every redaction touching it replaced;
    one that crosses the text's edge still replaces the part inside."""
    pieces: list[str] = []
    position = 0
    for r in redactions:
        start, end = max(r.start - offset, 0), min(r.end - offset, len(text))
        if end <= 0 or start >= len(text) or start < position:
            continue
        pieces += [text[position:start], r.replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


class AnonymisedView:
    """Anonymised documents, segments and names of one project, as of when it was built."""

    def __init__(self, documents: Mapping[int, str], segments: Mapping[int, tuple[int, int, int]],
                 redactions: Mapping[int, Iterable[AppliedRedaction]],
                 participants: Mapping[str, str] | None = None,
                 document_names: Mapping[str, str] | None = None) -> None:
        """`segments`: segment id -> (document id, start, end); `participants` and `document_names`:
        label as stored -> as outputs show it (see `labels.py`)."""
        self._documents = documents
        self._segments = segments
        # Each document's merged redactions as three lists of plain values, not an object each: a view of
        # a large project holds 150,000 of them, and Python's garbage collector walks every object it
        # tracks (~100 ms a full collection in the app). Merged redactions do not overlap, so their ends
        # are in order too: a segment finds the ones touching it by bisection.
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}
        self._replacements: dict[int, list[str]] = {}
        for doc, found in redactions.items():
            merged = merge(found)
            self._starts[doc] = [r.start for r in merged]
            self._ends[doc] = [r.end for r in merged]
            self._replacements[doc] = [r.replacement for r in merged]
        self._made: dict[tuple[int, int, int], str] = {}  # texts made so far: a view outlives many reads
        self._participants = dict(participants or {})
        self._document_names = dict(document_names or {})

    def document_text(self, document_id: int) -> str:
        text = self._documents[document_id]
        return apply(text, 0, self._touching(document_id, 0, len(text)))

    def segment_text(self, segment_id: int) -> str:
        document_id, start, end = self._segments[segment_id]
        return self._text(document_id, start, end)

    def span_text(self, segment_id: int, start: int, end: int) -> str:
        """The anonymised text of document offsets `start`..`end`, kept within segment `segment_id` (the
        part of it a coding codes); a redaction crossing the span's edge still replaces the part inside."""
        document_id, seg_start, seg_end = self._segments[segment_id]
        return self._text(document_id, max(start, seg_start), min(end, seg_end))

    def _text(self, document_id: int, start: int, end: int) -> str:
        """The anonymised text of document offsets `start`..`end`."""
        key = (document_id, start, end)
        if key not in self._made:
            self._made[key] = apply(self._documents[document_id][start:end], start,
                                    self._touching(document_id, start, end))
        return self._made[key]

    def _touching(self, document_id: int, start: int, end: int) -> list[AppliedRedaction]:
        """The merged redactions of a document that reach into offsets `start`..`end`, in order."""
        starts = self._starts.get(document_id)
        if not starts:
            return []
        ends, replacements = self._ends[document_id], self._replacements[document_id]
        first = bisect_right(ends, start)  # the first ending after `start`
        last = first
        while last < len(starts) and starts[last] < end:
            last += 1
        return [AppliedRedaction(starts[i], ends[i], replacements[i]) for i in range(first, last)]

    def participant(self, label: str | None) -> str:
        """What outputs call a participant (a label the view does not know shows as a placeholder,
        never as itself)."""
        if not label:
            return ""
        return self._participants.get(label, "[Participant]")

    def document(self, name: str | None) -> str:
        """What outputs call a document (one the view does not know shows as "Document")."""
        if not name:
            return ""
        return self._document_names.get(name, "Document")
