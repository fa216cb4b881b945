"""Code & validate: the evaluator's main room. One coding at a time from the active-learning queue
(most uncertain first), decided with a key press; filters, own codings, memos, undo, re-running coders."""

import pandas as pd
import streamlit as st

from qualkit import services
from qualkit.app import gateway, ui
from qualkit.model.coding import Status

QUEUE_FETCH = 60  # codings ranked per filter setting; the page shows one and lists the next few
ANY = "(any)"
DISAGREEMENTS_SHOWN = 20
ORDERS = {"mixed": "most useful first, varied", "uncertainty": "most uncertain first",
          "score": "highest score", "document": "reading order"}

ui.style()
st.title("Code & validate")
gateway.show_notices()
names = ui.code_names()
if not names:
    st.info("The project has no codebook yet: import one on the Codebook page.")
    st.stop()

with st.container(horizontal=True):
    code = st.selectbox("Code", [ANY, *names], format_func=lambda k: names.get(k, k), key="f_code")
    group = st.selectbox("Group", [ANY, *ui.groups()], key="f_group")
    document = st.selectbox("Document", [ANY, *(d.name for d in gateway.read("list_documents"))],
                            key="f_document")
    status = st.selectbox("Status", [s.value for s in Status], key="f_status")
    order = st.selectbox("Order", ["mixed", "uncertainty", "score", "document"], key="f_order",
                         format_func=ORDERS.get)
    low, high = st.slider("Score", 0.0, 1.0, (0.0, 1.0), 0.05, key="f_score")

queue = gateway.queue(limit=QUEUE_FETCH, status=status, order=order,
                      code=None if code == ANY else code, group=None if group == ANY else group,
                      document=None if document == ANY else document)
skipped: set[int] = st.session_state.setdefault("skipped", set())
queue = [item for item in queue if item.id not in skipped
         and (item.score is None or low <= item.score <= high)]


def decide(item_id: int, accept: bool) -> None:
    note = st.session_state.get("note") or None
    gateway.act("Accepted" if accept else "Rejected", services.decide, item_id, accept,
                reviewer=gateway.actor(), note=note)
    st.session_state["note"] = ""


def skip(item_id: int) -> None:
    skipped.add(item_id)


def undo() -> None:
    gateway.act("Undid your last decision", services.undo_last_decision, gateway.actor())


def add_coding(segment_id: int, text: str) -> None:
    part = (st.session_state.get("part") or "").strip()
    start = text.find(part) if part else -1
    if part and start < 0:
        gateway.notice("error", "The words to code are not in this segment: copy them exactly from the text.")
        return
    span = (start, start + len(part)) if part else None
    gateway.act("Coded", services.add_coding, segment_id, st.session_state["new_code"],
                coder=gateway.actor(), span=span)
    st.session_state["part"] = ""


def save_memo(segment_id: int) -> None:
    gateway.act("Memo saved", services.add_memo, "segment", str(segment_id), st.session_state["memo"],
                author=gateway.actor())
    st.session_state["memo"] = ""


if not queue:
    st.success("Nothing left to review with these filters.")
    st.button("Undo my last decision", on_click=undo, shortcut="U", icon=":material/undo:")
else:
    item = queue[0]
    left, right = st.columns([3, 2], gap="large")
    with left:
        where = f"{item.document} · {item.participant or 'no speaker'} · {item.group or 'no group'}"
        st.caption(ui.md(where))
        context = gateway.read("segment_context", segment_id=item.segment_id)
        if context.question:
            st.caption(ui.md(f"{context.question_speaker or 'Interviewer'} asked before:"))
            ui.quote_block(context.question)
        ui.quote_block(item.text, item.span)
        place = ((context.start + item.span[0], context.start + item.span[1]) if item.span
                 else (context.start, context.end))
        st.page_link(ui.DOCUMENT_PAGE, label="Open in the document", icon=":material/article:",
                     query_params=ui.place_link(item.document, *place))
        with st.container(horizontal=True):
            st.button("Accept", type="primary", on_click=decide, args=(item.id, True), shortcut="A",
                      icon=":material/check:")
            st.button("Reject", on_click=decide, args=(item.id, False), shortcut="X", icon=":material/close:")
            st.button("Next", on_click=skip, args=(item.id,), shortcut="N", icon=":material/skip_next:")
            st.button("Undo", on_click=undo, shortcut="U", icon=":material/undo:")
        st.text_input("Note on this decision (optional)", key="note")
    with right:
        score = ui.score_text(item.score)
        st.metric(ui.md(names.get(item.code, item.code_name)), score,
                  help="0.5 is the coder's decision boundary")
        reviewed = f" · reviewed by {item.reviewer}" if item.reviewer else ""
        standing = ("not suggested: the coder said no, shown to learn from your decision"
                    if item.status == Status.SUGGESTED and item.predicted is False else item.status)
        st.caption(ui.md(f"{standing} · by {item.coder}{reviewed}"))
        if item.rationale:
            st.markdown(f"**Why:** {ui.md(item.rationale, line_start=False)}")
        others = [c for c in context.codings if c.id != item.id]
        st.markdown("**Codings on this segment:** " + ("none other" if not others else ""))
        for other in others:
            st.markdown(ui.coding_line(other, names, item.text, context.start))
        with st.expander("Add a code to this segment"):
            st.selectbox("Code", list(names), format_func=names.get, key="new_code")
            st.text_input("Only these words (optional: copy them from the segment)", key="part")
            st.button("Add code", on_click=add_coding, args=(item.segment_id, item.text))
        with st.expander("Memo"):
            for memo in gateway.read("list_memos", target="segment", ref=str(item.segment_id)):
                st.markdown(f"*{ui.md(memo.author, line_start=False)}:* {ui.md(memo.text, line_start=False)}")
            st.text_area("New memo", key="memo")
            st.button("Save memo", on_click=save_memo, args=(item.segment_id,))
    st.caption("Keys: **A** accept · **X** reject · **N** next · **U** undo")
    upcoming = pd.DataFrame([{"score": ui.score_text(i.score), "code": names.get(i.code, i.code_name),
                              "group": i.group or "–",
                              "participant": i.participant, "text": i.text[:160]} for i in queue[1:16]])
    st.subheader(f"Next in the queue ({len(queue) - 1}{'+' if len(queue) >= QUEUE_FETCH else ''})")
    st.dataframe(upcoming, hide_index=True, width="stretch")



def show_agreement(summary: services.AgreementSummary) -> None:
    if summary.pairs:
        st.dataframe(pd.DataFrame([
            {"coders": f"{p.first} / {p.second}", "documents": p.documents, "segments": p.segments,
             "agreement": p.segment_level.agreement, "Cohen's kappa": p.segment_level.kappa,
             "Krippendorff's alpha": p.segment_level.alpha, "alpha (characters)": p.character_level.alpha,
             "disagreements": p.disagreements, "resolved": p.resolved} for p in summary.pairs]),
            hide_index=True, width="stretch")
        st.caption("Segment level, pooled over codes.")
        show_disagreements(summary)
    else:
        st.caption("No two coders have coded the same documents yet. Draw a blind sample with "
                   "`qualkit blind-sample` so a colleague can double-code without seeing your codings.")


def resolve(segment_id: int, code: str, applies: bool, between: tuple[str, str]) -> None:
    gateway.act("Resolved", services.resolve_disagreement, segment_id, code, applies=applies,
                resolver=gateway.actor(), between=between)


def show_disagreements(summary: services.AgreementSummary) -> None:
    """Each disagreement of a pair, with its place in the document and a way to settle it."""
    pairs = {f"{p.first} / {p.second}": (p.first, p.second) for p in summary.pairs if p.disagreements}
    if not pairs:
        return
    pair = pairs[st.selectbox("Disagreements between", list(pairs), key="disagreement_pair")]
    found = gateway.read("agreement", first=pair[0], second=pair[1])
    for item in found.disagreements[:DISAGREEMENTS_SHOWN]:
        said = ", ".join(f"{who} {'applied' if yes else 'did not apply'} it"
                         for who, yes in item.said.items())
        with st.container(border=True):
            st.markdown(ui.md(f"**{names.get(item.code, item.code)}** in {item.document}: {said}"))
            ui.quote_block(item.text, None)
            st.page_link(ui.DOCUMENT_PAGE, label="Open in the document", icon=":material/article:",
                         query_params=ui.place_link(item.document, item.start, item.end))
            if item.resolved_by:
                verdict = "applies" if item.resolved_as else "does not apply"
                st.caption(ui.md(f"Resolved by {item.resolved_by}: the code {verdict}."))
            elif not gateway.read_only():
                with st.container(horizontal=True):
                    key = f"{item.segment_id}_{item.code}"
                    st.button("The code applies", key=f"yes_{key}", on_click=resolve,
                              args=(item.segment_id, item.code, True, pair))
                    st.button("It does not", key=f"no_{key}", on_click=resolve,
                              args=(item.segment_id, item.code, False, pair))
    if len(found.disagreements) > DISAGREEMENTS_SHOWN:
        st.caption(f"The first {DISAGREEMENTS_SHOWN} of {len(found.disagreements)} disagreements.")


def show_machine_since_run(found: services.MachineSinceRun) -> None:
    if not found.decisions:
        st.caption("Nobody has decided on a machine coding since the coder ran: the figures appear here as "
                   "you accept and reject its suggestions.")
        return
    st.dataframe(pd.DataFrame([
        {"code": names.get(c.code, c.code), "decisions": c.decisions, "accepted": c.accepted,
         "agreement": c.agreement, "Cohen's kappa": c.kappa} for c in found.codes]),
        hide_index=True, width="stretch")
    st.caption(ui.md(f"{', '.join(found.coders)}: its own yes or no against the {found.decisions} decisions "
                     "people made after it ran (ones it could not have learnt from). A figure resting on "
                     "few decisions says little."))


# Read only while open: agreement reads every coding, and a decision must not wait for it.
agreement = st.expander("Agreement between coders", key="agreement_open", on_change="rerun")
with agreement:
    if agreement.open:
        show_agreement(gateway.read("agreement_summary"))

since_run = st.expander("The machine's agreement with people since it ran", key="since_run_open",
                        on_change="rerun")
with since_run:
    if since_run.open:
        show_machine_since_run(services.machine_agreement_since_run(gateway.project()))

with st.expander("Re-run a coder"):
    coders = services.available_coders()
    configured = gateway.read("configured_coder")
    default = coders.index(configured) if configured in coders else 0
    chosen = st.selectbox("Coder", coders, index=default)
    if st.button("Run", icon=":material/play_arrow:"):
        with st.spinner(f"Running {chosen}…"):
            summary = gateway.act("Coder finished", services.run_coder, chosen)
        if summary is not None:
            gateway.notice("success", f"{summary.coder}: {summary.suggested} suggestions and "
                                      f"{summary.candidates} lower-scoring candidates stored for review "
                                      f"({summary.skipped_decided} decided by people were left alone).")
        st.rerun()
