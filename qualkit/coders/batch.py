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
from qualkit.coders.content import non_content
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
    """Accepted codings per line; every other code of the codebook counts as rejected for it.

    Refused with the line named: a line without a "codes" list of code ids, a code the codebook
    does not have, an empty text, an id given twice; and training data that teaches nothing
    (every line with the same codes: one class only)."""
    ids = [code.id for code in codebook.flat()]
    known = set(ids)
    labels: list[Label] = []
    seen: dict[str, int] = {}
    code_sets: list[tuple[int, frozenset[str]]] = []
    for number, record in read_records(lines, source):
        codes = record.get("codes")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise BatchInputError(f'{source}, line {number}: needs a "codes" list of code ids.',
                                  'Write {"id": ..., "text": ..., "codes": ["trust"]}.')
        unknown = set(codes) - known
        if unknown:
            raise BatchInputError(f"{source}, line {number}: unknown code(s) {', '.join(sorted(unknown))}.",
                                  "Use the code ids the codebook lists.")
        if not record["text"].strip():
            raise BatchInputError(f"{source}, line {number}: the text is empty.",
                                  "Give the coded text, or leave the line out.")
        if str(record["id"]) in seen:
            raise BatchInputError(f"{source}, line {number}: the id {record['id']!r} was already used on "
                                  f"line {seen[str(record['id'])]}.", "Give every training line its own id.")
        seen[str(record["id"])] = number
        code_sets.append((number, frozenset(codes)))
        unit_id = f"train:{record['id']}"
        labels.extend(Label(unit_id, code_id, code_id in codes, record["text"]) for code_id in ids)
    if len(code_sets) > 1 and len({codes for _, codes in code_sets}) == 1:
        codes = code_sets[0][1]
        raise BatchInputError(
            f"{source}, lines {code_sets[0][0]}-{code_sets[-1][0]}: every line has the same codes "
            f"({', '.join(sorted(codes)) or 'none'}): one class only, nothing to learn from.",
            "Add lines with other codes (or none), so that each code has examples of both kinds.")
    return labels


def code_units(units: list[Unit], codebook: Codebook, labels: list[Label], coder: str = "ensemble",
               **available: object) -> dict[str, list[dict[str, Any]]]:
    """Every code's verdict for every unit, best first. Units that are no content (headings,
    name-and-role lines, form labels) get a 0 for every code, whatever the coder."""
    if not codebook.flat():
        raise BatchInputError(f"codebook '{codebook.name}' has no codes.", "Add codes to the codebook.")
    verdicts: dict[str, list[dict[str, Any]]] = {u.id: [] for u in units}
    content = []
    for unit in units:
        why = non_content(unit.text)
        if why is None:
            content.append(unit)
            continue
        verdicts[unit.id] = [{"code": code.id, "score": 0.0, "suggested": False,
                              "rationale": f"not coded: a {why}, not content"} for code in codebook.flat()]
    model = make_coder(coder, **available)
    for s in model.fit(content, codebook, labels).suggest(content, codebook) if content else ():
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
