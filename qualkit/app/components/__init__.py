"""The app's own Streamlit components (st.components.v2): plain JavaScript and CSS shipped inside the
package, read from here and registered inline, so there is no build step and nothing is loaded from
the network. Text from data reaches the browser as JSON and is set with `textContent`, never as HTML."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import streamlit as st

_HERE = files(__name__)


def _asset(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


_document = st.components.v2.component("qualkit_document", js=_asset("document.js"),
                                       css=_asset("document.css"), isolate_styles=False)
_actor = st.components.v2.component("qualkit_actor", js=_asset("actor.js"))
_login = st.components.v2.component("qualkit_login", js=_asset("login.js"))


def document_view(data: dict[str, Any], *, key: str, on_coded: Any, on_action: Any) -> Any:
    """The Document page's reader (see document.js for `data`): `coded` fires with a selection's
    {start, end, text, codes}, `action` with a stripe's {id, action}."""
    return _document(key=key, data=data, on_coded_change=on_coded, on_action_change=on_action,
                     height="content")


def actor_memory(name: str, restore: bool, *, key: str, on_stored: Any) -> Any:
    """Keeps the sidebar's name in this browser's localStorage; with `restore`, gives back the stored
    name (`stored` fires with {name})."""
    return _actor(key=key, data={"name": name, "restore": restore}, on_stored_change=on_stored,
                  height=0)


def login_memory(project: str, *, key: str, keep: str | None = None, forget: bool = False,
                 restore: bool = False, on_stored: Any = None) -> Any:
    """This browser's kept login for `project` (see login.js): `keep` stores a token, `forget` removes
    it, `restore` gives it back (`stored` fires with {token})."""
    return _login(key=key, data={"project": project, "keep": keep, "forget": forget, "restore": restore},
                  on_stored_change=on_stored, height=0)


def trigger(key: str, name: str) -> Any:
    """A component's trigger value `name` in a callback (None when it did not fire)."""
    state = st.session_state.get(key)
    if state is None:
        return None
    if isinstance(state, dict):
        return state.get(name)
    return getattr(state, name, None)
