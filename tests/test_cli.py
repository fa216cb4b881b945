"""The CLI is a thin layer: each command works, errors are clean, everything is documented."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app
from qualkit.coders import embeddings

from coding_doubles import SCHOOL_UNITS, UNITS, BagOfWordsEmbedder, write_sources, write_units
from paths import REPO

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def command_names() -> list[str]:
    return sorted(c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands)


def subcommand_names() -> list[str]:
    """`group command` for each command of a sub-app such as `qualkit codebook`."""
    return sorted(f"{group.name} {c.name or c.callback.__name__}"
                  for group in app.registered_groups for c in group.typer_instance.registered_commands)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "codebook validate" in subcommand_names()
    for name in command_names() + subcommand_names():
        code, out, _ = run(*name.split(), "--help")
        assert code == 0 and "Usage" in out, name
        assert f"qualkit {name}" in readme, f"README does not document `qualkit {name}`"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "qualkit", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "import" in result.stdout


HEAVY = ("torch", "spacy", "sklearn", "sentence_transformers", "bertopic", "matplotlib", "pandas",
         "streamlit")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (a subprocess: this one has them all)."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_importing_the_cli_loads_no_service_and_no_heavy_library() -> None:
    loaded = modules_after("import qualkit.cli")
    assert "qualkit.cli" in loaded
    assert not [name for name in HEAVY if name in loaded]
    assert not [name for name in loaded if name.startswith("qualkit.services.")]


def test_status_loads_no_nlp_library(tmp_path: Path) -> None:
    project = tmp_path / "p"
    run("init", project)
    loaded = modules_after(f"import sys\nfrom qualkit.cli import app\nsys.argv = ['qualkit', 'status', "
                           f"{str(project)!r}]\ntry:\n    app()\nexcept SystemExit as done:\n"
                           "    assert not done.code, done.code")
    assert "qualkit.services.projects" in loaded
    assert not [name for name in HEAVY if name in loaded]


def test_choices_spelt_in_the_cli_are_the_services_own() -> None:
    from qualkit import cli
    from qualkit.agreement import Level

    assert list(cli.ReviewOrder) == list(services.ReviewOrder)
    assert list(cli.Level) == list(Level)
    assert tuple(services.REPORT_FORMATS) == cli.REPORT_FORMATS
    assert tuple(services.EXPORT_FORMATS) == cli.EXPORT_FORMATS
    assert tuple(services.REFI_FORMATS) == cli.REFI_FORMATS


def test_init_import_participants_show_status_segments(tmp_path: Path, transcript: Path) -> None:
    project = tmp_path / "p"
    assert run("init", project)[0] == 0
    code, out, _ = run("import", project, transcript)
    assert code == 0 and "Imported 1 document(s), 5 segments" in out
    code, out, _ = run("import", project, transcript)
    assert "1 unchanged" in out
    sheet = tmp_path / "participants.csv"
    sheet.write_text("speaker,group,role\nKeyworker C,Keyworkers,Keyworker\n")
    code, out, _ = run("participants", project, sheet)
    assert code == 0 and "Applied 1 row(s)" in out and "Keyworkers" in out
    for what in ("documents", "segments", "participants", "counts"):
        assert run("show", project, what)[0] == 0
    code, out, err = run("status", project)
    assert code == 0 and "documents: 1" in out and "Keyworkers" in out
    assert "has not been anonymised yet" in " ".join(err.split())  # the state, said, not fixed by a read
    code, out, _ = run("segments", project, "--jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 5
    assert {"id", "document", "speaker", "group", "start", "end", "text"} <= set(records[0])
    assert records[2]["group"] == "Keyworkers" and records[2]["speaker"] == "Keyworker C"


def test_set_group(tmp_path: Path) -> None:
    project = tmp_path / "p"
    run("init", project)
    notes = tmp_path / "notes.txt"
    notes.write_text("01/02/2024 - Visit by keyworker.\n\n02/02/2024 - Call by manager.\n")
    run("import", project, notes)
    code, out, _ = run("set-group", project, "notes.txt", "Keyworkers")
    assert code == 0
    _, out, _ = run("segments", project, "--jsonl")
    assert {json.loads(line)["group"] for line in out.splitlines()} == {"Keyworkers"}


@pytest.mark.parametrize("args, message", [
    (("status", "nowhere"), "is not a qualkit project"),
    (("set-group", "{p}", "missing.txt", "X"), "no document named 'missing.txt'"),
    (("import", "{p}", "{bad}"), "broken.pdf: could not be read as a PDF"),
])
def test_errors_are_one_clean_message(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    project = tmp_path / "p"
    run("init", project)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really a pdf")
    code, _, err = run(*(a.format(p=project, bad=bad) for a in args))
    assert code == 1
    assert message in " ".join(err.split())
    assert "Traceback" not in err


# --- codebooks, coding, review, topics, evaluation -----------------------------------------------

@pytest.fixture
def coding_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project with the test units imported, and the test codebook file (not yet imported)."""
    monkeypatch.setattr(embeddings, "MiniLMEmbedder", BagOfWordsEmbedder)
    codebook, units = write_sources(tmp_path / "src")
    project = tmp_path / "p"
    run("init", project)
    run("import", project, units)
    return project, codebook


def test_codebook_validate_show_import_export(coding_project: tuple[Path, Path], tmp_path: Path) -> None:
    project, codebook = coding_project
    code, out, _ = run("codebook", "validate", codebook)
    assert code == 0 and "valid; 'Test codebook' has 3 codes (2 top-level)" in out
    code, out, _ = run("codebook", "show", codebook)
    assert code == 0 and "repairs" in out and "Housing" in out
    code, out, _ = run("codebook", "import", project, codebook)
    assert code == 0 and "Stored codebook 'Test codebook' version 1 (3 codes)" in out
    assert "is unchanged (version 1)" in run("codebook", "import", project, codebook)[1]
    assert "Test codebook (version 1)" in run("codebook", "show", project)[1]
    exported = tmp_path / "out.yaml"
    code, out, _ = run("codebook", "export", project, exported)
    assert code == 0 and exported.read_text(encoding="utf-8").startswith("name: Test codebook")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncodes:\n  - id: Bad Id\n    name: B\n")
    code, _, err = run("codebook", "validate", bad)
    assert code == 1 and "line 3" in err and "Traceback" not in err


def test_code_without_a_coder_runs_the_one_qualkit_toml_names(coding_project: tuple[Path, Path]) -> None:
    project, codebook = coding_project
    run("codebook", "import", project, codebook)
    settings = project / "qualkit.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('coder = "ensemble"', 'coder = "testkeyword"'), encoding="utf-8")
    code, out, _ = run("code", project)
    assert code == 0 and "testkeyword.v1 on 6 segments" in out
    assert "parameters: (defaults)" in " ".join(out.split())


def test_code_review_and_evaluate(coding_project: tuple[Path, Path]) -> None:
    project, codebook = coding_project
    run("codebook", "import", project, codebook)
    code, out, _ = run("code", project, "--coder", "testkeyword")
    assert code == 0 and "testkeyword.v1 on 6 segments" in out
    # suggestions are the coder's own yes (3); the 0.4 scores are candidates, stored to rank the queue
    assert "3 suggestions (the coder said yes) and 3 lower-scoring candidates stored for review" in " ".join(
        out.split())
    code, out, _ = run("review", project, "--limit", "3")
    assert code == 0 and "why: matched: fixed" in out and "score 0.40 (maybe)" in out and "0.70" not in out
    ids = [item.id for item in services.review_queue(services.open_project(project), 5, code="housing")]
    assert len(ids) == 2 and run("review", project, "--code", "housing")[0] == 0
    code, out, _ = run("review", project, "--accept", ids[0], "--reject", ids[1], "--as", "ana")
    assert code == 0 and "Recorded 2 decision(s)" in out
    code, out, _ = run("evaluate", project)
    assert code == 0 and "on 2 segments" in out and "macro average" in out and "housing" in out
    code, _, err = run("review", project, "--accept", "9999")
    assert code == 1 and "no coding with id 9999" in err


def table_rows(out: str) -> dict[str, list[str]]:
    """A rich table's body rows printed to `out`, by their first cell."""
    rows = [[cell.strip() for cell in line.strip("│┃").split("│")] for line in out.splitlines()
            if line.startswith("│")]
    return {row[0]: row[1:] for row in rows}


def test_evaluate_since_run_per_code_with_decisions(coding_project: tuple[Path, Path]) -> None:
    project, codebook = coding_project
    run("codebook", "import", project, codebook)
    run("code", project, "--coder", "testkeyword")
    code, out, _ = run("evaluate", project, "--since-run")
    assert code == 0 and "No decisions on codings by machine were made after it ran" in out
    opened = services.open_project(project)
    segment = {s.text: s.id for s in services.iter_segments(opened)}
    coding = {(item.segment_id, item.code): item.id for item in services.review_queue(opened, 100)}
    units = [segment[text] for text, _, _ in UNITS]
    # the coder said: trust yes on unit 1, no on 3; housing yes on 2 and 4; repairs no on 2 and 6
    accept = [coding[units[0], "trust"], coding[units[1], "housing"]]
    reject = [coding[units[2], "trust"], coding[units[3], "housing"], coding[units[1], "repairs"],
              coding[units[5], "repairs"]]
    decisions = [arg for flag, ids in (("--accept", accept), ("--reject", reject)) for i in ids
                 for arg in (flag, i)]
    assert run("review", project, *decisions, "--as", "ana")[0] == 0
    code, out, _ = run("evaluate", project, "--since-run")
    assert code == 0 and "testkeyword.v1 against 6 decisions people made after it ran" in out
    # decisions, accepted, agreement, kappa: trust all agree (kappa 1); housing one of two (kappa 0: the
    # coder said yes to both); repairs all agree, but neither side ever said yes (kappa undefined)
    assert table_rows(out) == {"trust": ["2", "1", "100%", "1.00"], "housing": ["2", "1", "50%", "0.00"],
                               "repairs": ["2", "0", "100%", "-"]}


def test_topics_list_and_promote(coding_project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    project, codebook = coding_project
    run("codebook", "import", project, codebook)
    run("import", project, write_units(codebook.parent / "school.jsonl", SCHOOL_UNITS))
    monkeypatch.setattr(services, "discover_topics", functools.partial(
        services.discover_topics, reducer=PCA(n_components=2, random_state=0),
        clusterer=KMeans(n_clusters=2, n_init=5, random_state=0)))
    code, out, _ = run("topics", project, "--min-size", "2")
    assert code == 0 and "Topic 0" in out and "Topic 1" in out and "nearest code:" in out
    code, out, _ = run("topics", project, "--min-size", "2", "--promote", "1", "--code-id", "new_theme",
                       "--name", "New theme")
    assert code == 0 and "Added code 'new_theme' to 'Test codebook', now version 2" in out
    code, _, err = run("topics", project, "--min-size", "2", "--promote", "7", "--code-id", "x",
                       "--name", "X")
    assert code == 1 and "no topic 7" in err


def test_anonymise_jsonl_contract_keeps_the_key_apart(tmp_path: Path) -> None:
    lines = ('{"id": 1, "text": "Kayden said Jodie rang 07700 900123."}\n'
             '{"id": "b", "text": "kayden was back at school."}\n')
    result = runner.invoke(app, ["anonymise-jsonl", "--key", str(tmp_path / "key.json")], input=lines)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == [1, "b"]
    assert not any(word in result.stdout.lower() for word in ("kayden", "jodie", "07700"))
    assert {s["label"] for s in records[0]["spans"]} == {"PERSON", "PHONE"}
    assert "kayden" in (tmp_path / "key.json").read_text().lower()


@pytest.mark.slow
def test_anonymise_and_review_redactions(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Parent: Jodie rang 07700 900123 about the Rosebank estate.\n", encoding="utf-8")
    project = tmp_path / "p"
    run("init", project)
    run("import", project, source)
    code, out, _ = run("anonymise", project, "--allow", "Harbour", "--deny", "Rosebank=PLACE")
    assert code == 0 and "PHONE" in out and "PERSON" in out and "07700" not in out
    code, out, _ = run("anonymise", project, "--terms")
    assert "allow  Harbour" in out and "deny   Rosebank  (PLACE)" in out
    code, out, _ = run("redactions", project, "--label", "PHONE")
    assert code == 0 and "rang [07700 900123]" in out
    redaction = out.split()[0].lstrip("#")
    code, out, _ = run("redactions", project, "--reject", redaction, "--as", "ana")
    assert code == 0 and "Recorded 1 decision" in out
    code, _, err = run("redactions", project, "--add", "notes.txt:0:6:NAME")
    assert code == 1 and "unknown label" in err
    key = tmp_path / "private" / "key.json"
    key.parent.mkdir()
    code, out, _ = run("anonymise", project, "--export-key", key)
    assert code == 0 and "1 earlier decision(s) kept" in out and "Jodie" in key.read_text(encoding="utf-8")
