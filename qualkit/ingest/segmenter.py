"""Cutting normalised text into coding units (pure: text in, segments out).

Modes, tried in order: speaker turns (a transcript), dated entries (case notes), quotes with
bracketed attributions, and plain paragraphs. A unit longer than `max_chars` is split at sentence
boundaries. Every segment satisfies `text[seg.start:seg.end] == seg.text`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qualkit.ingest.casenotes import entry_attributes, match_dated_line
from qualkit.ingest.sentences import pack_spans, sentence_spans
from qualkit.ingest.speakers import accept_labels, match_attribution, match_label
from qualkit.model import UNCODED_KINDS, Segment, SegmentKind
from qualkit.model.speakers import is_interviewer_label, label_key

DEFAULT_MAX_CHARS = 1200
# No segment is longer than this, whatever its kind or sentences: a sentence longer than `max_chars`
# stays whole up to here, then is cut at a space (a 50 MB line without a full stop is not one segment).
HARD_MAX_CHARS = 10_000  # or 8 x max_chars when that is more
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_HEADING_MD = re.compile(r"#{1,6}\s")
_LIST_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")
_QUOTES = "\"'“”‘’"


# What a document is, when the person importing it says so (else it is read from the text).
DOCUMENT_KINDS = ("interview", "case notes", "document")
# In a conversation most paragraphs open with a speaker's label; in a report that uses "RQ 2:" or
# "Model 3:" as run-in headings, few do. Below this share the labels are not speakers.
MIN_LABELLED_SHARE = 0.35
MIN_SINGLE_PARAGRAPH_TURNS = 0.4  # questions and short answers: a conversation has many one-paragraph turns
_FORM_LABEL_WORDS = 6  # "Attendance:", "**When:**", "Who to contact:" head what follows; they are not said


@dataclass(frozen=True)
class SegmentationOptions:
    """How to cut units. `code_interviewer` makes interviewer turns codable too; `kind` (one of
    DOCUMENT_KINDS) overrides what the text looks like: a "document" gets paragraphs and no speakers,
    "case notes" dated entries (else paragraphs), an "interview" speaker turns where it has labels."""

    max_chars: int = DEFAULT_MAX_CHARS
    code_interviewer: bool = False
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(DOCUMENT_KINDS)}, not {self.kind!r}")


@dataclass
class Unit:
    """A unit before trimming and length splitting."""

    start: int
    end: int
    kind: SegmentKind
    speaker: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def segment_text(text: str, options: SegmentationOptions | None = None) -> list[Segment]:
    """Segments of a flowing-text document (txt, md, docx, pdf, odt, rtf, html)."""
    options = options or SegmentationOptions()
    lines = _line_spans(text)
    if options.kind == "document":
        units = _paragraphs(text)
    elif options.kind == "case notes":
        units = _dated_entries(text, lines) or _paragraphs(text)
    else:
        units = (
            _speaker_turns(text, lines, conversation=options.kind != "interview")
            or _dated_entries(text, lines)
            or _attributed_quotes(text)
            or _paragraphs(text)
        )
    return finalise(text, units, options)


def finalise(text: str, units: list[Unit], options: SegmentationOptions) -> list[Segment]:
    """Trim units, split long ones at sentence boundaries, decide codability."""
    segments: list[Segment] = []
    for unit in units:
        start, end = _trim(text, unit.start, unit.end)
        if start >= end:
            continue
        codable = unit.kind not in UNCODED_KINDS and not (
            unit.speaker and is_interviewer_label(unit.speaker) and not options.code_interviewer
        )
        pieces = [(start, end)]
        if end - start > options.max_chars:
            hard_max = max(HARD_MAX_CHARS, 8 * options.max_chars)
            spans = sentence_spans(text, start, end) if unit.kind not in UNCODED_KINDS else [(start, end)]
            pieces = pack_spans(spans, options.max_chars if unit.kind not in UNCODED_KINDS else hard_max,
                                text, hard_max)
        for i, (a, b) in enumerate(pieces):
            segments.append(Segment(
                start=a, end=b, text=text[a:b], kind=unit.kind, speaker=unit.speaker,
                codable=codable,
                start_time=unit.start_time if i == 0 else None,
                end_time=unit.end_time if i == len(pieces) - 1 else None,
                attributes=unit.attributes,
            ))
    return segments


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _preamble(text: str, start: int, end: int) -> list[Unit]:
    return [Unit(a, b, SegmentKind.PREAMBLE) for a, b in _paragraph_spans(text, start, end)]


def _speaker_turns(text: str, lines: list[tuple[int, int]], conversation: bool = True) -> list[Unit]:
    """Speaker turns, when the document reads as a conversation (unless `conversation` is False:
    the person importing it said it is an interview)."""
    matches = {i: m for i, (a, b) in enumerate(lines) if (m := match_label(text, a, b))}
    accepted = accept_labels([m.label for m in matches.values()])
    if not accepted:
        return []
    starts = [(i, m) for i, m in sorted(matches.items()) if label_key(m.label) in accepted]
    first_line = lines[starts[0][0]][0]
    if conversation and not _reads_as_conversation(text, [lines[i] for i, _ in starts], first_line):
        return []  # run-in headings of a report ("RQ 2:", "Model 3:"), not speakers
    units = _preamble(text, 0, first_line)
    for n, (_, m) in enumerate(starts):
        end = lines[starts[n + 1][0]][0] if n + 1 < len(starts) else len(text)
        units.append(Unit(m.content_start, end, SegmentKind.TURN, m.label, start_time=m.timestamp))
    return units


def _reads_as_conversation(text: str, label_lines: list[tuple[int, int]], first: int) -> bool:
    """Whether labelled lines read as turns of talk: they open a good share of the paragraphs, and
    turns are often a single paragraph (a question, a short answer), where a report's run-in
    headings ("RQ 2:", "Model 3:") each lead a section of several paragraphs."""
    opened = [_trim(text, a, b)[0] for a, b in label_lines]
    paragraphs = [a for a, _ in _paragraph_spans(text, first)]
    if not paragraphs:
        return True
    labelled = set(opened)
    if sum(a in labelled for a in paragraphs) < MIN_LABELLED_SHARE * len(paragraphs):
        return False
    sizes = Counter(bisect_right(opened, a) for a in paragraphs)  # paragraphs per turn
    return sum(n == 1 for n in sizes.values()) >= MIN_SINGLE_PARAGRAPH_TURNS * len(sizes)


def _dated_entries(text: str, lines: list[tuple[int, int]]) -> list[Unit]:
    dated = [(i, m) for i, (a, b) in enumerate(lines) if (m := match_dated_line(text, a, b))]
    if len(dated) < 2:
        return []
    units = _preamble(text, 0, lines[dated[0][0]][0])
    for n, (_, m) in enumerate(dated):
        end = lines[dated[n + 1][0]][0] if n + 1 < len(dated) else len(text)
        units.append(Unit(m.end(), end, SegmentKind.ENTRY, attributes=entry_attributes(m, text, end)))
    return units


def _attributed_quotes(text: str) -> list[Unit]:
    paragraphs = _paragraph_spans(text)
    found = [(a, b, m) for a, b in paragraphs if (m := match_attribution(text[a:b]))]
    if len(found) < 2:
        return []
    quoted = {a: (b, m) for a, b, m in found}
    units: list[Unit] = []
    for a, b in paragraphs:
        if a in quoted:
            _, m = quoted[a]
            qa, qb = _trim(text, a, a + m.start())
            while qa < qb and text[qa] in _QUOTES:
                qa += 1
            while qb > qa and text[qb - 1] in _QUOTES:
                qb -= 1
            units.append(Unit(qa, qb, SegmentKind.QUOTE, m.group("label").strip()))
        else:
            kind = SegmentKind.PREAMBLE if a < found[0][0] else _paragraph_kind(text, a, b)
            units.append(Unit(a, b, kind))
    return units


def _paragraphs(text: str) -> list[Unit]:
    return [Unit(a, b, _paragraph_kind(text, a, b)) for a, b in _paragraph_spans(text)]


def _paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs of `text[start:end]`, trimmed and non-empty."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for gap in _BLANK_LINES.finditer(text, start, end):
        spans.append((cursor, gap.start()))
        cursor = gap.end()
    spans.append((cursor, end))
    trimmed = (_trim(text, a, b) for a, b in spans)
    return [(a, b) for a, b in trimmed if a < b]


def _paragraph_kind(text: str, start: int, end: int) -> SegmentKind:
    """Short single lines without closing punctuation are headings, not coding units; so are form
    labels ("Attendance:", "**When:**")."""
    chunk = text[start:end]
    if _HEADING_MD.match(chunk):
        return SegmentKind.HEADING
    if "\n" not in chunk and chunk.strip("*_ ").endswith(":") and len(chunk.split()) <= _FORM_LABEL_WORDS:
        return SegmentKind.HEADING
    if (
        "\n" not in chunk
        and len(chunk.split()) <= 10
        and chunk.rstrip("*_ ")[-1:] not in ".!?:;,\"”’)"
        and not _LIST_ITEM.match(chunk)
    ):
        return SegmentKind.HEADING
    return SegmentKind.PARAGRAPH
