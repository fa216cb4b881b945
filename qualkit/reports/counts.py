"""Counting themes: segments, distinct participants and documents, by group, and co-occurrence.

Pure over a `ReportInput`. A theme's count is of the segments coded with that code itself (a parent
code does not absorb its sub-codes), each segment once however many coders applied it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from qualkit.model.coding import Status
from qualkit.reports.model import KINDS, NO_GROUP, CodingFact, ReportInput, SegmentFact, Theme


@dataclass(frozen=True)
class Count:
    segments: int
    participants: int
    documents: int
    suggested: int = 0  # of the segments, those counted on a pending machine suggestion only
    members: dict[str, int] = field(default_factory=dict)  # per kind of source, see `population`


@dataclass(frozen=True)
class GroupSize:
    group: str
    segments: int  # codable segments in scope
    participants: int
    documents: int
    words: int
    members: dict[str, int] = field(default_factory=dict)  # per kind of source, see `population`


@dataclass(frozen=True)
class Coverage:
    """How much of a group people have coded: documents and segments with an accepted coding."""

    group: str
    documents: int
    coded_documents: int
    segments: int
    coded_segments: int


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    total: Count
    by_group: dict[str, Count]  # every group, in `group_order`


@dataclass(frozen=True)
class Pair:
    """Two themes and how often they occur together."""

    first: Theme
    second: Theme
    segments: int  # segments coded with both
    participants: int  # participants with segments coded with each


def group_order(segments: Iterable[SegmentFact]) -> list[str]:
    """Groups by name, with segments of no group last."""
    return sorted({s.group for s in segments}, key=lambda g: (g == NO_GROUP, g.casefold()))


def population(segments: Iterable[SegmentFact]) -> dict[str, int]:
    """Distinct members per kind of source: interviewees and survey respondents are people, sources
    without speakers are documents; the kinds are separate populations, never added up."""
    members = {s.member for s in segments}
    return {kind: n for kind in KINDS if (n := sum(m[0] == kind for m in members))}


def _count(segments: list[SegmentFact], suggested: int = 0) -> Count:
    return Count(len(segments), len({s.participant_id for s in segments if s.participant_id is not None}),
                 len({s.document_id for s in segments}), suggested, population(segments))


def group_sizes(segments: list[SegmentFact]) -> list[GroupSize]:
    sizes = []
    for group in group_order(segments):
        members = [s for s in segments if s.group == group]
        count = _count(members)
        sizes.append(GroupSize(group, count.segments, count.participants, count.documents,
                               sum(s.words for s in members), count.members))
    return sizes


def coverage(data: ReportInput) -> list[Coverage]:
    """Per group, the documents and codable segments in scope and those with an accepted coding."""
    accepted = {c.segment_id for c in data.codings if c.status == Status.ACCEPTED}
    found = []
    for group in group_order(data.segments):
        members = [s for s in data.segments if s.group == group]
        coded = [s for s in members if s.id in accepted]
        documents = len({s.document_id for s in members})
        found.append(Coverage(group, documents, len({s.document_id for s in coded}), len(members),
                              len(coded)))
    return found


def coded_segments(data: ReportInput) -> dict[str, dict[int, CodingFact]]:
    """Theme key -> {segment id: its coding} for the codings on segments in scope."""
    in_scope = {s.id for s in data.segments}
    coded: dict[str, dict[int, CodingFact]] = defaultdict(dict)
    for coding in data.codings:
        if coding.segment_id in in_scope:
            coded[coding.code][coding.segment_id] = coding
    return coded


def theme_counts(data: ReportInput) -> list[ThemeCount]:
    segments = {s.id: s for s in data.segments}
    groups = group_order(data.segments)
    coded = coded_segments(data)
    counts = []
    for theme in data.themes:
        codings = coded.get(theme.key, {})
        members = [segments[i] for i in sorted(codings)]
        pending = {i for i, coding in codings.items() if coding.status == Status.SUGGESTED}
        by_group = {}
        for group in groups:
            in_group = [s for s in members if s.group == group]
            by_group[group] = _count(in_group, sum(s.id in pending for s in in_group))
        counts.append(ThemeCount(theme, _count(members, len(pending)), by_group))
    return counts


def cooccurrence(data: ReportInput) -> list[Pair]:
    """Every pair of themes that share a segment or a participant, most shared segments first."""
    segments = {s.id: s for s in data.segments}
    coded = coded_segments(data)
    themes = [t for t in data.themes if coded.get(t.key)]
    people = {t.key: {segments[i].participant_id for i in coded[t.key]} - {None} for t in themes}
    pairs = []
    for first, second in combinations(themes, 2):
        together = len(coded[first.key].keys() & coded[second.key].keys())
        shared = len(people[first.key] & people[second.key])
        if together or shared:
            pairs.append(Pair(first, second, together, shared))
    order = {t.key: i for i, t in enumerate(themes)}
    return sorted(pairs, key=lambda p: (-p.segments, -p.participants, order[p.first.key],
                                        order[p.second.key]))


def percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None
