"""Recognising who speaks: speaker labels at the start of lines and bracketed attributions.

Real transcripts label turns in many ways: `Interviewer:`, `I:`/`R:`, `Q:`/`A:`, `P3:`,
`Keyworker C:`, `[00:03:12] Speaker 2:`, `MUM:`, `**Parent 3:**` in Markdown, and quotes followed
by `(Partner B)`. A label is only trusted when the document uses it like one (see `accept_labels`),
so that a stray `Note:` or `Date of interview:` is not mistaken for a speaker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qualkit.model.speakers import INTERVIEWER_LABELS, PROJECT_WIDE_LABEL, label_key

_TIMESTAMP = r"(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)"
_LABEL_LINE = re.compile(
    r"[ \t]*(?:[\[(]?" + _TIMESTAMP + r"[\])]?[ \t]*[-–]?[ \t]*)?"
    r"(?P<open>\*\*|__)?(?P<label>[A-Za-z][A-Za-z0-9'’.\- ]{0,38}?)[ \t]*(?:\*\*|__)?[ \t]*:"
    r"(?:\*\*|__)?(?:[ \t]+|$)"
)
_ATTRIBUTION = re.compile(r"\((?P<label>[A-Z][A-Za-z0-9'’ ,.\-]{0,40})\)[ \t]*$")
_QUOTE_END = frozenset(".!?…\"'”’")  # what a quote ends with; `Team (TFS)` or `Name (Role)` is no quote

# The other side of an interview, however the transcriber wrote it ("R:" after "I:", "A:" after "Q:",
# "Mum:"): a label like these is a speaker even when used once, in any mix of styles.
RESPONDENT_LABELS = frozenset(
    {"r", "a", "p", "resp", "respondent", "interviewee", "participant", "answer", "mum", "dad", "mother",
     "father", "parent", "carer", "nan", "gran", "grandparent", "child", "young person", "yp"}
)
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class LabelMatch:
    """A candidate speaker label at the start of a line."""

    label: str
    content_start: int  # offset where the spoken text starts (after the label and colon)
    timestamp: float | None


def parse_timestamp(value: str) -> float:
    """'00:03:12', '3:12' or '00:03:12.500' as seconds."""
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def match_label(text: str, line_start: int, line_end: int) -> LabelMatch | None:
    """The speaker label at the start of the line `text[line_start:line_end]`, if it has one."""
    m = _LABEL_LINE.match(text, line_start, line_end)
    if not m:
        return None
    label = " ".join(m.group("label").split()).strip(" .-")
    if not label or len(label.split()) > _MAX_LABEL_WORDS or not label[0].isupper():
        return None
    stamp = m.group("ts")
    return LabelMatch(label, m.end(), parse_timestamp(stamp) if stamp else None)


def accept_labels(candidates: list[str]) -> set[str]:
    """Decide which candidate labels (in document order) are real speakers.

    A document is a transcript when at least two different labels recur (one recurring label,
    such as `Case study:`, is a heading style, not a conversation); recurring labels are then
    speakers. A label used once counts only after the transcript has started and when it looks
    like a speaker (an interviewer or respondent word such as `I` or `R`, an ID such as `P3`, or
    written in capitals like the others), so that one turn never swallows the next speaker's.
    """
    counts = Counter(label_key(c) for c in candidates)
    recurring = {k for k, n in counts.items() if n >= 2}
    if len(recurring) < 2:
        return set()
    accepted = set(recurring)
    shouting = all(c.isupper() for c in candidates if label_key(c) in recurring)
    started = False
    for cand in candidates:
        key = label_key(cand)
        if key in recurring:
            started = True
        elif started and (
            key in INTERVIEWER_LABELS or key in RESPONDENT_LABELS or PROJECT_WIDE_LABEL.match(cand)
            or (shouting and cand.isupper())
        ):
            accepted.add(key)
    return accepted


def match_attribution(paragraph: str) -> re.Match[str] | None:
    """A bracketed attribution at the end of a paragraph, e.g. `“...” (Partner B)`."""
    m = _ATTRIBUTION.search(paragraph)
    if not m or paragraph[:m.start()].rstrip()[-1:] not in _QUOTE_END:
        return None
    label = m.group("label").strip()
    if len(label.split()) > 5:
        return None
    return m
