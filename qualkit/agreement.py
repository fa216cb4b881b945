"""Inter-coder agreement between two coders of the same segments: percentage agreement, Cohen's
kappa and Krippendorff's alpha, per code and pooled over codes, at segment or character level.

Pure: segments and each coder's codings come in as plain values; nothing here reads the store.

- Units. At segment level a unit is a segment, coded with a code when the coder applied it to the
  segment or to any span of it. At character level a unit is a character of a segment, coded when
  a coding's span (the whole segment when it has none) covers it; runs of characters that every
  coding treats alike are counted together, weighted by their length.
- Uncoded text. With `include_uncoded`, units neither coder coded with any of the compared codes
  count (as agreement on absence); without it they are left out, so figures measure agreement on
  what at least one coder saw as codable.
- Per code, each unit is a yes/no per coder: a 2x2 table of counts. Pooled figures use the table
  summed over codes (every unit x code cell), the usual "pooled kappa" for multi-code coding.
- Undefined values are None, as in `qualkit.evaluation`: percentage agreement when there are no
  units; kappa and alpha when every unit got the same single answer from both coders (no variance
  against which to measure chance). When only one coder is constant they are defined (0 or below).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import krippendorff
import numpy as np


class Level(StrEnum):
    segment = "segment"
    character = "character"


@dataclass(frozen=True)
class Segment:
    """A segment both coders covered; offsets into its document's text."""

    id: int
    start: int
    end: int


@dataclass(frozen=True)
class Mark:
    """One coder applying `code` to a segment, or to the span [start, end) of it (document offsets)."""

    segment: int
    code: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Counts:
    """A 2x2 table of units: what the first coder said against what the second said."""

    neither: int
    first_only: int
    second_only: int
    both: int

    @classmethod
    def of(cls, first: Sequence[bool], second: Sequence[bool]) -> Counts:
        """The table of two aligned yes/no columns, one entry per unit."""
        cells = [0, 0, 0, 0]  # neither, first only, second only, both
        for a, b in zip(first, second, strict=True):
            cells[bool(a) + 2 * bool(b)] += 1
        return cls(*cells)

    @property
    def units(self) -> int:
        return self.neither + self.first_only + self.second_only + self.both

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.neither + other.neither, self.first_only + other.first_only,
                      self.second_only + other.second_only, self.both + other.both)


@dataclass(frozen=True)
class Figures:
    units: int  # segments or characters compared (pooled: unit x code cells)
    first: int  # units the first coder applied the code to
    second: int
    both: int
    agreement: float | None  # share of units on which the two said the same, 0..1
    kappa: float | None  # Cohen's
    alpha: float | None  # Krippendorff's, nominal


@dataclass(frozen=True)
class Disagreement:
    """A (segment, code) on which the coders differ: one applied the code and the other did not,
    or (at character level) both did but to different text."""

    segment: int
    code: str
    first: bool  # the first coder applied the code somewhere in the segment
    second: bool
    units: int  # units they disagree on: 1 at segment level, characters at character level


@dataclass(frozen=True)
class AgreementReport:
    level: Level
    include_uncoded: bool
    segments: int  # segments compared
    units: int  # segments or characters compared
    per_code: dict[str, Figures]
    overall: Figures  # pooled over the codes in `per_code`
    disagreements: list[Disagreement]


@dataclass(frozen=True)
class _Piece:
    """A run of units within one segment that each coder coded with the same set of codes."""

    segment: int
    weight: int
    first: frozenset[str]
    second: frozenset[str]


def figures(counts: Counts) -> Figures:
    """Percentage agreement, Cohen's kappa and Krippendorff's alpha from one 2x2 table."""
    n = counts.units
    first, second = counts.first_only + counts.both, counts.second_only + counts.both
    agreeing = counts.neither + counts.both
    return Figures(n, first, second, counts.both, agreeing / n if n else None, cohen_kappa(counts),
                   krippendorff_alpha(counts))


def cohen_kappa(counts: Counts) -> float | None:
    """Cohen's kappa from one 2x2 table: the one implementation qualkit has (evaluation uses it too).
    None when both coders gave every unit the same single answer (or there are no units)."""
    n = counts.units
    first, second = counts.first_only + counts.both, counts.second_only + counts.both
    chance = first * second + (n - first) * (n - second)  # n² x the agreement expected by chance
    if chance == n * n:
        return None
    return (n * (counts.neither + counts.both) - chance) / (n * n - chance)


def krippendorff_alpha(counts: Counts) -> float | None:
    """Nominal alpha for two coders, computed by the `krippendorff` package.

    The package reads one row of value counts per unit. A unit both coders gave the same value
    adds 2 to that value's coincidences whatever else is in the data, so w such units merge exactly
    into one row counting 2w; each disagreeing unit stays a row of its own. That keeps character
    level cheap: rows grow with the disagreements, not with the length of the text.
    """
    disagreeing = counts.first_only + counts.second_only
    yes, no = 2 * counts.both + disagreeing, 2 * counts.neither + disagreeing
    if yes == 0 or no == 0:
        return None
    agreeing = [row for row in ([2 * counts.neither, 0], [0, 2 * counts.both]) if sum(row)]
    value_counts = np.vstack([np.array(agreeing, dtype=float).reshape(-1, 2), np.ones((disagreeing, 2))])
    return float(krippendorff.alpha(value_counts=value_counts, level_of_measurement="nominal"))


def compare(segments: Sequence[Segment], first: Iterable[Mark], second: Iterable[Mark], *,
            level: Level | str = Level.segment, include_uncoded: bool = True,
            codes: Sequence[str] | None = None) -> AgreementReport:
    """Agreement between two coders' marks on `segments`, for `codes` (default: every code either
    applied to them, sorted). Marks on other segments or with other codes are ignored."""
    level = Level(level)
    first_marks, second_marks = _by_segment(segments, first), _by_segment(segments, second)
    if codes is None:
        codes = sorted({m.code for marks in (first_marks, second_marks) for ms in marks.values() for m in ms})
    wanted = set(codes)
    first_marks = {s: [m for m in ms if m.code in wanted] for s, ms in first_marks.items()}
    second_marks = {s: [m for m in ms if m.code in wanted] for s, ms in second_marks.items()}
    cut = _whole_segments if level is Level.segment else _character_runs
    pieces = [piece for segment in segments
              for piece in cut(segment, first_marks.get(segment.id, []), second_marks.get(segment.id, []))]
    if not include_uncoded:
        pieces = [p for p in pieces if p.first or p.second]
    per_code = {code: figures(_counts(pieces, code)) for code in dict.fromkeys(codes)}
    pooled = sum((_counts(pieces, code) for code in per_code), Counts(0, 0, 0, 0))
    return AgreementReport(level, include_uncoded, len(segments), sum(p.weight for p in pieces), per_code,
                           figures(pooled), _disagreements(segments, pieces, first_marks, second_marks,
                                                           list(per_code)))


def _by_segment(segments: Sequence[Segment], marks: Iterable[Mark]) -> dict[int, list[Mark]]:
    known = {s.id for s in segments}
    grouped: dict[int, list[Mark]] = {}
    for mark in marks:
        if mark.segment in known:
            grouped.setdefault(mark.segment, []).append(mark)
    return grouped


def _whole_segments(segment: Segment, first: list[Mark], second: list[Mark]) -> list[_Piece]:
    return [_Piece(segment.id, 1, frozenset(m.code for m in first), frozenset(m.code for m in second))]


def _character_runs(segment: Segment, first: list[Mark], second: list[Mark]) -> list[_Piece]:
    spans = {id(m): _span(segment, m) for m in (*first, *second)}
    cuts = sorted({segment.start, segment.end, *(x for span in spans.values() for x in span)})
    pieces = []
    for start, end in pairwise(cuts):
        if start < end:
            pieces.append(_Piece(segment.id, end - start,
                                 frozenset(m.code for m in first if _covers(spans[id(m)], start, end)),
                                 frozenset(m.code for m in second if _covers(spans[id(m)], start, end))))
    return pieces


def _span(segment: Segment, mark: Mark) -> tuple[int, int]:
    """The mark's span clipped to its segment (empty when outside it); the whole segment when it has none."""
    if mark.start is None or mark.end is None:
        return segment.start, segment.end
    start, end = max(segment.start, mark.start), min(segment.end, mark.end)
    return (start, end) if start < end else (segment.start, segment.start)


def _covers(span: tuple[int, int], start: int, end: int) -> bool:
    return span[0] <= start and end <= span[1]


def _counts(pieces: Iterable[_Piece], code: str) -> Counts:
    cells = [0, 0, 0, 0]  # neither, first only, second only, both
    for piece in pieces:
        cells[(code in piece.first) + 2 * (code in piece.second)] += piece.weight
    return Counts(*cells)


def _disagreements(segments: Sequence[Segment], pieces: Iterable[_Piece], first: dict[int, list[Mark]],
                   second: dict[int, list[Mark]], codes: list[str]) -> list[Disagreement]:
    differing: dict[tuple[int, str], int] = {}
    for piece in pieces:
        for code in piece.first ^ piece.second:
            differing[piece.segment, code] = differing.get((piece.segment, code), 0) + piece.weight
    return [Disagreement(s.id, code, any(m.code == code for m in first.get(s.id, [])),
                         any(m.code == code for m in second.get(s.id, [])), differing[s.id, code])
            for s in segments for code in codes if (s.id, code) in differing]
