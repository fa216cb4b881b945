"""Accounts, roles and logins (services.accounts) on real projects."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from qualkit import services
from qualkit.errors import NotFoundError
from qualkit.services import accounts
from qualkit.services.accounts import (
    AccountError,
    LoginError,
    NotAllowedError,
    Permission,
    Role,
    authenticate,
    logged_in,
)
from qualkit.store import accounts as store
from qualkit.store import events

from paths import REPO

OWNER_PASSWORD = "owner's long passphrase"
CODER_PASSWORD = "a coder's passphrase"
VIEWER_PASSWORD = "committee reads themes"
T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def team(project: services.Project) -> services.Project:
    accounts.add_account(project, "Olu Owner", "owner", OWNER_PASSWORD)
    accounts.add_account(project, "Cara Coder", "coder", CODER_PASSWORD)
    accounts.add_account(project, "Vic Viewer", "viewer", VIEWER_PASSWORD)
    return project


def login_events(project: services.Project) -> list[events.Event]:
    with project.sessions() as session:
        return events.events(session, actions={"login", "login_failed", "logout"})


def test_a_project_without_accounts_has_none(project: services.Project) -> None:
    assert not accounts.has_accounts(project)
    assert accounts.list_accounts(project) == []


def test_passwords_are_stored_as_argon2id_hashes_only(team: services.Project) -> None:
    assert accounts.has_accounts(team)
    assert [(a.name, a.role) for a in accounts.list_accounts(team)] == [
        ("Cara Coder", "coder"), ("Olu Owner", "owner"), ("Vic Viewer", "viewer")]
    with team.sessions() as session:
        account = store.account_named(session, "Cara Coder")
        assert account is not None
        hashed = store.password_hash(session, account.id)
    assert hashed.startswith("$argon2id$") and CODER_PASSWORD not in hashed
    database = team.folder / "project.db"
    if database.exists():  # SQLite: the password is nowhere in the file
        assert CODER_PASSWORD.encode() not in database.read_bytes()


def test_the_right_password_logs_in_until_the_login_expires(team: services.Project) -> None:
    login = authenticate(team, "Cara Coder", CODER_PASSWORD, now=T0, lifetime=timedelta(hours=1))
    assert login.account.name == "Cara Coder" and login.expires_at == T0 + timedelta(hours=1)
    assert logged_in(team, login.token, now=T0 + timedelta(minutes=59)).name == "Cara Coder"
    assert logged_in(team, login.token, now=T0 + timedelta(minutes=61)) is None
    assert logged_in(team, "not-a-token", now=T0) is None
    assert logged_in(team, None) is None


def test_logout_ends_the_login(team: services.Project) -> None:
    login = authenticate(team, "Cara Coder", CODER_PASSWORD)
    accounts.logout(team, login.token)
    assert logged_in(team, login.token) is None
    assert [e.action for e in login_events(team)][:2] == ["logout", "login"]


def test_wrong_password_and_unknown_name_are_refused_alike_and_logged_without_the_password(
        team: services.Project) -> None:
    with pytest.raises(LoginError) as wrong:
        authenticate(team, "Cara Coder", "not her password", now=T0)
    with pytest.raises(LoginError) as unknown:
        authenticate(team, "Nobody", "not her password", now=T0)
    assert str(wrong.value) == str(unknown.value)
    assert "password" in str(wrong.value) and "reset" in str(wrong.value)
    failed = login_events(team)
    assert [(e.actor, e.data["reason"]) for e in failed] == [
        ("(unknown account)", "unknown name"), ("Cara Coder", "wrong password")]
    assert all("not her password" not in repr(e) for e in failed)


def test_repeated_wrong_passwords_make_the_next_attempt_wait(team: services.Project) -> None:
    for _ in range(accounts.FREE_ATTEMPTS):
        with pytest.raises(LoginError, match="do not match"):
            authenticate(team, "Cara Coder", "guess", now=T0)
    with team.sessions() as session:
        account = store.account_named(session, "Cara Coder")
    assert account is not None and account.failures == 3 and account.retry_at == T0 + timedelta(seconds=1)
    # while waiting, even the right password is not checked
    with pytest.raises(LoginError, match=r"checked in 1 s"):
        authenticate(team, "Cara Coder", CODER_PASSWORD, now=T0)
    later = T0 + timedelta(seconds=1)
    assert authenticate(team, "Cara Coder", CODER_PASSWORD, now=later).account.failures == 0
    assert [e.data["reason"] for e in login_events(team) if e.action == "login_failed"] == [
        "waiting", "wrong password", "wrong password", "wrong password"]


def test_the_delay_doubles_up_to_a_limit() -> None:
    assert [accounts.retry_delay(n).total_seconds() for n in range(1, 8)] == [0, 0, 1, 2, 4, 8, 16]
    assert accounts.retry_delay(100) == accounts.MAX_DELAY


def test_a_disabled_account_cannot_log_in_and_its_logins_end(team: services.Project) -> None:
    login = authenticate(team, "Vic Viewer", VIEWER_PASSWORD)
    accounts.disable_account(team, "Vic Viewer")
    assert logged_in(team, login.token) is None
    with pytest.raises(LoginError, match="do not match"):
        authenticate(team, "Vic Viewer", VIEWER_PASSWORD)
    assert login_events(team)[0].data["reason"] == "disabled"


def test_reset_password_ends_logins_and_the_old_password(team: services.Project) -> None:
    login = authenticate(team, "Cara Coder", CODER_PASSWORD)
    accounts.reset_password(team, "Cara Coder", "a brand new passphrase")
    assert logged_in(team, login.token) is None
    with pytest.raises(LoginError):
        authenticate(team, "Cara Coder", CODER_PASSWORD)
    assert authenticate(team, "Cara Coder", "a brand new passphrase").account.role == "coder"


def test_account_changes_are_checked(team: services.Project) -> None:
    with pytest.raises(AccountError, match="already an account"):
        accounts.add_account(team, "Cara Coder", "coder", CODER_PASSWORD)
    with pytest.raises(AccountError, match="not a role"):
        accounts.add_account(team, "Ed", "editor", CODER_PASSWORD)
    with pytest.raises(AccountError, match="shorter than 10"):
        accounts.add_account(team, "Ed", "coder", "short")
    with pytest.raises(NotFoundError, match="no account is named 'Ed'"):
        accounts.set_role(team, "Ed", "viewer")
    with pytest.raises(AccountError, match="only owner"):
        accounts.set_role(team, "Olu Owner", "coder")
    with pytest.raises(AccountError, match="only owner"):
        accounts.disable_account(team, "Olu Owner")
    assert accounts.set_role(team, "Vic Viewer", "owner").role == "owner"
    assert accounts.disable_account(team, "Olu Owner").disabled


def test_the_first_account_is_an_owner(project: services.Project) -> None:
    with pytest.raises(AccountError, match="first account"):
        accounts.add_account(project, "Cara Coder", "coder", CODER_PASSWORD)
    assert not accounts.has_accounts(project)


def test_roles_grant_what_the_issue_says() -> None:
    assert accounts.GRANTS[Role.VIEWER] == {Permission.BROWSE}
    for owner_only in (Permission.EDIT_CODEBOOK, Permission.MANAGE_ACCOUNTS, Permission.EXPORT_KEY,
                       Permission.EXPORT_RAW):
        assert accounts.allowed("owner", owner_only) and not accounts.allowed("coder", owner_only)
    assert [p for p in accounts.PAGE_NEEDS if accounts.may_open("viewer", p)] == ["themes", "reports"]
    assert all(accounts.may_open("coder", page) for page in accounts.PAGE_NEEDS)
    assert not accounts.may_open("coder", "a new page") and accounts.may_open("owner", "a new page")


def test_services_refuse_what_the_role_may_not_do_and_events_name_the_account(
        team: services.Project, tmp_path: Path) -> None:
    with team.sessions() as session:
        viewer, coder, owner = (store.account_named(session, name)
                                for name in ("Vic Viewer", "Cara Coder", "Olu Owner"))
    assert viewer and coder and owner
    with pytest.raises(NotAllowedError, match="viewer account 'Vic Viewer' may not code"):
        accounts.perform(viewer, services.add_memo, team, "project", None, "a note", "Vic Viewer")
    with pytest.raises(NotAllowedError, match="export the pseudonym key"):
        accounts.perform(coder, services.export_key, team, tmp_path / "key.json")
    with pytest.raises(NotAllowedError, match="export the raw project"):
        accounts.perform(coder, services.export_refi, team, "qdpx", tmp_path / "raw.qdpx")
    with pytest.raises(NotAllowedError, match="edit codebook"):
        accounts.perform(coder, services.save_codebook, team, None)
    assert not (tmp_path / "key.json").exists() and not (tmp_path / "raw.qdpx").exists()
    with pytest.raises(NotAllowedError, match="may not act as 'Olu Owner'"):
        accounts.perform(coder, services.add_memo, team, "project", None, "a note", author="Olu Owner")
    accounts.perform(coder, services.add_memo, team, "project", None, "a note", author="Cara Coder")
    with team.sessions() as session:
        newest = events.events(session, actions={"add_memo"}, limit=1)
    assert [e.actor for e in newest] == ["Cara Coder"]
    assert accounts.perform(owner, services.project_status, team).documents == 0


def test_every_service_the_app_calls_is_in_the_roles_table() -> None:
    """A service missing from SERVICE_NEEDS would be the owner's alone: a coder's button would fail."""
    called: set[str] = set()
    for page in (REPO / "qualkit" / "app" / "pages").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                first = node.args[0] if node.func.attr in ("read", "produce") else (
                    node.args[1] if node.func.attr == "act" and len(node.args) > 1 else None)
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    called.add(first.value)
                elif isinstance(first, ast.Attribute):  # services.decide, search.code_hits
                    called.add(first.attr)
                elif isinstance(first, ast.Name):  # a service imported by name
                    called.add(first.id)
    assert {"decide", "theme_summaries", "write_report", "export_key", "export_refi", "code_hits",
            "export_qdc"} <= called
    assert called <= set(accounts.SERVICE_NEEDS), called - set(accounts.SERVICE_NEEDS)
    assert set(accounts.SERVICE_NEEDS) <= set(services.__all__)  # no misspelt service
    assert set(accounts.PAGE_NEEDS) == {p.stem for p in (REPO / "qualkit" / "app" / "pages").glob("*.py")}


# -- the command line ---------------------------------------------------------------------------------

def cli(*args: object, stdin: str | None = None) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from qualkit.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_roles_are_the_services_own() -> None:
    from qualkit import cli as command_line

    assert list(command_line.Role) == list(Role)


def test_users_commands_manage_accounts(project: services.Project) -> None:
    folder = project.folder
    assert cli("users", folder, "list")[1].startswith("No accounts")
    code, out, _ = cli("users", folder, "add", "Olu Owner", "--role", "owner", "--password-stdin",
                       stdin=OWNER_PASSWORD + "\n")
    assert code == 0 and out.strip() == "Added owner Olu Owner."
    # asked twice, hidden: a second entry that differs is asked again
    code, out, _ = cli("users", folder, "add", "Cara Coder", "--role", "coder",
                       stdin=f"{CODER_PASSWORD}\nsomething else\n{CODER_PASSWORD}\n{CODER_PASSWORD}\n")
    assert code == 0 and "Added coder Cara Coder." in out and CODER_PASSWORD not in out
    assert authenticate(project, "Cara Coder", CODER_PASSWORD).account.role == "coder"
    assert cli("users", folder, "set-role", "Cara Coder", "--role", "viewer")[1].strip() == (
        "Cara Coder is now viewer.")
    assert cli("users", folder, "reset-password", "Cara Coder", "--password-stdin",
               stdin="a brand new passphrase\n")[0] == 0
    assert cli("users", folder, "disable", "Cara Coder")[1].strip() == "Disabled Cara Coder."
    assert cli("users", folder, "list")[1].splitlines() == ["Cara Coder (viewer, disabled)",
                                                            "Olu Owner (owner)"]
    code, _, err = cli("users", folder, "add", "Ed", "--role", "coder", "--password-stdin", stdin="short\n")
    assert code == 1 and "shorter than 10 characters" in err
    code, _, err = cli("users", folder, "disable", "Olu Owner")
    assert code == 1 and "only owner" in err


def test_serve_beyond_loopback_needs_accounts(project: services.Project,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from qualkit import cli as command_line

    started: list[list[str]] = []
    monkeypatch.setattr(command_line.os, "execv", lambda _python, argv: started.append(argv))
    code, _, err = cli("serve", project.folder, "--host", "0.0.0.0", "--port", "8600")
    assert code == 1 and "no accounts" in err and "127.0.0.1" in err and started == []
    assert cli("serve", project.folder)[0] == 0  # loopback: as `qualkit app`
    accounts.add_account(project, "Olu Owner", "owner", OWNER_PASSWORD)
    code, out, _ = cli("serve", project.folder, "--host", "0.0.0.0", "--port", "8600")
    assert code == 0 and "http://0.0.0.0:8600" in out
    command = started[-1]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--project") + 1] == str(project.folder.resolve())
