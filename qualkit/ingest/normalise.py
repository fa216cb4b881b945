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

# The patterns below are public because `qualkit.interop.refi.positions` applies the same rules while
# tracking where each character came from; sharing them keeps the two from drifting apart.

# Rule 1 and 4: each line or paragraph break written some other way, and the newline(s) it becomes.
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\f": "\n\n", "\u2028": "\n", "\u2029": "\n\n"}
LINE_BREAK = re.compile("\r\n|\r|\f|\u2028|\u2029")  # the keys of LINE_BREAKS, CRLF first
# Rule 3: invisible characters (BOM, zero-width spaces and joiners, soft hyphen), removed.
INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
# Rule 3: control characters other than tab and newline, removed.
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Rule 4: no-break spaces, which become ordinary spaces.
NO_BREAK_SPACE = re.compile("[\u00a0\u202f]")
# Rule 5: spaces ending a line. Only from the start of a run of spaces, taken possessively: `[ \t]+$`
# alone retries from every space of a run that does not end a line, which is quadratic (25 s for
# `" " * 40000 + "x"`).
TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]++$", re.MULTILINE)
# Rule 6: a line ending in a letter, digit or comma-like mark, then blank line(s), then a lower-case
# start; the break becomes one space.
PAGE_BREAK = re.compile(r"(?<=[\w,;–-])\n(?:[ \t]*\n)+(?=[a-z])")


def normalise_text(raw: str) -> str:
    """Apply the documented normalisation rules to raw decoded text."""
    text = raw
    for written, newlines in LINE_BREAKS.items():  # CRLF before CR
        text = text.replace(written, newlines)
    text = INVISIBLE.sub("", text)
    text = CONTROL.sub("", text)
    text = NO_BREAK_SPACE.sub(" ", text)
    # After the removals: "e", a soft hyphen, then U+0301 must still compose to "é".
    text = unicodedata.normalize("NFC", text)
    text = TRAILING_SPACE.sub("", text)
    return text.strip("\n")


def rejoin_page_breaks(text: str) -> str:
    """Rejoin paragraphs that a page break split mid-sentence (rule 6)."""
    return PAGE_BREAK.sub(" ", text)


def stored_text(raw: str) -> str:
    """The text qualkit stores for a flowing text (a file's or an exchange file's): every rule, page
    breaks rejoined. Table rows and cues are normalised one unit at a time instead, and never rejoined."""
    return rejoin_page_breaks(normalise_text(raw))
