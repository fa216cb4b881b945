"""Accounts and roles in real headless Chromium: a viewer logs in and reaches Themes and Reports only
(direct URLs included) with no identifier shown; a coder accepts a suggestion and the event names the
account; a wrong password and a disabled account are refused. Skips without /usr/bin/chromium."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_e2e import CHROMIUM, browser_page, project_with_codebook, serve  # noqa: F401

from qualkit import services
from qualkit.store import events

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(),
                                                   reason="needs Debian's chromium at /usr/bin/chromium")]
pytest.importorskip("playwright.sync_api")

CODER = ("Cara Coder", "a coder's passphrase")
VIEWER = ("Vic Viewer", "committee reads themes")
IDENTIFIERS = ("Sarah", "Jenkins", "Harbour Road")
WORK_PAGES = ("Code & validate", "Codebook", "Anonymise", "Project", "Document", "Search", "Topics")


def team_project(folder: Path, source: Path) -> services.Project:
    """A project with an owner, a coder and a viewer, one interview with identifiers, one accepted
    coding of them, anonymised."""
    project = project_with_codebook(folder)
    source.write_text("Interviewer: How is it going?\n\n"
                      "Keyworker C: Sarah Jenkins told me she trusts us now, since we met at Harbour Road.\n"
                      "\nInterviewer: And the school?\n\n"
                      "Keyworker C: The school says attendance is better, and we built trust with them.\n",
                      encoding="utf-8")
    services.import_sources(project, [source])
    segment = next(s for s in services.iter_segments(project) if "Sarah" in s.text)
    services.add_coding(project, segment.id, "trust", coder="Olu Owner")
    services.anonymise_project(project)
    services.add_account(project, "Olu Owner", "owner", "owner's long passphrase")
    services.add_account(project, *CODER[:1], "coder", CODER[1])
    services.add_account(project, *VIEWER[:1], "viewer", VIEWER[1])
    return project


def log_in(page, url: str, name: str, password: str, keep: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_role("heading", name="Log in").wait_for()
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    if keep:
        page.get_by_text("Keep me logged in on this browser").click()
    page.get_by_role("button", name="Log in", exact=True).click()


def navigation(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-testid=stSidebarNav]").inner_text()


def test_a_viewer_reaches_themes_and_reports_only_and_sees_no_identifier(
        tmp_path: Path, serve: Callable[..., str], browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser_page
    url = serve(team_project(tmp_path / "proj", tmp_path / "kw.txt"))
    log_in(page, url, *VIEWER)
    page.get_by_role("heading", name="Themes").wait_for()
    page.get_by_text("Logged in as Vic Viewer (viewer)").wait_for()
    page.locator(".qk-quote").first.wait_for()
    nav = navigation(page)
    assert "Themes" in nav and "Reports" in nav and not any(name in nav for name in WORK_PAGES)
    shown = page.locator("body").inner_text()
    assert "trusts us now" in shown and not [word for word in IDENTIFIERS if word in shown]
    assert page.get_by_text("Open in the document").count() == 0

    page.get_by_role("link", name="Reports & export").click()
    page.get_by_role("heading", name="Reports & export").wait_for()
    assert page.get_by_text("REFI-QDA .qdpx").count() == 0  # the raw project is the owner's

    # a direct URL (a new browser session) asks for the login, then shows Themes, never the page asked
    for path in ("review", "codebook", "anonymise", "document", "project"):
        log_in(page, f"{url}/{path}", *VIEWER)
        page.get_by_role("heading", name="Themes").wait_for()
        assert not any(name in navigation(page) for name in WORK_PAGES), path
        assert page.get_by_role("button", name="Accept").count() == 0
        assert page.get_by_text("pseudonym key", exact=False).count() == 0
        shown = page.locator("body").inner_text()
        assert not [word for word in IDENTIFIERS if word in shown], path


def test_a_coder_accepts_a_suggestion_as_the_account(
        tmp_path: Path, serve: Callable[..., str], browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser_page
    project = team_project(tmp_path / "proj", tmp_path / "kw.txt")
    services.run_coder(project, "rules.v1")
    item = services.review_queue(project, limit=1)[0]
    url = serve(project)
    log_in(page, f"{url}/review", *CODER)
    page.get_by_text("Logged in as Cara Coder (coder)").wait_for()
    page.locator(".qk-quote").filter(has_text=item.text[:30]).click()  # focus on the page, not a field
    page.keyboard.press("a")  # the Accept shortcut
    deadline = time.monotonic() + 30
    while item.id not in {a.id for a in services.review_queue(project, status="accepted")}:
        assert time.monotonic() < deadline, "the suggestion was not accepted"
        time.sleep(0.2)
    with project.sessions() as session:
        decision = events.events(session, actions={"decide"}, limit=1)[0]
    assert decision.actor == "Cara Coder" and decision.entity_id == item.id
    accepted = next(a for a in services.review_queue(project, status="accepted") if a.id == item.id)
    assert accepted.reviewer == "Cara Coder"


def test_a_wrong_password_and_a_disabled_account_are_refused(
        tmp_path: Path, serve: Callable[..., str], browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser_page
    project = team_project(tmp_path / "proj", tmp_path / "kw.txt")
    url = serve(project)
    log_in(page, url, CODER[0], "not the password")
    page.get_by_text("do not match").wait_for()
    assert page.locator("[data-testid=stSidebarNav]").count() == 0
    assert page.get_by_role("heading", name="Themes").count() == 0

    services.disable_account(project, CODER[0])
    log_in(page, url, *CODER)
    page.get_by_text("do not match").wait_for()
    assert page.locator("[data-testid=stSidebarNav]").count() == 0
    with project.sessions() as session:
        refused = events.events(session, actions={"login_failed"})
    assert [e.data["reason"] for e in refused] == ["disabled", "wrong password"]


def kept_logins(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('qualkit.login.')).length")


def test_a_login_is_kept_across_reloads_only_when_asked_and_never_past_a_logout(
        tmp_path: Path, serve: Callable[..., str], browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page = browser_page
    project = team_project(tmp_path / "proj", tmp_path / "kw.txt")
    url = serve(project)
    log_in(page, url, *VIEWER)  # not kept: a reload asks again
    page.get_by_text("Logged in as Vic Viewer (viewer)").wait_for()
    assert kept_logins(page) == 0
    page.reload()
    page.get_by_role("heading", name="Log in").wait_for()

    log_in(page, f"{url}/reports", *VIEWER, keep=True)
    page.get_by_text("Logged in as Vic Viewer (viewer)").wait_for()
    page.goto(f"{url}/reports")  # a new session of the app in this browser resumes the login, on its page
    page.get_by_role("heading", name="Reports & export").wait_for()
    page.get_by_text("Logged in as Vic Viewer (viewer)").wait_for()
    assert kept_logins(page) == 1

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()
    page.reload()
    page.get_by_role("heading", name="Log in").wait_for()
    deadline = time.monotonic() + 3  # time for the browser to give a kept login back: there is none
    while time.monotonic() < deadline:
        assert page.get_by_text("Logged in as").count() == 0
        time.sleep(0.2)
    assert kept_logins(page) == 0

    log_in(page, url, *VIEWER, keep=True)
    page.get_by_text("Logged in as Vic Viewer (viewer)").wait_for()
    services.disable_account(project, VIEWER[0])
    page.reload()  # the kept login is checked like any other: refused, and forgotten
    page.get_by_role("heading", name="Log in").wait_for()
    deadline = time.monotonic() + 10
    while kept_logins(page):
        assert time.monotonic() < deadline, "the disabled account's login is still kept"
        time.sleep(0.2)
    assert page.get_by_text("Logged in as").count() == 0
