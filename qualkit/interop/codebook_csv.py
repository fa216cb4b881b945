"""Codebooks as CSV, in the column shapes other tools use: Taguette (`tag`, `description`, and
optionally `parent`) and NVivo's code lists (`Name`, `Description`, with a parent's path written
into the name as `Parent\\Child`). Reading names every problem with its row; writing gives columns
both tools read back (`tag`, `description`, `parent`) plus qualkit's own id and colour.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from qualkit.errors import CodebookError, CodebookProblem
from qualkit.model.codebook import Code, Codebook

NAME_COLUMNS = ("tag", "name", "path", "code", "node")
PATH_SEPARATOR = re.compile(r"\s*\\\s*")  # NVivo writes a code's place in the tree as Parent\Child
COLUMNS = ("tag", "description", "parent", "id", "color")


def read_codebook_csv(path: Path) -> Codebook:
    """The codebook in a CSV file; its name is the file's name. Every bad row is reported at once."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CodebookError(CodebookProblem("is not UTF-8 text.", "Save the CSV as UTF-8 and try again."),
                            path=path) from error
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CodebookError(CodebookProblem("is empty.", "Give a header row, e.g. `tag,description`."),
                            path=path)
    header = [h.strip().casefold() for h in rows[0]]
    named = [c for c in NAME_COLUMNS if c in header]
    if len(named) != 1:
        what = "has no `tag` or `name` column" if not named else f"has both {' and '.join(named)} columns"
        raise CodebookError(CodebookProblem(f"{what}, so the codes' names are not known.",
                                            "Give one column named `tag` (Taguette) or `Name` (NVivo).", 1),
                            path=path)
    at = {c: header.index(c) for c in (named[0], "description", "parent", "id", "color") if c in header}
    problems: list[CodebookProblem] = []
    codes: dict[str, Code] = {}  # by path of names, in file order
    parents: dict[str, str | None] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {key: (row[i].strip() if i < len(row) else "") for key, i in at.items()}
        parts = [p for p in PATH_SEPARATOR.split(cell[named[0]]) if p]
        if not parts:
            problems.append(CodebookProblem("has no code name.", "Fill in the name or delete the row.",
                                            number))
            continue
        parent = cell.get("parent") or (" / ".join(parts[:-1]) or None)
        key = " / ".join([parent, parts[-1]]) if parent else parts[-1]
        if key in codes:
            problems.append(CodebookProblem(f"repeats the code '{parts[-1]}'.", "Keep one row per code.",
                                            number))
            continue
        try:
            codes[key] = Code(id=cell.get("id") or _slug(parts[-1], {c.id for c in codes.values()}),
                              name=parts[-1], description=cell.get("description", ""),
                              color=cell.get("color") or None)
        except ValueError as error:
            problems.append(CodebookProblem(f"cannot be a code: {_reason(error)}.",
                                            "Fix the name, id or colour in this row.", number))
            continue
        parents[key] = parent
    for parent in list(parents.values()):
        if parent is not None and parent not in codes:
            name = parent.split(" / ")[-1]  # a parent named only in its children's paths
            codes[parent] = Code(id=_slug(name, {c.id for c in codes.values()}), name=name)
            parents[parent] = None
    if problems:
        raise CodebookError(*problems, path=path)
    for key, parent in parents.items():
        if parent is not None:
            codes[parent].children.append(codes[key])
    top = [codes[key] for key, parent in parents.items() if parent is None]
    try:
        return Codebook(name=path.stem, codes=top)
    except ValueError as error:
        raise CodebookError(CodebookProblem(f"is not a valid codebook: {_reason(error)}.",
                                            "Give each code its own name."), path=path) from error


def codebook_csv(codebook: Codebook) -> str:
    """The codebook as CSV that Taguette and NVivo read: one row per code, parents before children."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    names = {code.id: code.name for code in codebook.flat()}
    for code, parent, _ in codebook.walk():
        writer.writerow([code.name, code.description, names[parent] if parent else "", code.id,
                         code.color or ""])
    return buffer.getvalue()


def _slug(name: str, taken: set[str]) -> str:
    """A code id from a name ("Good cop / bad cop" -> good_cop_bad_cop), unique among `taken`."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "code"
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}_{n}", n + 1
    return candidate


def _reason(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"]).removeprefix("Value error, ")
    return str(error)
