"""Code assignments: suggestions, decisions and the review queue. Functions take a Session; the
caller owns the transaction.

Codings refer to a code row of one codebook version, but a code's identity across versions is its
key, so everything here that compares codings (decided pairs, labels, the queue) works by
(segment id, code key). Codings leave this module as `qualkit.model.coding.Coding`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from qualkit.model.coding import Coding, Status
from qualkit.store.repository import resolved_group, segment_query
from qualkit.store.schema import CodeAssignmentRow, CodebookRow, CodeRow, DocumentRow, SegmentRow, check_name

STATUSES = tuple(Status)
DECIDED = (Status.ACCEPTED, Status.REJECTED)
CHUNK = 500


@dataclass(frozen=True)
class Decision:
    """A person's latest word on one (segment, code)."""

    segment_id: int
    code: str
    accepted: bool
    text: str


def decisions(session: Session) -> list[Decision]:
    """The latest accepted/rejected decision per (segment, code key)."""
    rows = session.execute(
        select(CodeAssignmentRow.segment_id, CodeRow.key, CodeAssignmentRow.status, SegmentRow.text)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
        .where(CodeAssignmentRow.status.in_(DECIDED))
        .order_by(CodeAssignmentRow.updated_at, CodeAssignmentRow.id))
    latest = {(segment, key): Decision(segment, key, status == Status.ACCEPTED, text)
              for segment, key, status, text in rows}
    return list(latest.values())


def decided_pairs(session: Session) -> set[tuple[int, str]]:
    """(segment, code key) pairs a person has accepted or rejected."""
    rows = session.execute(select(CodeAssignmentRow.segment_id, CodeRow.key)
                           .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
                           .where(CodeAssignmentRow.status.in_(DECIDED)).distinct())
    return {(segment, key) for segment, key in rows}


def delete_suggestions(session: Session, coder: str, codebook: str, keep: set[tuple[int, str]]) -> int:
    """Delete `coder`'s still-suggested rows for codes of `codebook` (any version), except on the
    (segment, code key) pairs in `keep`; returns how many went."""
    own = session.execute(
        select(CodeAssignmentRow.id, CodeAssignmentRow.segment_id, CodeRow.key)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .join(CodebookRow, CodeRow.codebook_id == CodebookRow.id)
        .where(CodeAssignmentRow.coder == coder, CodeAssignmentRow.status == Status.SUGGESTED,
               CodebookRow.name == codebook))
    doomed = [row_id for row_id, segment, key in own if (segment, key) not in keep]
    deleted = 0
    for i in range(0, len(doomed), CHUNK):
        # still suggested *now*: a person may have decided one since it was read (PostgreSQL's read
        # committed lets that decision land in between), and a decision is never deleted
        deleted += session.execute(delete(CodeAssignmentRow).where(
            CodeAssignmentRow.id.in_(doomed[i:i + CHUNK]),
            CodeAssignmentRow.status == Status.SUGGESTED)).rowcount
    return deleted


def add_many(session: Session, rows: list[dict[str, Any]]) -> None:
    for name in {row.get(key) for row in rows for key in ("coder", "reviewer")} - {None}:
        check_name(name, "coder or reviewer")  # bulk inserts skip the columns' own check
    if rows:
        session.execute(insert(CodeAssignmentRow), rows)


def accepted_pairs(session: Session, coder: str) -> set[tuple[int, str]]:
    """(segment, code key) pairs `coder` has already coded and accepted."""
    rows = session.execute(
        select(CodeAssignmentRow.segment_id, CodeRow.key)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .where(CodeAssignmentRow.coder == coder, CodeAssignmentRow.status == Status.ACCEPTED))
    return {(segment, key) for segment, key in rows}


def codings(session: Session) -> list[Coding]:
    """Every coding with its code key, span, document, provenance and times, oldest first: what
    evaluation, agreement and the coders' summaries compare."""
    rows = session.execute(
        select(CodeAssignmentRow, CodeRow.key, SegmentRow.document_id)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
        .order_by(CodeAssignmentRow.id))
    return [_coding(row, key, document_id) for row, key, document_id in rows]


def _coding(row: CodeAssignmentRow, key: str, document_id: int) -> Coding:
    span = None if row.span_start is None or row.span_end is None else (row.span_start, row.span_end)
    return Coding(row.id, row.segment_id, document_id, key, span, Status(row.status), row.coder,
                  row.reviewer, row.predicted, row.run_id, row.score, row.coder_version, row.model,
                  row.rationale, row.note, row.created_at, row.updated_at)


def add(session: Session, segment_id: int, code_row: int, status: Status, person: str,
        span: tuple[int, int] | None = None, note: str | None = None) -> Coding:
    """Store a person's coding or decision on a segment (`span`: document offsets), which they
    also count as having reviewed; returns it with its new id."""
    row = CodeAssignmentRow(segment_id=segment_id, code_id=code_row, span_start=span[0] if span else None,
                            span_end=span[1] if span else None, status=status, coder=person, reviewer=person,
                            note=note)
    session.add(row)
    session.flush()
    code, segment = session.get_one(CodeRow, code_row), session.get_one(SegmentRow, segment_id)
    return _coding(row, code.key, segment.document_id)


def decide(session: Session, assignment_id: int, status: Status, reviewer: str,
           note: str | None = None) -> Status | None:
    """Set a coding's status and reviewer (and `note`, when given); returns the status it had, so
    the caller can log from/to, or None when there is no such coding (nothing changed)."""
    row = session.get(CodeAssignmentRow, assignment_id)
    if row is None:
        return None
    before = Status(row.status)
    row.status, row.reviewer = status, reviewer
    row.note = note if note is not None else row.note
    return before


@dataclass(frozen=True)
class DecisionAfterRun:
    """A person's word on a machine coding's (segment, code), given after the run that stored it."""

    coding: Coding  # the machine's row: its coder, run and own yes/no (`predicted`)
    accepted: bool  # the person said the code applies
    reviewer: str | None
    decided_at: datetime


def decisions_after_runs(session: Session) -> list[DecisionAfterRun]:
    """Every machine coding a person decided after its run stored it, with the latest such decision.

    The decision may be on the machine's row itself (accepted or rejected in review: its
    `updated_at`) or on another row of the same (segment, code key), such as the person's own
    coding, an imported one or a resolution, dated at or after the machine row's `created_at`. A run
    never suggests a pair a person has decided, so a decision older than the machine row cannot be
    about it and is left out, as are machine codings nobody has decided since. This is what makes a
    fair test of the machine: it could not have learnt these decisions before it answered."""
    found = codings(session)
    decided: dict[tuple[int, str], list[Coding]] = {}
    for coding in found:
        if coding.status in DECIDED:
            decided.setdefault((coding.segment_id, coding.code), []).append(coding)
    after = []
    for machine in (c for c in found if c.machine and c.created_at is not None):
        later = [d for d in decided.get((machine.segment_id, machine.code), [])
                 if d.updated_at is not None and d.updated_at >= machine.created_at]
        if later:
            latest = max(later, key=lambda d: (d.updated_at, d.id))
            after.append(DecisionAfterRun(machine, latest.status == Status.ACCEPTED, latest.reviewer,
                                          latest.updated_at))
    return after


@dataclass(frozen=True)
class ReviewItem:
    """A coding with the segment it is on, for a person to judge."""

    id: int
    segment_id: int
    document: str
    participant: str | None
    group: str | None
    text: str
    code: str
    code_name: str
    status: Status
    score: float | None
    predicted: bool | None
    rationale: str | None
    span: tuple[int, int] | None  # offsets into `text`
    coder: str
    reviewer: str | None
    note: str | None


def review_items(session: Session, *, status: str, code: str | None, group: str | None,
                 order: str, limit: int, blind_for: str | None = None,
                 blind_documents: Collection[int] = (), document: str | None = None) -> list[ReviewItem]:
    """Codings with `status`, most uncertain first (score nearest 0.5), highest score first, or in
    document order (`order="document"`: documents as imported, segments in reading order).
    Suggestions on pairs a person has already decided are left out: they are settled. On
    `blind_documents`, only codings whose latest decision is `blind_for`'s are shown."""
    query = (segment_query()
             .add_columns(CodeAssignmentRow, CodeRow.key, CodeRow.name)
             .join(CodeAssignmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
             .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
             .where(CodeAssignmentRow.status == status))
    if code is not None:
        query = query.where(CodeRow.key == code)
    if group is not None:
        query = query.where(resolved_group() == group)
    if document is not None:
        query = query.where(DocumentRow.name == document)
    if status == Status.SUGGESTED:
        query = query.where(~_decided_elsewhere())
    if blind_documents:
        query = query.where(or_(SegmentRow.document_id.not_in(sorted(blind_documents)),
                                CodeAssignmentRow.reviewer == blind_for))
    if order == "document":
        query = query.order_by(SegmentRow.document_id, SegmentRow.ordinal, CodeAssignmentRow.span_start,
                               CodeAssignmentRow.id).limit(limit)
        return [_item(*row) for row in session.execute(query)]
    score = CodeAssignmentRow.score
    rank = func.abs(score - 0.5) if order == "uncertainty" else -score
    query = query.order_by(case((score.is_(None), 1), else_=0), rank, CodeAssignmentRow.id).limit(limit)
    return [_item(*row) for row in session.execute(query)]


def _decided_elsewhere():  # type: ignore[no-untyped-def]
    other, other_code = aliased(CodeAssignmentRow), aliased(CodeRow)
    return (select(other.id).join(other_code, other.code_id == other_code.id)
            .where(other.segment_id == CodeAssignmentRow.segment_id, other_code.key == CodeRow.key,
                   other.status.in_(DECIDED))
            .exists())


def _item(segment: SegmentRow, document: str, _speaker: str | None, participant: str | None,
          group: str | None, row: CodeAssignmentRow, key: str, name: str) -> ReviewItem:
    span = (None if row.span_start is None or row.span_end is None
            else (row.span_start - segment.start, row.span_end - segment.start))
    return ReviewItem(row.id, segment.id, document, participant, group, segment.text, key, name,
                      Status(row.status), row.score, row.predicted, row.rationale, span, row.coder,
                      row.reviewer, row.note)

