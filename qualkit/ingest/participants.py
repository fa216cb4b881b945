"""Participants sheets (CSV/XLSX): who is who, by speaker label and/or document.

Columns (case-insensitive; any others become attributes):
  document   the file a row applies to (optional when the speaker label is unique)
  speaker    the speaker label as written in the transcript (optional for document-level rows)
  participant  the name reports use for this person, e.g. "Keyworker D" (defaults to speaker)
  group      stakeholder group, e.g. Keyworkers, Partner agencies, Families
  role, site
  names      the person's own names as the texts write them, separated by ";" ("Danielle Okafor;
             Dani"): personal data, used only to find them and give them their participant label as
             their pseudonym in the text too; never shown
  display name  for a document row: what outputs call the document when its file name must not show
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualkit.errors import SheetError
from qualkit.ingest.extracted import ReadContext, ReadOptions
from qualkit.ingest.readers.tables import read_sheet_rows
from qualkit.ingest.safety import Limits, check_bytes
from qualkit.model.names import unprintable

_COLUMNS = {
    "document": ("document", "file", "source", "filename"),
    "speaker": ("speaker", "speaker_label", "label"),
    "participant": ("participant", "participant_label", "pseudonym", "participant_id"),
    "group": ("group", "stakeholder_group", "stakeholder group", "stakeholder"),
    "role": ("role",),
    "site": ("site",),
    "names": ("names", "known as", "known_as", "real name", "real_name", "name"),
    "display_name": ("display name", "display_name"),
}


@dataclass(frozen=True)
class SheetRow:
    row: int
    document: str | None
    speaker: str | None
    participant: str | None
    group: str | None
    role: str | None
    site: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    display_name: str | None = None


def read_participants_sheet(path: Path, limits: Limits | None = None) -> list[SheetRow]:
    data = path.read_bytes()
    check_bytes(path, data, path.suffix.lower(), limits or Limits())
    rows = read_sheet_rows(data, ReadContext(path, ReadOptions()))
    header = [h.strip().lower() for h in rows[0]]
    where = {key: next((header.index(n) for n in names if n in header), None)
             for key, names in _COLUMNS.items()}
    if where["document"] is None and where["speaker"] is None:
        raise SheetError(path, "needs a 'speaker' or a 'document' column.",
                         "Add a column naming the speaker label or the file each row describes.", row=1)
    if where["group"] is None:
        raise SheetError(path, "needs a 'group' column (the stakeholder group).",
                         "Add a 'group' column, e.g. Keyworkers, Partner agencies, Families.", row=1)
    known = {i for i in where.values() if i is not None}
    sheet = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        cells = [c.strip() for c in raw] + [""] * (len(header) - len(raw))

        def get(key: str, cells: list[str] = cells) -> str | None:
            index = where[key]
            return cells[index] or None if index is not None else None

        for i, cell in enumerate(cells):  # names on one line; other cells may hold line breaks
            if problem := unprintable(cell if i in known else re.sub("[\t\n\r]", " ", cell)):
                raise SheetError(path, f"has {problem} in its '{rows[0][i].strip()}' cell.",
                                 "Names and groups must be printable text: retype that cell.", row=number)
        if not get("document") and not get("speaker"):
            raise SheetError(path, "names neither a document nor a speaker.",
                             "Fill in the document or speaker cell, or delete the row.", row=number)
        attributes = {rows[0][i].strip(): cells[i] for i in range(len(header))
                      if i not in known and cells[i]}
        names = tuple(n.strip() for n in (get("names") or "").split(";") if n.strip())
        sheet.append(SheetRow(number, get("document"), get("speaker"), get("participant"),
                              get("group"), get("role"), get("site"), attributes, names,
                              get("display_name")))
    return sheet
