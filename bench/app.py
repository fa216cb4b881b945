"""App benchmark: server time of page interactions, on the demo project and a generated corpus.

Usage::

    .venv/bin/python bench/app.py [--interviews 200] [--words 1500] [--demo demo-project] [--record]
    .venv/bin/python bench/app.py --database postgresql [--postgres-url URL] --interviews 300 --words 6500

What it does
------------
1. Builds, outside the timings, a project from ``bench/ingest.py``'s synthetic corpus (N interviews
   of about W words), imports ``codebooks/family_support.yaml``, stores suggestions with the rules
   coder (the fastest; the pages read suggestions the same whichever coder made them), accepts a
   third of them (so Themes has codings to count) and runs the anonymisation once. With ``--demo``
   it also measures a copy of that project (``qualkit demo``).
2. Drives the app with Streamlit's ``AppTest`` (the same script run a browser session triggers, minus
   the websocket): each page is opened once cold (caches empty; models already loaded by step 1), then
   each interaction is repeated and its median server time reported: a rerun with nothing changed,
   the writes (accept, undo, reject, code a span on a review card, code a selection on the Document
   page: each moves the project's version on, so every cached read keyed on it is done again),
   filtering, searching, and the Themes page drawn again after another person's decision (made outside
   the timing: every read keyed on the project version is done again, the anonymised texts are not).
   ``--keep DIR`` keeps the built project and ``--built DIR`` measures a copy of
   it instead of building one, so a before/after pair measures the same corpus.
3. The Document page drawing one transcript of ~10,000 words with 500 codings after a change, against
   a one-line script writing the same text with a plain ``st.markdown``, in the same run.
4. Baseline, in the same run: the same ``AppTest`` machinery running a one-line script, the floor no
   page can go below. Target: interactions under 300 ms once models are loaded; the long document
   drawn in under 1 s.
5. With ``--database postgresql``, the generated corpus is measured on SQLite and on PostgreSQL in the
   same run: the built project's rows are copied into a new PostgreSQL database (``qualkit db copy``'s
   service, so both hold the same rows) before either is measured, on the server ``--postgres-url`` or
   ``QUALKIT_TEST_POSTGRES_URL`` names, else on a throwaway cluster (``tests/pg.py``). Each interaction's
   p50 and p95 on both, and PostgreSQL's against SQLite's. Target: every page's p95 under 300 ms on
   PostgreSQL (issue 13, at about 30,000 segments: ``--interviews 300 --words 6500``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QUALKIT_USER", "bench")

import streamlit as st
from benchmarks_md import write_section
from ingest import generate_corpus
from postgres_copy import postgres_database, postgres_twin
from streamlit.testing.v1 import AppTest

from qualkit import services

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SECTION = "## App (bench/app.py)"
TARGET_MS = 300
PAGES = "qualkit/app/pages"


def build_corpus_project(folder: Path, interviews: int, words: int) -> services.Project:
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    generate_corpus(corpus, interviews, words, seed=20240)
    project = services.init_project(folder / "project")
    services.import_sources(project, [corpus])
    services.import_codebook(project, ROOT / "codebooks" / "family_support.yaml")
    services.run_coder(project, "rules")
    services.anonymise_project(project)
    return project


def timed_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def open_app(project: services.Project) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    os.environ["QUALKIT_PROJECT"] = str(project.folder)
    return AppTest.from_file(str(APP), default_timeout=600).run()


def on(at: AppTest, page: str) -> float:
    """Switch to `page` and return the cold run's time (its caches are empty)."""
    at.switch_page(f"{PAGES}/{page}.py")
    elapsed = timed_ms(at.run)
    if at.exception:
        raise SystemExit(f"{page}: {at.exception}")
    return elapsed


def button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def code_span(at: AppTest) -> None:
    """The review card's "Add code" with "only these words": a person's coding of part of a segment."""
    card = [m.value for m in at.markdown if "qk-quote" in m.value][-1]  # after the question, if any
    word = next(w for w in re.sub("<[^>]+>", " ", card).split() if w.isalpha() and len(w) > 3)
    at.text_input(key="part").input(word)
    button(at, "Add code").click().run()


def spans(project: services.Project, count: int) -> list[tuple[str, int, int]]:
    """`count` spans of the Document page's first document to code: the first words of its turns."""
    document = services.list_documents(project)[0].name
    segments = [s for s in services.iter_segments(project, document=document, codable_only=True)]
    return [(document, s.start, s.start + len(s.text.split(" ", 1)[0])) for s in segments[:count]]


def code_selection(at: AppTest, project: services.Project, document: str, start: int, end: int) -> None:
    """What the Document page does when a selection is coded: the service, then the page drawn again."""
    code = services.current_codebook(project).flat()[0].id
    services.code_selection(project, document, start, end, [code], coder="bench")
    at.run()


AFTER_A_DECISION = "themes: drawn again after another person's decision"
# The interactions that change the project (the rest only read): the page target is about reads.
WRITES = ("review: accept a suggestion (a write)", "review: undo it", "review: reject a suggestion",
          "review: code a span (Add code)", "document: code a selection (a write)")


def measure(project: services.Project, repeats: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Cold page loads, and each interaction's timings."""
    at = open_app(project)
    cold: dict[str, float] = {}
    runs: dict[str, list[float]] = {}

    def repeat(name: str, action: Callable[[], object]) -> None:
        runs[name] = [timed_ms(action) for _ in range(repeats)]
        if at.exception:
            raise SystemExit(f"{name}: {at.exception}")

    for page in ("project", "codebook", "anonymise", "topics", "reports", "themes", "review"):
        cold[page] = on(at, page)
        repeat(f"{page}: rerun, nothing changed", at.run)
    codes = [c for c in at.selectbox(key="f_code").options if c != "(any)"]
    repeat("review: accept a suggestion (a write)", lambda: button(at, "Accept").click().run())
    repeat("review: undo it", lambda: button(at, "Undo").click().run())
    repeat("review: reject a suggestion", lambda: button(at, "Reject").click().run())
    repeat("review: code a span (Add code)", lambda: code_span(at))
    repeat("review: next (skip)", lambda: button(at, "Next").click().run())
    repeat("review: filter by code", lambda: at.selectbox(key="f_code").set_value(
        codes[len(runs.get("review: filter by code", [])) % len(codes)]).run())
    cold["document"] = on(at, "document")
    repeat("document: rerun, nothing changed", at.run)
    selections = iter(spans(project, repeats))
    repeat("document: code a selection (a write)", lambda: code_selection(at, project, *next(selections)))
    on(at, "themes")
    words = iter(["mum", "school", "housing", "worker", "money", "help", "week", "trust"] * repeats)
    repeat("themes: search quotes", lambda: at.text_input[0].input(next(words)).run())
    at.text_input[0].input("").run()
    waiting = iter(services.review_queue(project, limit=repeats, order="score"))

    def after_a_decision() -> float:
        """Another person's decision (outside the timing), then this page drawn again."""
        services.decide(project, next(waiting).id, True, reviewer="another coder")
        return timed_ms(at.run)

    runs[AFTER_A_DECISION] = [after_a_decision() for _ in range(repeats)]
    on(at, "anonymise")
    statuses = iter(["accepted", "suggested"] * repeats)
    repeat("anonymise: filter detections", lambda: at.selectbox[0].set_value(next(statuses)).run())
    return cold, runs


RENDER_WORDS, RENDER_CODINGS, RENDER_TARGET_MS = 10_000, 500, 1000


def render_document(workdir: Path, repeats: int) -> tuple[str, list[float], list[float]]:
    """The Document page drawing one transcript of ~10,000 words with 500 codings, after a change (so its
    read is done again), against a one-line script writing the same text with a plain `st.markdown`."""
    corpus = workdir / "render" / "corpus"
    corpus.mkdir(parents=True)
    generate_corpus(corpus, 1, RENDER_WORDS, seed=20241)
    project = services.init_project(workdir / "render" / "project")
    services.import_sources(project, [corpus])
    services.import_codebook(project, ROOT / "codebooks" / "family_support.yaml")
    document = services.list_documents(project)[0]
    codes = [code.id for code in services.current_codebook(project).flat()]
    segments = list(services.iter_segments(project, document=document.name, codable_only=True))
    for i in range(RENDER_CODINGS):  # part codings of each segment's first words, whole segments, in turn
        segment = segments[i % len(segments)]
        end = segment.end if i % 2 else segment.start + len(segment.text.split(" ", 1)[0])
        services.code_selection(project, document.name, segment.start, end, [codes[i % len(codes)]],
                                coder=f"coder {i % 5}")
    label = (f"{document.words:,} words, {document.segments} segments, "
             f"{len(services.document_in_context(project, document.name).codings)} codings")
    at = open_app(project)
    at.switch_page(f"{PAGES}/document.py").run()

    def after_a_change() -> None:
        services.add_memo(project, "project", None, "a change, so the page reads the document again", "bench")
        at.run()

    page = [timed_ms(after_a_change) for _ in range(repeats)]
    if at.exception:
        raise SystemExit(f"document: {at.exception}")
    text = "\n\n".join(s.text for s in services.document_in_context(project, document.name).segments)
    plain = AppTest.from_string(f"import streamlit as st\nst.markdown({text!r})").run()
    markdown = [timed_ms(plain.run) for _ in range(repeats)]
    return label, page, markdown


def baseline(repeats: int) -> list[float]:
    at = AppTest.from_string("import streamlit as st\nst.write('hello')").run()
    return [timed_ms(at.run) for _ in range(repeats)]


def render(args: argparse.Namespace, results: list[tuple[str, dict[str, float], dict[str, list[float]]]],
           floor: list[float], drawn: tuple[str, list[float], list[float]]) -> str:
    base = statistics.median(floor)
    lines = [f"Server time per interaction (median of {args.repeats}; `AppTest`, so no browser or network), "
             f"and the ratio to the baseline: `AppTest` running a one-line script, "
             f"median {base:.1f} ms in this run. Target: under {TARGET_MS} ms once models are loaded.", ""]
    for name, cold, runs in results:
        worst = max(statistics.median(v) for v in runs.values())
        lines += [f"**{name}**", "", "| interaction | median ms | max ms | × baseline |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {label} | {statistics.median(v):.0f} | {max(v):.0f} | "
                  f"{statistics.median(v) / base:.0f}× |" for label, v in runs.items()]
        verdict = "met" if worst < TARGET_MS else "not met"
        lines += ["", "Cold first load of each page (caches empty, models loaded): "
                  + ", ".join(f"{page} {ms:.0f} ms" for page, ms in cold.items()) + ".", "",
                  f"Target: **{verdict}** (slowest median {worst:.0f} ms).", ""]
    label, page, markdown = drawn
    shown, plain = statistics.median(page), statistics.median(markdown)
    lines += [f"**Document page, one long transcript ({label})**", "",
              "| drawing | median ms | max ms | × plain st.markdown |", "|---|---:|---:|---:|",
              f"| Document page after a change (the document read again) | {shown:.0f} | {max(page):.0f} | "
              f"{shown / plain:.1f}× |",
              f"| plain `st.markdown` of the same text | {plain:.0f} | {max(markdown):.0f} | 1.0× |", "",
              f"Target (under {RENDER_TARGET_MS} ms on the server): "
              f"**{'met' if shown < RENDER_TARGET_MS else 'not met'}**.", ""]
    return "\n".join(lines).rstrip()


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated between the measured times (the slowest one for under 20)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def render_databases(repeats: int, label: str, sqlite: tuple[dict[str, float], dict[str, list[float]]],
                     postgres: tuple[dict[str, float], dict[str, list[float]]]) -> str:
    """The same interactions on SQLite and PostgreSQL: p50 and p95 of each, PostgreSQL / SQLite (p50);
    the target is every page's p95 under 300 ms on PostgreSQL."""
    (cold_sqlite, runs_sqlite), (cold_postgres, runs_postgres) = sqlite, postgres
    lines = [f"**SQLite and PostgreSQL, same run: {label}**", "",
             f"Server time per interaction ({repeats} runs each; p95 interpolated, so with few runs it is "
             "close to the slowest). PostgreSQL: the same rows copied from the SQLite project before either "
             "was measured.", "",
             "| interaction | SQLite p50 ms | SQLite p95 ms | PostgreSQL p50 ms | PostgreSQL p95 ms "
             "| PostgreSQL / SQLite (p50) |", "|---|---:|---:|---:|---:|---:|"]
    for name, times in runs_sqlite.items():
        on_pg = runs_postgres[name]
        lines.append(f"| {name} | {statistics.median(times):.0f} | {p95(times):.0f} | "
                     f"{statistics.median(on_pg):.0f} | {p95(on_pg):.0f} | "
                     f"{statistics.median(on_pg) / statistics.median(times):.2f} |")
    lines += ["", "Cold first load of each page (SQLite / PostgreSQL): "
              + ", ".join(f"{page} {ms:.0f} / {cold_postgres[page]:.0f} ms"
                          for page, ms in cold_sqlite.items())
              + ".", ""]
    pages = {name: p95(times) for name, times in runs_postgres.items() if name not in WRITES}
    over = {name: ms for name, ms in pages.items() if ms >= TARGET_MS}
    verdict = ("met" if not over else
               "not met: " + "; ".join(f"{name} {ms:.0f} ms" for name, ms in over.items()))
    writes = ", ".join(f"{name.split(': ', 1)[1]} {statistics.median(runs_postgres[name]):.0f} ms"
                       for name in WRITES)
    lines += [f"Target (every page's p95 under {TARGET_MS} ms on PostgreSQL, writes aside): **{verdict}**.",
              "", f"Writes on PostgreSQL (median): {writes}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=200)
    parser.add_argument("--words", type=int, default=1500, help="about this many words per interview")
    parser.add_argument("--demo", type=Path, help="a demo project folder (`qualkit demo`) to measure too")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep a copy of the built project in this new folder")
    parser.add_argument("--built", type=Path, help="measure a copy of a project kept with --keep instead of "
                                                   "building one (the same corpus for a before/after pair)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: measure the generated corpus on SQLite and on PostgreSQL")
    parser.add_argument("--postgres-url", help="the PostgreSQL server for --database postgresql (default: "
                                               "QUALKIT_TEST_POSTGRES_URL, else a throwaway cluster)")
    parser.add_argument("--record", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="qualkit-bench-app-"))
    try:
        with ExitStack() as stack:
            run(args, workdir, stack)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def run(args: argparse.Namespace, workdir: Path, stack: ExitStack) -> None:
    """Build or copy the projects, measure them, print (and with --record write) the section."""
    results = []
    if args.demo:
        shutil.copytree(args.demo, workdir / "demo")
        demo = services.open_project(workdir / "demo")
        services.anonymise_project(demo)
        results.append(("Demo project", *measure(demo, args.repeats)))
    if args.built:
        shutil.copytree(args.built, workdir / "big")
        big = services.open_project(workdir / "big")
    else:
        print(f"Building a {args.interviews}-interview project ...", file=sys.stderr)
        started = time.perf_counter()
        big = build_corpus_project(workdir / "big", args.interviews, args.words)
        pending = services.review_queue(big, limit=10**7, order="uncertainty")
        services.decide_many(big, accept=[item.id for item in pending[::3]], reviewer="bench")
        print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if args.keep:
            shutil.copytree(big.folder, args.keep)
    status = services.project_status(big)
    suggestions = len(services.review_queue(big, limit=10**7, order="score"))
    accepted = len(services.review_queue(big, limit=10**7, order="score", status="accepted"))
    label = (f"Generated corpus: {args.interviews} interviews of ~{args.words} words "
             f"({status.words:,} words, {status.segments:,} segments, {status.codable:,} codable, "
             f"{suggestions + accepted:,} suggestions, {accepted:,} of them accepted)")
    twin = None
    if args.database == "postgresql":  # copied before either is measured: the same rows in both
        database = stack.enter_context(postgres_database(args.postgres_url))
        twin = postgres_twin(big, workdir / "big-postgresql", database.url)
    cold, runs = measure(big, args.repeats)
    results.append((label, cold, runs))
    compared = (render_databases(args.repeats, label, (cold, runs), measure(twin, args.repeats))
                if twin is not None else None)
    drawn = render_document(workdir, args.repeats)
    text = render(args, results, baseline(args.repeats), drawn)
    if compared:
        text += "\n\n" + compared
    print(text)
    if args.record:
        write_section(args.out, SECTION, f".venv/bin/python {command_line(args)} --record", text)


def command_line(args: argparse.Namespace) -> str:
    """The command that measured what is recorded (the options that change it)."""
    words = [f"--demo {args.demo}" if args.demo else "",
             f"--interviews {args.interviews} --words {args.words}"
             if (args.interviews, args.words) != (200, 1500) else "",
             f"--repeats {args.repeats}" if args.repeats != 7 else "",
             "--database postgresql" if args.database == "postgresql" else ""]
    return " ".join(["bench/app.py", *(word for word in words if word)])


if __name__ == "__main__":
    sys.exit(main())
