"""One Detector for the whole session: the spaCy pipeline and the gazetteer load once."""

from __future__ import annotations

import pytest

from qualkit.anonymise.detect import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="session")
def found(detector: Detector):
    """Detected texts of one string, as a set of (text, label)."""
    def run(text: str) -> set[tuple[str, str]]:
        return {(d.text, d.label) for d in detector.detect(text)}
    return run
