"""The `anonymise-jsonl` batch contract: JSONL texts in, anonymised JSONL out (no project needed).

Input lines: {"id", "text"}. Output, one line per input line in input order:
{"id", "text": anonymised, "spans": [{"start", "end", "label", "replacement"}]}, with offsets into
the original text and labels among PERSON, PLACE, ORG, DATE, AGE, PHONE, EMAIL, POSTCODE, ADDRESS,
IDNUM. The whole input is one project: a name found on one line is replaced on every line, and the
same person gets the same pseudonym throughout (people are clustered over all lines first).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.replace import PseudonymKey, anonymise_all
from qualkit.jsonl_input import read_records


def read_texts(lines: Iterable[str], source: str = "input") -> list[dict[str, Any]]:
    """The {"id", "text"} records of the input, naming the line of the first bad one."""
    return [record for _, record in read_records(lines, source)]


def anonymise_jsonl(lines: Iterable[str], out: TextIO, *, detector: Detector | None = None,
                     key: PseudonymKey | None = None, style: str = "bracket",
                     roles: Mapping[str, str] | None = None, source: str = "input",
                     **detector_options: Any) -> PseudonymKey:
    """Run the batch contract; returns the key, for the caller to store apart from the output.

    `detector_options` build the Detector when none is given (spacy_model, known_people, allow, deny).
    """
    records = read_texts(lines, source)
    detector = detector or Detector(**detector_options)
    key = key or PseudonymKey(style, roles)
    texts = [record["text"] for record in records]
    done = anonymise_all(texts, detector.detect_many(texts), key)
    for record, (anonymised, replacements) in zip(records, done, strict=True):
        out.write(json.dumps({"id": record["id"], "text": anonymised,
                              "spans": [r.as_dict() for r in replacements]}, ensure_ascii=False) + "\n")
    return key
