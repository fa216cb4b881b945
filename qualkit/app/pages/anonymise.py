"""Anonymise: review detected identifiers in context, mark what the detector missed, keep allow and
deny lists, preview anonymised text, and (on explicit request) download the pseudonym key. Opening the
page runs nothing: a stale anonymisation is shown as such, and runs again on the button."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualkit import services
from qualkit.anonymise.detection import LABELS
from qualkit.app import gateway, ui
from qualkit.model.coding import Status

ANY = "(any)"
SHOWN = 200

ui.style()
st.title("Anonymise")
gateway.show_notices()
documents = [d.name for d in gateway.read("list_documents")]
if not documents:
    st.info("Import documents on the Project page first.")
    st.stop()

state = gateway.read("anonymisation_state")
if state.stale:
    st.warning(ui.md(state.describe()), icon=":material/update:")
if st.button("Run detection again", icon=":material/refresh:", type="primary" if state.stale else "secondary",
             help="Finds identifiers in every document; your decisions and manual redactions are kept."):
    with st.spinner("Detecting identifiers in every document…"):
        summary = gateway.act("Detection finished", services.anonymise_project)
    if summary is not None:
        gateway.notice("success", f"{summary.suggested} new detections to review; "
                                  f"{summary.kept_decisions} earlier decisions kept.")
    st.rerun()

review, people, manual, lists, preview, key = st.tabs(["Detections", "People", "Manual redaction",
                                                       "Allow / deny lists", "Preview", "Key"])
with review:
    with st.container(horizontal=True):
        status = st.selectbox("Status", [*Status, ANY], format_func=str)
        label = st.selectbox("Label", [ANY, *LABELS])
        document = st.selectbox("Document", [ANY, *documents])
    found = gateway.read("list_redactions", limit=SHOWN, status=None if status == ANY else status,
                         label=None if label == ANY else label,
                         document=None if document == ANY else document)
    columns = ["select", "id", "label", "in context", "document", "source", "status", "why"]
    table = pd.DataFrame([[False, r.id, r.label, ui.in_context(r.before, f"[{r.original} → {r.replacement}]",
                                                                r.after),
                           r.document, r.source, r.status, r.reason] for r in found], columns=columns)
    st.caption(f"{len(found)} detection(s){' (first ' + str(SHOWN) + ')' if len(found) == SHOWN else ''}. "
               "Suggested ones are already applied; reject the false positives.")
    edited = st.data_editor(table, hide_index=True, width="stretch", disabled=list(table.columns[1:]),
                            key=f"redactions_{gateway.version()}")
    picked = [int(i) for i in edited.loc[edited["select"], "id"]]
    terms_picked = {(r.original, r.label) for r in found if r.id in picked}
    with st.container(horizontal=True):
        for verb, accept in (("Accept", True), ("Reject", False)):
            if st.button(f"{verb} selected ({len(picked)})", disabled=not picked,
                         type="primary" if accept else "secondary"):
                gateway.act(f"{verb}ed", services.decide_redactions, accept=picked if accept else [],
                            reject=[] if accept else picked, reviewer=gateway.actor())
                st.rerun()
        for verb, kind in (("Accept", "deny"), ("Reject", "allow")):
            if st.button(f"{verb} these terms everywhere ({len(terms_picked)})", disabled=not picked,
                         help="Every redaction of the same words, in every document, now and in later runs "
                              f"(the terms join the {kind} list)."):
                for original, term_label in sorted(terms_picked):
                    gateway.act(f"{verb}ed everywhere", services.add_term, original, kind,
                                term_label if kind == "deny" else None, actor=gateway.actor())
                st.rerun()

with people:
    st.caption("Every name found is clustered into people, each with one pseudonym. A name that could be "
               "two people where it stands shows as [Person] until you say who it is. This shows real "
               "names: opening it is logged as a read of the key.")
    if st.button("Show the people found"):
        st.session_state["people"] = gateway.write(services.list_people)
    if "people" in st.session_state:
        found_people, ambiguous = st.session_state["people"]
        st.dataframe(pd.DataFrame([{"pseudonym": p.pseudonym, "names": "; ".join(p.names),
                                    "mentions": p.mentions, "documents": p.documents} for p in found_people],
                                  columns=["pseudonym", "names", "mentions", "documents"]), hide_index=True)
        if ambiguous:
            st.warning(ui.md("Ambiguous: " + "; ".join(f"'{a.name}' in {a.document} ({a.mentions}×)"
                                                        for a in ambiguous)))
        names = sorted({n for p in found_people for n in p.names} | {a.name for a in ambiguous})
        with st.form("merge_people", clear_on_submit=True):
            chosen = st.multiselect("These names are one person", names)
            if st.form_submit_button("Merge") and len(chosen) > 1:
                gateway.act("Merged", services.merge_people, chosen, gateway.actor())
                st.session_state.pop("people")
                st.rerun()
        with st.form("keep_apart", clear_on_submit=True):
            alone = st.selectbox("This name is someone of their own", names)
            if st.form_submit_button("Keep apart") and alone:
                gateway.act("Kept apart", services.keep_apart, alone, gateway.actor())
                st.session_state.pop("people")
                st.rerun()

with manual, st.form("manual", clear_on_submit=True):
    st.caption("Something the detector missed: type it exactly as written in the document.")
    where = st.selectbox("Document", documents)
    words = st.text_input("Text to redact")
    kind = st.selectbox("Label", LABELS)
    every = st.checkbox("Every occurrence in this document", value=True)
    if st.form_submit_button("Redact") and words.strip():
        spans = [(s.start + i, s.start + i + len(words.strip()))
                 for s in services.iter_segments(gateway.project(), document=where)
                 for i in ui.occurrences(s.text, words.strip())]
        if not spans:
            gateway.notice("error", f"'{words.strip()}' is not in {where} as written.")
        for start, end in spans if every else spans[:1]:
            gateway.act("Redacted", services.add_manual_redaction, where, start, end, kind,
                        actor=gateway.actor())
        st.rerun()

with lists:
    terms = gateway.read("list_terms")
    st.dataframe(pd.DataFrame([{"term": t.term, "list": t.kind, "label": t.label} for t in terms],
                              columns=["term", "list", "label"]), hide_index=True)
    with st.form("term", clear_on_submit=True):
        left, middle, right = st.columns(3)
        term = left.text_input("Term")
        kind = middle.selectbox("List", ["allow", "deny"],
                                help="allow: never redacted; deny: always redacted")
        term_label = right.selectbox("Label (deny list)", LABELS)
        if st.form_submit_button("Add to list") and term.strip():
            gateway.act("Listed", services.add_term, term, kind, term_label if kind == "deny" else None,
                        actor=gateway.actor())
            st.rerun()
    if terms:
        with st.form("unlist"):
            gone = st.selectbox("Remove", terms, format_func=lambda t: f"{t.term} ({t.kind})")
            if st.form_submit_button("Remove from list"):
                gateway.act("Removed", services.remove_term, gone.term, gone.kind)
                st.rerun()

with preview:
    shown = st.selectbox("Document", documents, key="preview_document")
    for _, speaker, text in gateway.read("anonymised_segments", document=shown):
        if speaker:
            st.caption(ui.md(speaker))
        ui.quote_block(text)

with key:
    st.warning("The key links pseudonyms to real names: it is personal data. Keep it apart from any export.")
    if st.button("Prepare the key for download"):
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "pseudonym_key.json"
            if gateway.act("Key prepared", services.export_key, path) is not None:
                st.session_state["key_file"] = path.read_bytes()
    if "key_file" in st.session_state:
        st.download_button("Download pseudonym_key.json", st.session_state.pop("key_file"),
                           file_name="pseudonym_key.json", mime="application/json")
    gateway.show_notices()
