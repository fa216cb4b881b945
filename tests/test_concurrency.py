"""Several people at once on one SQLite project (WAL): four processes deciding suggestions while a
coder run and an anonymisation run go on beside them. Every decision is stored once and stands
afterwards; no process ends in a traceback. A decision that lands on a suggestion the coder has just
replaced gets a clear conflict or not-found error, and the person (here, the writer) decides the
replacement instead, as the app's review queue does after a refresh."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from qualkit import services
from qualkit.store.schema import CodeAssignmentRow, CodeRow

from coding_doubles import BagOfWordsEmbedder, write_sources, write_units

pytestmark = pytest.mark.slow
WRITERS = 4
PER_WRITER = 60
# A writer: decide each (segment, code) by finding its current suggestion; retry when the coder run
# replaced it meanwhile. Prints nothing on success; any traceback fails the test.
WRITER = """
import json, sys, time
from pathlib import Path
from sqlalchemy import select
from qualkit import services
from qualkit.errors import QualkitError
from qualkit.store.schema import CodeAssignmentRow, CodeRow

project = services.open_project(Path(sys.argv[1]))
who, pairs = sys.argv[2], json.loads(sys.argv[3])
for segment, code, accept in pairs:
    for attempt in range(200):
        with project.sessions() as session:
            found = session.scalar(select(CodeAssignmentRow.id).join(CodeRow)
                                   .where(CodeAssignmentRow.segment_id == segment, CodeRow.key == code,
                                          CodeAssignmentRow.status == "suggested"))
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


def test_four_writers_a_coder_and_an_anonymiser_lose_no_decision(tmp_path: Path,
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
            .where(CodeAssignmentRow.status == "suggested", CodeRow.key == "housing")).all())
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
                                  .where(CodeAssignmentRow.status != "suggested")).all()
    by_pair = defaultdict(list)
    for segment, code, status, reviewer in decided:
        by_pair[(segment, code)].append((status, reviewer))
    assert set(by_pair) == set(wanted)  # none lost, none invented
    for pair, accept in wanted.items():
        assert len(by_pair[pair]) == 1, (pair, by_pair[pair])  # stored once
        assert by_pair[pair][0][0] == ("accepted" if accept else "rejected")
