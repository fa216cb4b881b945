"""Test doubles for coding services: a keyword coder, a bag-of-words embedder, a small project.

The doubles are fast and predictable, so tests can state exactly which suggestions a run makes.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar, Self

import numpy as np

from qualkit import services
from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.embeddings import Embedder
from qualkit.model import Codebook

CODEBOOK_YAML = """\
name: Test codebook
version: 1
codes:
  - id: trust
    name: Trust
    description: Belief that the worker is on the family's side.
    keywords: [trust, on my side]
  - id: housing
    name: Housing
    description: Landlords, rent and the state of the home.
    keywords: [landlord, damp, rent]
    children:
      - id: repairs
        name: Repairs
        description: Getting things fixed.
        keywords: [fixed, repair]
"""

# Each unit's keyword hits decide its scores (see KeywordCoder): 0 hits 0.1 (not stored), 1 hit 0.4
# (stored, coder says no), 2 hits 0.7 (coder says yes).
UNITS = [
    ("I trust her now, she is on my side.", "P1", "Families"),  # trust 0.7
    ("The landlord never fixed the damp.", "P1", "Families"),  # housing 0.7, repairs 0.4
    ("We worked on trust with the family.", "Keyworker C", "Keyworkers"),  # trust 0.4
    ("Rent went up and the landlord shouted at us.", "P2", "Families"),  # housing 0.7
    ("Nothing much happened that week.", "Keyworker C", "Keyworkers"),  # nothing
    ("The boiler broke and nobody came to repair it.", "Keyworker D", "Keyworkers"),  # repairs 0.4
]

# More units with no keyword of the codebook, for topic discovery (which needs a few more units).
SCHOOL_UNITS = [
    ("The school called about attendance again.", "P2", "Families"),
    ("Her teacher said the homework was late.", "P2", "Families"),
    ("He missed three days of school this month.", "Keyworker D", "Keyworkers"),
    ("We met the head teacher about the exclusion.", "Keyworker D", "Keyworkers"),
    ("My son hates his new school and the uniform.", "P1", "Families"),
    ("The teacher rang me twice about his homework.", "P1", "Families"),
]


@register("testkeyword.v1")
class KeywordCoder:
    """Scores a code by how many of its keywords a unit contains; embeds units to exercise the cache."""

    model_id: ClassVar[str | None] = "test/keywords"
    seen_labels: ClassVar[list[Label]] = []

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        KeywordCoder.seen_labels = list(labels)
        if self.embedder is not None:
            self.embedder.encode([u.text for u in units])
        return self

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        for unit in units:
            text = unit.text.lower()
            for code in codebook.flat():
                hits = [k for k in code.keywords if k in text]
                score = min(0.95, 0.1 + 0.3 * len(hits))
                span = (text.index(hits[0]), text.index(hits[0]) + len(hits[0])) if hits else None
                yield Suggestion(unit.id, code.id, score, score >= 0.5, f"matched: {', '.join(hits)}", span)


@register("testother.v1")
class OtherCoder(KeywordCoder):
    """Another coder, whose suggestions a KeywordCoder run must leave alone."""

    model_id: ClassVar[str | None] = None


class BagOfWordsEmbedder:
    """Hashed bag of words, L2-normalised; records every text it is asked to embed."""

    model_id = "test/bag-of-words"

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        vectors = np.zeros((len(texts), 64), np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                vectors[i, zlib.crc32(word.encode()) % 64] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def write_units(path: Path, units: list[tuple[str, str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"id": str(i), "text": t, "speaker": s, "group": g}) + "\n"
                            for i, (t, s, g) in enumerate(units, start=1)), encoding="utf-8")
    return path


def write_sources(folder: Path) -> tuple[Path, Path]:
    """The test codebook and a JSONL of UNITS."""
    folder.mkdir(parents=True, exist_ok=True)
    codebook = folder / "codebook.yaml"
    codebook.write_text(CODEBOOK_YAML, encoding="utf-8")
    return codebook, write_units(folder / "units.jsonl", UNITS)


def coding_project(folder: Path, sources: Path) -> services.Project:
    """A project with the units imported and the test codebook stored."""
    codebook, units = write_sources(sources)
    project = services.init_project(folder)
    services.import_sources(project, [units])
    services.import_codebook(project, codebook)
    return project
