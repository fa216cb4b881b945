"""The `qualkit` command line: each command opens the project, calls one service, prints."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table
from rich.text import Text

from qualkit import services  # lazy: a command imports only the use cases it calls
from qualkit.app.options import APP_SCRIPT, streamlit_command
from qualkit.app.serving import serve_command
from qualkit.errors import QualkitError

if TYPE_CHECKING:
    from qualkit.agreement import Figures
    from qualkit.topics import Topic

app = typer.Typer(help="qualkit: local-first qualitative analysis for evaluation studies.",
                  no_args_is_help=True, rich_markup_mode=None)
# Plain text everywhere: messages, paths, names and quotes carry brackets ("[laughs]", "[/tmp]") that
# Rich would read as markup (hiding them, or raising MarkupError). Colour comes only from `tagged`.
out = Console(markup=False, highlight=False)
err = Console(stderr=True, markup=False, highlight=False)
F = TypeVar("F", bound=Callable[..., Any])

ProjectArg = Annotated[Path, typer.Argument(help="The project folder.")]
DEMO_PROJECT = Path("demo-project")
DEMO_CORPUS = Path("corpora/demo")
DEMO_CODEBOOK = Path("codebooks/family_support.yaml")


# Choices whose values the services define, spelt out here so that building the command line (for
# `--help` and `status` alike) imports no service module and no NLP library; tests/test_cli.py checks
# that each equals the services' own.
class ReviewOrder(StrEnum):  # services.ReviewOrder
    mixed = "mixed"
    uncertainty = "uncertainty"
    score = "score"
    document = "document"


class Level(StrEnum):  # qualkit.agreement.Level
    segment = "segment"
    character = "character"


REPORT_FORMATS = ("docx", "html", "md", "xlsx")  # services.REPORT_FORMATS
EXPORT_FORMATS = ("quotes-csv", "quotes-xlsx", "matrix-csv", "matrix-xlsx")  # services.EXPORT_FORMATS
REFI_FORMATS = ("qdpx", "qdc")  # services.REFI_FORMATS


def on(target: typer.Typer, name: str | None = None) -> Callable[[F], F]:
    """Register a command on `target` whose QualkitErrors become a clean message and exit status 1."""
    def register(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except QualkitError as error:
                err.print(tagged("Error:", "red", str(error)))
                raise typer.Exit(1) from None
        return target.command(name)(wrapper)  # type: ignore[return-value]
    return register


def tagged(tag: str, style: str, message: str) -> Text:
    """`tag` in colour, then `message` as plain text (never read as markup)."""
    return Text.assemble((tag, style), " ", message)


command = on(app)
codebook_app = typer.Typer(help="Validate, show, import and export codebooks (YAML).", no_args_is_help=True,
                           rich_markup_mode=None)
app.add_typer(codebook_app, name="codebook")


@contextmanager
def progress_bar(label: str) -> Iterator[services.Progress]:
    """A progress bar on stderr for long operations (hidden when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}", markup=False), console=err, transient=True,
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


@on(app, "import")
def import_(
    project: ProjectArg,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    corpus: Annotated[str, typer.Option(help="Corpus to import into.")] = "main",
    text_column: Annotated[list[str] | None, typer.Option(
        help="Tables: the column holding the text (repeat for several).")] = None,
    skip_bad: Annotated[bool, typer.Option(help="Import the readable files even if some fail.")] = False,
    kind: Annotated[str | None, typer.Option(
        help="What the files are: interview, 'case notes' or document (a document gets paragraphs and "
             "no speakers); default: read from each file's text.")] = None,
) -> None:
    """Import transcripts and case notes (txt, md, docx, pdf, odt, rtf, html, vtt, srt, csv, tsv,
    xlsx, jsonl), REFI-QDA projects (.qdpx) and codebooks (.qdc) from NVivo, ATLAS.ti, MAXQDA or
    QualCoder, all in one transaction: if one fails nothing is imported (unless --skip-bad)."""
    opened = services.open_project(project)
    with progress_bar("Importing") as update:
        report = services.import_sources(opened, paths, corpus=corpus,
                                         text_columns=tuple(text_column or ()), skip_bad=skip_bad,
                                         progress=update, kind=kind)
    for exchanged in report.exchange:
        _print_refi_import(exchanged)
    if len(report.exchange) < len(paths) or report.failed:
        _print_import(report)


def _print_refi_import(report: services.RefiImportReport) -> None:
    book = report.codebook
    stored = "" if book is None else (f" codebook '{book.name}' version {book.version} ({book.codes} codes)"
                                      + ("" if book.new else ", unchanged") + ";")
    out.print(f"{report.file}:{stored} {len(report.documents)} document(s) added, "
              f"{len(report.reused)} already there; {report.codings} coding(s) added "
              f"({report.already} already there), {report.rejected} rejected decision(s), "
              f"{report.participants} participant(s), {report.memos} memo(s).", highlight=False)
    for message in report.notes:
        out.print(message, highlight=False)
    for message in report.dropped:
        err.print(tagged("Not imported:", "yellow", message))
    for message in report.unplaced:
        err.print(tagged("Not placed:", "yellow", message))



def _print_import(report: services.ImportReport) -> None:
    segments = sum(n for _, n in report.imported)
    out.print(f"Imported {len(report.imported)} document(s), {segments} segments; "
              f"{len(report.unchanged)} unchanged.", highlight=False)
    for name, original in report.duplicates:
        err.print(tagged("Duplicate:", "yellow", f"{name} has the same content as {original}; "
                         "not imported again."))
    for name in report.changed:
        err.print(tagged("Changed:", "yellow", f"{name} was imported before with different content; "
                         "left as it was (import the new version under another name to keep both)."))
    for error in report.failed:
        err.print(tagged("Skipped:", "red", str(error)))
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
            err.print(tagged("Unmatched", "yellow", line))
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


@command
def display_name(project: ProjectArg,
                 document: Annotated[str, typer.Argument(help="Document name, as `show` lists it.")],
                 name: Annotated[str, typer.Argument(
                     help="What outputs call it, e.g. 'Parent interview 3'; '' clears it.")]) -> None:
    """Name a document for outputs, where its file name must not show (a file name that holds an
    identifier shows as 'Document N' until you name it)."""
    services.set_display_name(services.open_project(project), document, name)
    shown = name or "its file name (or Document N)"
    out.print(f"{document}: shown as {shown}", highlight=False, markup=False)


class ShowWhat(StrEnum):
    documents = "documents"
    segments = "segments"
    participants = "participants"
    counts = "counts"
    codings = "codings"
    decisions = "decisions"


@command
def show(project: ProjectArg,
         what: Annotated[ShowWhat, typer.Argument(help="What to list.")] = ShowWhat.documents,
         document: Annotated[str | None, typer.Option(help="Only this document (segments, codings).")] = None,
         code: Annotated[str | None, typer.Option(help="Only this code id (codings).")] = None,
         person: Annotated[str | None, typer.Option(
             help="Only this person's (codings: as coder or reviewer; decisions: who decided).")] = None,
         status: Annotated[str | None, typer.Option(help="Only suggested, accepted or rejected (codings).")]
         = None,
         limit: Annotated[int | None, typer.Option(help="At most this many, newest first (decisions).")]
         = None,
         ) -> None:
    """List documents, segments, participants, counts by stakeholder group, codings (with their exact
    offsets, who made and decided them) or decisions (the audit trail of people's codings)."""
    opened = services.open_project(project)
    if what is ShowWhat.codings:
        table = Table("id", "document", "start", "end", "code", "status", "coder", "reviewer", "score",
                      "when")
        for listed in services.list_codings(opened, document=document, code=code, person=person,
                                            status=status):
            c = listed.coding
            table.add_row(str(c.id), listed.document, str(c.start), str(c.end), c.code, c.status, c.coder,
                          c.reviewer or "-", "-" if c.score is None else f"{c.score:.2f}", c.at)
        out.print(table)
    elif what is ShowWhat.decisions:
        table = Table("event", "when", "who", "action", "coding", "change")
        for e in services.list_decisions(opened, person=person, limit=limit):
            table.add_row(str(e.id), e.at, e.actor, e.action, "-" if e.coding is None else str(e.coding),
                          e.change or "-")
        out.print(table)
    elif what is ShowWhat.documents:
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
    opened = services.open_project(project)
    s = services.project_status(opened)
    out.print(f"{s.name}\n  database: {s.database}\n  documents: {s.documents} ({s.words:,} words)\n"
              f"  segments: {s.segments} ({s.codable} codable)\n  participants: {s.participants}\n"
              f"  events logged: {s.events}", highlight=False)
    _counts_table(s)
    state = services.anonymisation_state(opened)
    if state.stale:
        err.print(tagged("Anonymisation:", "yellow", state.describe()))


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
         corpus: Annotated[Path, typer.Option(help="The demo corpus folder.")] = DEMO_CORPUS,
         codebook: Annotated[Path, typer.Option(help="Codebook to code it with.")] = DEMO_CODEBOOK,
         reports: Annotated[bool, typer.Option(
             help="Write the demo's report and quote tables to a dated folder in the project's reports/.")]
         = True,
         ) -> None:
    """Build the demo evaluation project from corpora/demo/, code it with the default coder against
    codebooks/family_support.yaml, measure agreement with the human-coded subset, print a summary,
    and write the anonymised thematic report and quote tables to the project's reports/ (safe to
    re-run; each run's outputs in their own dated folder)."""
    with progress_bar("Building demo") as update:
        report = services.build_demo(project, corpus, codebook, progress=update, reports=reports)
    _print_import(report.imported)
    out.print(f"Participants sheet: {report.participants.matched} row(s) applied.", highlight=False)
    for line in report.participants.unmatched:
        err.print(tagged("Unmatched", "yellow", line))
    status(project)
    if report.coding is not None:
        out.print(f"Coded {report.coding.units} segments with {report.coding.coder}: "
                  f"{report.coding.suggested} suggestions await review.", highlight=False)
    if report.agreement is not None:
        a = report.agreement
        interval = a.macro_kappa_interval
        around = f" (95% interval {interval[0]:.2f} to {interval[1]:.2f})" if interval else ""
        out.print(f"Machine vs the human-coded subset ({a.units} segments): macro F1 {_number(a.macro_f1)}, "
                  f"Cohen's kappa {_number(a.macro_kappa)}{around}.", highlight=False)
    for path in report.written:
        out.print(f"Wrote {path}", highlight=False)


@on(app, "code-jsonl")
def code_jsonl(
    codebook: Annotated[Path, typer.Option(help="The codebook YAML file.")],
    train: Annotated[Path | None, typer.Option(
        help='Accepted human codings, JSONL lines {"id", "text", "codes": [ids]}.')] = None,
    coder: Annotated[str, typer.Option(help="Coder name (default: the ensemble).")] = "ensemble",
    spacy_model: Annotated[str | None, typer.Option(help="spaCy pipeline for keyword lemmas.")] = None,
) -> None:
    """Batch contract: segments JSONL {"id", "text", "group"?, "speaker"?} on stdin; one line per
    segment on stdout, {"id", "codes": [{"code", "score", "suggested", "rationale"}]} best first."""
    n = services.code_jsonl(sys.stdin, sys.stdout, codebook, train, coder, spacy_model)
    err.print(f"Coded {n} segment(s).", highlight=False)


@on(app, "anonymise-jsonl")
def anonymise_jsonl(
    allow: Annotated[list[str] | None, typer.Option(help="A term never to redact (repeatable).")] = None,
    style: Annotated[str, typer.Option(help="bracket ([Person 1]) or realistic (replacement names).")]
    = "bracket",
    key: Annotated[Path | None, typer.Option(help="Write the pseudonym key here (keep it apart from "
                                             "exports).")] = None,
) -> None:
    """Batch contract: {"id", "text"} lines on stdin; {"id", "text": anonymised, "spans": [{"start",
    "end", "label", "replacement"}]} on stdout, offsets into the original text."""
    services.anonymise_jsonl(sys.stdin, sys.stdout, allow=allow or (), style=style, key_path=key)


# --- codebooks -----------------------------------------------------------------------------------

# --- anonymisation --------------------------------------------------------------------------------

@command
def anonymise(project: ProjectArg,
              style: Annotated[str | None, typer.Option(
                  help="bracket ('[Keyworker A]') or realistic (replacement names); default: qualkit.toml.")]
              = None,
              allow: Annotated[list[str] | None, typer.Option(
                  help="Add a term that is never redacted, e.g. the programme's name (repeatable).")] = None,
              deny: Annotated[list[str] | None, typer.Option(
                  help="Add a term always redacted, as TERM=LABEL, e.g. 'Rosebank=PLACE' (repeatable).")]
              = None,
              terms: Annotated[bool, typer.Option(help="List the allow and deny terms and stop.")] = False,
              export_key: Annotated[Path | None, typer.Option(
                  help="Also write the pseudonym key and anonymisation log (personal data!) to this file; "
                       "keep it apart from exports.")] = None,
              import_key: Annotated[Path | None, typer.Option(
                  help="First take the pseudonyms of a key file this project's --export-key wrote (e.g. "
                       "from a backup), so people keep the pseudonyms published before.")] = None) -> None:
    """Find identifiers across the whole project and store consistent pseudonyms; prints a summary
    by category. Review decisions, hand-made redactions and the lists persist across re-runs."""
    opened = services.open_project(project)
    for term in allow or []:
        services.add_term(opened, term, "allow")
    for item in deny or []:
        term, _, label = item.rpartition("=")
        services.add_term(opened, term or label, "deny", label.upper() if term else None)
    if terms:
        for listed in services.list_terms(opened):
            out.print(f"{listed.kind:5}  {listed.term}" + (f"  ({listed.label})" if listed.label else ""),
                      highlight=False, markup=False)
        return
    if import_key is not None:
        summary = services.import_key(opened, import_key)
    else:
        with progress_bar("Anonymising") as update:
            summary = services.anonymise_project(opened, style=style, progress=update)
    table = Table("Category", "Redactions", title=f"{summary.documents} document(s) anonymised")
    for label, count in sorted(summary.by_label.items(), key=lambda item: -item[1]):
        table.add_row(label, str(count))
    out.print(table)
    out.print(f"{summary.suggested} new for review, {summary.kept_decisions} earlier decision(s) kept, "
              f"{summary.pseudonyms} pseudonym(s) in the key. Review with `qualkit redactions {project}`.",
              highlight=False, markup=False)
    if summary.ambiguous:
        out.print(f"{summary.ambiguous} name(s) could be more than one person where they stand and show as "
                  f"'[Person]': decide who with `qualkit people {project}`.", highlight=False, markup=False)
    if export_key is not None:
        count = services.export_key(opened, export_key)
        out.print(f"Wrote the key ({count} pseudonyms) and the log to {export_key}: it identifies people.",
                  highlight=False, markup=False)


@command
def redactions(project: ProjectArg,
               label: Annotated[str | None, typer.Option(help="Only this label, e.g. PERSON.")] = None,
               status: Annotated[str | None, typer.Option(help="suggested, accepted or rejected.")] = None,
               document: Annotated[str | None, typer.Option(help="Only this document.")] = None,
               limit: Annotated[int, typer.Option(help="How many to list.")] = 50,
               accept: Annotated[list[int] | None, typer.Option(help="Accept redaction ID (repeatable).")]
               = None,
               reject: Annotated[list[int] | None, typer.Option(
                   help="Reject redaction ID as a false positive (repeatable).")] = None,
               add: Annotated[str | None, typer.Option(
                   help="Redact by hand: DOCUMENT:START:END:LABEL (offsets into the document).")] = None,
               reject_term: Annotated[list[str] | None, typer.Option(
                   help="Reject TERM everywhere: never redacted again (it joins the allow list).")] = None,
               accept_term: Annotated[list[str] | None, typer.Option(
                   help="Accept TERM=LABEL everywhere: always redacted (it joins the deny list).")] = None,
               reviewer: Annotated[str | None, typer.Option(
                   "--as", help="Reviewer name (default: QUALKIT_USER or your login).")] = None) -> None:
    """Review the identifiers found, in context; accept, reject (false positive) or add redactions,
    one at a time or a term everywhere."""
    opened = services.open_project(project)
    who = reviewer or services.current_user()
    for term in reject_term or []:
        count = services.add_term(opened, term, "allow", actor=who)
        out.print(f"'{term}' rejected everywhere ({count} redaction(s)); it is on the allow list.",
                  highlight=False, markup=False)
    for item in accept_term or []:
        term, _, label = item.rpartition("=")
        if not term:
            raise services.AnonymisationError(f"'{item}' is not TERM=LABEL.",
                                              "For example --accept-term 'Rosebank=PLACE'.")
        count = services.add_term(opened, term, "deny", label.upper(), actor=who)
        out.print(f"'{term}' accepted everywhere as {label.upper()} ({count} redaction(s)); it is on the "
                  "deny list.", highlight=False, markup=False)
    if reject_term or accept_term:
        return
    if add:
        document_name, start, end, chosen = _manual_redaction(add)
        redaction = services.add_manual_redaction(opened, document_name, start, end, chosen, who)
        out.print(f"Added redaction #{redaction}.", highlight=False)
    if accept or reject:
        decided = services.decide_redactions(opened, accept=accept or [], reject=reject or [], reviewer=who)
        out.print(f"Recorded {decided} decision(s).", highlight=False)
    if add or accept or reject:
        return
    services.ensure_anonymised(opened)  # the list is what is stored: bring it up to date first
    for item in services.list_redactions(opened, status=status, label=label, document=document, limit=limit):
        context = f"{item.before[-40:]}[{item.original}]{item.after[:40]}".replace("\n", " ")
        out.print(f"#{item.id} {item.label:8} -> {item.replacement}  {item.status}  {item.document}  "
                  f"({item.source}: {item.reason})", highlight=False, markup=False)
        out.print(f"    {context}", highlight=False, markup=False)


@command
def people(project: ProjectArg,
           merge: Annotated[list[str] | None, typer.Option(
               help="Names of one person, to share one pseudonym (give two or more).")] = None,
           apart: Annotated[str | None, typer.Option(
               help="A name that is someone of their own: it gets its own pseudonym.")] = None,
           reviewer: Annotated[str | None, typer.Option(
               "--as", help="Who decides (default: QUALKIT_USER or your login).")] = None) -> None:
    """The people the anonymisation found, each with one pseudonym and the names they go by, and the
    names left ambiguous (they could be two people where they stand). Shows real names: logged as a
    read of the key. --merge and --apart decide who is who."""
    opened = services.open_project(project)
    who = reviewer or services.current_user()
    if merge:
        pseudonym = services.merge_people(opened, merge, who)
        out.print(f"{', '.join(merge)}: one person, {pseudonym}.", highlight=False, markup=False)
    if apart:
        pseudonym = services.keep_apart(opened, apart, who)
        out.print(f"{apart}: a person of their own, {pseudonym}.", highlight=False, markup=False)
    if merge or apart:
        return
    found, ambiguous = services.list_people(opened)
    table = Table("Pseudonym", "Names", "Mentions", "Documents", title=f"{len(found)} people")
    for person in found:
        table.add_row(person.pseudonym, "; ".join(person.names), str(person.mentions),
                      str(person.documents))
    out.print(table)
    for name in ambiguous:
        out.print(f"ambiguous: '{name.name}' in {name.document} ({name.mentions}x) could be more than one "
                  f"person; decide with --merge '{name.name}' 'FULL NAME'.", highlight=False, markup=False)


def _manual_redaction(spec: str) -> tuple[str, int, int, str]:
    document, start, end, label = [*spec.rsplit(":", 3), "", "", ""][:4]
    if not (start.isdigit() and end.isdigit() and label):
        raise services.AnonymisationError(f"'{spec}' is not DOCUMENT:START:END:LABEL.",
                                          "For example --add kw_a.txt:120:131:PERSON.")
    return document, int(start), int(end), label.upper()


@on(codebook_app, "validate")
def codebook_validate(file: Annotated[Path, typer.Argument(help="A codebook YAML file.")]) -> None:
    """Check a codebook file; every problem is listed with its line."""
    codebook = services.read_codebook(file)
    out.print(f"{file}: valid; '{codebook.name}' has {len(codebook.flat())} codes "
              f"({len(codebook.codes)} top-level).", highlight=False)


@on(codebook_app, "show")
def codebook_show(source: Annotated[Path, typer.Argument(
        help="A project folder (its current codebook) or a codebook YAML file.")]) -> None:
    """Print a codebook's codes as a tree."""
    codebook = services.read_codebook(source)
    table = Table("id", "name", "keywords", "examples", "description",
                  title=f"{codebook.name} (version {codebook.version})")
    for code, _, depth in codebook.walk():
        table.add_row("  " * depth + code.id, code.name, str(len(code.keywords)), str(len(code.examples)),
                      _clip(code.description, 80))
    out.print(table)


@on(codebook_app, "import")
def codebook_import(project: ProjectArg,
                    file: Annotated[Path, typer.Argument(
                        help="A codebook YAML file, or a CSV codebook from Taguette or NVivo.")]) -> None:
    """Store a codebook file in the project as a new version (nothing changes if it is identical)."""
    stored = services.import_codebook(services.open_project(project), file)
    if stored.new:
        out.print(f"Stored codebook '{stored.name}' version {stored.version} ({stored.codes} codes).",
                  highlight=False)
    else:
        out.print(f"Codebook '{stored.name}' is unchanged (version {stored.version}).", highlight=False)


@on(codebook_app, "export")
def codebook_export(project: ProjectArg,
                    file: Annotated[Path, typer.Argument(
                        help="Where to write it: YAML, or CSV for Taguette and NVivo (a .csv name).")],
                    name: Annotated[str | None, typer.Option(help="Which codebook (default: the newest).")]
                    = None) -> None:
    """Write the project's current codebook as YAML (or CSV for Taguette and NVivo)."""
    codebook = services.export_codebook(services.open_project(project), file, name)
    out.print(f"Wrote '{codebook.name}' version {codebook.version} to {file}.", highlight=False)


# --- coding and review ---------------------------------------------------------------------------

@command
def code(project: ProjectArg,
         coder: Annotated[str | None, typer.Option(
             help="Registered coder: ensemble, semantic.v1, …; default: qualkit.toml's [coding] coder "
                  "(ensemble).")] = None,
         codebook: Annotated[str | None, typer.Option(help="Codebook name (default: the newest).")] = None,
         ) -> None:
    """Run a coder over the codable segments; its suggestions wait for review. Never changes a
    coding a person accepted or rejected."""
    opened = services.open_project(project)
    with progress_bar("Coding") as update:
        summary = services.run_coder(opened, coder, codebook, progress=update)
    out.print(f"{summary.coder} on {summary.units} segments, codebook '{summary.codebook}' "
              f"version {summary.codebook_version}:", highlight=False)
    table = Table("code", "suggested")
    for code_id, count in summary.per_code.items():
        table.add_row(code_id, str(count))
    out.print(table)
    out.print(f"{summary.suggested} suggestions (the coder said yes) and {summary.candidates} lower-scoring "
              f"candidates stored for review (run {summary.run_id}); {summary.replaced} earlier rows of this "
              f"coder replaced; {summary.skipped_decided} pairs already decided by people left alone.",
              highlight=False)
    settings = ", ".join(f"{key}={value}" for key, value in sorted(summary.parameters.items()))
    out.print(f"Embedder: {summary.embedder or '(none)'}; parameters: {settings or '(defaults)'}.",
              highlight=False, markup=False)


@command
def review(project: ProjectArg,
           code: Annotated[str | None, typer.Option(help="Only this code id.")] = None,
           group: Annotated[str | None, typer.Option(help="Only this stakeholder group.")] = None,
           limit: Annotated[int, typer.Option(help="How many to list.")] = 20,
           order: Annotated[ReviewOrder, typer.Option(
               help="mixed: uncertain first, spread over different segments and codes (teaches the coder "
                    "fastest); uncertainty: score nearest 0.5 first; score: highest first; document: "
                    "reading order.")]
           = ReviewOrder.mixed,
           accept: Annotated[list[int] | None, typer.Option(help="Accept coding ID (repeatable).")] = None,
           reject: Annotated[list[int] | None, typer.Option(help="Reject coding ID (repeatable).")] = None,
           reviewer: Annotated[str | None, typer.Option("--as", help="Reviewer name (default: QUALKIT_USER "
                                                        "or your login).")] = None,
           note: Annotated[str | None, typer.Option(help="A note kept with the decisions.")] = None,
           blind_for: Annotated[str | None, typer.Option(help="Code blind as this coder: on their blind "
                                                         "sample, hide others' codings and suggestions.")]
           = None) -> None:
    """List machine codings to review: the coder's suggestions (yes) and lower-scored candidates (maybe),
    most useful first; or accept/reject them by id."""
    opened = services.open_project(project)
    if accept or reject:
        decided = services.decide_many(opened, accept=accept or [], reject=reject or [],
                                       reviewer=reviewer or services.current_user(), note=note)
        out.print(f"Recorded {decided} decision(s).", highlight=False)
        return
    items = services.review_queue(opened, limit, code=code, group=group, order=order, blind_for=blind_for)
    if not items:
        out.print("Nothing to review.")
    for item in items:
        score = "-" if item.score is None else f"{item.score:.2f} ({'yes' if item.predicted else 'maybe'})"
        out.print(f"#{item.id} {item.code}  score {score}  {item.group or '(no group)'}, "
                  f"{item.participant or 'no speaker'}, {item.document}  [{item.coder}]",
                  highlight=False, markup=False)
        out.print(f"    {item.text}", highlight=False, markup=False)
        if item.rationale:
            out.print(f"    why: {item.rationale}", highlight=False, markup=False)


# --- topics and evaluation -----------------------------------------------------------------------

@command
def topics(project: ProjectArg,
           group: Annotated[str | None, typer.Option(help="Only this stakeholder group's segments.")] = None,
           min_size: Annotated[int, typer.Option(help="Smallest topic worth reporting.")] = 8,
           promote: Annotated[int | None, typer.Option(help="Make topic ID a code (with --code-id and "
                                                       "--name).", metavar="TOPIC_ID")] = None,
           code_id: Annotated[str | None, typer.Option(help="Id for the promoted code.")] = None,
           name: Annotated[str | None, typer.Option(help="Name for the promoted code.")] = None,
           parent: Annotated[str | None, typer.Option(help="Put the promoted code under this code id.")]
           = None) -> None:
    """Discover recurring themes the codebook may be missing; optionally promote one to a code."""
    if promote is not None and not (code_id and name):
        raise typer.BadParameter("--promote needs --code-id and --name.")
    opened = services.open_project(project)
    found = services.discover_topics(opened, group=group, min_topic_size=min_size)
    if promote is None:
        _print_topics(found)
        return
    chosen = [t for t in found if t.id == promote]
    if not chosen:
        raise QualkitError(f"no topic {promote} in this run.",
                           f"Choose one of: {', '.join(str(t.id) for t in found) or 'none found'}.")
    stored = services.promote_topic(opened, chosen[0], code_id, name, parent)  # type: ignore[arg-type]
    out.print(f"Added code '{code_id}' to '{stored.name}', now version {stored.version}.", highlight=False)


def _print_topics(found: list[Topic]) -> None:
    if not found:
        out.print("No topics found; try a smaller --min-size.")
    for topic in found:
        groups = ", ".join(f"{g or '(no group)'} {n}" for g, n in topic.size_by_group.items())
        nearest = f"{topic.nearest_code[0]} ({topic.nearest_code[1]:.2f})" if topic.nearest_code else "-"
        out.print(Text.assemble((f"Topic {topic.id}", "bold"), f": {topic.label} — {topic.size} segments "
                                f"({groups}); nearest code: {nearest}"))
        out.print(f"  keywords: {', '.join(topic.keywords)}", highlight=False, markup=False)
        for unit in topic.representatives[:2]:
            out.print(f"  “{_clip(unit.text, 160)}”", highlight=False, markup=False)


@command
def evaluate(project: ProjectArg,
             against: Annotated[str, typer.Option(help="'machine', a coder name, or a person's name.")]
             = "machine",
             since_run: Annotated[bool, typer.Option(
                 "--since-run", help="Only decisions people made after the coder ran (ones it could not "
                                     "have learnt from): its own yes/no against them, per code.")] = False,
             ) -> None:
    """Agreement between people's accepted codings and the machine (or another coder), per code, with
    the number of decisions people made on each code; --since-run: the fair test on decisions made
    after the coder ran."""
    opened = services.open_project(project)
    if since_run:
        _print_since_run(services.machine_agreement_since_run(opened, against), against)
        return
    report = services.evaluate(opened, against)
    out.print(f"{against} against people's codings on {report.units} segments:", highlight=False)
    table = Table(Column("code", no_wrap=True), "decided", "support", "predicted", "precision", "recall",
                  "F1", "kappa")
    for c in report.codes:
        decisions = "-" if c.decisions is None else str(c.decisions)
        table.add_row(c.code, decisions, str(c.support), str(c.predicted),
                      *map(_number, (c.precision, c.recall, c.f1, c.kappa)))
    table.add_row("macro average", str(sum(c.decisions or 0 for c in report.codes)), str(report.support), "",
                  *map(_number, (
        report.macro_precision, report.macro_recall, report.macro_f1, report.macro_kappa)), style="bold")
    out.print(table)
    if report.macro_kappa_interval:
        low, high = report.macro_kappa_interval
        out.print(f"Macro kappa {_number(report.macro_kappa)}, 95% interval {low:.2f} to {high:.2f} "
                  f"(bootstrap over the {report.units} segments).", highlight=False)


def _print_since_run(found: services.MachineSinceRun, against: str) -> None:
    if not found.decisions:
        out.print(f"No decisions on codings by {against} were made after it ran (this measures machine "
                  "coders: 'machine' or a coder's name).", highlight=False)
        return
    out.print(f"{', '.join(found.coders)} against {found.decisions} decisions people made after it ran:",
              highlight=False)
    table = Table(Column("code", no_wrap=True), "decisions", "accepted", "agreement", "kappa")
    for c in found.codes:
        agreement = "-" if c.agreement is None else f"{c.agreement:.0%}"
        table.add_row(c.code, str(c.decisions), str(c.accepted), agreement, _number(c.kappa))
    out.print(table)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _clip(text: str, chars: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars - 1] + "…"


# --- reports and exports -------------------------------------------------------------------------

ReportFormat = StrEnum("ReportFormat", {name: name for name in [*REPORT_FORMATS, "all"]})  # type: ignore[misc]
ExportFormat = StrEnum("ExportFormat", {name: name for name in (*EXPORT_FORMATS, *REFI_FORMATS)})  # type: ignore[misc]
GroupByOption = Annotated[str, typer.Option(
    "--group-by", help="Group counts by: group (stakeholder group), role, site, document, or an attribute.")]
CodeFilter = Annotated[list[str] | None, typer.Option(
    "--code", help="Only this code and its sub-codes (repeatable).")]
GroupFilter = Annotated[list[str] | None, typer.Option(
    "--group", help="Only this stakeholder group (repeatable).")]
WhereFilter = Annotated[list[str] | None, typer.Option(
    "--where", help="Only segments whose attribute (segment, participant or document) has this value, "
    "e.g. site=Millbrook (repeatable).", metavar="KEY=VALUE")]
SuggestionsOption = Annotated[bool, typer.Option(
    "--include-suggestions", help="Also count machine suggestions nobody has reviewed (marked as such).")]


ContextOption = Annotated[bool, typer.Option(
    "--context", help="Quote a coded part of a turn with the sentences around it.")]


def _report_options(group_by: str, code: list[str] | None, group: list[str] | None, where: list[str] | None,
                    include_suggestions: bool, **extra: Any) -> services.ReportOptions:
    pairs = []
    for item in where or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"'{item}' is not KEY=VALUE.", param_hint="--where")
        pairs.append((key.strip(), value.strip()))
    return services.ReportOptions(group_by=group_by, codes=tuple(code or ()), groups=tuple(group or ()),
                                  where=tuple(pairs), include_suggestions=include_suggestions, **extra)


@command
def report(project: ProjectArg,
           formats: Annotated[list[ReportFormat] | None, typer.Option(
               "--format", help="docx, html, md, xlsx or all (repeatable; default all).")] = None,
           group_by: GroupByOption = "group", code: CodeFilter = None, group: GroupFilter = None,
           where: WhereFilter = None, include_suggestions: SuggestionsOption = False,
           quotes: Annotated[int, typer.Option(help="Quotes per theme and group.")] = 1,
           include_empty: Annotated[bool, typer.Option(
               "--include-empty", help="Also list themes nothing is coded with.")] = False,
           framework: Annotated[bool, typer.Option(
               "--framework", help="Add the framework matrix (participants x themes, with quotes).")] = False,
           every_group: Annotated[bool, typer.Option(
               "--every-group", help="Quote each theme from every group that raised it (default: the two "
                                     "that raised it most).")] = False,
           context: ContextOption = False,
           output: Annotated[Path | None, typer.Option("--output", "-o", help="Folder to write to (default: "
                                                       "a dated folder in the project's reports/).")] = None,
           ) -> None:
    """Write the anonymised thematic report: a summary page (coverage, reliability, what each group
    raised), counts by group, theme x group matrix, co-occurrence, representative quotes and a
    methods appendix; the framework matrix on request."""
    chosen = [f.value for f in formats or [ReportFormat("all")]]
    formats = list(REPORT_FORMATS) if "all" in chosen else chosen
    options = _report_options(group_by, code, group, where, include_suggestions, quotes_per_group=quotes,
                              include_empty=include_empty, framework=framework,
                              quote_every_group=every_group, context=context)
    for path in services.write_report(services.open_project(project), formats, options, output):
        out.print(f"Wrote {path}", highlight=False)


@on(app, "export")
def export(project: ProjectArg,
           what: Annotated[ExportFormat, typer.Option("--format", help="What to export.")],
           output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: in "
                                                       "a dated folder in the project's reports/).")] = None,
           group_by: GroupByOption = "group", code: CodeFilter = None, group: GroupFilter = None,
           where: WhereFilter = None, include_suggestions: SuggestionsOption = False,
           code_paths: Annotated[bool, typer.Option(help="Quote table: add REFI-style code paths.")] = False,
           binary: Annotated[bool, typer.Option(help="matrix-csv: 1/0 presence rather than counts.")] = False,
           context: ContextOption = False,
           ) -> None:
    """Export anonymised tables: the quote table (quotes-csv, quotes-xlsx) or the case x code matrix
    (matrix-csv, matrix-xlsx); or, not anonymised, the whole project for NVivo, ATLAS.ti, MAXQDA or
    QualCoder (qdpx, REFI-QDA) or its codebook (qdc)."""
    if what.value in REFI_FORMATS:
        summary = services.export_refi(services.open_project(project), what.value, output,
                                       include_suggestions=include_suggestions)
        out.print(f"Wrote {summary.path}: {summary.documents} document(s), {summary.codes} code(s), "
                  f"{summary.codings} coding(s), {summary.memos} memo(s).", highlight=False)
        for message in summary.left_out:
            err.print(tagged("Not exported:", "yellow", message))
        return
    options = _report_options(group_by, code, group, where, include_suggestions, code_paths=code_paths,
                              binary=binary, context=context)
    result = services.export(services.open_project(project), what.value, output, options)
    out.print(f"Wrote {result.rows} row(s) to {result.path}", highlight=False)


@on(app, "app")
def serve_app(project: Annotated[Path, typer.Argument(help="The project folder.")] = DEMO_PROJECT,
         read_only: Annotated[bool, typer.Option("--read-only", help="Themes and reports only; no edits, "
                                                 "no identifiers, no key.")] = False,
         port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501) -> None:
    """Serve the app (Streamlit) for a project on http://localhost:PORT (default: the demo project)."""
    services.open_project(project)  # a clean error here rather than in the browser
    if not APP_SCRIPT.is_file():
        raise QualkitError(f"the app script {APP_SCRIPT} is missing.",
                           "Install qualkit from its repository (pip install -e .) to use the app.")
    out.print(f"Serving {project} on http://localhost:{port} (Ctrl+C stops it)", highlight=False)
    os.execv(sys.executable, streamlit_command(sys.executable, project, read_only=read_only, port=port))



@on(app, "serve")
def serve(project: ProjectArg,
          host: Annotated[str, typer.Option(help="Address to listen on: 127.0.0.1 (this machine only), or "
                                            "0.0.0.0 (every network) for a project with accounts.")]
          = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8501,
          read_only: Annotated[bool, typer.Option("--read-only", help="Themes and reports only, for "
                                                  "everyone.")] = False) -> None:
    """Serve the app for a team on HOST:PORT. Beyond this machine only when the project has accounts
    (`qualkit users`), who then log in; put a reverse proxy with TLS in front (README: Team server)."""
    opened = services.open_project(project)
    services.check_can_listen(opened, host)
    if not APP_SCRIPT.is_file():
        raise QualkitError(f"the app script {APP_SCRIPT} is missing.",
                           "Install qualkit from its repository (pip install -e .) to use the app.")
    out.print(f"Serving {project} on http://{host}:{port} (Ctrl+C stops it)", highlight=False)
    os.execv(sys.executable, serve_command(sys.executable, project, host=host, port=port,
                                           read_only=read_only))


# --- accounts: `qualkit users PROJECT add|list|set-role|disable|reset-password` -----------------------

class Role(StrEnum):  # services.Role
    owner = "owner"
    coder = "coder"
    viewer = "viewer"


users_app = typer.Typer(help="Accounts of a shared project: who may log in to its app, with which role "
                             "(owner, coder, viewer).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(users_app, name="users")
RoleOption = Annotated[Role, typer.Option(help="owner: everything, accounts and the key included; coder: "
                                          "code, review, memos, redactions; viewer: themes and reports, "
                                          "anonymised.")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first "
                                             "line of stdin (scripts) instead of asking twice.")]


@users_app.callback()
def users(context: typer.Context, project: ProjectArg) -> None:
    """Manage accounts: `qualkit users PROJECT add NAME --role coder`, `list`, `set-role`, `disable`,
    `reset-password`. A project with accounts asks for a login in its app."""
    context.obj = project


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@on(users_app, "add")
def users_add(context: typer.Context,
              name: Annotated[str, typer.Argument(help="The name to log in with (an e-mail for single "
                                                  "sign-on).")],
              role: RoleOption, password_stdin: PasswordStdin = False) -> None:
    """Add an account (the first one must be an owner); the password is asked twice, hidden."""
    account = services.add_account(services.open_project(context.obj), name, role.value,
                                   _password(password_stdin))
    out.print(f"Added {account.role} {account.name}.", highlight=False)


@on(users_app, "list")
def users_list(context: typer.Context) -> None:
    """List the accounts with their roles."""
    found = services.list_accounts(services.open_project(context.obj))
    if not found:
        out.print("No accounts: the app asks for no login and serves this machine only.")
    for account in found:
        out.print(f"{account.name} ({account.role}{', disabled' if account.disabled else ''})",
                  highlight=False)


@on(users_app, "set-role")
def users_set_role(context: typer.Context, name: Annotated[str, typer.Argument(help="The account.")],
                   role: RoleOption) -> None:
    """Give an account another role (the last owner keeps theirs)."""
    account = services.set_role(services.open_project(context.obj), name, role.value)
    out.print(f"{account.name} is now {account.role}.", highlight=False)


@on(users_app, "disable")
def users_disable(context: typer.Context, name: Annotated[str, typer.Argument(help="The account.")]) -> None:
    """Stop an account logging in (its open logins end; its events keep its name)."""
    account = services.disable_account(services.open_project(context.obj), name)
    out.print(f"Disabled {account.name}.", highlight=False)


@on(users_app, "reset-password")
def users_reset_password(context: typer.Context, name: Annotated[str, typer.Argument(help="The account.")],
                         password_stdin: PasswordStdin = False) -> None:
    """Set a new password (asked twice, hidden); the account's open logins end."""
    account = services.reset_password(services.open_project(context.obj), name, _password(password_stdin))
    out.print(f"New password set for {account.name}.", highlight=False)

# --- several coders: blind samples, agreement, resolutions; memos --------------------------------

@command
def blind_sample(project: ProjectArg,
                 coder: Annotated[list[str] | None, typer.Option(help="A coder of the sample (repeatable).")]
                 = None,
                 share: Annotated[float | None, typer.Option(help="Draw this share of the documents at "
                                                             "random, e.g. 0.2.")] = None,
                 document: Annotated[list[str] | None, typer.Option(
                     help="Or name the documents (repeatable).")] = None,
                 seed: Annotated[int | None, typer.Option(help="Seed for the draw (default: a new one, "
                                                          "recorded).")] = None) -> None:
    """Choose documents for blind double coding; without --coder, list the samples drawn so far.
    Each coder then works with `qualkit review PROJECT --blind-for NAME`."""
    opened = services.open_project(project)
    if not coder:
        samples = services.blind_samples(opened)
        if not samples:
            out.print("No blind samples yet.")
        for sample in samples:
            _print_sample(sample)
        return
    _print_sample(services.draw_blind_sample(opened, coder, share=share, documents=document, seed=seed))


def _print_sample(sample: services.BlindSample) -> None:
    how = f"share {sample.share}, seed {sample.seed}" if sample.share is not None else "chosen by name"
    out.print(f"Blind for {', '.join(sample.coders)}: {len(sample.documents)} document(s) ({how}; drawn by "
              f"{sample.drawn_by}, {sample.drawn_at:%Y-%m-%d %H:%M})", highlight=False, markup=False)
    for name in sample.documents:
        out.print(f"    {name}", highlight=False, markup=False)


@command
def agreement(project: ProjectArg,
              coder: Annotated[list[str] | None, typer.Option(
                  help="A coder to compare: a person's name, 'machine' or a machine coder (give two).")]
              = None,
              level: Annotated[Level, typer.Option(
                  help="segment: each segment is a unit; character: each character is.")] = Level.segment,
              code: Annotated[str | None, typer.Option(help="Only this code id.")] = None,
              uncoded: Annotated[bool, typer.Option(
                  "--uncoded/--without-uncoded",
                  help="Count text neither coder coded (as agreement that no code applies).")] = True,
              disagreements: Annotated[bool, typer.Option(
                  help="List every disagreement with who said what.")] = False) -> None:
    """Inter-coder agreement (percentage, Cohen's kappa, Krippendorff's alpha) between two coders, per
    code and pooled; without --coder, the project's coders and the agreement of each double-coded pair."""
    opened = services.open_project(project)
    if not coder:
        _print_agreement_summary(services.agreement_summary(opened))
        return
    if len(coder) != 2:
        raise typer.BadParameter("give exactly two coders, e.g. --coder Ana --coder Ben.")
    result = services.agreement(opened, coder[0], coder[1], level=level, include_uncoded=uncoded, code=code)
    report = result.report
    out.print(f"{result.first} and {result.second}, {report.level.value} level, uncoded text "
              f"{'included' if uncoded else 'left out'}: {len(result.documents)} document(s), "
              f"{report.segments} segments, {report.units} units.", highlight=False, markup=False)
    table = Table("code", "units", result.first, result.second, "both", "agreement", "kappa",
                  "alpha")
    for code_id, figures in report.per_code.items():
        table.add_row(code_id, *_figure_cells(figures))
    table.add_row("pooled", *_figure_cells(report.overall), style="bold")
    out.print(table)
    resolved = sum(d.resolved_by is not None for d in result.disagreements)
    out.print(f"{len(result.disagreements)} disagreement(s), {resolved} resolved.", highlight=False)
    if disagreements:
        for d in result.disagreements:
            said = ", ".join(f"{name} {'yes' if applied else 'no'}" for name, applied in d.said.items())
            extent = f" (differ on {d.units} characters)" if report.level == Level.character else ""
            settled = ("" if d.resolved_by is None else
                       f"  [resolved by {d.resolved_by}: {'applies' if d.resolved_as else 'does not apply'}]")
            out.print(f"segment {d.segment_id} ({d.document}) {d.code}: {said}{extent}{settled}",
                      highlight=False, markup=False)
            out.print(f"    {_clip(d.text, 200)}", highlight=False, markup=False)


def _figure_cells(figures: Figures) -> list[str]:
    share = "-" if figures.agreement is None else f"{figures.agreement:.0%}"
    return [str(figures.units), str(figures.first), str(figures.second), str(figures.both), share,
            _number(figures.kappa), _number(figures.alpha)]


def _print_agreement_summary(summary: services.AgreementSummary) -> None:
    coders = Table("coder", "kind", "accepted", "rejected", "suggested", "segments", "documents")
    for c in summary.coders:
        coders.add_row(c.name, "machine" if c.machine else "person", str(c.accepted), str(c.rejected),
                       str(c.suggested), str(c.segments), str(c.documents))
    out.print(coders)
    out.print(f"Blind samples cover {summary.blind_documents} of {summary.documents} document(s).",
              highlight=False)
    if not summary.pairs:
        out.print("No two coders have coded a document in common yet.")
        return
    for p in summary.pairs:
        by_segment, by_character = p.segment_level, p.character_level
        out.print(f"{p.first} and {p.second}: {p.documents} document(s), {p.segments} segments; by segment "
                  f"kappa {_number(by_segment.kappa)}, alpha {_number(by_segment.alpha)}; by character "
                  f"kappa {_number(by_character.kappa)}, alpha {_number(by_character.alpha)}; "
                  f"{p.disagreements} disagreement(s), {p.resolved} resolved.", highlight=False, markup=False)


@command
def resolve(project: ProjectArg,
            segment: Annotated[int, typer.Argument(help="The segment's id.")],
            code: Annotated[str, typer.Argument(help="The code's id.")],
            coder: Annotated[list[str] | None, typer.Option(help="The two coders who disagree (give two).")]
            = None,
            decision: Annotated[bool | None, typer.Option(
                "--accept/--reject", help="Accept: the code applies; reject: it does not.")] = None,
            span: Annotated[str | None, typer.Option(help="Only these characters of the segment, as "
                                                     "START:END.")] = None,
            resolver: Annotated[str | None, typer.Option(
                "--as", help="Who resolves it (default: QUALKIT_USER or your login).")] = None,
            note: Annotated[str | None, typer.Option(help="Why, kept with the decision.")] = None) -> None:
    """Settle a disagreement between two coders on a segment and code; recorded as a new decision."""
    if decision is None:
        raise typer.BadParameter("say --accept (the code applies) or --reject (it does not).")
    coding = services.resolve_disagreement(services.open_project(project), segment, code, applies=decision,
                                           resolver=resolver or services.current_user(), between=coder or [],
                                           span=_span(span) if span else None, note=note)
    out.print(f"Resolved: code '{code}' {'applies to' if decision else 'does not apply to'} segment "
              f"{segment} (coding #{coding}).", highlight=False, markup=False)


def _span(text: str) -> tuple[int, int]:
    start, _, end = text.partition(":")
    if not (start.isdigit() and end.isdigit()):
        raise typer.BadParameter(f"'{text}' is not START:END, e.g. 0:42.")
    return int(start), int(end)


class MemoAction(StrEnum):
    add = "add"
    list = "list"
    search = "search"
    edit = "edit"
    delete = "delete"


@command
def memo(project: ProjectArg,
         action: Annotated[MemoAction, typer.Argument(help="add, list, search, edit or delete.")],
         text: Annotated[str | None, typer.Argument(help="add/edit: the memo's text; search: words to find.")]
         = None,
         on: Annotated[str | None, typer.Option(
             help="What it is on: project, code:ID, document:NAME or segment:ID.")] = None,
         title: Annotated[str | None, typer.Option(help="A title for the memo.")] = None,
         memo_id: Annotated[int | None, typer.Option("--id", help="The memo to edit or delete.")] = None,
         author: Annotated[str | None, typer.Option("--as", help="Who writes it (default: QUALKIT_USER or "
                                                    "your login).")] = None) -> None:
    """Memos on the project, codes, documents and segments: add, list, search, edit or delete."""
    opened = services.open_project(project)
    target, _, ref = (on or "").partition(":")
    who = author or services.current_user()
    if action is MemoAction.add:
        if text is None:
            raise typer.BadParameter("write the memo's text after `add`.")
        added = services.add_memo(opened, target or "project", ref or None, text, who, title=title or "")
        out.print(f"Added memo #{added.id} on {added.target.value} {added.about}.", highlight=False,
                  markup=False)
    elif action in (MemoAction.edit, MemoAction.delete):
        if memo_id is None:
            raise typer.BadParameter(f"give the memo to {action.value} with --id.")
        if action is MemoAction.edit:
            services.edit_memo(opened, memo_id, text=text, title=title, editor=who)
            out.print(f"Memo #{memo_id} edited.", highlight=False)
        else:
            services.delete_memo(opened, memo_id, by=who)
            out.print(f"Memo #{memo_id} deleted.", highlight=False)
    else:
        found = services.list_memos(opened, target or None, ref or None,
                                    search=text if action is MemoAction.search else None)
        if not found:
            out.print("No memos found.")
        for m in found:
            out.print(f"#{m.id} [{m.target.value}: {m.about}] {m.title or '(untitled)'} — {m.author}, "
                      f"{m.updated_at:%Y-%m-%d %H:%M}", highlight=False, markup=False)
            out.print(f"    {m.text}", highlight=False, markup=False)


db_app = typer.Typer(help="A project's database: move it between SQLite and PostgreSQL.",
                     no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")


@on(db_app, "copy")
def db_copy(source: Annotated[str, typer.Argument(metavar="SRC_URL", help="The project's database URL "
                                                  "(sqlite:///path/project.db or postgresql://user@host/db).")],
            destination: Annotated[str, typer.Argument(metavar="DEST_URL",
                                                       help="The URL of a new, empty database.")]) -> None:
    """Copy a project's database into a new, empty one (SQLite to PostgreSQL or back) and compare every
    table's row count and checksum; then set database_url in qualkit.toml to the copy."""
    from qualkit.services.database import copy_project_database

    copies = copy_project_database(source, destination)
    for copy in copies:
        out.print(f"{copy.table}: {copy.copied_rows} of {copy.source_rows} rows, sha256 "
                  f"{copy.copied_checksum[:16]} (source {copy.source_checksum[:16]})", highlight=False)
    out.print(f"Copied {len(copies)} tables; every row count and checksum matches the source.")
