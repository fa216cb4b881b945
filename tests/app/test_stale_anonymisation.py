"""Reads never write: the Themes, Reports and Anonymise pages show a stale (or never run) anonymisation
as such, anonymised in memory, and store a run only when someone presses the button."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.services.anonymisation import Freshness, anonymisation_state
from qualkit.store.schema import EventRow, PseudonymKeyRow, RedactionRow

pytestmark = pytest.mark.slow


@pytest.fixture
def named(tmp_path: Path, fake_embedder: object) -> services.Project:
    """A project whose one coded turn names a person and a place; never anonymised."""
    project = services.init_project(tmp_path / "p")
    source = tmp_path / "kw.txt"
    source.write_text("Interviewer: How is it going?\n\n"
                      "Keyworker C: Sarah Jenkins told me she trusts us now, since we met at Harbour Road.\n",
                      encoding="utf-8")
    services.import_sources(project, [source])
    (tmp_path / "book.yaml").write_text("name: B\ncodes:\n  - id: trust\n    name: Trust\n")
    services.import_codebook(project, tmp_path / "book.yaml")
    segment = next(s for s in services.iter_segments(project) if "Sarah" in s.text)
    services.add_coding(project, segment.id, "trust", coder="Ana")
    return project


def stored(project: services.Project) -> tuple[int, int, int]:
    with project.sessions() as session:
        return (session.scalar(select(func.count(EventRow.id))),
                session.scalar(select(func.count(RedactionRow.id))),
                session.scalar(select(func.count(PseudonymKeyRow.id))))


def warnings(at: AppTest) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def test_themes_show_a_stale_anonymisation_write_nothing_and_refresh_on_the_button(
        named: services.Project, open_app: Callable[..., AppTest]) -> None:
    before = stored(named)
    at = open_app(named, "themes")
    assert "not been anonymised yet" in warnings(at)
    shown = "\n".join(m.value for m in at.markdown)
    assert "trusts us now" in shown and "Sarah" not in shown and "Jenkins" not in shown
    assert stored(named) == before  # opening Themes ran no anonymisation
    next(b for b in at.button if b.label == "Anonymise again").click().run()
    assert not at.exception, at.exception
    assert anonymisation_state(named).freshness is Freshness.UP_TO_DATE
    events, redactions, keys = stored(named)
    assert (events, keys) == (before[0] + 1, 1) and redactions > 0
    assert "not been anonymised yet" not in warnings(at)
    assert "Sarah" not in "\n".join(m.value for m in at.markdown)


def test_a_new_document_makes_the_reports_page_say_so(named: services.Project, tmp_path: Path,
                                                      open_app: Callable[..., AppTest]) -> None:
    services.anonymise_project(named)
    (tmp_path / "later.txt").write_text("Parent: Priya rang from Rochdale.\n", encoding="utf-8")
    services.import_sources(named, [tmp_path / "later.txt"])
    before = stored(named)
    at = open_app(named, "reports")
    assert "1 document is newer than the last anonymisation" in warnings(at)
    assert stored(named) == before
    at = open_app(named, "anonymise")
    assert "1 document is newer than the last anonymisation" in warnings(at)
    assert stored(named) == before


def test_a_read_only_app_shows_the_state_without_a_button(named: services.Project,
                                                           open_app: Callable[..., AppTest]) -> None:
    before = stored(named)
    at = open_app(named, read_only=True)
    assert "not been anonymised yet" in warnings(at)
    assert not [b for b in at.button if b.label == "Anonymise again"]
    assert stored(named) == before
