"""Topic discovery: BERTopic over precomputed unit embeddings, and promoting a topic to a code.

Pure over model objects and arrays: the caller embeds (through the cached embedder) and chooses
the units, e.g. one stakeholder group's. Topics only propose codes; `promote_topic` returns a
new codebook version and never edits the one it is given.

BERTopic never embeds here: it gets the embeddings, plus a null embedding model so that no code
path can fall back to its default (a model-hub download).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from qualkit.coders.base import Unit
from qualkit.errors import NotFoundError, QualkitError
from qualkit.model import Code, Codebook

TOP_WORDS = 10
REDUCED_DIMS = 5  # UMAP's output; its spectral start needs more units than this plus one
REPRESENTATIVES = 4
MMR_RELEVANCE = 0.7  # weight of closeness to the topic against novelty w.r.t. quotes already picked
EXAMPLE_WORDS = 30
# What the default tokeniser leaves of spoken contractions ("don't" -> "don"); transcripts are full of them.
PSEUDONYM = re.compile(r"\[[^\]\n]{1,40}\]")  # "[Person 3]", "[Place 1]", "[Date]" in anonymised text
CONTRACTION_STEMS = frozenset({"aren", "couldn", "didn", "doesn", "don", "hadn", "hasn", "haven", "isn", "ll",
                               "shouldn", "ve", "wasn", "weren", "wouldn"})


@dataclass(frozen=True)
class Topic:
    """A cluster of similar units, described well enough to judge whether it deserves a code."""

    id: int
    keywords: list[str]
    size: int
    unit_ids: list[str]  # every unit in the topic, for review
    representatives: list[Unit]  # the most central unit first, then diverse ones
    size_by_group: dict[str | None, int]  # None: the unit's stakeholder group is unknown
    nearest_code: tuple[str, float] | None  # (code id, cosine); a low cosine suggests a new code
    label: str

    @property
    def suggested_id(self) -> str:
        """A valid code id for promoting the topic ("young_people")."""
        return topic_id(self.keywords)


def discover_topics(units: Sequence[Unit], embeddings: np.ndarray, *, codebook: Codebook | None = None,
                    code_embeddings: np.ndarray | None = None, min_topic_size: int = 8,
                    reducer: Any = None, clusterer: Any = None, seed: int = 0) -> list[Topic]:
    """Topics among `units` (row i of `embeddings` embeds unit i), largest first, outliers left out.

    `reducer` and `clusterer` replace UMAP and HDBSCAN (anything with fit/transform and
    fit/labels_, e.g. PCA and KMeans for quick runs). With `codebook` and `code_embeddings` (one
    row per code in `codebook.flat()` order) each topic names the existing code it most resembles.
    """
    if len(units) != len(embeddings):
        raise ValueError(f"{len(units)} units but {len(embeddings)} embeddings")
    if (codebook is None) != (code_embeddings is None):
        raise ValueError("pass codebook and code_embeddings together")
    if codebook is not None and code_embeddings is not None and len(codebook.flat()) != len(code_embeddings):
        raise ValueError(f"{len(codebook.flat())} codes but {len(code_embeddings)} code embeddings")
    if min_topic_size < 2:
        raise ValueError("min_topic_size must be at least 2")
    if len(units) < max(min_topic_size, REDUCED_DIMS + 2):
        return []

    labels, keywords = _fit(units, embeddings, min_topic_size, reducer, clusterer, seed)
    vectors = _normalise(np.asarray(embeddings, dtype=np.float64))
    codes = _normalise(np.asarray(code_embeddings, dtype=np.float64)) if code_embeddings is not None else None
    code_ids = [code.id for code in codebook.flat()] if codebook is not None else []
    topics = []
    for topic_id in sorted({int(label) for label in labels} - {-1}):
        members = np.flatnonzero(labels == topic_id)
        centroid = _normalise(vectors[members].mean(axis=0))
        groups = Counter(units[i].group for i in members)
        nearest = None
        if codes is not None and len(codes):
            similarities = codes @ centroid
            best = int(np.argmax(similarities))
            nearest = (code_ids[best], round(float(similarities[best]), 4))
        topics.append(Topic(
            id=topic_id, keywords=keywords[topic_id], size=len(members),
            unit_ids=[units[i].id for i in members],
            representatives=[units[i] for i in _representatives(members, vectors, centroid, units)],
            size_by_group=dict(sorted(groups.items(), key=lambda item: (-item[1], item[0] or ""))),
            nearest_code=nearest, label=topic_label(keywords[topic_id])))
    return topics


def _fit(units: Sequence[Unit], embeddings: np.ndarray, min_topic_size: int, reducer: Any,
         clusterer: Any, seed: int) -> tuple[np.ndarray, dict[int, list[str]]]:
    """Topic of each unit (-1: outlier) and the c-TF-IDF keywords of each topic."""
    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    class PrecomputedOnly(BaseEmbedder):
        """Null embedding model: BERTopic keeps a `BaseEmbedder` as is (`select_backend`)."""

        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            raise RuntimeError("qualkit passes BERTopic precomputed embeddings; it must not embed text")

    if reducer is None:
        from umap import UMAP

        # BERTopic's defaults, seeded (a seed makes UMAP single-threaded, so say so to skip its warning)
        reducer = UMAP(n_neighbors=min(15, len(units) - 1), n_components=REDUCED_DIMS, min_dist=0.0,
                       metric="cosine", random_state=seed, n_jobs=1)
    if clusterer is None:
        from hdbscan import HDBSCAN

        clusterer = HDBSCAN(min_cluster_size=min_topic_size, metric="euclidean",
                            cluster_selection_method="eom")
    # The vectoriser runs on one document per topic, so min_df counts topics: 1 keeps the words
    # that only one topic uses, which are the ones that tell topics apart.
    stop_words = sorted(ENGLISH_STOP_WORDS | CONTRACTION_STEMS)
    vectorizer = CountVectorizer(stop_words=stop_words, ngram_range=(1, 2), min_df=1)
    # With few topics, filler words that every topic uses ("talked", "really") outscore the
    # distinctive ones; square-rooting term frequencies puts them back below.
    ctfidf = ClassTfidfTransformer(reduce_frequent_words=True)
    model = BERTopic(embedding_model=PrecomputedOnly(), umap_model=reducer, hdbscan_model=clusterer,
                     vectorizer_model=vectorizer, ctfidf_model=ctfidf, min_topic_size=min_topic_size,
                     top_n_words=TOP_WORDS)
    # Keywords come from the words, not the people: pseudonyms ("[Person 3]") are left out.
    labels, _ = model.fit_transform([PSEUDONYM.sub(" ", unit.text) for unit in units],
                                    embeddings=np.asarray(embeddings, dtype=np.float32))
    keywords = {topic: [word for word, score in words if word and score > 0]
                for topic, words in model.get_topics().items() if topic != -1}
    return np.asarray(labels), keywords


def _representatives(members: np.ndarray, vectors: np.ndarray, centroid: np.ndarray,
                     units: Sequence[Unit]) -> list[int]:
    """The unit closest to the centroid, then maximal-marginal-relevance picks with distinct texts."""
    relevance = vectors[members] @ centroid
    chosen: list[int] = []  # positions within members
    seen: set[str] = set()
    for _ in range(min(REPRESENTATIVES, len(members))):
        scores = relevance.copy()
        if chosen:
            redundancy = (vectors[members] @ vectors[members[chosen]].T).max(axis=1)
            scores = MMR_RELEVANCE * relevance - (1 - MMR_RELEVANCE) * redundancy
        for position in np.argsort(-scores, kind="stable"):
            text = " ".join(units[members[position]].text.lower().split())
            if position not in chosen and text not in seen:
                chosen.append(int(position))
                seen.add(text)
                break
        else:
            break
    return [int(members[position]) for position in chosen]


def topic_label(keywords: Sequence[str], words: int = 3) -> str:
    """A short name from the top keywords, skipping n-grams that repeat a word already used."""
    picked: list[str] = []
    used: set[str] = set()
    for keyword in keywords:
        tokens = set(keyword.split())
        if tokens & used:
            continue
        picked.append(keyword)
        used |= tokens
        if len(picked) == words:
            break
    return ", ".join(picked).capitalize() if picked else "(no keywords)"


def topic_id(keywords: Sequence[str], words: int = 2) -> str:
    """A valid code id from a topic's keywords: distinct words, lower case, joined by "_"
    ("young_people", never "young_young people")."""
    picked: list[str] = []
    for keyword in keywords:
        for word in re.findall(r"[a-z0-9]+", keyword.casefold()):
            if word not in picked:
                picked.append(word)
    slug = "_".join(picked[:words])
    return slug if slug[:1].isalpha() else f"topic_{slug}".rstrip("_")


def promote_topic(codebook: Codebook, topic: Topic, code_id: str, name: str,
                  parent_id: str | None = None) -> Codebook:
    """A new codebook version with `topic` as a code (under `parent_id`); `codebook` is unchanged."""
    if any(code.id == code_id for code in codebook.flat()):
        raise QualkitError(f"codebook '{codebook.name}' already has a code with id '{code_id}'.",
                           "Choose another id for the new code, or add the topic's quotes to that code.")
    try:
        description = (f"Discovered from data: topic {topic.id} ({topic.size} units, top words: "
                       f"{', '.join(topic.keywords[:5])}). Review before relying on it.")
        code = Code(id=code_id, name=name, description=description, keywords=list(topic.keywords),
                    examples=[_trim(unit.text) for unit in topic.representatives[:3]])
    except ValidationError as error:
        reason = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise QualkitError(f"cannot promote topic {topic.id}: {reason}.",
                           "Fix the code id or name and try again.") from error
    if parent_id is not None and parent_id not in codebook.parent_of():
        raise NotFoundError(f"codebook '{codebook.name}' has no code '{parent_id}'.",
                            "Choose an existing parent id, or none to add a top-level code.")
    new = codebook.model_copy(deep=True, update={"version": codebook.version + 1})
    (new.get(parent_id).children if parent_id is not None else new.codes).append(code)
    return new


def _trim(text: str, words: int = EXAMPLE_WORDS) -> str:
    tokens = text.split()
    return " ".join(tokens) if len(tokens) <= words else " ".join(tokens[:words]) + " …"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
