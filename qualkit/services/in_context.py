"""Code in context: a whole document in order with every coding on it, coding a selection by its
exact document offsets, removing a coding, and the context of a segment (the question before it and
the codings already on it). What the app's Document page and review cards read and write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.errors import ConflictError, NotFoundError, QualkitError
from qualkit.services.codebooks import codebook_row
from qualkit.services.coding import new_coding
from qualkit.services.projects import Project
from qualkit.store import assignments
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo
from qualkit.store.schema import CodeAssignmentRow, CodeRow, DocumentRow, EventRow, SegmentRow, SpeakerRow

QUESTION_LOOKBACK = 3  # segments looked back for the interviewer's question before an answer


@dataclass(frozen=True)
class SegmentInContext:
    id: int
    ordinal: int
    start: int  # document offsets
    end: int
    text: str
    kind: str
    speaker: str | None
    participant: str | None
    group: str | None
    codable: bool
    interviewer: bool  # a speaker's turn that is not coded: the interviewer's
    start_time: float | None
    end_time: float | None


@dataclass(frozen=True)
class CodingInContext:
    """A coding where it sits: document offsets of what it codes (the whole segment when it has no
    sub-span), who made and decided it, and when it last changed."""

    id: int
    segment_id: int
    code: str
    code_name: str
    status: str
    coder: str
    reviewer: str | None
    score: float | None
    start: int
    end: int
    part: bool  # codes part of its segment
    machine: bool
    at: str  # ISO time of the last change


@dataclass(frozen=True)
class DocumentInContext:
    name: str
    group: str | None
    segments: list[SegmentInContext]
    codings: list[CodingInContext]


class SelectionError(QualkitError):
    """A selection that cannot be coded: empty, outside one document, or changed meanwhile."""


def _document_row(session: Session, document: str) -> DocumentRow:
    row = repo.document_named(session, None, document)
    if row is None:
        raise NotFoundError(f"no document named '{document}' in the project.",
                            "Choose one of the project's documents.")
    return row


def _is_interviewer(kind: str, codable: bool, speaker: str | None) -> bool:
    return kind == "turn" and not codable and speaker is not None


def document_in_context(project: Project, document: str,
                        statuses: Iterable[str] = assignments.STATUSES) -> DocumentInContext:
    """`document`'s segments in order and its codings with `statuses` (all by default)."""
    with project.sessions() as session:
        row = _document_row(session, document)
        segments = [SegmentInContext(s.id, s.ordinal, s.start, s.end, s.text, s.kind, s.speaker,
                                     s.participant, s.group, s.codable,
                                     _is_interviewer(s.kind, s.codable, s.speaker), s.start_time, s.end_time)
                    for s in repo.iter_segments(session, document=document)]
        codings = _codings(session, [SegmentRow.document_id == row.id,
                                     CodeAssignmentRow.status.in_(list(statuses))])
        return DocumentInContext(row.name, row.group, segments, codings)


def _codings(session: Session, where: Sequence[object]) -> list[CodingInContext]:
    query = (select(CodeAssignmentRow, CodeRow.key, CodeRow.name, SegmentRow.start, SegmentRow.end)
             .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
             .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
             .where(*where).order_by(SegmentRow.start, CodeAssignmentRow.id))
    found = []
    for a, key, name, seg_start, seg_end in session.execute(query):
        part = a.span_start is not None and a.span_end is not None
        found.append(CodingInContext(
            a.id, a.segment_id, key, name, a.status, a.coder, a.reviewer, a.score,
            a.span_start if part else seg_start, a.span_end if part else seg_end, part,  # type: ignore[arg-type]
            a.run_id is not None, a.updated_at.isoformat(timespec="seconds") if a.updated_at else ""))
    return found


@dataclass(frozen=True)
class SegmentContext:
    """What a reviewer needs around one segment: the question it answers and its codings."""

    document: str
    start: int  # the segment's document offsets
    end: int
    question: str | None
    question_speaker: str | None
    codings: list[CodingInContext]


def segment_context(project: Project, segment_id: int) -> SegmentContext:
    """The interviewer's question before segment `segment_id` (the nearest earlier interviewer turn,
    a few segments back at most) and every coding on the segment, suggestions included."""
    with project.sessions() as session:
        segment = session.get(SegmentRow, segment_id)
        if segment is None:
            raise NotFoundError(f"no segment with id {segment_id}.", "See `qualkit segments PROJECT`.")
        before = session.execute(
            select(SegmentRow.text, SegmentRow.kind, SegmentRow.codable, SegmentRow.speaker_id)
            .where(SegmentRow.document_id == segment.document_id, SegmentRow.ordinal < segment.ordinal)
            .order_by(SegmentRow.ordinal.desc()).limit(QUESTION_LOOKBACK)).all()
        question = speaker = None
        for text, kind, codable, speaker_id in before:
            if kind == "turn" and not codable and speaker_id is not None:
                question = text
                speaker = session.scalar(select(SpeakerRow.label).where(SpeakerRow.id == speaker_id))
                break
        codings = _codings(session, [CodeAssignmentRow.segment_id == segment_id])
        document = session.scalar(select(DocumentRow.name).where(DocumentRow.id == segment.document_id))
        return SegmentContext(document or "", segment.start, segment.end, question, speaker, codings)


@dataclass(frozen=True)
class CodedSelection:
    added: list[int]  # new coding ids
    already: list[str]  # "code by person" for codes already on exactly this span (nothing added for them)


def code_selection(project: Project, document: str, start: int, end: int, codes: Sequence[str],
                   coder: str, expected_text: str | None = None) -> CodedSelection:
    """Code `document`[start:end] (document offsets) with each of `codes` as `coder`'s own accepted
    coding. A selection within one segment codes that segment (the exact span when it is part of it);
    one across several segments of the document codes each segment's part. Refused, with nothing
    written, when the selection is empty or outside the document, when the document's text there is no
    longer `expected_text`, or when a code is no longer in the current codebook. A code already on
    exactly this span (someone coded it at the same time) is not added twice."""
    if not codes:
        raise SelectionError("no code chosen for the selection.", "Pick one or more codes, then code it.")
    if start >= end:
        raise SelectionError("the selection is empty.", "Select some words of the document with the mouse.")
    with project.transaction() as session:
        row = _document_row(session, document)
        # Writing first takes the write lock, so what is read below includes anyone's coding made meanwhile.
        repo.log_event(session, coder, "code_selection", "document", row.id, start=start, end=end,
                       codes=list(codes))
        session.flush()
        if start < 0 or end > len(row.text):
            raise SelectionError(f"the selection {start}–{end} is outside '{document}' "
                                 f"({len(row.text)} characters).", "Select words within one document.")
        if expected_text is not None and row.text[start:end] != expected_text:
            raise ConflictError(f"'{document}' changed since it was shown: the selected words are no "
                                "longer at that place; nothing was coded.",
                                "Reload the page and select again.")
        book = codebook_row(session, None)
        known = codebooks_store.code_ids(session, book.id)
        missing = [code for code in codes if code not in known]
        if missing:
            raise NotFoundError(f"the code '{missing[0]}' is no longer in the codebook (someone changed it "
                                "meanwhile); nothing was coded.",
                                "Reload the page and choose a current code.")
        segments = session.scalars(select(SegmentRow).where(
            SegmentRow.document_id == row.id, SegmentRow.start < end, SegmentRow.end > start)
            .order_by(SegmentRow.ordinal)).all()
        segments = [s for s in segments
                    if s.text[max(start, s.start) - s.start:min(end, s.end) - s.start].strip()]
        if not segments:
            raise SelectionError("the selection holds no words of any segment.", "Select words of the text.")
        added, already = [], []
        for segment in segments:
            lo, hi = max(start, segment.start), min(end, segment.end)
            whole = lo == segment.start and hi == segment.end
            for code in dict.fromkeys(codes):
                same = session.execute(
                    select(CodeAssignmentRow.coder).join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
                    .where(CodeAssignmentRow.segment_id == segment.id, CodeRow.key == code,
                           CodeAssignmentRow.status == assignments.ACCEPTED,
                           _same_bound(CodeAssignmentRow.span_start, None if whole else lo),
                           _same_bound(CodeAssignmentRow.span_end, None if whole else hi))
                ).first()
                if same is not None:
                    already.append(f"{code} by {same[0]}")
                    continue
                span = None if whole else (lo - segment.start, hi - segment.start)
                coding = new_coding(session, segment.id, code, coder, assignments.ACCEPTED, span)
                repo.log_event(session, coder, "add_coding", "code_assignment", coding.id, segment=segment.id,
                               code=code, start=lo, end=hi)
                added.append(coding.id)
        return CodedSelection(added, already)


def _same_bound(column, value):  # type: ignore[no-untyped-def]
    return column.is_(None) if value is None else column == value


def remove_coding(project: Project, coding_id: int, actor: str) -> None:
    """Delete a coding (a person's own, or a suggestion nobody wants listed), logging what it was."""
    with project.transaction() as session:
        row = session.get(CodeAssignmentRow, coding_id)
        if row is None:
            raise NotFoundError(f"coding {coding_id} no longer exists (removed meanwhile).",
                                "Reload the page to see the codings as they are now.")
        key = session.scalar(select(CodeRow.key).where(CodeRow.id == row.code_id))
        repo.log_event(session, actor, "remove_coding", "code_assignment", row.id, segment=row.segment_id,
                       code=key, status=row.status, coder=row.coder, start=row.span_start, end=row.span_end)
        session.delete(row)


def remove_codings(project: Project, coding_ids: Sequence[int], actor: str) -> int:
    """Delete several codings in one transaction (undoing a "code all hits"); returns how many went.
    Codings already gone are skipped."""
    with project.transaction() as session:
        gone = 0
        for coding_id in coding_ids:
            row = session.get(CodeAssignmentRow, coding_id)
            if row is None:
                continue
            repo.log_event(session, actor, "remove_coding", "code_assignment", row.id, segment=row.segment_id,
                           status=row.status, coder=row.coder, start=row.span_start, end=row.span_end)
            session.delete(row)
            gone += 1
        return gone


@dataclass(frozen=True)
class CodingListed:
    """A coding with where it is, for `qualkit show PROJECT codings`."""

    document: str
    coding: CodingInContext


def list_codings(project: Project, *, document: str | None = None, code: str | None = None,
                 person: str | None = None, status: str | None = None) -> list[CodingListed]:
    """Codings in reading order, optionally of one document, code key, status, or person (as coder
    or reviewer)."""
    if status is not None and status not in assignments.STATUSES:
        raise QualkitError(f"unknown status '{status}'.", f"Use one of: {', '.join(assignments.STATUSES)}.")
    where: list[object] = []
    if code is not None:
        where.append(CodeRow.key == code)
    if status is not None:
        where.append(CodeAssignmentRow.status == status)
    if person is not None:
        where.append((CodeAssignmentRow.coder == person) | (CodeAssignmentRow.reviewer == person))
    with project.sessions() as session:
        names = dict(session.execute(select(DocumentRow.id, DocumentRow.name)).all())
        if document is not None:
            where.append(SegmentRow.document_id == _document_row(session, document).id)
        segment_docs = dict(session.execute(select(SegmentRow.id, SegmentRow.document_id)).all()) \
            if document is None else {}
        found = _codings(session, where)
    doc_of = (lambda c: document) if document is not None else (lambda c: names[segment_docs[c.segment_id]])
    listed = [CodingListed(doc_of(c), c) for c in found]
    return sorted(listed, key=lambda x: (x.document, x.coding.start, x.coding.id))


DECISION_ACTIONS = ("decide", "add_coding", "code_selection", "remove_coding", "undo")


@dataclass(frozen=True)
class DecisionEvent:
    id: int
    at: str
    actor: str
    action: str
    coding: int | None
    change: str  # e.g. "suggested -> accepted", or the code added


def list_decisions(project: Project, *, person: str | None = None, action: str | None = None,
                   limit: int | None = None) -> list[DecisionEvent]:
    """People's decisions on codings from the audit trail, newest first: accept/reject (`decide`),
    codings added (`add_coding`), removed, undone; optionally of one person or action."""
    actions = [action] if action else list(DECISION_ACTIONS)
    query = select(EventRow).where(EventRow.action.in_(actions)).order_by(EventRow.id.desc())
    if person is not None:
        query = query.where(EventRow.actor == person)
    if limit is not None:
        query = query.limit(limit)
    with project.sessions() as session:
        events = session.scalars(query).all()
    found = []
    for e in events:
        data = e.data or {}
        if "from" in data and "to" in data:
            change = f"{data['from']} -> {data['to']}"
        elif "code" in data or "codes" in data:
            change = str(data.get("code") or ", ".join(data.get("codes") or []))
            if data.get("start") is not None:
                change += f" [{data['start']}:{data['end']}]"
        else:
            change = ""
        at = e.at.isoformat(timespec="seconds") if e.at else ""
        found.append(DecisionEvent(e.id, at, e.actor, e.action,
                                   e.entity_id if e.entity == "code_assignment" else None, change))
    return found
