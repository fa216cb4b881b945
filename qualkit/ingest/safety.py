"""Checks that run on a file's bytes before any parser sees them.

They turn the failures users actually meet (empty files, a PDF renamed .docx, a password-protected
Word file, a huge export) into clear errors, and stop hostile files (zip bombs, XML entity
expansion) before a parser can be made to exhaust memory.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qualkit.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    UnsafeFileError,
    WrongExtensionError,
)

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Size limits; generous for real interviews, far below what would hurt the machine."""

    max_file_bytes: int = 200 * MB
    max_unzipped_bytes: int = 512 * MB
    max_zip_members: int = 20_000
    max_compression_ratio: int = 200


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
        if member.filename.endswith((".xml", ".rels")) and member.file_size:
            with archive.open(member) as stream:
                head = stream.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise UnsafeFileError(
                    path, f"declares a DTD/entities in {member.filename}, which Office files never need.",
                    "Do not open it; re-save the original document from Word, Excel or LibreOffice.",
                )


def corrupt(path: str | Path, kind: str, error: Exception) -> CorruptFileError:
    """A uniform error for parser failures, keeping the parser's own words as the detail."""
    return CorruptFileError(
        path, f"could not be read as {kind} ({type(error).__name__}: {error}).",
        f"Open it in the program that made it and save it again as {kind}.",
    )
