"""The end-to-end check on real material: the demo corpus and the real public documents of
`../shared/seeds` in one project, coded, anonymised, reported and exported. The stakeholder groups
stay intact in every output, no pseudonym stands for two different people, the ordinary words and
structural labels real documents are full of are not redacted as people, and no known identifier of
the demo leaks. Skips when `../shared` is absent."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from qualkit import Project, services
from qualkit.anonymise.people import parse_name, same_first_name

from demo_identifiers import export_texts, identifiers, occurrences
from paths import DEMO_CORPUS, REPO, SHARED

pytestmark = pytest.mark.slow
SEEDS = SHARED / "seeds"
GROUPS = ("Keyworkers", "Partner agencies", "Frontline workers", "Families")
# Words real documents are full of that are no one's name: never redacted as a person.
NOT_PEOPLE = ("conferencing", "decluttered", "responsively", "kayaking", "Arts", "London", "North Yorkshire",
              "Hillingdon", "Stockton", "Springboard", "Careline", "Families", "Group", "Case",
              "Housing Officer", "Policy", "Digital")
# ... and words that are not identifiers of any kind.
NOT_IDENTIFIERS = ("conferencing", "decluttered", "responsively", "kayaking", "Arts", "Families", "Group",
                   "Case", "Housing Officer", "Policy", "Digital", "NVQ Level")
# Sentences of the seeds that name people, to code so that their quotes reach every output.
QUOTED_NAMES = ("Rogers", "Doyle", "Cooke", "Carubia", "Sung")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    folder = tmp_path_factory.mktemp("real") / "project"
    services.build_demo(folder, DEMO_CORPUS, REPO / "codebooks" / "family_support.yaml")
    project = services.open_project(folder)
    services.import_sources(project, [SEEDS])
    seeds = {p.name for p in SEEDS.glob("*.txt")}
    for seed in seeds:
        services.set_document_group(project, seed, "Families" if "scrutiny" in seed else "Keyworkers")
    coded = set()
    for segment in services.iter_segments(project, codable_only=True):
        if segment.document in seeds and any(name in segment.text for name in QUOTED_NAMES):
            services.add_coding(project, segment.id, "multi_agency_working", coder="Ana")
            coded.add(segment.id)
    assert len(coded) >= 3
    services.anonymise_project(project)
    return project


@pytest.fixture(scope="module")
def outputs(real: services.Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("outputs")
    services.write_report(real, folder=folder)
    for name, exporter in services.EXPORT_FORMATS.items():
        services.export(real, name, folder / exporter.filename)
    texts = export_texts(folder)
    texts["codings_frame"] = Project(real.folder).codings_frame().to_csv()
    return texts


def test_group_names_survive_in_every_output(outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        for group in GROUPS:
            assert group in text, f"{name} lost the group {group!r}"


def test_quote_table_groups_are_the_projects_groups(real: services.Project, outputs: dict[str, str]) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(outputs["quotes.csv"])))
    assert rows and {r["group"] for r in rows} <= set(GROUPS)
    seeds = {p.name for p in SEEDS.glob("*.txt")}
    assert {r["document"] for r in rows} & seeds  # file names without identifiers are shown as they are


def test_no_pseudonym_stands_for_two_different_people(real: services.Project) -> None:
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for entry in services.pseudonym_key(real):
        parts = parse_name(entry.original) if entry.label == "PERSON" else None
        if parts is not None and parts.full:
            owners[entry.pseudonym].add((parts.first, parts.last))
    assert owners
    for pseudonym, names in owners.items():
        names = sorted(names)
        for first, last in names[1:]:
            assert last == names[0][1] and same_first_name(first, names[0][0]), (pseudonym, names)


def test_people_named_in_the_seeds_each_have_one_pseudonym(real: services.Project) -> None:
    found, _ = services.list_people(real)
    by_name = {name: person.pseudonym for person in found for name in person.names}
    for first, last in (("tom", "de castella"), ("lynette", "sung"), ("amanda", "doyle")):
        assert by_name.get(f"{first} {last}") is not None, f"{first} {last} was not found"
    assert by_name.get("sung") in (None, by_name["lynette sung"])
    assert by_name.get("doyle") in (None, by_name["amanda doyle"])
    assert by_name["tom de castella"] != by_name.get("tom bradley")


def test_ordinary_words_and_labels_are_not_redacted(real: services.Project) -> None:
    redactions = [r for r in services.list_redactions(real) if r.status != "rejected"]
    people = {r.original.casefold() for r in redactions if r.label == "PERSON"}
    anything = {r.original.casefold() for r in redactions}
    assert not [w for w in NOT_PEOPLE if w.casefold() in people]
    assert not [w for w in NOT_IDENTIFIERS if w.casefold() in anything]


def test_no_known_identifier_of_the_demo_leaks(outputs: dict[str, str]) -> None:
    leaks = [f"{name}: {label} {term!r}" for name, text in outputs.items() for label, term in identifiers()
             if occurrences(term, text)]
    assert leaks == []


def test_file_names_with_names_in_them_are_not_shown(real: services.Project, tmp_path: Path) -> None:
    named = tmp_path / "Priyanka_Sharma_interview_2024-03-07.txt"
    named.write_text("Interviewer: How was it?\n\nPriyanka: Better, since Dani started coming.\n",
                     encoding="utf-8")
    services.import_sources(real, [named])
    view = services.anonymised_view(real)
    assert view.document(named.name).startswith("Document ")
    services.set_display_name(real, named.name, "Parent interview 9")
    assert services.anonymised_view(real).document(named.name) == "Parent interview 9"
