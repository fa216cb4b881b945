"""Memos: notes by the project's people on the project, a code, a document or a segment.
Functions take a Session; the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.schema import CodeRow, DocumentRow, MemoRow, SegmentRow

TARGETS = ("project", "code", "document", "segment")


def add(session: Session, *, target: str, ref: str | None, author: str, title: str, text: str) -> MemoRow:
    row = MemoRow(target=target, target_ref=ref, author=author, title=title, text=text)
    session.add(row)
    session.flush()
    return row


def get(session: Session, memo_id: int) -> MemoRow | None:
    return session.get(MemoRow, memo_id)


def delete(session: Session, row: MemoRow) -> None:
    session.delete(row)


def find(session: Session, *, target: str | None = None, ref: str | None = None) -> list[MemoRow]:
    """Memos on `target` (and on `ref` of it), oldest first."""
    query = select(MemoRow)
    if target is not None:
        query = query.where(MemoRow.target == target)
    if ref is not None:
        query = query.where(MemoRow.target_ref == ref)
    return list(session.scalars(query.order_by(MemoRow.created_at, MemoRow.id)))


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
