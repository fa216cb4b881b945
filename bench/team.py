"""Team benchmark: review decisions per second with 1, 2 and 4 people deciding at once, on PostgreSQL and
on SQLite in the same run.

Usage::

    .venv/bin/python bench/team.py [--per-writer 150] [--record]

What it does
------------
1. Builds, outside the timings, one project per database with enough suggestions for every round: the
   test codebook and generated interview lines, suggestions stored by the tests' keyword coder (no model
   to load: what is measured is the database, not a coder). PostgreSQL is the server at
   ``QUALKIT_TEST_POSTGRES_URL``, else a throwaway cluster started here (``tests/pg.py``).
2. For 1, 2 and 4 writers: that many processes open the project, wait until all are ready, then each
   decides ``--per-writer`` suggestions of its own, one transaction per decision (``services.decide``,
   as a reviewer's click does), accepting two in three. The time runs from the common start to the last
   writer's end; decisions per second = all decisions / that time.
3. Reports decisions per second per database and writer count, and PostgreSQL's against SQLite's in the
   same run (the ratio is what to compare across machines). SQLite takes one writer at a time (WAL,
   busy timeout): more writers wait their turn there, while PostgreSQL's run side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the keyword coder double and the throwaway PostgreSQL cluster

import pg  # noqa: E402
from benchmarks_md import write_section  # noqa: E402

from qualkit import services  # noqa: E402
from qualkit.coders import embeddings  # noqa: E402

from coding_doubles import BagOfWordsEmbedder, write_sources, write_units  # noqa: E402

HEADING = "## Team server (bench/team.py)"
WRITER_COUNTS = (1, 2, 4)
# One writer: open the project, say it is ready, wait for the go file, decide, print the end time.
WRITER = """
import json, sys, time
from pathlib import Path
from qualkit import services
project = services.open_project(Path(sys.argv[1]))
go, decisions = Path(sys.argv[2]), json.loads(sys.argv[3])
services.project_status(project)  # connected and warm before the clock starts
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
for n, assignment in enumerate(decisions):
    services.decide(project, assignment, n % 3 != 0, reviewer=sys.argv[4])
print(time.time(), flush=True)
"""


def build(folder: Path, sources: Path, database_url: str | None, suggestions: int) -> list[int]:
    """A project with at least `suggestions` suggestions; returns their ids."""
    codebook, _ = write_sources(sources)
    lines = [(f"Visit {n}: the landlord never fixed the damp and the school rang about homework.",
              f"P{n % 40}", "Families") for n in range(suggestions // 2 + 1)]
    project = services.init_project(folder, database_url=database_url)
    services.import_sources(project, [write_units(sources / "visits.jsonl", lines)])
    services.import_codebook(project, codebook)
    embeddings.MiniLMEmbedder = BagOfWordsEmbedder  # the keyword coder embeds only to fill the cache
    services.run_coder(project, "testkeyword.v1")
    ids = [item.id for item in services.review_queue(project, limit=suggestions, order="document")]
    if len(ids) < suggestions:
        raise SystemExit(f"only {len(ids)} suggestions were made; {suggestions} are needed")
    return ids


def round_rate(folder: Path, ids: list[int], writers: int, per_writer: int) -> float:
    """Decisions per second with `writers` processes deciding `per_writer` suggestions each at once."""
    go = folder / f"go-{writers}"
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(go),
                                   json.dumps(ids[w * per_writer:(w + 1) * per_writer]), f"writer{w}"],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True)
                 for w in range(writers)]
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            raise SystemExit("a writer failed to open the project")
    start = time.time()
    go.touch()
    ends = []
    for process in processes:
        out, _ = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise SystemExit(f"a writer failed (exit {process.returncode})")
        ends.append(float(out.strip()))
    return writers * per_writer / (max(ends) - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-writer", type=int, default=150, help="decisions each writer makes")
    parser.add_argument("--record", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="file for --record")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    needed = args.per_writer * sum(WRITER_COUNTS)
    cluster = None
    server = os.environ.get("QUALKIT_TEST_POSTGRES_URL")
    if not server:
        cluster, server = pg.start()
    database = pg.TestDatabase.create(server)
    rates: dict[str, dict[int, float]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="qualkit-team-") as work:
            for kind, url in (("SQLite", None), ("PostgreSQL", database.new_schema("team"))):
                folder = Path(work) / kind
                ids = build(folder, Path(work) / "sources", url, needed)
                rates[kind] = {}
                used = 0
                for writers in WRITER_COUNTS:
                    share = ids[used:used + writers * args.per_writer]
                    used += len(share)
                    rates[kind][writers] = round_rate(folder, share, writers, args.per_writer)
                    print(f"{kind}: {writers} writer(s): {rates[kind][writers]:.0f} decisions/s", flush=True)
    finally:
        database.drop()
        if cluster is not None:
            pg.stop(cluster)
    rows = ["| writers | SQLite (decisions/s) | PostgreSQL (decisions/s) | PostgreSQL / SQLite |",
            "|---|---|---|---|"]
    for writers in WRITER_COUNTS:
        sqlite, postgres = rates["SQLite"][writers], rates["PostgreSQL"][writers]
        rows.append(f"| {writers} | {sqlite:.0f} | {postgres:.0f} | {postgres / sqlite:.2f} |")
    body = "\n".join([
        f"Review decisions per second, one transaction per decision (`services.decide`), "
        f"{args.per_writer} per writer, writers in separate processes starting together. PostgreSQL is "
        "a local throwaway cluster (unix socket, fsync off: durability is not what is measured); SQLite "
        "is the project file in WAL mode.", "",
        *rows, "",
        "SQLite admits one writer at a time (the others wait on its lock); PostgreSQL's writers run side "
        f"by side. Whether that shows depends on the cores left for the writers' own Python work (sessions, "
        f"event log): here {os.cpu_count()} CPUs, shared with the database server and the writers.",
    ])
    print("\n" + body)
    if args.record:
        write_section(args.out, HEADING, "bench/team.py --record", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
