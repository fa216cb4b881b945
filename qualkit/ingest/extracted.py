"""What readers return, and how structured units become a document's text and segments."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qualkit.ingest.normalise import normalise_text
from qualkit.ingest.safety import Limits
from qualkit.ingest.segmenter import SegmentationOptions, Unit, finalise
from qualkit.model import Segment, SegmentKind


@dataclass(frozen=True)
class ReadOptions:
    """Choices a user can make at import time."""

    segmentation: SegmentationOptions = field(default_factory=SegmentationOptions)
    limits: Limits = field(default_factory=Limits)
    text_columns: tuple[str, ...] = ()  # tables: which column(s) hold the text


@dataclass(frozen=True)
class FlowText:
    """Running text (txt, md, docx, pdf, odt, rtf, html): segmented by `segment_text`."""

    text: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceUnit:
    """A unit whose boundaries the source states: a subtitle cue, a table row, a JSONL line."""

    text: str
    speaker: str | None = None
    group: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StructuredUnits:
    """Units from a structured source. `kind` says what they are; `name` overrides the file name."""

    units: list[SourceUnit]
    kind: SegmentKind
    attributes: dict[str, Any] = field(default_factory=dict)
    name: str | None = None


Extracted = FlowText | StructuredUnits


@dataclass(frozen=True)
class ReadContext:
    path: Path
    options: ReadOptions


def assemble_units(extracted: StructuredUnits, options: SegmentationOptions) -> tuple[str, list[Segment]]:
    """Render units as text (`Speaker: text` paragraphs) and cut segments at their boundaries."""
    parts: list[str] = []
    units: list[Unit] = []
    cursor = 0
    for source in extracted.units:
        body = normalise_text(source.text)
        if not body:
            continue
        # Labels from table cells and JSON get the text's own normalisation (control characters
        # removed), on one line: they become participant labels and groups that every output shows.
        source = replace(source, speaker=_label(source.speaker), group=_label(source.group))
        prefix = f"{source.speaker}: " if source.speaker else ""
        if parts:
            cursor += 2  # the blank line between paragraphs
        start = cursor + len(prefix)
        parts.append(prefix + body)
        cursor += len(prefix) + len(body)
        attributes = {_label(k) or "?": _label(v) if isinstance(v, str) else v
                      for k, v in source.attributes.items()}
        if source.group:
            attributes["group"] = source.group
        units.append(Unit(start, cursor, extracted.kind, source.speaker, source.start_time,
                          source.end_time, attributes))
    text = "\n\n".join(parts)
    return text, finalise(text, units, options)


def _label(value: str | None) -> str | None:
    return " ".join(normalise_text(value).split()) or None if value else None
