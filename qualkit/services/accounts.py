"""Accounts, roles and logins: who may use a shared project, and what each role may do.

A project without accounts is one person's (today's behaviour: no login, loopback only). Once it has
one, the app asks for a login and every change is made as the logged-in account (`perform`), after
its role is checked here against the service asked for — the pages hide what a role may not use, but
the check does not depend on them.

Passwords are hashed with argon2id (`argon2-cffi`); a wrong password for a name makes the next
attempts wait (`RETRY_DELAYS`), a time kept in the store so that no request thread sleeps and every
app process sees it. Login tokens are random, kept only as their SHA-256, and expire.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qualkit.errors import NotFoundError, QualkitError
from qualkit.services.projects import Project, acting_as, current_user
from qualkit.store import Session
from qualkit.store import accounts as store
from qualkit.store.accounts import Account
from qualkit.store.repository import log_event

T = TypeVar("T")

LOGIN_LIFETIME = timedelta(hours=8)  # a login ends this long after it began
MIN_PASSWORD = 10  # characters
FREE_ATTEMPTS = 3  # wrong passwords for a name before the next attempt has to wait
MAX_DELAY = timedelta(minutes=15)


class Role(StrEnum):
    OWNER = "owner"
    CODER = "coder"
    VIEWER = "viewer"


class Permission(StrEnum):
    BROWSE = "browse"  # themes and reports, anonymised
    CODE = "code"  # code, review, memos, imports, coder runs
    REDACT = "redact"  # anonymisation decisions
    EDIT_CODEBOOK = "edit codebook"
    MANAGE_ACCOUNTS = "manage accounts"
    EXPORT_KEY = "export the pseudonym key"
    EXPORT_RAW = "export the raw project"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.BROWSE}),
    Role.CODER: frozenset({Permission.BROWSE, Permission.CODE, Permission.REDACT}),
    Role.OWNER: frozenset(Permission),
}

# What each service a front end calls on someone's behalf needs. A service not listed is the owner's
# alone, so a new one is never open to everyone by mistake.
SERVICE_NEEDS: dict[str, Permission] = {
    # browsing: the anonymised themes and reports
    **dict.fromkeys(("project_status", "counts_by_group", "theme_summaries", "theme_quotes",
                     "current_codebook", "anonymisation_state", "write_report", "export"), Permission.BROWSE),
    # coding, reviewing, memos, documents
    **dict.fromkeys(("list_documents", "list_participants", "review_queue", "accepted_codings",
                     "list_memos", "agreement_summary", "document_in_context", "segment_context",
                     "segment_places",
                     "search_corpus", "search_speakers", "decide", "add_coding", "code_selection",
                     "remove_coding", "undo_last_decision", "run_coder", "add_memo", "import_sources",
                     "load_participants", "set_document_group", "code_hits", "undo_code_hits", "export_qdc",
                     "configured_coder", "machine_agreement_since_run", "agreement",
                     "resolve_disagreement"),
                    Permission.CODE),
    # anonymisation
    **dict.fromkeys(("list_redactions", "list_terms", "anonymised_segments", "list_people",
                     "decide_redactions", "add_manual_redaction", "add_term", "remove_term",
                     "merge_people", "keep_apart", "anonymise_project"), Permission.REDACT),
    # the codebook (a topic promoted becomes a code; a REFI import brings its codebook)
    **dict.fromkeys(("save_codebook", "import_codebook", "promote_topic", "import_refi"),
                    Permission.EDIT_CODEBOOK),
    **dict.fromkeys(("add_account", "list_accounts", "set_role", "disable_account", "reset_password"),
                    Permission.MANAGE_ACCOUNTS),
    "export_key": Permission.EXPORT_KEY,
    "export_refi": Permission.EXPORT_RAW,
}

# Arguments of services that name the person acting (`decide`'s reviewer, `add_memo`'s author,
# `resolve_disagreement`'s resolver).
PERSON_ARGUMENTS = frozenset({"reviewer", "author", "resolver"})

# The app's pages each role may open (by module name under qualkit/app/pages/): a viewer reads the
# anonymised themes and reports only; a direct URL to any other page is refused.
PAGE_NEEDS: dict[str, Permission] = {
    "themes": Permission.BROWSE, "reports": Permission.BROWSE, "project": Permission.CODE,
    "codebook": Permission.CODE, "document": Permission.CODE, "search": Permission.CODE,
    "review": Permission.CODE, "topics": Permission.CODE, "anonymise": Permission.REDACT,
}


class AccountError(QualkitError):
    """An account could not be added or changed as asked."""


class LoginError(QualkitError):
    """A login refused: wrong name or password, disabled account, or too many attempts."""


class NotAllowedError(QualkitError):
    """The logged-in account's role does not allow what was asked."""


class ServeError(QualkitError):
    """The app asked to listen where a project without accounts may not be reached."""


@dataclass(frozen=True)
class Login:
    """A successful login: the token the app keeps in its session state, and until when it works."""

    token: str
    account: Account
    expires_at: datetime


def allowed(role: str, permission: Permission) -> bool:
    return permission in GRANTS[Role(role)]


def may_call(role: str, service: str) -> bool:
    return allowed(role, SERVICE_NEEDS.get(service, Permission.MANAGE_ACCOUNTS))


def may_open(role: str, page: str) -> bool:
    return allowed(role, PAGE_NEEDS.get(page, Permission.MANAGE_ACCOUNTS))


def require(account: Account, service: str) -> None:
    """Refuse, with a message both front ends can show, a service the account's role does not allow."""
    if not may_call(account.role, service):
        need = SERVICE_NEEDS.get(service, Permission.MANAGE_ACCOUNTS)
        raise NotAllowedError(f"the {account.role} account {account.name!r} may not {need} ({service}).",
                              "Ask a project owner to do it, or to give your account a role that may.")


def perform(account: Account, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` done as `account`: refused unless its role allows `fn`, and every event it
    logs names the account (a decision or memo may not name anyone else as its reviewer or author)."""
    require(account, fn.__name__)
    for person in PERSON_ARGUMENTS & kwargs.keys():
        if kwargs[person] != account.name:
            raise NotAllowedError(f"the account {account.name!r} may not act as {kwargs[person]!r}.",
                                  "Log in as that person to act under their name.")
    with acting_as(account.name):
        return fn(*args, **kwargs)


# -- managing accounts (the CLI, or an owner) -------------------------------------------------------

@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with the library's current recommended parameters


def _checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(f"{role!r} is not a role.", "Use owner, coder or viewer.") from None


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is shorter than {MIN_PASSWORD} characters.",
                           "Choose a longer one (a few unrelated words make a good password).")
    return password


def has_accounts(project: Project) -> bool:
    """Whether the project has accounts: the app then asks for a login and may listen beyond loopback."""
    with project.sessions() as session:
        return store.any_account(session)


def list_accounts(project: Project) -> list[Account]:
    with project.sessions() as session:
        return store.all_accounts(session)


def add_account(project: Project, name: str, role: str, password: str) -> Account:
    """A new account. The first account of a project must be an owner, so someone can manage the rest."""
    name = name.strip()
    checked = _checked_role(role)
    hashed = _hasher().hash(_checked_password(password))
    with project.transaction() as session:
        if not name:
            raise AccountError("an account needs a name.", "Give the name the person will log in with.")
        if store.account_named(session, name) is not None:
            raise AccountError(f"there is already an account named {name!r}.",
                               "Choose another name, or reset that account's password.")
        if checked is not Role.OWNER and not store.any_account(session):
            raise AccountError("the first account of a project must be an owner (owners manage accounts).",
                               "Add an owner first, then the others.")
        account = store.add_account(session, name, checked.value, hashed)
        log_event(session, current_user(), "add_account", "account", account.id, role=checked.value)
        return account


def _existing(session: Session, name: str) -> Account:
    account = store.account_named(session, name)
    if account is None:
        raise NotFoundError(f"no account is named {name!r}.", "Check the name against the list of accounts.")
    return account


def _keep_an_owner(session: Session, account: Account) -> None:
    if account.role == Role.OWNER and not account.disabled and store.enabled_owners(session) <= 1:
        raise AccountError(f"{account.name!r} is the project's only owner, and someone must manage accounts.",
                           "Make another account an owner first.")


def set_role(project: Project, name: str, role: str) -> Account:
    checked = _checked_role(role)
    with project.transaction() as session:
        account = _existing(session, name)
        if checked is not Role.OWNER:
            _keep_an_owner(session, account)
        store.set_role(session, account.id, checked.value)
        log_event(session, current_user(), "set_role", "account", account.id, role=checked.value,
                  was=account.role)
        return store.account_named(session, account.name)  # type: ignore[return-value]


def disable_account(project: Project, name: str) -> Account:
    """The account can no longer log in, and its open logins end now. Its events keep its name."""
    with project.transaction() as session:
        account = _existing(session, name)
        _keep_an_owner(session, account)
        store.set_disabled(session, account.id, True)
        log_event(session, current_user(), "disable_account", "account", account.id)
        return store.account_named(session, account.name)  # type: ignore[return-value]


def reset_password(project: Project, name: str, password: str) -> Account:
    """A new password; the account's open logins end and its failed attempts are forgiven. A disabled
    account stays disabled."""
    hashed = _hasher().hash(_checked_password(password))
    with project.transaction() as session:
        account = _existing(session, name)
        store.set_password_hash(session, account.id, hashed)
        store.end_logins(session, account.id)
        log_event(session, current_user(), "reset_password", "account", account.id)
        return store.account_named(session, account.name)  # type: ignore[return-value]


# -- logging in (the app) ---------------------------------------------------------------------------

@cache
def _dummy_hash() -> str:
    """A hash to check unknown names against, so they take as long to refuse as a wrong password."""
    return _hasher().hash(secrets.token_urlsafe(16))


def retry_delay(failures: int) -> timedelta:
    """How long after the `failures`-th wrong password in a row the next attempt waits: nothing for the
    first few, then 1 s, 2 s, 4 s ... up to `MAX_DELAY`."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - FREE_ATTEMPTS, 20)), MAX_DELAY)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def authenticate(project: Project, name: str, password: str, *, now: datetime | None = None,
                 lifetime: timedelta = LOGIN_LIFETIME) -> Login:
    """A login for `name`, or a `LoginError` that does not say whether the name exists. Every outcome
    is an event (never with the password); a wrong password makes that name's next attempts wait.
    A refusal is raised after its transaction commits, so the failure and its delay are kept."""
    moment = _now(now)
    with project.transaction() as session:
        outcome = _attempt(session, name.strip(), password, moment, lifetime)
    if isinstance(outcome, LoginError):
        raise outcome
    return outcome


def _refused() -> LoginError:
    return LoginError("that name and password do not match an account that may log in.",
                      "Check both and try again, or ask a project owner to reset your password.")


def _attempt(session: Session, name: str, password: str, moment: datetime,
             lifetime: timedelta) -> Login | LoginError:
    account = store.account_named(session, name)
    if account is None:
        _matches(_dummy_hash(), password)
        log_event(session, "(unknown account)", "login_failed", "account", None, reason="unknown name")
        return _refused()
    if account.retry_at is not None and account.retry_at > moment:
        wait = max(1, int((account.retry_at - moment).total_seconds() + 0.999))
        log_event(session, account.name, "login_failed", "account", account.id, reason="waiting")
        return LoginError(f"too many wrong passwords for this name: the next attempt is checked in {wait} s.",
                          "Wait, then try again, or ask a project owner to reset your password.")
    hashed = store.password_hash(session, account.id)
    if not _matches(hashed, password):
        failures = account.failures + 1
        delay = retry_delay(failures)
        store.record_failure(session, account.id, moment + delay if delay else None)
        log_event(session, account.name, "login_failed", "account", account.id, reason="wrong password",
                  failures=failures)
        return _refused()
    if account.disabled:
        log_event(session, account.name, "login_failed", "account", account.id, reason="disabled")
        return _refused()
    if _hasher().check_needs_rehash(hashed):
        store.set_password_hash(session, account.id, _hasher().hash(password))
    return _open_login(session, account, moment, lifetime, method="password")


def _open_login(session: Session, account: Account, moment: datetime, lifetime: timedelta,
                method: str) -> Login:
    store.record_success(session, account.id)
    store.end_logins(session, account.id, expired_by=moment)
    token = secrets.token_urlsafe(32)
    store.add_login(session, account.id, _token_hash(token), moment + lifetime)
    log_event(session, account.name, "login", "account", account.id, method=method)
    return Login(token, replace(account, failures=0, retry_at=None), moment + lifetime)


def single_sign_on(project: Project, name: str, *, now: datetime | None = None,
                   lifetime: timedelta = LOGIN_LIFETIME) -> Login:
    """A login for the account named `name` (an e-mail address, as the institution's identity provider
    gives it) once that provider has verified who this is: the app calls it only with the identity
    Streamlit's OIDC login (`st.login`) vouches for. No password; the account's role applies as for any
    login. Refused, and logged, when no enabled account has that name."""
    moment = _now(now)
    with project.transaction() as session:
        account = store.account_named(session, name.strip())
        if account is None or account.disabled:
            log_event(session, "(unknown account)" if account is None else account.name, "login_failed",
                      "account", None if account is None else account.id,
                      reason="no account for single sign-on" if account is None else "disabled")
            outcome: Login | LoginError = LoginError(
                "your single sign-on identity has no enabled account in this project.",
                "Ask a project owner to add an account named with your e-mail address.")
        else:
            outcome = _open_login(session, account, moment, lifetime, method="single sign-on")
    if isinstance(outcome, LoginError):
        raise outcome
    return outcome


def _matches(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def logged_in(project: Project, token: str | None, *, now: datetime | None = None) -> Account | None:
    """The account a login token stands for, or None once it has expired, ended, or its account was
    disabled or its password reset (the app then asks for a login again)."""
    if not token:
        return None
    with project.sessions() as session:
        return store.logged_in_account(session, _token_hash(token), _now(now))


def logout(project: Project, token: str) -> None:
    with project.transaction() as session:
        account = store.logged_in_account(session, _token_hash(token), datetime.now(UTC))
        store.end_login(session, _token_hash(token))
        if account is not None:
            log_event(session, account.name, "logout", "account", account.id)


# -- serving the app ---------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only ("localhost", 127.0.0.0/8, ::1). Any other
    name or address, 0.0.0.0 and :: included, may be reached from elsewhere."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def check_can_listen(project: Project, host: str) -> None:
    """Refuse to serve a project without accounts beyond loopback: anyone who reached it could read and
    change everything, under any name."""
    if not is_loopback(host) and not has_accounts(project):
        raise ServeError(f"the project has no accounts, so the app may listen on this machine only, not on "
                         f"{host!r}.", "Add an owner account first (then one for each person), or serve on "
                                       "127.0.0.1.")
