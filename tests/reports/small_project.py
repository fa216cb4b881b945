"""A small, deterministic coded project for report tests.

Four JSONL units (coding_doubles.UNITS) and an interview with a named parent, her son, her landlord,
her street and her town, so that exports can be checked for identifiers. Codings: people's own,
machine suggestions (the keyword test coder), one suggestion accepted, one lower-scored candidate
rejected, one pending.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import services
from qualkit.coders import embeddings

from coding_doubles import UNITS, BagOfWordsEmbedder, write_sources

INTERVIEW = "shannon_interview.txt"
INTERVIEW_TEXT = """\
Interviewer: How did you first meet the service?

Shannon: Keyworker C came round to my flat on Station Road in Millbrook. I didn't trust anyone then, \
but she was on my side from the start.

Interviewer: And the house?

Shannon: The landlord, Mr Patel, never fixed the damp. Tyler had asthma from it.
"""
IDENTIFIERS = ("Shannon", "Station Road", "Millbrook", "Patel", "Tyler")  # what the fixture must hide


def segment_id(project: services.Project, document: str, starts: str) -> int:
    (found,) = [s.id for s in services.iter_segments(project, document=document) if s.text.startswith(starts)]
    return found


def build_small_project(folder: Path, sources: Path) -> services.Project:
    codebook, units = write_sources(sources)
    interview = sources / INTERVIEW
    interview.write_text(INTERVIEW_TEXT, encoding="utf-8")
    project = services.init_project(folder)
    services.import_sources(project, [units, interview])
    services.set_document_group(project, INTERVIEW, "Families")
    services.import_codebook(project, codebook)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "MiniLMEmbedder", BagOfWordsEmbedder)
        services.run_coder(project, "testkeyword")
    jsonl = units.name
    ana = [(jsonl, UNITS[0][0], "trust"), (jsonl, UNITS[2][0], "trust"), (jsonl, UNITS[1][0], "repairs"),
           (INTERVIEW, "Keyworker C came", "trust"), (INTERVIEW, "The landlord", "housing"),
           (jsonl, UNITS[5][0], "repairs")]
    for document, starts, code in ana:
        services.add_coding(project, segment_id(project, document, starts), code, "Ana")
    queue = {(item.segment_id, item.code): item.id for item in services.review_queue(project, limit=100)}
    accept = queue[(segment_id(project, jsonl, UNITS[3][0]), "housing")]  # "Rent went up ..."
    reject = queue[(segment_id(project, INTERVIEW, "The landlord"), "repairs")]  # "fixed" (0.4)
    services.decide_many(project, accept=[accept], reject=[reject], reviewer="Ben")
    return project
