"""Several people at once on one project, on SQLite (WAL) and on PostgreSQL: four processes deciding
suggestions while a coder run and an anonymisation run go on beside them. Every decision is stored
once and stands afterwards; no process ends in a traceback. A decision that lands on a suggestion the
coder has just replaced gets a clear conflict or not-found error, and the person (here, the writer)
decides the replacement instead, as the app's review queue does after a refresh. An import killed
mid-way leaves nothing behind.

SQLite's documented limit: one writer at a time (the others wait, up to LOCK_WAIT_MS), so its writers
take turns where PostgreSQL's run side by side; both must lose nothing."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from qualkit import services
from qualkit.model.coding import Status
from qualkit.store.schema import CodeAssignmentRow, CodeRow, DocumentRow, SegmentRow

from coding_doubles import BagOfWordsEmbedder, write_sources, write_units

pytestmark = pytest.mark.slow
WRITERS = 4
PER_WRITER = 500
# A writer: decide each (segment, code) by finding its current suggestion; retry when the coder run
# replaced it meanwhile. Prints nothing on success; any traceback fails the test.
WRITER = """
import json, sys, time
from pathlib import Path
from sqlalchemy import select
from qualkit import services
from qualkit.errors import QualkitError
from qualkit.model.coding import Status
from qualkit.store.schema import CodeAssignmentRow, CodeRow

project = services.open_project(Path(sys.argv[1]))
who, pairs = sys.argv[2], json.loads(sys.argv[3])
for segment, code, accept in pairs:
    for attempt in range(200):
        with project.sessions() as session:
            found = session.scalar(select(CodeAssignmentRow.id).join(CodeRow)
                                   .where(CodeAssignmentRow.segment_id == segment, CodeRow.key == code,
                                          CodeAssignmentRow.status == Status.SUGGESTED))
        if found is None:
            time.sleep(0.05)  # the coder is replacing its suggestions: look again
            continue
        try:
            services.decide(project, found, accept, reviewer=who)
            break
        except QualkitError as error:
            time.sleep(0.05)  # a clear conflict: the suggestion changed under us
    else:
        raise SystemExit(f"{who} could not decide {segment}/{code}")
"""


def test_four_writers_a_coder_and_an_anonymiser_lose_no_decision(tmp_path: Path, database: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    codebook, _ = write_sources(tmp_path / "src")
    units = [(f"Visit {n}: the landlord never fixed the damp, so rent was held back.", f"P{n % 40}",
              "Families") for n in range(WRITERS * PER_WRITER)]
    project = services.init_project(tmp_path / "project")
    services.import_sources(project, [write_units(tmp_path / "src" / "many.jsonl", units)])
    services.import_codebook(project, codebook)
    monkeypatch.setattr("qualkit.coders.embeddings.MiniLMEmbedder", BagOfWordsEmbedder)
    services.run_coder(project, "testkeyword.v1")
    with project.sessions() as session:
        pairs = sorted(session.execute(
            select(CodeAssignmentRow.segment_id, CodeRow.key).join(CodeRow)
            .where(CodeAssignmentRow.status == Status.SUGGESTED, CodeRow.key == "housing")).all())
    assert len(pairs) == WRITERS * PER_WRITER
    wanted = {(segment, code): n % 3 != 0 for n, (segment, code) in enumerate(pairs)}  # accept 2 in 3
    chunks = defaultdict(list)
    for n, ((segment, code), accept) in enumerate(wanted.items()):
        chunks[n % WRITERS].append((segment, code, accept))
    repo_root = Path(__file__).resolve().parents[1]
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(project.folder), f"writer{w}",
                                 json.dumps(chunk)], cwd=repo_root, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for w, chunk in chunks.items()]
    for _ in range(2):  # the coder re-runs and the anonymiser runs while the writers decide
        services.run_coder(project, "testkeyword.v1")
    services.anonymise_project(project)
    for writer in writers:
        _, err = writer.communicate(timeout=600)
        assert writer.returncode == 0 and "Traceback" not in err, err[-2000:]
    with project.sessions() as session:
        decided = session.execute(select(CodeAssignmentRow.segment_id, CodeRow.key, CodeAssignmentRow.status,
                                         CodeAssignmentRow.reviewer).join(CodeRow)
                                  .where(CodeAssignmentRow.status != Status.SUGGESTED)).all()
    by_pair = defaultdict(list)
    for segment, code, status, reviewer in decided:
        by_pair[(segment, code)].append((status, reviewer))
    lost, invented = set(wanted) - set(by_pair), {pair: by_pair[pair] for pair in set(by_pair) - set(wanted)}
    assert not lost, f"{len(lost)} decisions lost, e.g. {sorted(lost)[:5]}"
    assert not invented, f"{len(invented)} decided that nobody decided, e.g. {sorted(invented.items())[:5]}"
    for pair, accept in wanted.items():
        assert len(by_pair[pair]) == 1, (pair, by_pair[pair])  # stored once
        assert by_pair[pair][0][0] == (Status.ACCEPTED if accept else Status.REJECTED)


IMPORT = """
import sys
from pathlib import Path
from qualkit import services
services.import_sources(services.open_project(Path(sys.argv[1])), [Path(sys.argv[2])])
"""


def test_an_import_killed_midway_leaves_nothing_behind(tmp_path: Path, database: str) -> None:
    project = services.init_project(tmp_path / "project")
    units = [(f"Visit {n}: the landlord never fixed the damp, so rent was held back. " * 3, f"P{n % 40}",
              "Families") for n in range(6000)]
    source = write_units(tmp_path / "src" / "many.jsonl", units)
    repo_root = Path(__file__).resolve().parents[1]
    importing = subprocess.Popen([sys.executable, "-c", IMPORT, str(project.folder), str(source)],
                                 cwd=repo_root, stderr=subprocess.PIPE, text=True)
    with project.sessions() as session:  # killed once its segments are being written, not before
        deadline = time.monotonic() + 120
        while (importing.poll() is None and time.monotonic() < deadline
               and not _writing(session, database, project.folder)):
            time.sleep(0.02)
    importing.send_signal(signal.SIGKILL)
    importing.wait(timeout=60)
    assert importing.returncode == -signal.SIGKILL, importing.stderr.read()[-2000:]
    again = services.open_project(project.folder)
    with again.sessions() as session:
        assert session.scalar(select(func.count(DocumentRow.id))) == 0
        assert session.scalar(select(func.count(SegmentRow.id))) == 0
    report = services.import_sources(again, [write_units(tmp_path / "src" / "few.jsonl", units[:3])])
    assert report.imported == [("few.jsonl", 3)]  # no lock or half-written row left in the way


def _writing(session: object, database: str, folder: Path) -> bool:
    """Whether another connection's transaction has begun writing (PostgreSQL: it holds a transaction
    id; SQLite: it holds the write lock, so ours cannot take it)."""
    if database == "postgresql":
        found = session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
            "AND datname = current_database() AND pid <> pg_backend_pid()"))
        session.rollback()  # the statistics are a snapshot per transaction: look afresh next time
        return bool(found)
    probe = sqlite3.connect(folder / "project.db", timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()
