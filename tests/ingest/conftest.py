"""Shared fixtures for the ingestion tests: tiny source files written to tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.registry import parse_file
from qualkit.model import Document

Write = Callable[[str, "str | bytes"], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write `content` (text as UTF-8, or raw bytes) to tmp_path/name and return the path."""
    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path
    return _write


@pytest.fixture
def parse_one(write: Write) -> Callable[..., Document]:
    """Write a file, parse it and return its single document."""
    def _parse(name: str, content: str | bytes, options: ReadOptions | None = None) -> Document:
        documents = parse_file(write(name, content), options)
        assert len(documents) == 1
        return documents[0]
    return _parse
