"""The CLI is a thin layer: each command works, errors are clean, everything is documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualkit.cli import app

from paths import REPO

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def command_names() -> list[str]:
    return sorted(c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands)


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in command_names():
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage" in out, name
        assert f"qualkit {name}" in readme, f"README does not document `qualkit {name}`"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "qualkit", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "import" in result.stdout


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
    code, out, _ = run("status", project)
    assert code == 0 and "documents: 1" in out and "Keyworkers" in out
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
