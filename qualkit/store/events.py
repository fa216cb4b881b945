"""Reading the audit trail back: the project's version, what a person may undo, the decisions made.
Functions take a Session; the caller owns the transaction. (Events are appended with
`repository.log_event`.)

Every read here walks the trail newest first along its primary key and stops as soon as it has its
answer, so its cost depends on how far back the answer lies, not on how long the trail is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualkit.store.schema import EventRow

BATCH = 200  # events read at a time when walking the trail back


@dataclass(frozen=True)
class Event:
    """One entry of the audit trail."""

    id: int
    at: datetime | None
    actor: str
    action: str
    entity: str
    entity_id: int | None
    data: dict[str, Any]


def newest_id(session: Session) -> int:
    """The newest event's id (0 for none): every write logs an event, so this moves on with any change."""
    return session.scalar(select(func.max(EventRow.id))) or 0


def newest_first(session: Session, *, actions: Collection[str], actor: str | None = None) -> Iterator[Event]:
    """Events with one of `actions` (of `actor`), newest first, read lazily in batches: stop iterating
    and nothing older is read."""
    before: int | None = None
    while True:
        query = select(EventRow).where(EventRow.action.in_(sorted(actions)))
        if actor is not None:
            query = query.where(EventRow.actor == actor)
        if before is not None:
            query = query.where(EventRow.id < before)
        rows = session.scalars(query.order_by(EventRow.id.desc()).limit(BATCH)).all()
        for row in rows:
            yield Event(row.id, row.at, row.actor, row.action, row.entity, row.entity_id,
                        dict(row.data or {}))
        if len(rows) < BATCH:
            return
        before = rows[-1].id


def latest_not_undone(session: Session, actor: str, actions: Collection[str]) -> Event | None:
    """`actor`'s newest event with one of `actions` that no `undo` event of theirs names yet.

    An undo always comes after what it undoes, so walking back the actor's events newest first, every
    undo is seen before its target: the first target not named by an undo seen so far is the answer."""
    undone: set[int] = set()
    for event in newest_first(session, actions={"undo", *actions}, actor=actor):
        if event.action == "undo":
            undone.add(event.data.get("event"))  # type: ignore[arg-type]
        elif event.id not in undone:
            return event
    return None


def events(session: Session, *, actions: Collection[str], actor: str | None = None,
           limit: int | None = None) -> list[Event]:
    """Events with one of `actions` (of `actor`), newest first, at most `limit`."""
    found = []
    for event in newest_first(session, actions=actions, actor=actor):
        if limit is not None and len(found) >= limit:
            break
        found.append(event)
    return found


def append(session: Session, actor: str, action: str, entity: str, entity_id: int | None = None,
           **data: Any) -> int:
    """Append to the audit trail (ids and counts, never personal data) and return the event's id.
    Logging first is how a writing use case takes the database's write lock before it reads."""
    row = EventRow(actor=actor, action=action, entity=entity, entity_id=entity_id, data=data)
    session.add(row)
    session.flush()
    return row.id


def complete(session: Session, event_id: int, **data: Any) -> None:
    """Add what the event's own transaction learnt after appending it (the ids it created). Nobody has
    seen the event before its transaction commits, so the trail stays append-only for every reader."""
    row = session.get(EventRow, event_id)
    if row is not None:
        row.data = {**(row.data or {}), **data}
        session.flush()


def newest_id_except(session: Session, actions: Collection[str], entities: Collection[str] = ()) -> int:
    """The newest id of an event whose action is not one of `actions` and whose entity is not one of
    `entities` (0 for none): a version that only other kinds of change move on. Walks back from the
    newest event, so it reads only the events since."""
    query = select(EventRow.id).where(EventRow.action.not_in(sorted(actions)))
    if entities:
        query = query.where(EventRow.entity.not_in(sorted(entities)))
    return session.scalar(query.order_by(EventRow.id.desc()).limit(1)) or 0
