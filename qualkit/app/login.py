"""The app's login, for a project with accounts (a project without them needs none: one person's app on
localhost, as before).

The login token lives in this browser session's state and is checked against the project on every
run, so a login that expired, was ended, or whose account was disabled asks for the password again at
the next click. Only when the person ticks "Keep me logged in" is it also kept in this browser
(components/login.js), so a reload or a new tab resumes it until it expires or they log out. What the
account's role may open and do is decided in `services.accounts`.

Single sign-on is an option: with an `[auth]` section in `.streamlit/secrets.toml` (Streamlit's OIDC
login, `st.login`), the form also offers the institution's login, and a person the provider has verified
is logged in to the account named with their e-mail address, with that account's role.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import streamlit as st

from qualkit.app import components, gateway
from qualkit.errors import QualkitError
from qualkit.escaping import markdown_text
from qualkit.services import accounts
from qualkit.services.accounts import Account

TOKEN = gateway.LOGIN  # session state key of the login token
WANTED = "qualkit_wanted"  # the page (URL path, query) a browser asked for before logging in
KEEP = "qualkit_keep_login"  # session state: this login is to be kept in this browser
FORGET = "qualkit_forget_login"  # session state: remove the login kept in this browser (a logout)
RESTORED = "qualkit_login_restored"  # session state: this session has asked the browser for a kept login
MEMORY = "qualkit_login_memory"  # the component's key


def gate() -> Account | None:
    """The logged-in account; on a project with accounts and no login yet, the login form and nothing
    else (the page stops here). None on a project without accounts."""
    if not gateway.team():
        return None
    found = gateway.account()
    if found is None:
        ended = st.session_state.pop(TOKEN, None) is not None  # expired, ended or disabled: not kept either
        forget = st.session_state.pop(FORGET, False) or ended
        restore = not forget and not st.session_state.get(RESTORED)
        components.login_memory(_project_key(), key=MEMORY, forget=forget, restore=restore,
                                on_stored=_restored)
        if forget:
            st.session_state.pop(KEEP, None)
        if WANTED not in st.session_state:  # a link followed before logging in opens after it
            st.session_state[WANTED] = (urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1],
                                        st.query_params.to_dict())
        if st.user.get("is_logged_in"):
            _single_sign_on()
        else:
            _form()
        st.stop()
    if st.session_state.get(KEEP):
        components.login_memory(_project_key(), key=MEMORY, keep=st.session_state[TOKEN])
    return found


def _project_key() -> str:
    """Names this project's kept login in the browser (several projects may be served from one address)."""
    return hashlib.sha256(str(gateway.project().folder.resolve()).encode("utf-8")).hexdigest()[:16]


def _restored() -> None:
    """The browser gave back a kept login: checked like any other on the run this callback starts."""
    st.session_state[RESTORED] = True
    stored = components.trigger(MEMORY, "stored")
    if stored and stored.get("token") and not st.session_state.get(TOKEN):
        st.session_state[TOKEN] = stored["token"]


def _single_sign_on() -> None:
    """The identity the OIDC provider verified, logged in to its account (or told it has none)."""
    try:
        login = accounts.single_sign_on(gateway.project(), str(st.user.get("email") or ""))
    except QualkitError as error:
        st.error(markdown_text(str(error)))
        if st.button("Log out of single sign-on", key="sso_logout"):
            st.logout()
        return
    st.session_state[TOKEN] = login.token
    st.rerun()


def _form() -> None:
    st.title("Log in")
    st.caption(f"Project: **{markdown_text(gateway.project().config.name)}**")
    with st.form("login"):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        keep = st.checkbox("Keep me logged in on this browser", help="Until the login expires or you log "
                           "out, a reload or a new tab resumes it. Leave it off on a shared computer.")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            login = accounts.authenticate(gateway.project(), name, password)
        except QualkitError as error:
            st.error(markdown_text(str(error)))
            return
        st.session_state[TOKEN] = login.token
        st.session_state[KEEP] = keep
        st.rerun()
    if "is_logged_in" in st.user and st.button("Log in with single sign-on", key="sso_login"):
        st.login()  # only where `[auth]` is configured: st.user then says whether someone is logged in


def resume(pages: list[st.Page]) -> None:
    """Just after a login, the page the browser asked for before it, if this login may open it."""
    name, query = st.session_state.pop(WANTED, ("", {}))
    page = next((page for page in pages if name and page.url_path == name), None)
    if page is not None:
        st.switch_page(page, query_params=query)


def may_open(page: str) -> bool:
    """Whether this browser session may open the page `page` (its module name under app/pages/):
    always on a project without accounts."""
    if not gateway.team():
        return True
    found = gateway.account()
    return found is not None and accounts.may_open(found.role, page)


def logout() -> None:
    """End this browser session's login (and its single sign-on, which would otherwise log it in again)."""
    token = st.session_state.pop(TOKEN, None)
    if token:
        accounts.logout(gateway.project(), token)
    st.session_state[FORGET] = True  # and the login kept in this browser, if any
    if st.user.get("is_logged_in"):
        st.logout()
    st.rerun()


def sidebar(found: Account) -> None:
    """Who is logged in, and the way out."""
    st.caption(markdown_text(f"Logged in as {found.name} ({found.role})"))
    if st.button("Log out", icon=":material/logout:", key="logout"):
        logout()
