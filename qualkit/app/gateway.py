"""The app's only way to the project: reads cached per project version, writes refused in read-only mode.

Every write logs an event, so the newest event id is a version that any write, from this browser
session or another, moves on; cached reads are keyed on it and never go stale. The version (and the
login) is read once per script run, not once per read: a page of sixty quotes would otherwise ask the
database for it hundreds of times. Models and the open project are cached once per process.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from qualkit import services
from qualkit.app.options import PROJECT_VARIABLE, READ_ONLY_VARIABLE, AppOptions, parse_options
from qualkit.errors import QualkitError, ReadOnlyError
from qualkit.escaping import markdown_text
from qualkit.services import accounts, app_support

T = TypeVar("T")
UNNAMED = "app user (no name given)"
LOGIN = "qualkit_login"  # session state key of this browser session's login token (app/login.py)
RUN = "qualkit_run"  # session state key of what this script run has read once (see `script_run`)


class NoNameError(QualkitError):
    """A change asked for before the person in the app gave their name."""

# Services that only read: the ones `read` may call (so no write can slip through a cache).
READS = frozenset({
    "project_status", "list_documents", "list_participants", "current_codebook", "review_queue",
    "list_redactions", "list_terms", "theme_summaries", "accepted_codings", "list_memos",
    "anonymised_segments", "agreement_summary", "agreement", "document_in_context", "segment_context",
    "segment_places",
    "search_corpus", "search_speakers", "configured_coder", "anonymisation_state",
    "machine_agreement_since_run", "counts_by_group",
})
# Reads no coding, decision or memo changes: keyed on the queue version, which those writes leave alone, so
# coding the hits of a search does not search the corpus again.
CODING_BLIND = frozenset({"search_corpus", "search_speakers"})
# Reads only imports, groups and names change: keyed on the text version, so a decision reads them not again.
TEXT_BOUND = frozenset({"counts_by_group"})


# Services that write only files of anonymised output (and an audit event), never project data: the
# ones `produce` may call, read-only or not.
OUTPUTS = frozenset({"write_report", "export"})


def options() -> AppOptions:
    """Which project and whether read-only: worked out once per command line and environment (every
    gateway call asks, and parsing builds an argparse parser that reads the file system)."""
    return _options(tuple(sys.argv[1:]), os.environ.get(PROJECT_VARIABLE), os.environ.get(READ_ONLY_VARIABLE))


@functools.lru_cache(maxsize=8)
def _options(argv: tuple[str, ...], project: str | None, read_only: str | None) -> AppOptions:
    env = {name: value for name, value in ((PROJECT_VARIABLE, project), (READ_ONLY_VARIABLE, read_only))
           if value is not None}
    found = parse_options(argv, env)
    return AppOptions(found.project.resolve(), found.read_only)


@st.cache_resource(show_spinner=False)
def _open(folder: str, asked_read_only: bool = False) -> services.Project:
    """The project, opened read-only (every write refused, audit events included) when the command
    line, the environment or the project's own settings say so."""
    project = services.open_project(Path(folder))
    if asked_read_only or project.config.app.read_only:
        project = services.open_project(Path(folder), read_only=True)
    project.sessions  # noqa: B018  (opens and migrates the database once, not on first use)
    return project


def project() -> services.Project:
    found = options()
    return _open(str(found.project), found.read_only)


def read_only() -> bool:
    """Whether this browser session only browses: a project opened read-only, or a viewer's login
    (pages then offer no edit and link to no original text; reads go through a read-only handle)."""
    if project().read_only:
        return True
    found = account()
    return found is not None and not accounts.may_call(found.role, "decide")


def team() -> bool:
    """Whether the project has accounts, so this app asks for a login."""
    return _has_accounts(str(project().folder.resolve()), project().read_only, version())


@st.cache_data(max_entries=8, show_spinner=False)
def _has_accounts(folder: str, asked_read_only: bool, at_version: int) -> bool:
    """`at_version` is only a cache key: adding an account logs an event."""
    return accounts.has_accounts(_open(folder, asked_read_only))


@contextmanager
def script_run() -> Iterator[None]:
    """One run of the app's script (the entry script wraps each run in it): the project version and the
    login are read once within it. Outside a run (widget callbacks run before it) they are read afresh."""
    st.session_state[RUN] = {}
    try:
        yield
    finally:
        st.session_state.pop(RUN, None)


def _once_per_run(key: Any, compute: Callable[[], T]) -> T:
    """`compute()`, remembered until this script run ends or this session writes."""
    memo = st.session_state.get(RUN)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _written() -> None:
    """This session changed the project: what the run remembered (the version above all) is read again."""
    if st.session_state.get(RUN) is not None:
        st.session_state[RUN] = {}


def account() -> services.Account | None:
    """The account logged in in this browser session: None before a login, once it has ended or
    expired, and on a project without accounts."""
    token = st.session_state.get(LOGIN)
    return _once_per_run(("account", token), lambda: accounts.logged_in(project(), token)) if token else None


def allowed(service: str) -> services.Account | None:
    """On a project with accounts, the logged-in account, if its role may call `service` (else a
    `NotAllowedError`, or a `LoginError` once the login has ended); None on a project without."""
    if not team():
        return None
    found = account()
    if found is None:
        raise accounts.LoginError("you are not logged in, or your login has ended.", "Log in again.")
    accounts.require(found, service)
    return found


def version() -> int:
    return _once_per_run("version", lambda: services.project_version(project()))


def queue_version() -> int:
    return _once_per_run("queue_version", lambda: app_support.queue_version(project()))


def text_version() -> int:
    return _once_per_run("text_version", lambda: app_support.text_version(project()))


def read(name: str, **kwargs: Any) -> Any:
    """`services.<name>(project, **kwargs)`, computed once per project version and arguments."""
    if name not in READS:
        raise ValueError(f"{name} is not a read-only service")
    allowed(name)
    at_version = (queue_version() if name in CODING_BLIND else text_version() if name in TEXT_BOUND
                  else version())
    return _cached_read(str(project().folder.resolve()), read_only(), at_version, name,
                        tuple(sorted(kwargs.items())))


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_read(folder: str, asked_read_only: bool, at_version: int, name: str,
                 kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """`at_version` is only a cache key: a write moves it on, so the read is done again."""
    return getattr(services, name)(_open(folder, asked_read_only), **dict(kwargs))


def queue(**filters: Any) -> list[Any]:
    """`services.review_queue(**filters)` as it stands now, at a cost that does not grow with the project:
    ranked once per queue version (coder runs, imports, codebook changes move it on; decisions do not),
    then narrowed to the codings still waiting (a cheap look-up of those ids). When most of a full ranking
    has been decided, it is ranked again, so the queue refills."""
    allowed("review_queue")
    folder, key = str(project().folder.resolve()), tuple(sorted(filters.items()))
    rounds = st.session_state.setdefault("qualkit_queue_rounds", {})
    at_version = queue_version()
    left: list[Any] = []
    for _ in range(2):
        ranked = _cached_queue(folder, read_only(), at_version, rounds.get(key, 0), key)
        waiting = app_support.still_waiting(project(), [item.id for item in ranked],
                                            filters.get("status", "suggested"))
        left = [item for item in ranked if item.id in waiting]
        if len(ranked) < filters.get("limit", 0) or len(left) * 3 >= len(ranked):
            break
        rounds[key] = rounds.get(key, 0) + 1  # mostly decided: rank the queue again
    return left


@st.cache_data(max_entries=32, show_spinner=False)
def _cached_queue(folder: str, asked_read_only: bool, at_version: int, round_: int,
                  filters: tuple[tuple[str, Any], ...]) -> list[Any]:
    """`at_version` and `round_` are only cache keys (see `queue`)."""
    return services.review_queue(_open(folder, asked_read_only), **dict(filters))


def quotes(code: str | None = None, group: str | None = None, search: str | None = None,
           limit: int = 50) -> list[services.Quote]:
    """`services.theme_quotes` through one `services.QuoteIndex` per code and version, shared by every
    browser session: quotes of one code read that code's codings alone (the page drawn after a decision
    reads a fraction), a search of every code takes the codes in order until it has `limit` quotes (a
    common word reads one or two), and the texts are those kept per text version."""
    allowed("theme_quotes")
    folder, asked_read_only, at_version = str(project().folder.resolve()), read_only(), version()
    keys = [code] if code is not None else _cached_read(folder, asked_read_only, at_version,
                                                         "accepted_code_keys", ())
    found: list[services.Quote] = []
    for key in keys:
        index = _quote_index(folder, asked_read_only, at_version, text_version(), key)
        found += index.quotes(key, group, search, limit - len(found))
        if len(found) >= limit:
            break
    return found


@st.cache_resource(max_entries=128, show_spinner=False)
def _quote_index(folder: str, asked_read_only: bool, at_version: int, at_text_version: int,
                 code: str) -> services.QuoteIndex:
    """The project's quote index of `code` at `at_version` (only a cache key, see
    `_cached_read`). A resource, not data: shared, not copied per call. Its texts and labels are those kept
    per text version, which a decision or a new coding leaves alone: a new version reads codings only."""
    texts = _quote_texts(folder, asked_read_only, at_text_version)
    return services.quote_index(_open(folder, asked_read_only), texts=texts, code=code)


@st.cache_resource(max_entries=2, show_spinner=False)
def _quote_texts(folder: str, asked_read_only: bool, at_text_version: int) -> services.QuoteTexts:
    """The anonymised view and segment labels at `at_text_version` (only a cache key); the view keeps the
    texts it has made, so the quote index of the next version makes none again."""
    return services.quote_texts(_open(folder, asked_read_only))


def produce(name: str, **kwargs: Any) -> Any:
    """`services.<name>(project, **kwargs)` for a service that writes an anonymised output file."""
    if name not in OUTPUTS:
        raise ValueError(f"{name} is not an output service")
    try:
        if (found := allowed(name)) is not None:
            return accounts.perform(found, getattr(services, name), project(), **kwargs)
        with services.acting_as(actor() or UNNAMED):
            return getattr(services, name)(project(), **kwargs)
    finally:
        _written()  # its audit event moved the version on


def write(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(project, *args, **kwargs)` for a service that changes the project; refused when read-only,
    and on a project with accounts unless the logged-in account's role allows it (then done as that
    account)."""
    if project().read_only:
        raise ReadOnlyError("this app is open read-only, so nothing can be changed.",
                            "Ask the project's owner for an editable copy, or open it without --read-only.")
    found = allowed(fn.__name__)
    try:
        if found is not None:
            return accounts.perform(found, fn, project(), *args, **kwargs)
        who = actor()
        if not who:
            raise NoNameError("the app does not know who you are, and every change is logged with a name.",
                              "Type your name in the sidebar (this browser remembers it), then try again.")
        with services.acting_as(who):  # every event of the service names this person, never the OS user
            return fn(project(), *args, **kwargs)
    finally:
        _written()  # the version moved on (or may have, if it failed half-way): read it again


def act(message: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """`write`, then a short confirmation; a QualkitError is shown as the error it is, not raised."""
    try:
        result = write(fn, *args, **kwargs)
    except QualkitError as error:
        notice("error", str(error))
        return None
    st.toast(markdown_text(message))
    return result


def notice(kind: str, text: str) -> None:
    """A message ("success", "info", "warning" or "error") for the top of the page on its next run:
    actions run in callbacks or just before a rerun, after the page has drawn its top."""
    st.session_state.setdefault("qualkit_notices", []).append((kind, text))


def show_notices() -> None:
    for kind, text in st.session_state.pop("qualkit_notices", []):
        getattr(st, kind)(markdown_text(text))  # messages name files, codes and people: shown as written


def actor() -> str:
    """Who the audit trail names for this browser session's changes: the logged-in account on a project
    with accounts; else the name given in the sidebar (remembered in this browser), else QUALKIT_USER;
    never the login running the server ("" when none is given, and `write` then asks for a name)."""
    if (found := account()) is not None:
        return found.name
    return (st.session_state.get("actor") or "").strip() or os.environ.get("QUALKIT_USER", "").strip()
