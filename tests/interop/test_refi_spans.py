"""A coding on part of a segment travels as its own span: the export's PlainTextSelection holds the
coded words (not the whole turn), and an import puts the coding back on those same words."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from sqlalchemy import select

from qualkit import services
from qualkit.model import Code, Codebook
from qualkit.services.codebooks import store_codebook
from qualkit.store import codebooks as codebooks_store
from qualkit.store.schema import CodeAssignmentRow, CodeRow, SegmentRow

from refi_helpers import project_xml_of

NS = {"q": "urn:QDA-XML:project:1.0"}


def test_a_part_segment_coding_exports_and_imports_its_own_span(project: services.Project, transcript: Path,
                                                                 tmp_path: Path) -> None:
    services.import_sources(project, [transcript])
    with project.transaction() as session:
        book = Codebook(name="Book", codes=[Code(id="trust", name="Trust"), Code(id="access", name="Access")])
        store_codebook(session, book, "test", "Ana")
        codes = codebooks_store.code_ids(session, codebooks_store.newest(session).id)
        turn = session.scalars(select(SegmentRow).where(SegmentRow.text.contains("built trust"))).one()
        other = session.scalars(select(SegmentRow).where(SegmentRow.text.contains("referral"))).one()
        start = turn.start + turn.text.index("built trust")
        part = (start, start + len("built trust"))
        session.add_all([
            CodeAssignmentRow(segment_id=turn.id, code_id=codes["trust"], span_start=start, span_end=part[1],
                              status="accepted", coder="Ana"),
            CodeAssignmentRow(segment_id=other.id, code_id=codes["access"], status="accepted", coder="Ana"),
        ])
        whole = (other.start, other.end, other.text)
    exported = services.export_qdpx(project, tmp_path / "spans.qdpx").path

    root = etree.fromstring(project_xml_of(exported))
    guids = {code.get("name"): code.get("guid") for code in root.iterfind(".//q:Code", NS)}
    selections = {}
    for selection in root.iterfind(".//q:PlainTextSelection", NS):
        for coding in selection.iterfind("q:Coding/q:CodeRef", NS):
            selections[coding.get("targetGUID")] = (int(selection.get("startPosition")),
                                                    int(selection.get("endPosition")), selection.get("name"))
    assert selections[guids["Trust"]] == (*part, "built trust")
    assert selections[guids["Access"]] == whole

    fresh = services.init_project(tmp_path / "fresh")
    services.import_refi(fresh, exported)
    with fresh.sessions() as session:
        spans = dict(session.execute(
            select(CodeRow.key, CodeAssignmentRow.span_start)
            .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)).all())
        ends = dict(session.execute(
            select(CodeRow.key, CodeAssignmentRow.span_end)
            .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)).all())
    assert (spans["trust"], ends["trust"]) == part
    assert (spans["access"], ends["access"]) == (None, None)  # a whole segment stays a whole segment
