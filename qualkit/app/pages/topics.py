"""Topics: discover recurring themes the codebook may be missing, see their keywords, quotes and
size by stakeholder group, and promote one to a code."""

import pandas as pd
import streamlit as st

from qualkit import services
from qualkit.app import gateway, ui
from qualkit.errors import QualkitError

ALL = "(all groups)"

ui.style()
st.title("Topics")
gateway.show_notices()
st.caption("Clusters of similar segments, found on the cached embeddings. Discovery only proposes: "
           "nothing changes until you promote a topic to a code.")

with st.form("discover"):
    left, right = st.columns(2)
    group = left.selectbox("Stakeholder group", [ALL, *ui.groups()])
    size = right.number_input("Smallest topic (segments)", 2, 200, 8)
    if st.form_submit_button("Discover topics", type="primary"):
        with st.spinner("Finding topics (the first run embeds every segment)…"):
            try:
                st.session_state["topics"] = services.discover_topics(
                    gateway.project(), None if group == ALL else group, min_topic_size=int(size))
            except QualkitError as error:
                st.error(ui.md(error))

found = st.session_state.get("topics")
if found is not None and not found:
    st.info("No topics: too few segments, or none recurring. Try a smaller topic size.")
names = ui.code_names()
for topic in found or []:
    nearest = (f" · nearest code: {names.get(topic.nearest_code[0], topic.nearest_code[0])} "
               f"({topic.nearest_code[1]:.2f})" if topic.nearest_code else "")
    with st.expander(f"**{ui.md(topic.label)}** — {topic.size} segments{ui.md(nearest, line_start=False)}",
                     expanded=topic is found[0]):
        st.markdown("**Keywords:** " + ui.md(", ".join(topic.keywords), line_start=False))
        sizes = pd.DataFrame([{"group": g or "(no group)", "segments": n}
                              for g, n in topic.size_by_group.items()])
        st.bar_chart(sizes, x="group", y="segments", height=180, horizontal=True)
        for unit in topic.representatives:
            st.caption(ui.md(f"{unit.speaker or 'no speaker'} · {unit.group or 'no group'}"))
            ui.quote_block(unit.text)
        with st.form(f"promote_{topic.id}"):
            st.markdown("**Promote to a code**")
            code_id = st.text_input("Id", topic.suggested_id)
            name = st.text_input("Name", topic.label)
            parent = st.selectbox("Under", ["(top level)", *names], format_func=lambda k: names.get(k, k))
            if st.form_submit_button("Promote"):
                stored = gateway.act("Code added", services.promote_topic, topic, code_id.strip(),
                                     name.strip(), None if parent == "(top level)" else parent)
                if stored is not None:
                    gateway.notice("success", f"Added '{name}' to '{stored.name}' "
                                              f"(version {stored.version}).")
                st.rerun()
