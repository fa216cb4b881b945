"""One escaping rule for every text qualkit renders from data (quotes, codes, names, labels): it shows as
written and can never become markup, a link or an image that loads a URL.

- `markdown_text`: for Markdown (the Markdown report, and every Streamlit widget that renders
  Markdown). Whitespace runs, line breaks included, become one space (a blank line cannot end a block);
  the characters Markdown, GitHub tables and Streamlit give meaning to are backslash-escaped, so `<img>`
  stays text, `![x](http://host/p.png)` is no image and `[x](url)` no link.
- `html_text`: for HTML, also where the HTML sits inside Markdown (the app's quote blocks): HTML-escaped,
  Markdown characters as numeric entities, line breaks as `<br>` (the block is one line, so Markdown
  never resumes inside it).

The HTML report is HTML alone and uses `html.escape` on every text.
"""

from __future__ import annotations

import html
import re

# Anywhere: code, emphasis, links and images, raw HTML and autolinks, tables, strikethrough, entities,
# Streamlit's LaTeX ($) and colour/icon directives (:red[...]).
_MARKDOWN_ANYWHERE = re.compile(r"([\\`*_{}\[\]<>|~&$])")
# At the start of a line only: headings, lists, block quotes, thematic breaks, numbered lists.
_MARKDOWN_START = re.compile(r"^(\d*)([#+\-=.)])")
_HTML_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~$:"})


def markdown_text(text: object, *, line_start: bool = True) -> str:
    """`text` as Markdown that renders exactly as written, on one line (`line_start=False` where it never
    starts a line, e.g. a table cell, so "12.5" stays as it is)."""
    flat = " ".join(str(text).split())
    escaped = _MARKDOWN_ANYWHERE.sub(r"\\\1", flat)
    return _MARKDOWN_START.sub(_escape_start, escaped) if line_start else escaped


def _escape_start(match: re.Match[str]) -> str:
    digits, mark = match.groups()
    return f"{digits}\\{mark}" if digits or mark in "#+-=" else match.group(0)


def html_text(text: object) -> str:
    """`text` as HTML that Markdown around it cannot reach into either; line breaks kept as <br>."""
    escaped = html.escape(str(text)).translate(_HTML_MARKDOWN)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")
