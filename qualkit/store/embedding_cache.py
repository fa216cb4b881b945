"""The embedding cache in the project database, so no text is embedded twice across runs.

Vectors are stored as float32 little-endian bytes keyed by (text hash, model id). Each write is
its own short transaction: a cached vector is not project state, and keeping it even when the run
that computed it later fails is what saves the next run the work.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from qualkit.store.database import transaction
from qualkit.store.schema import EmbeddingRow

CHUNK = 500  # keys per query, well under SQLite's bound-parameter limit
FLOAT32_LE = np.dtype("<f4")


class StoreEmbeddingCache:
    """`EmbeddingCache` (see coders/embeddings.py) over the `embeddings` table."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get_many(self, hashes: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self.sessions() as session:
            for i in range(0, len(hashes), CHUNK):
                rows = session.execute(select(EmbeddingRow.text_hash, EmbeddingRow.vector).where(
                    EmbeddingRow.model_id == model_id, EmbeddingRow.text_hash.in_(hashes[i:i + CHUNK])))
                for text_hash, vector in rows:
                    found[text_hash] = np.frombuffer(vector, dtype=FLOAT32_LE).astype(np.float32)
        return found

    def put_many(self, vectors: dict[str, np.ndarray], model_id: str) -> None:
        keys = list(vectors)
        with transaction(self.sessions) as session:
            present: set[str] = set()
            for i in range(0, len(keys), CHUNK):
                present.update(session.scalars(select(EmbeddingRow.text_hash).where(
                    EmbeddingRow.model_id == model_id, EmbeddingRow.text_hash.in_(keys[i:i + CHUNK]))))
            rows = [{"text_hash": h, "model_id": model_id, "dim": int(v.shape[0]),
                     "vector": np.asarray(v, dtype=FLOAT32_LE).tobytes()}
                    for h, v in vectors.items() if h not in present]
            if rows:
                session.execute(insert(EmbeddingRow), rows)
