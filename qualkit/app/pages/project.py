"""Project: import files (upload or a folder on this machine), the participants sheet, stakeholder
groups, and an overview of the corpus."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualkit import services
from qualkit.app import gateway

st.title("Project")
gateway.show_notices()
status = gateway.read("project_status")

with st.container(horizontal=True):
    st.metric("Documents", status.documents)
    st.metric("Words", f"{status.words:,}")
    st.metric("Segments", status.segments)
    st.metric("Codable", status.codable)
    st.metric("Participants", status.participants)

st.subheader("By stakeholder group")
st.dataframe(pd.DataFrame(status.by_group, columns=["group", "codable segments", "participants", "documents"])
             .fillna({"group": "(no group)"}), hide_index=True)


def save_uploads(files: list, folder: Path) -> list[Path]:
    """Uploaded files written under `folder` with their own names (the names documents keep)."""
    paths = []
    for upload in files:
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        paths.append(path)
    return paths


def report_import(report: services.ImportReport | None) -> None:
    """Say what an import did, then redraw the page with the new corpus."""
    if report is not None:
        segments = sum(n for _, n in report.imported)
        gateway.notice("success", f"Imported {len(report.imported)} document(s), {segments} segments; "
                                  f"{len(report.unchanged)} unchanged.")
        for name in report.changed:
            gateway.notice("warning", f"{name}: a document with this name but different content is already "
                                      "in the project; left as it was.")
        for file, why in report.skipped:
            gateway.notice("info", f"Skipped {Path(file).name}: {why}")
        for error in report.failed:
            gateway.notice("warning", str(error))
    st.rerun()


importing, refi, people, grouping = st.tabs(["Import files", "NVivo, ATLAS.ti, MAXQDA (REFI-QDA)",
                                            "Participants sheet", "Stakeholder groups"])
with refi:
    st.caption("A REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, MAXQDA, QualCoder and "
               "others: imported in one transaction, its codings attached at their exact places.")
    with st.form("refi", clear_on_submit=True):
        exchange = st.file_uploader("A .qdpx or .qdc file", type=["qdpx", "qdc"])
        if st.form_submit_button("Import REFI-QDA file") and exchange is not None:
            with tempfile.TemporaryDirectory() as scratch, st.spinner("Importing…"):
                [path] = save_uploads([exchange], Path(scratch))
                refi_report = gateway.act("REFI-QDA import finished", services.import_refi, path)
            if refi_report is not None:
                gateway.notice("success", f"{refi_report.file}: {len(refi_report.documents)} document(s), "
                                          f"{refi_report.codings} coding(s), {refi_report.memos} memo(s) "
                                          "added.")
                for left_out in [*refi_report.dropped, *refi_report.unplaced]:
                    gateway.notice("warning", left_out)
            st.rerun()

with importing:
    with st.form("upload", clear_on_submit=True):
        uploads = st.file_uploader("Transcripts, notes, surveys", accept_multiple_files=True)
        skip_bad = st.checkbox("Import the readable files even if some cannot be read")
        if st.form_submit_button("Import uploaded files", type="primary") and uploads:
            with tempfile.TemporaryDirectory() as scratch, st.spinner("Importing…"):
                report = gateway.act("Import finished", services.import_sources,
                                     save_uploads(uploads, Path(scratch)), skip_bad=skip_bad)
            report_import(report)
    with st.form("folder"):
        where = st.text_input("Or a file or folder on this machine", placeholder="/path/to/transcripts")
        if st.form_submit_button("Import from path") and where.strip():
            with st.spinner("Importing…"):
                report = gateway.act("Import finished", services.import_sources,
                                     [Path(where.strip()).expanduser()])
            report_import(report)

with people:
    st.caption("A CSV or XLSX with any of document, speaker, participant, group, role, site.")
    with st.form("sheet", clear_on_submit=True):
        sheet = st.file_uploader("Participants sheet", type=["csv", "xlsx"])
        if st.form_submit_button("Apply sheet") and sheet is not None:
            with tempfile.TemporaryDirectory() as scratch:
                result = gateway.act("Sheet applied", services.load_participants,
                                     save_uploads([sheet], Path(scratch))[0])
            if result is not None:
                gateway.notice("success", f"Applied {result.matched} row(s).")
                for line in result.unmatched:
                    gateway.notice("warning", line)
            st.rerun()
    st.dataframe(pd.DataFrame([{"participant": p.label, "group": p.group, "role": p.role, "site": p.site,
                                "documents": p.documents, "segments": p.segments}
                               for p in gateway.read("list_participants")]), hide_index=True)

documents = gateway.read("list_documents")
with grouping:
    st.caption("A document's group applies to its segments where no participant or column says otherwise "
               "(case notes, surveys).")
    with st.form("group"):
        chosen = st.selectbox("Document", [d.name for d in documents])
        group = st.text_input("Stakeholder group")
        if st.form_submit_button("Set group") and chosen and group.strip():
            gateway.act("Group set", services.set_document_group, chosen, group.strip())
            st.rerun()

st.subheader("Documents")
st.dataframe(pd.DataFrame([{"document": d.name, "format": d.suffix, "words": d.words, "segments": d.segments,
                            "codable": d.codable, "group": d.group, "speakers": ", ".join(d.speakers)}
                           for d in documents]), hide_index=True, width="stretch")
