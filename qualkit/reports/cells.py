"""Spreadsheet-safe cells for every CSV and XLSX file qualkit writes (formula injection).

A transcript line, a code or a name that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would be read as a formula by Excel, LibreOffice or Google Sheets (`=HYPERLINK("http://…")` sends data
away when clicked). The rule, one for all outputs:

- CSV: such a text cell is written with a leading apostrophe `'` (the prefix spreadsheets themselves
  use for "this is text"). Strip that one character to get the stored text back. (A carriage return
  inside a cell is written as a line break.)
- XLSX: such a cell is stored as text, never as a formula, with Excel's own quote prefix set
  (`quotePrefix`), so it shows exactly as written and stays text if edited.

Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_PREFIX = "'"


def starts_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet will run: text starting a formula gets the `'` prefix. A carriage
    return inside text becomes a line break (the writer quotes those; a bare CR would end the row)."""
    if not isinstance(value, str):
        return value
    prefixed = CSV_PREFIX + value if starts_formula(value) else value
    return prefixed.replace("\r\n", "\n").replace("\r", "\n")


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """`sheet.append(values)` (openpyxl), with every text that would start a formula kept as text."""
    values = list(values)
    sheet.append(values)
    if not any(starts_formula(v) for v in values):
        return
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if starts_formula(value):
            cell.value = value
            cell.data_type = "s"  # openpyxl makes any text starting with "=" a formula
            cell.quotePrefix = True
