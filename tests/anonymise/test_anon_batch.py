"""The `anonymise-jsonl` batch contract."""

from __future__ import annotations

import io
import json

import pytest

from qualkit.anonymise.batch import anonymise_jsonl
from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import LABELS
from qualkit.jsonl_input import BatchInputError


def test_contract_shape_offsets_and_one_project(detector: Detector) -> None:
    lines = [{"id": 7, "text": "Kayden (13) lives at 14 Orchard Road, M1 1AE."},
             {"id": "b", "text": "kayden rang 07700 900123 on 12 March 2024."}]
    out = io.StringIO()
    key = anonymise_jsonl([json.dumps(x) + "\n" for x in lines], out, detector=detector)
    result = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in result] == [7, "b"]
    for given, record in zip(lines, result, strict=True):
        assert set(record) == {"id", "text", "spans"}
        for span in record["spans"]:
            assert set(span) == {"start", "end", "label", "replacement"} and span["label"] in LABELS
        rebuilt, position = "", 0
        for span in record["spans"]:
            rebuilt += given["text"][position:span["start"]] + span["replacement"]
            position = span["end"]
        assert rebuilt + given["text"][position:] == record["text"]
    assert result[0]["text"].startswith("[Person 1] ([Age: teens])")
    assert result[1]["text"] == "[Person 1] rang [Phone] on [Date]."
    assert key.to_dict()["people"] == [{"pseudonym": "[Person 1]", "names": ["kayden"]}]


@pytest.mark.parametrize("line, message", [("not json", "line 2: not valid JSON"),
                                           ('{"text": "no id"}', 'line 2: needs an "id" and a "text"')])
def test_bad_lines_are_named(detector: Detector, line: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        anonymise_jsonl(['{"id": 1, "text": "fine"}', line], io.StringIO(), detector=detector)
