"""The bundled demo evaluation: a realistic corpus that builds into a project (the quick start)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from qualkit import Project, services
from qualkit.ingest.registry import parse_file

from demo_identifiers import WORD_NAMES, export_texts, identifiers, occurrences
from paths import DEMO_CORPUS, REPO, SHARED

CODEBOOK = REPO / "codebooks" / "family_support.yaml"
INTERVIEW_PREFIXES = ("kw_", "partner_", "frontline_", "parent_", "young_person_")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    folder = tmp_path_factory.mktemp("demo") / "project"
    report = services.build_demo(folder, DEMO_CORPUS, CODEBOOK)
    assert report.coding is not None and report.agreement is not None
    return services.open_project(folder)


def test_demo_has_at_least_16_interviews_of_realistic_length_in_many_formats() -> None:
    interviews = [p for p in DEMO_CORPUS.iterdir() if p.name.startswith(INTERVIEW_PREFIXES)]
    assert len(interviews) >= 16
    assert {".docx", ".txt", ".vtt", ".pdf"} <= {p.suffix for p in interviews}
    assert any(p.suffix == ".csv" for p in DEMO_CORPUS.iterdir())
    for path in interviews:
        (document,) = parse_file(path)
        assert 800 <= document.word_count <= 2500, path.name
        assert len({s.speaker for s in document.segments if s.speaker}) >= 2, path.name


def test_every_codable_demo_segment_has_a_stakeholder_group(demo: services.Project) -> None:
    segments = list(services.iter_segments(demo, codable_only=True))
    assert segments and all(s.group for s in segments)
    groups = Counter(s.group for s in segments)
    assert set(groups) == {"Keyworkers", "Partner agencies", "Frontline workers", "Families"}


def test_interviewers_are_kept_but_not_coded(demo: services.Project) -> None:
    labels = {"Interviewer", "I", "Q", "Int", "INTERVIEWER", "Speaker 1"}
    interviewer_turns = [s for s in services.iter_segments(demo)
                         if s.participant and s.participant.split(" (")[0] in labels]
    assert len(interviewer_turns) > 200
    assert not any(s.codable for s in interviewer_turns)


def test_rebuilding_the_demo_changes_nothing(demo: services.Project) -> None:
    before = services.project_status(demo)
    again = services.build_demo(demo.folder, DEMO_CORPUS, CODEBOOK)
    imported = again.imported
    assert not imported.imported and not imported.changed and imported.unchanged
    assert again.coding is None  # coded once, before the human codings arrived
    after = services.project_status(demo)
    assert (after.documents, after.segments, after.participants) == (
        before.documents, before.segments, before.participants)


def test_human_coded_subset_matches_demo_segments_and_codebook(demo: services.Project) -> None:
    import yaml

    def ids(codes: list[dict]) -> set[str]:
        return {c["id"] for c in codes} | {i for c in codes for i in ids(c.get("children", []))}

    codebook = ids(yaml.safe_load((REPO / "codebooks" / "family_support.yaml").read_text())["codes"])
    units = {(s.document, s.text) for s in services.iter_segments(demo, codable_only=True)}
    lines = [json.loads(line) for line in (DEMO_CORPUS / "_coded_subset.jsonl").read_text().splitlines()]
    assert len(lines) >= 100
    for line in lines:
        assert (line["document"], line["text"]) in units
        assert set(line["codes"]) <= codebook


def test_demo_names_are_fictional_and_present_for_anonymisation() -> None:
    text = " ".join(d.text for p in DEMO_CORPUS.glob("*.txt") for d in parse_file(p))
    for identifier in ("Kayden", "Foxley", "Ravensmoor Academy", "St Bede's"):
        assert identifier in text


def test_seeds_import_cleanly(tmp_path: Path) -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not present")
    project = services.init_project(tmp_path / "seeds")
    report = services.import_sources(project, [seeds])
    assert len(report.imported) == len(list(seeds.glob("*.txt")))
    text = " ".join(s.text for s in services.iter_segments(project))
    assert "<li>" not in text and "<p>" not in text and "&amp;" not in text


def test_demo_is_coded_and_agrees_with_the_human_subset_better_than_chance(demo: services.Project) -> None:
    report = services.evaluate(demo)
    assert report.units >= 100
    assert report.macro_kappa is not None and report.macro_kappa > 0.25
    queue = services.review_queue(demo, limit=5)
    assert queue and all(item.rationale for item in queue)


@pytest.mark.slow
def test_no_report_or_export_of_the_demo_contains_a_known_identifier(demo: services.Project,
                                                                    tmp_path: Path) -> None:
    """Every format authors take away (reports, quote tables, matrices, the REFI codebook, the pandas
    frame) is searched for every original identifier of the demo corpus. The .qdpx project exchange
    carries the raw project to colleagues' QDA software and is not an anonymised output."""
    written = services.write_report(demo, folder=tmp_path)
    for name, exporter in services.EXPORT_FORMATS.items():
        services.export(demo, name, tmp_path / exporter.filename)
    services.export_qdc(demo, tmp_path / "codebook.qdc")
    texts = export_texts(tmp_path)
    assert len(texts) == len(written) + len(services.EXPORT_FORMATS) + 1
    texts["codings_frame"] = Project(demo.folder).codings_frame().to_csv()
    leaks = [f"{name}: {label} {term!r}" for name, text in texts.items() for label, term in identifiers()
             if occurrences(term, text)]
    assert leaks == []


@pytest.mark.slow
def test_no_topic_of_the_demo_is_named_after_someone(demo: services.Project) -> None:
    """Topics are discovered on the anonymised text: their labels and keywords name themes, not people
    ("Grace, lorraine, mark" was a topic once). Names that are also everyday words are left out."""
    found = services.discover_topics(demo, min_topic_size=8)
    assert found
    people = {term.casefold() for label, term in identifiers()
              if label == "PERSON" and term not in WORD_NAMES}
    for topic in found:
        words = re.findall(r"[\w']+", " ".join([topic.label, *topic.keywords]).casefold())
        phrases = {" ".join(words[i:i + n]) for n in (1, 2) for i in range(len(words))}
        assert not phrases & people, (topic.label, sorted(phrases & people))
        assert re.fullmatch(r"[a-z][a-z0-9_]*", topic.suggested_id)


@pytest.mark.slow
def test_the_demos_word_report_is_short_and_leads_with_coverage(demo: services.Project,
                                                                tmp_path: Path) -> None:
    """What a reader gets by default: at most 20 pages as LibreOffice lays them out, coverage on page
    one, the framework matrix only on request. Every table row is kept whole with its header repeated."""
    import shutil
    import subprocess

    import docx
    from docx.oxml.ns import qn

    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    (path,) = services.write_report(demo, ["docx"], folder=tmp_path)
    document = docx.Document(str(path))
    for table in document.tables:
        rows = [row._tr for row in table.rows]
        assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert "Framework matrix" not in "\n".join(p.text for p in document.paragraphs)
    if soffice is None or pdftotext is None:
        pytest.skip("LibreOffice (soffice) and pdftotext are needed to count pages")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=300)
    pages = subprocess.run([pdftotext, "-layout", str(path.with_suffix(".pdf")), "-"], check=True,
                           capture_output=True, text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) <= 20, len(pages)
    assert "Coverage: people have coded" in pages[0]
