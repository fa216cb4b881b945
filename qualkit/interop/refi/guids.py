"""Stable GUIDs: the same project object gets the same GUID in every export.

A GUID is a UUID5 of (kind, our id) in a namespace of its own per project, so repeated exports
of one project agree (other programs can match what they imported before) and two projects'
GUIDs never collide. An object that came from another program's file keeps the GUID that program
gave it (`kept`), so exporting back to it updates that object instead of duplicating it.
"""

from __future__ import annotations

import uuid

QUALKIT_NAMESPACE = uuid.UUID("9624f381-c522-487f-bd96-66d53dbd3003")


class Guids:
    def __init__(self, project: str, kept: dict[tuple[str, str], str] | None = None) -> None:
        self.namespace = uuid.uuid5(QUALKIT_NAMESPACE, project)
        self.kept = dict(kept or {})

    def __call__(self, kind: str, key: object) -> str:
        return self.kept.get((kind, str(key))) or str(uuid.uuid5(self.namespace, f"{kind}:{key}"))
