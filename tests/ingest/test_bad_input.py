"""Files users actually send: each must fail with a typed error naming the file and the fix."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from qualkit.errors import (
    CorruptFileError,
    EmptyFileError,
    EncodingError,
    EncryptedFileError,
    FileTooLargeError,
    IngestError,
    NoTextError,
    SheetError,
    UnsafeFileError,
    UnsupportedFormatError,
    WrongExtensionError,
)
from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.registry import parse_file
from qualkit.ingest.safety import MB, Limits, sniff_kind

from ingest_helpers import add_speaker_paragraph, docx_bytes, pdf_bytes, raw_pdf, zip_bytes

OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _interview_docx() -> bytes:
    def build(document) -> None:
        for n in range(2):
            add_speaker_paragraph(document, "Interviewer:", f" Question {n}?")
            add_speaker_paragraph(document, "Parent 2:", f" Answer {n}.")
    return docx_bytes(build)


def _rewrite_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of the zip `data` with some members replaced or added."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return zip_bytes({**members, **replace})


def expect(write, name: str, content: str | bytes, error: type[IngestError], *fix_words: str,
           options: ReadOptions | None = None) -> IngestError:
    """Parse and check the error's type, that its message starts with the path, and the fix."""
    path = write(name, content)
    with pytest.raises(error) as caught:
        parse_file(path, options)
    assert type(caught.value) is error
    message = str(caught.value)
    assert message.startswith(str(path))
    assert caught.value.path == str(path)
    assert caught.value.fix, "every error must say what to do"
    for word in fix_words:
        assert word in message
    return caught.value


def test_empty_file(write) -> None:
    expect(write, "empty.txt", b"", EmptyFileError, "is empty", "saved with its content")


def test_whitespace_only_file(write) -> None:
    expect(write, "blank.docx", " \n\t\r\n ", EmptyFileError, "is empty")


def test_binary_bytes_in_txt(write) -> None:
    expect(write, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", EncodingError,
           "binary", "export it as")


def test_random_bytes_with_zip_header_as_docx(write) -> None:
    expect(write, "broken.docx", b"PK\x03\x04" + bytes(range(256)) * 4, CorruptFileError,
           "save it again")


def test_truncated_docx(write) -> None:
    data = _interview_docx()
    expect(write, "truncated.docx", data[: len(data) // 2], CorruptFileError, "save it again")


def test_zip_without_word_content_as_docx(write) -> None:
    expect(write, "archive.docx", zip_bytes({"notes.txt": "hello"}), CorruptFileError,
           "zip archive", "Check that this is the file you meant")


def test_docx_missing_a_part_python_docx_needs(write) -> None:
    data = zip_bytes({"word/document.xml": "<w:document/>"})
    expect(write, "parts.docx", data, CorruptFileError, "Word .docx", "save it again")


def test_corrupt_pdf(write) -> None:
    expect(write, "broken.pdf", b"%PDF-1.7\n" + b"\x00garbage\xff" * 50, CorruptFileError,
           "as a PDF", "save it again")


def test_password_protected_pdf(write) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([["Secret interview text."]]))))
    writer.encrypt(user_password="letmein", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    expect(write, "locked.pdf", buffer.getvalue(), EncryptedFileError, "password", "unprotected copy")


def test_pdf_with_only_an_owner_password_opens(write) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([["Readable interview text."]]))))
    writer.encrypt(user_password="", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    [doc] = parse_file(write("restricted.pdf", buffer.getvalue()))
    assert doc.text == "Readable interview text."


def test_aes_256_encrypted_pdf(write) -> None:
    """Acrobat's default; pypdf cannot even check the password without `cryptography`."""
    def hex_string(n: int) -> bytes:
        return b"<" + b"ab" * n + b">"

    data = raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O " + hex_string(48) + b" /U "
        + hex_string(48) + b" /OE " + hex_string(32) + b" /UE " + hex_string(32) + b" /Perms "
        + hex_string(16) + b" >>",
    ], b"<< /Size 5 /Root 1 0 R /Encrypt 4 0 R /ID [<0123456789abcdef> <0123456789abcdef>] >>")
    expect(write, "aes.pdf", data, EncryptedFileError, "unprotected copy")


def test_password_protected_office_file(write) -> None:
    data = OLE_HEADER + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    expect(write, "locked.docx", data, EncryptedFileError, "password-protected", "remove the password")


def test_legacy_doc_renamed_docx(write) -> None:
    data = OLE_HEADER + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
    expect(write, "old.docx", data, WrongExtensionError, "Office 97-2003", "save it as .docx")


def test_pdf_renamed_docx(write) -> None:
    expect(write, "report.docx", pdf_bytes([["Hello."]]), WrongExtensionError,
           "its content is .pdf", "Rename it to end in .pdf")


def test_docx_renamed_txt(write) -> None:
    expect(write, "interview.txt", _interview_docx(), WrongExtensionError, "Rename it to end in .docx")


def test_docx_renamed_odt(write) -> None:
    expect(write, "interview.odt", _interview_docx(), WrongExtensionError, "Rename it to end in .docx")


def test_huge_file(write) -> None:
    options = ReadOptions(limits=Limits(max_file_bytes=1000))
    expect(write, "huge.txt", "word " * 500, FileTooLargeError, "limit", "Split it",
           options=options)


def test_huge_data_passed_in_memory(tmp_path) -> None:
    with pytest.raises(FileTooLargeError):
        parse_file(tmp_path / "huge.txt", ReadOptions(limits=Limits(max_file_bytes=10)),
                   data=b"x" * 11)


def test_size_message_does_not_round_down_to_the_limit(write) -> None:
    options = ReadOptions(limits=Limits(max_file_bytes=2 * MB))
    error = expect(write, "big.txt", b"a" * (2 * MB + MB // 4), FileTooLargeError, options=options)
    assert "is 2.2 MB, over the 2 MB limit" in str(error)


CP1252_TEXT = (
    "Interviewer: How much was the rent arrears?\n\n"
    "Parent 1: About £1,900. We were told “don’t worry”, but we did.\n\n"
    "Interviewer: And now?\n\n"
    "Parent 1: It’s £200 – much better. Café on Fridays.\n"
)


def test_cp1252_text_decodes(parse_one) -> None:
    doc = parse_one("parent_1.txt", CP1252_TEXT.encode("cp1252"))
    assert doc.text == CP1252_TEXT.strip()
    assert "About £1,900. We were told “don’t worry”, but we did." in doc.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_text_with_byte_order_mark(parse_one, encoding: str) -> None:
    data = CP1252_TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = parse_one("parent_1.txt", data)
    assert doc.text == CP1252_TEXT.strip()


def test_zip_bomb_docx(write) -> None:
    data = _rewrite_zip(_interview_docx(), {"word/media/padding.bin": bytes(50 * MB)})
    assert len(data) < MB
    expect(write, "bomb.docx", data, UnsafeFileError, "zip bomb", "Do not open it")


def test_zip_over_unzipped_limit(write) -> None:
    options = ReadOptions(limits=Limits(max_unzipped_bytes=10_000))
    expect(write, "big.docx", _interview_docx(), UnsafeFileError, "zip bomb", options=options)


def test_zip_with_too_many_members(write) -> None:
    options = ReadOptions(limits=Limits(max_zip_members=5))
    expect(write, "many.docx", _interview_docx(), UnsafeFileError, "holds", "Re-save it",
           options=options)


def test_xml_entity_declaration_in_docx(write) -> None:
    with zipfile.ZipFile(io.BytesIO(_interview_docx())) as archive:
        body = archive.read("word/document.xml").split(b"?>", 1)[1]
    hostile = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
               b'"&lol;&lol;&lol;&lol;">]>' + body.replace(b"Answer 0.", b"&lol2;"))
    data = _rewrite_zip(_interview_docx(), {"word/document.xml": hostile})
    expect(write, "entities.docx", data, UnsafeFileError, "DTD", "word/document.xml", "Do not open it")


def test_scanned_pdf_without_text_layer(write) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    expect(write, "scan.pdf", bytes(pdf.output()), NoTextError, "no text layer", "OCR")


@pytest.mark.parametrize("name", ["notes.pages", "notes"])
def test_unsupported_extension(write, name: str) -> None:
    error = expect(write, name, "Some text.", UnsupportedFormatError, "Convert it to one of", ".docx")
    assert ".pages" in str(error) or "missing extension" in str(error)


def test_missing_file_is_an_os_error(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        parse_file(tmp_path / "nowhere.txt")


def test_csv_with_ragged_row(write) -> None:
    data = "date,note\n01/01/2020,Visit went well\n02/01/2020,Mum said no, then yes\n"
    error = expect(write, "notes.csv", data, SheetError, "row 3", "3 cells", "double quotes")
    assert error.row == 3


def test_csv_with_short_rows_and_blank_lines_is_fine(parse_one) -> None:
    doc = parse_one("notes.csv", "date,note,worker\n01/01/2020,Visit went well\n\n,,\n")
    assert [s.attributes for s in doc.segments] == [{"row": 2, "date": "2020-01-01"}]


def test_csv_without_a_free_text_column(write) -> None:
    expect(write, "scores.csv", "id,score,band\n1,4,A\n2,5,B\n", SheetError, "row 1", "Name the text column",
           "id, score, band")


def test_csv_text_column_option_names_a_missing_column(write) -> None:
    expect(write, "notes.csv", "date,note\n01/01/2020,Visit\n", SheetError, "no column named summary",
           "Choose from: date, note", options=ReadOptions(text_columns=("summary",)))


def test_csv_with_header_only(write) -> None:
    expect(write, "notes.csv", "date,note\n", NoTextError, "no rows")


def test_csv_with_repeated_header(write) -> None:
    expect(write, "notes.csv", "note,note\na,b\n", SheetError, "repeated", "unique name")


def test_jsonl_bad_line(write) -> None:
    data = json.dumps({"text": "fine"}) + "\n\n" + '{"text": "broken\n'
    error = expect(write, "export.jsonl", data, CorruptFileError, "line 3", "not valid JSON",
                   "one JSON object")
    assert error.line == 3


@pytest.mark.parametrize("line", ['["a list"]', '{"body": "no text key"}', '{"text": 3}'])
def test_jsonl_line_without_text(write, line: str) -> None:
    expect(write, "export.jsonl", line + "\n", SheetError, "line 1", '"text"')


def test_malformed_vtt(write) -> None:
    expect(write, "captions.vtt", "not a caption file\n\n00:01 --> nonsense\n", CorruptFileError,
           "WebVTT", "save it again")


def test_malformed_srt(write) -> None:
    expect(write, "captions.srt", "1\n00:00:01,000 --> \nHello\n\nrubbish\n", CorruptFileError,
           "SRT")


def test_corrupt_odt(write) -> None:
    data = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text",
                      "content.xml": "<office:document-content"})
    expect(write, "broken.odt", data, CorruptFileError, "OpenDocument", "save it again")


def test_html_without_text(write) -> None:
    expect(write, "empty.html", "<html><head><title>x</title></head><body><img src=a></body></html>",
           NoTextError, "no readable text")


def test_rtf_without_text(write) -> None:
    expect(write, "empty.rtf", r"{\rtf1\ansi{\fonttbl{\f0 Arial;}}\pard\par}", NoTextError,
           "contains no text")


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.4", "pdf"), (OLE_HEADER, "ole"), (b"  {\\rtf1", "rtf"), (b"PK\x03\x04junk", "broken-zip"),
    (zip_bytes({"a.txt": "a"}), "zip"), (zip_bytes({"xl/workbook.xml": "<x/>"}), "xlsx"),
    (b"plain", "text"),
])
def test_sniff_kind(data: bytes, kind: str) -> None:
    assert sniff_kind(data) == kind
