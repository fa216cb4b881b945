"""Hostile and malformed input files, regenerated on demand (nothing binary is committed).

Each attack is a small file that once crashed, hung or blew the memory of an import (issue 16). Every
one must end in a clear `IngestError` naming the file, or a clean import, within 60 s:
`tests/test_hardening.py` checks them all, and

    .venv/bin/python tests/attack_files.py OUT_FOLDER

writes them to a folder, to try by hand (`qualkit import PROJECT OUT_FOLDER --skip-bad`).
"""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl

ODF_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:text>{body}</office:text></office:body></office:document-content>"
)
SPEECH = "Parent 1: We waited months for the first visit. It was hard.\n"


@dataclass(frozen=True)
class Attack:
    name: str  # the file name, whose suffix picks the reader
    build: Callable[[], bytes]
    imports: bool  # True: a clean import is the right end; False: a clear error is
    words: tuple[str, ...] = ()  # the error message must say these (the limit it hit, or what is wrong)


def _zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _odt(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODF_CONTENT.format(body=body), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_member_replaced(member: str, change: Callable[[bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(_docx(["Parent 1: hello there."]))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = change(members[member])
    return _zip(members)


def _flipped_bit_docx() -> bytes:
    """One bit flipped inside document.xml's compressed data: the zip opens, its CRC check fails."""
    data = bytearray(_docx([SPEECH * 20]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26:header + 28], "little")
    extra_length = int.from_bytes(data[header + 28:header + 30], "little")
    start = header + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0x10
    return bytes(data)


def _late_entity_docx() -> bytes:
    """An entity declaration after the first 4 KB of document.xml (a check of the head misses it)."""
    declaration = b'<!DOCTYPE x [<!ENTITY a "b">]>'
    return _docx_member_replaced("word/document.xml", lambda xml: b" " * 5000 + declaration + xml)


def _grid_span_docx() -> bytes:
    """A table cell spanning 400 million grid columns (python-docx would build a list that long)."""
    table = (b'<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="400000000"/></w:tcPr><w:p><w:r><w:t>x</w:t>'
             b"</w:r></w:p></w:tc></w:tr></w:tbl>")
    body = b"<w:body>"
    return _docx_member_replaced("word/document.xml", lambda xml: xml.replace(body, body + table))


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _truncated_sheet_xlsx() -> bytes:
    """The sheet XML cut in the middle: the workbook opens, the sheet fails when read lazily."""
    def cut(xml: bytes) -> bytes:
        return xml[: len(xml) * 2 // 3]
    rows = [["Parent 1", f"Answer number {n} is long enough."] for n in range(200)]
    data = _xlsx([["speaker", "text"], *rows])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = cut(members["xl/worksheets/sheet1.xml"])
    return _zip(members)


def _huge_dimension_xlsx() -> bytes:
    """Two cells at opposite corners of a sheet: read-only openpyxl pads every row in between."""
    def widen(xml: bytes) -> bytes:
        far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        return xml.replace(b"</sheetData>", far).replace(b'<dimension ref="A1:B2"/>',
                                                          b'<dimension ref="A1:XFD1048576"/>')
    data = _xlsx([["speaker", "text"], ["Parent 1", "An answer that is long enough to code."]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = widen(members["xl/worksheets/sheet1.xml"])
    return _zip(members)


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content, 9)
    return (b"<< /Length " + str(len(packed)).encode() + b" /Filter /FlateDecode " + extra + b" >>\nstream\n"
            + packed + b"\nendstream")


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf_pages(pages: int, content: bytes, font: bytes = _FONT) -> bytes:
    """`pages` pages sharing one content stream (object 3) and one font (object 4)."""
    kids = " ".join(f"{5 + n} 0 R" for n in range(pages)).encode()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R " \
           b"/Resources << /Font << /F1 4 0 R >> >> >>"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>",
                 _stream(content), font] + [page] * pages)


def _shared_stream_pdf() -> bytes:
    """200 pages sharing one 60 MB content stream: about 100 KB on disk, 12 GB of content to read."""
    line = b"BT /F1 12 Tf 72 700 Td (Parent 1: hello) Tj ET\n"
    return _pdf_pages(200, line * (60 * 1024 * 1024 // len(line)))


def _inflating_pdf() -> bytes:
    """One content stream that inflates past pypdf's own limit (75 MB)."""
    return _pdf_pages(1, b"BT /F1 12 Tf 72 700 Td (hello) Tj ET\n" + b" " * (90 * 1024 * 1024))


def _big_tounicode_pdf() -> bytes:
    """A font whose ToUnicode map has 100k entries."""
    entries = b"".join(b"<%04X> <%04X>\n" % (n % 0x10000, 0x41 + n % 26) for n in range(100_000))
    blocks = b"".join(b"100 beginbfchar\n" + entries[i:i + 100 * 14] + b"endbfchar\n"
                      for i in range(0, len(entries), 100 * 14))
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> "
            b"<FFFF> endcodespacerange\n" + blocks + b"endcmap CMapName currentdict /CMap defineresource pop "
            b"end end")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 5 0 R >>"
    content = b"BT /F1 12 Tf 72 700 Td (Parent 1: hello) Tj ET\n"
    kids = b"6 0 R"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R " \
           b"/Resources << /Font << /F1 4 0 R >> >> >>"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>",
                 _stream(content), font, _stream(cmap), page])


def _qdpx(project: str, sources: dict[str, bytes]) -> bytes:
    return _zip({"project.qde": project, **{f"sources/{name}": data for name, data in sources.items()}})


_QDE = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p" '
        'origin="test"><Sources><TextSource guid="11111111-1111-1111-1111-111111111111" name="bad" '
        'plainTextPath="internal://bad.txt"/></Sources></Project>')
_QDC = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="test">'
        '<Codes><Code guid="AAAAAAAA-1111-1111-1111-111111111111" name="Trust" isCodable="true"/>'
        '<Code guid="{aaaaaaaa-1111-1111-1111-111111111111}" name="Money" isCodable="true"/></Codes>'
        "</CodeBook>")


def attacks() -> list[Attack]:
    deep = 100_000
    return [
        Attack("odd_utf16.txt", lambda: b"\xff\xfe" + "Parent 1: hello.\n".encode("utf-16-le") + b"x",
               False, ("UTF-16",)),
        Attack("bad_utf32.txt", lambda: b"\xff\xfe\x00\x00" + b"\xff\xff\xff\x7f" * 4, False, ("UTF-32",)),
        Attack("flipped_bit.docx", _flipped_bit_docx, False, ("could not be read",)),
        Attack("late_entity.docx", _late_entity_docx, False, ("DTD",)),
        Attack("grid_span.docx", _grid_span_docx, False, ("max_repeat",)),
        Attack("count_many.odt", lambda: _odt('<text:p>a<text:s text:c="many"/>b</text:p>'), False,
               ('text:c="many"',)),
        Attack("count_huge.odt", lambda: _odt('<text:p>a<text:s text:c="400000000"/>b</text:p>'), False,
               ("max_repeat",)),
        Attack("spaces_nested.odt", lambda: _odt("<text:p>a" + '<text:s text:c="999"/>' * 120_000
                                                 + "</text:p>"), False, ("max_text_chars",)),
        Attack("truncated_sheet.xlsx", _truncated_sheet_xlsx, False, ("could not be read",)),
        Attack("huge_dimension.xlsx", _huge_dimension_xlsx, False, ("max_cells",)),
        Attack("deep.jsonl", lambda: ('{"text": "a", "x": ' + "[" * deep + "]" * deep + "}\n").encode(),
               False, ("max_nesting",)),
        Attack("big_int.jsonl", lambda: ('{"text": "a", "n": ' + "7" * 5000 + "}\n").encode(), False,
               ("max_number_digits",)),
        Attack("shared_stream.pdf", _shared_stream_pdf, False, ("max_pdf_content_bytes",)),
        Attack("inflating.pdf", _inflating_pdf, False, ("limit",)),
        Attack("big_tounicode.pdf", _big_tounicode_pdf, True),
        Attack("nested_divs.html", lambda: ("<html><body>" + "<div>" * deep + "Parent 1: hello."
                                            + "</div>" * deep + "</body></html>").encode(),
               False, ("max_nesting",)),
        Attack("trailing_spaces.txt", lambda: (SPEECH + " " * 200_000 + "x\n" + SPEECH).encode(), True),
        Attack("long_line.txt", lambda: ("word " * 600_000).encode(), True),
        Attack("exclamations.txt", lambda: ("Parent 1: " + "!" * 300_000 + " Then we left.\n").encode(),
               True),
        Attack("bad_source.qdpx", lambda: _qdpx(_QDE, {"bad.txt": b"\xff\xfe" + "hello".encode("utf-16-le")
                                                       + b"x"}), True),
        Attack("guid_case.qdc", lambda: _QDC.encode(), True),
    ]


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for attack in attacks():
        path = folder / attack.name
        path.write_bytes(attack.build())
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "attack-files")):
        print(written)
