"""Writing one script's section of BENCHMARKS.md, keeping every other section as it is."""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path

INTRO = """# Benchmarks

Performance measurements of qualkit, each section written by the script it names (run it with
`--record` to refresh that section). The numbers come from a 2-core shared development machine
whose speed varies from run to run, so absolute seconds are indicative only: compare the *ratios*
to the baseline measured in the same run, and re-run on your own hardware before drawing
conclusions.
"""


def write_section(path: Path, heading: str, command: str, body: str) -> None:
    """Replace (or append) the section starting with `heading`, stamped with the command and machine."""
    section = "\n".join([
        heading, "",
        f"Run on {date.today().isoformat()} with `{command}`; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.system()}).", "",
        body, "",
    ])
    text = path.read_text(encoding="utf-8") if path.exists() else INTRO
    start = text.find(heading)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        following = text.find("\n## ", start + len(heading))
        rest = text[following + 1:] if following != -1 else ""
        text = text[:start] + section.rstrip("\n") + ("\n\n" + rest if rest else "")
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
