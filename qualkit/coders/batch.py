"""The batch contract: JSONL segments in, one JSONL verdict per segment out (no project needed).

Input lines: {"id", "text", optional "group", "speaker"}. Training lines (optional):
{"id", "text", "codes": [ids]} — accepted human codings; codes a line does not list count as
rejected for it. Output, one line per input segment in input order:
{"id", "codes": [{"code", "score", "suggested", "rationale"}, ...]} listing every code, best first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from qualkit.coders.base import Label, Unit, make_coder
from qualkit.jsonl_input import BatchInputError, read_records
from qualkit.model import Codebook


def read_units(lines: Iterable[str], source: str = "input") -> tuple[list[Unit], list[Any]]:
    """Units to code, and their ids exactly as given (echoed back in the output)."""
    units: list[Unit] = []
    given: list[Any] = []
    seen: set[str] = set()
    for _, record in read_records(lines, source):
        unit = Unit(str(record["id"]), record["text"], record.get("group"), record.get("speaker"))
        if unit.id in seen:
            raise BatchInputError(f"{source}: the id {record['id']!r} appears more than once.",
                                  "Give every segment its own id.")
        seen.add(unit.id)
        units.append(unit)
        given.append(record["id"])
    return units, given


def read_labels(lines: Iterable[str], codebook: Codebook, source: str = "training data") -> list[Label]:
    """Accepted codings per line; every other code of the codebook counts as rejected for it."""
    ids = [code.id for code in codebook.flat()]
    known = set(ids)
    labels: list[Label] = []
    for number, record in read_records(lines, source):
        codes = record.get("codes")
        if not isinstance(codes, list):
            raise BatchInputError(f'{source}, line {number}: needs a "codes" list.',
                                  'Write {"id": ..., "text": ..., "codes": ["trust"]}.')
        unknown = set(codes) - known
        if unknown:
            raise BatchInputError(f"{source}, line {number}: unknown code(s) {', '.join(sorted(unknown))}.",
                                  "Use the ids in the codebook (qualkit codebook show).")
        unit_id = f"train:{record['id']}"
        labels.extend(Label(unit_id, code_id, code_id in codes, record["text"]) for code_id in ids)
    return labels


def code_units(units: list[Unit], codebook: Codebook, labels: list[Label], coder: str = "ensemble",
               **available: object) -> dict[str, list[dict[str, Any]]]:
    """Every code's verdict for every unit, best first."""
    model = make_coder(coder, **available).fit(units, codebook, labels)
    verdicts: dict[str, list[dict[str, Any]]] = {u.id: [] for u in units}
    for s in model.suggest(units, codebook):
        verdicts[s.unit_id].append({"code": s.code_id, "score": round(s.score, 4),
                                    "suggested": s.suggested, "rationale": s.rationale})
    for codes in verdicts.values():
        codes.sort(key=lambda v: -v["score"])
    return verdicts


def code_jsonl(lines: Iterable[str], out: TextIO, codebook: Codebook, train: Iterable[str] | None = None,
               coder: str = "ensemble", **available: object) -> int:
    """Run the batch contract; returns the number of segments written."""
    units, given = read_units(lines)
    labels = read_labels(train, codebook) if train is not None else []
    verdicts = code_units(units, codebook, labels, coder, **available)
    for unit, original_id in zip(units, given, strict=True):
        out.write(json.dumps({"id": original_id, "codes": verdicts[unit.id]}, ensure_ascii=False) + "\n")
    return len(units)
