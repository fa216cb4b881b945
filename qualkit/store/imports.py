"""What imports write beside the documents themselves: people's details (from a participants sheet or
a REFI-QDA case), speakers linked to people, and what a document is called, its group and attributes.
Functions take a Session; the caller owns the transaction.

Everything here merges: a value a sheet or file leaves empty keeps what the project already has, so
loading the same sheet twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.repository import delete_if_unspoken, get_or_create_participant
from qualkit.store.schema import DocumentRow, ParticipantRow, SpeakerRow


@dataclass(frozen=True)
class DocumentRef:
    """A stored document as an import compares it with what it brings."""

    id: int
    name: str
    text: str
    source_path: str | None


@dataclass(frozen=True)
class SpeakerLink:
    """A speaker label in one document and the person it is linked to."""

    id: int
    document_id: int
    participant_id: int
    participant: str  # the participant's label


@dataclass(frozen=True)
class Person:
    """A participant after a merge: what decides whether their turns are coded."""

    id: int
    label: str
    role: str | None


def _ref(row: DocumentRow | None) -> DocumentRef | None:
    return None if row is None else DocumentRef(row.id, row.name, row.text, row.source_path)


def document_named(session: Session, corpus_id: int | None, name: str) -> DocumentRef | None:
    """The document called `name` (in one corpus, or anywhere)."""
    query = select(DocumentRow).where(DocumentRow.name == name)
    if corpus_id is not None:
        query = query.where(DocumentRow.corpus_id == corpus_id)
    return _ref(session.scalar(query.limit(1)))


def document_with_sha(session: Session, corpus_id: int, sha256: str) -> DocumentRef | None:
    """A document of the corpus read from a file with these very bytes (a file imported before)."""
    return _ref(session.scalar(select(DocumentRow).where(
        DocumentRow.corpus_id == corpus_id, DocumentRow.sha256 == sha256).limit(1)))


def documents_named(session: Session, name: str) -> list[int]:
    """Ids of every document called `name`, in any corpus (a sheet row names a file, not a corpus)."""
    return list(session.scalars(select(DocumentRow.id).where(DocumentRow.name == name)
                                .order_by(DocumentRow.id)))


def merge_document_details(session: Session, document_id: int, *, group: str | None = None,
                           display_name: str | None = None, attributes: dict[str, Any] | None = None) -> None:
    """A group or display name given replaces the stored one; attributes are added over the stored ones."""
    row = session.get_one(DocumentRow, document_id)
    row.group = group or row.group
    row.display_name = display_name or row.display_name
    row.attributes = {**(row.attributes or {}), **(attributes or {})}


def set_display_name(session: Session, document_id: int, display_name: str | None) -> str | None:
    """What outputs call the document (None: its file name); returns the name it had."""
    row = session.get_one(DocumentRow, document_id)
    previous, row.display_name = row.display_name, display_name
    return previous


def set_group(session: Session, document_id: int, group: str) -> None:
    session.get_one(DocumentRow, document_id).group = group


def speakers_labelled(session: Session, label: str, document: str | None = None) -> list[SpeakerLink]:
    """Speakers written `label`, in the document called `document` or in any."""
    query = _speakers().where(SpeakerRow.label == label)
    if document is not None:
        query = query.where(DocumentRow.name == document)
    return _links(session, query)


def speakers_of(session: Session, participant: str) -> list[SpeakerLink]:
    """Every speaker linked to the participant labelled `participant`."""
    return _links(session, _speakers().where(ParticipantRow.label == participant))


def _speakers():  # type: ignore[no-untyped-def]
    return (select(SpeakerRow.id, SpeakerRow.document_id, SpeakerRow.participant_id, ParticipantRow.label)
            .join(DocumentRow, SpeakerRow.document_id == DocumentRow.id)
            .join(ParticipantRow, SpeakerRow.participant_id == ParticipantRow.id)
            .order_by(SpeakerRow.id))


def _links(session: Session, query: Any) -> list[SpeakerLink]:
    return [SpeakerLink(*row) for row in session.execute(query)]


def move_speakers(session: Session, speaker_ids: Iterable[int], participant: str) -> int:
    """Link the speakers to the participant labelled `participant` (created with their previous person's
    role if new), and remove a previous person no speaker refers to any more. Returns the participant id."""
    speakers = [session.get_one(SpeakerRow, speaker_id) for speaker_id in speaker_ids]
    previous = {speaker.participant_id: speaker.participant for speaker in speakers}
    role = next(iter(previous.values())).role if previous else None
    target = get_or_create_participant(session, participant, role=role)
    for speaker in speakers:
        speaker.participant_id = target.id
    session.flush()
    for person in previous.values():
        if person.id != target.id:
            delete_if_unspoken(session, person)
    return target.id


def link_speaker(session: Session, document_id: int, label: str, participant_id: int) -> bool:
    """Make the speaker `label` of one document this participant; False when the document has no such
    speaker. A previous person no speaker refers to any more is removed."""
    speaker = session.scalar(select(SpeakerRow).where(SpeakerRow.document_id == document_id,
                                                      SpeakerRow.label == label))
    if speaker is None:
        return False
    if speaker.participant_id != participant_id:
        previous = speaker.participant
        speaker.participant_id = participant_id
        session.flush()
        delete_if_unspoken(session, previous)
    return True


def speaks_in(session: Session, document_id: int, participant_id: int) -> bool:
    """Whether any speaker of the document is this participant."""
    query = select(SpeakerRow.id).where(SpeakerRow.document_id == document_id,
                                        SpeakerRow.participant_id == participant_id).limit(1)
    return session.scalar(query) is not None


def merge_participant(session: Session, label: str, *, group: str | None = None, role: str | None = None,
                      site: str | None = None, attributes: dict[str, Any] | None = None,
                      known_names: Iterable[str] = ()) -> Person:
    """The participant labelled `label` (created if new) with the given fields merged in: a value given
    replaces the stored one, attributes are added, and the person's own names join those known."""
    row = get_or_create_participant(session, label)
    row.group = group or row.group
    row.role = role or row.role
    row.site = site or row.site
    row.attributes = {**(row.attributes or {}), **(attributes or {})}
    names = set(known_names)
    if names:
        row.known_names = sorted({*(row.known_names or ()), *names})
    session.flush()
    return Person(row.id, row.label, row.role)
