"""The small coded project (see small_project.py), built once per session."""

from __future__ import annotations

import pytest

from qualkit import services

from small_project import build_small_project


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> services.Project:
    root = tmp_path_factory.mktemp("reports")
    return build_small_project(root / "evaluation", root / "sources")
