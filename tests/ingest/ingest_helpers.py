"""Builders for small source files (docx, odt, pdf, zip) and helpers to inspect segments."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
from fpdf import FPDF

from qualkit.model import Document, Segment, SegmentKind

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ODF_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:text>{body}</office:text></office:body></office:document-content>"
)


def turns(document: Document) -> list[tuple[str | None, str]]:
    """(speaker, text) of each turn segment, in order."""
    return [(s.speaker, s.text) for s in document.segments if s.kind is SegmentKind.TURN]


def kinds(segments: list[Segment]) -> list[SegmentKind]:
    return [s.kind for s in segments]


def docx_bytes(build: Callable[[docx.document.Document], None]) -> bytes:
    """A .docx made by python-docx; `build` adds the content."""
    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_speaker_paragraph(document: docx.document.Document, name: str, text: str) -> None:
    """A paragraph whose first run is the speaker's name in bold, as Word users type them."""
    paragraph = document.add_paragraph()
    paragraph.add_run(name).bold = True
    paragraph.add_run(text)


def zip_bytes(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def odt_bytes(body_xml: str) -> bytes:
    """A minimal OpenDocument text: a stored mimetype member and a content.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODF_CONTENT.format(body=body_xml), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


class _NumberedPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.cell(0, 10, str(self.page_no()), align="C")


def pdf_bytes(pages: list[list[str]], title: str | None = None) -> bytes:
    """A text PDF (DejaVu Sans, so curly quotes work) with one list of paragraphs per page and a
    page number in every footer."""
    pdf = _NumberedPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    if title:
        pdf.set_title(title)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(4)
    return bytes(pdf.output())


def raw_pdf(objects: list[bytes], trailer: bytes) -> bytes:
    """A PDF written by hand from numbered object bodies, with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += b"trailer\n" + trailer + f"\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
