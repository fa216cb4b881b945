"""Corpus domain objects: documents, participants and the segments (coding units) cut from them.

Offsets are Python string indices into the stored, normalised document text, so that
`document.text[segment.start:segment.end] == segment.text` always holds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SegmentKind(StrEnum):
    """Why a stretch of text is a unit: it tells reports and coders what they are looking at."""

    TURN = "turn"            # one speaker's turn in a transcript
    PARAGRAPH = "paragraph"  # a paragraph of a document with no speakers
    ENTRY = "entry"          # a dated case-note entry
    QUOTE = "quote"          # a quote followed by a bracketed attribution, e.g. "(Partner B)"
    ROW = "row"              # one row of a table (case notes, survey answers, JSONL)
    PREAMBLE = "preamble"    # header lines before a transcript starts; not coded
    HEADING = "heading"      # a heading in a document; not coded


UNCODED_KINDS = frozenset({SegmentKind.PREAMBLE, SegmentKind.HEADING})


class Segment(BaseModel):
    """A coding unit: a span of a document with who said it and when."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    kind: SegmentKind
    speaker: str | None = None
    codable: bool = True
    start_time: float | None = None  # seconds from the start of the recording
    end_time: float | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered(self) -> Segment:
        if self.end < self.start:
            raise ValueError(f"segment end {self.end} is before its start {self.start}")
        return self


class Document(BaseModel):
    """A source file as imported: normalised text, provenance and the segments cut from it."""

    name: str
    suffix: str
    sha256: str
    text: str
    source_path: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    segments: list[Segment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _offsets_index_text(self) -> Document:
        for seg in self.segments:
            if self.text[seg.start:seg.end] != seg.text:
                raise ValueError(
                    f"segment [{seg.start}:{seg.end}] of {self.name} does not match the stored text"
                )
        return self

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class Participant(BaseModel):
    """A person who speaks in the corpus, with their stakeholder group (a first-class field)."""

    label: str
    group: str | None = None
    role: str | None = None
    site: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_interviewer(self) -> bool:
        return (self.role or "").lower() == "interviewer"
