"""Reading the JSONL input of the batch contracts (`code-jsonl`, `anonymise-jsonl`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from qualkit.errors import QualkitError


class BatchInputError(QualkitError):
    """A JSONL line of a batch input is not what the contract says."""


def read_records(lines: Iterable[str], source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-blank line, each an object with an "id" and a "text"."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise BatchInputError(f"{source}, line {number}: not valid JSON ({error.msg}).",
                                  'Write one JSON object per line: {"id": "s1", "text": "..."}.') from error
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
            raise BatchInputError(f'{source}, line {number}: needs an "id" and a "text" string.',
                                  'Each line must look like {"id": "s1", "text": "..."}.')
        yield number, record
