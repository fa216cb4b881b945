"""Read-only mode: only Themes and Reports, nothing can change, and no raw identifier is shown."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.app import gateway


def test_read_only_shows_only_themes_and_reports(coded: services.Project,
                                                 open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, read_only=True)
    assert "Read-only" in at.sidebar.info[0].value
    assert not at.sidebar.text_input  # no name to act under
    for page in ("project", "codebook", "review", "topics", "anonymise"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"qualkit/app/pages/{page}.py")
    at.switch_page("qualkit/app/pages/reports.py").run()
    assert not at.exception


def test_the_projects_own_setting_makes_it_read_only(coded: services.Project,
                                                     open_app: Callable[..., AppTest]) -> None:
    config = coded.folder / "qualkit.toml"
    config.write_text(config.read_text().replace("read_only = false", "read_only = true"))
    at = open_app(coded)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("qualkit/app/pages/review.py")


def test_writes_are_refused_even_when_called_directly(coded: services.Project,
                                                      open_app: Callable[..., AppTest],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    open_app(coded, read_only=True)
    item = services.review_queue(coded, limit=1)[0]
    with pytest.raises(gateway.ReadOnlyError, match="read-only"):
        gateway.write(services.decide, item.id, True, reviewer="Ana")
    with pytest.raises(ValueError, match="not a read-only service"):
        gateway.read("decide_many")
    with pytest.raises(ValueError, match="not an output service"):
        gateway.produce("export_key", path=Path("key.json"))
    assert services.review_queue(coded, status="accepted") == []


@pytest.mark.slow
def test_themes_show_pseudonyms_not_names(tmp_path: Path, fake_embedder: object,
                                          open_app: Callable[..., AppTest]) -> None:
    project = services.init_project(tmp_path / "p")
    source = tmp_path / "kw.txt"
    source.write_text("Interviewer: How is it going?\n\n"
                      "Keyworker C: Sarah Jenkins told me she trusts us now, since we met at Harbour Road.\n")
    services.import_sources(project, [source])
    (tmp_path / "book.yaml").write_text("name: B\ncodes:\n  - id: trust\n    name: Trust\n")
    services.import_codebook(project, tmp_path / "book.yaml")
    segment = next(s for s in services.iter_segments(project) if "Sarah" in s.text)
    services.add_coding(project, segment.id, "trust", coder="Ana")
    at = open_app(project, read_only=True)
    shown = "\n".join(m.value for m in at.markdown)
    assert "Sarah" not in shown and "Jenkins" not in shown and "trusts us now" in shown
    at.text_input[0].input("Sarah").run()
    assert "trusts us now" not in "\n".join(m.value for m in at.markdown)  # search sees no originals


def test_a_read_only_app_writes_nothing_not_even_an_event(coded: services.Project,
                                                          open_app: Callable[..., AppTest]) -> None:
    """Browsing themes and building every report read-only leaves the database as it was: no audit
    event, no anonymisation run stored, no report file in the project."""
    from sqlalchemy import func, select

    from qualkit.store.schema import EventRow, RedactionRow

    def state() -> tuple[int, int, list[Path]]:
        with coded.sessions() as session:
            return (session.scalar(select(func.count(EventRow.id))),
                    session.scalar(select(func.count(RedactionRow.id))),
                    sorted((coded.folder / "reports").rglob("*")))

    before = state()
    at = open_app(coded, read_only=True)
    assert not at.exception
    at.switch_page("qualkit/app/pages/reports.py").run()
    at.button[0].click().run()  # "Build report and exports"
    assert not at.exception and at.session_state["outputs"]
    assert state() == before
