"""The `qualkit` command line: each command opens the project, calls one service, prints."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qualkit import services
from qualkit.errors import QualkitError

app = typer.Typer(help="qualkit: local-first qualitative analysis for evaluation studies.",
                  no_args_is_help=True, rich_markup_mode=None)
out = Console()
err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])

ProjectArg = Annotated[Path, typer.Argument(help="The project folder.")]
DEMO_PROJECT = Path("demo-project")
DEMO_CORPUS = Path("corpora/demo")


def command(fn: F) -> F:
    """Register a command whose QualkitErrors become a clean message and exit status 1."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except QualkitError as error:
            err.print(f"[red]Error:[/red] {error}", markup=True, highlight=False)
            raise typer.Exit(1) from None
    return app.command()(wrapper)  # type: ignore[return-value]


@contextmanager
def progress_bar(label: str) -> Iterator[services.Progress]:
    """A progress bar on stderr for long operations (hidden when stderr is not a terminal)."""
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("", total=None)

        def update(item: str, done: int, total: int) -> None:
            bar.update(task, description=item, completed=done, total=total)

        yield update


@command
def init(project: ProjectArg,
         database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL, e.g. postgresql://…; "
                                                          "default: a SQLite file in the folder.")] = None,
         ) -> None:
    """Create a project folder with its settings and database (safe to re-run)."""
    services.init_project(project, database_url=database_url)
    out.print(f"Project ready in {project}/ (settings: {project}/qualkit.toml)", highlight=False)


@command
def import_(
    project: ProjectArg,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    corpus: Annotated[str, typer.Option(help="Corpus to import into.")] = "main",
    text_column: Annotated[list[str] | None, typer.Option(
        help="Tables: the column holding the text (repeat for several).")] = None,
    skip_bad: Annotated[bool, typer.Option(help="Import the readable files even if some fail.")] = False,
) -> None:
    """Import transcripts and case notes (txt, md, docx, pdf, odt, rtf, html, vtt, srt, csv, tsv,
    xlsx, jsonl) in one transaction."""
    opened = services.open_project(project)
    with progress_bar("Importing") as update:
        report = services.import_sources(opened, paths, corpus=corpus, text_columns=tuple(text_column or ()),
                                         skip_bad=skip_bad, progress=update)
    _print_import(report)


app.registered_commands[-1].name = "import"


def _print_import(report: services.ImportReport) -> None:
    segments = sum(n for _, n in report.imported)
    out.print(f"Imported {len(report.imported)} document(s), {segments} segments; "
              f"{len(report.unchanged)} unchanged.", highlight=False)
    for name, original in report.duplicates:
        err.print(f"[yellow]Duplicate:[/yellow] {name} has the same content as {original}; "
                  "not imported again.", highlight=False)
    for name in report.changed:
        err.print(f"[yellow]Changed:[/yellow] {name} was imported before with different content; "
                  "left as it was (import the new version under another name to keep both).",
                  highlight=False)
    for error in report.failed:
        err.print(f"[red]Skipped:[/red] {error}", highlight=False)
    for path, why in report.skipped:
        err.print(f"Not imported: {path} ({why})", highlight=False)


@command
def participants(
    project: ProjectArg,
    sheet: Annotated[Path | None, typer.Argument(help="A participants sheet (CSV/XLSX) to load.")] = None,
) -> None:
    """Load a participants sheet (speaker or document -> group, role, site, ...) and show participants."""
    opened = services.open_project(project)
    if sheet is not None:
        report = services.load_participants(opened, sheet)
        out.print(f"Applied {report.matched} row(s) of {sheet.name}.", highlight=False)
        for line in report.unmatched:
            err.print(f"[yellow]Unmatched[/yellow] {line}", highlight=False)
    _participants_table(opened)


def _participants_table(project: services.Project) -> None:
    table = Table("participant", "group", "role", "site", "documents", "segments")
    for p in services.list_participants(project):
        table.add_row(p.label, p.group or "-", p.role or "-", p.site or "-", str(p.documents),
                      str(p.segments))
    out.print(table)


@command
def set_group(project: ProjectArg,
              document: Annotated[str, typer.Argument(help="Document name, as `show` lists it.")],
              group: Annotated[str, typer.Argument(help="Stakeholder group, e.g. Families.")]) -> None:
    """Set a document's stakeholder group (for case notes and single-voice documents)."""
    services.set_document_group(services.open_project(project), document, group)
    out.print(f"{document}: group set to {group}", highlight=False)


class ShowWhat(StrEnum):
    documents = "documents"
    segments = "segments"
    participants = "participants"
    counts = "counts"


@command
def show(project: ProjectArg,
         what: Annotated[ShowWhat, typer.Argument(help="What to list.")] = ShowWhat.documents,
         document: Annotated[str | None, typer.Option(help="Only this document (segments).")] = None,
         ) -> None:
    """List documents, segments, participants, or counts by stakeholder group."""
    opened = services.open_project(project)
    if what is ShowWhat.documents:
        table = Table("document", "corpus", "format", "words", "segments", "codable", "group", "speakers")
        for d in services.list_documents(opened):
            table.add_row(d.name, d.corpus, d.suffix, str(d.words), str(d.segments), str(d.codable),
                          d.group or "-", ", ".join(d.speakers[:4]) + (" …" if len(d.speakers) > 4 else ""))
        out.print(table)
    elif what is ShowWhat.participants:
        _participants_table(opened)
    elif what is ShowWhat.counts:
        _counts_table(services.project_status(opened))
    else:
        table = Table("id", "document", "kind", "speaker", "group", "text")
        for s in services.iter_segments(opened, document=document):
            preview = s.text if len(s.text) <= 90 else s.text[:87] + "…"
            table.add_row(str(s.id), s.document, s.kind if s.codable else f"{s.kind} (not coded)",
                          s.speaker or "-", s.group or "-", preview)
        out.print(table)


def _counts_table(status: services.ProjectStatus) -> None:
    table = Table("stakeholder group", "codable segments", "participants", "documents")
    for group, segments, people, documents in status.by_group:
        table.add_row(group or "(no group)", str(segments), str(people), str(documents))
    out.print(table)


@command
def status(project: ProjectArg) -> None:
    """Summary of the project: size, participants and counts by stakeholder group."""
    s = services.project_status(services.open_project(project))
    out.print(f"{s.name}\n  database: {s.database}\n  documents: {s.documents} ({s.words:,} words)\n"
              f"  segments: {s.segments} ({s.codable} codable)\n  participants: {s.participants}\n"
              f"  events logged: {s.events}", highlight=False)
    _counts_table(s)


@command
def segments(project: ProjectArg,
             jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per line (the stable "
                                                 "shape .jsonl import reads).")] = False,
             document: Annotated[str | None, typer.Option(help="Only this document.")] = None,
             codable: Annotated[bool, typer.Option(help="Only segments to be coded.")] = False) -> None:
    """Write every segment: {"id", "document", "speaker", "group", "start", "end", "text", ...}."""
    opened = services.open_project(project)
    rows = services.iter_segments(opened, document=document, codable_only=codable)
    for segment in rows:
        record = services.segment_record(segment)
        if jsonl:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{record['id']}\t{record['document']}\t{record['speaker'] or '-'}\t"
                             f"{record['group'] or '-'}\t{record['text'][:80]!r}\n")


@command
def demo(project: Annotated[Path, typer.Option(help="Where to build the demo project.")] = DEMO_PROJECT,
         corpus: Annotated[Path, typer.Option(help="The demo corpus folder.")] = DEMO_CORPUS) -> None:
    """Build the demo evaluation project from corpora/demo/ and print a summary (safe to re-run)."""
    with progress_bar("Importing demo") as update:
        imported, people = services.build_demo(project, corpus, progress=update)
    _print_import(imported)
    out.print(f"Participants sheet: {people.matched} row(s) applied.", highlight=False)
    for line in people.unmatched:
        err.print(f"[yellow]Unmatched[/yellow] {line}", highlight=False)
    status(project)
