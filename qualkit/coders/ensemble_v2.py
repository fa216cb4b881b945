"""ensemble.v2: a zero-shot prior from the codebook, blended per code with what people's decisions teach.

Zero-shot prior (measured on the real and invented sets in bench/coding.py):
- each code has several prototypes (its "name: description" with include criteria, each example,
  its keywords; a code with nothing but a description gets one prototype per sentence of it), and a
  unit's similarity to the code mixes its best match with the mean over them;
- a long unit (`long_words` words or more) also gets its best sentence's similarity, blended in with
  `sentence_weight`; that sentence is shown in the rationale;
- hubness-aware normalisation: similarities are standardised per code over the batch (a code close
  to everything stops winning everywhere) and then centred per unit (so does a unit close to
  everything);
- keyword evidence from the rules coder is added with `keyword_weight`.

Learning from decisions: a logistic regression per code on the frozen sentence embeddings (cheap
enough to refit after every batch of decisions), and a calibration of the prior to log-odds fitted
on the same decisions. Each code's margin is the blend (1 - w) * prior + w * classifier, with
w = n / (n + shrinkage) for a code with n accepted examples (a code is learned once it has
`min_examples` accepted and rejected decisions), moved by `base_rate_shift` times the log of the
decisions' rejected to accepted ratio: at 1 the decision boundary sits at the codes' base rate, at 0
at even odds.

ensemble.v3 is ensemble.v2 with, as measured on every set in bench/coding.py:
- word evidence in the prior (`lexical_weight=1`): the TF-IDF cosine of the unit to a code's
  prototypes, added to the sentence-model similarity before standardising (zero-shot top-1 kappa
  up on 6 of 8 sets, by up to 0.06 on the real report);
- no sentence embeddings (`sentence_weight=0`): once words count they added nothing and doubled the
  embedding work of a first pass; a long unit's rationale still names the sentence that shares most
  words with its best code;
- the classifier's classes balanced (`class_weight="balanced"`: a code has a handful of accepted
  decisions against dozens of rejected ones; few-shot top-1 kappa up to +0.04);
- the boundary halfway in log-odds between even odds and the base rate (`base_rate_shift=0.5`): it
  says yes less often to what is merely above a rare code's base rate (the coder's own macro kappa
  with decisions +0.05 to +0.19 on 7 of 8 sets).

Units that are not content (headings, name-and-role lines, form labels; see content.py) score 0.
A unit gets at most `max_codes` suggestions, each with a margin above 0: score 0.5 is the boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.content import non_content
from qualkit.coders.embeddings import MINILM_ID, CachedEmbedder, Embedder, MiniLMEmbedder
from qualkit.coders.nlp import DEFAULT_PIPELINE
from qualkit.coders.rules import RulesCoder
from qualkit.coders.semantic import clip, code_texts
from qualkit.coders.supervised import labelled_matrix
from qualkit.model import Code, Codebook

SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of three words or more."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text.rstrip())))
    return [(a, b) for a, b in spans if len(text[a:b].split()) >= 3]


def prototypes(code: Code) -> list[str]:
    """What the codebook says a code means, as separate texts: when it says nothing but a
    description, each of the description's sentences is a prototype too."""
    texts = code_texts(code)
    if len(texts) == 1:
        parts = [s for s in re.split(r"(?<=[.;:])\s+", code.description) if len(s.split()) >= 3]
        if len(parts) > 1:
            texts += [f"{code.name}: {part}" for part in parts]
    return texts


@register("ensemble.v2")
class EnsembleCoderV2:
    model_id: ClassVar[str | None] = MINILM_ID

    def __init__(self, embedder: Embedder | None = None, spacy_model: str = DEFAULT_PIPELINE,
                 keyword_weight: float = 1.0, sentence_weight: float = 0.3, long_words: int = 40,
                 threshold: float = 1.5, slope: float = 1.5, shrinkage: float = 10.0, C: float = 16.0,
                 min_examples: int = 3, max_codes: int = 3, class_weight: str | None = None,
                 base_rate_shift: float = 1.0, lexical_weight: float = 0.0) -> None:
        self.embedder = embedder
        self.spacy_model = spacy_model
        self.keyword_weight = keyword_weight
        self.sentence_weight = sentence_weight
        self.long_words = long_words
        self.threshold = threshold
        self.slope = slope
        self.shrinkage = shrinkage
        self.C = C
        self.min_examples = min_examples
        self.max_codes = max_codes
        self.class_weight = class_weight
        self.base_rate_shift = base_rate_shift
        self.lexical_weight = lexical_weight

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        self.embedder_ = self.embedder or CachedEmbedder(MiniLMEmbedder())
        codes = codebook.flat()
        self.codebook_ = codebook
        self.code_ids_ = [code.id for code in codes]
        self.rules_ = RulesCoder(spacy_model=self.spacy_model).fit(units, codebook)
        self.prototype_texts_ = [prototypes(code) for code in codes]
        # One call for the whole codebook: the embedder batches it like the segments.
        self.stacked_ = self.embedder_.encode([t for texts in self.prototype_texts_ for t in texts])
        ends = np.cumsum([len(texts) for texts in self.prototype_texts_])
        self.bounds_ = list(zip(ends - [len(texts) for texts in self.prototype_texts_], ends, strict=True))
        texts, accepted, known = labelled_matrix(labels, codebook)
        self.lexicon_: TfidfVectorizer | None = None
        if self.lexical_weight:
            # Word weights from the codebook and every text at hand, so that a word common in this
            # project counts for little.
            code_words = [" ".join(found) for found in self.prototype_texts_]
            try:
                self.lexicon_ = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(
                    code_words + [u.text for u in units] + texts)
            except ValueError:  # no word of two letters or more that is not a stop word: no evidence
                self.lexicon_ = None
            else:
                self.code_words_ = self.lexicon_.transform(code_words)
        self.texts_, self.accepted_, self.known_ = texts, accepted, known
        labelled = [Unit(f"label:{i}", t) for i, t in enumerate(texts)]
        seen = {u.text for u in units}
        batch = [u for u in units if non_content(u.text) is None]
        batch += [u for u in labelled if u.text not in seen]
        raw = self._raw(batch)[0]
        self.centre_ = raw.mean(axis=0) if len(batch) else np.zeros(len(codes))
        self.spread_ = np.maximum(raw.std(axis=0), 1e-3) if len(batch) > 1 else np.ones(len(codes))
        self.positives_ = (accepted & known).sum(axis=0)
        self.calibration_ = (self.slope, -self.slope * self.threshold)
        self.shift_ = 0.0
        self.models_: dict[int, LogisticRegression] = {}
        if texts:
            self.vectors_ = self.embedder_.encode(texts)
            prior = self._prior(labelled)[0]
            self.calibration_ = self._calibrate(prior[known], accepted[known])
            if self.calibration_[0] != self.slope:
                # Log-odds say how likely a code is; a yes is worth giving from the codes' base rate
                # up (a rare code is rarely above even odds), as the zero-shot threshold does.
                yes = int(accepted[known].sum())
                self.shift_ = self.base_rate_shift * float(np.log((known.sum() - yes) / yes))
            for j in range(len(codes)):
                rows = known[:, j]
                yes = int(accepted[rows, j].sum())
                if yes >= self.min_examples and int(rows.sum()) - yes >= self.min_examples:
                    self.models_[j] = LogisticRegression(
                        C=self.C, class_weight=self.class_weight, solver="liblinear",
                    ).fit(self.vectors_[rows], accepted[rows, j])
        else:
            self.vectors_ = np.zeros((0, 384), np.float32)
        self.weights_ = np.array([n / (n + self.shrinkage) if j in self.models_ else 0.0
                                  for j, n in enumerate(self.positives_)])
        return self

    def _calibrate(self, prior: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
        """Slope and intercept mapping the prior to log-odds, fitted on people's decisions when
        there are a few of each kind; otherwise the default mapping."""
        if truth.sum() < 3 or (~truth).sum() < 3:
            return self.calibration_
        model = LogisticRegression(C=100.0, max_iter=1000).fit(prior.reshape(-1, 1), truth)
        slope = float(model.coef_[0, 0])
        if slope <= 0:  # the prior says nothing about these decisions: keep the default
            return self.calibration_
        return slope, float(model.intercept_[0])

    # -- scoring ---------------------------------------------------------------------------------

    def _raw(self, units: Sequence[Unit]) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int] | None]]:
        """Similarity (units x codes), each pair's nearest prototype, and the span of each long
        unit's sentence that matched its best code."""
        texts = [u.text for u in units]
        spans = {i: found for i, text in enumerate(texts)
                 if len(text.split()) >= self.long_words and len(found := sentences(text)) > 1}
        raw, nearest = self._similarity(self.embedder_.encode(texts))
        raw += self._lexical(texts)
        best_sentence: list[tuple[int, int] | None] = [None] * len(units)
        if self.sentence_weight > 0:
            sentence_vectors = self._sentence_vectors([texts[i] for i in spans], list(spans.values()))
            for (i, found), vectors in zip(spans.items(), sentence_vectors, strict=True):
                sims = self._similarity(vectors)[0] + self._lexical([texts[i][a:b] for a, b in found])
                raw[i] = (1 - self.sentence_weight) * raw[i] + self.sentence_weight * sims.max(axis=0)
                best_sentence[i] = found[int(sims[:, int(np.argmax(raw[i]))].argmax())]
        elif self.lexicon_ is not None and spans:
            # The sentence that shares most words with the unit's best code, for the rationale only:
            # it costs no embedding (scoring sentences embedded on their own added nothing once
            # words count, and doubled the embedding work of a first pass; bench/coding.py).
            words = self._lexical([texts[i][a:b] for i, found in spans.items() for a, b in found])
            start = 0
            for i, found in spans.items():
                shared = words[start:start + len(found), int(np.argmax(raw[i]))]
                start += len(found)
                if shared.max() > 0:
                    best_sentence[i] = found[int(shared.argmax())]
        return raw, nearest, best_sentence

    def _lexical(self, texts: list[str]) -> np.ndarray:
        """TF-IDF cosine of each text to each code's prototypes taken together (texts x codes), times
        `lexical_weight`: the words a codebook and a report share are evidence the sentence model
        blurs (on the real inspection report, TF-IDF alone beats MiniLM cosine)."""
        if self.lexicon_ is None or not texts:
            return np.zeros((len(texts), len(self.bounds_)))
        return self.lexical_weight * (self.lexicon_.transform(texts) @ self.code_words_.T).toarray()

    def _sentence_vectors(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> list[np.ndarray]:
        """Each sentence's vector, embedded on its own (and cached). Pooling the sentence's tokens
        from the turn's single pass would cost nothing extra, but lost 0.05 top-1 kappa on the demo
        interviews (bench/coding.py): a sentence read in its turn takes on the turn's meaning."""
        if not texts:
            return []
        flat = self.embedder_.encode([t[a:b] for t, found in zip(texts, spans, strict=True)
                                      for a, b in found])
        ends = np.cumsum([len(found) for found in spans])
        return np.split(flat, ends[:-1])

    def _similarity(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per code, half the best prototype's cosine plus half the mean over its prototypes."""
        sims = vectors @ self.stacked_.T
        raw = np.zeros((len(vectors), len(self.bounds_)))
        nearest = np.zeros((len(vectors), len(self.bounds_)), np.int64)
        for j, (a, b) in enumerate(self.bounds_):
            raw[:, j] = 0.5 * sims[:, a:b].max(axis=1) + 0.5 * sims[:, a:b].mean(axis=1)
            nearest[:, j] = sims[:, a:b].argmax(axis=1)
        return raw, nearest

    def _prior(self, units: Sequence[Unit]):  # type: ignore[no-untyped-def]
        """Zero-shot evidence (units x codes, 0 = typical) with what each value rests on."""
        raw, nearest, best_sentence = self._raw(units)
        z = (raw - self.centre_) / self.spread_
        z = z - z.mean(axis=1, keepdims=True)
        keyword = np.zeros_like(z)
        why: dict[tuple[int, int], str] = {}
        if self.keyword_weight:
            rows = {u.id: i for i, u in enumerate(units)}
            index = {code: j for j, code in enumerate(self.code_ids_)}
            for s in self.rules_.suggest(units, self.codebook_):
                if s.suggested:
                    keyword[rows[s.unit_id], index[s.code_id]] = s.score
                    why[(rows[s.unit_id], index[s.code_id])] = s.rationale
        return z + self.keyword_weight * keyword, nearest, best_sentence, why

    def margins(self, units: Sequence[Unit]):  # type: ignore[no-untyped-def]
        prior, nearest, best_sentence, why = self._prior(units)
        slope, intercept = self.calibration_
        margin = slope * prior + intercept
        vectors = self.embedder_.encode([u.text for u in units]) if self.models_ else None
        for j, model in self.models_.items():
            w = self.weights_[j]
            margin[:, j] = (1 - w) * margin[:, j] + w * model.decision_function(vectors)
        return margin + self.shift_, nearest, best_sentence, why, vectors

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        margin, nearest, best_sentence, keyword_why, vectors = self.margins(units)
        scores = 1.0 / (1.0 + np.exp(-margin))
        for i, unit in enumerate(units):
            skip = non_content(unit.text)
            allowed = set() if skip else {
                j for j in np.argsort(-margin[i])[: self.max_codes] if margin[i, j] >= 0}
            for j, code_id in enumerate(self.code_ids_):
                if skip:
                    yield Suggestion(unit.id, code_id, 0.0, False, f"not coded: a {skip}, not content")
                    continue
                reasons = [keyword_why.get((i, j)) or "no keyword matched",
                           f"closest to: “{clip(self.prototype_texts_[j][nearest[i, j]])}”"]
                if best_sentence[i] is not None:
                    a, b = best_sentence[i]
                    reasons.append(f"best sentence: “{clip(unit.text[a:b], 30)}”")
                if self.weights_[j] > 0 and vectors is not None:
                    rows = np.flatnonzero(self.accepted_[:, j] & self.known_[:, j])
                    similar = self.texts_[rows[int(np.argmax(self.vectors_[rows] @ vectors[i]))]]
                    reasons.append(f"similar accepted quote: “{clip(similar)}” (learned from "
                                   f"{int(self.positives_[j])} accepted, weight {self.weights_[j]:.2f})")
                score = float(scores[i, j]) if j in allowed else min(float(scores[i, j]), 0.49)
                yield Suggestion(unit.id, code_id, score, j in allowed, "; ".join(reasons))


@register("ensemble.v3")
class EnsembleCoderV3(EnsembleCoderV2):
    """ensemble.v2 with a balanced classifier and a boundary halfway to the base rate (module docs)."""

    def __init__(self, embedder: Embedder | None = None, spacy_model: str = DEFAULT_PIPELINE,
                 keyword_weight: float = 1.0, sentence_weight: float = 0.0, long_words: int = 40,
                 threshold: float = 1.5, slope: float = 1.5, shrinkage: float = 10.0, C: float = 16.0,
                 min_examples: int = 3, max_codes: int = 3, class_weight: str | None = "balanced",
                 base_rate_shift: float = 0.5, lexical_weight: float = 1.0) -> None:
        super().__init__(embedder, spacy_model, keyword_weight, sentence_weight, long_words, threshold,
                         slope, shrinkage, C, min_examples, max_codes, class_weight, base_rate_shift,
                         lexical_weight)
