"""A code's definition in a REFI `Description`, and code ids for codes that come without one.

REFI codes carry a name and one description; qualkit codes also have include/exclude criteria,
keywords, examples and a stable id. The export appends them to the description as a short block
people can read in NVivo, ATLAS.ti or MAXQDA:

    Apply when the speaker mentions money.

    Include:
    - budgets
    Keywords:
    - money
    qualkit id: funding

The id line is written only when the id is not simply derived from the name. The import reads
the block back only when rendering what it read gives the description exactly, so a vendor's
description that merely looks similar is kept whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from qualkit.model.codebook import CODE_ID

SECTIONS = (("include", "Include:"), ("exclude", "Exclude:"), ("keywords", "Keywords:"),
            ("examples", "Examples:"))
ID_PREFIX = "qualkit id: "
_HEADINGS = {heading: field for field, heading in SECTIONS}


def key_from_name(name: str) -> str:
    """The code id a name suggests: lower-case ASCII letters, digits and `_`."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_") or "code"


def render_description(description: str, lists: dict[str, list[str]], key: str | None) -> str:
    """The REFI description of a code: its description, then its lists and (if given) its id."""
    block: list[str] = []
    for field, heading in SECTIONS:
        if lists.get(field):
            block.append(heading)
            block.extend(f"- {item}" for item in lists[field])
    if key is not None:
        block.append(ID_PREFIX + key)
    return "\n\n".join(part for part in (description, "\n".join(block)) if part)


def parse_description(text: str) -> tuple[str, dict[str, list[str]], str | None]:
    """(description, lists, id) from a REFI description; a description qualkit did not write
    comes back whole, with no lists and no id."""
    for cut in _block_starts(text):
        parsed = _parse_block(text[cut:].lstrip("\n"))
        if parsed is None:
            continue
        description = text[:cut]
        lists, key = parsed
        if render_description(description, lists, key) == text:
            return description, lists, key
    return text, {}, None


def _block_starts(text: str) -> Iterable[int]:
    yield 0
    yield from (match.start() for match in re.finditer("(?=\n\n)", text))  # overlapping: "\n\n\n"


def _parse_block(block: str) -> tuple[dict[str, list[str]], str | None] | None:
    lists: dict[str, list[str]] = {}
    key: str | None = None
    current: list[str] | None = None
    for line in block.split("\n"):
        if key is not None:
            return None  # the id line comes last
        if line in _HEADINGS and _HEADINGS[line] not in lists:
            current = lists.setdefault(_HEADINGS[line], [])
        elif line.startswith("- ") and line[2:].strip() and current is not None:
            current.append(line[2:])
        elif line.startswith(ID_PREFIX) and CODE_ID.fullmatch(line[len(ID_PREFIX):]):
            key = line[len(ID_PREFIX):]
        else:
            return None
    if not lists and key is None:
        return None
    return lists, key
