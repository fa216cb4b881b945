"""A report as Markdown (GitHub-flavoured tables). Charts stay in the HTML and Word versions: their
numbers are in the tables beside them. Every text from data (quotes, codes, names, captions) goes
through `escaping.markdown_text`: no raw HTML, link or image from a transcript reaches a reader."""

from __future__ import annotations

from qualkit.escaping import markdown_text
from qualkit.reports.document import Chart, Heading, Paragraph, Quote, ReportDocument, Table, cell_text


def _cell(value: object) -> str:
    return markdown_text(cell_text(value), line_start=False)  # type: ignore[arg-type]


def table_lines(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]


def render(document: ReportDocument) -> str:
    lines = [f"# {markdown_text(document.title)}", ""]
    for block in document.readable_blocks():
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + markdown_text(block.text), ""]
        elif isinstance(block, Paragraph):
            text = markdown_text(block.text)
            lines += [f"> **Note:** {text}" if block.note else text, ""]
        elif isinstance(block, Table):
            caption = [f"*{markdown_text(block.caption)}*", ""] if block.caption else []
            lines += [*caption, *table_lines(block), ""]
        elif isinstance(block, Chart):
            lines += [f"*Chart (in the HTML and Word versions): {markdown_text(block.alt)}.*", ""]
        elif isinstance(block, Quote):
            lines += [f"> “{markdown_text(block.text)}”", ">", f"> — {markdown_text(block.attribution)}", ""]
    return "\n".join(lines).rstrip() + "\n"
