"""Choosing representative quotes: varied, typical, people's decisions first.

Maximal marginal relevance over TF-IDF vectors of the anonymised texts: each pick is the candidate
most relevant (accepted rather than pending, close to what the theme's quotes share, a readable
length) less its similarity to what is already chosen, so five near-identical quotes never appear,
and a second quote from the same person counts as similar. Near-duplicates are never both chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualkit.reports.model import CodingFact, SegmentFact, TextView

READABLE_WORDS = (12, 90)
BETWEEN_SPANS = " … "  # joins two coded parts of one segment in a quote
NOVELTY = 0.6  # weight of similarity to the quotes already chosen
DUPLICATE = 0.8  # cosine similarity above which two quotes say the same thing
SAME_PERSON = 0.5  # how similar a second quote from the same participant counts as
POOL = 300  # candidates weighed against each other: the most relevant ones


@dataclass(frozen=True)
class Candidate:
    segment: SegmentFact
    text: str  # anonymised
    accepted: bool


def _vectors(texts: Sequence[str]) -> Any:
    """L2-normalised TF-IDF rows, kept sparse (10,000 quotes make a small sparse matrix but a dense
    similarity matrix of 800 MB)."""
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer  # here: importing sklearn takes a second

    try:
        return TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    except ValueError:  # nothing but stop words
        return csr_matrix((len(texts), 1))


def _relevance(candidates: Sequence[Candidate], vectors: Any) -> np.ndarray:
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centre)
    centrality = vectors @ centre / norm if norm else np.zeros(len(candidates))
    low, high = READABLE_WORDS
    readable = np.array([1.0 if low <= len(c.text.split()) <= high else 0.5 for c in candidates])
    accepted = np.array([1.0 if c.accepted else 0.0 for c in candidates])
    return 0.5 * accepted + 0.3 * np.asarray(centrality).ravel() + 0.2 * readable


def choose(candidates: Sequence[Candidate], k: int) -> list[Candidate]:
    """Up to `k` quotes, best first; deterministic (ties go to the earlier segment id). Only the
    POOL most relevant candidates are weighed against each other, so a theme with 10,000 quotes
    costs about as much as one with a few hundred."""
    if k <= 0 or not candidates:
        return []
    ordered = sorted(candidates, key=lambda c: c.segment.id)
    vectors = _vectors([c.text for c in ordered])
    relevance = _relevance(ordered, vectors)
    pool = sorted(np.argsort(-relevance, kind="stable")[:POOL].tolist())
    rows = vectors[pool]
    overlap = np.zeros(len(pool))  # each candidate's highest similarity to a chosen quote
    chosen: list[int] = []  # positions in `pool`
    while len(chosen) < k:
        best, best_score = None, -np.inf
        for i, index in enumerate(pool):
            if i in chosen or overlap[i] > DUPLICATE:
                continue
            candidate = ordered[index]
            same_person = candidate.segment.participant_id is not None and any(
                ordered[pool[j]].segment.participant_id == candidate.segment.participant_id for j in chosen)
            score = relevance[index] - NOVELTY * max(overlap[i], SAME_PERSON if same_person else 0.0)
            if score > best_score:
                best, best_score = i, score
        if best is None:
            break
        chosen.append(best)
        overlap = np.maximum(overlap, np.asarray((rows @ rows[best].T).todense()).ravel())
    return [ordered[pool[i]] for i in chosen]


def coded_text(view: TextView, coding: CodingFact) -> str:
    """What a coding's quote says, anonymised: the parts of its segment it codes (a part-segment
    coding is quoted as coded, not as the whole turn), else the whole segment."""
    if not coding.spans:
        return view.segment_text(coding.segment_id)
    return BETWEEN_SPANS.join(view.span_text(coding.segment_id, start, end) for start, end in coding.spans)


def shorten(text: str, words: int) -> str:
    """The first `words` words of `text`, with an ellipsis when cut."""
    parts = text.split()
    return " ".join(parts) if len(parts) <= words else " ".join(parts[:words]) + " …"
