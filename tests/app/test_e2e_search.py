"""The Search page in real headless Chromium: search, code all hits, undo them with one click, follow a hit to
its place in the document; and the Document page keeps an open popup through a redraw. Every request the
pages make goes to this machine. Skips without /usr/bin/chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_e2e import CHROMIUM, project_with_codebook, serve  # noqa: F401
from test_e2e_document import assert_loopback, wait_for, watched_page  # noqa: F401

from qualkit import services

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's chromium at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
DOC = "kw_interview.txt"


def test_search_code_all_hits_undo_and_open_a_hit(tmp_path: Path, transcript: Path, serve: Callable[..., str],  # noqa: F811
                                                  watched_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, requested = watched_page
    project = project_with_codebook(tmp_path / "proj")
    services.import_sources(project, [transcript])
    url = serve(project)

    page.goto(f"{url}/search")
    query = page.get_by_label("Words or phrases (a comma between phrases)")
    query.fill("trust, the door")
    query.press("Enter")
    page.get_by_text("2 hits in 2 segments of 1 documents").wait_for()
    codes = page.locator("[data-testid=stMultiSelect]").filter(has_text="Codes").locator("input")
    codes.click()
    codes.fill("Trust")
    codes.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Code all 2 hits").click()
    coded = wait_for(lambda: [c for c in services.document_in_context(project, DOC).codings
                              if c.coder == "Ana"])
    view = services.document_in_context(project, DOC)
    words = sorted(view_text(view, c.start, c.end) for c in coded)  # type: ignore[attr-defined]
    assert words == ["the door", "trust"]
    page.get_by_text("Added 2 codings").wait_for()

    page.get_by_role("button", name="Undo my last “code all hits”").click()
    wait_for(lambda: not services.document_in_context(project, DOC).codings)
    page.get_by_text("Removed the 2 codings").wait_for()

    page.get_by_role("link", name=DOC).first.click()
    page.locator(".qkd-focus").first.wait_for()
    assert "start=" in page.url and "doc=kw_interview.txt" in page.url
    assert_loopback(requested)


def view_text(view: services.DocumentInContext, start: int, end: int) -> str:
    segment = next(s for s in view.segments if s.start <= start and end <= s.end)
    return segment.text[start - segment.start:end - segment.start]


def test_an_open_popup_survives_a_redraw(tmp_path: Path, transcript: Path, serve: Callable[..., str],  # noqa: F811
                                         watched_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, requested = watched_page
    project = project_with_codebook(tmp_path / "proj")
    services.import_sources(project, [transcript])
    segment = next(s for s in services.iter_segments(project) if "built trust" in s.text)
    start = segment.start + segment.text.index("built trust")
    [coding] = services.code_selection(project, DOC, start, start + len("built trust"), ["trust"],
                                       coder="Ben").added
    url = serve(project)
    page.goto(f"{url}/document?{urlencode({'doc': DOC})}")
    stripe = page.locator(f"[data-coding-id='{coding}'].qkd-stripe")
    stripe.wait_for()
    stripe.click()
    actions = page.locator(".qkd-actions")
    actions.wait_for()
    # Someone else's change, then a rerun of this page (a filter typed): the document is drawn again.
    services.code_selection(project, DOC, start, start + len("built"), ["housing"], coder="Cy")
    page.get_by_label("Coder (all when empty)").fill("b")
    page.get_by_label("Coder (all when empty)").press("Enter")
    page.locator(".qkd-stripe").nth(0).wait_for()
    wait_for(lambda: page.locator(".qkd-root").get_attribute("data-version", timeout=1000).endswith(":b"))
    assert actions.count() == 1 and actions.get_attribute("data-coding-id") == str(coding)
    assert_loopback(requested)
