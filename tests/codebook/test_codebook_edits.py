"""Codebook edits: each gives a new version, leaves its input alone, and refuses what would break the tree."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qualkit.codebook_edits import (
    add_code,
    edit_definition,
    merge_codes,
    move_code,
    remove_code,
    rename_code,
    split_code,
)
from qualkit.errors import CodebookError
from qualkit.interop.codebook_yaml import dump_codebook, parse_codebook
from qualkit.model import Code, Codebook

Edit = Callable[[Codebook], Codebook | tuple[Codebook, dict]]

EDITS: dict[str, Edit] = {
    "add": lambda cb: add_code(cb, Code(id="isolation", name="Isolation"), "help"),
    "rename": lambda cb: rename_code(cb, "trust", "Trust in the worker"),
    "edit": lambda cb: edit_definition(cb, "fear", keywords=["afraid"], color="#000000"),
    "move": lambda cb: move_code(cb, "repairs", None),
    "merge": lambda cb: merge_codes(cb, ["distrust"], "trust"),
    "split": lambda cb: split_code(cb, "money", [Code(id="debt", name="Debt"), Code(id="food", name="Food")]),
    "remove": lambda cb: remove_code(cb, "help", with_children=True),
}


def tree(codebook: Codebook) -> dict[str, str | None]:
    """Each id with its parent's id, in depth-first order: the shape of the tree at a glance."""
    return codebook.parent_of()


def refused(edit: Callable[[], object]) -> str:
    with pytest.raises(CodebookError) as caught:
        edit()
    assert all(problem.fix for problem in caught.value.problems)
    return str(caught.value)


@pytest.mark.parametrize("name", EDITS)
def test_every_edit_makes_a_new_version_and_leaves_the_input_alone(small: Codebook, name: str) -> None:
    before = small.model_dump()
    result = EDITS[name](small)
    edited = result[0] if isinstance(result, tuple) else result
    assert small.model_dump() == before
    assert edited.version == small.version + 1
    assert edited.name == small.name
    assert parse_codebook(dump_codebook(edited)) == edited
    edited.codes[0].name = "changed"
    edited.codes[0].keywords.append("changed")
    assert small.model_dump() == before, "the result must share nothing with the input"


def test_add_code_at_the_top_and_under_a_parent(small: Codebook) -> None:
    new = Code(id="isolation", name="Isolation", children=[Code(id="loneliness", name="Loneliness")])
    top = add_code(small, new)
    assert list(tree(top))[-2:] == ["isolation", "loneliness"]
    assert tree(top)["isolation"] is None
    under = add_code(small, new, "housing")
    assert tree(under)["isolation"] == "housing"
    assert under.get("housing").children[-1].id == "isolation"
    new.name = "Changed later"
    assert top.get("isolation").name == "Isolation", "the codebook keeps its own copy"


def test_add_code_refuses_an_id_in_use_anywhere(small: Codebook) -> None:
    message = refused(lambda: add_code(small, Code(id="fresh", name="Fresh",
                                                   children=[Code(id="repairs", name="Again")])))
    assert message == ("id 'repairs' is already used by 'Repairs'. "
                       "Choose another id: each id is unique in a codebook.")
    message = refused(lambda: add_code(small, Code(id="new", name="N", children=[Code(id="new", name="N2")])))
    assert message.startswith("id 'new' is given to more than one new code.")


def test_add_code_under_an_unknown_parent_suggests_close_ids(small: Codebook) -> None:
    message = refused(lambda: add_code(small, Code(id="x", name="X"), "houses"))
    assert message == ("no code with id 'houses' in 'Small' (did you mean 'housing'?). "
                       "Use the code's id exactly as the codebook writes it.")


def test_rename_keeps_the_id(small: Codebook) -> None:
    renamed = rename_code(small, "trust", "Trust in the worker")
    assert renamed.get("trust").name == "Trust in the worker"
    assert renamed.get("trust").keywords == small.get("trust").keywords
    assert tree(renamed) == tree(small)


def test_rename_refusals(small: Codebook) -> None:
    message = refused(lambda: rename_code(small, "trust", "  "))
    assert message.startswith("the new name for code 'trust' is empty.")
    message = refused(lambda: rename_code(small, "Distrust", "X"))
    assert "(did you mean 'distrust' or 'trust'?)" in message, "a code's name leads to its id first"
    message = refused(lambda: rename_code(small, "zzz", "X"))
    assert message == ("no code with id 'zzz' in 'Small'. Check the id against the codebook: "
                       "ids are lower case with _, not the names people read.")


def test_edit_definition_changes_only_the_fields_given(small: Codebook) -> None:
    edited = edit_definition(small, "trust", description="New.", keywords=("trust", "believe"), color=None)
    code = edited.get("trust")
    assert (code.description, code.keywords, code.color) == ("New.", ["trust", "believe"], None)
    assert (code.include, code.exclude, code.examples) == (small.get("trust").include,
                                                           small.get("trust").exclude,
                                                           small.get("trust").examples)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"keyword": ["a"]}, "'keyword' is not part of a code's definition. Use 'keywords'."),
    ({"name": "T"}, "'name' is not part of a code's definition. Use rename_code to change a name."),
    ({"id": "t"}, "'id' is not part of a code's definition. Ids never change"),
    ({"children": []}, "'children' is not part of a code's definition. Use add_code, move_code"),
    ({}, "no part of the definition to change was given. Pass one or more of: description, include, exclude"),
    ({"keywords": "trust"}, "`keywords` for code 'trust' is not valid: Input should be a valid list."),
    ({"keywords": ["trust", " "]}, "`keywords` for code 'trust' is not valid: list items must not be empty."),
    ({"examples": ["ok", 3]},
     "item 2 of `examples` for code 'trust' is not valid: Input should be a valid string."),
    ({"description": None}, "`description` for code 'trust' is not valid: Input should be a valid string. "
                            "Give the description as text."),
])
def test_edit_definition_refusals(small: Codebook, fields: dict, expected: str) -> None:
    assert refused(lambda: edit_definition(small, "trust", **fields)).startswith(expected)


def test_move_code_under_another_and_to_the_top(small: Codebook) -> None:
    moved = move_code(small, "housing", "trust")
    assert tree(moved)["housing"] == "trust"
    assert tree(moved)["repairs"] == "housing", "children move with their code"
    assert [c.id for c in moved.get("help").children] == ["money"]
    top = move_code(small, "repairs", None)
    assert tree(top)["repairs"] is None
    assert top.codes[-1].id == "repairs"


def test_move_code_refuses_a_cycle(small: Codebook) -> None:
    assert refused(lambda: move_code(small, "help", "repairs")) == (
        "cannot move 'help' under 'repairs': 'repairs' is inside 'help', so the code would contain itself. "
        "Choose a parent outside 'help', or move 'repairs' out of it first.")
    assert refused(lambda: move_code(small, "help", "help")).startswith("cannot move 'help' under itself.")
    assert "(did you mean 'help'?)" in refused(lambda: move_code(small, "money", "hlep"))


def test_merge_moves_children_and_unions_criteria(small: Codebook) -> None:
    merged, mapping = merge_codes(small, ["distrust"], "trust")
    assert mapping == {"distrust": "trust"}
    trust = merged.get("trust")
    assert "distrust" not in tree(merged)
    assert tree(merged)["fear"] == "trust"
    assert trust.keywords == ["trust", "confide", "suspicious"], "TRUST repeats 'trust' ignoring case"
    assert trust.include == ["Says they trust the worker", "Doubts the worker"]
    assert trust.examples == ["I trust her.", "I never trusted them."]
    assert (trust.description, trust.exclude, trust.color) == (
        small.get("trust").description, small.get("trust").exclude, "#1F77B4"), "the target's own stay"


def test_merge_several_including_nested_sources(small: Codebook) -> None:
    merged, mapping = merge_codes(small, ["housing", "repairs", "money"], "help")
    assert mapping == {"housing": "help", "repairs": "help", "money": "help"}
    assert tree(merged) == {"trust": None, "distrust": None, "fear": "distrust", "help": None}
    merged, mapping = merge_codes(small, "fear", "trust")
    assert mapping == {"fear": "trust"}
    assert merged.get("trust").keywords[-1] == "scared"


def test_merge_refusals(small: Codebook) -> None:
    message = refused(lambda: merge_codes(small, ["trust"], "trust"))
    assert message.startswith("cannot merge 'trust' into itself.")
    assert refused(lambda: merge_codes(small, ["help"], "repairs")) == (
        "cannot merge 'help' into 'repairs', which is one of its sub-codes. "
        "Move 'repairs' out of 'help' first, or merge the other way round.")
    assert refused(lambda: merge_codes(small, [], "trust")).startswith("no codes to merge were given.")
    message = refused(lambda: merge_codes(small, ["trsut", "fear"], "hepl"))
    assert message.splitlines() == [
        "2 problems:",
        "  no code with id 'trsut' in 'Small' (did you mean 'trust' or 'distrust'?). "
        "Use the code's id exactly as the codebook writes it.",
        "  no code with id 'hepl' in 'Small' (did you mean 'help'?). "
        "Use the code's id exactly as the codebook writes it.",
    ]


def test_split_adds_the_new_codes_under_the_original(small: Codebook) -> None:
    new = [Code(id="landlord", name="Landlord"), Code(id="council", name="Council")]
    split, mapping = split_code(small, "housing", new)
    assert mapping == {"housing": ["landlord", "council"]}
    assert [c.id for c in split.get("housing").children] == ["repairs", "landlord", "council"]
    assert split.get("housing").name == "Housing", "the original stays, holding its existing codings"


def test_split_refusals(small: Codebook) -> None:
    assert refused(lambda: split_code(small, "trust", [Code(id="t1", name="T1")])) == (
        "splitting 'trust' needs at least two new codes, not 1. To add a single sub-code, use add_code.")
    two = [Code(id="t1", name="T1"), Code(id="fear", name="F")]
    message = refused(lambda: split_code(small, "trust", two))
    assert message.startswith("id 'fear' is already used by 'Fear'.")
    assert "did you mean 'trust'" in refused(lambda: split_code(small, "trst", [Code(id="a", name="A")] * 2))


def test_remove_code(small: Codebook) -> None:
    assert "money" not in tree(remove_code(small, "money"))
    assert refused(lambda: remove_code(small, "help")) == (
        "code 'help' has sub-codes: 'housing', 'money'. "
        "Move or remove them first, or remove them with it (with_children=True).")
    assert tree(remove_code(small, "help", with_children=True)) == {"trust": None, "distrust": None,
                                                                    "fear": "distrust"}
    assert "did you mean 'money'" in refused(lambda: remove_code(small, "mony"))


def test_edits_chain_into_successive_versions(family: Codebook) -> None:
    step1 = rename_code(family, "trust", "Trust in the worker")
    step2, _ = merge_codes(step1, ["relationship_building"], "trust")
    step3 = move_code(step2, "dependency", "trust")
    assert (family.version, step1.version, step2.version, step3.version) == (1, 2, 3, 4)
    assert parse_codebook(dump_codebook(step3)) == step3
    assert family.get("trust").name == "Trust"
