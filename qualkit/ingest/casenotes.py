"""Dated case-note entries: `12/03/2019 - Home visit by keyworker ...`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_DATED_LINE = re.compile(
    r"[ \t]*(?P<date>(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2}))(?![\d/.\-])"
    r"[ \t]*(?:[-–—:|][ \t]*)?"
)
_ROLE_LABEL = re.compile(r"(?P<role>[A-Z][A-Za-z ]{1,30}?):[ \t]")
_ROLE_BY = re.compile(
    r"\b(?:by|from)[ \t]+(?:the[ \t]+)?(?P<role>[A-Za-z][A-Za-z ]{1,40}?)"
    r"(?=[.,;:(\-–]|[ \t]+(?:to|at|with|on|re|about|regarding|for)\b|$)",
    re.IGNORECASE,
)
_ROLE_WINDOW = 90


def match_dated_line(text: str, line_start: int, line_end: int) -> re.Match[str] | None:
    return _DATED_LINE.match(text, line_start, line_end)


def iso_date(day: str, month: str, year: str) -> str | None:
    """A UK day-first date as ISO 8601, or None when it is not a real date."""
    y = int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(y, int(month), int(day)).isoformat()
    except ValueError:
        return None


def entry_attributes(match: re.Match[str], text: str, content_end: int) -> dict[str, Any]:
    """Date and author role of the entry that `match` starts."""
    attributes: dict[str, Any] = {"date": iso_date(match["d"], match["m"], match["y"]) or match["date"]}
    window = text[match.end():min(content_end, match.end() + _ROLE_WINDOW)]
    role = _ROLE_LABEL.match(window) or _ROLE_BY.search(window)
    if role:
        attributes["author_role"] = role["role"].strip().lower()
    return attributes
