"""Document: one transcript in reading order with speakers, times and the interviewer's questions,
every coding as a stripe in the margin. Select words to code them (stored with their exact document
offsets); click a stripe to accept, reject or remove it. `?doc=NAME&start=S&end=E` opens a document
scrolled to a span, highlighted (review cards, theme quotes and search hits link here)."""

import streamlit as st

from qualkit import services
from qualkit.app import components, gateway, ui
from qualkit.model.coding import Status

KEY = "qk_document"
STATUSES = [status.value for status in Status]

ui.style()
st.title("Document")
gateway.show_notices()

documents = ui.document_names_or_stop()
names = ui.code_names()
colours = ui.code_colours()
params = st.query_params
asked = params.get("doc")
if asked in documents and st.session_state.get("doc_shown") != asked:
    st.session_state["doc_choice"] = asked
    st.session_state["doc_shown"] = asked
focus = None
try:
    if asked and "start" in params and "end" in params:
        focus = (int(params["start"]), int(params["end"]))
except ValueError:
    focus = None

with st.container(horizontal=True):
    document = st.selectbox("Document", documents, key="doc_choice")
    statuses = st.multiselect("Status", STATUSES, default=[Status.SUGGESTED.value, Status.ACCEPTED.value],
                              key="doc_status")
    shown_codes = st.multiselect("Codes (all when empty)", list(names), format_func=names.get,
                                 key="doc_codes")
    coders = st.text_input("Coder (all when empty)", key="doc_coder", placeholder="a name or coder")
if document != asked:
    focus = None

view = gateway.read("document_in_context", document=document)
codings = [c for c in view.codings if c.status in statuses and (not shown_codes or c.code in shown_codes)
           and (not coders.strip() or coders.strip().casefold() in c.coder.casefold()
                or coders.strip().casefold() in (c.reviewer or "").casefold())]
shown = services.DocumentInContext(view.name, view.group, view.segments, codings)
version = f"{document}:{gateway.version()}:{','.join(statuses)}:{','.join(shown_codes)}:{coders.strip()}"


def coded() -> None:
    selection = components.trigger(KEY, "coded")
    if not selection:
        return
    result = gateway.act("Coded", services.code_selection, document, int(selection["start"]),
                         int(selection["end"]), list(selection.get("codes") or []), coder=gateway.actor(),
                         expected_text=selection.get("text"))
    if result is not None and result.already:
        gateway.notice("info", "Already coded on exactly these words, so not added again: "
                               + "; ".join(result.already) + ".")


def act_on_stripe() -> None:
    action = components.trigger(KEY, "action")
    if not action:
        return
    coding, what = int(action["id"]), action.get("action")
    if what == "remove":
        gateway.act("Removed", services.remove_coding, coding, gateway.actor())
    elif what in ("accept", "reject"):
        gateway.act("Accepted" if what == "accept" else "Rejected", services.decide, coding,
                    what == "accept", reviewer=gateway.actor())


counts = {status: sum(c.status == status for c in view.codings) for status in Status}
suggestions = sum(c.coding.is_suggestion for c in view.codings)  # the coder's own yes, as counted everywhere
candidates = counts[Status.SUGGESTED] - suggestions
st.caption(ui.md(f"{len(view.segments)} segments · group {view.group or '–'} · "
                 f"{counts[Status.ACCEPTED]} accepted, {suggestions} suggested"
                 + (f" (and {candidates} lower-scored candidates)" if candidates else "")
                 + f", {counts[Status.REJECTED]} rejected codings"))
st.caption("Select words with the mouse to code them (keys 1–9 tick codes, Enter codes). Click a stripe "
           "to accept (A), reject (X) or remove it. Solid stripes are accepted codings, dashed ones "
           "suggestions; hover a stripe for who and when.")
components.document_view(ui.document_data(shown, names, colours, version=version, focus=focus,
                                          read_only=gateway.read_only()),
                         key=KEY, on_coded=coded, on_action=act_on_stripe)
