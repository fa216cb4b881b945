"""A report as one standalone HTML file: styles inline, charts as base64 PNG, opens offline."""

from __future__ import annotations

import base64
from html import escape

from qualkit.reports.document import Chart, Heading, Paragraph, Quote, ReportDocument, Table, cell_text

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccd; padding-bottom: .2rem; }
.scroll { overflow-x: auto; margin: .6rem 0 1.4rem; }
table { border-collapse: collapse; font-size: .85rem; }
caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: .3rem; }
th, td { border: 1px solid #c8c8d0; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #eef1f6; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
blockquote { margin: .6rem 0 .9rem; padding: .4rem .9rem; border-left: 4px solid #8aa4c8;
             background: #f7f9fc; }
blockquote footer { color: #555; font-size: .85rem; margin-top: .3rem; }
.note { background: #fff4d6; border: 1px solid #e0b84a; padding: .6rem .9rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .scroll { overflow: visible; }
  thead { display: table-header-group; }  /* the header row again on every printed page */
  tr, blockquote, figure { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  th { background: none; }
}
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{escape(cell_text(v))}</td>' if isinstance(v, int | float)
                         else f"<td>{escape(cell_text(v))}</td>" for v in row) + "</tr>"
        for row in table.rows)
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return (f'<div class="scroll"><table data-name="{escape(table.name)}">{caption}<thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def _block(block: object) -> str:
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f'<p class="note">{escape(block.text)}</p>' if block.note else f"<p>{escape(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        data = base64.b64encode(block.png).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.alt)}">'
                f"<figcaption>{escape(block.alt)}.</figcaption></figure>")
    if isinstance(block, Quote):
        return (f'<blockquote data-status="{escape(block.status)}"><p>“{escape(block.text)}”</p>'
                f"<footer>— {escape(block.attribution)}</footer></blockquote>")
    raise TypeError(f"unknown block {type(block).__name__}")


def render(document: ReportDocument) -> str:
    body = "\n".join(_block(b) for b in document.readable_blocks())
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{escape(document.title)}</h1>\n{body}\n</body>\n</html>\n")
