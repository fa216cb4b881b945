"""Themes: read-only browsing for scrutiny officers. Theme cards with counts by stakeholder group,
a chart, and anonymised quotes with filters and search. Browsing changes nothing, and every quote
and name is read through the anonymised view; a stale anonymisation is shown as such (anonymised in
memory), with a button to store it again for people who may change the project."""

import pandas as pd
import streamlit as st

from qualkit.app import gateway, ui
from qualkit.errors import QualkitError

ALL = "(all)"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


ui.style()
st.title("Themes")
gateway.show_notices()
ui.stale_anonymisation_banner()
try:
    themes = gateway.read("theme_summaries")
except QualkitError as error:
    st.info(ui.md(error))
    st.stop()
sizes = {group or "(no group)": people for group, _, people, _ in gateway.read("counts_by_group")}

with st.container(horizontal=True):
    search = st.text_input("Search quotes", placeholder="words in the anonymised quotes")
    group = st.selectbox("Stakeholder group", [ALL, *sizes])
    coded_only = st.toggle("Only themes with codings", value=True)

shown = [t for t in themes if (t.segments or not coded_only)
         and (group == ALL or group in t.by_group or not coded_only)]
if not shown:
    st.info("No accepted codings yet: themes appear here as people accept codings.")
    st.stop()

chart = pd.DataFrame([{"theme": t.name, "group": g, "segments": n}
                      for t in shown for g, (n, _) in t.by_group.items() if group in (ALL, g)])
if not chart.empty:
    st.bar_chart(chart, x="theme", y="segments", color="group", horizontal=True, sort=False,
                 height=max(220, 28 * len(shown)))

names = {t.key: t.name for t in themes}
columns = st.columns(3)
for i, theme in enumerate(shown):
    with columns[i % 3].container(border=True):
        st.markdown(f"{'↳ ' * theme.depth}**{ui.md(theme.name)}**")
        if theme.description:
            st.caption(ui.md(theme.description))
        st.markdown(f"{plural(theme.segments, 'segment')} · {plural(theme.participants, 'participant')}")
        st.markdown("\n".join(f"- {ui.md(g, line_start=False)}: "
                              + (f"{people} of {sizes.get(g, '?')}, " if people else "")
                              + plural(n, "segment")
                              for g, (n, people) in theme.by_group.items() if group in (ALL, g)))

st.subheader("Quotes")
if search.strip():  # a search covers every theme, so a quote under another theme is never missed
    st.caption(ui.md(f"Quotes of every theme matching “{search.strip()}”"))
    chosen = None
else:
    chosen = st.selectbox("Theme", [t.key for t in shown], format_func=names.get)
quotes = gateway.quotes(code=chosen, group=None if group == ALL else group,
                        search=search.strip() or None, limit=60)
if not quotes:
    st.info("No quotes match.")
# The Document page shows the original text: no link to it in a read-only app.
places = {} if gateway.read_only() else gateway.read("segment_places",
                                                     segment_ids=tuple(q.segment_id for q in quotes))
for quote in quotes:
    theme = f"{names.get(quote.code, quote.code)} · " if chosen is None else ""
    st.caption(ui.md(f"{theme}{quote.participant or 'unattributed'} · {quote.group} · {quote.document}"))
    ui.quote_block(quote.text)
    if quote.segment_id in places:
        document, start, end = places[quote.segment_id]
        st.page_link(ui.DOCUMENT_PAGE, label="Open in the document", icon=":material/article:",
                     query_params=ui.place_link(document, *(quote.span or (start, end))))
