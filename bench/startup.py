"""Start-up time of the command line: `qualkit --help` and `qualkit status PROJECT`.

    .venv/bin/python bench/startup.py [--runs 9] [--project PATH] [--before REV] [--record] [--out FILE]

Each command runs as a fresh process, `--runs` times, round-robin with a baseline (`python -c pass`)
so that load on a shared machine falls on every row alike; the table gives each command's median
wall time and its ratio to the baseline's median in the same run. Target (issue 14): `--help` and
`status` under 1 s.

Without `--project`, the status row reads a throwaway project holding the demo corpus and its
participants sheet (imported, not coded: `status` reads the same tables either way). `--before REV`
adds the same commands run from the source of git revision REV (`git archive`, put first on
PYTHONPATH), for a before/after in one run. With `--record` the table becomes the `## Start-up`
section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from benchmarks_md import write_section  # noqa: E402

SECTION = "## Start-up (bench/startup.py)"
DEMO = ROOT / "corpora" / "demo"
TARGET_S = 1.0


def qualkit(*args: str) -> list[str]:
    """`qualkit ARGS` through this interpreter (`python -m qualkit`: the console script's imports)."""
    return [sys.executable, "-m", "qualkit", *args]


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds `command` takes, run outside the repository (whose qualkit/
    would shadow `--before`'s). CPU time leaves out waiting for a core on a busy machine."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)


def demo_project(folder: Path, env: dict[str, str]) -> Path:
    """The demo corpus and its participants sheet imported (by the qualkit `env` runs) into `folder`."""
    project = folder.resolve()
    for args in (("init", str(project)), ("import", str(project), str(DEMO)),
                 ("participants", str(project), str(DEMO / "participants.csv"))):
        subprocess.run(qualkit(*args), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False, cwd=tempfile.gettempdir())  # the sheet in the folder is reported
    subprocess.run(qualkit("status", str(project)), env=env, stdout=subprocess.DEVNULL, check=True,
                   cwd=tempfile.gettempdir())
    return project


def source_of(revision: str, folder: Path) -> Path:
    """The qualkit package as it was at `revision`, to import instead of the working tree's."""
    target = folder / "before"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "qualkit"], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(rows: dict[str, tuple[list[str], dict[str, str]]],
            runs: int) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in rows}
    for command, env in rows.values():  # one unmeasured pass: disk caches, .pyc files
        run(command, env)
    for _ in range(runs):
        for label, (command, env) in rows.items():
            times[label].append(run(command, env))
    return times


def import_shares(command: list[str], env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Seconds `command` spends importing (`python -X importtime`, one run), in total and by top-level
    package (qualkit's by subpackage; each module's own time, summed), largest first."""
    traced = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env,
                            cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=True).stderr
    by_package: dict[str, float] = {}
    for line in traced.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        parts = name.strip().split(".")
        root = ".".join(parts[:2] if parts[0] == "qualkit" else parts[:1])
        by_package[root] = by_package.get(root, 0.0) + int(own) / 1e6
    return sum(by_package.values()), sorted(by_package.items(), key=lambda item: -item[1])


def render(times: dict[str, list[tuple[float, float]]], baseline: str, runs: int, project: str,
           before: str | None, shares: tuple[float, list[tuple[str, float]]]) -> str:
    base = statistics.median(wall for wall, _ in times[baseline])
    base_cpu = statistics.median(cpu for _, cpu in times[baseline])
    lines = [
        f"A fresh process per command (median of {runs}, round-robin): wall time, its ratio to "
        f"`python -c pass` in the same run (median {base * 1000:.0f} ms wall, {base_cpu * 1000:.0f} ms CPU), "
        "and CPU time (user + system), which leaves out waiting for a core on a busy machine. Target: "
        f"`qualkit --help` and `qualkit status` under {TARGET_S:.0f} s.", "",
        "| command | median ms | max ms | × `python -c pass` | CPU ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, measured in times.items():
        if label == baseline:
            continue
        walls = [wall for wall, _ in measured]
        median = statistics.median(walls)
        cpu = statistics.median(cpu for _, cpu in measured)
        lines.append(f"| {label} | {median * 1000:.0f} | {max(walls) * 1000:.0f} | {median / base:.1f}× "
                     f"| {cpu * 1000:.0f} |")
    lines += ["", f"`status` reads {project}."]
    if before:
        lines.append(f"Rows marked `{before}` run the package as it was at that revision, in the same run.")
    total, packages = shares
    lines += ["", f"Where `qualkit status` spends its imports ({total * 1000:.0f} ms in one run of "
              "`python -X importtime`; each package's own modules):", "",
              "| package | ms | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {seconds * 1000:.0f} | {seconds / total:.0%} |" for name, seconds in packages[:8]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs of each command")
    parser.add_argument("--project", type=Path, help="project for `status` (default: the demo corpus, "
                                                     "imported into a throwaway project)")
    parser.add_argument("--before", metavar="REV", help="also run the package of git revision REV")
    parser.add_argument("--record", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="file for --record")
    args = parser.parse_args(argv)

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    workdir = Path(tempfile.mkdtemp(prefix="qualkit-startup-"))
    try:
        baseline = "`python -c pass`"
        rows = {baseline: ([sys.executable, "-c", "pass"], env)}
        sources = [("", env)]
        if args.before:
            old = source_of(args.before, workdir)
            sources.append((f" ({args.before})", {**env, "PYTHONPATH": str(old)}))
        projects = []
        for number, (tag, source_env) in enumerate(sources):
            project = args.project.resolve() if args.project else \
                demo_project(workdir / f"demo{number}", source_env)  # settings a revision can read
            projects.append(project)
            rows[f"`qualkit --help`{tag}"] = (qualkit("--help"), source_env)
            rows[f"`qualkit status PROJECT`{tag}"] = (qualkit("status", str(project)), source_env)
            rows[f"`python -c 'import qualkit.cli'`{tag}"] = ([sys.executable, "-c", "import qualkit.cli"],
                                                             source_env)
        times = measure(rows, args.runs)
        shares = import_shares(qualkit("status", str(projects[0])), env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    shown_project = f"`{args.project}`" if args.project else \
        "the demo corpus imported with its participants sheet into a throwaway project (not coded)"
    body = render(times, baseline, args.runs, shown_project, args.before, shares)
    print(body)
    if args.record:
        shown = sys.argv[1:] if argv is None else argv
        if SECTION not in args.out.read_text(encoding="utf-8"):
            place_before_app(args.out)
        write_section(args.out, SECTION, " ".join([".venv/bin/python", "bench/startup.py", *shown]), body)
        print(f"\nRecorded in {args.out}", file=sys.stderr)
    return 0


def place_before_app(path: Path) -> None:
    """A first recording puts the section just before the app's, where it belongs in the file's order."""
    text = path.read_text(encoding="utf-8")
    anchor = "\n## App"
    if anchor in text:
        path.write_text(text.replace(anchor, f"\n{SECTION}\n{anchor}", 1), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
