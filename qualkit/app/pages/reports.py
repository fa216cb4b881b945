"""Reports & export: build the thematic report (Word, HTML, Markdown, Excel) and the anonymised
exports (quote tables, case x code matrices), kept in a dated folder of the project's reports/ like
every other build, and offered for download. Every file is anonymised, so this page works read-only
too; read-only, nothing is written to the project: the files are built in a scratch folder."""

import tempfile
from dataclasses import replace
from pathlib import Path

import streamlit as st

from qualkit import services
from qualkit.app import gateway, ui
from qualkit.errors import QualkitError

MIME = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".html": "text/html", ".md": "text/markdown", ".csv": "text/csv"}
GROUPINGS = ["group", "participant", "document", "role", "site"]

st.title("Reports & export")
st.caption("Every output is anonymised: quotes and names go through the pseudonym key, which no output "
           "contains. Accepted codings only, unless you include the machine's suggestions (marked as such).")
gateway.show_notices()
ui.stale_anonymisation_banner()

with st.form("options"):
    left, middle, right = st.columns(3)
    group_by = left.selectbox("Compare by", GROUPINGS)
    groups = middle.multiselect("Stakeholder groups (all when empty)", ui.groups())
    names = ui.code_names()
    codes = right.multiselect("Themes (all when empty)", list(names), format_func=names.get)
    quotes = left.number_input("Quotes per theme and group", 0, 10, 1)
    suggestions = middle.checkbox("Include machine suggestions (marked)")
    paths = right.checkbox("Quote table: REFI-style code paths")
    framework = left.checkbox("Add the framework matrix (participants x themes)")
    empty = middle.checkbox("List themes nothing is coded with")
    context = right.checkbox("Quote a coded part of a turn with its sentences",
                             help="A coding on part of a turn is quoted as coded; this widens it to the "
                                  "whole sentences around it.")
    built = st.form_submit_button("Build report and exports", type="primary")

if built:
    options = services.ReportOptions(group_by=group_by, groups=tuple(groups), codes=tuple(codes),
                                     include_suggestions=suggestions, quotes_per_group=int(quotes),
                                     code_paths=paths, framework=framework, include_empty=empty,
                                     context=context)
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch, st.spinner("Building…"):
        target = Path(scratch) if gateway.read_only() else services.output_folder(gateway.project())
        try:
            for path in gateway.produce("write_report", options=options, folder=target):
                files[path.name] = path.read_bytes()
            for format_name, exporter in services.EXPORT_FORMATS.items():
                variants = [(options, exporter.filename)]
                if format_name == "matrix-csv":
                    variants.append((replace(options, binary=True), "case_code_binary_matrix.csv"))
                for chosen, filename in variants:
                    result = gateway.produce("export", format=format_name, options=chosen,
                                             path=target / filename)
                    files[filename] = result.path.read_bytes()
        except QualkitError as error:
            st.error(ui.md(error))
        else:
            if not gateway.read_only():
                st.success(ui.md(f"Written to {target}"))
    st.session_state["outputs"] = files

if not gateway.read_only():
    with st.expander("Exchange with NVivo, ATLAS.ti, MAXQDA (REFI-QDA .qdpx)"):
        st.caption("The raw project (not anonymised) for colleagues working on the same data under the same "
                   "agreement: codebook, documents, codings with who made them, cases, memos.")
        with_suggestions = st.checkbox("Include machine suggestions (under a user of their own)",
                                       key="qdpx_sugg")
        if st.button("Build .qdpx", key="qdpx_build"):
            target = services.output_folder(gateway.project()) / f"{gateway.project().config.name}.qdpx"
            target.parent.mkdir(parents=True, exist_ok=True)
            exported = gateway.act("REFI-QDA project written", services.export_refi, "qdpx", target,
                                   include_suggestions=with_suggestions)
            if exported is not None:
                st.session_state["qdpx"] = (target.name, target.read_bytes())
        if "qdpx" in st.session_state:
            name, payload = st.session_state["qdpx"]
            st.download_button(name, payload, file_name=name, mime="application/zip", key="qdpx_download",
                               icon=":material/download:")

outputs: dict[str, bytes] = st.session_state.get("outputs", {})
if outputs:
    st.subheader("Downloads")
    for name, data in outputs.items():
        st.download_button(name, data, file_name=name, icon=":material/download:", key=f"download_{name}",
                           mime=MIME.get(Path(name).suffix, "application/octet-stream"))
    markdown = outputs.get("thematic_report.md")
    if markdown:
        with st.expander("Preview (Markdown)", expanded=True):
            st.markdown(markdown.decode("utf-8"))
