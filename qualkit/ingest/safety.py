"""Checks that run on a file's bytes before any parser sees them.

They turn the failures users actually meet (empty files, a PDF renamed .docx, a password-protected
Word file, a huge export) into clear errors, and stop hostile files (zip bombs, XML entity
expansion) before a parser can be made to exhaust memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qualkit.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    IngestError,
    UnsafeFileError,
    WrongExtensionError,
)

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Input limits, checked before (or while) a parser runs; generous for real interviews and surveys,
    far below what would hurt the machine. Each error message names the limit it hit.

    - `max_file_bytes`: the file itself (`max_file_mb` in qualkit.toml).
    - `max_unzipped_bytes`, `max_zip_members`, `max_compression_ratio`: what a zip (docx, xlsx, odt,
      qdpx) expands to.
    - `max_text_chars`: the text a file may expand to once read (an ODT's repeated spaces, a PDF's pages).
    - `max_nesting`: levels of nesting (JSON brackets, HTML elements).
    - `max_repeat`: one element's repetition count (ODT `text:c`, Word `gridSpan`, ODF repeated columns).
    - `max_cells`: the cells of one spreadsheet, empty ones included.
    - `max_pdf_content_bytes`: the decompressed page content a PDF's pages hold together (pages that
      share one stream count it once each, as reading them costs).
    - `max_number_digits`: digits of one number in JSON.
    """

    max_file_bytes: int = 200 * MB
    max_unzipped_bytes: int = 512 * MB
    max_zip_members: int = 20_000
    max_compression_ratio: int = 200
    max_text_chars: int = 100_000_000
    max_nesting: int = 256
    max_repeat: int = 1_000
    max_cells: int = 5_000_000
    max_pdf_content_bytes: int = 256 * MB
    max_number_digits: int = 100


# What the first bytes say a file is, and the suffixes that kind may carry.
_ZIP_KINDS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "content.xml": "odt"}
_EXPECTED = {
    ".docx": {"docx"}, ".xlsx": {"xlsx"}, ".odt": {"odt"}, ".pdf": {"pdf"}, ".rtf": {"rtf"},
}
_SUFFIX_FOR_KIND = {"docx": ".docx", "xlsx": ".xlsx", "odt": ".odt", "pdf": ".pdf", "rtf": ".rtf"}
_DESCRIBED = {"zip": "a zip archive", "broken-zip": "a damaged zip archive (perhaps truncated)"}
_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def sniff_kind(data: bytes) -> str:
    """The format the bytes are in: pdf, docx, xlsx, odt, zip, broken-zip, ole, rtf or text."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "broken-zip"
        return next((kind for member, kind in _ZIP_KINDS.items() if member in names), "zip")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    return "text"


def check_size(path: str | Path, size: int, limits: Limits) -> None:
    """Refuse a file over the size limit before reading it into memory."""
    if size > limits.max_file_bytes:
        raise FileTooLargeError(
            path, f"is {size / MB:.1f} MB, over the {limits.max_file_bytes / MB:.0f} MB limit.",
            "Split it into smaller files, or raise max_file_mb in the project's qualkit.toml.",
        )


def check_bytes(path: str | Path, data: bytes, suffix: str, limits: Limits) -> None:
    """Raise a typed, user-facing error if the file cannot or must not be parsed."""
    check_size(path, len(data), limits)
    if not data.strip():
        raise EmptyFileError(path, "is empty.", "Check that the file was saved with its content.")
    kind = sniff_kind(data)
    if kind == "ole":
        if _ENCRYPTED_OOXML in data:
            raise EncryptedFileError(
                path, "is password-protected.",
                "Open it in Word/Excel, remove the password (File > Info > Protect), save and import again.",
            )
        raise WrongExtensionError(
            path, "is an old Office 97-2003 file (.doc/.xls), not a modern one.",
            "Open it in Word, Excel or LibreOffice and save it as .docx or .xlsx.",
        )
    expected = _EXPECTED.get(suffix)
    if expected is not None and kind not in expected:
        actual = _SUFFIX_FOR_KIND.get(kind)
        if actual:
            fix = f"Rename it to end in {actual}."
        elif kind == "broken-zip":
            fix = "Open it in the program that made it and save it again, or ask for a fresh copy."
        else:
            fix = "Check that this is the file you meant."
        described = actual or _DESCRIBED.get(kind, "plain text")
        raise (WrongExtensionError if actual else CorruptFileError)(
            path, f"is named {suffix} but its content is {described}.", fix,
        )
    if expected is None and kind in _SUFFIX_FOR_KIND and kind != "rtf":
        raise WrongExtensionError(
            path, f"is named {suffix} but its content is {_SUFFIX_FOR_KIND[kind]}.",
            f"Rename it to end in {_SUFFIX_FOR_KIND[kind]}.",
        )
    if kind in {"docx", "xlsx", "odt"}:
        check_zip(path, data, limits)


def check_zip(path: str | Path, data: bytes, limits: Limits) -> None:
    """Refuse zip bombs and XML documents that declare a DTD (the vehicle of entity attacks)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise UnsafeFileError(path, f"holds {len(members)} files, far more than a document needs.",
                              "Re-save it from the program that made it.")
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    suspicious_ratio = total > 16 * MB and total / packed > limits.max_compression_ratio
    if total > limits.max_unzipped_bytes or suspicious_ratio:
        raise UnsafeFileError(
            path, f"expands to {total / MB:.0f} MB from {len(data) / MB:.1f} MB: it looks like a zip bomb.",
            "Do not open it; ask the sender for the original document.",
        )
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels", ".qde")) and member.file_size:
            with archive.open(member) as stream:
                problem = _scan_xml_member(stream, member.filename, limits)
            if problem:
                raise UnsafeFileError(
                    path, problem,
                    "Do not open it; re-save the original document from the program that made it.",
                )


# Markers of hostile XML, looked for through every XML member (not only its first bytes), in the
# encodings XML may use: DTDs (the vehicle of entity attacks) and repetition counts.
_DTD_MARKERS = tuple(marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY")
                     for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
_REPEAT = re.compile(rb"\btext:c\s*=\s*[\"']\s*(\d{1,40})")  # ODF: a space (text:s) repeated c times
_GRID_SPAN = re.compile(rb"<(?:\w+:)?gridSpan\b[^>]{0,200}?(?:\w+:)?val\s*=\s*[\"']\s*(\d{1,40})")  # Word
_CHUNK = 1 << 20
_OVERLAP = 256


def _scan_xml_member(stream: io.BufferedIOBase, member: str, limits: Limits) -> str | None:
    """What is hostile in one XML member, read in chunks (so memory stays small), or None."""
    tail = b""
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        if any(marker in window for marker in _DTD_MARKERS):
            return f"declares a DTD or entities in {member}, which these files never need."
        for pattern in (_REPEAT, _GRID_SPAN):
            for match in pattern.finditer(window):
                if int(match.group(1)) > limits.max_repeat:
                    return (f"repeats one element {int(match.group(1)):,} times in {member}, over qualkit's "
                            f"limit of {limits.max_repeat:,} (max_repeat).")
        tail = window[-_OVERLAP:]
    return None


def check_depth(path: str | Path, depth: int, limits: Limits, what: str, line: int | None = None) -> None:
    """Refuse nesting deeper than the limit (parsers recurse, or slow down with depth)."""
    if depth > limits.max_nesting:
        raise UnsafeFileError(
            path, f"nests {what} {depth:,} levels deep, over qualkit's limit of {limits.max_nesting} "
                  "levels (max_nesting).",
            "Real documents never nest this deep: check that this is the file you meant.", line=line)


def check_text_size(path: str | Path, chars: int, limits: Limits) -> None:
    """Refuse a file whose text expands past the limit (repetitions, shared streams)."""
    if chars > limits.max_text_chars:
        raise FileTooLargeError(
            path, f"expands to more than {limits.max_text_chars:,} characters of text, over qualkit's "
                  "limit (max_text_chars).",
            "Split it into smaller files, or check that this is the file you meant.")


@contextmanager
def parser_boundary(path: str | Path, kind: str) -> Iterator[None]:
    """Wrap everything that parses one file: any failure inside becomes a typed `IngestError` naming
    the file, so one bad file never ends an import with a traceback and `--skip-bad` can skip it.
    Errors that already are `IngestError`s (and interrupts) pass unchanged."""
    try:
        yield
    except IngestError:
        raise
    except RecursionError as error:
        raise UnsafeFileError(
            path, "is nested too deeply to read (Python's recursion limit).",
            "Real documents never nest this deep: check that this is the file you meant.") from error
    except MemoryError as error:
        raise FileTooLargeError(
            path, "needs more memory to read than this machine has.",
            "Split it into smaller files, or check that this is the file you meant.") from error
    except Exception as error:  # the boundary: every parser's own failure types
        raise corrupt(path, kind, error) from error


def corrupt(path: str | Path, kind: str, error: Exception) -> CorruptFileError:
    """A uniform error for parser failures, keeping the parser's own words as the detail."""
    detail = " ".join(str(error).split())
    detail = detail if len(detail) <= 200 else detail[:197] + "..."
    return CorruptFileError(
        path, f"could not be read as {kind} ({type(error).__name__}: {detail}).",
        f"Open it in the program that made it and save it again as {kind}.",
    )
