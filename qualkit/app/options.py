"""Which project the app serves and whether it may change it, from the command line, the environment
and the project's settings. Pure: no Streamlit here."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PROJECT = Path("demo-project")
PROJECT_VARIABLE, READ_ONLY_VARIABLE = "QUALKIT_PROJECT", "QUALKIT_READ_ONLY"  # the environment's say
TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AppOptions:
    project: Path
    read_only: bool  # asked for on the command line or in the environment (the project may also ask)


def parse_options(argv: Sequence[str], env: Mapping[str, str]) -> AppOptions:
    """`streamlit run app.py -- [--project PATH] [--read-only]`; QUALKIT_PROJECT and QUALKIT_READ_ONLY
    apply when no argument says otherwise. Read-only can only be switched on, never off, by any source."""
    parser = argparse.ArgumentParser(prog="app.py", add_help=False)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--read-only", action="store_true")
    args, _ = parser.parse_known_args(list(argv))
    project = args.project or Path(env.get(PROJECT_VARIABLE) or DEFAULT_PROJECT)
    read_only = args.read_only or env.get(READ_ONLY_VARIABLE, "").strip().lower() in TRUE_WORDS
    return AppOptions(project, read_only)


APP_SCRIPT = Path(__file__).resolve().parent / "entry" / "main.py"  # inside the package: installed or not


def streamlit_command(python: str, project: Path, *, read_only: bool = False, port: int = 8501) -> list[str]:
    """The command line serving `project` on localhost only, headless, with no usage statistics."""
    return [python, "-m", "streamlit", "run", str(APP_SCRIPT), "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
            "--", "--project", str(project.resolve()), *(["--read-only"] if read_only else [])]
