"""The Document page in real headless Chromium: drag-select a phrase and code it (stored with exactly
the selected offsets), accept a suggestion from its stripe, follow a link to a span, and every request
the pages make goes to this machine. Skips without /usr/bin/chromium."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from test_e2e import ARGS, CHROMIUM, TIMEOUT_MS, project_with_codebook, serve  # noqa: F401

from qualkit import services

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's chromium at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
DOC = "kw_interview.txt"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
def watched_page():  # type: ignore[no-untyped-def]
    """A Chromium page and the list of every URL it requested."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        yield page, requested
        browser.close()


def wait_for(condition: Callable[[], object], seconds: float = 30) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def drag_select(page, words: str) -> None:  # type: ignore[no-untyped-def]
    """Press the mouse before the first character of `words` in the document and release it after the
    last, as a person does."""
    page.locator(".qkd-text", has_text=words).first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # let the stripes' layout settle before measuring where the words are
    box = page.evaluate("""(words) => {
        for (const t of document.querySelectorAll('.qkd-text')) {
            const at = t.textContent.indexOf(words);
            if (at < 0) continue;
            const r = document.createRange();
            r.setStart(t.firstChild, at); r.setEnd(t.firstChild, at + 1);
            const a = r.getBoundingClientRect();
            r.setStart(t.firstChild, at + words.length - 1); r.setEnd(t.firstChild, at + words.length);
            const b = r.getBoundingClientRect();
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }
        return null;
    }""", words)
    assert box, f"{words!r} is not on the page"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def select_until_the_picker_opens(page, words: str):  # type: ignore[no-untyped-def]
    """Drag-select `words` and wait for the code picker; a drag that lands while the app is still
    redrawing the document is tried again, as a person would select again."""
    picker = page.locator(".qkd-picker")
    for _ in range(3):
        drag_select(page, words)
        try:
            picker.wait_for(timeout=15_000)
            return picker
        except sync_api.TimeoutError:
            page.evaluate("window.getSelection().removeAllRanges()")
    picker.wait_for()
    return picker


def assert_loopback(requested: list[str]) -> None:
    outside = [url for url in requested if urlparse(url).scheme in ("http", "https", "ws", "wss")
               and urlparse(url).hostname not in LOOPBACK]
    assert not outside, f"the page asked the internet for: {outside}"


def test_drag_select_code_accept_from_stripe_and_nothing_leaves_the_machine(
        tmp_path: Path, transcript: Path, serve: Callable[..., str], watched_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, requested = watched_page
    project = project_with_codebook(tmp_path / "proj")
    services.import_sources(project, [transcript])
    services.run_coder(project, "rules.v1")
    suggestion = services.review_queue(project, limit=1)[0]
    url = serve(project)

    page.goto(f"{url}/document?{urlencode({'doc': DOC})}")
    page.locator(".qkd-text").first.wait_for()
    picker = select_until_the_picker_opens(page, "built trust")
    picker.locator("label", has_text="Trust").first.click()
    picker.get_by_role("button", name="Code selection (Enter)").click()
    text = services.document_in_context(project, DOC).segments
    segment = next(s for s in text if "built trust" in s.text)
    start = segment.start + segment.text.index("built trust")
    mine = wait_for(lambda: [c for c in services.document_in_context(project, DOC).codings
                             if c.coder == "Ana"])
    assert [(c.start, c.end, c.code, c.status, c.part) for c in mine] == [  # type: ignore[attr-defined]
        (start, start + len("built trust"), "trust", "accepted", True)]

    page.locator(f"[data-coding-id='{mine[0].id}']").wait_for()  # the page has redrawn with the new coding
    stripe = page.locator(f"[data-coding-id='{suggestion.id}']")
    stripe.wait_for()
    assert "suggested" in (stripe.get_attribute("title") or "")
    accept = page.locator(".qkd-actions").get_by_role("button", name="Accept (A)")
    for _ in range(3):  # a redraw landing between the two clicks closes the popup: open it again
        stripe.click()
        try:
            accept.click(timeout=10_000)
            break
        except sync_api.TimeoutError:
            continue
    wait_for(lambda: suggestion.id in [a.id for a in services.review_queue(project, status="accepted")])
    decided = next(a for a in services.review_queue(project, status="accepted") if a.id == suggestion.id)
    assert decided.reviewer == "Ana"

    page.goto(f"{url}/themes")
    page.get_by_role("heading", name="Themes").wait_for()
    page.goto(f"{url}/review")
    page.get_by_role("heading", name="Code & validate").wait_for()
    assert_loopback(requested)


def test_a_link_opens_the_document_scrolled_to_the_span(tmp_path: Path, transcript: Path,
                                                       serve: Callable[..., str], watched_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page, requested = watched_page
    project = project_with_codebook(tmp_path / "proj")
    services.import_sources(project, [transcript])
    segment = next(s for s in services.iter_segments(project) if "built trust" in s.text)
    start = segment.start + segment.text.index("built trust")
    services.code_selection(project, DOC, start, start + len("built trust"), ["trust"], coder="Ben")
    url = serve(project)
    page.goto(f"{url}/themes")
    page.get_by_role("link", name="Open in the document").first.click()
    page.locator(".qkd-focus").first.wait_for()
    assert page.locator(".qkd-focus").count() >= 1
    assert f"start={start}" in page.url
    assert_loopback(requested)
