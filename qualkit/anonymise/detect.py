"""Find the identifiers in a project's texts, every layer together: patterns for structured
identifiers, spaCy NER, the gazetteers (people's names, places, well-known organisations), the
project's known people, its deny list; then
propagation across all texts, the allow list, and one detection per span.

Recall comes first: a layer's guess stays unless a more specific one covers it, and overlapping
detections merge rather than leave part of an identifier behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from qualkit.anonymise.detection import LABELS, SOURCES, Detection, make, resolve
from qualkit.anonymise.entities import EVERYDAY_PHRASE, find_entities, load_ner_pipeline
from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.names import find_names
from qualkit.anonymise.organisations import find_organisations
from qualkit.anonymise.patterns import find_patterns
from qualkit.anonymise.places import find_places
from qualkit.anonymise.propagate import propagate
from qualkit.anonymise.vocabulary import GENERIC_TERMS, ROLE_WORDS, TITLES
from qualkit.coders.nlp import DEFAULT_PIPELINE, pipe_long
from qualkit.errors import QualkitError

__all__ = ["LABELS", "SOURCES", "AnonymiseSettingError", "Detection", "Detector", "propagate"]
BATCH_SIZE = 64


class AnonymiseSettingError(QualkitError):
    """A deny-list label or a layer name is not one qualkit knows."""


class Detector:
    """Finds identifiers; build one per project and reuse it (the spaCy pipeline loads once).

    `known_people`: names from the participants sheet and speaker labels, found wherever they occur.
    `allow`: terms never redacted (the programme's own name, a generic service). `deny`: terms always
    redacted, each with its label. `layers`: the sources to use (all by default; fewer for comparisons).
    """

    def __init__(self, spacy_model: str = DEFAULT_PIPELINE, known_people: Iterable[str] = (),
                 allow: Iterable[str] = (), deny: Mapping[str, str] | Iterable[tuple[str, str]] = (),
                 layers: Iterable[str] = SOURCES, batch_size: int = BATCH_SIZE) -> None:
        self.spacy_model = spacy_model
        self.known_people = tuple(known_people)
        self.allow = tuple(allow)
        self.deny = dict(deny)
        self.layers = frozenset(layers)
        self.batch_size = batch_size
        unknown = sorted(self.layers - set(SOURCES))
        if unknown:
            raise AnonymiseSettingError(f"Unknown detection layer(s): {', '.join(unknown)}.",
                                        f"Layers are {', '.join(SOURCES)}.")
        for term, label in self.deny.items():
            if label not in LABELS:
                raise AnonymiseSettingError(f"Deny-list term {term!r} has the unknown label {label!r}.",
                                            f"Use one of {', '.join(LABELS)}.")
        self._known = _term_regex(_known_terms(self.known_people))
        self._allowed = _term_regex((*self.allow, *GENERIC_TERMS), anycase=True)
        self._denied = [(term, label, _term_regex([term], anycase=True)) for term, label in self.deny.items()]

    def detect(self, text: str) -> list[Detection]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Iterable[str]) -> list[list[Detection]]:
        """Each text's detections, sorted and non-overlapping, with offsets into that text; the texts
        are one project, so a name found in one is found in all."""
        texts = list(texts)
        lexicon = load_lexicon()
        nlp = load_ner_pipeline(self.spacy_model)
        found = []
        # Hardening (issue 16): texts over spaCy's max_length go through in pieces, joined back into one
        # Doc with the text's own offsets (`pipe_long`), so a long document no longer crashes detection.
        for text, doc in zip(texts, pipe_long(nlp, texts, batch_size=self.batch_size), strict=True):
            detections: list[Detection] = []
            if "pattern" in self.layers:
                detections += find_patterns(text, lexicon)
            if "ner" in self.layers:
                detections += find_entities(doc, lexicon)
            if "gazetteer" in self.layers:
                detections += find_names(doc, lexicon)
                detections += find_places(doc, lexicon)
                detections += find_organisations(text, lexicon)
            if "known" in self.layers:
                detections += self._find_known(text)
            if "deny" in self.layers:
                detections += self._find_denied(text)
            found.append(self._without_allowed(text, detections))
        found = _without_topics(texts, found)
        if "propagated" in self.layers:
            found = propagate(texts, found, lexicon)
        return [resolve(self._without_allowed(text, d), text) for text, d in zip(texts, found, strict=True)]

    def _find_known(self, text: str) -> list[Detection]:
        if self._known is None:
            return []
        return [make(text, *m.span(), "PERSON", "known", "a known participant's name")
                for m in self._known.finditer(text)]

    def _find_denied(self, text: str) -> list[Detection]:
        return [make(text, *m.span(), label, "deny", f"deny-list term '{term}'")
                for term, label, regex in self._denied if regex is not None for m in regex.finditer(text)]

    def _without_allowed(self, text: str, detections: Sequence[Detection]) -> list[Detection]:
        if self._allowed is None:
            return list(detections)
        allowed = [m.span() for m in self._allowed.finditer(text)]
        return [d for d in detections
                if d.source == "deny" or not any(s <= d.start and d.end <= e for s, e in allowed)]


def _without_topics(texts: Sequence[str], found: list[list[Detection]]) -> list[list[Detection]]:
    """Drop NER's organisations and places made of everyday words that the project also writes in lower
    case ("Domestic Abuse" beside "domestic abuse"): a topic or a heading, not a name."""
    phrases = {d.text for detections in found for d in detections if d.reason == EVERYDAY_PHRASE}
    if not phrases:
        return found
    lower = "\n".join(texts)
    topics = {p for p in phrases if re.search(
        r"(?<![\w-])" + r"\s+".join(map(re.escape, p.casefold().split())) + r"(?![\w-])", lower)}
    return [[d for d in detections if not (d.reason == EVERYDAY_PHRASE and d.text in topics)]
            for detections in found]


def _known_terms(names: Sequence[str]) -> list[str]:
    """A known person's full name and each of its name words ("Danielle Okafor", "Danielle", "Okafor").
    A label made of role and everyday words ("Housing Officer", "Keyworker B", "Parent 3") names a role,
    not a person: its words are no one's name."""
    lexicon = load_lexicon()
    terms = set()
    for name in names:
        words = [w for w in name.split() if w not in TITLES and w.casefold() not in ROLE_WORDS
                 and len(w) > 1 and any(c.isalpha() for c in w)
                 and not (lexicon.is_ordinary_word(w) and not lexicon.is_name(w))]
        if words:
            terms.add(" ".join(words))
            terms.update(words)
    return sorted(terms)


def _term_regex(terms: Iterable[str], anycase: bool = False) -> re.Pattern[str] | None:
    """Whole-word matches of the terms; known names that are everyday words match only as capitalised."""
    parts = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        pattern = r"\s+".join(map(re.escape, term.split()))
        ordinary = not anycase and any(load_lexicon().is_ordinary_word(w) for w in term.split())
        parts.append(pattern if ordinary else f"(?i:{pattern})")
    return re.compile(rf"(?<![\w&])(?:{'|'.join(parts)})(?![\w&])") if parts else None
