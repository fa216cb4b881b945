"""Keyword rules coder: the codebook's keywords (and each code's name) found in a segment.

Matching is on lemmas, so "she was supporting us" matches the keyword "support" and "I felt alone"
the keyword "feel alone", and also on the words as written: with lemmas from the tagger, a keyword
lemmatised out of context can be tagged differently from the same words in a sentence ("isolated"
alone is an adjective, in "I was isolated" a verb). Keywords and segments are always lemmatised the
same way, so that their lemmas meet.

A keyword after a negation cue ("I didn't feel alone") is still evidence about the code, since
codes describe topics, not stances, but the rationale says so, so that a person reviewing sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Self

from qualkit.coders.base import Label, Suggestion, Unit, register
from qualkit.coders.nlp import DEFAULT_LEMMATISER, DEFAULT_PIPELINE, lemmatise, load_pipeline, pipeline_id
from qualkit.model import Code, Codebook

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# Token forms as spaCy splits them: "didn't" is "did" + "n't", "didnt" is "did" + "nt", "cannot"
# is "can" + "not".
NEGATION_CUES = frozenset({
    "not", "n't", "n’t", "nt", "no", "never", "nobody", "nothing", "none", "nowhere", "neither", "nor",
    "without", "hardly", "barely", "scarcely",
})
CONTRACTED = frozenset({"n't", "n’t", "nt"})
CLAUSE_BREAKS = frozenset({"but", "though", "although"})  # a cue before these negates something else


@register("rules.v1")
class RulesCoder:
    """Transparent keyword evidence: every score traces back to words a person can see.

    `spacy_model` names the spaCy pipeline that splits text into words (and, with
    `lemmatiser="pipeline"`, tags and lemmatises them); `lemmatiser` is how words get their lemmas:
    "lookup" (the default) from spaCy's lemma table for the pipeline's language, word by word, some
    50 times faster; "pipeline" from the pipeline's tagger and lemmatizer, which read each word in
    its sentence ("left" the verb is "leave", "left" the direction stays). `negation_window` is how
    many words before a keyword a negation cue may stand; a code whose every match is negated has
    its score multiplied by `negated_factor`.
    """

    def __init__(self, spacy_model: str = DEFAULT_PIPELINE, negation_window: int = 4,
                 negated_factor: float = 0.8, lemmatiser: str = DEFAULT_LEMMATISER) -> None:
        self.spacy_model = spacy_model
        self.negation_window = negation_window
        self.negated_factor = negated_factor
        self.lemmatiser = lemmatiser

    @property
    def model_id(self) -> str:
        return pipeline_id(self.spacy_model, self.lemmatiser)

    def fit(self, units: Sequence[Unit], codebook: Codebook, labels: Sequence[Label] = ()) -> Self:
        """Build the matchers from the codebook; rules learn nothing from units or labels."""
        from spacy.matcher import PhraseMatcher

        vocab = load_pipeline(self.spacy_model).vocab
        self.lemma_matcher_ = PhraseMatcher(vocab, attr="LEMMA")
        self.word_matcher_ = PhraseMatcher(vocab, attr="LOWER")
        wanted = {code.id: phrases(code) for code in codebook.flat()}
        docs = iter(self._lemmatise([p for texts in wanted.values() for p in texts]))
        for code_id, texts in wanted.items():
            patterns = [next(docs) for _ in texts]
            self.lemma_matcher_.add(code_id, patterns)
            self.word_matcher_.add(code_id, patterns)
        return self

    def suggest(self, units: Sequence[Unit], codebook: Codebook) -> Iterable[Suggestion]:
        """One suggestion per (unit, code), for every code, in unit then codebook order."""
        codes = codebook.flat()
        for unit, doc in zip(units, self._lemmatise([u.text for u in units]), strict=True):
            found = self._matches(doc)
            for code in codes:
                yield self._verdict(unit.id, code.id, doc, found.get(code.id, []))

    def _lemmatise(self, texts: list[str]) -> list[Doc]:
        return lemmatise(texts, self.spacy_model, lemmatiser=self.lemmatiser)

    def _matches(self, doc: Doc) -> dict[str, list[Span]]:
        from spacy.util import filter_spans

        spans: dict[str, list[Span]] = {}
        for matcher in (self.lemma_matcher_, self.word_matcher_):
            for span in matcher(doc, as_spans=True):
                spans.setdefault(span.label_, []).append(span)
        # Overlaps within a code keep the longest: "didn't trust" is one match, not also "trust".
        return {code_id: filter_spans(found) for code_id, found in spans.items()}

    def _verdict(self, unit_id: str, code_id: str, doc: Doc, spans: list[Span]) -> Suggestion:
        if not spans:
            return Suggestion(unit_id, code_id, 0.0, False, "no keyword matched")
        distinct: dict[tuple[str, ...], Span] = {}
        for span in spans:  # in text order, so the first of each keyword is kept
            distinct.setdefault(tuple(t.lemma_ for t in span), span)
        evidence = [(span, self._negation(doc, span)) for span in distinct.values()]
        score = 1.0 - 0.5 ** len(evidence)
        if all(negation is not None for _, negation in evidence):
            score *= self.negated_factor
        rationale = "matched " + ", ".join(
            f'"{span.text}"' + (f' (negated: "{negation.text}")' if negation is not None else "")
            for span, negation in evidence)
        first = spans[0]
        return Suggestion(unit_id, code_id, score, True, rationale, (first.start_char, first.end_char))

    def _negation(self, doc: Doc, span: Span) -> Span | None:
        """From a negation cue in the few tokens before `span` to its end, if there is one."""
        for i in range(span.start - 1, max(span.start - self.negation_window, 0) - 1, -1):
            token = doc[i]
            if token.is_punct or token.lower_ in CLAUSE_BREAKS:
                return None
            if token.lower_ in NEGATION_CUES:
                start = i - 1 if token.lower_ in CONTRACTED and i > 0 else i  # "n't" reads as "didn't"
                return doc[start:span.end]
        return None


def phrases(code: Code) -> list[str]:
    """What a code matches: its keywords and its own name."""
    return list(dict.fromkeys([*code.keywords, code.name]))
