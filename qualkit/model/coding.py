"""The one vocabulary for codings: what a code assignment is and the states it can be in.

Store, reports, agreement, evaluation and interop all speak of a coding in these words, so a status is
spelt once (`Status`) and a coding has one shape (`Coding`) wherever it travels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Where a coding stands. A `StrEnum`, so `Status.ACCEPTED == "accepted"` and it stores as text."""

    SUGGESTED = "suggested"  # a machine coder's proposal nobody has decided yet
    ACCEPTED = "accepted"  # a person's coding, or a suggestion a person accepted
    REJECTED = "rejected"  # a suggestion a person turned down (kept: it teaches the coder)


@dataclass(frozen=True)
class Coding:
    """One code on a segment (or on a span of it), with who applied it and where it stands.

    A *suggestion*, in every count qualkit shows, is a machine coding whose coder said yes
    (`predicted` is True) and that nobody has decided yet; lower-scored rows are ranking information."""

    id: int
    segment_id: int
    document_id: int
    code: str  # the code's stable key
    span: tuple[int, int] | None  # document offsets; None = the whole segment
    status: Status
    coder: str  # a person's name, or a machine coder such as "ensemble.v1"
    reviewer: str | None = None
    predicted: bool | None = None  # a machine coder's own yes/no; None for people's codings
    run_id: str | None = None  # the machine run that made it; None for people's codings
    score: float | None = None
    coder_version: str | None = None
    model: str | None = None
    rationale: str | None = None
    note: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def machine(self) -> bool:
        """Made by a machine coder's run (a person may have decided it since)."""
        return self.run_id is not None

    @property
    def is_suggestion(self) -> bool:
        """A pending machine proposal its coder said yes to: the one meaning of "suggestion"."""
        return self.status == Status.SUGGESTED and self.predicted is not False
