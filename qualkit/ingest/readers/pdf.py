"""PDF text layers, with hard line wraps undone and page furniture (page numbers) dropped."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from pypdf.errors import DependencyError, PdfReadError

from qualkit.errors import EncryptedFileError, NoTextError
from qualkit.ingest.extracted import FlowText, ReadContext
from qualkit.ingest.registry import reader
from qualkit.ingest.safety import corrupt
from qualkit.ingest.speakers import match_label

_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.IGNORECASE)
_ENDS_SENTENCE = re.compile(r"[.!?:\"”’)\]]$")
_SHORT_LINE = 0.7  # a line shorter than this share of the page's longest line may end a paragraph


@reader(".pdf")
def read_pdf(data: bytes, ctx: ReadContext) -> FlowText:
    try:
        pdf = PdfReader(io.BytesIO(data))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise EncryptedFileError(
                ctx.path, "is password-protected.",
                "Save an unprotected copy (print to PDF, or remove the password) and import that.",
            )
        pages = [page.extract_text() or "" for page in pdf.pages]
    except EncryptedFileError:
        raise
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
