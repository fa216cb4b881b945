"""Helpers for the REFI-QDA tests: schema validation, hand-written .qdpx files, project snapshots."""

from __future__ import annotations

import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from qualkit import services
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo
from qualkit.store.schema import CodeAssignmentRow, CodeRow, DocumentRow, MemoRow, ParticipantRow, SegmentRow

from paths import SHARED

REFI = SHARED / "refi"
MAXQDA_SAMPLE = REFI / "samples" / "maxqda24_export.qdpx"
needs_schemas = pytest.mark.skipif(not (REFI / "Project.xsd").is_file(), reason="../shared/refi is absent")


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(REFI / name)))


def assert_valid(xml: bytes, name: str) -> None:
    validator = schema(name)
    assert validator.validate(etree.fromstring(xml)), validator.error_log


def project_xml_of(qdpx: Path) -> bytes:
    return zipfile.ZipFile(qdpx).read("project.qde")


def write_qdpx(path: Path, qde: str | bytes, sources: dict[str, bytes], *, member: str = "project.qde",
               folder: str = "sources") -> Path:
    """A .qdpx as another program might write it (member and folder names as given)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in sources.items():
            archive.writestr(f"{folder}/{name}", data)
    return path


def snapshot(project: services.Project) -> dict[str, Any]:
    """Everything a REFI round trip must keep, keyed by names rather than row ids."""
    with project.sessions() as session:
        documents = {d.name: (d.text, d.group, d.attributes) for d in session.scalars(select(DocumentRow))}
        segments = sorted(((s.document, s.start, s.end, s.codable, s.participant, s.group)
                           for s in repo.iter_segments(session)), key=repr)
        newest = codebooks_store.newest(session)
        codes = None if newest is None else codebooks_store.read(session, newest).model_dump(
            exclude={"name", "version"})
        codings = sorted([
            (document, key, row.span_start if row.span_start is not None else start,
             row.span_end if row.span_end is not None else end, row.coder, row.reviewer, row.status)
            for row, key, document, start, end in session.execute(
                select(CodeAssignmentRow, CodeRow.key, DocumentRow.name, SegmentRow.start, SegmentRow.end)
                .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
                .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
                .join(DocumentRow, SegmentRow.document_id == DocumentRow.id))], key=repr)
        people = {p.label: (p.group, p.role, p.site, p.attributes)
                  for p in session.scalars(select(ParticipantRow))}
        memos = sorted(((m.target, _memo_subject(session, m), m.author, m.title, m.text)
                        for m in session.scalars(select(MemoRow))), key=repr)
    return {"documents": documents, "segments": segments, "codes": codes, "codings": codings,
            "participants": people, "memos": memos}


def _memo_subject(session: Any, memo: MemoRow) -> Any:
    if memo.target == "document":
        return session.get(DocumentRow, int(memo.target_ref)).name
    if memo.target == "segment":
        segment = session.get(SegmentRow, int(memo.target_ref))
        return segment.document.name, segment.start, segment.end
    return memo.target_ref
