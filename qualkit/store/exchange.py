"""GUIDs from other programs' REFI-QDA files, per project object. Functions take a Session; the
caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.store.schema import ExchangeGuidRow


def read(session: Session) -> dict[tuple[str, str], str]:
    """(kind, ref) -> GUID."""
    return {(row.kind, row.ref): row.guid for row in session.scalars(select(ExchangeGuidRow))}


def remember(session: Session, pairs: Iterable[tuple[str, str, str]], origin: str | None) -> int:
    """Keep each (kind, ref, GUID) whose object has none yet (the first program's GUID stays), and
    never one GUID for two objects of a kind. Returns how many were added."""
    known = read(session)
    taken = {(kind, guid) for (kind, _), guid in known.items()}
    added = 0
    for kind, ref, guid in pairs:
        if (kind, ref) in known or (kind, guid) in taken:
            continue
        session.add(ExchangeGuidRow(kind=kind, ref=ref, guid=guid, origin=origin))
        known[(kind, ref)] = guid
        taken.add((kind, guid))
        added += 1
    session.flush()
    return added
