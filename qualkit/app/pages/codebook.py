"""Codebook: the tree of codes; add, edit, rename, move, merge and split codes (each stored as a new
version through `qualkit.codebook_edits`); import and export."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from pydantic import ValidationError

from qualkit import codebook_edits as edits
from qualkit import services
from qualkit.app import gateway, ui
from qualkit.errors import QualkitError
from qualkit.model import Code, Codebook
from qualkit.services.refi import export_qdc

TOP = "(top level)"

st.title("Codebook")
gateway.show_notices()


def store(edit: Callable[[Codebook], Codebook]) -> None:
    """Apply a pure edit to the current codebook and store the result as its next version."""
    try:
        edited = edit(gateway.read("current_codebook"))
    except QualkitError as error:
        gateway.notice("error", str(error))
    else:
        stored = gateway.act("Codebook saved", services.save_codebook, edited, source="app")
        if stored is not None:
            gateway.notice("success", f"Stored '{stored.name}' version {stored.version}.")
    st.rerun()


def new_code(code_id: str, name: str, description: str = "") -> Code:
    """A new code; invalid input is reported and the page redrawn."""
    try:
        return Code(id=code_id.strip(), name=name.strip(), description=description.strip())
    except ValidationError as error:
        gateway.notice("error", "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in error.errors()))
        st.rerun()


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


try:
    book = gateway.read("current_codebook")
except QualkitError as error:
    book = None
    st.info(ui.md(error))

if book is not None:
    codes = book.flat()
    names = {code.id: code.name for code in codes}
    tree, editing = st.columns([3, 2], gap="large")
    with tree:
        st.caption(ui.md(f"{book.name}, version {book.version}, {len(codes)} codes"))
        st.markdown("\n".join(
            f"{'    ' * depth}- **{ui.md(code.name, line_start=False)}** `{code.id}`"
            + (f" — {ui.md(code.description, line_start=False)}" if code.description else "")
            for code, _, depth in book.walk()))
    with editing:
        chosen = st.selectbox("Code", list(names), format_func=lambda k: f"{names[k]} ({k})")
        code = book.get(chosen)
        add, define, rename, move, merge, split = st.tabs(
            ["Add", "Define", "Rename", "Move", "Merge", "Split"])
        with add, st.form("add", clear_on_submit=True):
            code_id = st.text_input("Id (lower case, _)")
            name = st.text_input("Name")
            description = st.text_area("Description")
            parent = st.selectbox("Under", [TOP, *names], format_func=lambda k: names.get(k, k))
            if st.form_submit_button("Add code"):
                made = new_code(code_id, name, description)
                store(lambda b: edits.add_code(b, made, None if parent == TOP else parent))
        with define, st.form("define"):
            description = st.text_area("Description", code.description)
            include = st.text_area("Include when (one per line)", "\n".join(code.include))
            exclude = st.text_area("Exclude when (one per line)", "\n".join(code.exclude))
            keywords = st.text_area("Keywords (one per line)", "\n".join(code.keywords))
            examples = st.text_area("Examples (one per line)", "\n".join(code.examples))
            if st.form_submit_button("Save definition"):
                store(lambda b: edits.edit_definition(
                    b, chosen, description=description, include=lines(include), exclude=lines(exclude),
                    keywords=lines(keywords), examples=lines(examples)))
        with rename, st.form("rename"):
            new_name = st.text_input("New name", code.name)
            if st.form_submit_button("Rename"):
                store(lambda b: edits.rename_code(b, chosen, new_name))
        with move, st.form("move"):
            others = [TOP, *(k for k in names if k != chosen)]
            target = st.selectbox("Move under", others, format_func=lambda k: names.get(k, k))
            if st.form_submit_button("Move"):
                store(lambda b: edits.move_code(b, chosen, None if target == TOP else target))
        with merge, st.form("merge"):
            sources = st.multiselect("Merge these codes into the chosen one",
                                     [k for k in names if k != chosen], format_func=names.get)
            if st.form_submit_button("Merge") and sources:
                store(lambda b: edits.merge_codes(b, sources, chosen)[0])
        with split, st.form("split"):
            st.caption("One new narrower code per line, as `id: Name`; the code stays as their parent.")
            parts = st.text_area("New codes", placeholder="trust_early: Early trust\ntrust_lost: Lost trust")
            if st.form_submit_button("Split"):
                made = [new_code(*line.partition(":")[::2]) for line in lines(parts)]
                store(lambda b: edits.split_code(b, chosen, made)[0])

st.divider()
importing, exporting = st.columns(2, gap="large")
with importing, st.form("import", clear_on_submit=True):
    upload = st.file_uploader("Import a codebook (YAML)", type=["yaml", "yml"])
    if st.form_submit_button("Import") and upload is not None:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            stored = gateway.act("Codebook imported", services.import_codebook, path)
        if stored is not None:
            gateway.notice("success", f"'{stored.name}' version {stored.version}" if stored.new
                           else "Identical to the current version: nothing stored.")
        st.rerun()
if book is not None:
    with exporting:
        with tempfile.TemporaryDirectory() as scratch:
            services.export_codebook(gateway.project(), Path(scratch) / "codebook.yaml")
            data = (Path(scratch) / "codebook.yaml").read_bytes()
        st.download_button("Download YAML", data, file_name=f"codebook_v{book.version}.yaml",
                           mime="application/x-yaml", icon=":material/download:")
        if st.button("Prepare REFI-QDA (.qdc)", help="The codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder"):
            with tempfile.TemporaryDirectory() as scratch:
                path = Path(scratch) / "codebook.qdc"
                if gateway.act("REFI-QDA codebook ready", export_qdc, path) is not None:
                    st.session_state["qdc"] = path.read_bytes()
        if "qdc" in st.session_state:
            st.download_button("Download REFI-QDA (.qdc)", st.session_state.pop("qdc"),
                               file_name=f"codebook_v{book.version}.qdc", mime="application/xml",
                               icon=":material/download:")
