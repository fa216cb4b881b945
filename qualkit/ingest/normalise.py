"""Text normalisation applied to every imported document before it is stored.

The rules are explicit because offsets index the *stored* text, and users need to know how it
differs from their file:

1. Line endings: CRLF and CR become LF; a form feed (page break) becomes a blank line.
2. Unicode NFC, so that "é" is one code point whichever way the source encoded it.
3. Invisible characters are removed: byte-order marks, zero-width spaces and joiners, soft hyphens,
   and control characters other than tab and newline.
4. No-break spaces become ordinary spaces; Unicode line/paragraph separators become newlines.
5. Trailing spaces at the end of each line are removed, and so are leading/trailing blank lines.
6. Paragraphs broken by a page break (a line ending mid-sentence, a blank line, then a line
   starting in lower case) are rejoined with a single space.

Everything else is kept as written: curly quotes, dashes, ellipses, case and spelling.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Only from the start of a run of spaces, taken possessively: `[ \t]+$` alone retries from every space
# of a run that does not end a line, which is quadratic (25 s for `" " * 40000 + "x"`).
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]++$", re.MULTILINE)
# A line ending in a letter, digit or comma-like mark, then blank line(s), then a lower-case start.
_PAGE_BREAK = re.compile(r"(?<=[\w,;–-])\n(?:[ \t]*\n)+(?=[a-z])")


def normalise_text(raw: str) -> str:
    """Apply the documented normalisation rules to raw decoded text."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    # After the removals: "e", a soft hyphen, then U+0301 must still compose to "é".
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")


def rejoin_page_breaks(text: str) -> str:
    """Rejoin paragraphs that a page break split mid-sentence (rule 6)."""
    return _PAGE_BREAK.sub(" ", text)
