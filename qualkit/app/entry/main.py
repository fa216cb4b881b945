"""qualkit's app: `qualkit app [PROJECT] [--read-only]` runs this script with Streamlit (from a checkout,
`streamlit run app.py -- --project PATH` runs it too, through the top-level launcher).

A thin layer: pages live in qualkit/app/pages/ and reach the project only through qualkit.app.gateway,
which calls qualkit.services. Everything it serves lies inside the package, so an installed qualkit
serves the same app as a checkout. It sits in a folder of its own because Streamlit reads a `pages/`
folder beside the entry script as old-style pages, which would bypass `st.navigation` (and read-only).
"""

from pathlib import Path

import streamlit as st

from qualkit.app import components, gateway, login
from qualkit.config import CONFIG_FILE
from qualkit.errors import QualkitError

# A local file: an emoji or ":material/...:" icon would be fetched from the internet by the browser.
HERE = Path(__file__).resolve().parents[1]  # qualkit/app
FAVICON = HERE / "static" / "favicon.png"
st.set_page_config(page_title="qualkit", page_icon=str(FAVICON), layout="wide")

PAGES = HERE / "pages"


def pages(*specs: tuple[str, str, str, bool]) -> list[st.Page]:
    """The pages (module, title, icon, default?) this login may open (all of them on a project without
    accounts): a direct URL to another one is not a page of this app, and shows the default page."""
    return [st.Page(f"{PAGES}/{name}.py", title=title, icon=icon, default=default)
            for name, title, icon, default in specs if login.may_open(name)]


def serve() -> None:
    """One run of the app: the login gate, the pages this browser session may open, the sidebar."""
    folder = gateway.options().project
    if not (folder / CONFIG_FILE).is_file():
        st.error(f"{folder} is not a qualkit project (no {CONFIG_FILE}).")
        st.info("Build the demo with `qualkit demo`, or start the app on a project: `qualkit app PROJECT`.")
        st.stop()
    try:
        signed_in = login.gate()  # a project with accounts: the login form until someone logs in
        read_only = gateway.read_only()  # a read-only project, or a viewer
    except QualkitError as error:
        st.error(str(error))
        st.stop()

    sharing = pages(("themes", "Themes", ":material/insights:", read_only),
                    ("reports", "Reports & export", ":material/description:", False))
    working = pages(("project", "Project", ":material/folder_open:", not read_only),
                    ("codebook", "Codebook", ":material/account_tree:", False),
                    ("document", "Document", ":material/article:", False),
                    ("search", "Search", ":material/search:", False),
                    ("review", "Code & validate", ":material/fact_check:", False),
                    ("topics", "Topics", ":material/bubble_chart:", False),
                    ("anonymise", "Anonymise", ":material/visibility_off:", False))
    navigation = st.navigation({"Browse": sharing} if read_only else {"Work": working, "Share": sharing})
    if signed_in is not None:
        login.resume(sharing + working)

    with st.sidebar:
        st.caption(f"Project: **{gateway.project().config.name}**")
        if signed_in is not None:
            login.sidebar(signed_in)
        if read_only:
            st.info("Read-only: themes and reports only; every quote is anonymised.", icon=":material/lock:")
        elif signed_in is None:
            def restored() -> None:
                stored = components.trigger("actor_memory", "stored")
                if stored and stored.get("name") and not st.session_state.get("actor"):
                    st.session_state["actor"] = stored["name"]
                st.session_state["actor_restored"] = True

            def named() -> None:
                st.session_state["actor_restored"] = True

            restore = not st.session_state.get("actor_restored") and not st.session_state.get("actor")
            components.actor_memory(st.session_state.get("actor") or "", restore,
                                    key="actor_memory", on_stored=restored)
            st.text_input("Your name (for the audit trail)", key="actor", placeholder="e.g. Ana Ruiz",
                          on_change=named,
                          help="Every change you make is logged with this name; this browser remembers it.")

    navigation.run()


with gateway.script_run():
    serve()
