"""A report as a Word document with real headings, tables and captions, so authors can edit it."""

from __future__ import annotations

import io
import struct

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt

from qualkit.reports.document import Chart, Heading, Paragraph, Quote, ReportDocument, Table, cell_text

WIDE = 6  # tables with more columns than this get a smaller font
TEXT_WIDTH_CM = 26.1  # landscape A4 less margins
CHART_HEIGHT_CM = 11.0  # a chart shares its page with the end of the table before it


def column_widths(table: Table) -> list[float]:
    """Centimetres per column, in proportion to each column's longest text (counted as between 4
    and 60 characters, a header as at most 12, so numbers stay narrow and long text gets room)."""
    longest = [min(60, max(4, min(len(name), 12), *(len(cell_text(row[i])) for row in table.rows)))
               for i, name in enumerate(table.columns)]
    return [TEXT_WIDTH_CM * (n + 3) / sum(m + 3 for m in longest) for n in longest]


def picture_width(png: bytes) -> float:
    """Centimetres wide a PNG can be shown at, keeping its shape, to fit one page."""
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk: every PNG starts with it
    return min(TEXT_WIDTH_CM, CHART_HEIGHT_CM * width / height)


def _table(doc, table: Table) -> None:  # type: ignore[no-untyped-def]
    if table.caption:
        doc.add_paragraph(table.caption, style="Caption")
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    widths = [Cm(w) for w in column_widths(table)]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice reads; Word reads the cells'
    size = Pt(7.5) if len(table.columns) > WIDE else Pt(8.5)
    for cell, name, width in zip(grid.rows[0].cells, table.columns, widths, strict=True):
        cell.width = width
        run = cell.paragraphs[0].add_run(name)
        run.bold, run.font.size = True, size
    _keep_whole(grid.rows[0], header=True)
    for row in table.rows:
        added = grid.add_row()
        _keep_whole(added)
        cells = added.cells
        for cell, value, width in zip(cells, row, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.add_run(cell_text(value)).font.size = size
            if isinstance(value, int | float):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _keep_whole(row, header: bool = False) -> None:  # type: ignore[no-untyped-def]
    """A row never splits across a page break; the header row repeats on every page."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def render(document: ReportDocument) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # theme x group tables and the framework matrix are wide
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    doc.add_heading(document.title, level=0)
    for block in document.readable_blocks():
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.note:
                run.bold = True
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, Chart):
            doc.add_picture(io.BytesIO(block.png), width=Cm(picture_width(block.png)))
            doc.add_paragraph(f"{block.alt}.", style="Caption")
        elif isinstance(block, Quote):
            doc.add_paragraph(f"“{block.text}”", style="Quote")
            attribution = doc.add_paragraph(f"— {block.attribution}")
            attribution.paragraph_format.left_indent = Cm(1.5)
            attribution.runs[0].font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
