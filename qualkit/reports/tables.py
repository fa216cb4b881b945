"""Export tables: the anonymised quote table authors paste into papers, and case x code matrices for
statistical follow-up; written as CSV text or XLSX bytes."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from openpyxl import Workbook

from qualkit.model.coding import Status
from qualkit.reports.cells import csv_cell
from qualkit.reports.counts import coded_segments, group_order
from qualkit.reports.document import Cell
from qualkit.reports.model import ReportInput, Spans, TextView
from qualkit.reports.quotes import coded_text
from qualkit.reports.xlsx import add_sheet, workbook_bytes

QUOTE_COLUMNS = ["quote", "themes", "group", "participant", "document", "position", "status"]
CODE_PATHS = "code_paths"

Rows = tuple[list[str], list[list[Cell]]]


def quote_table(data: ReportInput, view: TextView, *, code_paths: bool = False) -> Rows:
    """One row per coded segment, status and coded part (a segment with accepted and pending themes
    gets a row for each; a theme coded on part of a segment gets a row quoting that part), in document
    order, with its themes in codebook order."""
    coded = coded_segments(data)
    by_segment: dict[int, dict[tuple[Status, Spans], list[int]]] = defaultdict(lambda: defaultdict(list))
    quoted: dict[tuple[int, Status, Spans], str] = {}
    for index, theme in enumerate(data.themes):
        for segment_id, coding in coded.get(theme.key, {}).items():
            by_segment[segment_id][(coding.status, coding.spans)].append(index)
            quoted.setdefault((segment_id, coding.status, coding.spans), coded_text(view, coding))
    rows: list[list[Cell]] = []
    for segment in data.segments:
        found = by_segment.get(segment.id, {})
        for status, spans in sorted(found, key=lambda part: (part[0] != Status.ACCEPTED, part[1])):
            themes = [data.themes[i] for i in sorted(found[(status, spans)])]
            paths = ["; ".join(t.path for t in themes)] if code_paths else []
            rows.append([quoted[(segment.id, status, spans)], "; ".join(t.name for t in themes),
                         data.group_name(segment.group, view), view.participant(segment.participant),
                         view.document(segment.document), segment.position, status, *paths])
    return QUOTE_COLUMNS + ([CODE_PATHS] if code_paths else []), rows


def case_matrix(data: ReportInput, view: TextView, *, binary: bool = False) -> Rows:
    """Cases (participants; documents without speakers) x codes: how many of the case's segments
    carry each code, or 1/0 for whether any does."""
    coded = coded_segments(data)
    segments = {s.id: s for s in data.segments}
    cases = {}
    for segment in data.segments:
        cases.setdefault(segment.case, segment)
    tally: dict[tuple[tuple[str, int], str], int] = defaultdict(int)
    for theme in data.themes:
        for segment_id in coded.get(theme.key, {}):
            tally[(segments[segment_id].case, theme.key)] += 1
    groups = {g: i for i, g in enumerate(group_order(data.segments))}
    order = sorted(cases.values(), key=lambda s: (groups[s.group], s.case_name(view).casefold()))
    rows: list[list[Cell]] = []
    for case in order:
        values = [tally[(case.case, t.key)] for t in data.themes]
        rows.append([case.case_name(view), data.group_name(case.group, view),
                     *([int(v > 0) for v in values] if binary else values)])
    return ["case", "group", *(t.key for t in data.themes)], rows


def csv_text(columns: list[str], rows: list[list[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])
    writer.writerows(["" if v is None else csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list[Cell]]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for name, columns, rows in sheets:
        add_sheet(book, name, columns, rows, taken)
    return workbook_bytes(book)
