"""Word (.docx) and OpenDocument (.odt) text documents."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from qualkit.errors import CorruptFileError, UnsafeFileError
from qualkit.ingest.extracted import FlowText, ReadContext
from qualkit.ingest.safety import check_text_size, corrupt

_MAX_BOLD_LABEL_WORDS = 4
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_BLOCKS = (f"{{{_ODF_TEXT}}}p", f"{{{_ODF_TEXT}}}h")
# Hardened parser: no entity resolution, no network, no huge trees (safety.check_zip runs first too).
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


def read_docx(data: bytes, ctx: ReadContext) -> FlowText:
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several unrelated types for broken packages
        raise corrupt(ctx.path, "a Word .docx document", error) from error
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraphs.append(_paragraph_text(block))
        elif isinstance(block, Table):
            paragraphs.extend(_table_rows(block))
    props = document.core_properties
    attributes = {k: v for k, v in {"title": props.title}.items() if v}
    return FlowText("\n\n".join(p for p in paragraphs if p.strip()), attributes)


def _paragraph_text(paragraph: Paragraph) -> str:
    """Paragraph text; a short bold run at the start is a speaker name, written `Name: text`."""
    runs = paragraph.runs
    bold = []
    for run in runs:
        if run.bold and run.text.strip():
            bold.append(run.text)
        elif run.text.strip() or not bold:
            break
        else:
            bold.append(run.text)
    label = "".join(bold).strip().rstrip(":").strip()
    text = paragraph.text
    if label and 0 < len(label.split()) <= _MAX_BOLD_LABEL_WORDS and text.strip() != "".join(bold).strip():
        rest = text[len("".join(bold)):].lstrip().lstrip(":").lstrip()
        return f"{label}: {rest}"
    return text


def _table_rows(table: Table) -> list[str]:
    """Transcripts laid out as tables (speaker | words) become `speaker: words` paragraphs."""
    rows = []
    for row in table.rows:
        cells = [" ".join(cell.text.split()) for cell in row.cells]
        cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]
        if len(cells) == 2 and len(cells[0].split()) <= _MAX_BOLD_LABEL_WORDS:
            rows.append(f"{cells[0].rstrip(':')}: {cells[1]}")
        elif cells:
            rows.append(" | ".join(cells))
    return rows


def read_odt(data: bytes, ctx: ReadContext) -> FlowText:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = etree.fromstring(archive.read("content.xml"), _SAFE_XML)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as error:
        raise corrupt(ctx.path, "an OpenDocument .odt text", error) from error
    # Only outermost blocks: paragraphs inside notes, annotations or frames belong to their host.
    budget = _Budget(ctx)
    paragraphs = [_odf_text(el, budget) for el in root.iter(*_ODF_BLOCKS)
                  if next(el.iterancestors(*_ODF_BLOCKS), None) is None]
    return FlowText("\n\n".join(p for p in paragraphs if p.strip()))


class _Budget:
    """The limits an ODT's expansions are held to: one element's repetitions, and the text in all."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.chars = 0

    def spaces(self, count: str) -> str:
        limits = self.ctx.options.limits
        if not count.strip().isdigit():
            raise CorruptFileError(self.ctx.path, f'has a space count text:c="{count[:40]}", not a number.',
                                   "Open it in LibreOffice or Word and save it again as .odt.")
        if int(count) > limits.max_repeat:
            raise UnsafeFileError(
                self.ctx.path, f"repeats a space {int(count):,} times (text:c), over qualkit's limit of "
                               f"{limits.max_repeat:,} (max_repeat).",
                "Do not open it; re-save the original document from the program that made it.")
        return self.take(" " * int(count))

    def take(self, text: str) -> str:
        self.chars += len(text)
        check_text_size(self.ctx.path, self.chars, self.ctx.options.limits)
        return text


def _odf_text(element: etree._Element, budget: _Budget) -> str:
    """Text of an ODF paragraph, expanding <text:s/>, <text:tab/> and <text:line-break/>."""
    out: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            out.append(budget.take(node.text))
        for child in node:
            if not isinstance(child.tag, str):  # comments and processing instructions
                if child.tail:
                    out.append(budget.take(child.tail))
                continue
            tag = etree.QName(child).localname
            if tag == "s":
                out.append(budget.spaces(child.get(f"{{{_ODF_TEXT}}}c", "1")))
            elif tag == "tab":
                out.append("\t")
            elif tag == "line-break":
                out.append("\n")
            elif tag not in {"note", "annotation"}:
                walk(child)
            if child.tail:
                out.append(budget.take(child.tail))

    walk(element)
    return "".join(out)
