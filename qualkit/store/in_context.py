"""Codings where they sit in their document: read by document, segment, code, status or person, and a
person's codings added, re-statused and removed one row at a time. Functions take a Session; the caller
owns the transaction.

Every write here touches the rows it names through their primary key and nothing else, so its cost does
not grow with the project."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from qualkit.model.coding import Coding, Status
from qualkit.store import codebooks, repository
from qualkit.store.schema import CodeAssignmentRow, CodeRow, SegmentRow

CHUNK = 500  # ids per query (SQLite limits the number of bound parameters)


@dataclass(frozen=True)
class CodingInContext:
    """A coding where it sits: document offsets of what it codes (the whole segment when it has no
    sub-span), with its code's name; the coding itself is `coding`."""

    coding: Coding
    code_name: str
    segment_start: int
    segment_end: int

    @property
    def id(self) -> int:
        return self.coding.id

    @property
    def segment_id(self) -> int:
        return self.coding.segment_id

    @property
    def code(self) -> str:
        return self.coding.code

    @property
    def status(self) -> Status:
        return self.coding.status

    @property
    def coder(self) -> str:
        return self.coding.coder

    @property
    def reviewer(self) -> str | None:
        return self.coding.reviewer

    @property
    def score(self) -> float | None:
        return self.coding.score

    @property
    def machine(self) -> bool:
        return self.coding.machine

    @property
    def part(self) -> bool:
        """Codes part of its segment."""
        return self.coding.span is not None

    @property
    def start(self) -> int:
        return self.coding.span[0] if self.coding.span else self.segment_start

    @property
    def end(self) -> int:
        return self.coding.span[1] if self.coding.span else self.segment_end

    @property
    def at(self) -> str:
        """ISO time of the last change ("" when unknown)."""
        updated = self.coding.updated_at
        return updated.isoformat(timespec="seconds") if updated else ""


_COLUMNS = (CodeAssignmentRow, CodeRow.key, CodeRow.name, SegmentRow.document_id, SegmentRow.start,
            SegmentRow.end)


def _placed(row: CodeAssignmentRow, key: str, name: str, document_id: int, start: int,
            end: int) -> CodingInContext:
    span = (row.span_start, row.span_end) if row.span_start is not None and row.span_end is not None else None
    coding = Coding(row.id, row.segment_id, document_id, key, span, Status(row.status), row.coder,
                    row.reviewer, row.predicted, row.run_id, row.score, row.coder_version, row.model,
                    row.rationale, row.note, row.created_at, row.updated_at)
    return CodingInContext(coding, name, start, end)


def _query():  # type: ignore[no-untyped-def]
    return (select(*_COLUMNS).join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
            .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id))


def codings(session: Session, *, document_id: int | None = None, segment_id: int | None = None,
            statuses: Collection[str] | None = None, code: str | None = None,
            person: str | None = None) -> list[CodingInContext]:
    """Codings in reading order (by their segment's start, then id), narrowed by any of: document,
    segment, statuses, code key, person (as coder or reviewer)."""
    query = _query()
    if document_id is not None:
        query = query.where(SegmentRow.document_id == document_id)
    if segment_id is not None:
        query = query.where(CodeAssignmentRow.segment_id == segment_id)
    if statuses is not None:
        query = query.where(CodeAssignmentRow.status.in_([str(s) for s in statuses]))
    if code is not None:
        query = query.where(CodeRow.key == code)
    if person is not None:
        query = query.where((CodeAssignmentRow.coder == person) | (CodeAssignmentRow.reviewer == person))
    query = query.order_by(SegmentRow.start, CodeAssignmentRow.id)
    return [_placed(*row) for row in session.execute(query)]


def coding(session: Session, coding_id: int) -> CodingInContext | None:
    row = session.execute(_query().where(CodeAssignmentRow.id == coding_id)).first()
    return None if row is None else _placed(*row)


def current_code_ids(session: Session) -> dict[str, int] | None:
    """Row id of each code key of the current codebook (the newest stored); None when there is none."""
    book = codebooks.newest(session)
    return None if book is None else codebooks.code_ids(session, book.id)


def accepted_coder_on(session: Session, segment_id: int, code: str,
                      span: tuple[int, int] | None) -> str | None:
    """Who has an accepted coding of `code` on exactly `span` of the segment (document offsets; None: the
    whole segment), if anyone: a second identical coding would count twice."""
    start, end = CodeAssignmentRow.span_start, CodeAssignmentRow.span_end
    where = [start.is_(None), end.is_(None)] if span is None else [start == span[0], end == span[1]]
    found = session.execute(
        select(CodeAssignmentRow.coder).join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .where(CodeAssignmentRow.segment_id == segment_id, CodeRow.key == code,
               CodeAssignmentRow.status == Status.ACCEPTED, *where)
    ).first()
    return None if found is None else found[0]


def add_person_coding(session: Session, segment_id: int, code_row_id: int, span: tuple[int, int] | None,
                      person: str) -> int:
    """A person's own coding (accepted, coded and reviewed by them) of a segment or of `span` of it
    (document offsets); returns its id. The caller has checked the segment, code and span."""
    start, end = span if span else (None, None)
    row = CodeAssignmentRow(segment_id=segment_id, code_id=code_row_id, span_start=start, span_end=end,
                            status=Status.ACCEPTED.value, coder=person, reviewer=person)
    session.add(row)
    session.flush()
    return row.id


def set_status(session: Session, coding_id: int, status: Status, reviewer: str | None) -> None:
    """Put a coding back in `status` with `reviewer` (an update through its row, so a concurrent change
    of that row ends the transaction as a conflict instead of being overwritten)."""
    row = session.get(CodeAssignmentRow, coding_id)
    if row is not None:
        row.status, row.reviewer = status.value, reviewer
        session.flush()


def delete(session: Session, coding_id: int) -> None:
    row = session.get(CodeAssignmentRow, coding_id)
    if row is not None:
        session.delete(row)
        session.flush()


@dataclass(frozen=True)
class AcceptedPlace:
    """An accepted coding with who said it and where, as browsing needs it (ids and labels, no text)."""

    code: str
    segment_id: int
    document: str
    participant: str | None
    group: str | None  # the segment's resolved stakeholder group
    span: tuple[int, int] | None  # document offsets when the coding has a sub-span
    machine: bool  # made by a coder's run (and accepted by a person)


@dataclass(frozen=True, slots=True)
class SegmentLabels:
    """What browsing shows of a segment besides its text: its document, participant and resolved group."""

    document: str
    participant: str | None
    group: str | None


def segment_labels(session: Session, segment_ids: Collection[int] | None = None) -> dict[int, SegmentLabels]:
    """The labels of every segment (of `segment_ids` only, if given), by id."""
    labelled = repository.segment_query()
    *_, document, _speaker, participant, group = labelled.selected_columns
    query = labelled.with_only_columns(SegmentRow.id, document, participant, group)
    if segment_ids is None:
        return {row[0]: SegmentLabels(*row[1:]) for row in session.execute(query)}
    ids, found = sorted(set(segment_ids)), {}
    for i in range(0, len(ids), CHUNK):
        found.update({row[0]: SegmentLabels(*row[1:])
                      for row in session.execute(query.where(SegmentRow.id.in_(ids[i:i + CHUNK])))})
    return found


def accepted_places(session: Session, code: str | None = None,
                    labels: Mapping[int, SegmentLabels] | None = None) -> list[AcceptedPlace]:
    """Every accepted coding (of code key `code` only, if given) with its segment's labels: from `labels`
    where given (the app keeps them while only codings change, so a new version reads the codings alone,
    plain columns without joins), read here for the segments it lacks."""
    query = (select(CodeAssignmentRow.segment_id, CodeRow.key, CodeAssignmentRow.span_start,
                    CodeAssignmentRow.span_end, CodeAssignmentRow.run_id)
             .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
             .where(CodeAssignmentRow.status == Status.ACCEPTED))
    if code is not None:  # by the code's ids: the database walks that code's codings, not all accepted
        query = query.where(CodeAssignmentRow.code_id.in_(select(CodeRow.id).where(CodeRow.key == code)))
    rows = session.execute(query).all()
    known = labels or {}
    missing = {row[0] for row in rows if row[0] not in known}
    if missing:  # every segment's labels in one query, unless only a few are needed
        known = {**known, **segment_labels(session, missing if len(missing) <= 4 * CHUNK else None)}
    return [AcceptedPlace(key, segment_id, known[segment_id].document, known[segment_id].participant,
                          known[segment_id].group,
                          (start, end) if start is not None and end is not None else None, run is not None)
            for segment_id, key, start, end, run in rows]


def accepted_code_keys(session: Session) -> list[str]:
    """The keys of the codes with an accepted coding, sorted as Python sorts strings (a database's collation
    may not)."""
    query = (select(CodeRow.key).join(CodeAssignmentRow, CodeAssignmentRow.code_id == CodeRow.id)
             .where(CodeAssignmentRow.status == Status.ACCEPTED).distinct())
    return sorted(session.scalars(query))


def still_with_status(session: Session, coding_ids: Collection[int], status: str) -> set[int]:
    """Which of `coding_ids` still exist with `status`; for suggestions, also only those whose (segment,
    code key) no person has accepted or rejected on any row since: those are settled. Reads only the rows
    named (by primary key) and their pairs, so it costs the same whatever the project's size."""
    ids = sorted(set(coding_ids))
    found: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        query = (select(CodeAssignmentRow.id).join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
                 .where(CodeAssignmentRow.id.in_(ids[i:i + CHUNK]), CodeAssignmentRow.status == status))
        if status == Status.SUGGESTED:
            other, other_code = aliased(CodeAssignmentRow), aliased(CodeRow)
            decided = (select(other.id).join(other_code, other.code_id == other_code.id)
                       .where(other.segment_id == CodeAssignmentRow.segment_id, other_code.key == CodeRow.key,
                              other.status.in_([Status.ACCEPTED, Status.REJECTED])).exists())
            query = query.where(~decided)
        found.update(session.scalars(query))
    return found
