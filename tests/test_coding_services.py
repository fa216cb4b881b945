"""Coding use cases over a real SQLite project: codebook versions, coder runs that never overwrite
people's decisions, provenance, the review queue, the audit trail, the embedding cache, evaluation,
human codings from a file, and topics.

The coder and embedder are test doubles (tests/coding_doubles.py) so every number is predictable;
one test runs the real default coder when it is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sqlalchemy import func, select

from qualkit import services
from qualkit.coders.base import Label
from qualkit.coders.embeddings import MINILM_ID
from qualkit.errors import CodebookError, IngestError, NotFoundError, QualkitError
from qualkit.services import discovery  # noqa: F401  (loads coders/semantic.py before fake_embedder)
from qualkit.store.embedding_cache import StoreEmbeddingCache
from qualkit.store.schema import (
    CodeAssignmentRow,
    CodebookRow,
    CodeRow,
    EmbeddingRow,
    EventRow,
    SegmentRow,
)
from qualkit.topics import Topic

from coding_doubles import (
    CODEBOOK_YAML,
    SCHOOL_UNITS,
    UNITS,
    BagOfWordsEmbedder,
    KeywordCoder,
    coding_project,
    write_sources,
    write_units,
)
from paths import DEMO_CORPUS, REPO


@pytest.fixture
def project(tmp_path: Path, fake_embedder: BagOfWordsEmbedder) -> services.Project:
    return coding_project(tmp_path / "p", tmp_path / "src")


def rows(project: services.Project, **where: object) -> list[CodeAssignmentRow]:
    with project.sessions() as session:
        query = select(CodeAssignmentRow).order_by(CodeAssignmentRow.id)
        for column, value in where.items():
            query = query.where(getattr(CodeAssignmentRow, column) == value)
        return list(session.scalars(query))


def events(project: services.Project, action: str) -> list[EventRow]:
    with project.sessions() as session:
        return list(session.scalars(select(EventRow).where(EventRow.action == action).order_by(EventRow.id)))


def segment_ids(project: services.Project) -> list[int]:
    """Segment id of each entry of UNITS, in order."""
    with project.sessions() as session:
        return list(session.scalars(select(SegmentRow.id).order_by(SegmentRow.id)))


def pair(project: services.Project, unit: int, code: str, **where: object) -> list[CodeAssignmentRow]:
    """Assignments on UNITS[unit - 1] with `code` (through the code row's key)."""
    segment = segment_ids(project)[unit - 1]
    with project.sessions() as session:
        keys = {row_id: key for row_id, key in session.execute(select(CodeRow.id, CodeRow.key))}
    return [r for r in rows(project, segment_id=segment, **where) if keys[r.code_id] == code]


# --- codebooks -----------------------------------------------------------------------------------

def test_importing_a_codebook_stores_a_version_only_when_its_content_changes(
        project: services.Project, tmp_path: Path) -> None:
    source = tmp_path / "src" / "codebook.yaml"
    again = services.import_codebook(project, source)
    assert (again.name, again.version, again.codes, again.new) == ("Test codebook", 1, 3, False)
    source.write_text(CODEBOOK_YAML.replace("version: 1", "version: 7"))  # the number alone is no change
    assert services.import_codebook(project, source).new is False
    source.write_text(CODEBOOK_YAML.replace("Getting things fixed.", "Getting the home repaired."))
    changed = services.import_codebook(project, source)
    assert (changed.version, changed.new) == (2, True)
    current = services.current_codebook(project)
    assert current.version == 2 and current.get("repairs").description == "Getting the home repaired."
    assert [c.id for c in current.flat()] == ["trust", "housing", "repairs"]
    assert services.current_codebook(project, "Test codebook").version == 2
    with project.sessions() as session:
        assert session.scalar(select(func.count(CodebookRow.id))) == 2
    assert [e.data for e in events(project, "store_codebook")] == [
        {"version": 1, "codes": 3}, {"version": 2, "codes": 3}]


def test_export_writes_yaml_that_imports_back_unchanged(project: services.Project, tmp_path: Path) -> None:
    exported = tmp_path / "out.yaml"
    services.export_codebook(project, exported)
    assert services.import_codebook(project, exported).new is False


def test_codebook_errors_say_what_to_do(tmp_path: Path, project: services.Project) -> None:
    empty = services.init_project(tmp_path / "empty")
    with pytest.raises(NotFoundError, match="Import a codebook first"):
        services.current_codebook(empty)
    with pytest.raises(NotFoundError, match="Stored codebooks: Test codebook"):
        services.current_codebook(project, "Other")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncodes:\n  - id: Bad Id\n    name: B\n")
    with pytest.raises(CodebookError, match="line 3"):
        services.import_codebook(project, bad)


# --- running a coder -----------------------------------------------------------------------------

def test_a_run_stores_scored_suggestions_with_provenance(project: services.Project) -> None:
    summary = services.run_coder(project, "testkeyword")
    assert summary.coder == "testkeyword.v1" and summary.units == 6
    assert summary.per_code == {"trust": 1, "housing": 2, "repairs": 0}  # units the coder said yes to
    assert summary.stored == 6  # the 0.4 scores are stored for review too; the 0.1 ones are not
    stored = rows(project)
    assert {r.status for r in stored} == {"suggested"}
    assert {(r.coder, r.coder_version, r.model, r.run_id) for r in stored} == {
        ("testkeyword.v1", "v1", "test/keywords", summary.run_id)}
    assert len(summary.run_id) == 32 and all(r.score >= 0.2 for r in stored)
    assert sorted((r.score, r.predicted) for r in stored) == [(0.4, False)] * 3 + [(0.7, True)] * 3
    (landlord,) = pair(project, 2, "housing")
    assert landlord.rationale == "matched: landlord, damp"
    with project.sessions() as session:
        segment = session.get(SegmentRow, landlord.segment_id)
        assert segment.document.text[landlord.span_start:landlord.span_end] == "landlord"
    (event,) = events(project, "run_coder")
    assert event.data == {"run_id": summary.run_id, "units": 6, "stored": 6, "replaced": 0, "suggested": 3,
                          "coder": "testkeyword.v1", "parameters": {}, "embedder": "test/bag-of-words"}
    assert (summary.parameters, summary.embedder) == ({}, "test/bag-of-words")


def test_rerunning_never_touches_decisions_and_replaces_only_its_own_suggestions(
        project: services.Project) -> None:
    services.run_coder(project, "testother")
    other_before = [(r.id, r.status) for r in rows(project, coder="testother.v1")]
    first = services.run_coder(project, "testkeyword")
    (trusted,) = pair(project, 1, "trust", coder="testkeyword.v1")
    (rented,) = pair(project, 4, "housing", coder="testkeyword.v1")
    services.decide(project, trusted.id, True, reviewer="ana")
    services.decide(project, rented.id, False, reviewer="ana", note="about rent, not housing")
    services.add_coding(project, segment_ids(project)[2], "trust", coder="ben")  # unit 3, suggested at 0.4
    decided_before = [(r.id, r.status, r.reviewer, r.note, r.updated_at)
                      for r in rows(project) if r.status != "suggested"]

    second = services.run_coder(project, "testkeyword")

    assert [(r.id, r.status, r.reviewer, r.note, r.updated_at)
            for r in rows(project) if r.status != "suggested"] == decided_before
    assert [(r.id, r.status) for r in rows(project, coder="testother.v1")] == other_before
    assert second.skipped_decided == 3 and second.replaced == 3
    decided_pairs = {r.id for unit, code in ((1, "trust"), (3, "trust"), (4, "housing"))
                     for r in pair(project, unit, code)}
    new = {r.id for r in rows(project, run_id=second.run_id)}
    assert len(new) == 3 and not new & decided_pairs  # unit 2 housing and repairs, unit 6 repairs
    # of the first run, only the suggestion on the pair ben then coded himself is left, as a record
    (kept,) = rows(project, run_id=first.run_id, status="suggested")
    assert kept.id in {r.id for r in pair(project, 3, "trust", coder="testkeyword.v1")}


def test_the_coder_learns_from_every_decision_with_its_text(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    (rented,) = pair(project, 4, "housing")
    services.decide(project, rented.id, False, reviewer="ana")
    services.add_coding(project, segment_ids(project)[4], "trust", coder="ben")
    services.run_coder(project, "testkeyword")
    ids = segment_ids(project)
    assert sorted(KeywordCoder.seen_labels, key=lambda label: label.unit_id) == sorted([
        Label(str(ids[3]), "housing", False, UNITS[3][0]),
        Label(str(ids[4]), "trust", True, UNITS[4][0]),
    ], key=lambda label: label.unit_id)


def test_embeddings_are_computed_once_across_runs(project: services.Project,
                                                  fake_embedder: BagOfWordsEmbedder) -> None:
    services.run_coder(project, "testkeyword")
    assert sorted(fake_embedder.encoded) == sorted(text for text, _, _ in UNITS)
    services.run_coder(project, "testkeyword")
    assert len(fake_embedder.encoded) == len(UNITS)  # the second run read them all from the store
    with project.sessions() as session:
        assert session.scalar(select(func.count()).select_from(EmbeddingRow)) == len(UNITS)


def test_the_store_cache_round_trips_float32_vectors(project: services.Project) -> None:
    cache = StoreEmbeddingCache(project.sessions)
    vector = np.array([0.25, -1.5, 3.0], dtype=np.float32)
    cache.put_many({"h1": vector}, "m")
    cache.put_many({"h1": vector * 2, "h2": vector}, "m")  # h1 is already there: kept as it was
    found = cache.get_many(["h1", "h2", "h3"], "m")
    assert set(found) == {"h1", "h2"} and np.array_equal(found["h1"], vector)
    assert found["h1"].dtype == np.float32 and cache.get_many(["h1"], "other model") == {}
    with project.sessions() as session:
        assert session.get(EmbeddingRow, ("h2", "m")).vector == vector.astype("<f4").tobytes()


def test_unknown_coder_or_nothing_to_code_says_what_to_do(project: services.Project, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"testkeyword\.v1"):
        services.run_coder(project, "nonesuch")
    empty = services.init_project(tmp_path / "empty")
    services.import_codebook(empty, tmp_path / "src" / "codebook.yaml")
    with pytest.raises(NotFoundError, match="no codable segments"):
        services.run_coder(empty, "testkeyword")


# --- review --------------------------------------------------------------------------------------

def test_the_review_queue_puts_the_most_uncertain_first(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    queue = services.review_queue(project, limit=10, order="uncertainty")
    assert [abs(item.score - 0.5) for item in queue] == sorted(abs(item.score - 0.5) for item in queue)
    assert [item.score for item in queue] == [0.4] * 3 + [0.7] * 3
    by_score = services.review_queue(project, limit=2, order="score")
    assert [item.score for item in by_score] == [0.7, 0.7]
    landlord = next(i for i in queue if i.code == "housing" and "landlord never" in i.text)
    assert (landlord.text[slice(*landlord.span)], landlord.rationale, landlord.predicted) == (
        "landlord", "matched: landlord, damp", True)
    assert landlord.group == "Families" and landlord.participant == "P1" and landlord.code_name == "Housing"
    assert {i.code for i in services.review_queue(project, 10, code="repairs")} == {"repairs"}
    assert {i.group for i in services.review_queue(project, 10, group="Keyworkers")} == {"Keyworkers"}


def test_the_default_review_order_mixes_uncertainty_and_variety(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    assert {i.id for i in services.review_queue(project, 10)} == {
        i.id for i in services.review_queue(project, 10, order="uncertainty")}
    from qualkit.services.coding import mixed_order
    from qualkit.store.assignments import ReviewItem

    def item(id: int, segment: int, score: float) -> ReviewItem:
        return ReviewItem(id, segment, "d", None, None, "t", "trust", "Trust", "suggested", score, False,
                          None, None, "m", None, None)
    twin, twin_again, other = item(1, 1, 0.5), item(2, 2, 0.5), item(3, 3, 0.4)
    near = {1: np.array([1.0, 0.0]), 2: np.array([1.0, 0.0]), 3: np.array([0.0, 1.0])}
    assert [i.id for i in mixed_order([twin, twin_again, other], 2, near)] == [1, 3]
    same_segment = item(4, 1, 0.5)
    assert [i.id for i in mixed_order([twin, same_segment, other], 2, {})] == [1, 3]


def test_decided_pairs_leave_the_queue(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    first = services.review_queue(project, 10)[0]
    services.decide(project, first.id, False, reviewer="ana")
    (unit_3_trust,) = pair(project, 3, "trust")
    services.add_coding(project, unit_3_trust.segment_id, "trust", coder="ben")
    left = {i.id for i in services.review_queue(project, 10)}
    assert len(left) == 4 and not left & {first.id, unit_3_trust.id}
    (rejected,) = services.review_queue(project, 10, status="rejected")
    assert (rejected.id, rejected.reviewer) == (first.id, "ana")
    with pytest.raises(QualkitError, match="unknown status 'maybe'"):
        services.review_queue(project, 10, status="maybe")


def test_decisions_are_logged_from_and_to_and_all_or_nothing(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    a, b = (item.id for item in services.review_queue(project, 2))
    services.decide(project, a, True, reviewer="ana", note="clear case")
    services.decide(project, a, False, reviewer="ben")  # a second opinion changes it back
    assert [(e.actor, e.entity_id, e.data) for e in events(project, "decide")] == [
        ("ana", a, {"from": "suggested", "to": "accepted"}),
        ("ben", a, {"from": "accepted", "to": "rejected"})]
    (row,) = rows(project, id=a)
    assert (row.status, row.reviewer, row.note) == ("rejected", "ben", "clear case")
    with pytest.raises(NotFoundError, match="no coding with id 9999; nothing was changed"):
        services.decide_many(project, accept=[b, 9999], reviewer="ana")
    assert rows(project, id=b)[0].status == "suggested"
    with pytest.raises(QualkitError, match="both accepted and rejected"):
        services.decide_many(project, accept=[b], reject=[b], reviewer="ana")
    assert services.decide_many(project, accept=[b], reject=[a], reviewer="ana") == 2


def test_a_person_coding_starts_accepted_and_is_logged(project: services.Project) -> None:
    segment = segment_ids(project)[0]
    coding = services.add_coding(project, segment, "trust", coder="ana", span=(2, 7), note="strong")
    (row,) = rows(project, id=coding)
    assert (row.status, row.coder, row.reviewer, row.note, row.score, row.run_id) == (
        "accepted", "ana", "ana", "strong", None, None)
    (item,) = services.review_queue(project, 5, status="accepted")
    assert item.text[slice(*item.span)] == "trust"
    (event,) = events(project, "add_coding")
    assert (event.actor, event.entity_id) == ("ana", coding)
    assert event.data == {"segment": segment, "code": "trust"}
    with pytest.raises(NotFoundError, match="has no code 'stigma'"):
        services.add_coding(project, segment, "stigma", coder="ana")
    with pytest.raises(NotFoundError, match="no segment with id 9999"):
        services.add_coding(project, 9999, "trust", coder="ana")
    with pytest.raises(QualkitError, match="not inside segment"):
        services.add_coding(project, segment, "trust", coder="ana", span=(5, 500))


# --- human codings from a file -------------------------------------------------------------------

def write_codings(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_human_codings_import_as_accepted_and_only_once(project: services.Project, tmp_path: Path) -> None:
    codings = write_codings(tmp_path / "coded.jsonl",
                            {"document": "units.jsonl", "text": UNITS[0][0], "codes": ["trust"]},
                            {"document": "units.jsonl", "text": UNITS[1][0], "codes": ["housing", "repairs"]},
                            {"document": "units.jsonl", "text": UNITS[4][0], "codes": []})
    report = services.import_human_codings(project, codings)
    assert (report.lines, report.added, report.already) == (3, 3, 0)
    stored = rows(project)
    assert {(r.status, r.coder, r.reviewer) for r in stored} == {("accepted", "demo-coder", "demo-coder")}
    assert pair(project, 2, "repairs")
    again = services.import_human_codings(project, codings)
    assert (again.added, again.already) == (0, 3) and len(rows(project)) == 3
    assert services.import_human_codings(project, codings, coder="ana").added == 3


@pytest.mark.parametrize("record, message", [
    ({"document": "units.jsonl", "text": "Not a segment.", "codes": []},
     "line 2: no segment of 'units.jsonl' has exactly this text"),
    ({"document": "units.jsonl", "text": UNITS[0][0], "codes": ["stigma"]},
     "line 2: code 'stigma' is not in codebook 'Test codebook'"),
    ({"document": "units.jsonl", "text": UNITS[0][0]}, 'line 2: each line needs "document" and "text"'),
])
def test_a_bad_human_coding_line_is_named_and_nothing_is_stored(
        project: services.Project, tmp_path: Path, record: dict[str, object], message: str) -> None:
    good = {"document": "units.jsonl", "text": UNITS[0][0], "codes": ["trust"]}
    with pytest.raises(IngestError, match=message):
        services.import_human_codings(project, write_codings(tmp_path / "c.jsonl", good, record))
    assert rows(project) == []


# --- evaluation ----------------------------------------------------------------------------------

def test_machine_evaluation_counts_its_own_yes_against_peoples_codings(
        project: services.Project, tmp_path: Path) -> None:
    services.run_coder(project, "testkeyword")  # says yes: unit 1 trust, units 2 and 4 housing
    services.import_human_codings(project, write_codings(
        tmp_path / "coded.jsonl",
        {"document": "units.jsonl", "text": UNITS[0][0], "codes": ["trust"]},
        {"document": "units.jsonl", "text": UNITS[1][0], "codes": ["housing", "repairs"]},
        {"document": "units.jsonl", "text": UNITS[2][0], "codes": ["trust"]}))
    (rented,) = pair(project, 4, "housing")
    services.decide(project, rented.id, False, reviewer="bob")  # a false positive, caught in review
    services.run_coder(project, "testkeyword")  # re-running does not erase what the machine said
    report = services.evaluate(project)
    # the same data as tests/test_evaluation.py, computed by hand there
    assert report.units == 4 and [c.code for c in report.codes] == ["trust", "housing", "repairs"]
    trust, housing, repairs = report.codes
    assert (trust.precision, trust.recall, trust.kappa) == (1.0, 0.5, pytest.approx(0.5))
    assert (housing.precision, housing.recall, housing.kappa) == (0.5, 1.0, pytest.approx(0.5))
    assert (repairs.precision, repairs.recall, repairs.f1) == (None, 0.0, 0.0)
    assert report.macro_f1 == pytest.approx(4 / 9)
    assert services.evaluate(project, "testkeyword").macro_f1 == report.macro_f1
    # the decisions behind each code's agreement: trust on units 1 and 3, housing on 2 and 4
    assert [c.decisions for c in report.codes] == [2, 2, 1]


def test_headings_name_lines_and_form_labels_get_no_suggestion(tmp_path: Path,
                                                               fake_embedder: BagOfWordsEmbedder) -> None:
    structure = [("Dana Whitfield-Orme (Team Manager – Landlord Liaison)", "P1", "Families"),
                 ("**Trust:**", "P1", "Families"), ("Attendance:", "P1", "Families")]
    codebook, _ = write_sources(tmp_path / "src")
    units = write_units(tmp_path / "src" / "more.jsonl", [*UNITS, *structure])
    project = services.init_project(tmp_path / "p")
    services.import_sources(project, [units])
    services.import_codebook(project, codebook)
    summary = services.run_coder(project, "testkeyword")
    assert summary.units == len(UNITS)
    coded = {row.segment_id for row in rows(project)}
    assert coded and not coded & set(segment_ids(project)[len(UNITS):])


def test_evaluating_one_person_against_the_others(project: services.Project, tmp_path: Path) -> None:
    services.import_human_codings(project, write_codings(
        tmp_path / "coded.jsonl",
        {"document": "units.jsonl", "text": UNITS[0][0], "codes": ["trust"]},
        {"document": "units.jsonl", "text": UNITS[1][0], "codes": ["housing", "repairs"]},
        {"document": "units.jsonl", "text": UNITS[2][0], "codes": ["trust"]}))
    ids = segment_ids(project)
    services.add_coding(project, ids[0], "trust", coder="alice")
    services.add_coding(project, ids[1], "housing", coder="alice")
    report = services.evaluate(project, against="alice")
    assert report.units == 2  # the segments both alice and someone else coded
    trust, housing, repairs = report.codes
    assert (trust.f1, housing.f1, repairs.f1, repairs.recall) == (1.0, 1.0, 0.0, 0.0)
    with pytest.raises(NotFoundError, match="one of: alice, demo-coder"):
        services.evaluate(project, against="nobody")
    with pytest.raises(NotFoundError, match="Run the coder first"):
        services.evaluate(project, against="machine")


# --- topics --------------------------------------------------------------------------------------

@pytest.fixture
def topics_project(project: services.Project, tmp_path: Path) -> services.Project:
    services.import_sources(project, [write_units(tmp_path / "src" / "school.jsonl", SCHOOL_UNITS)])
    return project


def fast_topics(project: services.Project, **kwargs: object) -> list[Topic]:
    return services.discover_topics(project, min_topic_size=2, reducer=PCA(n_components=2, random_state=0),
                                    clusterer=KMeans(n_clusters=2, n_init=5, random_state=0),
                                    **kwargs)  # type: ignore[arg-type]


def test_topics_use_cached_embeddings_and_name_the_nearest_code(
        topics_project: services.Project, fake_embedder: BagOfWordsEmbedder) -> None:
    project = topics_project
    found = fast_topics(project)
    assert sum(t.size for t in found) == len(UNITS) + len(SCHOOL_UNITS)
    assert {t.nearest_code[0] for t in found if t.nearest_code} <= {"trust", "housing", "repairs"}
    embedded = len(fake_embedder.encoded)
    fast_topics(project)
    assert len(fake_embedder.encoded) == embedded  # units and code texts all came from the cache
    families = fast_topics(project, group="Families")
    assert set().union(*(t.size_by_group for t in families)) == {"Families"}
    with pytest.raises(NotFoundError, match="no codable segments in group 'Nobody'"):
        fast_topics(project, group="Nobody")


def test_promoting_a_topic_stores_a_new_codebook_version(topics_project: services.Project) -> None:
    project = topics_project
    topic = fast_topics(project)[0]
    stored = services.promote_topic(project, topic, "new_theme", "New theme")
    assert (stored.version, stored.codes, stored.new) == (2, 4, True)
    current = services.current_codebook(project)
    assert current.get("new_theme").name == "New theme" and current.get("new_theme").keywords
    assert events(project, "store_codebook")[-1].data == {"version": 2, "codes": 4}
    with pytest.raises(QualkitError, match="already has a code with id 'trust'"):
        services.promote_topic(project, topic, "trust", "Trust again")


# --- the real default coder ----------------------------------------------------------------------

@pytest.mark.slow
def test_the_default_coder_codes_a_few_demo_segments(tmp_path: Path) -> None:
    project = services.init_project(tmp_path / "p")
    quotes = (DEMO_CORPUS / "workshop_quotes.txt").read_text(encoding="utf-8").split("\n\n")[:8]
    (tmp_path / "quotes.txt").write_text("\n\n".join(quotes), encoding="utf-8")
    services.import_sources(project, [tmp_path / "quotes.txt"])
    services.import_codebook(project, REPO / "codebooks" / "family_support.yaml")
    summary = services.run_coder(project)  # the coder and embedder a new project's qualkit.toml names
    assert summary.coder == "ensemble.v3" and summary.units >= 4 and summary.stored > 0
    assert (summary.embedder, summary.parameters) == (MINILM_ID, {})
    queue = services.review_queue(project, 5)
    assert queue and all(0 <= item.score <= 1 and item.rationale for item in queue)


def _mixed_order_by_definition(items: list, limit: int, vectors: dict) -> list:
    """The review order as its docstring defines it, item by item (slow, obviously right)."""
    from qualkit.services.coding import DIVERSITY

    left, picked = list(items), []
    while left and len(picked) < limit:
        def value(item) -> float:  # type: ignore[no-untyped-def]
            uncertainty = 1.0 - 2.0 * abs((0.5 if item.score is None else item.score) - 0.5)
            likeness = 0.0
            for other in picked:
                if other.segment_id == item.segment_id:
                    likeness = 1.0
                    break
                a, b = vectors.get(item.id), vectors.get(other.id)
                if a is not None and b is not None:
                    likeness = max(likeness, float(a @ b))
            same_code = sum(other.code == item.code for other in picked) / max(len(picked), 1)
            return (1 - DIVERSITY) * uncertainty + DIVERSITY * (1.0 - likeness) - 0.1 * same_code
        best = max(left, key=value)
        picked.append(best)
        left.remove(best)
    return picked


def test_the_mixed_order_is_its_definition_computed_incrementally() -> None:
    from qualkit.services.coding import mixed_order
    from qualkit.store.assignments import ReviewItem

    rng = np.random.default_rng(7)
    for trial in range(20):
        count = int(rng.integers(1, 40))
        items = [ReviewItem(n, int(rng.integers(0, count // 2 + 1)), "d", None, None, "t",
                            f"code{rng.integers(0, 4)}", "C", "suggested",
                            None if rng.random() < 0.1 else round(float(rng.random()), 2), True, None, None,
                            "m", None, None) for n in range(count)]
        vectors = {}
        for item in items:
            if rng.random() < 0.8:  # some segments have no cached vector
                v = rng.normal(size=8)
                vectors[item.id] = np.round(v / np.linalg.norm(v), 3)
        limit = int(rng.integers(1, count + 2))
        expected = [i.id for i in _mixed_order_by_definition(items, limit, vectors)]
        assert [i.id for i in mixed_order(items, limit, vectors)] == expected, trial


def test_an_id_names_one_coding_forever_so_a_stale_decision_finds_nothing(project: services.Project) -> None:
    """A review card drawn before a coder re-run holds ids of suggestions the re-run deleted: deciding
    one must say it is gone, never land on a new coding that happened to get the same id."""
    services.run_coder(project, "testkeyword")
    before = [item.id for item in services.review_queue(project, 50, order="uncertainty")]
    newest = max(before)
    services.remove_coding(project, newest, "Ana")  # the newest row goes, as a re-run deletes its own
    services.run_coder(project, "testkeyword")  # new suggestions: none may take a freed id
    after = {item.id for item in services.review_queue(project, 50, order="uncertainty")}
    assert after and min(after) > newest
    with pytest.raises(QualkitError, match="no coding with id"):
        services.decide(project, newest, accept=True, reviewer="Ana")
