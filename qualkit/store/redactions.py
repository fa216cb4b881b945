"""Reading and writing a project's redactions, anonymisation terms and pseudonym key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualkit.anonymise.people import normalise
from qualkit.anonymise.view import AppliedRedaction
from qualkit.store.schema import AnonymisationTermRow, DocumentRow, PseudonymKeyRow, RedactionRow

SUGGESTED, ACCEPTED, REJECTED = "suggested", "accepted", "rejected"
STATUSES = (SUGGESTED, ACCEPTED, REJECTED)
MANUAL = "manual"
ALLOW, DENY = "allow", "deny"
CONTEXT_CHARS = 50


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


def applied(session: Session, *, replacements: Mapping[int, str] | None = None,
            suggested: bool = True) -> dict[int, list[AppliedRedaction]]:
    """Document id -> the redactions shown in anonymised text (all but the rejected). `replacements`
    override stored pseudonyms by redaction id; `suggested=False` leaves out the machine's undecided
    rows (a fresh run in memory stands in for them)."""
    found: dict[int, list[AppliedRedaction]] = {}
    query = select(RedactionRow.id, RedactionRow.document_id, RedactionRow.start, RedactionRow.end,
                   RedactionRow.replacement, RedactionRow.status, RedactionRow.source
                   ).where(RedactionRow.status != REJECTED)
    if not suggested:
        query = query.where((RedactionRow.status != SUGGESTED) | (RedactionRow.source == MANUAL))
    for redaction_id, document_id, start, end, replacement, status, source in session.execute(query):
        shown = (replacements or {}).get(redaction_id, replacement)
        found.setdefault(document_id, []).append(
            AppliedRedaction(start, end, shown, status == ACCEPTED or source == MANUAL))
    return found


def applied_originals(session: Session) -> set[str]:
    """The words every applied redaction hides, normalised: what no label may show either."""
    return {normalise(original) for (original,) in session.execute(
        select(RedactionRow.original).where(RedactionRow.status != REJECTED))}


def set_replacements(session: Session, replacements: Mapping[int, str]) -> None:
    """Give redactions (by id) the pseudonyms a new key gives their originals."""
    for row in session.scalars(select(RedactionRow).where(RedactionRow.id.in_(list(replacements)))):
        row.replacement = replacements[row.id]


def matching(session: Session, term: str) -> list[RedactionRow]:
    """Every redaction of `term`, however it is written (case, spacing, possessive)."""
    wanted = normalise(term)
    return [row for row in session.scalars(select(RedactionRow)) if normalise(row.original) == wanted]


def decided(session: Session) -> list[RedactionRow]:
    """Redactions a person decided on or marked by hand: a re-run keeps them as they are."""
    return list(session.scalars(select(RedactionRow).where(
        (RedactionRow.status != SUGGESTED) | (RedactionRow.source == MANUAL))))


def delete_suggested(session: Session) -> int:
    """Remove the machine's undecided redactions before a re-run stores its own."""
    result = session.execute(delete(RedactionRow).where(RedactionRow.status == SUGGESTED,
                                                        RedactionRow.source != MANUAL))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def items(session: Session, *, status: str | None = None, label: str | None = None,
          document: str | None = None, limit: int | None = None) -> list[RedactionItem]:
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


def person_rows(session: Session) -> list[RedactionRow]:
    """Every applied PERSON redaction: the mentions people are clustered from."""
    return list(session.scalars(select(RedactionRow).where(RedactionRow.label == "PERSON",
                                                           RedactionRow.status != REJECTED)
                                .order_by(RedactionRow.document_id, RedactionRow.start)))


def person_mentions(session: Session) -> list[tuple[str, str, str]]:
    """(document name, original, pseudonym) of every applied PERSON redaction."""
    return [(name, original, replacement) for name, original, replacement in session.execute(
        select(DocumentRow.name, RedactionRow.original, RedactionRow.replacement)
        .join(DocumentRow, RedactionRow.document_id == DocumentRow.id)
        .where(RedactionRow.label == "PERSON", RedactionRow.status != REJECTED))]


def terms(session: Session) -> list[Term]:
    return [Term(r.term, r.kind, r.label) for r in
            session.scalars(select(AnonymisationTermRow).order_by(AnonymisationTermRow.kind,
                                                                  AnonymisationTermRow.term))]


def key_row(session: Session) -> PseudonymKeyRow | None:
    return session.scalar(select(PseudonymKeyRow).order_by(PseudonymKeyRow.id))


def save_key(session: Session, data: dict[str, Any], settings: dict[str, Any]) -> None:
    row = key_row(session)
    if row is None:
        session.add(PseudonymKeyRow(data=data, settings=settings))
    else:
        row.data, row.settings = data, settings


def add_many(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    session.add_all(RedactionRow(**row) for row in rows)
