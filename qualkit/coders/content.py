"""Units that are not content: headings, name-and-role lines and form labels get no suggestion.

A document's structure is not something people said: "Barriers to success" heads a section,
"Kerry Lockhart-Thompson (Manager – Family Matters)" says who someone is, "**Who:**" and
"Attendance:" label a form. The checks look at the unit's text alone, so they stay conservative: a
short answer in sentence case without a full stop ("really helpful") is content.
"""

from __future__ import annotations

import re

MARKUP = re.compile(r"<[^>]{1,200}>|[*_#`]+")
NUMBERING = re.compile(r"^(\(?\d+(\.\d+)*[.)]?|[A-Z][.)]|[ivx]+[.)]|step \d+:?)\s+", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_][\w'’.-]*")
NAME = r"(?:(?:Cllr|Councillor|Dr|Mr|Mrs|Ms|Miss|Prof|Sir|Dame)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,3}"
NAME_AND_ROLE = re.compile(rf"^{NAME}\s*(\([^()]{{2,80}}\)|[,–—-]\s+[^.!?]{{2,80}})$")
TITLED_NAME = re.compile(r"^(Cllr|Councillor|Dr|Mr|Mrs|Ms|Miss|Prof)\.?(\s+[A-Z][\w'’-]+){1,3}$")
SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or",
                         "the", "to", "with", "&", "–", "-", "vs"})
END_OF_SENTENCE = ("." , "!", "?", "…", '"', "”", "’", "'", ")")


def non_content(text: str) -> str | None:
    """Why `text` is no content to code ("heading", "name and role", "form label"), or None."""
    raw = text.strip()
    if raw.startswith("#"):
        return "heading"
    plain = " ".join(MARKUP.sub(" ", raw).split())
    words = WORD.findall(plain)
    if not words:
        return "form label"
    if plain.endswith(":") and len(words) <= 6:
        return "form label"
    if len(words) > 12:
        return None
    if TITLED_NAME.match(plain) or (NAME_AND_ROLE.match(plain) and not plain.endswith((".", "!", "?"))):
        return "name and role"
    if plain.endswith(END_OF_SENTENCE) and not plain.endswith(")"):
        return None
    bold = raw.startswith(("**", "<b>", "__")) and raw.rstrip().endswith(("**", "</b>", "__"))
    if bold or NUMBERING.match(plain):
        return "heading"
    content_words = [w for w in words if w.lower() not in SMALL_WORDS]
    capitalised = [w for w in content_words if w[0].isupper()]
    if len(content_words) >= 2 and len(capitalised) == len(content_words):
        return "heading"  # Title Case Without A Full Stop
    return None
