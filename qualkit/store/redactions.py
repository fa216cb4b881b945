"""Reading and writing a project's redactions, anonymisation terms and pseudonym key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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


def applied(session: Session) -> dict[int, list[AppliedRedaction]]:
    """Document id -> the redactions shown in anonymised text (all but the rejected)."""
    found: dict[int, list[AppliedRedaction]] = {}
    rows = session.execute(select(RedactionRow.document_id, RedactionRow.start, RedactionRow.end,
                                  RedactionRow.replacement, RedactionRow.status, RedactionRow.source)
                           .where(RedactionRow.status != REJECTED))
    for document_id, start, end, replacement, status, source in rows:
        found.setdefault(document_id, []).append(
            AppliedRedaction(start, end, replacement, status == ACCEPTED or source == MANUAL))
    return found


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
