"""`parse_file`, the single entry point from a path to documents, over the readers table
(`qualkit.ingest.readers.FORMATS`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualkit.errors import BadNameError, UnsupportedFormatError
from qualkit.ingest.extracted import FlowText, ReadContext, ReadOptions, assemble_units
from qualkit.ingest.normalise import stored_text
from qualkit.ingest.readers import FORMATS, Reader
from qualkit.ingest.safety import check_bytes, check_size, check_text_size, parser_boundary
from qualkit.ingest.segmenter import segment_text
from qualkit.model import Document
from qualkit.model.names import unprintable


def supported_suffixes() -> list[str]:
    return sorted(FORMATS)


def parse_file(path: str | Path, options: ReadOptions | None = None,
               data: bytes | None = None) -> list[Document]:
    """Read, check, normalise and segment one file. Pure apart from reading the file itself.

    Everything after reading the bytes runs inside `parser_boundary`: whatever a parser raises ends as
    a typed `IngestError` naming the file."""
    path = Path(path)
    options = options or ReadOptions()
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormatError(
            path, f"has a {suffix or 'missing'} extension, which qualkit does not import.",
            f"Convert it to one of: {', '.join(supported_suffixes())}.",
        )
    if data is None:
        check_size(path, path.stat().st_size, options.limits)
        data = path.read_bytes()
    read = FORMATS[suffix].reader()
    with parser_boundary(path, FORMATS[suffix].kind):
        check_bytes(path, data, suffix, options.limits)
        documents = _documents(path, suffix, data, options, read)
    for document in documents:  # a file's name, or one its content gives (a sheet, a JSONL "document")
        if problem := unprintable(document.name):
            raise BadNameError(path, f"gives the document name {document.name[:60]!r}, which holds "
                                     f"{problem}.",
                               "Rename the file (or the sheet or document it names) with printable text.")
    return documents


def _documents(path: Path, suffix: str, data: bytes, options: ReadOptions, read: Reader) -> list[Document]:
    sha256 = hashlib.sha256(data).hexdigest()
    extracted = read(data, ReadContext(path, options))
    groups = extracted if isinstance(extracted, list) else [extracted]
    check_text_size(path, sum(len(g.text) if isinstance(g, FlowText) else sum(len(u.text) for u in g.units)
                              for g in groups), options.limits)
    if isinstance(extracted, FlowText):
        text = stored_text(extracted.text)
        return [Document(
            name=path.name, suffix=suffix, sha256=sha256, text=text, source_path=str(path),
            attributes=extracted.attributes, segments=segment_text(text, options.segmentation),
        )]
    documents = []
    for group in groups:
        text, segments = assemble_units(group, options.segmentation)
        documents.append(Document(
            name=group.name or path.name, suffix=suffix, sha256=sha256, text=text,
            source_path=str(path), attributes=group.attributes, segments=segments,
        ))
    return documents
