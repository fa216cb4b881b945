"""The Codebook model's own invariants, which the YAML loader and every edit rely on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qualkit.model import Code, Codebook


def test_ids_are_unique_across_the_whole_tree() -> None:
    with pytest.raises(ValidationError, match="code ids used more than once: trust"):
        Codebook(name="T", codes=[Code(id="trust", name="A"),
                                  Code(id="b", name="B", children=[Code(id="trust", name="C")])])


@pytest.mark.parametrize("field", ["include", "exclude", "keywords", "examples"])
def test_list_items_must_not_be_blank(field: str) -> None:
    # A blank keyword would match every segment.
    with pytest.raises(ValidationError, match="list items must not be empty"):
        Code(id="a", name="A", **{field: ["ok", " "]})


def test_an_id_with_a_trailing_newline_is_not_a_slug() -> None:
    with pytest.raises(ValidationError, match="must be lower case"):
        Code(id="trust\n", name="Trust")


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": "  "}, "codebook name is empty"),
    ({"name": "T", "version": 0}, "greater than or equal to 1"),
])
def test_codebook_name_and_version(fields: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Codebook(**fields)
