"""Search: words or phrases across every document (or every form of them, by lemma), each hit a
keyword-in-context line that opens the Document page scrolled to it; filters by group, document and
speaker; and "code all hits" with a preview, undone as a whole by one click."""

import pandas as pd
import streamlit as st

from qualkit.app import gateway, ui
from qualkit.services import search

ANY = "(any)"
SHOWN = 200  # hit lines drawn with their links; coding covers every hit
SCOPES = {"words": "the words found", "segment": "the whole segment of each hit"}

ui.style()
st.title("Search")
gateway.show_notices()

documents = ui.document_names_or_stop()
names = ui.code_names()


def undo() -> None:
    undone = gateway.act("Undid your last coding of search hits", search.undo_code_hits, gateway.actor())
    if undone is not None:
        gateway.notice("success", f"Removed the {undone.removed} codings your last “code all hits” added.")


with st.container(horizontal=True):
    query = st.text_input("Words or phrases (a comma between phrases)", key="s_query",
                          placeholder="e.g. eviction, rent arrears")
    lemmas = st.toggle("Every form of the words (lemmas)", key="s_lemmas",
                       help="“evicted” also finds “evict”, “evicting” and “evicts”.")
with st.container(horizontal=True):
    group = st.selectbox("Group", [ANY, *ui.groups()], key="s_group")
    document = st.selectbox("Document", [ANY, *documents], key="s_document")
    speaker = st.selectbox("Speaker", [ANY, *gateway.read("search_speakers")], key="s_speaker")
    uncoded = st.checkbox("Also questions and headings", key="s_uncoded",
                          help="Search the text that is not coded too: the interviewer's turns, headings.")

if not search.phrases(query):
    st.caption("Type a word or a phrase to search every document.")
    if not gateway.read_only():
        st.button("Undo my last “code all hits”", on_click=undo, icon=":material/undo:")
    st.stop()

result = gateway.read("search_corpus", query=query, lemmas=lemmas, uncoded=uncoded,
                      group=None if group == ANY else group, document=None if document == ANY else document,
                      speaker=None if speaker == ANY else speaker)
hits = result.hits
more = " (the first ones only: narrow the search)" if result.truncated else ""
st.caption(ui.md(f"{len(hits)} hits{more} in {result.segments} segments of {result.documents} documents."))
if not hits:
    st.info("Nothing found. Try fewer words, every form of the words, or fewer filters.")



def kwic(hit: search.Hit) -> str:
    """The hit in bold between its context, as safe Markdown on one line."""
    before = ui.md(hit.before, line_start=False) + (" " if hit.before[-1:].isspace() else "")
    after = (" " if hit.after[:1].isspace() else "") + ui.md(hit.after, line_start=False)
    return f"…{before}**{ui.md(hit.text, line_start=False)}**{after}…"


for hit in hits[:SHOWN]:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(kwic(hit), width="stretch")
        place = f"{hit.document} · {hit.speaker}" if hit.speaker else hit.document
        st.page_link(ui.DOCUMENT_PAGE, label=ui.md(place), icon=":material/article:",
                     query_params=ui.place_link(hit.document, hit.start, hit.end))
if len(hits) > SHOWN:
    st.caption(f"Showing the first {SHOWN} hits; coding covers all {len(hits)}.")


def code_all() -> None:
    coded = gateway.act("Coded the hits", search.code_hits, hits, st.session_state.get("s_codes") or [],
                        gateway.actor(), whole_segments=st.session_state.get("s_scope") == "segment")
    if coded is not None:
        already = f" ({len(coded.already)} already coded so, left as they were)" if coded.already else ""
        gateway.notice("success", f"Added {len(coded.added)} codings{already}. “Undo” removes them all.")


if hits and not gateway.read_only() and names:
    st.subheader("Code all hits")
    codes = st.multiselect("Codes", list(names), format_func=names.get, key="s_codes")
    scope = st.radio("Code", list(SCOPES), format_func=SCOPES.get, key="s_scope", horizontal=True)
    places = list(dict.fromkeys(
        (h.document, h.segment_start, h.segment_end) if scope == "segment" else (h.document, h.start, h.end)
        for h in hits))
    by_place = {((h.document, h.segment_start, h.segment_end) if scope == "segment"
                 else (h.document, h.start, h.end)): h for h in hits}
    st.caption(ui.md(f"Preview: {len(places)} places × {len(codes)} codes = up to {len(places) * len(codes)} "
                     "new codings (a place already coded so is left as it is)."))
    st.dataframe(pd.DataFrame([{"document": doc, "speaker": by_place[(doc, s, e)].speaker or "–",
                                "coded words": (f"{by_place[(doc, s, e)].text}" if scope == "words"
                                                else f"segment at {s}–{e}")}
                               for doc, s, e in places[:SHOWN]]), hide_index=True, width="stretch")
    with st.container(horizontal=True):
        st.button(f"Code all {len(hits)} hits", type="primary", on_click=code_all, disabled=not codes,
                  icon=":material/sell:")
        st.button("Undo my last “code all hits”", on_click=undo, icon=":material/undo:")
