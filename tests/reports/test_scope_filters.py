"""A report's scope and grouping, worked out in the store: stakeholder groups with their precedence
(the source's, else the participant's, else the document's), attributes of the segment, then of its
participant (role and site are its own columns), then of its document; and filters naming what there is
when they match nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualkit import services
from qualkit.errors import NotFoundError
from qualkit.services.reports import ReportError
from qualkit.store import report_facts

from coding_doubles import CODEBOOK_YAML

RECORDS = [
    {"text": "I trust her now, she is on my side.", "speaker": "P1", "group": "Families", "site": "East",
     "visit": 2},
    {"text": "The landlord never fixed the damp.", "speaker": "P2", "visit": 1},
    {"text": "We worked on trust with the family.", "speaker": "Keyworker C", "group": "Keyworkers",
     "site": ""},
    {"text": "The boiler broke and nobody came.", "speaker": "Keyworker D", "group": "Keyworkers"},
    {"text": "Nothing much happened that week.", "speaker": "P3", "visit": 2},
]
SHEET = ("document,speaker,participant,group,role,site,years\n"
         ",P1,,Carers,,,\n"  # the source states Families for P1's turn: the source wins
         ",P2,,Carers,,,\n"
         ",Keyworker C,,Keyworkers,Keyworker,Millbrook,3\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    root = tmp_path_factory.mktemp("scope")
    units, codebook, sheet = root / "units.jsonl", root / "codebook.yaml", root / "participants.csv"
    units.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    codebook.write_text(CODEBOOK_YAML, encoding="utf-8")
    sheet.write_text(SHEET, encoding="utf-8")
    project = services.init_project(root / "evaluation")
    services.import_sources(project, [units])
    services.import_codebook(project, codebook)
    services.load_participants(project, sheet)
    return project


def grouped(project: services.Project, **options: object) -> dict[int, str]:
    """Record number (1-based) -> the segment's value of the report's grouping, for segments in scope."""
    data = services.report_input(project, services.ReportOptions(**options))  # type: ignore[arg-type]
    return {s.ordinal + 1: s.group for s in data.segments}


def test_stakeholder_groups_follow_their_precedence(project: services.Project) -> None:
    assert grouped(project) == {1: "Families", 2: "Carers", 3: "Keyworkers", 4: "Keyworkers",
                                5: "(no group)"}
    assert grouped(project, groups=("Carers",)) == {2: "Carers"}


def test_attributes_of_the_segment_then_of_its_participant(project: services.Project) -> None:
    # Keyworker C's own site wins over the turn's empty one; P1's turn states its own site
    assert grouped(project, group_by="site") == {1: "East", 2: "(no group)", 3: "Millbrook",
                                                 4: "(no group)", 5: "(no group)"}
    assert grouped(project, group_by="years")[3] == "3"  # an attribute of the participant
    assert grouped(project, group_by="participant")[4] == "Keyworker D"
    assert set(grouped(project, where=(("visit", "2"),))) == {1, 5}  # a number matches as written
    assert set(grouped(project, groups=("Families", "Keyworkers"), where=(("role", "Keyworker"),))) == {3}


def test_filters_that_match_nothing_name_what_there_is(project: services.Project) -> None:
    with pytest.raises(NotFoundError, match=r"no stakeholder group 'Martians'.*Carers, Families, Keyworkers"):
        grouped(project, groups=("Families", "Martians"))
    with pytest.raises(ReportError, match=r"no codable segment has site=Nowhere.*Values of 'site': East, "
                                          r"Millbrook"):
        grouped(project, where=(("site", "Nowhere"),))
    with pytest.raises(ReportError, match=r"Values of 'visit': 1\.$"):  # within the groups asked for
        grouped(project, groups=("Carers",), where=(("visit", "2"),))
    with pytest.raises(NotFoundError, match="no codable segments in this scope"):
        grouped(project, groups=("Families", "Carers"), where=(("visit", "1"), ("site", "East")))


def test_an_attribute_nobody_has_writes_nothing(project: services.Project, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"none \(no such attribute\)"):
        services.export(project, "quotes-csv", tmp_path / "q.csv",
                        services.ReportOptions(where=(('he said "no"', "x"),)))
    assert not (tmp_path / "q.csv").exists()


def test_a_report_reads_its_segments_and_codings_in_one_session(project: services.Project,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    opened, reads = [], []
    sessions, codings_of_codebook = project.sessions, report_facts.codings_of_codebook
    monkeypatch.setattr(project, "sessions", lambda: opened.append(1) or sessions())
    monkeypatch.setattr(report_facts, "codings_of_codebook",
                        lambda *args: reads.append(len(opened)) or codings_of_codebook(*args))
    services.report_input(project, services.ReportOptions(groups=("Families",), where=(("visit", "2"),),
                                                          include_suggestions=True))
    assert reads == [1]  # one read of the codings, in the session that read the segments: one snapshot
    # (the agreement figures read after it, in sessions of their own)
