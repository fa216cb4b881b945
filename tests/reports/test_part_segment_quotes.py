"""Part-segment codings are quoted as coded (issue 17, item 5): exports, reports and the pandas frame
show the coded words of a long turn, anonymised, not the whole turn; a sentence of context on request."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

import qualkit
from qualkit import services

from coding_doubles import write_sources
from formats import csv_rows, docx_text, xlsx_sheets
from small_project import segment_id

INTERVIEW = "forms_interview.txt"
TURN = ("The forms were endless and the letters kept coming. You fill it all in and you don't know who's "
        "reading it. Then Mr Patel from the council rang me at work about the arrears.")
PHRASE = "you don't know who's reading it"
NAMED = "Mr Patel from the council rang me at work"
PSEUDONYM = "[Person 1]"  # what the project's anonymisation (bracket style) shows for "Mr Patel"
INTERVIEW_TEXT = (f"Interviewer: What was the hardest part?\n\nParent: {TURN}\n\n"
                  "Interviewer: And now?\n\nParent: Better, mostly.\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    root = tmp_path_factory.mktemp("spans")
    codebook, units = write_sources(root / "sources")
    interview = root / "sources" / INTERVIEW
    interview.write_text(INTERVIEW_TEXT, encoding="utf-8")
    project = services.init_project(root / "evaluation")
    services.import_sources(project, [units, interview])
    services.import_codebook(project, codebook)
    turn = segment_id(project, INTERVIEW, "The forms")
    for words, code in ((PHRASE, "trust"), (NAMED, "housing")):
        start = TURN.index(words)
        services.add_coding(project, turn, code, "Ana", span=(start, start + len(words)))
    return project


def quotes_by_theme(rows: list[list[str]]) -> dict[str, str]:
    header, *body = rows
    return {row[header.index("themes")]: row[header.index("quote")] for row in body}


def test_exports_quote_exactly_the_coded_words_anonymised(project: services.Project, tmp_path: Path) -> None:
    csv_path = services.export(project, "quotes-csv", tmp_path / "quotes.csv").path
    xlsx_path = services.export(project, "quotes-xlsx", tmp_path / "quotes.xlsx").path
    for rows in (csv_rows(csv_path), xlsx_sheets(xlsx_path)["Quotes"]):
        quoted = quotes_by_theme(rows)
        assert quoted["Trust"] == PHRASE  # exactly the phrase, not the turn
        assert quoted["Housing"] == f"{PSEUDONYM} from the council rang me at work"  # the name replaced


def test_reports_in_every_format_quote_the_coded_words(project: services.Project, tmp_path: Path) -> None:
    written = {p.suffix: p for p in services.write_report(project, folder=tmp_path)}
    texts = {".md": written[".md"].read_text(encoding="utf-8"),
             ".html": html.unescape(written[".html"].read_text(encoding="utf-8")),
             ".docx": docx_text(written[".docx"]),
             ".xlsx": "\n".join(" ".join(r) for rows in xlsx_sheets(written[".xlsx"]).values() for r in rows)}
    for suffix, text in texts.items():
        assert PHRASE in text, suffix
        assert "The forms were endless" not in text and "Patel" not in text, suffix


def test_a_sentence_of_context_on_request(project: services.Project, tmp_path: Path) -> None:
    options = services.ReportOptions(context=True)
    path = services.export(project, "quotes-csv", tmp_path / "quotes.csv", options).path
    quoted = quotes_by_theme(csv_rows(path))
    assert quoted["Trust"] == f"You fill it all in and {PHRASE}."
    assert quoted["Housing"] == f"Then {PSEUDONYM} from the council rang me at work about the arrears."


def test_the_pandas_frame_shows_the_coded_words(project: services.Project) -> None:
    notebook = qualkit.Project(project.folder)
    texts = dict(zip(notebook.codings_frame()["code"], notebook.codings_frame()["text"], strict=True))
    assert texts == {"trust": PHRASE, "housing": f"{PSEUDONYM} from the council rang me at work"}
    raw = notebook.codings_frame(anonymised=False)
    assert dict(zip(raw["code"], raw["text"], strict=True)) == {"trust": PHRASE, "housing": NAMED}
    widened = notebook.codings_frame(anonymised=False, context=True)
    assert widened.set_index("code").loc["trust", "text"] == f"You fill it all in and {PHRASE}."


def test_the_cli_quotes_with_context_on_request(project: services.Project, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qualkit.cli import app

    for flags, expected in (((), PHRASE), (("--context",), f"You fill it all in and {PHRASE}.")):
        target = tmp_path / f"quotes{len(flags)}.csv"
        result = CliRunner().invoke(app, ["export", str(project.folder), "--format", "quotes-csv", *flags,
                                          "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert quotes_by_theme(csv_rows(target))["Trust"] == expected
