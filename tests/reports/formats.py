"""Reading every output format back as tables of text, for tests that compare them with the database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bs4 import BeautifulSoup
from docx import Document
from openpyxl import load_workbook

Rows = list[list[str]]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def markdown_tables(path: Path) -> dict[str, Rows]:
    """Markdown tables keyed by the caption line above them (`*caption*`)."""
    tables: dict[str, Rows] = {}
    caption, rows = "", []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("|---"):
            continue
        if line.startswith("| "):
            rows.append([c.strip().replace("\\|", "|") for c in line[2:-2].split(" | ")])
        elif rows:
            tables[caption] = rows
            rows = []
        elif line.startswith("*") and line.endswith("*"):
            caption = line.strip("*")
    return tables


def html_tables(path: Path) -> dict[str, Rows]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    return {t["data-name"]: [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in t.find_all("tr")]
            for t in soup.find_all("table")}


def docx_tables(path: Path) -> list[Rows]:
    return [[[c.text for c in row.cells] for row in table.rows] for table in Document(str(path)).tables]


def docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_sheets(path: Path) -> dict[str, Rows]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets}


def csv_rows(path: Path) -> Rows:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def as_dicts(rows: Rows) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
