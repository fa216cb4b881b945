"""Stable GUIDs: the same project object gets the same GUID in every export.

A GUID is a UUID5 of (kind, our id) in a namespace of its own per project, so repeated exports
of one project agree (other programs can match what they imported before) and two projects'
GUIDs never collide.
"""

from __future__ import annotations

import uuid

QUALKIT_NAMESPACE = uuid.UUID("9624f381-c522-487f-bd96-66d53dbd3003")


class Guids:
    def __init__(self, project: str) -> None:
        self.namespace = uuid.uuid5(QUALKIT_NAMESPACE, project)

    def __call__(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))
