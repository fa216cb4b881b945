"""REFI-QDA pieces on their own: code definitions in descriptions, colours, stable GUIDs, the
codebook file, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app
from qualkit.interop.refi.descriptions import key_from_name, parse_description, render_description
from qualkit.interop.refi.guids import Guids
from qualkit.interop.refi.xml_import import parse_codebook

from paths import REPO
from refi_helpers import assert_valid, needs_schemas

ITEMS = st.lists(st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=10)
                 .filter(str.strip), max_size=3)


@given(st.text(max_size=40), st.fixed_dictionaries({f: ITEMS for f in ("include", "exclude", "keywords",
                                                                       "examples")}),
       st.one_of(st.none(), st.from_regex(r"[a-z0-9][a-z0-9_]{0,10}", fullmatch=True)))
def test_a_code_definition_survives_its_description(description: str, lists: dict, key: str | None) -> None:
    text = render_description(description, lists, key)
    assert parse_description(text) == (description, {f: v for f, v in lists.items() if v}, key)


def test_a_vendor_description_that_only_looks_like_ours_is_kept_whole() -> None:
    text = "Use for money.\n\nInclude:\n- budgets\nsee also Housing"
    assert parse_description(text) == (text, {}, None)


@pytest.mark.parametrize(("origin", "colours", "read"), [
    ("", ["#FF112233", "#FF445566", "#FFABCDEF"], ["#112233", "#445566", "#ABCDEF"]),  # alpha first, all
    ("", ["#11223380", "#445566FF"], ["#112233", "#445566"]),
    ("NVivo 14", ["#ff000080"], ["#000080"]),
    ("MAXQDA 24", ["#ff000080"], ["#ff0000"]),
])
def test_eight_digit_colours_are_read_in_the_order_the_file_uses(origin: str, colours: list[str],
                                                                  read: list[str]) -> None:
    codes = "".join(f'<Code name="C{i}" isCodable="true" guid="0a0a0a0a-0000-4000-8000-00000000000{i}" '
                    f'color="{colour}"/>' for i, colour in enumerate(colours))
    book, _ = parse_codebook(f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="{origin}"><Codes>{codes}'
                             '</Codes></CodeBook>'.encode(), "x.qdc")
    assert [code.color for code in book.codes] == read


def test_names_give_ids_and_guids_are_stable_per_project() -> None:
    assert key_from_name("Café culture & rent!") == "cafe_culture_rent"
    assert Guids("study")("code", "trust") == Guids("study")("code", "trust")
    assert Guids("study")("code", "trust") != Guids("other study")("code", "trust")


@pytest.mark.parametrize(("written", "read"), [
    ("#abc", "#abc"), ("#AABBCC", "#AABBCC"), ("FFAABBCC", "#FFAABB"), ("#AABBCCFF", "#AABBCC"),
    ("#ff000080", "#ff0000"),
    ("rgb(1, 2, 255)", "#0102ff"), ("10,20,30", "#0a141e"), ("rgba(1,2,3,0.5)", "#010203"), ("red", None),
])
def test_colours_in_the_forms_vendors_write(written: str, read: str | None) -> None:
    xml = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="X" isCodable="true" '
           f'guid="{{0A0A0A0A-0000-4000-8000-0000000000AB}}" color="{written}"/></Codes></CodeBook>').encode()
    book, dropped = parse_codebook(xml, "x.qdc")
    assert book.codes[0].color == read and book.codes[0].guid == "0a0a0a0a-0000-4000-8000-0000000000ab"
    assert dropped == ([] if read else ["x.qdc, line 1: the colour 'red' of code 'X' not imported (not a "
                                        "colour qualkit can read; the code was imported without it)."])


@needs_schemas
def test_codebook_export_is_valid_and_reads_back(project: services.Project, tmp_path: Path) -> None:
    services.import_codebook(project, REPO / "codebooks" / "family_support.yaml")
    path = services.export_qdc(project, tmp_path / "book.qdc").path
    assert_valid(path.read_bytes(), "Codebook.xsd")
    assert etree.parse(str(path)).getroot().get("origin").startswith("qualkit")
    fresh = services.init_project(tmp_path / "fresh")
    services.import_refi(fresh, path, codebook="Family support")
    assert services.current_codebook(fresh).codes == services.current_codebook(project).codes


def test_cli_imports_and_exports_refi(transcript: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    source, target = tmp_path / "source", tmp_path / "target"
    for args in (["init", str(source)], ["import", str(source), str(transcript)],
                 ["codebook", "import", str(source), str(REPO / "codebooks" / "family_support.yaml")],
                 ["export", str(source), "--format", "qdpx", "-o", str(tmp_path / "p.qdpx")],
                 ["export", str(source), "--format", "qdc", "-o", str(tmp_path / "c.qdc")],
                 ["init", str(target)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(target), str(tmp_path / "p.qdpx"), str(tmp_path / "c.qdc")])
    assert result.exit_code == 0, result.output
    assert "p.qdpx: codebook 'p' version 1 (23 codes)" in result.output  # REFI codebooks have no name
    assert "c.qdc: codebook 'p' version 1 (23 codes), unchanged" in result.output
    assert [d.name for d in services.list_documents(services.open_project(target))] == ["kw_interview.txt"]
