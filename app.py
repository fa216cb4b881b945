"""Launcher for a checkout: `streamlit run app.py -- [--project PATH] [--read-only]`.

The app itself is `qualkit/app/entry/main.py`, inside the package (`qualkit app` runs that file directly)."""

import runpy

runpy.run_module("qualkit.app.entry.main", run_name="__main__")
