"""Honest denominators: interviewees, survey respondents and documents without speakers are separate
populations, and the report's coverage says how much people have coded; both checked against SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from qualkit import services
from qualkit.errors import NotFoundError

from formats import as_dicts, markdown_tables

ANSWERS = ("was always there for us", "helped with the money")
SURVEY = "speaker,group,answer\n" + "".join(
    f"R{n:02d},Families,\"Answer {n}: the keyworker {ANSWERS[n % 2 == 0]}.\"\n" for n in range(1, 7))
INTERVIEW = ("Interviewer: How was it?\n\nMum: She was always there for us, every week.\n\n"
             "Interviewer: And the rent?\n\nMum: Sorted, in the end.\n")
NOTES = ("Home visit. Family engaged well, rent arrears discussed.\n\n"
         "Phone call. Mum upbeat, arrears plan agreed.\n")
POPULATIONS = text("""
    SELECT COALESCE(s.stakeholder_group, p.stakeholder_group, d.stakeholder_group) AS grp,
           COUNT(DISTINCT CASE WHEN p.id IS NOT NULL AND d.suffix NOT IN ('.csv', '.tsv', '.xlsx')
                               THEN p.id END),
           COUNT(DISTINCT CASE WHEN p.id IS NOT NULL AND d.suffix IN ('.csv', '.tsv', '.xlsx') THEN p.id END),
           COUNT(DISTINCT CASE WHEN p.id IS NULL THEN d.id END),
           COUNT(DISTINCT d.id), COUNT(s.id),
           COUNT(DISTINCT CASE WHEN a.id IS NOT NULL THEN d.id END),
           COUNT(DISTINCT CASE WHEN a.id IS NOT NULL THEN s.id END)
    FROM segments s
    JOIN documents d ON d.id = s.document_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
    LEFT JOIN participants p ON p.id = sp.participant_id
    LEFT JOIN code_assignments a ON a.segment_id = s.id AND a.status = 'accepted'
    WHERE s.codable
    GROUP BY grp
""")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    root = tmp_path_factory.mktemp("mixed")
    (root / "survey.csv").write_text(SURVEY, encoding="utf-8")
    (root / "mum_interview.txt").write_text(INTERVIEW, encoding="utf-8")
    (root / "case_notes.txt").write_text(NOTES, encoding="utf-8")
    (root / "book.yaml").write_text("name: B\ncodes:\n  - id: availability\n    name: Availability\n"
                                    "  - id: money\n    name: Money\n", encoding="utf-8")
    project = services.init_project(root / "project")
    sources = ("survey.csv", "mum_interview.txt", "case_notes.txt")
    services.import_sources(project, [root / name for name in sources])
    services.set_document_group(project, "mum_interview.txt", "Families")
    services.set_document_group(project, "case_notes.txt", "Keyworkers")
    services.import_codebook(project, root / "book.yaml")
    for segment in services.iter_segments(project, codable_only=True):
        if "always there" in segment.text:
            services.add_coding(project, segment.id, "availability", "Ana")
        if "rent" in segment.text.casefold() and segment.document != "survey.csv":
            services.add_coding(project, segment.id, "money", "Ana")
    return project


def test_coverage_and_populations_match_the_database(mixed: services.Project, tmp_path: Path) -> None:
    with mixed.sessions() as session:
        expected = {g: rest for g, *rest in session.execute(POPULATIONS)}
    assert expected["Families"][:3] == [1, 6, 0] and expected["Keyworkers"][:3] == [0, 0, 1]  # not vacuous
    (md,) = services.write_report(mixed, ["md"], folder=tmp_path)
    document = services.thematic_report(mixed, with_charts=False)
    caption = next(t.caption for t in document.tables() if t.name == "Coverage")
    rows = {r["Stakeholder group"]: r for r in as_dicts(markdown_tables(md)[caption])}
    assert set(rows) == set(expected)
    for group, figures in expected.items():
        interviewees, respondents, documents, all_docs, segments, coded_docs, coded = figures
        row = rows[group]
        assert (row["Interviewees"], row["Survey respondents"], row["Documents without speakers"]) == (
            str(interviewees), str(respondents), str(documents))
        assert row["Documents coded"] == f"{coded_docs} of {all_docs}"
        assert row["Segments coded"].startswith(f"{coded} of {segments} (")
    total = sum(v[4] for v in expected.values())
    coded_total = sum(v[6] for v in expected.values())
    assert f"people have coded {coded_total} of {total} codable segments" in md.read_text(encoding="utf-8")


def test_mentioned_by_counts_each_population_against_its_own_size(mixed: services.Project) -> None:
    document = services.thematic_report(mixed, with_charts=False)
    themes = {r[0]: r[-1] for r in next(t for t in document.tables() if t.name == "Themes").rows}
    assert themes["Availability"] == "Families: 1 of 1 interviewee, 3 of 6 survey respondents"
    assert themes["Money"] == "Keyworkers: 1 of 1 document"  # the case notes, counted as a document


def test_a_group_with_nothing_coded_and_an_unknown_group_are_clear(mixed: services.Project) -> None:
    only = services.thematic_report(mixed, services.ReportOptions(codes=("availability",)), with_charts=False)
    text = " ".join(b.text for b in only.blocks if hasattr(b, "text"))
    assert "Keyworkers: nothing coded yet." in text
    with pytest.raises(NotFoundError, match=r"no stakeholder group 'Martians'.*Groups: Families, Keyworkers"):
        services.thematic_report(mixed, services.ReportOptions(groups=("Martians",)))
