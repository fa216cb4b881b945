"""The app's login (qualkit.app.login) in AppTest: asked only when the project has accounts, refused
for a wrong password or a disabled account, ended by logout, expiry or disabling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.app.serving import serve_command
from qualkit.services import accounts
from qualkit.store import events

from paths import REPO

APP = REPO / "app.py"

PASSWORD = "a coder's passphrase"


def gated_page() -> None:
    """A page behind the gate: greets the account, lists what it may open."""
    import streamlit as st

    from qualkit.app import login

    found = login.gate()
    st.markdown(f"Hello {found.name if found else 'local user'}")
    st.markdown("Pages: " + ", ".join(p for p in ("themes", "reports", "review", "anonymise")
                                      if login.may_open(p)))
    if found:
        with st.sidebar:
            login.sidebar(found)


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Callable[[services.Project], AppTest]:
    def run(project: services.Project, user: dict[str, object] | None = None) -> AppTest:
        """The page on `project`; `user` is what Streamlit's OIDC login would say (st.user)."""
        st.cache_data.clear()
        st.cache_resource.clear()
        monkeypatch.setenv("QUALKIT_PROJECT", str(project.folder))
        monkeypatch.delenv("QUALKIT_READ_ONLY", raising=False)
        at = AppTest.from_function(gated_page, default_timeout=60)
        if user is not None:
            at.user = user
        return at.run()
    return run


@pytest.fixture
def team(tmp_path: Path) -> services.Project:
    project = services.init_project(tmp_path / "proj")
    accounts.add_account(project, "Olu Owner", "owner", "owner's long passphrase")
    accounts.add_account(project, "Cara Coder", "coder", PASSWORD)
    accounts.add_account(project, "Vic Viewer", "viewer", "committee reads themes")
    return project


def log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_a_project_without_accounts_asks_for_no_login(tmp_path: Path, start: Callable[..., AppTest]) -> None:
    at = start(services.init_project(tmp_path / "solo"))
    assert not at.exception and not at.text_input
    assert "Hello local user" in texts(at)
    assert "Pages: themes, reports, review, anonymise" in texts(at)


def test_the_right_password_opens_the_app_as_the_account(team: services.Project,
                                                         start: Callable[..., AppTest]) -> None:
    at = start(team)
    assert [t.label for t in at.text_input] == ["Name", "Password"]
    assert not any(t.startswith("Hello") for t in texts(at))  # nothing behind the gate is drawn
    at = log_in(at, "Cara Coder", PASSWORD)
    assert not at.exception
    assert "Hello Cara Coder" in texts(at) and "Pages: themes, reports, review, anonymise" in texts(at)
    assert any("Logged in as Cara Coder (coder)" in c.value for c in at.sidebar.caption)


def test_a_viewer_may_open_themes_and_reports_only(team: services.Project,
                                                   start: Callable[..., AppTest]) -> None:
    at = log_in(start(team), "Vic Viewer", "committee reads themes")
    assert "Pages: themes, reports" in texts(at)


def test_a_wrong_password_is_refused(team: services.Project, start: Callable[..., AppTest]) -> None:
    at = log_in(start(team), "Cara Coder", "not the password")
    assert "do not match" in at.error[0].value
    assert not any(t.startswith("Hello") for t in texts(at))


def test_a_disabled_account_cannot_log_in_and_an_open_login_ends(team: services.Project,
                                                                 start: Callable[..., AppTest]) -> None:
    at = log_in(start(team), "Cara Coder", PASSWORD)
    assert "Hello Cara Coder" in texts(at)
    accounts.disable_account(team, "Cara Coder")
    at.run()  # the next click: the login has ended, the form is back
    assert [t.label for t in at.text_input] == ["Name", "Password"]
    at = log_in(at, "Cara Coder", PASSWORD)
    assert "do not match" in at.error[0].value


def test_logout_asks_for_the_password_again(team: services.Project, start: Callable[..., AppTest]) -> None:
    at = log_in(start(team), "Cara Coder", PASSWORD)
    at.sidebar.button[0].click().run()
    assert [t.label for t in at.text_input] == ["Name", "Password"]
    with team.sessions() as session:
        done = events.events(session, actions={"login", "logout"})
    assert [(e.action, e.actor) for e in done] == [("logout", "Cara Coder"), ("login", "Cara Coder")]


def test_an_expired_login_asks_again(team: services.Project, start: Callable[..., AppTest]) -> None:
    at = start(team)
    at.session_state["qualkit_login"] = "a token the project never issued"
    at.run()
    assert [t.label for t in at.text_input] == ["Name", "Password"]
    assert "qualkit_login" not in at.session_state


def test_without_single_sign_on_configured_only_the_form_shows(team: services.Project,
                                                                start: Callable[..., AppTest]) -> None:
    assert [b.label for b in start(team).button] == ["Log in"]
    assert [b.label for b in start(team, {"is_logged_in": False}).button] == [
        "Log in", "Log in with single sign-on"]


def test_single_sign_on_logs_in_to_the_account_named_with_the_email(
        team: services.Project, start: Callable[..., AppTest]) -> None:
    accounts.add_account(team, "vic@example.org", "viewer", "unused passphrase")
    at = start(team, {"is_logged_in": True, "email": "vic@example.org", "name": "Vic"})
    assert not at.exception
    assert "Hello vic@example.org" in texts(at) and "Pages: themes, reports" in texts(at)
    with team.sessions() as session:
        assert events.events(session, actions={"login"})[0].data == {"method": "single sign-on"}


def test_single_sign_on_without_an_account_is_refused(team: services.Project,
                                                       start: Callable[..., AppTest]) -> None:
    at = start(team, {"is_logged_in": True, "email": "stranger@example.org"})
    assert "no enabled account" in at.error[0].value
    assert not any(t.startswith("Hello") for t in texts(at))
    assert [b.label for b in at.button] == ["Log out of single sign-on"]


def test_serving_beyond_loopback_needs_accounts(tmp_path: Path, team: services.Project) -> None:
    solo = services.init_project(tmp_path / "solo")
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        accounts.check_can_listen(solo, host)
    for host in ("0.0.0.0", "::", "192.168.1.20", "qualkit.example.org"):
        with pytest.raises(accounts.ServeError, match="no accounts"):
            accounts.check_can_listen(solo, host)
        accounts.check_can_listen(team, host)
    command = serve_command("python", team.folder, host="0.0.0.0", port=8600)
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--server.port") + 1] == "8600"
    assert {"--server.headless", "--browser.gatherUsageStats"} <= set(command)
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"


# -- the app itself on a project with accounts --------------------------------------------------------

@pytest.fixture
def coded_team(coded: services.Project) -> services.Project:
    accounts.add_account(coded, "Olu Owner", "owner", "owner's long passphrase")
    accounts.add_account(coded, "Cara Coder", "coder", PASSWORD)
    accounts.add_account(coded, "Vic Viewer", "viewer", "committee reads themes")
    return coded


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch) -> Callable[[services.Project], AppTest]:
    def run(project: services.Project) -> AppTest:
        st.cache_data.clear()
        st.cache_resource.clear()
        monkeypatch.setenv("QUALKIT_PROJECT", str(project.folder))
        monkeypatch.delenv("QUALKIT_READ_ONLY", raising=False)
        monkeypatch.delenv("QUALKIT_USER", raising=False)
        return AppTest.from_file(str(APP), default_timeout=60).run()
    return run


def test_the_app_shows_a_viewer_themes_and_reports_only(coded_team: services.Project,
                                                        app_on: Callable[..., AppTest]) -> None:
    at = app_on(coded_team)
    assert [t.label for t in at.text_input] == ["Name", "Password"]  # nothing else before a login
    at = log_in(at, "Vic Viewer", "committee reads themes")
    assert not at.exception
    assert [h.value for h in at.title] == ["Themes"]
    assert not any(t.label.startswith("Your name") for t in at.sidebar.text_input)
    for page in ("project", "codebook", "review", "document", "anonymise"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(str(REPO / "qualkit" / "app" / "pages" / f"{page}.py"))
    at.switch_page(str(REPO / "qualkit" / "app" / "pages" / "reports.py")).run()
    assert not at.exception and [h.value for h in at.title] == ["Reports & export"]


def test_the_gateway_refuses_what_the_role_may_not_and_names_the_account(
        coded_team: services.Project, app_on: Callable[..., AppTest]) -> None:
    from qualkit.app import gateway

    item = services.review_queue(coded_team, limit=1)[0]
    log_in(app_on(coded_team), "Vic Viewer", "committee reads themes")
    viewer = accounts.authenticate(coded_team, "Vic Viewer", "committee reads themes")
    st.session_state[gateway.LOGIN] = viewer.token  # this (bare) session, as the viewer
    with pytest.raises(accounts.NotAllowedError, match="may not code"):
        gateway.write(services.decide, item.id, True, reviewer="Vic Viewer")
    with pytest.raises(accounts.NotAllowedError, match="may not code"):
        gateway.read("segment_context", segment_id=item.segment_id)
    assert gateway.read_only() and gateway.actor() == "Vic Viewer"
    coder = accounts.authenticate(coded_team, "Cara Coder", PASSWORD)
    st.session_state[gateway.LOGIN] = coder.token
    with pytest.raises(accounts.NotAllowedError, match="export the pseudonym key"):
        gateway.write(services.export_key, coded_team.folder / "key.json")
    gateway.write(services.decide, item.id, True, reviewer=gateway.actor())
    with coded_team.sessions() as session:
        assert events.events(session, actions={"decide"}, limit=1)[0].actor == "Cara Coder"
    del st.session_state[gateway.LOGIN]
    with pytest.raises(accounts.LoginError, match="Log in again"):
        gateway.write(services.decide, item.id, False, reviewer="Cara Coder")
