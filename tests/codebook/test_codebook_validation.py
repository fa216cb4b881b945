"""Broken codebook files: each problem is reported with its file, its exact line and how to fix it."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from qualkit.errors import CodebookError, CodebookProblem, QualkitError
from qualkit.interop.codebook_yaml import load_codebook, parse_codebook


def problems(text: str) -> list[CodebookProblem]:
    """The problems parsing `text` reports; the text is dedented, so line numbers are as written."""
    with pytest.raises(CodebookError) as caught:
        parse_codebook(dedent(text).lstrip("\n"), "cb.yaml")
    assert all(problem.fix for problem in caught.value.problems), "every problem must say how to fix it"
    return caught.value.problems


def one(text: str) -> CodebookProblem:
    (problem,) = problems(text)
    return problem


def test_yaml_syntax_error_names_the_line() -> None:
    problem = one("""
        name: Test
        codes:
          - id: trust
            name: Trust: the basics
        """)
    assert problem.line == 4
    assert problem.what == "YAML syntax error: mapping values are not allowed here."
    assert "must be in quotes" in problem.fix


def test_tab_indentation() -> None:
    problem = one("name: Test\ncodes:\n\t- id: trust\n")
    assert problem.line == 3
    assert problem.fix == "Indent with spaces, not tabs."


@pytest.mark.parametrize(("text", "line", "fix_words"), [
    ("name: Test\ncodes: []\n---\nname: Other\n", 3, "remove the `---` line"),
    ("name: Test\ncodes:\n  - *trust\n", 3, "Define the anchor"),
    ("name: Test\ncodes:\n  - &a {id: a, name: A}\n  - &a {id: b, name: B}\n", 4, "its own name"),
    ("name: Test\ncodes: []\nversion: 1\x07\n", 3, "Delete it"),
])
def test_other_syntax_errors(text: str, line: int, fix_words: str) -> None:
    problem = one(text)
    assert problem.line == line
    assert fix_words in problem.fix


def test_empty_file() -> None:
    assert one("") == CodebookProblem(
        "the file is empty.", "Start it with `name:` and a `codes:` list; see docs/codebook.md.", 1)


def test_top_level_must_be_a_mapping() -> None:
    problem = one("- id: trust\n  name: Trust\n")
    assert problem.line == 1
    assert problem.what == "the top level must be a mapping with `name:` and `codes:`, not a list."


def test_missing_name_and_codes_are_reported_together() -> None:
    assert problems("version: 2\n") == [
        CodebookProblem("the codebook has no name.", "Add `name: Family support evaluation`.", 1),
        CodebookProblem("the codebook has no `codes` list.",
                        "Add `codes:` with each code below it, starting `- id:`.", 1),
    ]


def test_unknown_key_suggests_the_closest() -> None:
    problem = one("""
        name: Test
        codes:
          - id: trust
            name: Trust
            exampels:
              - "I trust her."
        """)
    assert problem == CodebookProblem(
        "unknown key 'exampels' (did you mean 'examples'?) in code 'trust'.", "Rename it to 'examples'.", 5)


def test_unknown_key_without_a_close_one_lists_the_keys() -> None:
    problem = one("name: Test\nsummary: all codes\ncodes: []\n")
    assert problem.line == 2
    assert problem.what == "unknown key 'summary' in the codebook."
    assert problem.fix == "Remove it, or use one of: name, version, codes."


def test_unknown_key_in_a_code_with_a_bad_id_names_the_code_by_line() -> None:
    problem = problems("name: Test\ncodes:\n  - name: Trust\n    Keywords: [trust]\n")[1]
    assert problem == CodebookProblem(
        "unknown key 'Keywords' (did you mean 'keywords'?) in the code on line 3.",
        "Rename it to 'keywords'.", 4)


def test_duplicate_ids_anywhere_in_the_tree_name_both_lines() -> None:
    problem = one("""
        name: Test
        codes:
          - id: trust
            name: Trust
          - id: help
            name: Help
            children:
              - id: trust
                name: Trust in helpers
        """)
    assert problem == CodebookProblem("id 'trust' is used by 2 codes, on lines 3 and 8.",
                                      "Give each code its own id: codings refer to codes by id alone.", 8)


def test_an_id_used_three_times_lists_every_line() -> None:
    problem = one("name: T\ncodes:\n  - {id: a, name: A}\n  - {id: a, name: B}\n  - {id: a, name: C}\n")
    assert problem.what == "id 'a' is used by 3 codes, on lines 3, 4 and 5."


@pytest.mark.parametrize("value", ["''", '"   "', ""])
def test_empty_name(value: str) -> None:
    problem = one(f"name: Test\ncodes:\n  - id: good_cop\n    name: {value}\n")
    assert problem == CodebookProblem("code 'good_cop' has an empty name.",
                                      "Write the name people will read, e.g. `name: Good cop`.", 4)


def test_missing_name_suggests_one_from_the_id() -> None:
    assert one("name: Test\ncodes:\n  - id: good_cop\n    color: red\n") == CodebookProblem(
        "code 'good_cop' has no name.", "Add `name: Good cop`.", 3)


def test_empty_codebook_name() -> None:
    assert one("name: ' '\ncodes: []\n").what == "the codebook has an empty name."


def test_invalid_id_suggests_a_slug() -> None:
    assert one("name: Test\ncodes:\n  - id: Good-Cop\n    name: Good cop\n") == CodebookProblem(
        "id 'Good-Cop' is not a valid id.",
        "Use lower case letters, digits and _ only, e.g. `id: good_cop`.", 3)


def test_missing_id_suggests_one_from_the_name() -> None:
    assert one("name: Test\ncodes:\n  - name: Good cop, bad cop\n") == CodebookProblem(
        "the code on line 3 has no id.",
        "Add `id: good_cop_bad_cop`: codings refer to it, so choose one that can stay.", 3)


@pytest.mark.parametrize(("line", "what", "fix"), [
    (4, "the name of code 'a' must be text, not a number `2024`.", 'Put it in quotes: `name: "2024"`.'),
    (5, "`keywords` of code 'a' must be a list of text, not text.",
     "Put each item on its own line under `keywords:`, starting `- `."),
    (7, "item 1 of `examples` in code 'a' must be text, not a number `999`.", 'Put it in quotes: `- "999"`.'),
    (8, "item 2 of `examples` in code 'a' is empty.", "Fill it in or delete it."),
    (9, "item 3 of `examples` in code 'a' must be text, not true/false `yes`.",
     'Put it in quotes: `- "yes"`.'),
    (10, "`description` of code 'a' must be text, not a list.",
     "Write it as one piece of text; for long text write `>-` after the key and indent the lines below."),
    (11, "`include` of code 'a' must be a list of text, not a mapping.",
     "Put each item on its own line under `include:`, starting `- `."),
    (12, "`children` of code 'a' must be a list of codes, not text.",
     "Put each code on its own line under `children:`, starting `- id:`."),
])
def test_wrong_types(line: int, what: str, fix: str) -> None:
    found = problems("""
        name: Test
        codes:
          - id: a
            name: 2024
            keywords: trust
            examples:
              - 999
              - ''
              - yes
            description: [a, b]
            include: {a: b}
            children: none
        """)
    assert CodebookProblem(what, fix, line) in found
    assert len(found) == 8


def test_version_is_a_number_or_a_label_never_a_list_or_yes() -> None:
    for value, kind in (("yes", "true/false `yes`"), ("[1, 2]", "a list"), ("{major: 1}", "a mapping")):
        problem = one(f"name: Test\nversion: {value}\ncodes: []\n")
        assert (problem.line, problem.what) == (
            2, f"`version` must be a number or a label such as `1.2`, not {kind}.")
    for value in ("0", "1.5", "two"):  # kept as the authors wrote it (issue 15)
        assert parse_codebook(f"name: Test\nversion: {value}\ncodes: []\n").edition == value


def test_codes_must_be_a_list_of_mappings() -> None:
    assert one("name: Test\ncodes:\n  trust: Trust\n").what == (
        "`codes` of the codebook must be a list of codes, not a mapping.")
    problem = one("name: Test\ncodes:\n  - trust\n")
    assert (problem.line, problem.what) == (
        3, "each code must be a mapping with `id:` and `name:`, not text.")


def test_repeated_key() -> None:
    assert one("name: Test\ncodes:\n  - id: a\n    name: A\n    name: B\n") == CodebookProblem(
        "key 'name' appears twice in code 'a', on lines 4 and 5.", "Keep one of them.", 5)


@pytest.mark.parametrize("end", ["\n", "", "  \r\n"])
def test_unquoted_colour_reads_as_a_comment(end: str) -> None:
    assert one(f"name: Test\ncodes:\n  - id: a\n    name: A\n    color: #1F77B4{end}") == CodebookProblem(
        "`color` of code 'a' is empty: `#` starts a comment in YAML.",
        'Put the colour in quotes: `color: "#1F77B4"`.', 5)


def test_a_code_that_contains_itself_through_an_alias() -> None:
    problem = one("""
        name: Test
        codes:
          - &trust
            id: trust
            name: Trust
            children:
              - *trust
        """)
    assert problem.line == 7
    assert problem.what == "code 'trust' (line 3) contains itself through the alias `*trust` on line 7."
    assert "cannot be its own sub-code" in problem.fix


def test_a_cycle_through_an_aliased_list_of_children() -> None:
    problem = one("""
        name: Test
        codes:
          - id: help
            name: Help
            children: &kids
              - id: housing
                name: Housing
                children: *kids
        """)
    assert (problem.line, problem.what) == (
        8, "code 'housing' (line 6) contains itself through the alias `*kids` on line 8.")


def test_the_same_code_used_twice() -> None:
    problem = one("""
        name: Test
        codes:
          - &trust
            id: trust
            name: Trust
          - id: help
            name: Help
            children:
              - *trust
        """)
    assert (problem.line, problem.what) == (
        9, "code 'trust' (line 3) is used a second time through the alias `*trust` on line 9.")
    assert "A code appears once" in problem.fix


def test_a_comment_after_an_empty_colour_is_just_a_comment() -> None:
    codebook = parse_codebook("name: T\ncodes:\n  - id: a\n    name: A\n    color: # choose later\n")
    assert codebook.codes[0].color is None


def test_aliases_of_text_lists_are_fine() -> None:
    codebook = parse_codebook(dedent("""
        name: Test
        codes:
          - id: a
            name: A
            keywords: &shared [trust, confide]
          - id: b
            name: B
            keywords: *shared
        """))
    assert codebook.get("b").keywords == ["trust", "confide"]


def test_merge_keys_are_refused() -> None:
    found = problems("name: T\ncodes:\n  - &a {id: a, name: A}\n  - <<: *a\n    id: b\n")
    assert CodebookProblem("merge keys (`<<`) are not supported in code 'b'.", "Write the keys out in full.",
                           4) in found


def test_several_problems_come_together_in_line_order_one_per_line() -> None:
    text = dedent("""
        name: Test
        codes:
          - id: trust
            name: Trust
            keywords: trust
          - id: Trust
            name: ""
            exampels: []
        """).lstrip("\n")
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "codebooks/test.yaml")
    assert [p.line for p in caught.value.problems] == [5, 6, 7, 8]
    assert str(caught.value).splitlines() == [
        "codebooks/test.yaml: 4 problems:",
        "  line 5: `keywords` of code 'trust' must be a list of text, not text. "
        "Put each item on its own line under `keywords:`, starting `- `.",
        "  line 6: id 'Trust' is not a valid id. "
        "Use lower case letters, digits and _ only, e.g. `id: trust`.",
        "  line 7: the code on line 6 has an empty name. "
        "Write the name people will read, e.g. `name: Trust`.",
        "  line 8: unknown key 'exampels' (did you mean 'examples'?) in the code on line 6. "
        "Rename it to 'examples'.",
    ]


def test_load_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("name: Test\ncodes:\n  - id: trust\n    nmae: Trust\n", encoding="utf-8")
    with pytest.raises(QualkitError) as caught:
        load_codebook(path)
    assert isinstance(caught.value, CodebookError)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: 2 problems:\n  line 3: code 'trust' has no name.")
    assert "line 4: unknown key 'nmae' (did you mean 'name'?)" in str(caught.value)


def test_load_single_problem_message(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text("name: Test\ncodes:\n  - id: trust\n    name: Trust\n    colour: red\n", encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value) == (f"{path}, line 5: unknown key 'colour' (did you mean 'color'?) "
                                 "in code 'trust'. Rename it to 'color'.")


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError) as caught:
        load_codebook(tmp_path / "nope.yaml")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'nope.yaml'}: cannot be read (No such file or directory).")


def test_load_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Test\ncodes:\n  - id: cafe\n    name: Café\n".encode("latin-1"))
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert caught.value.problems == [CodebookProblem("is not UTF-8 text.", "Save it with UTF-8 encoding.", 4)]


def test_a_file_with_thousands_of_problems_gets_a_readable_message(tmp_path) -> None:
    """200,000 aliases of one code once hung while their errors were printed: the message lists the
    first problems and counts the rest."""
    path = tmp_path / "aliases.yaml"
    path.write_text("name: B\ncodes:\n  - &a {id: a, name: A}\n" + "  - *a\n" * 20_000, encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    message = str(caught.value)
    assert "20000 problems" in message and "and 19950 more" in message and len(message) < 20_000
    assert len(caught.value.problems) == 20_000  # every problem is still there for a program to read
