"""Subtitle-style transcripts (.vtt, .srt): cues with timestamps, merged into speaker turns."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import srt
import webvtt
from webvtt.errors import MalformedFileError

from qualkit.ingest.encoding import decode_text
from qualkit.ingest.extracted import ReadContext, SourceUnit, StructuredUnits
from qualkit.ingest.safety import corrupt
from qualkit.ingest.speakers import match_label, parse_timestamp
from qualkit.model import SegmentKind

_TAG = re.compile(r"<[^>]+>|\{\\[^}]*\}")
_VOICE = re.compile(r"<v(?:\.[\w.]+)?\s+([^>]+)>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None


def read_vtt(data: bytes, ctx: ReadContext) -> StructuredUnits:
    try:
        captions = webvtt.from_buffer(io.StringIO(decode_text(data, ctx.path)))
        # `start`/`end` keep the milliseconds that `start_in_seconds` drops.
        cues = [_cue(parse_timestamp(c.start), parse_timestamp(c.end), c.raw_text, c.voice)
                for c in captions]
    except MalformedFileError as error:
        raise corrupt(ctx.path, "WebVTT (it must start with WEBVTT and hold timed cues)", error) from error
    return _turns(cues)


def read_srt(data: bytes, ctx: ReadContext) -> StructuredUnits:
    try:
        subtitles = list(srt.parse(decode_text(data, ctx.path)))
    except srt.SRTParseError as error:
        raise corrupt(ctx.path, "SRT subtitles", error) from error
    return _turns([_cue(s.start.total_seconds(), s.end.total_seconds(), s.content, None)
                   for s in subtitles])


def _cue(start: float, end: float, raw: str, voice: str | None) -> Cue:
    """A cue's plain text and speaker: from a `<v Name>` tag or a `Name:` label in the text."""
    if voice is None and (m := _VOICE.search(raw)):
        voice = m.group(1)
    text = " ".join(_TAG.sub("", raw).split())
    if voice is None and (label := match_label(text, 0, len(text))):
        voice, text = label.label, text[label.content_start:]
    return Cue(float(start), float(end), text, voice.strip() if voice else None)


def _turns(cues: list[Cue]) -> StructuredUnits:
    """Consecutive cues by the same speaker form one turn, timed from its first to last cue."""
    units: list[SourceUnit] = []
    for cue in cues:
        if not cue.text:
            continue
        last = units[-1] if units else None
        if last and last.speaker == cue.speaker:
            units[-1] = SourceUnit(f"{last.text} {cue.text}", last.speaker,
                                   start_time=last.start_time, end_time=cue.end)
        else:
            units.append(SourceUnit(cue.text, cue.speaker, start_time=cue.start, end_time=cue.end))
    kind = SegmentKind.TURN if any(u.speaker for u in units) else SegmentKind.PARAGRAPH
    return StructuredUnits(units, kind)
