"""A small coded project and an AppTest of the app on it, with the fake embedder (no models)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qualkit import services

from coding_doubles import BagOfWordsEmbedder, coding_project
from paths import REPO

APP = REPO / "app.py"
TIMEOUT = 60  # seconds; the first run imports the whole stack


@pytest.fixture
def coded(tmp_path: Path, fake_embedder: BagOfWordsEmbedder) -> services.Project:
    """The coding doubles' units and codebook, with the keyword coder's suggestions waiting."""
    project = coding_project(tmp_path / "proj", tmp_path / "src")
    services.run_coder(project, "testkeyword.v1")
    return project


@pytest.fixture
def open_app(monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """`open_app(project, page=None, read_only=False)`: the app run once, on `page` if given."""
    def start(project: services.Project, page: str | None = None, read_only: bool = False) -> AppTest:
        st.cache_data.clear()
        st.cache_resource.clear()
        monkeypatch.setenv("QUALKIT_PROJECT", str(project.folder))
        monkeypatch.setenv("QUALKIT_USER", "Ana")
        if read_only:
            monkeypatch.setenv("QUALKIT_READ_ONLY", "1")
        else:
            monkeypatch.delenv("QUALKIT_READ_ONLY", raising=False)
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        if page is not None:
            at.switch_page(f"qualkit/app/pages/{page}.py").run()
        assert not at.exception, at.exception
        return at
    return start
