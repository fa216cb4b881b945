"""Shared fixtures: temporary projects and small source files."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import services
from qualkit.coders import embeddings

from coding_doubles import BagOfWordsEmbedder


@pytest.fixture
def project(tmp_path: Path) -> services.Project:
    return services.init_project(tmp_path / "proj")


@pytest.fixture
def transcript(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "kw_interview.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Evaluation interview 1\nDate of interview: 5 February 2024\n\n"
        "Interviewer: How did you first meet the family?\n\n"
        "Keyworker C: Erm, through a referral. Mum didn't open the door at first.\n\n"
        "Interviewer: And then?\n\n"
        "Keyworker C: Then we built trust, slowly. It took weeks.\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> BagOfWordsEmbedder:
    """Stands in for MiniLM inside the services' cached embedder (fast, predictable vectors)."""
    fake = BagOfWordsEmbedder()
    monkeypatch.setattr(embeddings, "MiniLMEmbedder", lambda: fake)
    return fake
