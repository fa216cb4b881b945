"""No report or export contains an original identifier: not in quotes, participant labels or
document names. (The demo-corpus-wide version of this test lives with the demo's identifier list.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import qualkit
from qualkit import services

from formats import csv_rows, docx_text, xlsx_sheets
from small_project import IDENTIFIERS, INTERVIEW


def readable_text(path: Path) -> str:
    """What a reader of the file could see, as one string."""
    if path.suffix == ".docx":
        return docx_text(path)
    if path.suffix == ".xlsx":
        return "\n".join(" ".join(row) for rows in xlsx_sheets(path).values() for row in rows)
    if path.suffix == ".csv":
        return "\n".join(",".join(row) for row in csv_rows(path))
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def outputs(small: services.Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("private")
    options = services.ReportOptions(include_suggestions=True, code_paths=True)
    paths = services.write_report(small, options=options, folder=folder)
    paths += [services.export(small, name, folder / e.filename, options).path
              for name, e in services.EXPORT_FORMATS.items()]
    paths.append(services.export(small, "matrix-csv", folder / "binary.csv",
                                 services.ReportOptions(binary=True, group_by="participant")).path)
    return {path.name: readable_text(path) for path in paths}


def originals(project: services.Project) -> set[str]:
    """Every identifier the project's anonymisation applies (all but rejected redactions)."""
    found = {r.original for r in services.list_redactions(project) if r.status != "rejected"}
    assert set(IDENTIFIERS) <= {word for original in found for word in (original, *original.split())} | {
        "Station Road"}, "the fixture's identifiers are all detected"
    return found | set(IDENTIFIERS)


def test_no_output_contains_an_original(small: services.Project, outputs: dict[str, str]) -> None:
    hidden = originals(small)
    assert len(outputs) == 9
    for name, text in outputs.items():
        assert "Keyworker C" in text or name.startswith("case_code") or name == "binary.csv", name
        leaks = sorted(o for o in hidden if o.casefold() in text.casefold())
        assert not leaks, f"{name} shows {leaks}"


def test_document_names_and_speaker_labels_are_pseudonymised(outputs: dict[str, str]) -> None:
    quotes = outputs["quotes.csv"]
    assert INTERVIEW not in quotes and "Document 2" in quotes  # a neutral name instead
    assert "units.jsonl" in quotes  # names without identifiers are left as they are
    assert "Families" in quotes and "Keyworkers" in quotes  # groups as stored


def test_the_pandas_api_is_anonymised_unless_asked(small: services.Project) -> None:
    project = qualkit.Project(small.folder)
    frame = project.codings_frame()
    shown = frame.to_csv()
    assert "Shannon" not in shown and "Patel" not in shown and "Keyworker C" in shown
    raw = project.codings_frame(anonymised=False)
    assert raw["text"].str.contains("Patel").any()  # the originals, for those allowed to see them
