"""pandas access to a project's codings, for notebooks: `qualkit.Project("my-evaluation")`.

Read-only, and anonymised by default: every text and name comes through the project's anonymised
view, as in reports and exports.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualkit import services

CODING_COLUMNS = ["segment", "document", "position", "participant", "case", "group", "code", "code_name",
                  "code_path", "status", "source", "score", "text"]
CASE_WORDS = ("participant", "case")


class Project:
    """A project opened for analysis in pandas."""

    def __init__(self, path: str | Path) -> None:
        self.project = services.open_project(Path(path))

    def codings_frame(self, *, anonymised: bool = True, include_suggestions: bool = False,
                      group_by: str = "group", context: bool = False) -> pd.DataFrame:
        """One row per coding (a segment and a code): where and who it is from, its `group_by`
        value (the stakeholder group by default), the code, its status and who applied it, and the
        text as coded (anonymised unless `anonymised=False`): a coding of part of a segment shows that
        part, or with `context` the whole sentences around it. Accepted codings only unless
        `include_suggestions`, which adds pending machine suggestions with status "suggested"."""
        options = services.ReportOptions(group_by=group_by, include_suggestions=include_suggestions,
                                         context=context)
        records = services.codings_records(self.project, options, anonymised=anonymised)
        return pd.DataFrame.from_records(records, columns=CODING_COLUMNS)

    def matrix(self, by: str = "group", *, include_suggestions: bool = False,
               binary: bool = False) -> pd.DataFrame:
        """Codes (rows: every code of the current codebook, in its order) by `by` (columns): how
        many segments carry each code, or 1/0. `by` is "group", "participant" (cases: participants,
        or documents without speakers), "document", "role", "site" or an attribute name."""
        frame = self.codings_frame(include_suggestions=include_suggestions,
                                   group_by="group" if by in CASE_WORDS else by)
        column = "case" if by in CASE_WORDS else "group"
        codes = [code.id for code in services.current_codebook(self.project).flat()]
        table = pd.crosstab(frame["code"], frame[column]).reindex(index=codes, fill_value=0)
        table.index.name, table.columns.name = "code", by
        return (table > 0).astype(int) if binary else table
