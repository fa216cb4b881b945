"""The statistical layer: spaCy's named entities, loaded with the recogniser alone, and cleaned of
what NER sweeps in around a name on transcripts (speaker labels, role words, verbs, file names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from qualkit.anonymise.detection import Detection, make
from qualkit.anonymise.lexicon import Lexicon
from qualkit.anonymise.names import capitalised, sentence_start
from qualkit.anonymise.vocabulary import (
    CALENDAR_WORDS,
    GENERIC_TERMS,
    LANGUAGES,
    MONTH_ABBREVIATIONS,
    MONTHS,
    ROLE_WORDS,
    TITLES,
)
from qualkit.coders.nlp import PipelineNotInstalledError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

NER_LABELS = {"PERSON": "PERSON", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "ORG": "ORG",
              "DATE": "DATE"}
# Only the recogniser runs: the tagger, parser and lemmatiser would double the time per word.
NOT_FOR_NER = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")
_PIECES = re.compile(r"\s*(?:[:;,()\[\]/\n\"“”]|\s[-–—]\s|[—–])\s*")
_CODE = re.compile(r"[A-Z]\d*|[A-Z]{1,2}\d+")  # "A" of "Keyworker A", participant codes "P9", "R02"
_DURATION = re.compile(r"\b(?:ago|last|next|this|every|each|later|before|after|old|years?|months?|weeks?|"
                       r"days?|hours?|minutes?|term|fortnight|weekend|half|year\s+\d+)\b", re.IGNORECASE)
_MONTH = "|".join(MONTHS + MONTH_ABBREVIATIONS)
_DATE_WORD = re.compile(rf"\d|\b(?:{_MONTH})\b")
_SPECIFIC = re.compile(rf"\b(?:{_MONTH})\b|\b(?:1[89]|20)\d\d\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|\d[/.]\d")
_NOT_ENTITIES = GENERIC_TERMS | LANGUAGES  # "the Hub", "Urdu": never an identifier
# The reason given to an organisation or place NER made of everyday words only ("Domestic Abuse", "Moss
# Side"): the detector drops it where the project also writes the words in lower case, as a topic.
EVERYDAY_PHRASE = "spaCy entity of everyday words"
_JOINERS = frozenset({"of", "for", "and", "&", "the", "in", "on", "to", "-", "–"})
_SPOKEN = {"twenty", "twenty-one", "twenty-two", "twenty-three", "twenty-four", "nineteen", "-", "of"}


@cache
def load_ner_pipeline(name: str) -> Language:
    """The named spaCy pipeline with its recogniser and what the recogniser listens to, once per name."""
    import spacy

    try:
        nlp = spacy.load(name, exclude=list(NOT_FOR_NER))
    except OSError as error:
        installed = ", ".join(spacy.util.get_installed_models()) or "none"
        raise PipelineNotInstalledError(
            f"spaCy pipeline '{name}' is not installed (installed: {installed}).",
            f"Install it with `pip install {name.replace('_', '-')}`, or name an installed pipeline.",
        ) from error
    if "ner" not in nlp.pipe_names:
        raise PipelineNotInstalledError(f"spaCy pipeline '{name}' has no named-entity recogniser.",
                                        "Name a pipeline with an 'ner' component.")
    if "tok2vec" in nlp.pipe_names and "ner" not in nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")  # the small English pipeline's recogniser has its own
    return nlp


def find_entities(doc: Doc, lexicon: Lexicon) -> Iterator[Detection]:
    """NER entities mapped to our labels, split at punctuation and trimmed to the identifying words."""
    for entity in doc.ents:
        label = NER_LABELS.get(entity.label_)
        if label == "DATE":
            yield from _date(entity)
        elif label is not None:
            for piece in _pieces(entity):
                found = _trimmed(piece, label, lexicon)
                if found is not None:
                    yield found


def _pieces(entity: Span) -> Iterator[Span]:
    doc, start = entity.doc, entity.start_char
    for match in [*_PIECES.finditer(entity.text), None]:
        end = entity.start_char + match.start() if match else entity.end_char
        piece = doc.char_span(start, end, alignment_mode="contract")
        if piece is not None and len(piece):
            yield piece
        if match:
            start = entity.start_char + match.end()


def _trimmed(piece: Span, label: str, lexicon: Lexicon) -> Detection | None:
    tokens = list(piece)
    for i, token in enumerate(tokens[1:-1], start=1):
        if token.lower_ in {"from", "with"} and not lexicon.is_ordinary_word(tokens[0].text):
            tokens = tokens[i + 1:]  # "Sandeep from Kirkbridge Council": the person is found elsewhere
            break
    while tokens and _edge_noise(tokens[0], label, lexicon, first=True):
        tokens.pop(0)
    while tokens and _edge_noise(tokens[-1], label, lexicon, first=False):
        tokens.pop()
    if not tokens:
        return None
    doc = piece.doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    text = doc.text[start:end]
    if text.casefold() in _NOT_ENTITIES or all(t.text in TITLES for t in tokens):
        return None
    if len(tokens) == 1 and _everyday(text, lexicon) and (
            (label == "PERSON" and not lexicon.is_first_name(text)) or sentence_start(tokens[0])):
        return None  # "Calmer", "Attendance": capitalised everyday words NER took for names
    if label != "PERSON" and _generic_phrase(tokens, lexicon):
        return None  # "Families", "Policy", "NVQ Level 3": not a name
    if label != "PERSON" and not _continues_name(tokens[0], lexicon) \
            and all(_everyday(t.text, lexicon) for t in tokens if any(c.isalpha() for c in t.text)):
        # "Domestic Abuse", "Moss Side": a topic if the project writes it in lower case too (detect.py)
        return make(doc.text, start, end, label, "ner", EVERYDAY_PHRASE)
    return make(doc.text, start, end, label, "ner", f"spaCy {piece.label_ or label}")


def _everyday(word: str, lexicon: Lexicon) -> bool:
    """An English word, capitalised or not, that names nothing in particular."""
    if word.isupper() and len(word) > 1:
        return False  # an acronym: "HIVE", "IRT"
    folded = word.casefold()
    return folded in _JOINERS or folded in GENERIC_TERMS or folded in ROLE_WORDS or (
        (lexicon.is_ordinary_word(word) or lexicon.is_word_form(word) or lexicon.is_dictionary_word(folded))
        and not (lexicon.is_first_name(word) and not lexicon.is_ordinary_word(word))
        and not lexicon.is_proper_noun(word))


def _continues_name(token: Token, lexicon: Lexicon) -> bool:
    """Whether an entity goes on from a name before it: "Home" of "Bolton at Home"."""
    i = token.i
    if i < 2 or token.doc[i - 1].lower_ not in {"at", "of", "for"}:
        return False
    named = token.doc[i - 2]
    return named.text[:1].isupper() and not _everyday(named.text, lexicon)


def _generic_phrase(tokens: list[Token], lexicon: Lexicon) -> bool:
    """An organisation or place NER made of everyday words only: a service, a topic or a heading
    ("Families", "Domestic Abuse", "Agile Working"), or a level ("NVQ Level 3"). A single word after
    "the" that ends the clause may name a venue ("in partnership with the Hive."), so it stays."""
    doc = tokens[0].doc
    after = doc[tokens[-1].i + 1] if tokens[-1].i + 1 < len(doc) else None
    if after is not None and after.like_num and tokens[-1].is_title and not tokens[-1].is_upper:
        return True  # "NVQ Level 3", "Key Stage 2"
    if len(tokens) > 1 or not _everyday(tokens[0].text, lexicon):
        return False  # several everyday words may be a name ("Moss Side"): see EVERYDAY_PHRASE
    if _continues_name(tokens[0], lexicon):
        return False
    before = doc[tokens[0].i - 1] if tokens[0].i > 0 else None
    venue = len(tokens) == 1 and before is not None and before.lower_ == "the" \
        and not sentence_start(before) and (after is None or after.is_punct or after.is_space)
    return not venue


def _edge_noise(token: Token, label: str, lexicon: Lexicon, first: bool) -> bool:
    """Words at the edge of an entity that are not part of the name."""
    word = token.text
    folded = word.casefold()
    if not any(c.isalpha() for c in word) or "_" in word or folded in {"'s", "’s", "the", "a", "an"}:
        return True
    if folded in ROLE_WORDS or folded in GENERIC_TERMS or folded.rstrip(".") in CALENDAR_WORDS \
            or _CODE.fullmatch(word) or len(word.rstrip(".")) < 2:
        return True
    if first and sentence_start(token) and lexicon.is_ordinary_word(word) and not lexicon.is_name(word):
        return True  # "Booked Millbrook Medical Centre", "Said Liam"
    if label == "PERSON":
        if word in TITLES:
            return not first
        if not capitalised(word) and not word.isupper():
            return True  # "rang Dani", "info sharing"
        # "Walking Tyler": an everyday word opening the entity is not the name.
        return lexicon.is_ordinary_word(word) and (not lexicon.is_name(word) or sentence_start(token))
    return word.islower() and first


def _date(entity: Span) -> Iterator[Detection]:
    """A specific date ("September twenty-two", "2016"), not a duration, a relative time or a count."""
    text = entity.text
    if _DURATION.search(text) or not _SPECIFIC.search(text) or re.search(r"\d{5}", text):
        return
    tokens = list(entity)
    while tokens and not _DATE_WORD.search(tokens[0].text):
        tokens.pop(0)
    while tokens and not _DATE_WORD.search(tokens[-1].text) and tokens[-1].lower_ not in _SPOKEN:
        tokens.pop()
    if tokens:
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        yield make(entity.doc.text, start, end, "DATE", "ner", f"spaCy {entity.label_}")
