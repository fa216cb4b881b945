"""Where the tests find the repository's own material and the shared folder beside it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO / "corpora" / "demo"
SHARED = REPO.parent / "shared"
