"""Semantic similarity coder: each segment against what the codebook says each code means.

A code is represented by prototype texts (its definition with its include criteria, each example,
its keyword list, and, as decisions accumulate, the quotes people accepted for it). A segment's raw
score is its mean similarity to those prototypes, pushed down when it is closer to one of the
code's exclude criteria (or to a quote people rejected for it) than to any prototype.

Raw MiniLM cosines sit in a narrow band that differs from code to code, so they are calibrated
against the batch being coded: a robust z-score per code (median/MAD over units), then centred per
unit (a segment about housing is close to many codes; what matters is which stand out). The
decision margin is that value minus `threshold`; the score maps the margin through a logistic, so
0.5 is the decision boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np

from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.embeddings import MINILM_ID, CachedEmbedder, Embedder, MiniLMEmbedder
from qualkit.model import Code, Codebook


@dataclass(frozen=True)
class Prototypes:
    """Embedded prototype texts of one code, with their sources for rationales."""

    positive: np.ndarray
    positive_texts: list[str]
    negative: np.ndarray


def code_texts(code: Code) -> list[str]:
    """What the codebook says a code means, as separate texts to embed."""
    texts = [" ".join([f"{code.name}: {code.description}".strip(": "), *code.include])]
    texts += code.examples
    if code.keywords:
        texts.append(f"{code.name}: {', '.join(code.keywords)}")
    return texts


def robust_scale(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column centre and spread, insensitive to the few units a code applies to."""
    centre = np.median(values, axis=0)
    spread = np.median(np.abs(values - centre), axis=0) * 1.4826
    return centre, np.maximum(spread, 1e-3)


def logistic(margin: np.ndarray, slope: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-slope * margin))


@register("semantic.v1")
class SemanticCoder:
    """Zero-shot from the codebook; accepted and rejected quotes join the prototypes."""

    model_id: ClassVar[str | None] = MINILM_ID

    def __init__(self, embedder: Embedder | None = None, threshold: float = 1.5,
                 slope: float = 1.5, exclude_weight: float = 0.5) -> None:
        self.embedder = embedder
        self.threshold = threshold
        self.slope = slope
        self.exclude_weight = exclude_weight

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        self.embedder_ = self.embedder or CachedEmbedder(MiniLMEmbedder())
        accepted: dict[str, list[str]] = {}
        rejected: dict[str, list[str]] = {}
        for label in labels:
            if label.text:
                (accepted if label.accepted else rejected).setdefault(label.code_id, []).append(label.text)
        self.prototypes_: dict[str, Prototypes] = {}
        for code in codebook.flat():
            positive = code_texts(code) + accepted.get(code.id, [])
            negative = list(code.exclude) + rejected.get(code.id, [])
            self.prototypes_[code.id] = Prototypes(
                self.embedder_.encode(positive), positive,
                self.embedder_.encode(negative) if negative else np.zeros((0, 384), np.float32))
        self.centre_, self.spread_ = robust_scale(self._raw(self._vectors(units), codebook)[0])
        return self

    def _vectors(self, units: Sequence[Unit]) -> np.ndarray:
        return self.embedder_.encode([u.text for u in units])

    def _raw(self, vectors: np.ndarray, codebook: Codebook) -> tuple[np.ndarray, np.ndarray]:
        """Raw scores (units x codes) and each unit's nearest positive prototype per code."""
        codes = codebook.flat()
        raw = np.zeros((len(vectors), len(codes)), np.float32)
        nearest = np.zeros((len(vectors), len(codes)), np.int64)
        for j, code in enumerate(codes):
            proto = self.prototypes_[code.id]
            sims = vectors @ proto.positive.T
            raw[:, j] = sims.mean(axis=1)
            nearest[:, j] = sims.argmax(axis=1)
            if len(proto.negative):
                against = (vectors @ proto.negative.T).max(axis=1)
                raw[:, j] -= self.exclude_weight * np.maximum(0.0, against - sims.max(axis=1))
        return raw, nearest

    def standardised(self, units: Sequence[Unit], codebook: Codebook) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated similarity (units x codes; 0 = a typical unit) and nearest prototypes."""
        raw, nearest = self._raw(self._vectors(units), codebook)
        z = (raw - self.centre_) / self.spread_
        return z - z.mean(axis=1, keepdims=True), nearest

    def rationale(self, code_id: str, prototype: int) -> str:
        return f"closest to: “{clip(self.prototypes_[code_id].positive_texts[prototype])}”"

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        z, nearest = self.standardised(units, codebook)
        scores = logistic(z - self.threshold, self.slope)
        for i, unit in enumerate(units):
            for j, code in enumerate(codebook.flat()):
                score = float(scores[i, j])
                yield Suggestion(unit.id, code.id, score, score >= 0.5,
                                 self.rationale(code.id, nearest[i, j]))


def clip(text: str, words: int = 18) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
