"""The default coder: rules, semantic similarity and supervised learning combined.

Zero-shot (codebook only), the decision margin is the semantic coder's calibrated similarity plus
a bonus for keyword evidence, minus a threshold. As people accept and reject suggestions, each
code's margin moves towards the supervised coder's log-odds, in proportion to how many accepted
examples the code has (shrinkage: a handful of decisions nudges, dozens take over), and the code's
threshold is tuned on out-of-fold predictions for its decisions. A unit gets at most `max_codes`
suggestions. Scores are the logistic of the margin, so 0.5 is the decision boundary and the review
queue can put the most uncertain first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import numpy as np

from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.embeddings import MINILM_ID, CachedEmbedder, Embedder, MiniLMEmbedder
from qualkit.coders.nlp import DEFAULT_PIPELINE
from qualkit.coders.rules import RulesCoder
from qualkit.coders.semantic import SemanticCoder, clip, logistic
from qualkit.coders.supervised import SupervisedCoder
from qualkit.model import Codebook


@register("ensemble.v1")
class EnsembleCoder:
    model_id: ClassVar[str | None] = MINILM_ID

    def __init__(self, embedder: Embedder | None = None, spacy_model: str = DEFAULT_PIPELINE,
                 keyword_weight: float = 2.5, threshold: float = 1.5, shrinkage: float = 15.0,
                 max_codes: int = 3, slope: float = 1.5, tune_min_positives: int = 6) -> None:
        self.embedder = embedder
        self.spacy_model = spacy_model
        self.keyword_weight = keyword_weight
        self.threshold = threshold
        self.shrinkage = shrinkage
        self.max_codes = max_codes
        self.slope = slope
        self.tune_min_positives = tune_min_positives

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        embedder = self.embedder or CachedEmbedder(MiniLMEmbedder())
        labelled = {label.unit_id: Unit(label.unit_id, label.text) for label in labels if label.text}
        calibration_units = list(units) + [u for uid, u in labelled.items()
                                           if uid not in {x.id for x in units}]
        self.rules_ = RulesCoder(spacy_model=self.spacy_model).fit(units, codebook)
        # Decisions reach the margin through the supervised coder only: as extra semantic
        # prototypes they blur what the codebook says (measured in bench/coding.py).
        self.semantic_ = SemanticCoder(embedder=embedder).fit(calibration_units, codebook)
        self.supervised_ = SupervisedCoder(embedder=embedder).fit(units, codebook, labels)
        self.weights_ = self.supervised_.positives_ / (self.supervised_.positives_ + self.shrinkage)
        self.weights_[[j not in self.supervised_.models_ for j in range(len(self.weights_))]] = 0.0
        self.offsets_ = self._tune_offsets(codebook)
        return self

    def _tune_offsets(self, codebook: Codebook) -> np.ndarray:
        """Per-code threshold shifts that maximise F1 on out-of-fold margins of the labelled units,
        shrunk towards 0 for codes with few examples."""
        offsets = np.zeros(len(codebook.flat()))
        sup = self.supervised_
        if not sup.texts_:
            return offsets
        labelled = [Unit(str(i), text) for i, text in enumerate(sup.texts_)]
        base = self._zero_shot_margins(labelled, codebook)[0]
        for j in range(len(offsets)):
            if sup.positives_[j] < self.tune_min_positives or j not in sup.models_:
                continue
            rows = np.flatnonzero(sup.known_[:, j])
            log_odds, truth = sup.out_of_fold_log_odds(j)
            margin = (1 - self.weights_[j]) * base[rows, j] + self.weights_[j] * log_odds
            best, best_f1 = 0.0, -1.0
            for shift in np.arange(-2.0, 2.01, 0.25):
                chosen = margin + shift >= 0
                denominator = chosen.sum() + truth.sum()
                f1 = 2 * (chosen & truth).sum() / denominator if denominator else 0.0
                if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(shift) < abs(best)):
                    best, best_f1 = shift, f1
            n = sup.positives_[j]
            offsets[j] = best * n / (n + self.shrinkage)
        return offsets

    def _zero_shot_margins(self, units: Sequence[Unit], codebook: Codebook):  # type: ignore[no-untyped-def]
        z, nearest = self.semantic_.standardised(units, codebook)
        index = {code.id: j for j, code in enumerate(codebook.flat())}
        rows = {u.id: i for i, u in enumerate(units)}
        keyword = np.zeros_like(z)
        why: dict[tuple[int, int], str] = {}
        for s in self.rules_.suggest(units, codebook):
            if s.suggested:
                i, j = rows[s.unit_id], index[s.code_id]
                keyword[i, j] = s.score
                why[(i, j)] = s.rationale
        return z + self.keyword_weight * keyword - self.threshold, nearest, why

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        codes = codebook.flat()
        base, nearest, keyword_why = self._zero_shot_margins(units, codebook)
        log_odds, vectors = self.supervised_.log_odds(units, codebook)
        margin = (1 - self.weights_) * base + self.weights_ * log_odds + self.offsets_
        scores = logistic(margin, self.slope)
        for i, unit in enumerate(units):
            allowed = {j for j in np.argsort(-margin[i])[: self.max_codes] if margin[i, j] >= 0}
            for j, code in enumerate(codes):
                reasons = [keyword_why.get((i, j)) or "no keyword matched",
                           self.semantic_.rationale(code.id, nearest[i, j])]
                if self.weights_[j] > 0:
                    similar = self.supervised_.nearest_accepted(vectors[i], j)
                    reasons.append(f"similar accepted quote: “{clip(similar or '')}” "
                                   f"(learned weight {self.weights_[j]:.2f})")
                score = float(scores[i, j]) if j in allowed else min(float(scores[i, j]), 0.49)
                yield Suggestion(unit.id, code.id, score, j in allowed, "; ".join(reasons))
