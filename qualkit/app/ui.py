"""Small rendering helpers shared by pages."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qualkit import services
from qualkit.app import gateway
from qualkit.errors import QualkitError
from qualkit.escaping import html_text, markdown_text

# Page links name pages by absolute path: the entry point may be the package's main.py or the
# checkout's app.py launcher, and a relative path would be read against whichever is running.
DOCUMENT_PAGE = str(Path(__file__).resolve().parent / "pages" / "document.py")

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


# Colours for codes the codebook gives none (Okabe-Ito, then Tableau): distinct, readable on white.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D31", "#4E79A7",
           "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7", "#9C755F", "#BAB0AC"]


def code_colours() -> dict[str, str]:
    """Code key -> its colour in the codebook, else a stable colour of the palette."""
    try:
        book = gateway.read("current_codebook")
    except QualkitError:
        return {}
    return {code.id: code.color or PALETTE[i % len(PALETTE)] for i, code in enumerate(book.flat())}


def clock(seconds: float | None) -> str:
    """A time in a recording as m:ss or h:mm:ss ("" when there is none)."""
    if seconds is None:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def score_text(score: float | None) -> str:
    """Scores always with two decimals; "–" when there is none (never "None")."""
    return "–" if score is None else f"{score:.2f}"


def document_data(view: object, names: dict[str, str], colours: dict[str, str], *, version: str,
                  focus: tuple[int, int] | None = None, read_only: bool = False) -> dict[str, object]:
    """What the Document component draws (`services.DocumentInContext` as JSON): text goes as data and
    the component sets it with textContent, so nothing from a transcript can become markup."""
    return {
        "version": version,
        "read_only": read_only,
        "focus": {"start": focus[0], "end": focus[1]} if focus else None,
        "codes": [{"key": key, "name": name, "color": colours.get(key, PALETTE[0])}
                  for key, name in names.items()],
        "segments": [{"id": s.id, "start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker,
                      "time": clock(s.start_time), "interviewer": s.interviewer, "codable": s.codable}
                     for s in view.segments],  # type: ignore[attr-defined]
        "codings": [{"id": c.id, "start": c.start, "end": c.end, "code": c.code,
                     "name": names.get(c.code, c.code_name), "color": colours.get(c.code, "#888888"),
                     "status": c.status, "coder": c.coder, "reviewer": c.reviewer, "score": c.score,
                     "at": c.at, "part": c.part}
                    for c in view.codings],  # type: ignore[attr-defined]
    }


def place_link(document: str, start: int, end: int) -> dict[str, str]:
    """Query parameters opening the Document page scrolled to `document`[start:end], highlighted."""
    return {"doc": document, "start": str(start), "end": str(end)}


def coding_line(coding: object, names: dict[str, str], segment_text: str, segment_start: int) -> str:
    """One coding as a Markdown list item: code, status, who, score, and its words when it codes part."""
    c = coding
    name = names.get(c.code, c.code_name)  # type: ignore[attr-defined]
    words = segment_text[c.start - segment_start:c.end - segment_start]  # type: ignore[attr-defined]
    part = f" · “{md(words[:80], line_start=False)}”" if c.part else ""  # type: ignore[attr-defined]
    return (f"- {md(name, line_start=False)} · {c.status} · {md(c.coder, line_start=False)}"  # type: ignore[attr-defined]
            f" · {score_text(c.score)}{part}")  # type: ignore[attr-defined]


def stale_anonymisation_banner() -> None:
    """Says when outputs are anonymised in memory because the stored anonymisation is out of date
    (reads never run it), with a button that runs and stores it where the project may be changed."""
    state = gateway.read("anonymisation_state")
    if not state.stale:
        return
    st.warning(md(state.describe()), icon=":material/update:")
    if not gateway.read_only() and st.button("Anonymise again", icon=":material/refresh:", key="reanonymise"):
        with st.spinner("Detecting identifiers in every document…"):
            gateway.act("Anonymised", services.anonymise_project)
        st.rerun()


def document_names_or_stop() -> list[str]:
    """The project's document names; a page that shows documents stops with a hint when there are none."""
    documents = [d.name for d in gateway.read("list_documents")]
    if not documents:
        st.info("The project has no documents yet: import some on the Project page.")
        st.stop()
    return documents
