"""A report as an Excel workbook: an "About" sheet with the text, one sheet per table, and the
representative quotes on their own sheet."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from qualkit.reports.cells import append_row
from qualkit.reports.document import Cell, Heading, Paragraph, Quote, ReportDocument

SHEET_CHARS = 31  # Excel's limit on a sheet name
WIDEST = 60


def sheet_name(name: str, taken: set[str]) -> str:
    """`name` made a legal, unused sheet name (no []:*?/\\, at most 31 characters)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:SHEET_CHARS] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[:SHEET_CHARS - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def add_sheet(book: Workbook, name: str, columns: list[str], rows: list[list[Cell]], taken: set[str]) -> None:
    sheet = book.create_sheet(sheet_name(name, taken))
    append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "B2" if len(columns) > 1 else "A2"
    sheet.auto_filter.ref = sheet.dimensions  # every table can be filtered and sorted as it opens
    for i, column in enumerate(columns, start=1):
        longest = max((len(str(r[i - 1])) for r in rows if r[i - 1] is not None), default=0)
        sheet.column_dimensions[get_column_letter(i)].width = min(WIDEST, max(len(column), longest) + 2)
        if longest > WIDEST:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(document: ReportDocument) -> bytes:
    book = Workbook()
    about = book.active
    about.title = "About"
    taken = {"about"}
    append_row(about, [document.title])
    about["A1"].font = Font(bold=True, size=14)
    for block in document.blocks:
        if isinstance(block, Paragraph):
            append_row(about, [("Note: " if block.note else "") + block.text])
        elif isinstance(block, Heading) and block.level == 1:
            about.append([])
            append_row(about, [block.text])
            about.cell(about.max_row, 1).font = Font(bold=True)
    about.column_dimensions["A"].width = 120
    for table in document.tables():
        add_sheet(book, table.name, table.columns, table.rows, taken)
    quotes: list[Quote] = document.quotes()
    if quotes:
        add_sheet(book, "Quotes", ["Theme", "Group", "Quote", "Attribution", "Status"],
                  [[q.theme, q.group, q.text, q.attribution, q.status] for q in quotes], taken)
    return workbook_bytes(book)
