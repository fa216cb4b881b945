"""Blind double coding: drawing a reproducible sample, hiding others' codings and the machine's
suggestions from a coder on it (and nothing else), and the methods summary built from samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from test_agreement import double_coding_project
from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app
from qualkit.coders import embeddings
from qualkit.errors import NotFoundError, QualkitError
from qualkit.store.schema import EventRow

from coding_doubles import BagOfWordsEmbedder


@pytest.fixture
def machine_coded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[services.Project, list[int]]:
    """Documents a, b, c with the keyword coder's suggestions on them."""
    monkeypatch.setattr(embeddings, "MiniLMEmbedder", BagOfWordsEmbedder)
    project, ids = double_coding_project(tmp_path)
    services.run_coder(project, "testkeyword.v1")
    return project, ids


def queue(project: services.Project, status: str, blind_for: str | None = None) -> set[tuple[str, str, str]]:
    """(document, code, coder) of every listed coding."""
    return {(i.document, i.code, i.reviewer or i.coder)
            for i in services.review_queue(project, 100, status=status, blind_for=blind_for)}


def test_a_random_sample_is_reproducible_and_recorded(
        machine_coded: tuple[services.Project, list[int]]) -> None:
    project, _ = machine_coded
    first = services.draw_blind_sample(project, ["Ana", "Ben"], share=0.5, seed=11)
    again = services.draw_blind_sample(project, ["Ana", "Ben"], share=0.5, seed=11)
    assert first.documents == again.documents and len(first.documents) == 2  # round(0.5 x 3)
    assert (first.share, first.seed, first.coders) == (0.5, 11, ["Ana", "Ben"])
    assert len(services.draw_blind_sample(project, ["Ana"], share=0.01).documents) == 1  # at least one
    unseeded = services.blind_samples(project)[-1]
    assert isinstance(unseeded.seed, int)  # drawn with a fresh seed, recorded to reproduce it
    with project.sessions() as session:
        events = session.scalars(select(EventRow).where(EventRow.action == "draw_blind_sample")).all()
    assert len(events) == 3 and set(events[0].data) == {"coders", "documents", "share", "seed"}
    assert all(isinstance(d, int) for d in events[0].data["documents"])  # ids, not names


def test_a_sample_can_name_its_documents(machine_coded: tuple[services.Project, list[int]]) -> None:
    project, _ = machine_coded
    sample = services.draw_blind_sample(project, ["Ana", "Ben", "Ana"], documents=["c.jsonl", "a.jsonl"])
    assert sample.documents == ["a.jsonl", "c.jsonl"] and sample.coders == ["Ana", "Ben"]
    assert sample.seed is None and sample.share is None
    assert services.blind_samples(project)[0].documents == ["a.jsonl", "c.jsonl"]


@pytest.mark.parametrize(("coders", "options", "error", "message"), [
    (["Ana"], {}, QualkitError, "either a share"),
    (["Ana"], {"share": 0.2, "documents": ["a.jsonl"]}, QualkitError, "either a share"),
    (["Ana"], {"share": 1.5}, QualkitError, "share 1.5 is not between 0 and 1"),
    (["Ana"], {"documents": ["nope.txt"]}, NotFoundError, "no document named 'nope.txt'"),
    (["Ana"], {"documents": []}, QualkitError, "no documents given"),
    ([], {"share": 0.2}, QualkitError, "names of the people"),
    (["Ana", "machine"], {"share": 0.2}, QualkitError, "names of the people"),
])
def test_bad_samples_are_refused(machine_coded: tuple[services.Project, list[int]], coders: list[str],
                                 options: dict[str, object], error: type[Exception], message: str) -> None:
    project, _ = machine_coded
    with pytest.raises(error, match=message):
        services.draw_blind_sample(project, coders, **options)  # type: ignore[arg-type]
    assert services.blind_samples(project) == []


def test_blind_mode_hides_everything_but_the_coders_own_codings_on_the_sample(
        machine_coded: tuple[services.Project, list[int]]) -> None:
    project, (s1, s2, s3, *_) = machine_coded
    services.draw_blind_sample(project, ["Ana", "Ben"], documents=["a.jsonl"])
    services.add_coding(project, s1, "trust", "Ana")
    services.add_coding(project, s2, "housing", "Ben")
    services.add_coding(project, s3, "trust", "Ben")  # b is not in the sample
    suggestions = queue(project, "suggested")
    assert ("a.jsonl", "repairs", "testkeyword.v1") in suggestions  # without blind mode: all of it
    assert {d for d, _, _ in queue(project, "suggested", blind_for="Ana")} == {"b.jsonl", "c.jsonl"}
    assert queue(project, "accepted", blind_for="Ana") == {("a.jsonl", "trust", "Ana"),
                                                           ("b.jsonl", "trust", "Ben")}
    assert queue(project, "accepted", blind_for="Ben") == {("a.jsonl", "housing", "Ben"),
                                                           ("b.jsonl", "trust", "Ben")}
    assert queue(project, "accepted") == {("a.jsonl", "trust", "Ana"), ("a.jsonl", "housing", "Ben"),
                                          ("b.jsonl", "trust", "Ben")}
    # Cleo is in no sample: blind mode hides nothing from her
    assert queue(project, "accepted", blind_for="Cleo") == queue(project, "accepted")
    services.decide(project, services.review_queue(project, 1, code="housing")[0].id, accept=True,
                    reviewer="Cleo")  # a suggestion on b, decided by Cleo
    assert ("b.jsonl", "housing", "Cleo") in queue(project, "accepted", blind_for="Ana")
    # Ana accepting a suggestion elsewhere makes it hers; on the sample she saw none to accept
    assert all(item.reviewer == "Ana" for item in services.review_queue(project, 100, status="accepted",
                                                                        blind_for="Ana")
               if item.document == "a.jsonl")


def test_the_summary_compares_the_coders_of_each_sample_on_its_documents(
        machine_coded: tuple[services.Project, list[int]]) -> None:
    project, (s1, s2, _, s4, s5, s6) = machine_coded
    services.draw_blind_sample(project, ["Ana", "Ben"], documents=["a.jsonl", "b.jsonl"])
    for segment, code in [(s1, "trust"), (s2, "housing"), (s4, "housing"), (s5, "trust")]:
        services.add_coding(project, segment, code, "Ana")
    for segment, code in [(s1, "trust"), (s2, "repairs"), (s4, "housing"), (s6, "repairs")]:
        services.add_coding(project, segment, code, "Ben")
    services.draw_blind_sample(project, ["Cleo"], documents=["c.jsonl"])
    services.add_coding(project, s6, "repairs", "Cleo")
    summary = services.agreement_summary(project)
    assert summary.documents == 3 and summary.blind_documents == 3
    assert [(p.first, p.second, p.documents) for p in summary.pairs] == [("Ana", "Ben", 2),
                                                                         ("Cleo", "machine", 1)]
    ana_ben = summary.pairs[0]
    # on a and b only (Ana's s5 and Ben's s6 are on c, outside the sample): 4 segments x 3 codes;
    # they agree on trust s1 and housing s4; differ on housing s2 and repairs s2
    assert (ana_ben.segments, ana_ben.disagreements) == (4, 2)
    assert ana_ben.segment_level.units == 12 and ana_ben.segment_level.both == 2


def test_cli_blind_sample_and_review(machine_coded: tuple[services.Project, list[int]]) -> None:
    project, _ = machine_coded
    runner = CliRunner()
    folder = str(project.folder)
    result = runner.invoke(app, ["blind-sample", folder])
    assert result.exit_code == 0 and "No blind samples yet" in result.stdout
    result = runner.invoke(app, ["blind-sample", folder, "--coder", "Ana", "--coder", "Ben", "--share", "0.3",
                                 "--seed", "4"])
    assert result.exit_code == 0 and "Blind for Ana, Ben: 1 document(s) (share 0.3, seed 4" in result.stdout
    (sampled,) = services.blind_samples(project)[0].documents
    result = runner.invoke(app, ["review", folder, "--blind-for", "Ana", "--limit", "100"])
    assert result.exit_code == 0 and sampled not in result.stdout
    assert sampled in runner.invoke(app, ["review", folder, "--limit", "100"]).stdout
    result = runner.invoke(app, ["blind-sample", folder, "--coder", "Ana", "--share", "2"])
    assert result.exit_code == 1 and "not between 0 and 1" in result.output
