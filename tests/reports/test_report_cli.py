"""`qualkit report` and `qualkit export`: files land in reports/, filters work, errors are one line."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app

from formats import as_dicts, csv_rows

runner = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())  # as one line, unwrapped


def test_report_writes_every_format_into_a_dated_folder_of_the_reports(small: services.Project) -> None:
    before = set((small.folder / "reports").iterdir())
    code, out, _ = run("report", small.folder)
    assert code == 0
    (folder,) = set((small.folder / "reports").iterdir()) - before  # one build, one new dated folder
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d{6}", folder.name)
    written = {folder / f"thematic_report.{s}" for s in ("docx", "html", "md", "xlsx")}
    assert all(path.is_file() and str(path) in "".join(out.split()) for path in written)  # unwrapped
    for path in written:
        path.unlink()  # the next build may fall in the same second
    code, _, _ = run("report", small.folder, "--format", "md", "--framework", "--include-empty", "-o", folder)
    assert code == 0 and "Framework matrix" in (folder / "thematic_report.md").read_text(encoding="utf-8")


def test_report_formats_and_filters(small: services.Project, tmp_path: Path) -> None:
    code, _, _ = run("report", small.folder, "--format", "md", "--group", "Keyworkers", "--code", "housing",
                     "-o", tmp_path)
    assert code == 0 and [p.name for p in tmp_path.iterdir()] == ["thematic_report.md"]
    text = (tmp_path / "thematic_report.md").read_text(encoding="utf-8")
    assert "Scope: codes under housing; stakeholder groups Keyworkers." in text
    assert "| Repairs | 1 | 1 |" in text and "Trust" not in text and "Families" not in text


def test_export_quote_table_with_code_paths_and_suggestions(small: services.Project, tmp_path: Path) -> None:
    target = tmp_path / "quotes.csv"
    code, out, _ = run("export", small.folder, "--format", "quotes-csv", "--code-paths",
                       "--include-suggestions", "-o", target)
    assert code == 0 and str(target) in out
    records = as_dicts(csv_rows(target))
    assert {r["status"] for r in records} == {"accepted", "suggested"}
    assert "Housing/Repairs" in {r["code_paths"] for r in records}


def test_export_binary_matrix_and_a_filter_error(small: services.Project, tmp_path: Path) -> None:
    code, _, _ = run("export", small.folder, "--format", "matrix-csv", "--binary", "--where", "site=Nowhere",
                     "-o", tmp_path / "m.csv")
    assert code == 1  # no such attribute value: a clean error, no file
    assert not (tmp_path / "m.csv").exists()
    code, _, _ = run("export", small.folder, "--format", "matrix-csv", "--binary", "-o", tmp_path / "m.csv")
    rows = as_dicts(csv_rows(tmp_path / "m.csv"))
    assert code == 0 and {r["trust"] for r in rows} == {"0", "1"}


def test_errors_are_one_clean_line(small: services.Project) -> None:
    code, _, err = run("report", small.folder, "--code", "nonesuch")
    assert code == 1 and "has no code 'nonesuch'" in err and "Traceback" not in err
    code, _, err = run("report", small.folder, "--group", "Martians")
    assert code == 1 and "no stakeholder group 'Martians'" in err and "Families, Keyworkers" in err
    code, _, err = run("export", small.folder, "--format", "pdf")
    assert code == 2 and "quotes-csv" in err
