"""Memos: people's notes on the project, its codes, documents and segments, with author and time,
and a search over them. Reports and REFI-QDA exports read them from the store.

A memo refers to a code by its key (stable across codebook versions) and to a document or segment
by its row id, so renaming a document's file elsewhere does not orphan its memos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from qualkit.errors import NotFoundError, QualkitError
from qualkit.services.projects import Project, current_user
from qualkit.store import Session
from qualkit.store import memos as memos_store
from qualkit.store import repository as repo


class MemoTarget(StrEnum):
    project = "project"
    code = "code"
    document = "document"
    segment = "segment"


EXAMPLES = {MemoTarget.code: "a code id such as 'trust'", MemoTarget.document: "a document's name or id",
            MemoTarget.segment: "a segment id (see the project's segments)"}


@dataclass(frozen=True)
class Memo:
    id: int
    target: MemoTarget
    ref: str | None  # a code key, or a document's or segment's id; None for the project
    about: str  # what it is on, as people name it: the project, a code's or document's name, a segment
    author: str
    title: str
    text: str
    created_at: datetime
    updated_at: datetime


def add_memo(project: Project, target: MemoTarget | str, ref: str | int | None, text: str, author: str,
             title: str = "") -> Memo:
    """A memo by `author` on the project (ref None), a code (its key), a document (its name or id)
    or a segment (its id)."""
    kind = _target(target)
    text = _text(text)
    if not author.strip():
        raise QualkitError("the memo has no author.", "Say who wrote it.")
    with project.transaction() as session:
        key, about = _subject(session, project, kind, ref)
        row = memos_store.add(session, target=kind.value, ref=key, author=author, title=title.strip(),
                              text=text)
        repo.log_event(session, author, "add_memo", "memo", row.id, target=kind.value)
        return _memo(row, about)


def edit_memo(project: Project, memo_id: int, *, text: str | None = None, title: str | None = None,
              editor: str | None = None) -> Memo:
    """Change a memo's text and/or title; its author stays, the event names who edited it."""
    if text is None and title is None:
        raise QualkitError("nothing to change in the memo.", "Give a new text or title.")
    with project.transaction() as session:
        row = memos_store.edit(session, memo_id, text=None if text is None else _text(text),
                               title=None if title is None else title.strip())
        if row is None:
            raise _missing(memo_id)
        repo.log_event(session, editor or current_user(), "edit_memo", "memo", row.id, target=row.target)
        return _memo(row, _about(session, project, row))


def delete_memo(project: Project, memo_id: int, by: str | None = None) -> None:
    with project.transaction() as session:
        row = _row(session, memo_id)
        repo.log_event(session, by or current_user(), "delete_memo", "memo", row.id, target=row.target)
        memos_store.delete(session, row.id)


def list_memos(project: Project, target: MemoTarget | str | None = None, ref: str | int | None = None,
               search: str | None = None) -> list[Memo]:
    """Memos, oldest first: on `target` (and `ref` of it: a code key, a document's name or id, a
    segment id), and, with `search`, those whose title or text contains every word of it (any case)."""
    if ref is not None and target is None:
        raise QualkitError("a memo reference needs its target.",
                           "Give the target too, e.g. code and 'trust'.")
    kind = None if target is None else _target(target)
    words = (search or "").casefold().split()
    with project.sessions() as session:
        key = None if kind is None or ref is None else _subject(session, project, kind, ref)[0]
        rows = memos_store.find(session, target=None if kind is None else kind.value, ref=key)
        return [_memo(row, _about(session, project, row)) for row in rows
                if all(word in f"{row.title}\n{row.text}".casefold() for word in words)]


def _target(target: MemoTarget | str) -> MemoTarget:
    try:
        return MemoTarget(target)
    except ValueError:
        raise QualkitError(f"memos cannot be on '{target}'.",
                           f"Use one of: {', '.join(t.value for t in MemoTarget)}.") from None


def _text(text: str) -> str:
    if not text.strip():
        raise QualkitError("the memo has no text.", "Write what the memo should say.")
    return text.strip()


def _subject(session: Session, project: Project, kind: MemoTarget,
             ref: str | int | None) -> tuple[str | None, str]:
    """The stored reference and the subject's name, checking that the subject exists."""
    if kind is MemoTarget.project:
        if ref not in (None, ""):
            raise QualkitError(f"a project memo is on the whole project, not on '{ref}'.",
                               "Leave out the reference.")
        return None, project.config.name
    if ref is None or not str(ref).strip():
        raise QualkitError(f"a {kind.value} memo needs to say which {kind.value} it is on.",
                           f"Give {EXAMPLES[kind]}.")
    key = str(ref).strip()
    if kind is MemoTarget.document and not isinstance(ref, int):
        named = repo.document_named(session, None, key)
        key = str(named.id) if named is not None else key
    about = memos_store.subject(session, kind.value, key)
    if about is None:
        raise NotFoundError(f"no {kind.value} '{ref}' in the project.", f"Give {EXAMPLES[kind]}.")
    return key, about


def _about(session: Session, project: Project, row: memos_store.StoredMemo) -> str:
    if row.target == MemoTarget.project or row.ref is None:
        return project.config.name
    return memos_store.subject(session, row.target, row.ref) or f"{row.target} {row.ref} (gone)"


def _row(session: Session, memo_id: int) -> memos_store.StoredMemo:
    row = memos_store.get(session, memo_id)
    if row is None:
        raise _missing(memo_id)
    return row


def _missing(memo_id: int) -> NotFoundError:
    return NotFoundError(f"no memo with id {memo_id}.", "See the list of memos for the ids.")


def _memo(row: memos_store.StoredMemo, about: str) -> Memo:
    return Memo(row.id, MemoTarget(row.target), row.ref, about, row.author, row.title, row.text,
                row.created_at, row.updated_at)
