"""Reads for double coding: every coding with its span and document, the segments of chosen
documents, and the blind samples and resolutions recorded in the audit trail. Functions take a
Session; the caller owns the transaction.

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

from qualkit.store.schema import CodeAssignmentRow, CodeRow, DocumentRow, EventRow, SegmentRow

BLIND_SAMPLE = "draw_blind_sample"
RESOLVE = "resolve_disagreement"


@dataclass(frozen=True)
class CodingFact:
    """One code assignment as agreement sees it."""

    id: int
    segment_id: int
    document_id: int
    code: str
    span: tuple[int, int] | None  # document offsets; None = the whole segment
    status: str
    coder: str
    reviewer: str | None
    predicted: bool | None  # a machine coder's own yes/no
    machine: bool


def coding_facts(session: Session) -> list[CodingFact]:
    rows = session.execute(
        select(CodeAssignmentRow, CodeRow.key, SegmentRow.document_id)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
        .order_by(CodeAssignmentRow.id))
    return [CodingFact(row.id, row.segment_id, document_id, key, _span(row), row.status, row.coder,
                       row.reviewer, row.predicted, row.run_id is not None)
            for row, key, document_id in rows]


def _span(row: CodeAssignmentRow) -> tuple[int, int] | None:
    return None if row.span_start is None or row.span_end is None else (row.span_start, row.span_end)


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
    return [SegmentFacts(s.id, s.document_id, name, s.start, s.end, s.codable, s.text) for s, name in rows]


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
    return {(e.data["segment"], e.data["code"]): Resolution(e.actor, e.data["decision"] == "accepted",
                                                            e.entity_id)
            for e in events}
