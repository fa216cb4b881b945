"""Loading and writing codebook YAML: the shipped codebook loads, and what qualkit writes loads back equal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.interop.codebook_yaml import CODE_KEYS, dump_codebook, load_codebook, parse_codebook
from qualkit.model import Code, Codebook
from qualkit.model.codebook import CODE_ID
from qualkit.model.names import unprintable

from paths import REPO


def test_family_support_codebook_loads(family: Codebook) -> None:
    ids = [code.id for code in family.flat()]
    assert len(ids) >= 20
    assert {"trust", "isolation", "good_cop_bad_cop", "dependency"} <= set(ids)
    assert family.name == "Family support evaluation starter codebook"
    assert family.version == 1
    trust = family.get("trust")
    assert trust.name == "Trust"
    assert trust.description.startswith("The family's or young person's expressed belief")
    assert "\n" not in trust.description  # `>-` folds the lines into one paragraph
    assert "confide" in trust.keywords
    assert trust.color == "#1F77B4"
    assert all(code.include and code.exclude and code.keywords and code.examples for code in family.flat())
    assert family.parent_of()["practical_help_housing"] == "practical_help"


def test_family_support_round_trips(family: Codebook) -> None:
    assert parse_codebook(dump_codebook(family)) == family


def test_dump_is_readable(family: Codebook) -> None:
    text = dump_codebook(family)
    assert text.startswith("name: Family support evaluation starter codebook\nversion: 1\n"
                           "codes:\n  - id: trust\n")
    trust = text.split("\n\n")[0]  # a blank line separates top-level codes
    keys = [line.strip().split(":")[0] for line in trust.splitlines() if line.startswith("    ")
            and not line.startswith("     ")]
    assert keys == ["name", "description", "include", "exclude", "keywords", "examples", "color"]
    assert "    description: >-\n      The family's" in trust
    assert "      - confide\n" in trust
    assert "    color: '#1F77B4'" in trust


def test_dump_keeps_key_order_and_leaves_defaults_out() -> None:
    codebook = Codebook(name="Tiny", version=3, codes=[
        Code(id="b", name="B", color="red",
             children=[Code(id="a", name="A", examples=["x"], keywords=["k"])]),
    ])
    assert dump_codebook(codebook) == (
        "name: Tiny\nversion: 3\ncodes:\n"
        "  - id: b\n    name: B\n    color: red\n    children:\n"
        "      - id: a\n        name: A\n        keywords:\n          - k\n        examples:\n          - x\n"
    )
    assert dump_codebook(Codebook(name="Empty")) == "name: Empty\nversion: 1\ncodes: []\n"


def test_text_yaml_would_misread_is_quoted() -> None:
    codebook = Codebook(name="yes", codes=[
        Code(id="a", name="123", description="null",
             keywords=["#hashtag", "on: off", "- dash", "*star", "true", "x\x85y", "\ufeffbom"],
             examples=["line one\nline two\n", "  padded  ", "tab\there", "ends with newline\n", "a\n\n"],
             color="\n"),
        Code(id="b", name="B"),  # follows a `|+` block, which must not swallow the empty line before it
    ])
    assert parse_codebook(dump_codebook(codebook)) == codebook


def test_load_reads_a_file_with_a_byte_order_mark(tmp_path: Path, family: Codebook) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (REPO / "codebooks" / "family_support.yaml").read_bytes())
    assert load_codebook(path) == family


# Any text, and text made of what YAML treats specially (breaks, indicators, quotes) to hit the edge cases.
TEXT = st.text(max_size=30) | st.text(" \n\r\t\x85\u2028\ufeffab#:-'\"|>*&!%@`", max_size=12)
FILLED = TEXT.filter(str.strip)  # names and list items must not be blank
NAMES = FILLED.filter(lambda s: unprintable(s) is None)  # names are printable text (one line, no controls)
FIELDS = st.fixed_dictionaries({
    "name": NAMES,
    "description": TEXT | st.text(min_size=101, max_size=300),  # long ones are written folded
    "include": st.lists(FILLED, max_size=2),
    "exclude": st.lists(FILLED, max_size=2),
    "keywords": st.lists(FILLED, max_size=3),
    "examples": st.lists(FILLED, max_size=2),
    "color": st.none() | TEXT,
})
TREES = st.recursive(st.just([]), lambda children: st.lists(st.tuples(FIELDS, children), max_size=3),
                     max_leaves=8)


def _size(tree: list) -> int:
    return sum(1 + _size(children) for _, children in tree)


def _codes(tree: list, ids: list[str]) -> list[Code]:
    return [Code(id=ids.pop(), **fields, children=_codes(children, ids)) for fields, children in tree]


@st.composite
def codebooks(draw: st.DrawFn) -> Codebook:
    """Small trees of codes with every field filled at random and ids unique across the tree."""
    tree = draw(TREES)
    ids = draw(st.lists(st.from_regex(CODE_ID, fullmatch=True).filter(lambda s: len(s) <= 20),
                        min_size=_size(tree), max_size=_size(tree), unique=True))
    return Codebook(name=draw(NAMES), version=draw(st.integers(1, 10**9)), codes=_codes(tree, ids))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
def test_any_codebook_round_trips(codebook: Codebook) -> None:
    assert parse_codebook(dump_codebook(codebook)) == codebook


def test_the_dump_covers_every_code_field() -> None:
    # If Code gains a field, the loader accepts it and the dump writes it (model_dump), in model order.
    assert CODE_KEYS == ("id", "name", "description", "include", "exclude", "keywords", "examples", "color",
                         "children")


def test_the_example_in_the_docs_loads() -> None:
    docs = (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    codebook = parse_codebook(example, "docs/codebook.md")
    assert [code.id for code in codebook.flat()] == ["trust", "practical_help", "practical_help_housing"]


@pytest.mark.parametrize("written, version, edition", [("1", 1, None), ('"1"', 1, None), ("1.2", 1, "1.2"),
                                                        ('"v2 spring"', 1, "v2 spring"), ("3", 3, None)])
def test_a_version_may_be_any_number_or_label_and_is_kept_as_written(written: str, version: int,
                                                                     edition: str | None) -> None:
    codebook = parse_codebook(f"name: B\nversion: {written}\ncodes:\n  - id: trust\n    name: Trust\n")
    assert (codebook.version, codebook.edition) == (version, edition)
    again = parse_codebook(dump_codebook(codebook))
    assert (again.version, again.edition) == (version, edition)


def test_a_label_version_survives_the_store(tmp_path) -> None:
    from qualkit import services

    project = services.init_project(tmp_path / "p")
    (tmp_path / "b.yaml").write_text("name: B\nversion: 1.2\ncodes:\n  - id: trust\n    name: Trust\n")
    services.import_codebook(project, tmp_path / "b.yaml")
    assert services.current_codebook(project).edition == "1.2"
    services.export_codebook(project, tmp_path / "out.yaml")
    assert "version: '1.2'" in (tmp_path / "out.yaml").read_text() or 'version: "1.2"' in (
        tmp_path / "out.yaml").read_text()
