"""Codebook versions in the store. Functions take a Session; the caller owns the transaction.

Each stored version is immutable: editing a codebook stores a new version, so every coding keeps
the exact definitions it was made with. Codes are stored in tree order, parents first, and read
back in the same order, so a codebook survives the round trip unchanged.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualkit.model import Code, Codebook
from qualkit.store.schema import CodebookRow, CodeRow

DEFINITION_FIELDS = ("include", "exclude", "keywords", "examples")
CodebookVersion = CodebookRow  # one stored version (`.id`, `.name`, `.version`): a handle above the store


def newest(session: Session, name: str | None = None) -> CodebookRow | None:
    """The newest version of codebook `name`; without a name, the most recently stored codebook."""
    query = select(CodebookRow)
    if name is not None:
        query = query.where(CodebookRow.name == name)
    return session.scalar(query.order_by(CodebookRow.id.desc()).limit(1))


def names(session: Session) -> list[str]:
    return list(session.scalars(select(CodebookRow.name).distinct().order_by(CodebookRow.name)))


def read(session: Session, row: CodebookRow) -> Codebook:
    """Rebuild the codebook tree of one stored version."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for code in session.scalars(select(CodeRow).where(CodeRow.codebook_id == row.id).order_by(CodeRow.id)):
        node = {"id": code.key, "name": code.name, "description": code.description, "color": code.color,
                "children": [], **{f: list(code.definition.get(f, [])) for f in DEFINITION_FIELDS}}
        nodes[code.key] = node
        (nodes[code.parent_key]["children"] if code.parent_key else roots).append(node)
    return Codebook.model_validate({"name": row.name, "version": row.version, "edition": row.edition,
                                    "codes": roots})


def _content(codebook: Codebook) -> dict[str, Any]:
    return codebook.model_dump(exclude={"version"})


def save(session: Session, codebook: Codebook, source: str | None) -> tuple[CodebookRow, bool]:
    """Store `codebook` as the next version of its name, unless it equals the newest stored
    version; returns that version's row and whether it is new."""
    latest = newest(session, codebook.name)
    if latest is not None and _content(read(session, latest)) == _content(codebook):
        return latest, False
    number = (session.scalar(select(func.max(CodebookRow.version))
                             .where(CodebookRow.name == codebook.name)) or 0) + 1
    row = CodebookRow(name=codebook.name, version=number, edition=codebook.edition, source=source)
    session.add(row)
    session.flush()
    session.add_all(_code_row(row.id, code, parent) for code, parent, _ in codebook.walk())
    session.flush()
    return row, True


def _code_row(codebook_id: int, code: Code, parent: str | None) -> CodeRow:
    return CodeRow(codebook_id=codebook_id, key=code.id, parent_key=parent, name=code.name,
                   description=code.description, color=code.color,
                   definition={f: getattr(code, f) for f in DEFINITION_FIELDS})


def code_ids(session: Session, codebook_id: int) -> dict[str, int]:
    """Row id of each code key in one codebook version."""
    query = select(CodeRow.key, CodeRow.id).where(CodeRow.codebook_id == codebook_id)
    return {key: row_id for key, row_id in session.execute(query)}
