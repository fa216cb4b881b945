"""A report as a renderer sees it: a title and a list of blocks, in reading order.

Every renderer (Markdown, HTML, Word, Excel) walks the same blocks, so every format shows the same
numbers. Text in blocks is already anonymised.
"""

from __future__ import annotations

from dataclasses import dataclass

Cell = str | int | float | None


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1 = a section, 2 = a theme, 3 = a group within a theme


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # a caveat readers must not miss (e.g. unreviewed suggestions are counted)


@dataclass(frozen=True)
class Table:
    name: str  # short: the workbook's sheet name
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    workbook_only: bool = False  # detail for analysts: a sheet of the workbook, not a page of the text


@dataclass(frozen=True)
class Chart:
    name: str
    png: bytes
    alt: str  # what the chart shows, for readers who cannot see it


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str  # "Keyworker C (Keyworkers), kw_c_interview.vtt, segment 12"
    theme: str
    group: str
    status: str  # accepted | suggested


Block = Heading | Paragraph | Table | Chart | Quote


@dataclass(frozen=True)
class ReportDocument:
    title: str
    blocks: list[Block]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def readable_blocks(self) -> list[Block]:
        """The blocks a text format (Word, HTML, Markdown) shows: all but workbook-only tables."""
        return [b for b in self.blocks if not (isinstance(b, Table) and b.workbook_only)]

    def quotes(self) -> list[Quote]:
        return [b for b in self.blocks if isinstance(b, Quote)]


def cell_text(value: Cell) -> str:
    """How a cell reads in text formats: percentages and other floats to one decimal place."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
