"""Tables (.csv, .tsv, .xlsx) and JSONL: one unit per row or line, other columns as attributes."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from qualkit.errors import CorruptFileError, FileTooLargeError, NoTextError, SheetError, UnsafeFileError
from qualkit.ingest.casenotes import iso_date
from qualkit.ingest.encoding import decode_text
from qualkit.ingest.extracted import ReadContext, SourceUnit, StructuredUnits
from qualkit.ingest.safety import Limits, check_depth, corrupt
from qualkit.model import SegmentKind

TEXT_COLUMN_NAMES = ("text", "note", "notes", "entry", "answer", "response", "comment", "comments",
                     "content", "transcript", "quote", "case_note", "case note")
SPEAKER_COLUMN_NAMES = ("speaker", "participant", "respondent", "participant_id", "respondent_id")
GROUP_COLUMN_NAMES = ("group", "stakeholder_group", "stakeholder group", "stakeholder")
_FREE_TEXT_MIN_WORDS = 6
_JSONL_RESERVED = {"text", "speaker", "group", "document", "start", "end", "id"}


def read_csv(data: bytes, ctx: ReadContext) -> StructuredUnits:
    return _table_units(_csv_rows(data, ctx), ctx, sheet=None)


def _csv_rows(data: bytes, ctx: ReadContext) -> list[list[str]]:
    text = decode_text(data, ctx.path)
    try:  # only the delimiter: the sniffer misreads doubled quotes ("") when a field has a comma
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = "\t" if ctx.path.suffix.lower() == ".tsv" else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_sheet_rows(data: bytes, ctx: ReadContext) -> list[list[str]]:
    """The rows (header first) of a CSV/TSV file or of a workbook's first filled sheet."""
    if ctx.path.suffix.lower() == ".xlsx":
        rows = _xlsx_sheets(data, ctx)[0][1]
    elif ctx.path.suffix.lower() in {".csv", ".tsv"}:
        rows = _csv_rows(data, ctx)
    else:
        raise SheetError(ctx.path, "is not a .csv, .tsv or .xlsx sheet.", "Save the sheet as CSV or XLSX.")
    if len(rows) < 2:
        raise NoTextError(ctx.path, "has a header but no rows.", "Add one row per entry below the header.")
    return rows


def _xlsx_sheets(data: bytes, ctx: ReadContext) -> list[tuple[str, list[list[str]]]]:
    # openpyxl loads only when a workbook is read: CSV readers and participants sheets need not wait for it.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise corrupt(ctx.path, "an Excel .xlsx workbook", error) from error
    sheets = []
    cells = 0
    try:  # read-only sheets are read lazily: a truncated or broken sheet fails here, not on opening
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > ctx.options.limits.max_cells:
                    raise FileTooLargeError(
                        ctx.path, f"has more than {ctx.options.limits.max_cells:,} cells (empty ones "
                                  "included), over qualkit's limit (max_cells).",
                        "Delete the unused rows and columns (or copy the table into a new workbook) and "
                        "save it again.")
                rows.append([_cell(v) for v in row])
            if any(any(row) for row in rows):
                sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    if not sheets:
        raise NoTextError(ctx.path, "has no filled cells.", "Check you saved the right workbook.")
    return sheets


def read_xlsx(data: bytes, ctx: ReadContext) -> list[StructuredUnits]:
    sheets = _xlsx_sheets(data, ctx)
    if len(sheets) == 1:
        return [_table_units(sheets[0][1], ctx, sheet=None)]
    return [_table_units(rows, ctx, sheet=title) for title, rows in sheets]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _find(header: list[str], names: Iterable[str]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def _table_units(rows: list[list[str]], ctx: ReadContext, sheet: str | None) -> StructuredUnits:
    """Rows after the header become units; errors name the spreadsheet row (header = row 1)."""
    where = f"{ctx.path} [{sheet}]" if sheet else ctx.path
    if len(rows) < 2:
        raise NoTextError(where, "has a header but no rows.", "Add one row per entry below the header.")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or not all(header):
        raise SheetError(where, "has empty or repeated column names in its header.",
                         "Give every column a unique name in the first row.", row=1)
    speaker_col = _find(header, SPEAKER_COLUMN_NAMES)
    group_col = _find(header, GROUP_COLUMN_NAMES)
    date_col = _find(header, ("date",))
    text_cols = _text_columns(header, rows[1:], ctx, where, {speaker_col, group_col, date_col})
    units = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            raise SheetError(
                where, f"has {len(row)} cells but the header has {len(header)}.",
                "A comma inside the text is probably not quoted: put that text in double quotes.",
                row=number,
            )
        row = [*row, *[""] * (len(header) - len(row))]
        attributes: dict[str, Any] = {"row": number}
        for i, name in enumerate(header):
            value = row[i].strip()
            if i in text_cols or i in (speaker_col, group_col) or not value:
                continue
            attributes[name] = _date_iso(value) if i == date_col else value
        speaker = row[speaker_col].strip() or None if speaker_col is not None else None
        group = row[group_col].strip() or None if group_col is not None else None
        for i in text_cols:
            if row[i].strip():
                extra = {"question": header[i]} if len(text_cols) > 1 else {}
                units.append(SourceUnit(row[i], speaker, group, attributes={**attributes, **extra}))
    if not units:
        raise NoTextError(where, "has no text in its text column(s).", "Fill in the text column.")
    name = f"{ctx.path.name} [{sheet}]" if sheet else None
    return StructuredUnits(units, SegmentKind.ROW, {"columns": header}, name=name)


def _text_columns(header: list[str], rows: list[list[str]], ctx: ReadContext, where: Any,
                  reserved: set[int | None]) -> list[int]:
    """The columns chosen by the user, a conventionally named one, or every free-text column."""
    if ctx.options.text_columns:
        missing = [c for c in ctx.options.text_columns if c not in header]
        if missing:
            raise SheetError(where, f"has no column named {', '.join(missing)}.",
                             f"Choose from: {', '.join(header)}.", row=1)
        return [header.index(c) for c in ctx.options.text_columns]
    named = _find(header, TEXT_COLUMN_NAMES)
    if named is not None:
        return [named]
    free = []
    for i in range(len(header)):
        cells = [r[i] for r in rows if i < len(r) and r[i].strip()]
        mean_words = sum(len(c.split()) for c in cells) / len(cells) if cells else 0
        if i not in reserved and mean_words >= _FREE_TEXT_MIN_WORDS:
            free.append(i)
    if not free:
        raise SheetError(where, "has no column that looks like free text.",
                         f"Name the text column to import (columns: {', '.join(header)}).", row=1)
    return free


def _date_iso(value: str) -> str:
    parts = value.replace(".", "/").replace("-", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2:
        return iso_date(*parts) or value
    return value


def read_jsonl(data: bytes, ctx: ReadContext) -> list[StructuredUnits]:
    """`{"id", "text", "speaker"?, "group"?, "document"?, ...attributes}` per line; lines that
    name a document are grouped into that document, in order of first appearance."""
    by_document: dict[str | None, list[SourceUnit]] = {}
    limits = ctx.options.limits
    for number, line in enumerate(decode_text(data, ctx.path).splitlines(), start=1):
        if not line.strip():
            continue
        record = _json_line(line, ctx, number, limits)
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise SheetError(ctx.path, 'has no "text" string.',
                             'Each line needs at least {"text": "..."}.', line=number)
        attributes = {k: v for k, v in record.items() if k not in _JSONL_RESERVED}
        if "id" in record:
            attributes["source_id"] = record["id"]
        document = record.get("document")
        by_document.setdefault(str(document) if document is not None else None, []).append(
            SourceUnit(record["text"], _opt_str(record.get("speaker")), _opt_str(record.get("group")),
                       attributes=attributes))
    if not by_document:
        raise NoTextError(ctx.path, "has no JSON lines.", 'Write one {"text": ...} object per line.')
    return [StructuredUnits(units, SegmentKind.ROW, name=name) for name, units in by_document.items()]


class _TooManyDigits(ValueError):
    pass


def _json_line(line: str, ctx: ReadContext, number: int, limits: Limits) -> Any:
    """One JSON line, its nesting and numbers checked against the limits before and while parsing."""
    if line.count("[") + line.count("{") > limits.max_nesting:
        check_depth(ctx.path, _json_depth(line), limits, "brackets", line=number)

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > limits.max_number_digits:
            raise _TooManyDigits(len(digits.lstrip("-")))
        return int(digits)

    try:
        return json.loads(line, parse_int=bounded_int)
    except _TooManyDigits as error:
        raise UnsafeFileError(ctx.path, f"has a number of {error.args[0]:,} digits, over qualkit's limit of "
                                        f"{limits.max_number_digits} digits (max_number_digits).",
                              "Write long identifiers as strings, in double quotes.", line=number) from error
    except json.JSONDecodeError as error:
        raise CorruptFileError(ctx.path, f"is not valid JSON ({error.msg}).",
                               "Each line must be one JSON object.", line=number) from error


def _json_depth(line: str) -> int:
    """How deep brackets nest in one JSON text, ignoring those inside strings (linear)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
