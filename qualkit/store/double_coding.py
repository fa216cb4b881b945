"""Reads for double coding: the segments of chosen documents, and the blind samples and resolutions
recorded in the audit trail (the codings themselves come from `assignments.codings`). Functions
take a Session; the caller owns the transaction.

Blind samples and resolutions are events rather than tables: drawing a sample and resolving a
disagreement are acts worth auditing anyway, and the event carries everything needed to read
them back (document ids, coder names, the decision), never text from the documents.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.model.coding import Status
from qualkit.store.schema import DocumentRow, EventRow, SegmentRow

BLIND_SAMPLE = "draw_blind_sample"
RESOLVE = "resolve_disagreement"


@dataclass(frozen=True)
class SegmentFacts:
    id: int
    document_id: int
    document: str
    start: int
    end: int
    codable: bool
    text: str


def segments_of(session: Session, document_ids: Collection[int]) -> list[SegmentFacts]:
    """The segments of the given documents, in document and reading order."""
    rows = session.execute(
        select(SegmentRow, DocumentRow.name).join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
        .where(SegmentRow.document_id.in_(sorted(document_ids)))
        .order_by(SegmentRow.document_id, SegmentRow.ordinal))
    return [_facts(s, name) for s, name in rows]


def segment(session: Session, segment_id: int) -> SegmentFacts | None:
    """One segment by id, or None when there is none (for checking a coding before storing it)."""
    found = session.execute(select(SegmentRow, DocumentRow.name)
                            .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
                            .where(SegmentRow.id == segment_id)).first()
    return None if found is None else _facts(*found)


def _facts(s: SegmentRow, document: str) -> SegmentFacts:
    return SegmentFacts(s.id, s.document_id, document, s.start, s.end, s.codable, s.text)


def document_names(session: Session) -> dict[int, str]:
    """Every document's name by id, in import order."""
    rows = session.execute(select(DocumentRow.id, DocumentRow.name).order_by(DocumentRow.id))
    return {document_id: name for document_id, name in rows}


@dataclass(frozen=True)
class BlindSampleRecord:
    coders: list[str]
    document_ids: list[int]
    share: float | None
    seed: int | None
    drawn_by: str
    drawn_at: datetime


def blind_samples(session: Session) -> list[BlindSampleRecord]:
    """Every blind sample drawn, oldest first."""
    events = session.scalars(select(EventRow).where(EventRow.action == BLIND_SAMPLE).order_by(EventRow.id))
    return [BlindSampleRecord(list(e.data["coders"]), list(e.data["documents"]), e.data.get("share"),
                              e.data.get("seed"), e.actor, e.at) for e in events]


def blind_documents(session: Session, coder: str) -> set[int]:
    """Documents `coder` codes blind: those of every sample drawn for them."""
    return {d for sample in blind_samples(session) if coder in sample.coders for d in sample.document_ids}


@dataclass(frozen=True)
class Resolution:
    resolver: str
    applied: bool  # the code applies to the segment (the resolver accepted it) or not
    assignment_id: int | None


def resolutions(session: Session) -> dict[tuple[int, str], Resolution]:
    """The latest resolution of each disagreement, by (segment id, code key)."""
    events = session.scalars(select(EventRow).where(EventRow.action == RESOLVE).order_by(EventRow.id))
    return {(e.data["segment"], e.data["code"]): Resolution(e.actor, e.data["decision"] == Status.ACCEPTED,
                                                            e.entity_id)
            for e in events}
