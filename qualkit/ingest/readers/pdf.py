"""PDF text layers, with hard line wraps undone and page furniture (page numbers) dropped."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, LimitReachedError, PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from qualkit.errors import EncryptedFileError, FileTooLargeError, NoTextError
from qualkit.ingest.extracted import FlowText, ReadContext
from qualkit.ingest.safety import check_text_size, corrupt
from qualkit.ingest.speakers import match_label

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?:\"”’)\]]$")
_SHORT_LINE = 0.7  # a line shorter than this share of the page's longest line may end a paragraph


def read_pdf(data: bytes, ctx: ReadContext) -> FlowText:
    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise EncryptedFileError(
                ctx.path, "is password-protected.",
                "Save an unprotected copy (print to PDF, or remove the password) and import that.",
            )
        _check_content(pdf, ctx)
        pages = []
        chars = 0
        for page in pdf.pages:
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            check_text_size(ctx.path, chars, ctx.options.limits)
    except (EncryptedFileError, FileTooLargeError):
        raise
    except LimitReachedError as error:  # pypdf's own limits on one stream's size
        raise FileTooLargeError(
            ctx.path, f"has a part that decompresses past pypdf's limit ({error}).",
            "Check that this is the file you meant; print it to a new PDF and import that.") from error
    except DependencyError as error:  # pypdf needs `cryptography` to decrypt AES
        raise EncryptedFileError(
            ctx.path, "is encrypted with AES, which this installation cannot decrypt.",
            "Save an unprotected copy (print to PDF, or remove the password) and import that.",
        ) from error
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise corrupt(ctx.path, "a PDF", error) from error
    if not any(page.strip() for page in pages):
        raise NoTextError(
            ctx.path, "has no text layer: it is probably a scanned image.",
            "Run OCR on it first (for example `ocrmypdf in.pdf out.pdf`) and import the result.",
        )
    attributes = {"pages": len(pages)}
    if pdf.metadata and pdf.metadata.title:
        attributes["title"] = str(pdf.metadata.title)
    return FlowText("\n\n".join(_unwrap(page) for page in pages), attributes)


def _check_content(pdf: PdfReader, ctx: ReadContext) -> None:
    """Refuse a PDF whose pages hold more decompressed content than the limit, before extracting text:
    pages sharing one huge stream (or form) each cost its full size to read."""
    limit = ctx.options.limits.max_pdf_content_bytes
    sizes: dict[int, int] = {}
    total = 0
    for page in pdf.pages:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        forms = resources.get("/XObject") if isinstance(resources, DictionaryObject) else None
        forms = forms.get_object() if forms is not None else None
        streams = [page.get("/Contents")]
        if isinstance(forms, DictionaryObject):
            streams += list(forms.values())
        for item in streams:
            for stream in _streams(item):
                key = id(stream)
                if key not in sizes:
                    subtype = stream.get("/Subtype")
                    sizes[key] = 0 if subtype is not None and subtype != "/Form" else len(stream.get_data())
                total += sizes[key]
                if total > limit:
                    raise FileTooLargeError(
                        ctx.path, f"holds more than {limit // (1024 * 1024)} MB of page content once "
                                  "decompressed, over qualkit's limit (max_pdf_content_bytes).",
                        "Check that this is the file you meant; print it to a new PDF and import that.")


def _streams(item: object) -> list[StreamObject]:
    """The streams an entry of /Contents or /XObject resolves to."""
    item = item.get_object() if isinstance(item, IndirectObject) else item
    if isinstance(item, StreamObject):
        return [item]
    if isinstance(item, ArrayObject):
        return [s for part in item for s in _streams(part)]
    return []


def _unwrap(page: str) -> str:
    """Join wrapped lines into paragraphs; a short line ending a sentence, a blank line or a
    speaker label ends one."""
    lines = [line.rstrip() for line in page.split("\n") if not _PAGE_NUMBER.match(line)]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if not line.strip():
            paragraphs.append([])
            continue
        if paragraphs[-1] and match_label(line, 0, len(line)):
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
        if _ENDS_SENTENCE.search(line) and len(line) < _SHORT_LINE * width:
            paragraphs.append([])
    return "\n\n".join(" ".join(p) for p in paragraphs if p)
