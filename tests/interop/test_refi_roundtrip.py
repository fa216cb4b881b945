"""Our export, imported into a fresh project, gives the same documents, codes, codings (offsets
identical), people, attributes and memos."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qualkit import services
from qualkit.model import Code, Codebook
from qualkit.services.codebooks import store_codebook
from qualkit.store import codebooks as codebooks_store
from qualkit.store.schema import CodeAssignmentRow, DocumentRow, MemoRow, ParticipantRow, SegmentRow

from paths import DEMO_CORPUS, REPO
from refi_helpers import REFI, assert_valid, needs_schemas, project_xml_of, snapshot


def round_trip(project: services.Project, folder: Path, **options: bool) -> services.Project:
    exported = services.export_qdpx(project, folder / "exchange.qdpx", **options)
    if (REFI / "Project.xsd").is_file():
        assert_valid(project_xml_of(exported.path), "Project.xsd")
    fresh = services.init_project(folder / "fresh")
    report = services.import_refi(fresh, exported.path)
    assert report.dropped == []
    return fresh


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    """The demo corpus (every format), its participants sheet, codebook and human coding."""
    project = services.init_project(tmp_path_factory.mktemp("demo") / "project")
    services.import_sources(project, [DEMO_CORPUS])
    services.load_participants(project, DEMO_CORPUS / "participants.csv")
    services.import_codebook(project, REPO / "codebooks" / "family_support.yaml")
    services.import_human_codings(project, DEMO_CORPUS / "_coded_subset.jsonl", coder="Ana")
    with project.transaction() as session:
        segment = session.scalars(select(SegmentRow).where(SegmentRow.codable.is_(True))).first()
        trust = codebooks_store.code_ids(session, codebooks_store.newest(session).id)["trust"]
        session.add_all([
            CodeAssignmentRow(segment_id=segment.id, code_id=trust, span_start=segment.start + 2,
                              span_end=segment.start + 9, status="accepted", coder="ensemble.v1",
                              reviewer="Bo", run_id="r1", score=0.8, predicted=True),
            MemoRow(target="project", author="Ana", title="Design", text="Purposive sample of 21 sources."),
            MemoRow(target="code", target_ref="trust", author="Bo", title="", text="Overlaps with rapport?"),
            MemoRow(target="segment", target_ref=str(segment.id), author="Ana", title="Quote",
                    text="Use it."),
        ])
    return project


def test_the_demo_project_survives_the_round_trip(demo_project: services.Project, tmp_path: Path) -> None:
    before = snapshot(demo_project)
    assert len(before["codings"]) > 200 and before["memos"] and before["participants"]
    assert snapshot(round_trip(demo_project, tmp_path)) == before


@needs_schemas
def test_the_demo_export_is_valid_and_byte_identical_when_repeated(demo_project: services.Project,
                                                                    tmp_path: Path) -> None:
    first = services.export_qdpx(demo_project, tmp_path / "a.qdpx").path
    second = services.export_qdpx(demo_project, tmp_path / "b.qdpx").path
    assert_valid(project_xml_of(first), "Project.xsd")
    assert first.read_bytes() == second.read_bytes()


WORDS = st.sampled_from(["trust", "rent", "the", "landlord", "café", "naïve", "😀", "weeks", "Mum", "—"])
SPEAKERS = st.sampled_from([None, "Keyworker A", "P3", "Interviewer"])
PARAGRAPH = st.tuples(SPEAKERS, st.lists(WORDS, min_size=1, max_size=8).map(" ".join)).map(
    lambda p: f"{p[0]}: {p[1]}." if p[0] else f"{p[1].capitalize()}.")
DOCUMENT = st.lists(PARAGRAPH, min_size=1, max_size=4).map("\n\n".join)
CODE_NAMES = st.sampled_from(["Trust", "Other", "Housing & rent", "Café culture", "Other", "Fear"])
# XML cannot carry control characters, so people's texts here have none (qualkit's stored text never does).
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
# A REFI variable has one type, so each attribute keeps one type across documents and people.
DOCUMENT_VALUES = st.fixed_dictionaries({}, optional={"wave": st.integers(-5, 5), "site": TEXT})
PERSON_VALUES = st.fixed_dictionaries({}, optional={"age band": TEXT, "consent": st.booleans(),
                                                    "score": st.floats(-2, 2)})


@st.composite
def small_projects(draw: st.DrawFn) -> dict:
    codes = [Code(id=f"c{i}", name=draw(CODE_NAMES), description=draw(st.sampled_from(["", "Apply when…"])),
                  keywords=draw(st.lists(WORDS, max_size=2)), color=draw(st.sampled_from([None, "#1F77B4"])))
             for i in range(draw(st.integers(1, 4)))]
    tree = [codes[0].model_copy(update={"children": codes[1:2]}), *codes[2:]]
    return {
        "documents": draw(st.lists(DOCUMENT, min_size=1, max_size=3)),
        "codebook": Codebook(name="Generated", codes=tree),
        "codings": draw(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 3), st.sampled_from(
            ["Ana", "Bo", "ensemble.v1"]), st.sampled_from(["accepted", "suggested", "rejected"]),
            st.one_of(st.none(), st.tuples(st.floats(0, 0.5), st.floats(0.5, 1)))), max_size=8)),
        "document_values": draw(st.lists(st.tuples(st.sampled_from([None, "Families"]), DOCUMENT_VALUES),
                                         max_size=3)),
        "person_values": draw(PERSON_VALUES),
        "memos": draw(st.lists(st.tuples(st.sampled_from(["project", "code", "document", "segment"]), TEXT),
                               max_size=3, unique=True)),
    }


def build(folder: Path, spec: dict) -> services.Project:
    project = services.init_project(folder / "project")
    files = []
    for i, text in enumerate(spec["documents"]):
        files.append(folder / f"doc_{i}.txt")
        files[-1].write_text(text, encoding="utf-8")
    services.import_sources(project, files)
    with project.transaction() as session:
        store_codebook(session, spec["codebook"], "test", "test")
        code_ids = list(codebooks_store.code_ids(session, codebooks_store.newest(session).id).values())
        segments = list(session.scalars(select(SegmentRow).order_by(SegmentRow.id)))
        documents = list(session.scalars(select(DocumentRow).order_by(DocumentRow.id)))
        done = set()  # one fact once: the same coding twice is the same coding
        for pick, code, coder, status, span in spec["codings"]:
            segment = segments[pick % len(segments)]
            start, end = (None, None)
            if span is not None:
                length = segment.end - segment.start
                start = segment.start + int(span[0] * length)
                end = segment.start + max(1, int(span[1] * length))
                if (start, end) == (segment.start, segment.end) or start >= end:
                    start, end = None, None
            fact = (segment.id, code % len(code_ids), start, end, coder, status)
            if fact in done:
                continue
            done.add(fact)
            session.add(CodeAssignmentRow(segment_id=segment.id, code_id=code_ids[code % len(code_ids)],
                                          span_start=start, span_end=end, status=status, coder=coder,
                                          reviewer={"accepted": coder, "rejected": "Ana"}.get(status)))
        for document, (group, values) in zip(documents, spec["document_values"], strict=False):
            document.group, document.attributes = group, values
        for person in session.scalars(select(ParticipantRow)):
            person.group, person.attributes = "Keyworkers", spec["person_values"]
        refs = {"project": None, "code": spec["codebook"].codes[0].id, "document": str(documents[0].id),
                "segment": str(segments[-1].id)}
        session.add_all(MemoRow(target=target, target_ref=refs[target], author="Ana", title="M", text=text)
                        for target, text in spec["memos"])
    return project


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_projects())
def test_generated_projects_survive_the_round_trip(spec: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = build(Path(folder), spec)
        fresh = round_trip(project, Path(folder), include_suggestions=True)
        assert snapshot(fresh) == snapshot(project)


def test_only_suggestions_their_coder_said_yes_to_travel_with_score(
        project: services.Project, transcript: Path, tmp_path: Path) -> None:
    services.import_sources(project, [transcript])
    services.import_codebook(project, REPO / "codebooks" / "family_support.yaml")
    with project.transaction() as session:
        segments = list(session.scalars(select(SegmentRow).where(SegmentRow.codable.is_(True))))
        trust = codebooks_store.code_ids(session, codebooks_store.newest(session).id)["trust"]
        session.add_all([
            CodeAssignmentRow(segment_id=segments[0].id, code_id=trust, status="suggested",
                              coder="ensemble.v1", score=0.8312, predicted=True),
            CodeAssignmentRow(segment_id=segments[1].id, code_id=trust, status="suggested",
                              coder="ensemble.v1", score=0.2, predicted=False),
            CodeAssignmentRow(segment_id=segments[-1].id, code_id=trust, status="rejected",
                              coder="ensemble.v1", reviewer="Ana", score=0.7, predicted=True),
        ])
    summary = services.export_qdpx(project, tmp_path / "s.qdpx", include_suggestions=True)
    assert summary.codings == 1
    assert summary.left_out == ["1 lower-scored candidate(s) their coder did not suggest (they only rank "
                                "the review queue)"]
    plain = services.export_qdpx(project, tmp_path / "p.qdpx")
    assert plain.codings == 0
    assert plain.left_out[0] == "1 suggestion(s) (include suggestions to carry them)"  # the coder's yes only
    assert plain.left_out[1].startswith("1 lower-scored candidate(s)")
    fresh = services.init_project(tmp_path / "fresh")
    services.import_refi(fresh, summary.path)
    with fresh.sessions() as session:
        rows = [(r.status, r.coder, r.score, r.predicted) for r in session.scalars(select(CodeAssignmentRow))]
    assert rows == [("suggested", "ensemble.v1", 0.8312, True),  # not the one it said 'no' to
                    ("rejected", "ensemble.v1", 0.7, True)]  # decisions travel in "qualkit:rejected"
