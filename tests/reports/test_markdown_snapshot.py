"""The Markdown report of the small project, word for word.

When a change to the report is intended, regenerate the snapshot and review its diff:

    QUALKIT_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/reports/test_markdown_snapshot.py
"""

from __future__ import annotations

import os
from pathlib import Path

from qualkit import services

SNAPSHOT = Path(__file__).parent / "snapshots" / "small_project_report.md"


def test_markdown_report_matches_the_snapshot(small: services.Project, tmp_path: Path) -> None:
    (path,) = services.write_report(small, ["md"], folder=tmp_path)
    written = path.read_text(encoding="utf-8")
    if os.environ.get("QUALKIT_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(written, encoding="utf-8")
    assert written == SNAPSHOT.read_text(encoding="utf-8")
