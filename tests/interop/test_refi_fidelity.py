"""qualkit -> .qdpx -> qualkit keeps what REFI-QDA has no place for: turn times, the stakeholder groups
and other cells table rows state, and rejected decisions travel in qualkit's own document variables
("qualkit:segments", "qualkit:rejected"), review times as the selection's modifiedDateTime, and all
come back with every count identical."""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from qualkit import services
from qualkit.interop.refi.plan import REJECTED_VARIABLE, SEGMENTS_VARIABLE
from qualkit.model import Code, Codebook
from qualkit.services.codebooks import store_codebook
from qualkit.store import codebooks as codebooks_store
from qualkit.store.schema import CodeAssignmentRow, CodeRow, DocumentRow, MemoRow, ParticipantRow, SegmentRow

from refi_helpers import REFI, assert_valid, project_xml_of

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How long have you worked here?

00:00:04.500 --> 00:00:07.000
<v Keyworker C>About three years, and the families trust us now.

00:00:07.000 --> 00:00:10.250
<v Keyworker C>Before that I was in youth offending.
"""
CSV = ("respondent_id,stakeholder_group,site,comment\n"
       "R01,parent,North,It helped a lot with the rent arrears and the landlord.\n"
       "R02,,South,Not much for us as the waiting list was too long to wait.\n"
       "R03,professional,North,We shared information with the school every week.\n")


def build(folder: Path) -> services.Project:
    (folder / "kw_c.vtt").write_text(VTT, encoding="utf-8")
    (folder / "survey.csv").write_text(CSV, encoding="utf-8")
    project = services.init_project(folder / "project")
    services.import_sources(project, [folder / "kw_c.vtt", folder / "survey.csv"])
    with project.transaction() as session:
        book = Codebook(name="Book", codes=[Code(id="trust", name="Trust"),
                                            Code(id="housing", name="Housing")])
        store_codebook(session, book, "test", "Ana")
        codes = codebooks_store.code_ids(session, codebooks_store.newest(session).id)
        segments = list(session.scalars(select(SegmentRow).where(SegmentRow.codable.is_(True))
                                        .order_by(SegmentRow.id)))
        families = segments[0].start + segments[0].text.index("the families")  # 12 characters
        session.add_all([
            CodeAssignmentRow(segment_id=segments[0].id, code_id=codes["trust"], status="accepted",
                              coder="Ana", reviewer="Ana"),
            CodeAssignmentRow(segment_id=segments[0].id, code_id=codes["housing"], status="rejected",
                              coder="ensemble.v1", reviewer="Bo", run_id="r1", score=0.61, predicted=True,
                              span_start=families, span_end=families + 12),
            CodeAssignmentRow(segment_id=segments[2].id, code_id=codes["housing"], status="accepted",
                              coder="ensemble.v1", reviewer="Ana", run_id="r1", score=0.9, predicted=True),
            CodeAssignmentRow(segment_id=segments[3].id, code_id=codes["trust"], status="rejected",
                              coder="ensemble.v1", reviewer="Ana", run_id="r1", score=0.52, predicted=True),
            MemoRow(target="segment", target_ref=str(segments[2].id), author="Ana", title="Q", text="Rent."),
        ])
    return project


def facts(project: services.Project) -> dict[str, Any]:
    """The counts a round trip must keep, and what each segment and rejection says, by name and offset."""
    with project.sessions() as session:
        def count(column: Any) -> int:
            return session.scalar(select(func.count(column))) or 0

        segments = sorted(
            (name, s.start, s.end, s.start_time, s.end_time, s.group, s.attributes, s.kind, s.codable,
             s.speaker.label if s.speaker else None, s.speaker.participant.label if s.speaker else None)
            for s, name in session.execute(select(SegmentRow, DocumentRow.name)
                                           .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)))
        codings = sorted(
            (name, key, row.status, row.span_start, row.span_end, row.coder, row.reviewer,
             *((row.score, row.predicted) if row.status == "rejected" else ()),  # listed as not carried
             row.updated_at.replace(microsecond=0, tzinfo=None))
            for row, key, name in session.execute(
                select(CodeAssignmentRow, CodeRow.key, DocumentRow.name)
                .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
                .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
                .join(DocumentRow, SegmentRow.document_id == DocumentRow.id)))
        return {
            "documents": count(DocumentRow.id), "segments": segments, "codings": codings,
            "statuses": Counter(session.scalars(select(CodeAssignmentRow.status))),
            "participants": count(ParticipantRow.id), "memos": count(MemoRow.id),
            "timed": sum(s[3] is not None for s in segments),
            "grouped": sum(s[5] is not None for s in segments),
            "attributed": sum(bool(s[6]) for s in segments),
        }


def test_times_row_groups_attributes_and_rejections_survive_the_round_trip(tmp_path: Path) -> None:
    project = build(tmp_path)
    before = facts(project)
    assert before["timed"] == 2 and before["grouped"] == 2 and before["attributed"] == 3
    assert before["statuses"] == {"accepted": 2, "rejected": 2}

    exported = services.export_qdpx(project, tmp_path / "fidelity.qdpx")
    assert exported.left_out == ["the scores and runs of 1 accepted machine coding(s) (who coded and "
                                 "reviewed them travels)"]
    xml = project_xml_of(exported.path).decode("utf-8")
    assert f'name="{SEGMENTS_VARIABLE}"' in xml and f'name="{REJECTED_VARIABLE}"' in xml
    assert '"kind": "turn"' in xml  # a fresh cut of the .vtt's text differs, so every segment is listed
    if (REFI / "Project.xsd").is_file():
        assert_valid(project_xml_of(exported.path), "Project.xsd")

    fresh = services.init_project(tmp_path / "fresh")
    report = services.import_refi(fresh, exported.path)
    assert report.dropped == [] and report.unplaced == []
    assert (report.codings, report.rejected) == (2, 2)
    assert facts(fresh) == before
    again = services.import_refi(fresh, exported.path)
    assert (again.codings, again.rejected) == (0, 0) and facts(fresh) == before


def rewritten(exported: Path, target: Path, old: str, new: str, count: int) -> Path:
    """A copy of an export with `old` (found `count` times in project.qde) written as `new`."""
    with zipfile.ZipFile(exported) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["project.qde"].decode("utf-8")
    assert xml.count(old) == count
    members["project.qde"] = xml.replace(old, new).encode("utf-8")
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def test_a_mangled_qualkit_variable_is_reported_not_guessed(tmp_path: Path) -> None:
    exported = services.export_qdpx(build(tmp_path), tmp_path / "fidelity.qdpx").path
    broken = rewritten(exported, tmp_path / "broken.qdpx", '"coder":', '"who":', 2)  # the rejections
    report = services.import_refi(services.init_project(tmp_path / "fresh"), broken)
    assert any("'qualkit:rejected' of source 'kw_c.vtt' not read (it is not the JSON qualkit writes)" in line
               for line in report.dropped)
    assert report.rejected == 0 and report.codings == 2


def test_a_segment_list_that_does_not_fit_is_reported_and_the_text_cut_afresh(tmp_path: Path) -> None:
    project = build(tmp_path)
    exported = services.export_qdpx(project, tmp_path / "fidelity.qdpx").path
    # the .vtt's two turns, listed because a fresh cut of its text differs, get a kind qualkit has not
    broken = rewritten(exported, tmp_path / "broken.qdpx", '"kind": "turn"', '"kind": "verse"', 2)
    fresh = services.init_project(tmp_path / "fresh")
    report = services.import_refi(fresh, broken)
    assert any("segments qualkit listed for source 'kw_c.vtt' not used" in line for line in report.dropped)
    vtt = [segment for segment in facts(fresh)["segments"] if segment[0] == "kw_c.vtt"]
    assert vtt and all(segment[7] == "paragraph" for segment in vtt)  # cut afresh: no turns
