"""The stable batch pipes (no project needed)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from qualkit.anonymise import batch as anonymise_batch
from qualkit.coders import batch, embeddings
from qualkit.services.codebooks import load_codebook_file


def code_jsonl(lines: Iterable[str], out: Any, codebook_path: Path, train_path: Path | None = None,
               coder: str = "ensemble", spacy_model: str | None = None) -> int:
    """The stable batch contract (no project needed): segments JSONL in, verdicts JSONL out.
    Models are loaded once; embeddings are cached for the run."""
    codebook = load_codebook_file(codebook_path)
    train = train_path.read_text(encoding="utf-8").splitlines() if train_path else None
    extra = {"spacy_model": spacy_model} if spacy_model else {}
    return batch.code_jsonl(lines, out, codebook, train, coder,
                            embedder=embeddings.CachedEmbedder(embeddings.MiniLMEmbedder()), **extra)


def anonymise_jsonl(lines: Iterable[str], out: Any, *, allow: Iterable[str] = (), style: str = "bracket",
                    key_path: Path | None = None) -> None:
    """The stable anonymisation contract: {"id", "text"} lines in; anonymised text and spans (offsets
    into the original) out. The whole input is one project: a name found once is replaced
    everywhere. The pseudonym key goes to `key_path` only when asked, never into the output."""
    key = anonymise_batch.anonymise_jsonl(lines, out, style=style, allow=tuple(allow))
    if key_path is not None:
        key_path.write_text(json.dumps(key.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")

