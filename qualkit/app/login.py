"""The app's login, for a project with accounts (a project without them needs none: one person's app on
localhost, as before).

The login token lives in this browser session's state only and is checked against the project on every
run, so a login that expired, was ended, or whose account was disabled asks for the password again at
the next click. What the account's role may open and do is decided in `services.accounts`.
"""

from __future__ import annotations

import streamlit as st

from qualkit.app import gateway
from qualkit.errors import QualkitError
from qualkit.escaping import markdown_text
from qualkit.services import accounts
from qualkit.store.accounts import Account

TOKEN = "qualkit_login"  # session state key of the login token


def team_project() -> bool:
    """Whether the project has accounts, so the app asks for a login."""
    return accounts.has_accounts(gateway.project())


def account() -> Account | None:
    """The account logged in in this browser session, or None (never logged in, or the login ended)."""
    token = st.session_state.get(TOKEN)
    if not token:
        return None
    found = accounts.logged_in(gateway.project(), token)
    if found is None:
        st.session_state.pop(TOKEN, None)
    return found


def gate() -> Account | None:
    """The logged-in account; on a project with accounts and no login yet, the login form and nothing
    else (the page stops here). None on a project without accounts."""
    if not team_project():
        return None
    found = account()
    if found is None:
        _form()
        st.stop()
    return found


def _form() -> None:
    st.title("Log in")
    st.caption(f"Project: **{markdown_text(gateway.project().config.name)}**")
    with st.form("login"):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            login = accounts.authenticate(gateway.project(), name, password)
        except QualkitError as error:
            st.error(markdown_text(str(error)))
            return
        st.session_state[TOKEN] = login.token
        st.rerun()


def may_open(page: str) -> bool:
    """Whether this browser session may open the page `page` (its module name under app/pages/):
    always on a project without accounts."""
    if not team_project():
        return True
    found = account()
    return found is not None and accounts.may_open(found.role, page)


def logout() -> None:
    token = st.session_state.pop(TOKEN, None)
    if token:
        accounts.logout(gateway.project(), token)


def sidebar(found: Account) -> None:
    """Who is logged in, and the way out."""
    st.caption(markdown_text(f"Logged in as {found.name} ({found.role})"))
    st.button("Log out", icon=":material/logout:", on_click=logout, key="logout")
