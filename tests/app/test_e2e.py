"""The app in real headless Chromium: import a file, accept a suggestion, find the accepted quote in
the exported quote table; and a read-only app that offers no way to edit. Skips without
/usr/bin/chromium (Debian's `chromium`; .ci/run installs it)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qualkit import services
from qualkit.app.options import streamlit_command

from coding_doubles import CODEBOOK_YAML

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's chromium at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`serve(project, read_only=False)`: Streamlit serving `project`; returns its URL."""
    servers: list[subprocess.Popen[bytes]] = []

    def start(project: services.Project, read_only: bool = False) -> str:
        port = free_port()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "QUALKIT_USER": "Ana"}
        log = (tmp_path / f"streamlit-{port}.log").open("wb")
        servers.append(subprocess.Popen(streamlit_command(sys.executable, project.folder, read_only=read_only,
                                                          port=port), env=env, stdout=log, stderr=log))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return url
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not start: {(tmp_path / f'streamlit-{port}.log').read_text()}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def browser_page() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(TIMEOUT_MS)
        yield page
        browser.close()


def project_with_codebook(folder: Path) -> services.Project:
    project = services.init_project(folder)
    book = folder / "codebook.yaml"
    book.write_text(CODEBOOK_YAML, encoding="utf-8")
    services.import_codebook(project, book)
    return project


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("[data-testid=stSelectbox]").filter(has_text=label).locator("input")
    box.click()
    box.fill(option)
    box.press("Enter")


def test_import_accept_and_export_the_quote(tmp_path: Path, transcript: Path, serve: Callable[..., str],
                                            browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    project = project_with_codebook(tmp_path / "proj")
    url = serve(project)

    page.goto(url)  # the Project page is the default one
    page.locator("input[type=file]").first.set_input_files(str(transcript))
    page.get_by_role("button", name="Import uploaded files").click()
    page.get_by_text("Imported 1 document(s)").wait_for()
    assert [d.name for d in services.list_documents(project)] == ["kw_interview.txt"]

    page.goto(f"{url}/review")
    page.get_by_text("Re-run a coder").click()
    choose(page, "Coder", "rules.v1")
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("lower-scoring candidates stored for review").wait_for()
    item = services.review_queue(project, limit=1)[0]
    page.locator(".qk-quote").filter(has_text=item.text[:30]).click()  # focus on the page, not a field
    page.keyboard.press("a")  # the Accept shortcut
    deadline = time.monotonic() + 30
    while not services.review_queue(project, status="accepted") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [a.id for a in services.review_queue(project, status="accepted")] == [item.id]

    page.goto(f"{url}/reports")
    page.get_by_role("button", name="Build report and exports").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="quotes.csv").click()
    table = Path(download.value.path()).read_text(encoding="utf-8")
    assert item.text in table and item.code_name in table


def test_read_only_offers_no_edit_and_shows_pseudonyms(tmp_path: Path, transcript: Path,
                                                       serve: Callable[..., str],
                                                       browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    project = project_with_codebook(tmp_path / "proj")
    services.import_sources(project, [transcript])
    segment = next(s for s in services.iter_segments(project) if "trust" in s.text)
    services.add_coding(project, segment.id, "trust", coder="Ana")
    url = serve(project, read_only=True)

    page.goto(f"{url}/review")  # not a page of a read-only app: the default page (Themes) shows
    page.get_by_role("heading", name="Themes").wait_for()
    page.get_by_text("Read-only").first.wait_for()
    nav = page.locator("[data-testid=stSidebarNav]").inner_text()
    assert "Themes" in nav and "Reports" in nav
    assert not any(name in nav for name in ("Code & validate", "Codebook", "Anonymise", "Project"))
    assert page.get_by_role("button", name="Accept").count() == 0
    page.locator(".qk-quote").first.wait_for()
    quotes = page.locator(".qk-quote").all_inner_texts()
    assert any("built trust" in quote for quote in quotes)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """A loopback HTTP server that records every path asked of it: nothing should ask."""
    import http.server
    import threading

    asked: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()


def test_no_page_or_report_loads_a_url_a_quote_or_name_contains(tmp_path: Path, serve: Callable[..., str],
                                                                 browser_page: object,
                                                                 listener: tuple[int, list[str]]) -> None:
    """A transcript line with a Markdown image, raw HTML and a link, quoted on the Themes page and in
    the HTML and Markdown reports, makes no browser fetch anything."""
    port, asked = listener
    here = f"http://127.0.0.1:{port}"
    bait = (f"It was hard ![x]({here}/markdown.png) and <img src=\"{here}/html.png\"> "
            f"[more]({here}/link) we trusted her.")
    project = project_with_codebook(tmp_path / "p")
    source = tmp_path / "bait.txt"
    source.write_text(f"Interviewer: How was it?\n\nParent 3: {bait}\n", encoding="utf-8")
    services.import_sources(project, [source])
    segment = next(s for s in services.iter_segments(project, codable_only=True) if "trusted" in s.text)
    services.add_coding(project, segment.id, "trust", coder="Ana")
    report = services.write_report(project, ["html", "md"], folder=tmp_path / "out")
    page = browser_page
    url = serve(project, read_only=True)
    page.goto(url)  # Themes, with the quote
    page.get_by_text("we trusted her", exact=False).first.wait_for()
    for path in report:
        if path.suffix == ".html":
            page.goto(path.as_uri())
            page.get_by_text("we trusted her", exact=False).first.wait_for()
    page.wait_for_timeout(1500)
    assert asked == []
    markdown = next(p for p in report if p.suffix == ".md").read_text(encoding="utf-8")
    # escaped: a reader sees the characters, a Markdown viewer renders no image, tag or link
    assert "![x](" not in markdown and "<img" not in markdown.replace("\\<img", "")
