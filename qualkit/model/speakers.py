"""Which person a speaker label names: a rule of the data model, shared by ingestion (interviewer
turns are not coded) and the store (a label becomes a participant project-wide or per document)."""

from __future__ import annotations

import re

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "int", "i", "q", "researcher", "facilitator", "moderator", "evaluator", "iv"}
)
# Labels that name a person across the whole project (an ID after a role word, or P-numbers):
# "Keyworker C", "Partner B", "Parent 2", "P3", "YP2". Others ("R", "MUM", "Speaker 2") only
# mean something inside one document.
PROJECT_WIDE_LABEL = re.compile(r"^(?:[A-Za-z]+(?: [A-Za-z]+)* (?:[A-Z]|\d{1,3})|[A-Z]{1,3}\d{1,3})$")
_GENERIC = re.compile(r"^(?:speaker|interviewer|respondent|interviewee|participant)\b", re.I)


def label_key(label: str) -> str:
    """A label as compared: lower case, white space collapsed."""
    return " ".join(label.lower().split())


def is_interviewer_label(label: str) -> bool:
    key = label_key(label)
    return key in INTERVIEWER_LABELS or key.startswith("interviewer")


def is_project_wide_label(label: str) -> bool:
    """True when the label identifies one person across documents (e.g. `Keyworker C`, `P3`)."""
    return bool(PROJECT_WIDE_LABEL.match(label.strip())) and not _GENERIC.match(label.strip())


def participant_label_for(speaker: str, document_name: str) -> str:
    """Project-wide IDs ("Keyworker C", "P3") name one person everywhere; other labels ("R",
    "MUM", "Speaker 2", "Interviewer") only within their document."""
    if is_project_wide_label(speaker) and not is_interviewer_label(speaker):
        return speaker
    return f"{speaker} ({document_name})"
