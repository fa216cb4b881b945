"""The command line that serves a project's app on a chosen address (the checks that it may are
`services.accounts.check_can_listen`). Pure: no Streamlit here."""

from __future__ import annotations

from pathlib import Path

from qualkit.app.options import streamlit_command


def serve_command(python: str, project: Path, *, host: str, port: int, read_only: bool = False) -> list[str]:
    """The app's usual command (headless, no usage statistics, the project's flags) listening on `host`."""
    command = streamlit_command(python, project, read_only=read_only, port=port)
    command[command.index("--server.address") + 1] = host
    return command
