"""Thematic reports and anonymised exports of a project.

Reads the codable segments and codings in scope, builds the report with `qualkit.reports` through the
project's anonymised view (so no original identifier reaches a file, and the pseudonym key is read
by nothing here), and writes the files into the project's `reports/` folder. Each export format maps
to one function in `EXPORT_FORMATS`: adding a format is one entry there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from qualkit.errors import NotFoundError, QualkitError
from qualkit.ingest.sentences import sentence_spans
from qualkit.model import Codebook
from qualkit.reports import docx, html, markdown, tables, xlsx
from qualkit.reports.document import ReportDocument
from qualkit.reports.layout import build_report
from qualkit.reports.model import (
    NO_GROUP,
    Agreement,
    CoderPair,
    CodeSinceRun,
    CodingFact,
    ReportInput,
    SegmentFact,
    Spans,
    TextView,
    Theme,
    coding_facts,
    merge_spans,
    source_kind,
)
from qualkit.reports.quotes import coded_text
from qualkit.services.agreement import agreement_summary
from qualkit.services.anonymisation import anonymised_view, ensure_anonymised
from qualkit.services.codebooks import codebook_row
from qualkit.services.coding import evaluate, machine_agreement_since_run
from qualkit.services.projects import Project, current_user
from qualkit.store import Session, report_facts
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo

GROUP_WORDS = {"group": "stakeholder group", "document": "document", "participant": "participant"}


class ReportError(QualkitError):
    """A report or export was asked for with options that do not fit the project."""


@dataclass(frozen=True)
class ReportOptions:
    """What a report or export covers. Accepted codings only unless `include_suggestions`."""

    group_by: str = "group"  # group, document, participant, role, site, or any attribute name
    codes: tuple[str, ...] = ()  # codebook subtrees (a code and its sub-codes)
    groups: tuple[str, ...] = ()  # stakeholder groups
    where: tuple[tuple[str, str], ...] = ()  # (attribute, value): of the segment, participant or document
    include_suggestions: bool = False  # also pending machine suggestions the coder said yes to
    codebook: str | None = None  # default: the newest
    quotes_per_group: int = 1  # the summary adds one for each group's top themes
    code_paths: bool = False  # quote table: add REFI-style code paths
    binary: bool = False  # case x code matrix: 1/0 rather than counts
    include_empty: bool = False  # report: also themes nothing is coded with, and empty matrix rows
    framework: bool = False  # report: add the framework matrix (participants x themes, with quotes)
    quote_every_group: bool = False  # report: quote each theme from every group that raised it
    context: bool = False  # quotes: a part-segment coding shows the whole sentences around the coded words


# --- reading the project -------------------------------------------------------------------------

def _themes(book: Codebook, wanted: tuple[str, ...]) -> list[Theme]:
    parents = book.parent_of()
    names = {code.id: code.name for code in book.flat()}
    unknown = [key for key in wanted if key not in names]
    if unknown:
        more = ", ..." if len(names) > 12 else ""
        raise NotFoundError(f"codebook '{book.name}' has no code '{unknown[0]}'.",
                            f"Its code ids: {', '.join(list(names)[:12])}{more}.")

    def lineage(key: str) -> list[str]:
        return [*lineage(parents[key]), key] if parents[key] else [key]

    themes = [Theme(code.id, code.name, code.description, parent, depth,
                    "/".join(names[k] for k in lineage(code.id))) for code, parent, depth in book.walk()]
    return [t for t in themes if not wanted or set(lineage(t.key)) & set(wanted)]


def _segments(session: Session, options: ReportOptions) -> list[SegmentFact]:
    """The codable segments in scope, filtered in the store; a filter that matches nothing in the
    project is an error naming what there is."""
    found = report_facts.scoped_segments(session, options.group_by, options.groups, options.where)
    groups = report_facts.stakeholder_groups(session) if options.groups else set()
    missing = [g for g in options.groups if g not in groups]
    if missing:
        raise NotFoundError(f"no stakeholder group '{missing[0]}' in the project.",
                            f"Groups: {', '.join(sorted(g for g in groups if g)) or 'none yet'}.")
    for key, wanted in options.where:
        values = report_facts.values_of(session, key, options.groups)
        if wanted not in values:
            known = sorted(v for v in values if v is not None)
            raise ReportError(f"no codable segment has {key}={wanted}.",
                              f"Values of '{key}': {', '.join(known[:12]) or 'none (no such attribute)'}.")
    return [SegmentFact(s.id, s.document_id, s.document, s.ordinal, s.start_time, s.participant_id,
                        s.participant, s.value or NO_GROUP, s.words,
                        source_kind(s.suffix, s.participant_id is not None)) for s in found]


def _in_context(spans: Spans, start: int, text: str) -> Spans:
    """`spans` (document offsets in a segment that starts at `start` and reads `text`) widened to the
    whole sentences they touch, so a quote of a few coded words can show what they were said in."""
    sentences = [(start + a, start + b) for a, b in sentence_spans(text)]
    widened = []
    for first, last in spans:
        touched = [(a, b) for a, b in sentences if a < last and b > first]
        widened.append((min([first, *(a for a, _ in touched)]), max([last, *(b for _, b in touched)])))
    return merge_spans(widened)


def _with_context(session: Session, codings: list[CodingFact]) -> list[CodingFact]:
    texts = report_facts.segment_texts(session, {c.segment_id for c in codings if c.spans})
    return [replace(c, spans=_in_context(c.spans, *texts[c.segment_id])) if c.spans else c for c in codings]


def _agreement(project: Project) -> Agreement | None:
    try:
        report = evaluate(project)
    except NotFoundError:  # no machine suggestions, or no decisions to compare with
        return None
    return Agreement("machine", report.units, report.macro_f1, report.macro_kappa,
                     report.macro_kappa_interval)


def _since_run(project: Project, codebook: str | None) -> tuple[CodeSinceRun, ...]:
    """Per code, the machine against people's decisions made after it ran, for the methods appendix."""
    found = machine_agreement_since_run(project, codebook=codebook)
    return tuple(CodeSinceRun(c.code, c.decisions, c.accepted, c.agreement, c.kappa) for c in found.codes)


def _coder_pairs(project: Project) -> tuple[CoderPair, ...]:
    """Inter-coder agreement for the methods appendix (blind samples' coders, else every two people
    who coded a document in common)."""
    return tuple(CoderPair(p.first, p.second, p.documents, p.segments, p.segment_level.agreement,
                           p.segment_level.kappa, p.segment_level.alpha, p.character_level.alpha,
                           p.disagreements, p.resolved)
                 for p in agreement_summary(project).pairs)


def _scope(options: ReportOptions) -> list[str]:
    return [*(f"codes under {', '.join(options.codes)}" for _ in options.codes[:1]),
            *(f"stakeholder groups {', '.join(options.groups)}" for _ in options.groups[:1]),
            *(f"{key} = {value}" for key, value in options.where)]


def report_input(project: Project, options: ReportOptions = ReportOptions()) -> ReportInput:
    """The codable segments and codings in scope, with the codebook, provenance and agreement figures."""
    with project.sessions() as session:
        book_row = codebook_row(session, options.codebook)
        book = codebooks_store.read(session, book_row)
        themes = _themes(book, options.codes)
        segments = _segments(session, options)
        in_scope = {s.id for s in segments}
        codings, provenance = coding_facts(report_facts.codings_of_codebook(session, book_row.name),
                                           {t.key for t in themes}, options.include_suggestions)
        codings = [c for c in codings if c.segment_id in in_scope]
        if options.context:
            codings = _with_context(session, codings)
    if not segments:
        raise NotFoundError("no codable segments in this scope.",
                            "Import documents first, or widen the group and attribute filters.")
    return ReportInput(project.config.name, book.name, book_row.version,
                       GROUP_WORDS.get(options.group_by, options.group_by), themes, segments, codings,
                       provenance, options.include_suggestions, _scope(options),
                       _agreement(project), _coder_pairs(project), options.include_empty,
                       options.framework, options.quote_every_group,
                       since_run=_since_run(project, options.codebook)
                       if provenance.coders else None)


# --- reports -------------------------------------------------------------------------------------

class Renderer(NamedTuple):
    suffix: str
    render: Callable[[ReportDocument], str | bytes]


REPORT_FORMATS: dict[str, Renderer] = {
    "docx": Renderer(".docx", docx.render),
    "html": Renderer(".html", html.render),
    "md": Renderer(".md", markdown.render),
    "xlsx": Renderer(".xlsx", xlsx.render),
}
REPORT_STEM = "thematic_report"


def thematic_report(project: Project, options: ReportOptions = ReportOptions(), *,
                    view: TextView | None = None, with_charts: bool = True) -> ReportDocument:
    """The report as a document, every quote and name read through the anonymised view."""
    data = report_input(project, options)
    return build_report(data, view or anonymised_view(project), quotes_per_group=options.quotes_per_group,
                        with_charts=with_charts)


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def output_folder(project: Project) -> Path:
    """Where this build's outputs go by default: a dated sub-folder of the project's reports/, so
    that earlier reports survive ("reports/2026-12-04_231500")."""
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    return project.folder / "reports" / stamp


def write_report(project: Project, formats: Iterable[str] = tuple(REPORT_FORMATS),
                 options: ReportOptions = ReportOptions(), folder: Path | None = None,
                 stem: str = REPORT_STEM) -> list[Path]:
    """Write the thematic report in each format (docx, html, md, xlsx) into `folder` (default: a
    dated sub-folder of the project's reports/); returns the paths written."""
    chosen = list(dict.fromkeys(formats))
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown:
        raise ReportError(f"unknown report format '{unknown[0]}'.",
                          f"Use one of: {', '.join(REPORT_FORMATS)}.")
    _store_anonymisation(project)
    document = thematic_report(project, options, with_charts=bool({"docx", "html"} & set(chosen)))
    folder = folder or output_folder(project)
    written = []
    for name in chosen:
        renderer = REPORT_FORMATS[name]
        path = folder / f"{stem}{renderer.suffix}"
        _write(path, renderer.render(document))
        written.append(path)
    _log(project, "write_report", formats=chosen, tables=len(document.tables()),
         quotes=len(document.quotes()))
    return written


def _store_anonymisation(project: Project) -> None:
    """Before a file is written: bring the stored anonymisation up to date (a project open read-only
    anonymises in memory instead), so that every file names people by the stored, stable pseudonyms
    and the pseudonym key holds every name a file was written with."""
    if not project.read_only:
        ensure_anonymised(project)


def _log(project: Project, action: str, **data: Any) -> None:
    """Audit an output; a project open read-only writes nothing, not even this."""
    if project.read_only:
        return
    with project.transaction() as session:
        repo.log_event(session, current_user(), action, "project", None, **data)


# --- exports -------------------------------------------------------------------------------------

def export_quotes_csv(project: Project, path: Path, options: ReportOptions) -> int:
    columns, rows = tables.quote_table(report_input(project, options), anonymised_view(project),
                                       code_paths=options.code_paths)
    _write(path, tables.csv_text(columns, rows))
    return len(rows)


def export_quotes_xlsx(project: Project, path: Path, options: ReportOptions) -> int:
    columns, rows = tables.quote_table(report_input(project, options), anonymised_view(project),
                                       code_paths=options.code_paths)
    _write(path, tables.xlsx_bytes([("Quotes", columns, rows)]))
    return len(rows)


def export_matrix_csv(project: Project, path: Path, options: ReportOptions) -> int:
    columns, rows = tables.case_matrix(report_input(project, options), anonymised_view(project),
                                       binary=options.binary)
    _write(path, tables.csv_text(columns, rows))
    return len(rows)


def export_matrix_xlsx(project: Project, path: Path, options: ReportOptions) -> int:
    """Both matrices: counts and 1/0, one sheet each."""
    data, view = report_input(project, options), anonymised_view(project)
    sheets = [(name, *tables.case_matrix(data, view, binary=binary)) for name, binary in
              (("Counts", False), ("Present (1-0)", True))]
    _write(path, tables.xlsx_bytes(sheets))  # type: ignore[arg-type]
    return len(sheets[0][2])


class Exporter(NamedTuple):
    write: Callable[[Project, Path, ReportOptions], int]  # writes the file, returns its rows
    filename: str  # default name in reports/


EXPORT_FORMATS: dict[str, Exporter] = {
    "quotes-csv": Exporter(export_quotes_csv, "quotes.csv"),
    "quotes-xlsx": Exporter(export_quotes_xlsx, "quotes.xlsx"),
    "matrix-csv": Exporter(export_matrix_csv, "case_code_matrix.csv"),
    "matrix-xlsx": Exporter(export_matrix_xlsx, "case_code_matrix.xlsx"),
}


@dataclass(frozen=True)
class ExportResult:
    format: str
    path: Path
    rows: int


def export(project: Project, format: str, path: Path | None = None,
           options: ReportOptions = ReportOptions()) -> ExportResult:
    """Write one export (see `EXPORT_FORMATS`) to `path`, default a dated sub-folder of the project's
    reports/."""
    if format not in EXPORT_FORMATS:
        raise ReportError(f"unknown export format '{format}'.", f"Use one of: {', '.join(EXPORT_FORMATS)}.")
    exporter = EXPORT_FORMATS[format]
    if path is None:
        name = exporter.filename
        if options.binary and format == "matrix-csv":
            name = name.replace("matrix", "binary_matrix")
        path = output_folder(project) / name
    _store_anonymisation(project)
    rows = exporter.write(project, path, options)
    _log(project, "export", format=format, rows=rows)
    return ExportResult(format, path, rows)


def codings_records(project: Project, options: ReportOptions = ReportOptions(), *,
                    anonymised: bool = True) -> list[dict[str, Any]]:
    """One record per coding in scope (for `qualkit.Project.codings_frame`): the segment, who said
    it, the group value, the code and its status, and the text as coded (the coded part of a
    part-segment coding), anonymised unless asked otherwise."""
    data = report_input(project, options)
    shown: TextView = anonymised_view(project) if anonymised else _stored_view(project, data.codings)
    segments = {s.id: s for s in data.segments}
    themes = {t.key: t for t in data.themes}
    return [{"segment": s.id, "document": shown.document(s.document), "position": s.position,
             "participant": shown.participant(s.participant) or None, "case": s.case_name(shown),
             "group": data.group_name(s.group, shown), "code": c.code, "code_name": themes[c.code].name,
             "code_path": themes[c.code].path, "status": c.status.value, "source": c.source, "score": c.score,
             "text": coded_text(shown, c)}
            for c in data.codings for s in (segments[c.segment_id],)]


class _StoredView:
    """Texts and names as stored, for the raw (not anonymised) frame."""

    def __init__(self, texts: dict[int, tuple[int, str]]) -> None:
        self._texts = texts  # segment id -> (its start in its document, its text)

    def segment_text(self, segment_id: int) -> str:
        return self._texts[segment_id][1]

    def span_text(self, segment_id: int, start: int, end: int) -> str:
        offset, text = self._texts[segment_id]
        return text[max(start - offset, 0):max(end - offset, 0)]

    def participant(self, label: str | None) -> str:
        return label or ""

    def document(self, name: str | None) -> str:
        return name or ""


def _stored_view(project: Project, codings: list[CodingFact]) -> _StoredView:
    with project.sessions() as session:
        return _StoredView(report_facts.segment_texts(session, {c.segment_id for c in codings}))
