"""Supervised coder: learns each code from the decisions people have made so far.

One logistic regression per code over sentence embeddings plus word and bigram TF-IDF, with
balanced class weights (codes are rare). A code needs a few accepted *and* rejected decisions
before it is learned; until then its score is 0 and the rationale says how many it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.embeddings import MINILM_ID, CachedEmbedder, Embedder, MiniLMEmbedder
from qualkit.coders.semantic import clip
from qualkit.model import Codebook


def labelled_matrix(labels: Sequence[Label], codebook: Codebook) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts of labelled units, and (units x codes) matrices of accepted and of known decisions."""
    index = {code.id: j for j, code in enumerate(codebook.flat())}
    rows: dict[str, int] = {}
    texts: list[str] = []
    decisions: list[tuple[int, int, bool]] = []
    for label in labels:
        if label.code_id not in index or not label.text:
            continue
        if label.unit_id not in rows:
            rows[label.unit_id] = len(texts)
            texts.append(label.text)
        decisions.append((rows[label.unit_id], index[label.code_id], label.accepted))
    accepted = np.zeros((len(texts), len(index)), bool)
    known = np.zeros_like(accepted)
    for i, j, yes in decisions:
        known[i, j] = True
        accepted[i, j] |= yes
    return texts, accepted, known


@register("supervised.v1")
class SupervisedCoder:
    """Few-shot to many-shot: takes over from zero-shot coders as decisions accumulate."""

    model_id: ClassVar[str | None] = MINILM_ID

    def __init__(self, embedder: Embedder | None = None, min_examples: int = 3, C: float = 4.0) -> None:
        self.embedder = embedder
        self.min_examples = min_examples
        self.C = C

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        self.embedder_ = self.embedder or CachedEmbedder(MiniLMEmbedder())
        texts, accepted, known = labelled_matrix(labels, codebook)
        self.texts_ = texts
        self.accepted_ = accepted
        self.known_ = known
        self.positives_ = (accepted & known).sum(axis=0)
        self.vectors_ = self.embedder_.encode(texts) if texts else np.zeros((0, 384), np.float32)
        self.tfidf_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self.tfidf_.fit(texts + [u.text for u in units] or ["empty"])
        features = self._features(texts, self.vectors_) if texts else None
        self.models_: dict[int, LogisticRegression] = {}
        for j in range(len(codebook.flat())):
            if self.learnable(j):
                rows = known[:, j]
                self.models_[j] = self._model().fit(features[rows], accepted[rows, j])
        return self

    def learnable(self, j: int) -> bool:
        rows = self.known_[:, j]
        positives = int(self.accepted_[rows, j].sum())
        return positives >= self.min_examples and int(rows.sum()) - positives >= self.min_examples

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)

    def _features(self, texts: Sequence[str], vectors: np.ndarray):  # type: ignore[no-untyped-def]
        return hstack([csr_matrix(vectors), self.tfidf_.transform(texts)]).tocsr()

    def log_odds(self, units: Sequence[Unit], codebook: Codebook) -> tuple[np.ndarray, np.ndarray]:
        """Log-odds (units x codes; 0 where a code is not learned yet) and the unit vectors."""
        vectors = self.embedder_.encode([u.text for u in units])
        out = np.zeros((len(units), len(codebook.flat())), np.float64)
        if self.models_ and len(units):
            features = self._features([u.text for u in units], vectors)
            for j, model in self.models_.items():
                out[:, j] = model.decision_function(features)
        return out, vectors

    def out_of_fold_log_odds(self, j: int, folds: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Log-odds for the labelled units of code j from models that did not see them, with the
        truth: what per-code thresholds are tuned on."""
        rows = np.flatnonzero(self.known_[:, j])
        truth = self.accepted_[rows, j]
        scores = np.zeros(len(rows))
        features = self._features(self.texts_, self.vectors_)[rows]
        n_splits = min(folds, int(truth.sum()), int((~truth).sum()))
        if n_splits < 2:
            return scores, truth
        for train, test in StratifiedKFold(n_splits, shuffle=True, random_state=0).split(rows, truth):
            model = self._model().fit(features[train], truth[train])
            scores[test] = model.decision_function(features[test])
        return scores, truth

    def nearest_accepted(self, vector: np.ndarray, j: int) -> str | None:
        rows = np.flatnonzero(self.accepted_[:, j] & self.known_[:, j])
        if not len(rows):
            return None
        best = rows[int(np.argmax(self.vectors_[rows] @ vector))]
        return self.texts_[best]

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        log_odds, vectors = self.log_odds(units, codebook)
        for i, unit in enumerate(units):
            for j, code in enumerate(codebook.flat()):
                if j not in self.models_:
                    yield Suggestion(unit.id, code.id, 0.0, False,
                                     f"not learned yet: {int(self.positives_[j])} accepted, "
                                     f"needs {self.min_examples} accepted and {self.min_examples} rejected")
                    continue
                score = float(1.0 / (1.0 + np.exp(-log_odds[i, j])))
                similar = self.nearest_accepted(vectors[i], j)
                yield Suggestion(unit.id, code.id, score, score >= 0.5,
                                 f"similar accepted quote: “{clip(similar or '')}”")
