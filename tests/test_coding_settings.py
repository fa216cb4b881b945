"""The coder and embedder a project chooses in qualkit.toml ([coding]), the parameters recorded on
every run, and the machine's agreement with what people decided after it ran.

A test coder with one parameter (`min_hits`) shows that a parameter from qualkit.toml reaches the
coder: it changes which suggestions the coder says yes to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select, update

from qualkit import services
from qualkit.coders.base import Suggestion, Unit, register
from qualkit.coders.embeddings import Embedder
from qualkit.errors import ProjectError
from qualkit.model import Codebook
from qualkit.model.coding import Status
from qualkit.services.coding import machine_agreement_since_run
from qualkit.store import assignments
from qualkit.store.schema import CodeAssignmentRow, EventRow, SegmentRow

from coding_doubles import BagOfWordsEmbedder, KeywordCoder, coding_project


@register("testhits.v1")
class HitsCoder(KeywordCoder):
    """KeywordCoder that says yes from `min_hits` keyword hits on (scores: 1 hit 0.4, 2 hits 0.7)."""

    model_id: ClassVar[str | None] = "test/hits"

    def __init__(self, embedder: Embedder | None = None, min_hits: int = 2) -> None:
        super().__init__(embedder)
        self.min_hits = min_hits

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        for s in super().suggest(units, codebook):
            yield replace(s, suggested=s.score > 0.3 * self.min_hits)


@pytest.fixture
def project(tmp_path: Path, fake_embedder: BagOfWordsEmbedder) -> services.Project:
    return coding_project(tmp_path / "p", tmp_path / "src")


def configured(project: services.Project, coding: str) -> services.Project:
    """The project reopened with a qualkit.toml whose [coding] table is `coding` (TOML)."""
    (project.folder / "qualkit.toml").write_text(f'name = "p"\n\n[coding]\n{coding}\n', encoding="utf-8")
    return services.open_project(project.folder)


def run_events(project: services.Project) -> list[dict[str, object]]:
    with project.sessions() as session:
        return [e.data for e in session.scalars(select(EventRow).where(EventRow.action == "run_coder"))]


# --- choosing the coder in qualkit.toml ----------------------------------------------------------

def test_a_new_project_names_the_default_coder_and_embedder(project: services.Project) -> None:
    settings = project.config.coding
    assert (settings.coder, settings.embedder, settings.parameters) == ("ensemble", "minilm", {})


def test_the_configured_coder_runs_with_its_parameter_and_the_run_records_it(
        project: services.Project) -> None:
    default = services.run_coder(configured(project, 'coder = "testhits"'))
    assert (default.coder, default.parameters, default.suggested) == ("testhits.v1", {}, 3)

    tuned = configured(project, 'coder = "testhits"\nparameters = { min_hits = 1 }')
    summary = services.run_coder(tuned)
    assert summary.coder == "testhits.v1" and summary.parameters == {"min_hits": 1}
    assert summary.suggested == 6  # every unit with one keyword hit is now a yes
    assert summary.embedder == BagOfWordsEmbedder.model_id
    recorded = run_events(tuned)[-1]
    assert (recorded["coder"], recorded["parameters"], recorded["embedder"]) == (
        "testhits.v1", {"min_hits": 1}, "test/bag-of-words")
    # the coder's own columns as before
    with tuned.sessions() as session:
        stored = session.scalars(select(CodeAssignmentRow).where(CodeAssignmentRow.run_id == summary.run_id))
        assert {(r.coder, r.coder_version, r.model) for r in stored} == {("testhits.v1", "v1", "test/hits")}


def test_parameters_belong_to_the_configured_coder_only(project: services.Project) -> None:
    tuned = configured(project, 'coder = "testhits"\nparameters = { min_hits = 1 }')
    assert services.run_coder(tuned, "testhits.v1").parameters == {"min_hits": 1}  # the same coder
    other = services.run_coder(tuned, "testkeyword")
    assert (other.coder, other.parameters) == ("testkeyword.v1", {})
    assert run_events(tuned)[-1]["parameters"] == {}


def test_an_unknown_parameter_is_refused_naming_the_key(project: services.Project) -> None:
    tuned = configured(project, 'coder = "testhits.v1"\nparameters = { min_hit = 1 }')
    with pytest.raises(ProjectError, match=r"coder 'testhits.v1' has no parameter 'min_hit' "
                                           r"\(qualkit.toml, \[coding.parameters\]\).*one of: min_hits"):
        services.run_coder(tuned)
    with pytest.raises(ProjectError, match="has no parameter 'embedder'"):  # chosen by [coding] embedder
        services.run_coder(configured(project, 'coder = "testhits"\nparameters = { embedder = "x" }'))
    assert run_events(tuned) == []  # nothing ran


def test_an_unknown_coder_embedder_or_setting_says_what_to_do(project: services.Project) -> None:
    with pytest.raises(ProjectError, match=r"chooses coder 'nonesuch'.*testhits\.v1"):
        services.run_coder(configured(project, 'coder = "nonesuch"'))
    with pytest.raises(ProjectError, match=r"chooses embedder 'bert'.*\[coding\] embedder to one of: minilm"):
        services.run_coder(configured(project, 'coder = "testhits"\nembedder = "bert"'))
    with pytest.raises(ProjectError, match=r"coding.coders: Extra inputs are not permitted"):
        configured(project, 'coders = "testhits"')


# --- the machine against decisions made after it ran ---------------------------------------------

def segment_ids(project: services.Project) -> list[int]:
    """Segment id of each entry of UNITS, in order."""
    with project.sessions() as session:
        return list(session.scalars(select(SegmentRow.id).order_by(SegmentRow.id)))


def machine_row(project: services.Project, unit: int, code: str) -> int:
    """The id of the machine's coding of UNITS[unit - 1] with `code`."""
    segment = segment_ids(project)[unit - 1]
    with project.sessions() as session:
        (coding,) = [c for c in assignments.codings(session)
                     if c.machine and c.segment_id == segment and c.code == code]
    return coding.id


def test_machine_agreement_counts_only_decisions_made_after_the_run(project: services.Project) -> None:
    ids = segment_ids(project)
    run = services.run_coder(project, "testkeyword")  # yes: trust 1, housing 2 4; no: trust 3, repairs 2 6
    nothing = machine_agreement_since_run(project)
    assert nothing.decisions == 0 and [c.decisions for c in nothing.codes] == [0, 0, 0]
    assert nothing.codes[0].kappa is None and nothing.codes[0].share_accepted is None

    services.decide(project, machine_row(project, 1, "trust"), True, reviewer="ana")  # yes, accepted
    services.decide(project, machine_row(project, 4, "housing"), False, reviewer="ana")  # yes, rejected
    services.add_coding(project, ids[2], "trust", coder="ben")  # the machine said no; ben codes it
    services.decide(project, machine_row(project, 6, "repairs"), False, reviewer="ana")  # no, rejected
    early = services.add_coding(project, ids[1], "repairs", coder="cleo")
    with project.transaction() as session:  # as if cleo's coding had been made before the run
        (made,) = session.scalars(select(CodeAssignmentRow.created_at)
                                  .where(CodeAssignmentRow.run_id == run.run_id).limit(1))
        before = made - timedelta(seconds=5)
        session.execute(update(CodeAssignmentRow).where(CodeAssignmentRow.id == early)
                        .values(created_at=before, updated_at=before))

    with project.sessions() as session:
        after = {(d.coding.segment_id, d.coding.code): d for d in assignments.decisions_after_runs(session)}
    assert set(after) == {(ids[0], "trust"), (ids[3], "housing"), (ids[2], "trust"), (ids[5], "repairs")}
    assert (after[ids[2], "trust"].reviewer, after[ids[2], "trust"].accepted) == ("ben", True)
    assert after[ids[2], "trust"].coding.status == Status.SUGGESTED  # the machine's own row, kept as a record
    assert after[ids[2], "trust"].decided_at >= after[ids[2], "trust"].coding.created_at

    report = machine_agreement_since_run(project)
    assert (report.coders, report.decisions) == (["testkeyword.v1"], 4)
    trust, housing, repairs = report.codes
    assert [c.code for c in report.codes] == ["trust", "housing", "repairs"]
    assert (trust.decisions, trust.accepted, trust.share_accepted, trust.agreement) == (2, 2, 1.0, 0.5)
    assert trust.kappa == pytest.approx(cohen_kappa_score([1, 0], [1, 1]))  # 0: no better than chance
    assert (housing.decisions, housing.accepted, housing.share_accepted) == (1, 0, 0.0)
    assert housing.agreement == 0.0
    assert (repairs.decisions, repairs.agreement, repairs.kappa) == (1, 1.0, None)  # cleo's came before

    # a second run keeps the decided rows; a decision on its new suggestion counts too
    services.run_coder(project, "testkeyword")
    services.decide(project, machine_row(project, 2, "housing"), True, reviewer="ana")
    again = machine_agreement_since_run(project, "testkeyword")
    housing = again.codes[1]
    assert (again.decisions, housing.decisions, housing.accepted, housing.agreement) == (5, 2, 1, 0.5)
    assert housing.kappa == pytest.approx(cohen_kappa_score([1, 1], [0, 1]))
    assert machine_agreement_since_run(project, "testother").decisions == 0


def test_machine_agreement_kappa_follows_the_decisions(project: services.Project) -> None:
    services.run_coder(project, "testkeyword")
    said = {(1, "trust"): True, (3, "trust"): False, (2, "housing"): True, (4, "housing"): True,
            (2, "repairs"): False, (6, "repairs"): False}
    decided = {(1, "trust"): True, (3, "trust"): False, (2, "housing"): True, (4, "housing"): False,
               (2, "repairs"): True, (6, "repairs"): False}
    for (unit, code), accept in decided.items():
        services.decide(project, machine_row(project, unit, code), accept, reviewer="ana")
    report = machine_agreement_since_run(project)
    for figures in report.codes:
        keys = [k for k in said if k[1] == figures.code]
        assert figures.decisions == len(keys) == 2
        first, second = [said[k] for k in keys], [decided[k] for k in keys]
        expected = None if len(set(first) | set(second)) == 1 else cohen_kappa_score(first, second)
        assert figures.kappa == pytest.approx(expected)
        assert figures.agreement == sum(a == b for a, b in zip(first, second, strict=True)) / 2
    assert [f.kappa for f in report.codes] == [pytest.approx(1.0), pytest.approx(0.0), pytest.approx(0.0)]
