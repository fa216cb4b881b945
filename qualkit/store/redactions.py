"""Reading and writing a project's redactions, anonymisation terms and pseudonym key, and the texts and
people an anonymisation run reads. Functions take a Session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qualkit.anonymise.people import normalise
from qualkit.anonymise.view import AppliedRedaction
from qualkit.model.coding import Status
from qualkit.store.schema import (
    AnonymisationTermRow,
    DocumentRow,
    EventRow,
    ParticipantRow,
    PseudonymKeyRow,
    RedactionRow,
    SegmentRow,
    SpeakerRow,
)

STATUSES = tuple(Status)
MANUAL = "manual"
ALLOW, DENY = "allow", "deny"
CONTEXT_CHARS = 50
RUN_ACTION = "anonymise"  # the event every stored run logs: when the anonymisation last ran


@dataclass(frozen=True)
class RedactionItem:
    """A redaction with its context, for review. `original` is personal data: show it only to
    people who may see the raw text."""

    id: int
    document: str
    start: int
    end: int
    original: str
    label: str
    source: str
    reason: str
    replacement: str
    status: str
    reviewer: str | None
    before: str
    after: str


@dataclass(frozen=True)
class Term:
    term: str
    kind: str
    label: str | None


@dataclass(frozen=True)
class Decided:
    """A redaction a person decided on or marked by hand: a re-run keeps it as it is."""

    id: int
    document_id: int
    start: int
    end: int
    status: Status
    label: str


@dataclass(frozen=True)
class PersonMention:
    """An applied PERSON redaction: one mention of someone, as people are clustered from them."""

    id: int
    document_id: int
    original: str
    replacement: str
    reason: str


@dataclass(frozen=True)
class StoredKey:
    """The stored pseudonym key and the fingerprint of what the run that saved it saw."""

    id: int
    data: dict[str, Any]
    settings: dict[str, Any]


@dataclass(frozen=True)
class Speaking:
    """A speaker label as written, the participant it denotes, and their role: names a run looks for."""

    speaker: str
    participant: str
    role: str | None


def applied(session: Session, *, replacements: Mapping[int, str] | None = None,
            suggested: bool = True) -> dict[int, list[AppliedRedaction]]:
    """Document id -> the redactions shown in anonymised text (all but the rejected). `replacements`
    override stored pseudonyms by redaction id; `suggested=False` leaves out the machine's undecided
    rows (a fresh run in memory stands in for them)."""
    found: dict[int, list[AppliedRedaction]] = {}
    query = select(RedactionRow.id, RedactionRow.document_id, RedactionRow.start, RedactionRow.end,
                   RedactionRow.replacement, RedactionRow.status, RedactionRow.source
                   ).where(RedactionRow.status != Status.REJECTED)
    if not suggested:
        query = query.where((RedactionRow.status != Status.SUGGESTED) | (RedactionRow.source == MANUAL))
    for redaction_id, document_id, start, end, replacement, status, source in session.execute(query):
        shown = (replacements or {}).get(redaction_id, replacement)
        found.setdefault(document_id, []).append(
            AppliedRedaction(start, end, shown, status == Status.ACCEPTED or source == MANUAL))
    return found


def applied_originals(session: Session) -> set[str]:
    """The words every applied redaction hides, normalised: what no label may show either."""
    return {normalise(original) for (original,) in session.execute(
        select(RedactionRow.original).where(RedactionRow.status != Status.REJECTED))}


def set_replacements(session: Session, replacements: Mapping[int, str]) -> None:
    """Give redactions (by id) the pseudonyms a new key gives their originals."""
    for row in session.scalars(select(RedactionRow).where(RedactionRow.id.in_(list(replacements)))):
        row.replacement = replacements[row.id]


def decided(session: Session) -> list[Decided]:
    """Redactions a person decided on or marked by hand: a re-run keeps them as they are."""
    return [Decided(r.id, r.document_id, r.start, r.end, Status(r.status), r.label)
            for r in session.scalars(select(RedactionRow).where(
                (RedactionRow.status != Status.SUGGESTED) | (RedactionRow.source == MANUAL)))]


def delete_suggested(session: Session) -> int:
    """Remove the machine's undecided redactions before a re-run stores its own."""
    result = session.execute(delete(RedactionRow).where(RedactionRow.status == Status.SUGGESTED,
                                                        RedactionRow.source != MANUAL))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def decide(session: Session, redaction_id: int, status: Status, reviewer: str) -> tuple[str, str] | None:
    """Set one redaction's status as `reviewer` decided; returns its (earlier status, label), or None
    when there is no such redaction."""
    row = session.get(RedactionRow, redaction_id)
    if row is None:
        return None
    before = row.status
    row.status, row.reviewer = status, reviewer
    return before, row.label


def decide_matching(session: Session, term: str, status: Status, reviewer: str) -> list[tuple[int, str, str]]:
    """Decide every redaction of `term`, however it is written (case, spacing, possessive), at once;
    returns (id, earlier status, label) of each one that changed."""
    wanted = normalise(term)
    changed = []
    for row in session.scalars(select(RedactionRow).order_by(RedactionRow.id)):
        if normalise(row.original) == wanted and row.status != status:
            changed.append((row.id, row.status, row.label))
            row.status, row.reviewer = status, reviewer
    return changed


def add_manual(session: Session, *, document_id: int, start: int, end: int, original: str, label: str,
               replacement: str, reviewer: str) -> int:
    """Store a redaction a person marked by hand (accepted: it applies in every run); returns its id."""
    row = RedactionRow(document_id=document_id, start=start, end=end, original=original, label=label,
                       source=MANUAL, reason=f"marked by {reviewer}", replacement=replacement,
                       status=Status.ACCEPTED, reviewer=reviewer)
    session.add(row)
    session.flush()
    return row.id


def items(session: Session, *, status: str | None = None, label: str | None = None,
          document: str | None = None, limit: int | None = None) -> list[RedactionItem]:
    """Stored redactions in reading order (document name, then place), with the text either side of
    each, for review and for the key file's log."""
    query = (select(RedactionRow, DocumentRow.name, DocumentRow.text)
             .join(DocumentRow, RedactionRow.document_id == DocumentRow.id)
             .order_by(DocumentRow.name, RedactionRow.start))
    if status is not None:
        query = query.where(RedactionRow.status == status)
    if label is not None:
        query = query.where(RedactionRow.label == label)
    if document is not None:
        query = query.where(DocumentRow.name == document)
    if limit is not None:
        query = query.limit(limit)
    return [RedactionItem(r.id, name, r.start, r.end, r.original, r.label, r.source, r.reason,
                          r.replacement, r.status, r.reviewer,
                          text[max(r.start - CONTEXT_CHARS, 0):r.start], text[r.end:r.end + CONTEXT_CHARS])
            for r, name, text in session.execute(query)]


def person_mentions(session: Session) -> list[PersonMention]:
    """Every applied PERSON redaction, in document order: the mentions people are clustered from."""
    return [PersonMention(r.id, r.document_id, r.original, r.replacement, r.reason)
            for r in session.scalars(select(RedactionRow).where(RedactionRow.label == "PERSON",
                                                                RedactionRow.status != Status.REJECTED)
                                     .order_by(RedactionRow.document_id, RedactionRow.start))]


def rename_mentions(session: Session, renamed: Mapping[int, tuple[str, str]]) -> None:
    """Give PERSON redactions (by id) the (pseudonym, reason) people's merge or apart decision gives them."""
    for row in session.scalars(select(RedactionRow).where(RedactionRow.id.in_(list(renamed)))):
        row.replacement, row.reason = renamed[row.id]


def named_mentions(session: Session) -> list[tuple[str, str, str]]:
    """(document name, original, pseudonym) of every applied PERSON redaction."""
    return [(name, original, replacement) for name, original, replacement in session.execute(
        select(DocumentRow.name, RedactionRow.original, RedactionRow.replacement)
        .join(DocumentRow, RedactionRow.document_id == DocumentRow.id)
        .where(RedactionRow.label == "PERSON", RedactionRow.status != Status.REJECTED))]


def terms(session: Session) -> list[Term]:
    """The allow and deny lists, allow first, each alphabetical."""
    return [Term(r.term, r.kind, r.label) for r in
            session.scalars(select(AnonymisationTermRow).order_by(AnonymisationTermRow.kind,
                                                                  AnonymisationTermRow.term))]


def put_term(session: Session, term: str, kind: str, label: str | None, created_by: str) -> int | None:
    """List `term` (its label updated when it is listed already); returns the new term's id, or None
    when it was on the list before."""
    row = session.scalar(select(AnonymisationTermRow).where(AnonymisationTermRow.term == term,
                                                            AnonymisationTermRow.kind == kind))
    if row is not None:
        row.label = label
        return None
    row = AnonymisationTermRow(term=term, kind=kind, created_by=created_by, label=label)
    session.add(row)
    session.flush()
    return row.id


def remove_term(session: Session, term: str, kind: str) -> int | None:
    """Take `term` off the `kind` list; returns its id, or None when it was not listed."""
    row = session.scalar(select(AnonymisationTermRow).where(AnonymisationTermRow.term == term,
                                                            AnonymisationTermRow.kind == kind))
    if row is None:
        return None
    session.delete(row)
    return row.id


def stored_key(session: Session) -> StoredKey | None:
    """The project's pseudonym key with the fingerprint of its last run, or None before the first run."""
    row = session.scalar(select(PseudonymKeyRow).order_by(PseudonymKeyRow.id))
    return None if row is None else StoredKey(row.id, row.data, row.settings)


def save_key(session: Session, data: dict[str, Any], settings: dict[str, Any]) -> None:
    """Store the project's one pseudonym key and the fingerprint of what its run saw (replacing both)."""
    row = session.scalar(select(PseudonymKeyRow).order_by(PseudonymKeyRow.id))
    if row is None:
        session.add(PseudonymKeyRow(data=data, settings=settings))
    else:
        row.data, row.settings = data, settings


def add_many(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Store a run's new machine redactions (dicts of the redaction columns)."""
    session.add_all(RedactionRow(**row) for row in rows)


def texts(session: Session) -> dict[int, str]:
    """Every document's stored text by id, in import order: what a run reads and outputs show."""
    return {doc: text for doc, text in session.execute(
        select(DocumentRow.id, DocumentRow.text).order_by(DocumentRow.id))}


def texts_by_name(session: Session) -> dict[str, str]:
    """Every document's stored text by its name: what a key file's log is checked against."""
    return {name: text for name, text in session.execute(select(DocumentRow.name, DocumentRow.text))}


def document_names(session: Session) -> list[tuple[int, str, str | None]]:
    """(id, file name, display name) of every document, in import order: what output labels start from."""
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(DocumentRow.id, DocumentRow.name, DocumentRow.display_name).order_by(DocumentRow.id))]


def document_fingerprints(session: Session) -> list[str]:
    """Every document's content hash, in import order: a run is stale when these change."""
    return list(session.scalars(select(DocumentRow.sha256).order_by(DocumentRow.id)))


def segment_spans(session: Session) -> dict[int, tuple[int, int, int]]:
    """Segment id -> (document id, start, end): where each segment's anonymised text is cut from."""
    return {sid: (doc, start, end) for sid, doc, start, end in session.execute(
        select(SegmentRow.id, SegmentRow.document_id, SegmentRow.start, SegmentRow.end))}


def participant_roles(session: Session) -> list[tuple[str, str | None]]:
    """(label, role) of every participant: how outputs name them."""
    return [tuple(row) for row in session.execute(  # type: ignore[misc]
        select(ParticipantRow.label, ParticipantRow.role))]


def speaking(session: Session) -> list[Speaking]:
    """Every speaker label with its participant and role: labels that may be names, and their roles."""
    return [Speaking(*row) for row in session.execute(
        select(SpeakerRow.label, ParticipantRow.label, ParticipantRow.role)
        .join(ParticipantRow, SpeakerRow.participant_id == ParticipantRow.id))]


def known_names(session: Session) -> dict[str, str]:
    """Each participant's own name (from a participants sheet) -> their participant label."""
    return {name: label for label, names in session.execute(
        select(ParticipantRow.label, ParticipantRow.known_names)) for name in names or ()}


def documents_since_last_run(session: Session) -> int:
    """How many documents were imported after the last stored anonymisation run (all, if none ran)."""
    last_run = select(func.max(EventRow.at)).where(EventRow.action == RUN_ACTION).scalar_subquery()
    query = select(func.count(DocumentRow.id)).where(
        (DocumentRow.imported_at > last_run) | last_run.is_(None))
    return session.scalar(query) or 0

