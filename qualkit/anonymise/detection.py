"""What a detector reports, and how overlapping reports of the same words become one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

LABELS = ("PERSON", "PLACE", "ORG", "DATE", "AGE", "PHONE", "EMAIL", "POSTCODE", "ADDRESS", "IDNUM")
# Each detection layer, recorded as a detection's `source`.
SOURCES = ("pattern", "ner", "gazetteer", "known", "deny", "propagated")
# Patterns for these are exact; a statistical guess over the same words is the one to give way.
STRUCTURED = frozenset({"PHONE", "EMAIL", "POSTCODE", "IDNUM", "ADDRESS", "DATE", "AGE"})
# Between equally long detections of different layers, the more trustworthy layer names the span.
_SOURCE_RANK = {"deny": 5, "known": 4, "pattern": 3, "gazetteer": 2, "propagated": 1, "ner": 0}


@dataclass(frozen=True, slots=True)
class Detection:
    """One identifier: `text[start:end]` of the text it was found in, why, and by which layer."""

    start: int
    end: int
    label: str
    text: str
    source: str
    reason: str

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown label {self.label!r}; labels are {', '.join(LABELS)}")
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or negative span {self.start}..{self.end}")


def make(text: str, start: int, end: int, label: str, source: str, reason: str) -> Detection:
    """A detection of `text[start:end]`, trimmed of surrounding spaces and punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return Detection(start, end, label, text[start:end], source, reason)


def _priority(d: Detection) -> tuple[int, int, int]:
    if d.source in ("deny", "manual"):
        group = 2
    else:
        group = 1 if d.source == "pattern" and d.label in STRUCTURED else 0
    return group, d.end - d.start, _SOURCE_RANK.get(d.source, 0)


def resolve(detections: Iterable[Detection], text: str) -> list[Detection]:
    """Non-overlapping detections in text order.

    The winner of an overlap is a deny-list term, then a structured pattern, then the longest, then
    the most trusted layer. A detection that only partly overlaps the winner widens it to cover both,
    so no part of either identifier is left behind.
    """
    kept: list[Detection] = []
    for candidate in sorted(detections, key=_priority, reverse=True):
        clashes = [d for d in kept if d.start < candidate.end and candidate.start < d.end]
        if not clashes:
            kept.append(candidate)
            continue
        inside = any(d.start <= candidate.start and candidate.end <= d.end for d in clashes)
        if inside:
            continue
        winner = max(clashes, key=_priority)
        start = min(candidate.start, *(d.start for d in clashes))
        end = max(candidate.end, *(d.end for d in clashes))
        kept = [d for d in kept if d not in clashes]
        kept.append(replace(winner, start=start, end=end, text=text[start:end]))
    return sorted(kept, key=lambda d: d.start)
