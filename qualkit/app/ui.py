"""Small rendering helpers shared by pages."""

from __future__ import annotations

import streamlit as st

from qualkit.app import gateway
from qualkit.errors import QualkitError
from qualkit.escaping import html_text, markdown_text

# Every text from data shown through Markdown (quotes, codes, names, labels, memos) goes through `md`
# (or `quote_block`): `qualkit.escaping`'s one rule, so no transcript line becomes a link, an image that
# loads a URL, or markup.
md = markdown_text


def highlighted(text: str, span: tuple[int, int] | None) -> str:
    """`text` as safe HTML (Markdown cannot reach into it either), with `span` (offsets into it) marked."""
    if span is None:
        return html_text(text)
    start, end = span
    return html_text(text[:start]) + "<mark>" + html_text(text[start:end]) + "</mark>" + html_text(text[end:])


def quote_block(text: str, span: tuple[int, int] | None = None) -> None:
    st.markdown(f"<div class='qk-quote'>{highlighted(text, span)}</div>", unsafe_allow_html=True)


def style() -> None:
    """Readable quotes: a left rule, comfortable line height, kept line breaks."""
    st.markdown("""<style>
    .qk-quote {border-left: 4px solid #7c8db5; padding: .4rem .9rem; margin: .3rem 0 .8rem;
               line-height: 1.55; white-space: pre-wrap; background: rgba(124,141,181,.07);}
    .qk-quote mark {background: #ffe08a; padding: 0 .1rem;}
    </style>""", unsafe_allow_html=True)


def code_names() -> dict[str, str]:
    """Code key -> name in the current codebook ({} when there is none yet)."""
    try:
        book = gateway.read("current_codebook")
    except QualkitError:
        return {}
    return {code.id: code.name for code in book.flat()}


def groups() -> list[str]:
    return [group for group, *_ in gateway.read("project_status").by_group if group]


def occurrences(text: str, words: str) -> list[int]:
    """Where `words` starts in `text`, every time, without overlaps."""
    found, at = [], text.find(words)
    while at >= 0:
        found.append(at)
        at = text.find(words, at + len(words))
    return found


def in_context(before: str, marked: str, after: str, chars: int = 30) -> str:
    """`marked` with a little of the text on each side, on one line."""
    return f"…{before[-chars:]}{marked}{after[:chars]}…".replace("\n", " ")
