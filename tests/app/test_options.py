"""Which project the app serves, read-only or not, and the command `qualkit app` runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualkit import services
from qualkit.app.options import APP_SCRIPT, DEFAULT_PROJECT, parse_options, streamlit_command
from qualkit.cli import app


def test_arguments_win_over_the_environment_and_read_only_only_switches_on() -> None:
    assert parse_options([], {}) == parse_options(["--other"], {"QUALKIT_READ_ONLY": "0"})
    assert parse_options([], {}).project == DEFAULT_PROJECT and not parse_options([], {}).read_only
    env = {"QUALKIT_PROJECT": "/env/p", "QUALKIT_READ_ONLY": "true"}
    assert parse_options([], env).project == Path("/env/p") and parse_options([], env).read_only
    assert parse_options(["--project", "/arg/p"], env).project == Path("/arg/p")
    assert parse_options(["--read-only"], {"QUALKIT_READ_ONLY": "no"}).read_only


def test_the_command_serves_on_localhost_only_without_usage_statistics(tmp_path: Path) -> None:
    command = streamlit_command("python", tmp_path, read_only=True, port=8600)
    assert command[:5] == ["python", "-m", "streamlit", "run", str(APP_SCRIPT)]
    flags = dict(zip(command[5:15:2], command[6:15:2], strict=True))
    assert flags == {"--server.headless": "true", "--server.address": "127.0.0.1", "--server.port": "8600",
                     "--browser.gatherUsageStats": "false", "--client.toolbarMode": "minimal"}
    assert command[15:] == ["--", "--project", str(tmp_path.resolve()), "--read-only"]
    assert APP_SCRIPT.is_file()


def test_qualkit_app_execs_streamlit_on_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    services.init_project(tmp_path / "p")
    ran: list[list[str]] = []
    monkeypatch.setattr("qualkit.cli.os.execv", lambda path, argv: ran.append(argv))
    result = CliRunner().invoke(app, ["app", str(tmp_path / "p"), "--port", "8601"])
    assert result.exit_code == 0, result.output
    assert ran == [streamlit_command(sys.executable, tmp_path / "p", port=8601)]
    result = CliRunner().invoke(app, ["app", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "not a qualkit project" in result.stderr and len(ran) == 1
