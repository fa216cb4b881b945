"""A document as a reader sees it: its text, the segments at a place in it, the question before an answer.
Functions take a Session; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.schema import DocumentRow, SegmentRow, SpeakerRow


@dataclass(frozen=True)
class DocumentText:
    """A stored document's identity and its normalised text (offsets index into `text`)."""

    id: int
    name: str
    group: str | None
    text: str


@dataclass(frozen=True)
class SegmentPlace:
    """Where a segment sits: its document and its offsets and position there."""

    id: int
    document_id: int
    document: str
    ordinal: int
    start: int
    end: int
    text: str


def named(session: Session, name: str) -> DocumentText | None:
    """The document called `name` (in any corpus), or None."""
    row = session.scalar(select(DocumentRow).where(DocumentRow.name == name).limit(1))
    return None if row is None else DocumentText(row.id, row.name, row.group, row.text)


def names_by_id(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.execute(select(DocumentRow.id, DocumentRow.name))}


def segment_place(session: Session, segment_id: int) -> SegmentPlace | None:
    return segment_places(session, [segment_id]).get(segment_id)


def segment_places(session: Session, segment_ids: list[int]) -> dict[int, SegmentPlace]:
    """The places of those of `segment_ids` that exist, by id, in one query."""
    rows = session.execute(
        select(SegmentRow.id, SegmentRow.document_id, DocumentRow.name, SegmentRow.ordinal, SegmentRow.start,
               SegmentRow.end, SegmentRow.text)
        .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
        .where(SegmentRow.id.in_(segment_ids)))
    return {row.id: SegmentPlace(*row) for row in rows}


def segments_between(session: Session, document_id: int, start: int, end: int) -> list[SegmentPlace]:
    """The segments of a document that overlap [start, end) in its offsets, in reading order."""
    rows = session.execute(
        select(SegmentRow.id, SegmentRow.document_id, DocumentRow.name, SegmentRow.ordinal, SegmentRow.start,
               SegmentRow.end, SegmentRow.text)
        .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
        .where(SegmentRow.document_id == document_id, SegmentRow.start < end, SegmentRow.end > start)
        .order_by(SegmentRow.ordinal))
    return [SegmentPlace(*row) for row in rows]


def question_before(session: Session, segment: SegmentPlace, lookback: int) -> tuple[str, str] | None:
    """(text, speaker label) of the nearest interviewer turn (a speaker's turn that is not coded) among
    the `lookback` segments before `segment`: the question an answer replies to."""
    before = session.execute(
        select(SegmentRow.text, SegmentRow.kind, SegmentRow.codable, SpeakerRow.label)
        .outerjoin(SpeakerRow, SegmentRow.speaker_id == SpeakerRow.id)
        .where(SegmentRow.document_id == segment.document_id, SegmentRow.ordinal < segment.ordinal)
        .order_by(SegmentRow.ordinal.desc()).limit(lookback))
    for text, kind, codable, speaker in before:
        if kind == "turn" and not codable and speaker is not None:
            return text, speaker
    return None
