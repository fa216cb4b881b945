"""A report as Markdown (GitHub-flavoured tables). Charts stay in the HTML and Word versions: their
numbers are in the tables beside them."""

from __future__ import annotations

from qualkit.reports.document import Chart, Heading, Paragraph, Quote, ReportDocument, Table, cell_text


def _cell(value: object) -> str:
    return cell_text(value).replace("|", "\\|").replace("\n", " ")  # type: ignore[arg-type]


def table_lines(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]


def render(document: ReportDocument) -> str:
    lines = [f"# {document.title}", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [f"> **Note:** {block.text}" if block.note else block.text, ""]
        elif isinstance(block, Table):
            lines += ([f"*{block.caption}*", ""] if block.caption else []) + table_lines(block) + [""]
        elif isinstance(block, Chart):
            lines += [f"*Chart (in the HTML and Word versions): {block.alt}.*", ""]
        elif isinstance(block, Quote):
            lines += [f"> “{' '.join(block.text.split())}”", ">", f"> — {block.attribution}", ""]
    return "\n".join(lines).rstrip() + "\n"
