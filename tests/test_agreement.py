"""Inter-coder agreement: figures against hand-computed examples, against the krippendorff package and
scikit-learn on independently built per-unit data, properties that must hold for any coding, and the
services (two people, a person and the machine, disagreements, resolutions, the methods summary)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import krippendorff
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select
from typer.testing import CliRunner

from qualkit import services
from qualkit.agreement import Counts, Level, Mark, Segment, compare, figures
from qualkit.cli import app
from qualkit.errors import NotFoundError, QualkitError
from qualkit.store.assignments import decisions
from qualkit.store.schema import CodeAssignmentRow, EventRow

from coding_doubles import CODEBOOK_YAML, UNITS, BagOfWordsEmbedder, write_units

TEN = [Segment(i, 10 * i, 10 * i + 10) for i in range(1, 11)]


def close(value: float | None, expected: Fraction | float) -> bool:
    return value is not None and value == pytest.approx(float(expected))


# --- hand-computed examples ----------------------------------------------------------------------

def test_segment_level_figures_match_the_hand_computation() -> None:
    first = [Mark(i, "trust") for i in (1, 2, 3)]
    second = [Mark(i, "trust") for i in (2, 3, 4, 5)]
    report = compare(TEN, first, second)
    trust = report.per_code["trust"]
    # both 2 (segments 2, 3), first only 1 (1), second only 2 (4, 5), neither 5; n = 10
    assert (trust.units, trust.first, trust.second, trust.both) == (10, 3, 4, 2)
    assert close(trust.agreement, Fraction(7, 10))
    # chance: 0.3 x 0.4 + 0.7 x 0.6 = 0.54; kappa = (0.7 - 0.54) / (1 - 0.54) = 0.16 / 0.46 = 8/23
    assert close(trust.kappa, Fraction(8, 23))
    # alpha: 20 pairable values, 7 yes and 13 no, 3 disagreeing units (o_yes,no = 3):
    # 1 - (20 - 1) x 3 / (7 x 13) = 1 - 57/91 = 34/91
    assert close(trust.alpha, Fraction(34, 91))
    columns = [[int(i in (1, 2, 3)) for i in range(1, 11)], [int(i in (2, 3, 4, 5)) for i in range(1, 11)]]
    assert close(trust.alpha, krippendorff.alpha(reliability_data=columns, level_of_measurement="nominal"))
    assert close(trust.kappa, cohen_kappa_score(*columns))
    assert [(d.segment, d.first, d.second, d.units) for d in report.disagreements] == [
        (1, True, False, 1), (4, False, True, 1), (5, False, True, 1)]


def test_leaving_out_uncoded_text_keeps_only_units_someone_coded() -> None:
    first = [Mark(i, "trust") for i in (1, 2, 3)]
    second = [Mark(i, "trust") for i in (2, 3, 4, 5)]
    trust = compare(TEN, first, second, include_uncoded=False).per_code["trust"]
    # units 1..5: both 2, first only 1, second only 2, neither 0
    assert trust.units == 5 and close(trust.agreement, Fraction(2, 5))
    # chance: 3/5 x 4/5 + 2/5 x 1/5 = 14/25; kappa = (10/25 - 14/25) / (11/25) = -4/11
    assert close(trust.kappa, Fraction(-4, 11))
    # alpha: 10 values, 7 yes, 3 no, 3 disagreeing: 1 - 9 x 3 / (7 x 3) = -2/7
    assert close(trust.alpha, Fraction(-2, 7))


def test_character_level_counts_each_character_once() -> None:
    segments = [Segment(1, 0, 10), Segment(2, 10, 30)]
    first = [Mark(1, "trust"), Mark(2, "trust", 15, 25)]
    second = [Mark(1, "trust", 5, 10), Mark(2, "trust")]
    report = compare(segments, first, second, level=Level.character)
    trust = report.per_code["trust"]
    # first covers 0-10 and 15-25 (20), second 5-30 (25); both 5-10 and 15-25 (15);
    # first only 0-5 (5); second only 10-15 and 25-30 (10); neither 0
    assert (report.units, trust.first, trust.second, trust.both) == (30, 20, 25, 15)
    assert close(trust.agreement, Fraction(15, 30))
    # chance x 900 = 20 x 25 + 10 x 5 = 550; kappa = (450 - 550) / (900 - 550) = -2/7
    assert close(trust.kappa, Fraction(-2, 7))
    # alpha: 60 values, 45 yes, 15 no, 15 disagreeing: 1 - 59 x 15 / (45 x 15) = -14/45
    assert close(trust.alpha, Fraction(-14, 45))
    assert [(d.segment, d.first, d.second, d.units) for d in report.disagreements] == [
        (1, True, True, 5), (2, True, True, 10)]


def test_pooled_figures_use_every_unit_and_code_cell() -> None:
    first = [Mark(1, "a"), Mark(2, "a"), Mark(1, "b")]
    second = [Mark(1, "a"), Mark(2, "b"), Mark(3, "b")]
    report = compare(TEN[:4], first, second)
    assert list(report.per_code) == ["a", "b"]
    # a: both 1, first only 1, neither 2; b: both 0, first only 1, second only 2, neither 1
    assert report.overall == figures(Counts(neither=3, first_only=2, second_only=2, both=1))
    cells_first = [1, 1, 0, 0, 1, 0, 0, 0]  # code a on segments 1-4, then code b
    cells_second = [1, 0, 0, 0, 0, 1, 1, 0]
    assert close(report.overall.alpha, krippendorff.alpha(reliability_data=[cells_first, cells_second],
                                                          level_of_measurement="nominal"))
    assert close(report.overall.kappa, cohen_kappa_score(cells_first, cells_second))


def test_undefined_figures_are_none() -> None:
    silent = compare(TEN, [], [], codes=["trust"]).per_code["trust"]
    assert silent.agreement == 1 and silent.kappa is None and silent.alpha is None
    empty = figures(Counts(0, 0, 0, 0))
    assert empty.agreement is None and empty.kappa is None and empty.alpha is None
    one_sided = figures(Counts(neither=9, first_only=1, second_only=0, both=0))
    # kappa: chance x 100 = 1 x 0 + 9 x 10 = 90 = observed 90 -> 0; alpha: 1 - 19 x 1 / (1 x 19) = 0
    assert one_sided.kappa == 0 and one_sided.alpha == 0


def test_marks_off_the_compared_segments_or_codes_are_ignored() -> None:
    report = compare(TEN[:2], [Mark(1, "a"), Mark(99, "a"), Mark(2, "b")], [Mark(1, "a")], codes=["a"])
    assert list(report.per_code) == ["a"] and report.per_code["a"].agreement == 1
    outside = compare([Segment(1, 0, 10)], [Mark(1, "a", 40, 50)], [], level=Level.character, codes=["a"])
    assert outside.per_code["a"].first == 0 and outside.units == 10


# --- properties ----------------------------------------------------------------------------------

CODES = ["a", "b", "c"]


@st.composite
def codings(draw: st.DrawFn, length: int | None = None) -> tuple[list[Segment], list[Mark], list[Mark]]:
    """Up to 8 segments laid end to end and two coders' marks, some on sub-spans."""
    sizes = draw(st.lists(st.integers(1, 12) if length is None else st.just(length), min_size=1, max_size=8))
    segments, start = [], 0
    for i, size in enumerate(sizes, start=1):
        segments.append(Segment(i, start, start + size))
        start += size + 2  # a gap, as between paragraphs

    def marks() -> list[Mark]:
        found = []
        for segment in segments:
            for code in draw(st.sets(st.sampled_from(CODES))):
                if length is None and draw(st.booleans()):
                    ends = st.integers(segment.start, segment.end)
                    a, b = sorted(draw(st.lists(ends, min_size=2, max_size=2)))
                    found.append(Mark(segment.id, code, a, b))
                else:
                    found.append(Mark(segment.id, code))
        return found

    return segments, marks(), marks()


def per_character(segments: list[Segment], marks: list[Mark], code: str) -> list[int]:
    """A yes/no per character, built directly from the marks."""
    column = []
    for segment in segments:
        for x in range(segment.start, segment.end):
            column.append(int(any(m.segment == segment.id and m.code == code
                                  and (m.start is None or m.start <= x < m.end) for m in marks)))
    return column


@settings(max_examples=60, deadline=None)
@given(codings(), st.sampled_from(list(Level)), st.booleans())
def test_identical_codings_agree_fully(data: tuple[list[Segment], list[Mark], list[Mark]], level: Level,
                                       uncoded: bool) -> None:
    segments, marks, _ = data
    report = compare(segments, marks, list(marks), level=level, include_uncoded=uncoded)
    for f in [*report.per_code.values(), report.overall]:
        assert f.agreement in (1, None) and f.kappa in (1, None) and f.alpha in (1, None)
    assert report.disagreements == []


@settings(max_examples=60, deadline=None)
@given(codings(), st.sampled_from(list(Level)), st.booleans())
def test_swapping_the_coders_changes_nothing_but_the_sides(
        data: tuple[list[Segment], list[Mark], list[Mark]], level: Level, uncoded: bool) -> None:
    segments, first, second = data
    forward = compare(segments, first, second, level=level, include_uncoded=uncoded)
    backward = compare(segments, second, first, level=level, include_uncoded=uncoded)
    for code, f in forward.per_code.items():
        b = backward.per_code[code]
        assert (f.units, f.first, f.second, f.both) == (b.units, b.second, b.first, b.both)
        assert (f.agreement, f.kappa) == pytest.approx((b.agreement, b.kappa))
        assert f.alpha == pytest.approx(b.alpha)
    assert [(d.segment, d.code, d.second, d.first, d.units) for d in forward.disagreements] == [
        (d.segment, d.code, d.first, d.second, d.units) for d in backward.disagreements]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9).flatmap(lambda length: st.tuples(codings(length), st.just(length))))
def test_character_level_equals_segment_level_for_whole_segment_codings(
        case: tuple[tuple[list[Segment], list[Mark], list[Mark]], int]) -> None:
    (segments, first, second), length = case
    by_segment = compare(segments, first, second, codes=CODES)
    by_character = compare(segments, first, second, level=Level.character, codes=CODES)
    for code in CODES:
        s, c = by_segment.per_code[code], by_character.per_code[code]
        assert (c.units, c.first, c.second, c.both) == (length * s.units, length * s.first, length * s.second,
                                                       length * s.both)
        assert c.agreement == pytest.approx(s.agreement) and c.kappa == pytest.approx(s.kappa)
        # alpha's small-sample correction (n - 1) sees L times as many values: with n = 2N values,
        # (1 - alpha_char) / (1 - alpha_segment) = (L n - 1) / (L (n - 1))
        if s.alpha is not None and s.alpha != 1:
            n = 2 * s.units
            assert (1 - c.alpha) / (1 - s.alpha) == pytest.approx((length * n - 1) / (length * (n - 1)))
        else:
            assert c.alpha == s.alpha


@settings(max_examples=60, deadline=None)
@given(codings())
def test_character_figures_match_the_libraries_on_per_character_data(
        data: tuple[list[Segment], list[Mark], list[Mark]]) -> None:
    segments, first, second = data
    report = compare(segments, first, second, level=Level.character, codes=CODES)
    for code in CODES:
        a, b = per_character(segments, first, code), per_character(segments, second, code)
        f = report.per_code[code]
        assert f.agreement == pytest.approx(sum(x == y for x, y in zip(a, b, strict=True)) / len(a))
        if len(set(a) | set(b)) == 2:
            assert f.alpha == pytest.approx(krippendorff.alpha(reliability_data=[a, b],
                                                               level_of_measurement="nominal"))
            assert f.kappa == pytest.approx(cohen_kappa_score(a, b))
        else:
            assert f.kappa is None and f.alpha is None


# --- services ------------------------------------------------------------------------------------

def double_coding_project(folder: Path) -> tuple[services.Project, list[int]]:
    """Three documents a, b, c of two UNITS each, the test codebook; returns the segment ids."""
    sources = folder / "src"
    sources.mkdir(parents=True)
    (sources / "codebook.yaml").write_text(CODEBOOK_YAML, encoding="utf-8")
    files = [write_units(sources / f"{name}.jsonl", UNITS[2 * i:2 * i + 2]) for i, name in enumerate("abc")]
    project = services.init_project(folder / "p")
    services.import_sources(project, files)
    services.import_codebook(project, sources / "codebook.yaml")
    return project, [s.id for s in services.iter_segments(project)]


@pytest.fixture
def coded(tmp_path: Path) -> tuple[services.Project, list[int]]:
    """Ana and Ben coded documents a and b; Ana also c."""
    project, ids = double_coding_project(tmp_path)
    s1, s2, _, s4, s5, _ = ids
    for segment, code, coder, span in [(s1, "trust", "Ana", None), (s2, "housing", "Ana", None),
                                       (s2, "repairs", "Ana", (23, 34)), (s4, "trust", "Ana", None),
                                       (s5, "trust", "Ana", None), (s1, "trust", "Ben", None),
                                       (s2, "housing", "Ben", (4, 12)), (s4, "housing", "Ben", None)]:
        services.add_coding(project, segment, code, coder, span=span)
    return project, ids


def test_agreement_between_two_people_on_the_documents_both_coded(
        coded: tuple[services.Project, list[int]]) -> None:
    project, (_, s2, _, s4, *_) = coded
    result = services.agreement(project, "Ana", "Ben")
    assert result.documents == ["a.jsonl", "b.jsonl"] and result.report.segments == 4
    assert list(result.report.per_code) == ["trust", "housing", "repairs"]  # codebook order
    # trust: Ana s1, s4; Ben s1 -> both 1, Ana only 1, neither 2 of 4 segments
    trust = result.report.per_code["trust"]
    assert (trust.first, trust.second, trust.both) == (2, 1, 1) and close(trust.agreement, Fraction(3, 4))
    said = {(d.segment_id, d.code): d.said for d in result.disagreements}
    assert said == {(s2, "repairs"): {"Ana": True, "Ben": False}, (s4, "trust"): {"Ana": True, "Ben": False},
                    (s4, "housing"): {"Ana": False, "Ben": True}}
    by_character = services.agreement(project, "Ana", "Ben", level="character", code="housing")
    (housing,) = [d for d in by_character.disagreements if d.segment_id == s2]
    assert housing.said == {"Ana": True, "Ben": True} and housing.units == 34 - 8  # Ben: "landlord" only


def test_agreement_errors_say_what_to_do(coded: tuple[services.Project, list[int]], tmp_path: Path) -> None:
    project, ids = coded
    with pytest.raises(QualkitError, match="both coders are 'Ana'"):
        services.agreement(project, "Ana", "Ana")
    with pytest.raises(NotFoundError, match=r"no codings by 'Cleo'.*one of: Ana, Ben"):
        services.agreement(project, "Ana", "Cleo")
    with pytest.raises(NotFoundError, match=r"no machine suggestions.*Run the coder first"):
        services.agreement(project, "Ana", "machine")
    with pytest.raises(NotFoundError, match="no code 'money'"):
        services.agreement(project, "Ana", "Ben", code="money")
    services.add_coding(project, ids[5], "repairs", "Cleo")
    with pytest.raises(NotFoundError, match=r"'Ben' and 'Cleo' have no document both coded.*blind sample"):
        services.agreement(project, "Ben", "Cleo")


def test_a_person_against_the_machine_uses_its_own_yes_and_no(
        tmp_path: Path, fake_embedder: BagOfWordsEmbedder) -> None:
    project, (s1, s2, s3, s4, _, s6) = double_coding_project(tmp_path)
    services.run_coder(project, "testkeyword.v1")  # says yes: trust s1, housing s2 and s4
    for segment, code in [(s1, "trust"), (s3, "trust"), (s6, "repairs")]:
        services.add_coding(project, segment, code, "Ana")
    result = services.agreement(project, "Ana", "machine")
    assert result.documents == ["a.jsonl", "b.jsonl", "c.jsonl"]
    assert {(d.segment_id, d.code): d.said["machine"] for d in result.disagreements} == {
        (s2, "housing"): True, (s3, "trust"): False, (s4, "housing"): True, (s6, "repairs"): False}
    assert services.agreement(project, "testkeyword", "Ana").report.overall == \
        services.agreement(project, "machine", "Ana").report.overall
    coders = {c.name: c for c in services.list_coders(project)}
    assert coders["Ana"].accepted == 3 and not coders["Ana"].machine
    # its suggestions are its own yes (3); the lower-scored candidates it stored are not counted
    assert coders["testkeyword.v1"].machine and coders["testkeyword.v1"].suggested == 3


def test_a_resolution_is_a_new_decision_logged_with_what_it_resolved(
        coded: tuple[services.Project, list[int]]) -> None:
    project, (_, s2, *_) = coded
    before = services.agreement(project, "Ana", "Ben").report
    coding = services.resolve_disagreement(project, s2, "repairs", applies=False, resolver="Lead",
                                           between=["Ana", "Ben"], note="not about repairs")
    with project.sessions() as session:
        row = session.get(CodeAssignmentRow, coding)
        event = session.scalar(select(EventRow).where(EventRow.action == "resolve_disagreement"))
        ana_rows = session.scalars(select(CodeAssignmentRow.id).where(
            CodeAssignmentRow.segment_id == s2, CodeAssignmentRow.coder == "Ana",
            CodeAssignmentRow.code_id == row.code_id)).all()
    assert (row.segment_id, row.status, row.coder, row.reviewer, row.note) == (
        s2, "rejected", "Lead", "Lead", "not about repairs")
    assert event.actor == "Lead" and event.entity_id == coding
    assert event.data == {"segment": s2, "code": "repairs", "coders": ["Ana", "Ben"],
                          "resolves": list(ana_rows), "said": {"Ana": True, "Ben": False},
                          "decision": "rejected"}
    after = services.agreement(project, "Ana", "Ben")
    assert after.report == before  # the coders' own answers stand; the resolution is the project's
    (settled,) = [d for d in after.disagreements if d.code == "repairs"]
    assert (settled.resolved_by, settled.resolved_as) == ("Lead", False)
    with project.sessions() as session:
        latest = {(d.segment_id, d.code): d.accepted for d in decisions(session)}
    assert latest[s2, "repairs"] is False  # what coders learn from and reports count


def test_resolving_needs_a_real_disagreement(coded: tuple[services.Project, list[int]]) -> None:
    project, (s1, *_) = coded
    with pytest.raises(QualkitError, match="'Ana' and 'Ben' agree on code 'trust' for segment"):
        services.resolve_disagreement(project, s1, "trust", applies=True, resolver="Lead",
                                      between=["Ana", "Ben"])
    with pytest.raises(QualkitError, match="two coders"):
        services.resolve_disagreement(project, s1, "trust", applies=True, resolver="Lead", between=["Ana"])
    with pytest.raises(NotFoundError, match="no code 'money'"):
        services.resolve_disagreement(project, s1, "money", applies=True, resolver="Lead",
                                      between=["Ana", "Ben"])
    with pytest.raises(NotFoundError, match="no segment with id 999"):
        services.resolve_disagreement(project, 999, "trust", applies=True, resolver="Lead",
                                      between=["Ana", "Ben"])


def test_summary_without_blind_samples_pairs_people_who_share_documents(
        coded: tuple[services.Project, list[int]]) -> None:
    project, (_, s2, *_) = coded
    services.resolve_disagreement(project, s2, "repairs", applies=True, resolver="Lead",
                                  between=["Ana", "Ben"])
    summary = services.agreement_summary(project)
    assert summary.documents == 3 and summary.blind_documents == 0
    assert [c.name for c in summary.coders] == ["Ana", "Ben", "Lead"]
    ana_ben = next(p for p in summary.pairs if (p.first, p.second) == ("Ana", "Ben"))
    direct = services.agreement(project, "Ana", "Ben")
    assert ana_ben.segment_level == direct.report.overall and ana_ben.per_code == direct.report.per_code
    by_character = services.agreement(project, "Ana", "Ben", level="character")
    assert ana_ben.character_level == by_character.report.overall
    assert (ana_ben.documents, ana_ben.segments, ana_ben.disagreements, ana_ben.resolved) == (2, 4, 3, 1)
    assert ana_ben.characters == sum(len(UNITS[i][0]) for i in range(4))


def test_cli_agreement_and_resolve(coded: tuple[services.Project, list[int]]) -> None:
    project, (_, s2, *_) = coded
    runner = CliRunner()
    result = runner.invoke(app, ["agreement", str(project.folder), "--coder", "Ana", "--coder", "Ben",
                                 "--disagreements"])
    assert result.exit_code == 0, result.output
    assert "pooled" in result.stdout and "3 disagreement(s), 0 resolved" in result.stdout
    assert f"segment {s2} (a.jsonl) repairs: Ana yes, Ben no" in result.stdout
    result = runner.invoke(app, ["resolve", str(project.folder), str(s2), "repairs", "--coder", "Ana",
                                 "--coder", "Ben", "--accept", "--as", "Lead"])
    assert result.exit_code == 0 and "applies to segment" in result.stdout
    result = runner.invoke(app, ["agreement", str(project.folder)])
    assert result.exit_code == 0 and "Ana and Ben: 2 document(s), 4 segments" in result.stdout
    assert "3 disagreement(s), 1 resolved" in result.stdout
    result = runner.invoke(app, ["agreement", str(project.folder), "--coder", "Ana"])
    assert result.exit_code != 0 and "exactly two coders" in result.output
