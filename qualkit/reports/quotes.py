"""Choosing representative quotes: varied, typical, people's decisions first.

Maximal marginal relevance over TF-IDF vectors of the anonymised texts: each pick is the candidate
most relevant (accepted rather than pending, close to what the theme's quotes share, a readable
length) less its similarity to what is already chosen, so five near-identical quotes never appear,
and a second quote from the same person counts as similar. Near-duplicates are never both chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qualkit.reports.model import SegmentFact

READABLE_WORDS = (12, 90)
NOVELTY = 0.6  # weight of similarity to the quotes already chosen
DUPLICATE = 0.8  # cosine similarity above which two quotes say the same thing
SAME_PERSON = 0.5  # how similar a second quote from the same participant counts as


@dataclass(frozen=True)
class Candidate:
    segment: SegmentFact
    text: str  # anonymised
    accepted: bool


def _vectors(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer  # here: importing sklearn takes a second

    try:
        matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    except ValueError:  # nothing but stop words
        return np.zeros((len(texts), 1))
    return matrix.toarray()


def _relevance(candidates: Sequence[Candidate], vectors: np.ndarray) -> np.ndarray:
    centre = vectors.mean(axis=0)
    norm = np.linalg.norm(centre)
    centrality = vectors @ centre / norm if norm else np.zeros(len(candidates))
    low, high = READABLE_WORDS
    readable = np.array([1.0 if low <= len(c.text.split()) <= high else 0.5 for c in candidates])
    accepted = np.array([1.0 if c.accepted else 0.0 for c in candidates])
    return 0.5 * accepted + 0.3 * centrality + 0.2 * readable


def choose(candidates: Sequence[Candidate], k: int) -> list[Candidate]:
    """Up to `k` quotes, best first; deterministic (ties go to the earlier segment id)."""
    if k <= 0 or not candidates:
        return []
    order = sorted(range(len(candidates)), key=lambda i: candidates[i].segment.id)
    ordered = [candidates[i] for i in order]
    vectors = _vectors([c.text for c in ordered])
    relevance = _relevance(ordered, vectors)
    similarity = vectors @ vectors.T
    chosen: list[int] = []
    while len(chosen) < k:
        best, best_score = None, -np.inf
        for i, candidate in enumerate(ordered):
            if i in chosen:
                continue
            overlap = max((similarity[i, j] for j in chosen), default=0.0)
            if overlap > DUPLICATE:
                continue
            same_person = candidate.segment.participant_id is not None and any(
                ordered[j].segment.participant_id == candidate.segment.participant_id for j in chosen)
            score = relevance[i] - NOVELTY * max(overlap, SAME_PERSON if same_person else 0.0)
            if score > best_score:
                best, best_score = i, score
        if best is None:
            break
        chosen.append(best)
    return [ordered[i] for i in chosen]


def shorten(text: str, words: int) -> str:
    """The first `words` words of `text`, with an ellipsis when cut."""
    parts = text.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " …"
