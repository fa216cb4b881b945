"""Decode bytes of a text file whatever encoding it was saved in."""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from qualkit.errors import EncodingError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: str | Path) -> str:
    """UTF-8 (with or without BOM) first, then a byte-order mark, then detection.

    Detection prefers Windows-1252 when it decodes as cleanly as the best guess: on short English
    files the detector otherwise picks cp1250 or Shift-JIS, turning "£" into "Ł".

    Binary content (NUL bytes without a UTF-16/32 mark) is refused rather than decoded into noise.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:  # odd-length UTF-16, code points past U+10FFFF...
                name = encoding.removesuffix("-sig").upper()
                raise EncodingError(
                    path, f"starts with a {name} byte-order mark but is not valid {name} "
                          f"(byte {error.start:,}: {error.reason}); it may be truncated.",
                    "Open it in a text editor and save it again as UTF-8.",
                ) from error
    if b"\x00" in data[:8192]:
        raise EncodingError(
            path, "looks like a binary file (it contains NUL bytes), not text.",
            "Check that this is the file you meant; export it as .txt, .docx or .pdf.",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise EncodingError(
            path, "is not text in any encoding we can detect.",
            "Open it in a text editor and save it as UTF-8.",
        )
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    return str(western if western is not None and western.chaos <= best.chaos else best)
