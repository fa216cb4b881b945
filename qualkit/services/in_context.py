"""Code in context: a whole document in order with every coding on it, coding a selection by its
exact document offsets, removing a coding, and the context of a segment (the question before it and
the codings already on it). What the app's Document page and review cards read and write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qualkit.errors import ConflictError, NotFoundError, QualkitError
from qualkit.model.coding import Status
from qualkit.services.projects import Project
from qualkit.store import Session
from qualkit.store import documents as documents_store
from qualkit.store import events as events_store
from qualkit.store import in_context as codings_store
from qualkit.store import repository as repo
from qualkit.store.in_context import CodingInContext

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
class DocumentInContext:
    name: str
    group: str | None
    segments: list[SegmentInContext]
    codings: list[CodingInContext]


class SelectionError(QualkitError):
    """A selection that cannot be coded: empty, outside one document, or changed meanwhile."""


def _document(session: Session, document: str) -> documents_store.DocumentText:
    found = documents_store.named(session, document)
    if found is None:
        raise NotFoundError(f"no document named '{document}' in the project.",
                            "Choose one of the project's documents.")
    return found


def _is_interviewer(kind: str, codable: bool, speaker: str | None) -> bool:
    return kind == "turn" and not codable and speaker is not None


def document_in_context(project: Project, document: str,
                        statuses: Iterable[str] = tuple(Status)) -> DocumentInContext:
    """`document`'s segments in order and its codings with `statuses` (all by default)."""
    with project.sessions() as session:
        found = _document(session, document)
        segments = [SegmentInContext(s.id, s.ordinal, s.start, s.end, s.text, s.kind, s.speaker,
                                     s.participant, s.group, s.codable,
                                     _is_interviewer(s.kind, s.codable, s.speaker), s.start_time, s.end_time)
                    for s in repo.iter_segments(session, document=document)]
        codings = codings_store.codings(session, document_id=found.id, statuses=list(statuses))
        return DocumentInContext(found.name, found.group, segments, codings)


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
        segment = documents_store.segment_place(session, segment_id)
        if segment is None:
            raise NotFoundError(f"no segment with id {segment_id}.",
                                "Choose a segment of the project (segments are listed with their ids).")
        asked = documents_store.question_before(session, segment, QUESTION_LOOKBACK)
        question, speaker = asked or (None, None)
        codings = codings_store.codings(session, segment_id=segment_id)
        return SegmentContext(segment.document, segment.start, segment.end, question, speaker, codings)


def segment_places(project: Project, segment_ids: Sequence[int]) -> dict[int, tuple[str, int, int]]:
    """(document, start, end) of each of `segment_ids` that exists, in one read: where links to the
    Document page open (a page of quotes asks for all of its segments at once)."""
    with project.sessions() as session:
        places = documents_store.segment_places(session, list(segment_ids))
    return {i: (place.document, place.start, place.end) for i, place in places.items()}


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
        found = _document(session, document)
        # Writing first takes the write lock, so what is read below includes anyone's coding made meanwhile.
        repo.log_event(session, coder, "code_selection", "document", found.id, start=start, end=end,
                       codes=list(codes))
        session.flush()
        if start < 0 or end > len(found.text):
            raise SelectionError(f"the selection {start}–{end} is outside '{document}' "
                                 f"({len(found.text)} characters).", "Select words within one document.")
        if expected_text is not None and found.text[start:end] != expected_text:
            raise ConflictError(f"'{document}' changed since it was shown: the selected words are no "
                                "longer at that place; nothing was coded.",
                                "Reload the page and select again.")
        return code_places(session, found, [(start, end)], codes, coder)


def code_places(session: Session, document: documents_store.DocumentText, places: Sequence[tuple[int, int]],
                codes: Sequence[str], coder: str, *, log_each: bool = True) -> CodedSelection:
    """Code each (start, end) of `document` with `codes` as `coder` (see `code_selection`), logging an
    `add_coding` event per coding added unless the caller logs them together (`log_each=False`)."""
    known = codings_store.current_code_ids(session)
    if known is None:
        raise NotFoundError("the project has no codebook yet.", "Import a codebook first.")
    missing = [code for code in codes if code not in known]
    if missing:
        raise NotFoundError(f"the code '{missing[0]}' is no longer in the codebook (someone changed it "
                            "meanwhile); nothing was coded.",
                            "Reload the page and choose a current code.")
    added, already = [], []
    for start, end in places:
        segments = [s for s in documents_store.segments_between(session, document.id, start, end)
                    if s.text[max(start, s.start) - s.start:min(end, s.end) - s.start].strip()]
        if not segments:
            raise SelectionError("the selection holds no words of any segment.", "Select words of the text.")
        for segment in segments:
            lo, hi = max(start, segment.start), min(end, segment.end)
            span = None if lo == segment.start and hi == segment.end else (lo, hi)
            for code in dict.fromkeys(codes):
                same = codings_store.accepted_coder_on(session, segment.id, code, span)
                if same is not None:
                    already.append(f"{code} by {same}")
                    continue
                coding = codings_store.add_person_coding(session, segment.id, known[code], span, coder)
                if log_each:
                    repo.log_event(session, coder, "add_coding", "code_assignment", coding,
                                   segment=segment.id, code=code, start=lo, end=hi,
                                   **{"from": None, "to": Status.ACCEPTED.value})
                added.append(coding)
    return CodedSelection(added, already)


def _removed(session: Session, actor: str, coding: CodingInContext) -> None:
    """Delete a coding, logging everything it was (code, status, who, where): the event says what changed."""
    c = coding.coding
    repo.log_event(session, actor, "remove_coding", "code_assignment", c.id, segment=c.segment_id,
                   code=c.code, status=c.status.value, coder=c.coder, reviewer=c.reviewer,
                   start=c.span[0] if c.span else None, end=c.span[1] if c.span else None,
                   **{"from": c.status.value, "to": None})
    codings_store.delete(session, c.id)


def remove_coding(project: Project, coding_id: int, actor: str) -> None:
    """Delete a coding (a person's own, or a suggestion nobody wants listed), logging what it was."""
    with project.transaction() as session:
        coding = codings_store.coding(session, coding_id)
        if coding is None:
            raise NotFoundError(f"coding {coding_id} no longer exists (removed meanwhile).",
                                "Reload the page to see the codings as they are now.")
        _removed(session, actor, coding)


def remove_codings(project: Project, coding_ids: Sequence[int], actor: str) -> int:
    """Delete several codings in one transaction; returns how many went. Codings already gone are skipped."""
    with project.transaction() as session:
        gone = 0
        for coding_id in coding_ids:
            coding = codings_store.coding(session, coding_id)
            if coding is not None:
                _removed(session, actor, coding)
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
    if status is not None and status not in tuple(Status):
        raise QualkitError(f"unknown status '{status}'.", f"Use one of: {', '.join(Status)}.")
    with project.sessions() as session:
        names = documents_store.names_by_id(session)
        document_id = _document(session, document).id if document is not None else None
        found = codings_store.codings(session, document_id=document_id, code=code, person=person,
                                      statuses=None if status is None else [status])
    listed = [CodingListed(names[c.coding.document_id], c) for c in found]
    return sorted(listed, key=lambda x: (x.document, x.coding.start, x.coding.id))


DECISION_ACTIONS = ("decide", "add_coding", "code_selection", "remove_coding", "undo", "code_hits")


@dataclass(frozen=True)
class DecisionEvent:
    id: int
    at: str
    actor: str
    action: str
    coding: int | None
    change: str  # e.g. "suggested -> accepted", or the code added


def _change(data: dict[str, object]) -> str:
    """An event's change in a few words: "from -> to" for a decision, else the code(s) and where."""
    if data.get("from") is not None and data.get("to") is not None:
        return f"{data['from']} -> {data['to']}"
    if "code" in data or "codes" in data:
        change = str(data.get("code") or ", ".join(data.get("codes") or []))  # type: ignore[arg-type]
        if data.get("start") is not None:
            change += f" [{data['start']}:{data['end']}]"
        return change
    return ""


def list_decisions(project: Project, *, person: str | None = None, action: str | None = None,
                   limit: int | None = None) -> list[DecisionEvent]:
    """People's decisions on codings from the audit trail, newest first: accept/reject (`decide`),
    codings added (`add_coding`, `code_hits`), removed, undone; optionally of one person or action."""
    with project.sessions() as session:
        found = events_store.events(session, actions=[action] if action else DECISION_ACTIONS, actor=person,
                                    limit=limit)
    return [DecisionEvent(e.id, e.at.isoformat(timespec="seconds") if e.at else "", e.actor, e.action,
                          e.entity_id if e.entity == "code_assignment" else None, _change(e.data))
            for e in found]
