"""One module per source format, and the one table that says which function reads which suffix.

The table names modules instead of importing them: a format's parser library (pypdf, openpyxl,
python-docx, ...) is loaded only when a file of that format is read, and no reader module needs to
import the registry to announce itself. Adding a format is one module plus one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from qualkit.ingest.extracted import FlowText, ReadContext, StructuredUnits

Reader = Callable[[bytes, ReadContext], FlowText | list[StructuredUnits] | StructuredUnits]


@dataclass(frozen=True)
class Format:
    """Where a suffix's reader lives, and what the format is called in an error message
    ("could not be read as ...")."""

    module: str  # a module of this package
    function: str
    kind: str = "text"

    def reader(self) -> Reader:
        """The reader function, importing its module (and its parser library) now."""
        reader: Reader = getattr(importlib.import_module(f"{__name__}.{self.module}"), self.function)
        return reader


FORMATS: dict[str, Format] = {
    ".txt": Format("text", "read_plain"),
    ".md": Format("text", "read_plain"),
    ".markdown": Format("text", "read_plain"),
    ".rtf": Format("text", "read_rtf", "RTF"),
    ".html": Format("text", "read_html", "HTML"),
    ".htm": Format("text", "read_html", "HTML"),
    ".docx": Format("documents", "read_docx", "a Word .docx document"),
    ".odt": Format("documents", "read_odt", "an OpenDocument .odt text"),
    ".pdf": Format("pdf", "read_pdf", "a PDF"),
    ".csv": Format("tables", "read_csv", "CSV"),
    ".tsv": Format("tables", "read_csv", "TSV"),
    ".xlsx": Format("tables", "read_xlsx", "an Excel .xlsx workbook"),
    ".jsonl": Format("tables", "read_jsonl", "JSON lines"),
    ".vtt": Format("timed_text", "read_vtt", "WebVTT"),
    ".srt": Format("timed_text", "read_srt", "SRT subtitles"),
}
