"""The `code-jsonl` batch contract."""

from __future__ import annotations

import io
import json

import pytest

from qualkit.coders.batch import code_jsonl
from qualkit.jsonl_input import BatchInputError

from fakes import HashingEmbedder
from test_contract import CODEBOOK


def run(lines: list[dict], train: list[dict] | None = None) -> list[dict]:
    out = io.StringIO()
    train_lines = [json.dumps(t) for t in train] if train is not None else None
    code_jsonl([json.dumps(x) for x in lines], out, CODEBOOK, train_lines, embedder=HashingEmbedder())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_segment_in_input_order_listing_every_code_best_first() -> None:
    lines = [{"id": 7, "text": "So lonely, no one to talk to."},
             {"id": "b", "text": "The damp flat.", "group": "Families"}]
    result = run(lines, train=[{"id": "t1", "text": "I was lonely.", "codes": ["isolation"]}])
    assert [r["id"] for r in result] == [7, "b"]  # ids echoed exactly as given
    for record in result:
        assert [c["code"] for c in sorted(record["codes"], key=lambda c: c["code"])] == sorted(
            c.id for c in CODEBOOK.flat())
        scores = [c["score"] for c in record["codes"]]
        assert scores == sorted(scores, reverse=True)
        assert all(set(c) == {"code", "score", "suggested", "rationale"} for c in record["codes"])


@pytest.mark.parametrize("line, message", [
    ("not json", "line 1: not valid JSON"),
    ('{"text": "no id"}', 'needs an "id" and a "text"'),
])
def test_bad_input_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        code_jsonl([line], io.StringIO(), CODEBOOK, embedder=HashingEmbedder())


def test_repeated_ids_are_refused() -> None:
    with pytest.raises(BatchInputError, match="appears more than once"):
        run([{"id": 1, "text": "a"}, {"id": 1, "text": "b"}])


def test_training_lines_must_use_codebook_ids() -> None:
    with pytest.raises(BatchInputError, match="training data, line 1: unknown code"):
        run([{"id": 1, "text": "x"}], train=[{"id": "t", "text": "y", "codes": ["trsut"]}])


@pytest.mark.parametrize("train, message", [
    ([{"id": "t1", "text": "I was lonely.", "codes": ["isolation"]},
      {"id": "t2", "text": "   ", "codes": []}], "training data, line 2: the text is empty"),
    ([{"id": "t1", "text": "I was lonely.", "codes": "isolation"}], 'line 1: needs a "codes" list'),
    ([{"id": "t1", "text": "I was lonely.", "codes": ["isolation"]},
      {"id": "t1", "text": "Damp.", "codes": ["housing"]}], "line 2: the id 't1' was already used on line 1"),
    ([{"id": "t1", "text": "I was lonely.", "codes": ["isolation"]},
      {"id": "t2", "text": "So alone.", "codes": ["isolation"]}], "lines 1-2: every line has the same codes "
                                                                   r"\(isolation\): one class only"),
])
def test_training_data_with_problems_is_refused_naming_the_line(train: list[dict], message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        run([{"id": 1, "text": "x"}], train=train)


def test_non_content_lines_get_no_suggestion() -> None:
    result = run([{"id": "h", "text": "Dana Whitfield-Orme (Team Manager – Early Help)"},
                  {"id": "w", "text": "**Who:**"}, {"id": "a", "text": "Attendance:"}])
    for record in result:
        assert not any(c["suggested"] for c in record["codes"])
        assert all(c["score"] == 0.0 and "not coded" in c["rationale"] for c in record["codes"])
