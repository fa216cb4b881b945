"""A deterministic stand-in for MiniLM: bag-of-words hashed into 384 dimensions, L2-normalised.

Texts sharing words get similar vectors, which is all the coder contract tests need; tests about
quality use the real packaged model instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class HashingEmbedder:
    model_id = "test/hashing-bow"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), 384), np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z']+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
            out[i] /= max(np.linalg.norm(out[i]), 1e-9)
        return out
