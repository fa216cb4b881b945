"""Reads for reports and exports: the codable segments in a report's scope, the values its filters and
grouping can take, and the codings of one codebook. Functions take a Session; the caller owns it.

A report reads all of these in one session, so its counts, quotes and provenance come from one
consistent state of the project. Filters and groupings are SQL expressions: a project of 200
interviews is narrowed in the database, not in Python. A segment's stakeholder group is
`repository.resolved_group`, the one place that states its precedence.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from qualkit.model.coding import Coding, Status
from qualkit.store.repository import resolved_group, segment_query
from qualkit.store.schema import (
    CodeAssignmentRow,
    CodebookRow,
    CodeRow,
    DocumentRow,
    ParticipantRow,
    SegmentRow,
    SpeakerRow,
)

PARTICIPANT_FIELDS = ("role", "site")  # columns of a participant that count as its attributes
CHUNK = 500


@dataclass(frozen=True)
class ScopedSegment:
    """A codable segment in a report's scope, with what the report counts and shows about it."""

    id: int
    document_id: int
    document: str
    suffix: str  # of its document: tells a survey table from a transcript
    ordinal: int
    start_time: float | None
    participant_id: int | None
    participant: str | None
    value: str | None  # its value of the report's grouping
    words: int


def _value(name: str) -> Any:
    """A segment's value of `name` as SQL text: its stakeholder group, document, participant, or the
    attribute `name` of the segment, else of its participant (role and site are the participant's own
    columns), else of its document; empty values count as absent."""
    if name == "group":
        return resolved_group()
    if name == "document":
        return DocumentRow.name
    if name == "participant":
        return ParticipantRow.label
    if '"' in name:  # no JSON path can name it, so no segment has it
        return null()
    stated = [func.nullif(column[name].as_string(), "")
              for column in (SegmentRow.attributes, ParticipantRow.attributes, DocumentRow.attributes)]
    if name in PARTICIPANT_FIELDS:
        stated.insert(0, func.nullif(getattr(ParticipantRow, name), ""))
    return func.coalesce(*stated)


def _codable(groups: Collection[str] = ()) -> Any:
    """Codable segments (of the stakeholder `groups`, if any), joined to their document and speaker
    by `segment_query`, and to their participant once more, so its own columns can be read here."""
    query = (segment_query()
             .outerjoin(ParticipantRow, ParticipantRow.id == SpeakerRow.participant_id)
             .where(SegmentRow.codable.is_(True)))
    return query.where(resolved_group().in_(list(groups))) if groups else query


def scoped_segments(session: Session, group_by: str, groups: Collection[str] = (),
                    where: Collection[tuple[str, str]] = ()) -> list[ScopedSegment]:
    """The codable segments of the stakeholder `groups` (all if none) whose values of each (name,
    value) in `where` match, in document and reading order, each with its value of `group_by`."""
    query = _codable(groups).with_only_columns(
        SegmentRow.id, SegmentRow.document_id, DocumentRow.name, DocumentRow.suffix, SegmentRow.ordinal,
        SegmentRow.start_time, ParticipantRow.id, ParticipantRow.label, _value(group_by), SegmentRow.text)
    for name, wanted in where:
        query = query.where(_value(name) == wanted)
    rows = session.execute(query.order_by(DocumentRow.id, SegmentRow.ordinal))
    return [ScopedSegment(*row[:-1], words=len(row[-1].split())) for row in rows]


def stakeholder_groups(session: Session) -> set[str | None]:
    """The stakeholder groups codable segments have (None: segments without one), to name them when a
    report asks for a group there is none of."""
    return set(session.scalars(_codable().with_only_columns(resolved_group()).distinct()))


def values_of(session: Session, name: str, groups: Collection[str] = ()) -> set[str | None]:
    """The values of `name` the codable segments of `groups` have, to name them when a report's filter
    matches none."""
    return set(session.scalars(_codable(groups).with_only_columns(_value(name)).distinct()))


def codings_of_codebook(session: Session, codebook: str) -> list[Coding]:
    """Every coding with a code of codebook `codebook` (any of its versions: a code is the same code
    across versions by its key), decided or not, in the order they last changed: a report derives
    what stands from the latest decision on each (segment, code)."""
    a = CodeAssignmentRow
    rows = session.execute(
        select(a.id, a.segment_id, SegmentRow.document_id, CodeRow.key, a.span_start, a.span_end, a.status,
               a.coder, a.reviewer, a.predicted, a.run_id, a.score, a.coder_version, a.model, a.rationale,
               a.note, a.created_at, a.updated_at)  # `Coding`'s fields in order; columns, not ORM rows
        .join(CodeRow, a.code_id == CodeRow.id)
        .join(CodebookRow, CodeRow.codebook_id == CodebookRow.id)
        .join(SegmentRow, a.segment_id == SegmentRow.id)
        .where(CodebookRow.name == codebook)
        .order_by(a.updated_at, a.id))
    return [Coding(row_id, segment, document, key, None if start is None or end is None else (start, end),
                   Status(status), *provenance)
            for row_id, segment, document, key, start, end, status, *provenance in rows]


@dataclass(frozen=True)
class Tally:
    """How many codable segments of `group` that `participant` said (None: no participant's) have an
    accepted coding of code `key`."""

    key: str
    group: str
    participant: int | None
    segments: int


def accepted_tallies(session: Session, codebook: str, group_by: str, no_group: str) -> list[Tally]:
    """Per code key of codebook `codebook`, value of `group_by` (`no_group` for none) and participant, the
    codable segments whose (segment, code) stands accepted, counted in the database: what a report's theme
    counts would say (`codings_of_codebook` read in order, the latest decision standing: an accepted coding
    no later decision on its segment and code overrules), without reading every coding into Python. A
    segment has one group and one participant, so these add up to any total."""
    a, later, later_code, later_book = (CodeAssignmentRow, aliased(CodeAssignmentRow), aliased(CodeRow),
                                        aliased(CodebookRow))
    overruled = (select(later.id).join(later_code, later.code_id == later_code.id)
                 .join(later_book, later_code.codebook_id == later_book.id)
                 .where(later.segment_id == a.segment_id, later_code.key == CodeRow.key,
                        later_book.name == codebook, later.status != Status.SUGGESTED.value,
                        or_(later.updated_at > a.updated_at,
                            and_(later.updated_at == a.updated_at, later.id > a.id)))).exists()
    standing = (select(a.segment_id, CodeRow.key)
                .join(CodeRow, a.code_id == CodeRow.id)
                .join(CodebookRow, CodeRow.codebook_id == CodebookRow.id)
                .where(CodebookRow.name == codebook, a.status == Status.ACCEPTED.value, ~overruled)
                ).subquery()
    group = func.coalesce(func.nullif(_value(group_by), ""), no_group)
    segments = func.count(SegmentRow.id.distinct())
    query = (_codable().join(standing, standing.c.segment_id == SegmentRow.id)
             .with_only_columns(standing.c.key, group, ParticipantRow.id, segments)
             .group_by(standing.c.key, group, ParticipantRow.id))
    return [Tally(*row) for row in session.execute(query)]


def segment_texts(session: Session, segment_ids: Collection[int]) -> dict[int, tuple[int, str]]:
    """Segment id -> (its start in its document, its text as stored): what a quote is cut from."""
    ids, found = sorted(segment_ids), {}
    for i in range(0, len(ids), CHUNK):
        rows = session.execute(select(SegmentRow.id, SegmentRow.start, SegmentRow.text)
                               .where(SegmentRow.id.in_(ids[i:i + CHUNK])))
        found.update({segment_id: (start, text) for segment_id, start, text in rows})
    return found
