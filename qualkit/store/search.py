"""Segments a corpus search looks into: narrowed in SQL by group, document, speaker and, for a search by
the words as written, by the words themselves, so only candidate texts leave the database. Functions take
a Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.repository import resolved_group, segment_query
from qualkit.store.schema import DocumentRow, ParticipantRow, SegmentRow, SpeakerRow

ESCAPE = "\\"


@dataclass(frozen=True)
class SearchedSegment:
    """A segment a search reads: its text, where it starts in its document, and who said it."""

    id: int
    document: str
    start: int  # document offset of text[0]
    end: int
    text: str
    speaker: str | None
    participant: str | None
    group: str | None
    codable: bool


def _like(word: str) -> str:
    """`word` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = word.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def segments(session: Session, *, containing: Sequence[str] = (), group: str | None = None,
             document: str | None = None, participant: str | None = None,
             codable_only: bool = False) -> list[SearchedSegment]:
    """Segments in reading order (documents as imported) narrowed by any of: holding every one of
    `containing` (case-insensitive for ASCII letters, as SQLite's LIKE; the caller matches exactly
    afterwards), resolved stakeholder group, document name, participant label, codable only."""
    query = segment_query()
    for word in containing:
        query = query.where(SegmentRow.text.ilike(_like(word), escape=ESCAPE))
    if group is not None:
        query = query.where(resolved_group() == group)
    if document is not None:
        query = query.where(DocumentRow.name == document)
    if participant is not None:
        query = query.where(SpeakerRow.participant_id.in_(
            select(ParticipantRow.id).where(ParticipantRow.label == participant)))
    if codable_only:
        query = query.where(SegmentRow.codable.is_(True))
    rows = session.execute(query.order_by(DocumentRow.id, SegmentRow.ordinal))
    return [SearchedSegment(seg.id, name, seg.start, seg.end, seg.text, speaker, person, found_group,
                            seg.codable)
            for seg, name, speaker, person, found_group in rows]


def participants(session: Session) -> list[str]:
    """Labels of the participants who speak in some document, for a speaker filter."""
    query = (select(ParticipantRow.label).join(SpeakerRow, SpeakerRow.participant_id == ParticipantRow.id)
             .distinct().order_by(ParticipantRow.label))
    return list(session.scalars(query))
