"""What a REFI-QDA exchange reads from and writes to the store: other programs' GUIDs per project
object, the project as an export sees it (documents, codings, people, speakers, what segments say
beyond their text), what an export cannot carry, and an import's codings added once. Functions take a
Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from qualkit.model import Code
from qualkit.model.coding import Coding, Status
from qualkit.store.codebooks import DEFINITION_FIELDS
from qualkit.store.schema import (
    CodeAssignmentRow,
    CodeRow,
    DocumentRow,
    ExchangeGuidRow,
    ParticipantRow,
    SegmentRow,
    SpeakerRow,
    check_name,
)

CHUNK = 500  # ids per IN (...) list


def read(session: Session) -> dict[tuple[str, str], str]:
    """(kind, ref) -> GUID."""
    return {(row.kind, row.ref): row.guid for row in session.scalars(select(ExchangeGuidRow))}


def remember(session: Session, pairs: Iterable[tuple[str, str, str]], origin: str | None) -> int:
    """Keep each (kind, ref, GUID) whose object has none yet (the first program's GUID stays), and
    never one GUID for two objects of a kind. Returns how many were added."""
    known = read(session)
    taken = {(kind, guid) for (kind, _), guid in known.items()}
    added = 0
    for kind, ref, guid in pairs:
        if (kind, ref) in known or (kind, guid) in taken:
            continue
        session.add(ExchangeGuidRow(kind=kind, ref=ref, guid=guid, origin=origin))
        known[(kind, ref)] = guid
        taken.add((kind, guid))
        added += 1
    session.flush()
    return added


# --- What an export reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedDocument:
    id: int
    name: str
    text: str
    imported_at: datetime
    group: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class ExportedPerson:
    id: int
    label: str
    group: str | None
    role: str | None
    site: str | None
    attributes: dict[str, Any]


@dataclass(frozen=True)
class SpokenAs:
    """A participant speaking in a document under a label."""

    participant_id: int
    document_id: int
    document: str
    label: str


@dataclass(frozen=True)
class SegmentBounds:
    id: int
    document_id: int
    start: int
    end: int


def documents(session: Session) -> list[ExportedDocument]:
    """Every document, in import order."""
    return [ExportedDocument(d.id, d.name, d.text, d.imported_at, d.group, d.attributes or {})
            for d in session.scalars(select(DocumentRow).order_by(DocumentRow.id))]


def codings(session: Session, statuses: Collection[Status]) -> list[Coding]:
    """Codings with one of `statuses`, in the order they were made; of the suggestions, only those
    their coder said yes to (a 'no' is ranking information, not a coding to hand on)."""
    rows = session.execute(
        select(CodeAssignmentRow, CodeRow.key, SegmentRow.document_id)
        .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
        .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
        .where(CodeAssignmentRow.status.in_([str(status) for status in statuses]))
        .where((CodeAssignmentRow.status != Status.SUGGESTED) | CodeAssignmentRow.predicted.is_not(False))
        .order_by(CodeAssignmentRow.id))
    return [_coding(row, key, document_id) for row, key, document_id in rows]


def _coding(row: CodeAssignmentRow, key: str, document_id: int) -> Coding:
    span = None if row.span_start is None or row.span_end is None else (row.span_start, row.span_end)
    return Coding(id=row.id, segment_id=row.segment_id, document_id=document_id, code=key, span=span,
                  status=Status(row.status), coder=row.coder, reviewer=row.reviewer, predicted=row.predicted,
                  run_id=row.run_id, score=row.score, coder_version=row.coder_version, model=row.model,
                  rationale=row.rationale, note=row.note, created_at=row.created_at,
                  updated_at=row.updated_at)


def segment_bounds(session: Session, ids: Iterable[int]) -> dict[int, SegmentBounds]:
    """Where the given segments are (unknown ids are left out)."""
    wanted = sorted(set(ids))
    found = {}
    for i in range(0, len(wanted), CHUNK):
        query = select(SegmentRow.id, SegmentRow.document_id, SegmentRow.start, SegmentRow.end).where(
            SegmentRow.id.in_(wanted[i:i + CHUNK]))
        found.update({row[0]: SegmentBounds(*row) for row in session.execute(query)})
    return found


def newest_codes(session: Session, keys: Iterable[str]) -> list[Code]:
    """The newest stored version of each code key, by key (codes that codings still use after the
    current codebook dropped them)."""
    found: dict[str, Code] = {}
    query = select(CodeRow).where(CodeRow.key.in_(sorted(set(keys)))).order_by(CodeRow.id)
    for row in session.scalars(query):
        found[row.key] = Code(id=row.key, name=row.name, description=row.description, color=row.color,
                              **{f: list(row.definition.get(f, [])) for f in DEFINITION_FIELDS})
    return [found[key] for key in sorted(found)]


def people(session: Session) -> list[ExportedPerson]:
    """Every participant, in the order they were first stored."""
    return [ExportedPerson(p.id, p.label, p.group, p.role, p.site, p.attributes or {})
            for p in session.scalars(select(ParticipantRow).order_by(ParticipantRow.id))]


def spoken_as(session: Session) -> list[SpokenAs]:
    """Which participant speaks under which label in which document, in the order speakers were found."""
    query = (select(SpeakerRow.participant_id, SpeakerRow.document_id, DocumentRow.name, SpeakerRow.label)
             .join(DocumentRow, SpeakerRow.document_id == DocumentRow.id).order_by(SpeakerRow.id))
    return [SpokenAs(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class SegmentCut:
    """A stored segment: where it is, what it is, and what it says beyond its text (a turn's times, the
    group its row states, its row's other cells). REFI-QDA has no segments, so an export carries these
    by the segment's offsets."""

    start: int
    end: int
    kind: str
    speaker: str | None  # the label as written in the document
    codable: bool
    start_time: float | None
    end_time: float | None
    group: str | None
    attributes: dict[str, Any]

    @property
    def has_details(self) -> bool:
        """Whether it says anything a fresh cut of the text would not."""
        return (self.start_time is not None or self.end_time is not None or self.group is not None
                or bool(self.attributes))


def segment_cuts(session: Session) -> dict[int, list[SegmentCut]]:
    """Every document's segments by document id, in reading order."""
    query = (select(SegmentRow.document_id, SegmentRow.start, SegmentRow.end, SegmentRow.kind,
                    SpeakerRow.label, SegmentRow.codable, SegmentRow.start_time, SegmentRow.end_time,
                    SegmentRow.group, SegmentRow.attributes)
             .outerjoin(SpeakerRow, SegmentRow.speaker_id == SpeakerRow.id)
             .order_by(SegmentRow.document_id, SegmentRow.ordinal))
    found: dict[int, list[SegmentCut]] = {}
    for document_id, *fields, attributes in session.execute(query):
        found.setdefault(document_id, []).append(SegmentCut(*fields, attributes or {}))
    return found


@dataclass(frozen=True)
class Untravelled:
    """How much of what the project holds REFI-QDA has no place for."""

    suggestions: int  # pending machine rows: suggestions (the coder's yes) and lower-scored candidates
    said_no: int  # of those, the candidates their own coder scored 'no'
    machine_accepted: int  # accepted codings a coder run made (their score and run stay behind)


def untravelled(session: Session) -> Untravelled:
    def count(*where: Any) -> int:
        return session.scalar(select(func.count(CodeAssignmentRow.id)).where(*where)) or 0

    status = CodeAssignmentRow.status
    return Untravelled(
        suggestions=count(status == Status.SUGGESTED),
        said_no=count(status == Status.SUGGESTED, CodeAssignmentRow.predicted.is_(False)),
        machine_accepted=count(status == Status.ACCEPTED, CodeAssignmentRow.run_id.is_not(None)))


# --- What an import writes ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCoding:
    """A coding an exchange file brings, placed on a stored segment."""

    segment_id: int
    code_id: int  # the code's row in the codebook version the import stored
    code: str  # its key, which is what identifies a code across versions
    span: tuple[int, int] | None
    status: Status
    coder: str
    reviewer: str | None
    created: datetime | None
    score: float | None = None  # a suggestion's or a decided machine coding's score
    predicted: bool | None = None  # a machine coder's own yes/no (a suggestion that travels is a yes)
    updated: datetime | None = None  # when it was decided, if not when it was made


def segment_ids(session: Session, document_id: int) -> list[int]:
    """A document's segment ids in reading order (index = ordinal)."""
    return list(session.scalars(select(SegmentRow.id).where(SegmentRow.document_id == document_id)
                                .order_by(SegmentRow.ordinal)))


def add_codings_once(session: Session, codings: list[NewCoding]) -> int:
    """Store the codings the project does not have yet, comparing codes by key across codebook
    versions, so importing a file again adds nothing. Returns how many were added."""
    segments = sorted({coding.segment_id for coding in codings})
    existing: set[tuple[Any, ...]] = set()
    for i in range(0, len(segments), CHUNK):
        existing |= set(session.execute(
            select(CodeAssignmentRow.segment_id, CodeRow.key, CodeAssignmentRow.span_start,
                   CodeAssignmentRow.span_end, CodeAssignmentRow.coder, CodeAssignmentRow.status)
            .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
            .where(CodeAssignmentRow.segment_id.in_(segments[i:i + CHUNK]))).all())
    rows = []
    for coding in codings:
        span = coding.span or (None, None)
        identity = (coding.segment_id, coding.code, *span, coding.coder, str(coding.status))
        if identity in existing:
            continue
        existing.add(identity)
        suggested = coding.status == Status.SUGGESTED
        times = ({"created_at": coding.created, "updated_at": coding.updated or coding.created}
                 if coding.created else {})
        rows.append({"segment_id": coding.segment_id, "code_id": coding.code_id, "span_start": span[0],
                     "span_end": span[1], "status": str(coding.status), "coder": coding.coder,
                     "reviewer": coding.reviewer, **times, "score": coding.score,
                     "predicted": True if suggested else coding.predicted})
    for name in {row[key] for row in rows for key in ("coder", "reviewer")} - {None}:
        check_name(name, "coder or reviewer")  # bulk inserts skip the columns' own check
    if rows:
        session.execute(insert(CodeAssignmentRow), rows)
    return len(rows)
