"""Memos: notes by the project's people on the project, a code, a document or a segment.
Functions take a Session; the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.schema import CodeRow, DocumentRow, MemoRow, SegmentRow

TARGETS = ("project", "code", "document", "segment")


@dataclass(frozen=True)
class StoredMemo:
    """A memo as stored: `ref` is a code key or a document's or segment's row id (None: the project)."""

    id: int
    target: str
    ref: str | None
    author: str
    title: str
    text: str
    created_at: datetime  # in UTC
    updated_at: datetime


def _stored(row: MemoRow) -> StoredMemo:
    return StoredMemo(row.id, row.target, row.target_ref, row.author, row.title, row.text,
                      _utc(row.created_at), _utc(row.updated_at))


def _utc(moment: datetime) -> datetime:
    """Times are stored in UTC; SQLite hands them back without their zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def add(session: Session, *, target: str, ref: str | None, author: str, title: str, text: str,
        created_at: datetime | None = None, updated_at: datetime | None = None) -> StoredMemo:
    """Store a memo; `created_at`/`updated_at` keep the times another program recorded (now, if None)."""
    times = {"created_at": created_at, "updated_at": updated_at or created_at} if created_at else {}
    row = MemoRow(target=target, target_ref=ref, author=author, title=title, text=text, **times)
    session.add(row)
    session.flush()
    return _stored(row)


def exists(session: Session, *, target: str, ref: str | None, author: str, title: str, text: str) -> bool:
    """Whether this very memo is stored already (an exchange file imported twice adds it once)."""
    same = select(MemoRow.id).where(MemoRow.target == target, MemoRow.target_ref == ref,
                                    MemoRow.author == author, MemoRow.title == title, MemoRow.text == text)
    return session.scalar(same.limit(1)) is not None


def get(session: Session, memo_id: int) -> StoredMemo | None:
    """The memo with this id, or None."""
    row = session.get(MemoRow, memo_id)
    return None if row is None else _stored(row)


def edit(session: Session, memo_id: int, *, text: str | None = None,
         title: str | None = None) -> StoredMemo | None:
    """Change a stored memo's text and/or title (`None` leaves it); returns it as changed, or None when
    there is no such memo."""
    row = session.get(MemoRow, memo_id)
    if row is None:
        return None
    if text is not None:
        row.text = text
    if title is not None:
        row.title = title
    session.flush()
    return _stored(row)


def delete(session: Session, memo_id: int) -> None:
    """Remove a memo (no-op when it is gone already)."""
    row = session.get(MemoRow, memo_id)
    if row is not None:
        session.delete(row)


def find(session: Session, *, target: str | None = None, ref: str | None = None,
         oldest_first: bool = True) -> list[StoredMemo]:
    """Memos on `target` (and on `ref` of it): oldest first, or in the order they were stored."""
    query = select(MemoRow)
    if target is not None:
        query = query.where(MemoRow.target == target)
    if ref is not None:
        query = query.where(MemoRow.target_ref == ref)
    order = (MemoRow.created_at, MemoRow.id) if oldest_first else (MemoRow.id,)
    return [_stored(row) for row in session.scalars(query.order_by(*order))]


def subject(session: Session, target: str, ref: str) -> str | None:
    """How people name what a memo is on (a code's name, a document's name, "segment 12 of
    kw_a.txt"), or None when no such code, document or segment exists."""
    if target == "code":
        newest_first = CodeRow.id.desc()
        return session.scalar(select(CodeRow.name).where(CodeRow.key == ref).order_by(newest_first).limit(1))
    if not ref.isdigit():
        return None
    if target == "document":
        return session.scalar(select(DocumentRow.name).where(DocumentRow.id == int(ref)))
    found = session.execute(select(SegmentRow.id, DocumentRow.name)
                            .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)
                            .where(SegmentRow.id == int(ref))).first()
    return None if found is None else f"segment {found[0]} of {found[1]}"
