"""Reads and writes of corpus data. Functions take a Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from qualkit.model import Document
from qualkit.model.speakers import is_interviewer_label, participant_label_for
from qualkit.store.schema import (
    CorpusRow,
    DocumentRow,
    EventRow,
    ParticipantRow,
    SegmentRow,
    SpeakerRow,
    check_name,
)


def log_event(session: Session, actor: str, action: str, entity: str, entity_id: int | None = None,
              **data: Any) -> None:
    """Append to the audit trail. Callers pass ids and counts, never personal data."""
    session.add(EventRow(actor=actor, action=action, entity=entity, entity_id=entity_id, data=data))


def get_or_create_corpus(session: Session, name: str) -> CorpusRow:
    corpus = session.scalar(select(CorpusRow).where(CorpusRow.name == name))
    if corpus is None:
        corpus = CorpusRow(name=name)
        session.add(corpus)
        session.flush()
    return corpus


def document_with_sha(session: Session, corpus_id: int, sha256: str) -> DocumentRow | None:
    return session.scalar(select(DocumentRow).where(
        DocumentRow.corpus_id == corpus_id, DocumentRow.sha256 == sha256).limit(1))


def document_named(session: Session, corpus_id: int | None, name: str) -> DocumentRow | None:
    query = select(DocumentRow).where(DocumentRow.name == name)
    if corpus_id is not None:
        query = query.where(DocumentRow.corpus_id == corpus_id)
    return session.scalar(query.limit(1))


def get_or_create_participant(session: Session, label: str, **fields: Any) -> ParticipantRow:
    participant = session.scalar(select(ParticipantRow).where(ParticipantRow.label == label))
    if participant is None:
        participant = ParticipantRow(label=label, attributes={}, **fields)
        session.add(participant)
        session.flush()
    return participant


def add_document(session: Session, corpus_id: int, document: Document) -> DocumentRow:
    """Insert a parsed document with its speakers, participants and segments."""
    row = DocumentRow(
        corpus_id=corpus_id, name=document.name, suffix=document.suffix,
        source_path=document.source_path, sha256=document.sha256, text=document.text,
        word_count=document.word_count, attributes=document.attributes,
    )
    session.add(row)
    session.flush()
    speaker_ids: dict[str, int] = {}
    for segment in document.segments:
        label = segment.speaker
        if label is None or label in speaker_ids:
            continue
        participant = get_or_create_participant(
            session, participant_label_for(label, document.name),
            role="interviewer" if is_interviewer_label(label) else None,
        )
        if participant.group is None and segment.attributes.get("group"):
            participant.group = segment.attributes["group"]
        speaker = SpeakerRow(document_id=row.id, label=label, participant_id=participant.id)
        session.add(speaker)
        session.flush()
        speaker_ids[label] = speaker.id
    for group in {s.attributes.get("group") for s in document.segments} - {None}:
        check_name(group, "segment stakeholder group")  # bulk inserts skip the columns' own check
    if document.segments:
        session.execute(insert(SegmentRow), [
            {
                "document_id": row.id, "ordinal": i, "start": s.start, "end": s.end, "text": s.text,
                "kind": s.kind.value, "speaker_id": speaker_ids.get(s.speaker) if s.speaker else None,
                "group": s.attributes.get("group"), "codable": s.codable,
                "start_time": s.start_time, "end_time": s.end_time,
                "attributes": {k: v for k, v in s.attributes.items() if k != "group"},
            }
            for i, s in enumerate(document.segments)
        ])
    return row


def delete_if_unspoken(session: Session, participant: ParticipantRow) -> None:
    """Remove a participant no speaker refers to any more (after a sheet renamed them)."""
    still_used = select(SpeakerRow.id).where(SpeakerRow.participant_id == participant.id).limit(1)
    if session.scalar(still_used) is None:
        session.delete(participant)


def set_participant_codability(session: Session, participant_id: int, codable: bool) -> int:
    """Interviewers' turns are not coded; changing a participant's role updates their segments."""
    speaker_ids = select(SpeakerRow.id).where(SpeakerRow.participant_id == participant_id)
    result = session.execute(update(SegmentRow).where(SegmentRow.speaker_id.in_(speaker_ids))
                             .values(codable=codable))
    return result.rowcount or 0


_participant = aliased(ParticipantRow)


def resolved_group():  # type: ignore[no-untyped-def]
    """The stakeholder group of a segment: what its source says, else its participant's, else
    its document's. A SQL expression, so counts by group stay in the database."""
    return func.coalesce(SegmentRow.group, _participant.group, DocumentRow.group)


def segment_query(corpus: str | None = None):  # type: ignore[no-untyped-def]
    """Segments with (document name, speaker label, participant label, resolved group); other
    queries join onto it."""
    query = (
        select(SegmentRow, DocumentRow.name, SpeakerRow.label, _participant.label,
               resolved_group().label("group"))
        .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
        .outerjoin(SpeakerRow, SegmentRow.speaker_id == SpeakerRow.id)
        .outerjoin(_participant, SpeakerRow.participant_id == _participant.id)
    )
    if corpus is not None:
        query = query.join(CorpusRow, DocumentRow.corpus_id == CorpusRow.id).where(CorpusRow.name == corpus)
    return query


@dataclass(frozen=True)
class SegmentView:
    """A segment with what readers need to know about it, resolved from its joins."""

    id: int
    document: str
    ordinal: int
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    participant: str | None
    group: str | None
    codable: bool
    start_time: float | None
    end_time: float | None
    attributes: dict[str, Any]


def iter_segments(session: Session, *, document: str | None = None, corpus: str | None = None,
                  codable_only: bool = False) -> Iterator[SegmentView]:
    query = segment_query(corpus)
    if document is not None:
        query = query.where(DocumentRow.name == document)
    if codable_only:
        query = query.where(SegmentRow.codable.is_(True))
    query = query.order_by(DocumentRow.id, SegmentRow.ordinal)
    for seg, doc_name, speaker, participant, group in session.execute(query):
        yield SegmentView(seg.id, doc_name, seg.ordinal, seg.start, seg.end, seg.text, seg.kind,
                          speaker, participant, group, seg.codable, seg.start_time, seg.end_time,
                          seg.attributes or {})


def segments_by_text(session: Session, documents: set[str]) -> dict[tuple[str, str], list[int]]:
    """Segment ids of the named documents by (document name, exact text)."""
    found: dict[tuple[str, str], list[int]] = {}
    rows = session.execute(select(DocumentRow.name, SegmentRow.text, SegmentRow.id)
                           .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
                           .where(DocumentRow.name.in_(sorted(documents))).order_by(SegmentRow.id))
    for name, text, segment_id in rows:
        found.setdefault((name, text), []).append(segment_id)
    return found


@dataclass(frozen=True)
class DocumentSummary:
    name: str
    corpus: str
    suffix: str
    words: int
    segments: int
    codable: int
    group: str | None
    speakers: list[str]


def document_summaries(session: Session) -> list[DocumentSummary]:
    counts = (
        select(SegmentRow.document_id, func.count().label("n"),
               func.sum(case((SegmentRow.codable.is_(True), 1), else_=0)).label("codable"))
        .group_by(SegmentRow.document_id).subquery()
    )
    rows = session.execute(
        select(DocumentRow, CorpusRow.name, counts.c.n, counts.c.codable)
        .join(CorpusRow, DocumentRow.corpus_id == CorpusRow.id)
        .outerjoin(counts, counts.c.document_id == DocumentRow.id)
        .order_by(DocumentRow.id)
    ).all()
    speakers: dict[int, list[str]] = {}
    for document_id, label in session.execute(select(SpeakerRow.document_id, SpeakerRow.label)
                                              .order_by(SpeakerRow.id)):
        speakers.setdefault(document_id, []).append(label)
    return [DocumentSummary(d.name, corpus, d.suffix, d.word_count, n or 0, int(codable or 0), d.group,
                            speakers.get(d.id, [])) for d, corpus, n, codable in rows]


@dataclass(frozen=True)
class ParticipantSummary:
    label: str
    group: str | None
    role: str | None
    site: str | None
    documents: int
    segments: int
    attributes: dict[str, Any]


def participant_summaries(session: Session) -> list[ParticipantSummary]:
    stats = (
        select(SpeakerRow.participant_id,
               func.count(func.distinct(SpeakerRow.document_id)).label("docs"),
               func.count(SegmentRow.id).label("segs"))
        .outerjoin(SegmentRow, SegmentRow.speaker_id == SpeakerRow.id)
        .group_by(SpeakerRow.participant_id).subquery()
    )
    rows = session.execute(
        select(ParticipantRow, stats.c.docs, stats.c.segs)
        .outerjoin(stats, stats.c.participant_id == ParticipantRow.id)
        .order_by(ParticipantRow.group, ParticipantRow.label)
    ).all()
    return [ParticipantSummary(p.label, p.group, p.role, p.site, docs or 0, segs or 0, p.attributes or {})
            for p, docs, segs in rows]


def counts_by_group(session: Session) -> list[tuple[str | None, int, int, int]]:
    """(group, codable segments, distinct participants, distinct documents) per stakeholder group."""
    query = (
        select(resolved_group().label("g"), func.count(SegmentRow.id),
               func.count(func.distinct(_participant.id)), func.count(func.distinct(DocumentRow.id)))
        .select_from(SegmentRow)
        .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
        .outerjoin(SpeakerRow, SegmentRow.speaker_id == SpeakerRow.id)
        .outerjoin(_participant, SpeakerRow.participant_id == _participant.id)
        .where(SegmentRow.codable.is_(True))
        .group_by("g").order_by("g")
    )
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


@dataclass(frozen=True)
class Totals:
    """How much the project holds, for its status line."""

    documents: int
    words: int
    segments: int
    codable: int
    participants: int
    events: int


def totals(session: Session) -> Totals:
    documents, words = session.execute(
        select(func.count(DocumentRow.id), func.coalesce(func.sum(DocumentRow.word_count), 0))).one()
    segments, codable = session.execute(select(
        func.count(SegmentRow.id),
        func.coalesce(func.sum(case((SegmentRow.codable.is_(True), 1), else_=0)), 0),
    )).one()
    participants = session.scalar(select(func.count(ParticipantRow.id))) or 0
    events = session.scalar(select(func.count(EventRow.id))) or 0
    return Totals(documents, int(words), segments, int(codable), participants, events)


def count_events(session: Session, action: str) -> int:
    """How many times `action` is in the audit trail (e.g. whether a coder ever ran)."""
    return session.scalar(select(func.count(EventRow.id)).where(EventRow.action == action)) or 0
