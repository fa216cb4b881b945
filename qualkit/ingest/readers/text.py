"""Plain text, Markdown, RTF and HTML: formats whose text we take whole and segment ourselves."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup, Tag
from striprtf.striprtf import rtf_to_text

from qualkit.errors import NoTextError
from qualkit.ingest.encoding import decode_text
from qualkit.ingest.extracted import FlowText, ReadContext
from qualkit.ingest.safety import check_depth, corrupt

# Leftover HTML in text exports (a table pasted from an intranet page): common enough to clean.
_LEFTOVER_TAG = re.compile(
    r"</?(?:p|b|i|u|em|strong|span|div|ul|ol|li|br|table|tr|td|th|tbody|thead)\b[^>]*>", re.IGNORECASE)
_BREAKING_TAG = re.compile(r"<(?:br\s*/?|/p|/li|/tr|/div|/h\d)>", re.IGNORECASE)
_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dt", "dd",
               "caption", "figcaption", "div"]


def read_plain(data: bytes, ctx: ReadContext) -> FlowText:
    text = decode_text(data, ctx.path)
    if len(_LEFTOVER_TAG.findall(text)) >= 3:
        text = html.unescape(_LEFTOVER_TAG.sub("", _BREAKING_TAG.sub("\n", text)))
    return FlowText(text)


def read_rtf(data: bytes, ctx: ReadContext) -> FlowText:
    try:
        text = rtf_to_text(data.decode("latin-1"), errors="ignore")
    except Exception as error:  # striprtf raises bare errors on malformed groups
        raise corrupt(ctx.path, "RTF", error) from error
    if not text.strip():
        raise NoTextError(ctx.path, "contains no text.", "Check the file in a word processor.")
    return FlowText(text)


def _depth(root: Tag) -> int:
    """How deep elements nest, walked without recursion (finding innermost blocks slows with depth)."""
    deepest, stack = 0, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))
    return deepest


def read_html(data: bytes, ctx: ReadContext) -> FlowText:
    """Block elements become paragraphs; inline markup (bold speaker names) stays in line."""
    soup = BeautifulSoup(decode_text(data, ctx.path), "lxml")
    check_depth(ctx.path, _depth(soup), ctx.options.limits, "HTML elements")
    title = soup.title.get_text(strip=True) if soup.title else None
    for hidden in soup(["script", "style", "head", "nav", "noscript", "template"]):
        hidden.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    paragraphs = []
    for element in soup.find_all(_BLOCK_TAGS):
        if element.find(_BLOCK_TAGS):
            continue  # only innermost blocks, so nothing is taken twice
        cells = element.find_all(["td", "th"]) if element.name == "tr" else []
        raw = ": ".join(c.get_text(" ") for c in cells) if cells else element.get_text()
        line = "\n".join(" ".join(part.split()) for part in raw.split("\n")).strip()
        if line:
            paragraphs.append(line)
    if not paragraphs:
        raise NoTextError(ctx.path, "has no readable text in its HTML.", "Check it opens in a browser.")
    return FlowText("\n\n".join(paragraphs), {"title": title} if title else {})
