"""Use cases. The CLI, the batch pipes and the app call these and nothing below them.

Every function that writes does so in one transaction: it either completes or leaves the
project exactly as it was.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from qualkit import topics
from qualkit.anonymise import batch as anonymise_batch
from qualkit.coders import batch
from qualkit.coders.base import Coder, Label, Suggestion, Unit, make_coder
from qualkit.coders.embeddings import CachedEmbedder, MiniLMEmbedder
from qualkit.coders.semantic import code_texts
from qualkit.config import CONFIG_FILE, ProjectConfig, default_config_text, load_config
from qualkit.errors import IngestError, NotFoundError, ProjectError, QualkitError, SheetError
from qualkit.evaluation import EvaluationReport, evaluate_codings
from qualkit.ingest.participants import SheetRow, read_participants_sheet
from qualkit.ingest.registry import parse_file, supported_suffixes
from qualkit.interop.codebook_yaml import dump_codebook, load_codebook
from qualkit.model import Codebook, Document
from qualkit.store import assignments
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo
from qualkit.store.database import create_project_engine, session_factory, transaction
from qualkit.store.embedding_cache import StoreEmbeddingCache
from qualkit.store.schema import (
    CodeAssignmentRow,
    CodebookRow,
    DocumentRow,
    EventRow,
    ParticipantRow,
    SegmentRow,
    SpeakerRow,
)
from qualkit.topics import Topic

Progress = Callable[[str, int, int], None]  # (item, done so far, total)
SHEET_STEM = "participants"


def current_user() -> str:
    """Who is acting, for the audit trail: QUALKIT_USER, else the login name."""
    return os.environ.get("QUALKIT_USER") or getpass.getuser()


@dataclass
class Project:
    """An open project: its folder, settings and database."""

    folder: Path
    config: ProjectConfig

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        engine = create_project_engine(self.config.database_url_for(self.folder))
        return session_factory(engine)

    def transaction(self):  # type: ignore[no-untyped-def]
        return transaction(self.sessions)


def init_project(folder: Path, *, database_url: str | None = None, name: str | None = None) -> Project:
    """Create a project folder (settings, database, codebooks/ and reports/). Safe to re-run."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / CONFIG_FILE
    if not config_path.exists():
        config_path.write_text(default_config_text(name or folder.resolve().name, database_url),
                               encoding="utf-8")
    for sub in ("codebooks", "reports"):
        (folder / sub).mkdir(exist_ok=True)
    project = open_project(folder)
    project.sessions  # noqa: B018  (creates and migrates the database now, not on first use)
    return project


def open_project(folder: Path) -> Project:
    return Project(folder, load_config(folder))


# --- import ------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (document, segments)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, document it repeats)
    changed: list[str] = field(default_factory=list)
    failed: list[IngestError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


class ImportFailed(QualkitError):
    """Some files could not be read; nothing was imported."""

    def __init__(self, errors: list[IngestError]) -> None:
        self.errors = errors
        listing = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} file(s) could not be imported, so nothing was:\n{listing}",
                         "Fix or remove them, or pass --skip-bad to import the others.")


def collect_sources(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to import from files and folders; folders are walked in name order. Files whose name
    starts with `_` or `.`, and participants sheets, are skipped with the reason."""
    suffixes = set(supported_suffixes())
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            raise NotFoundError(f"{path} does not exist.", "Check the path.")
        if path.is_file():
            files.append(path)
            continue
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.name.startswith((".", "_")):
                continue
            if child.stem.lower() == SHEET_STEM:
                skipped.append((str(child), "participants sheet: load it with `qualkit participants`"))
            elif child.suffix.lower() not in suffixes:
                skipped.append((str(child), f"unsupported {child.suffix or 'extension'}"))
            else:
                files.append(child)
    return files, skipped


def import_sources(project: Project, paths: Iterable[Path], *, corpus: str = "main",
                   text_columns: tuple[str, ...] = (), skip_bad: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    """Import files and folders in one transaction.

    All files are read first; if any fails, nothing is written (unless `skip_bad`). A file
    already imported (same sha256) is skipped; a file whose name is known but whose content
    changed is reported and left alone, never duplicated.
    """
    files, skipped = collect_sources(paths)
    report = ImportReport(skipped=skipped)
    options = project.config.read_options(text_columns)
    parsed: list[list[Document]] = []
    for done, path in enumerate(files):
        if progress:
            progress(path.name, done, len(files))
        try:
            parsed.append(parse_file(path, options))
        except IngestError as error:
            report.failed.append(error)
    if progress:
        progress("", len(files), len(files))
    if report.failed and not skip_bad:
        raise ImportFailed(report.failed)
    actor = current_user()
    with project.transaction() as session:
        corpus_row = repo.get_or_create_corpus(session, corpus)
        for documents in parsed:
            same = repo.document_with_sha(session, corpus_row.id, documents[0].sha256)
            if same is not None and same.source_path is not None:
                if Path(same.source_path).name == Path(documents[0].source_path or "").name:
                    report.unchanged.extend(d.name for d in documents)
                else:
                    report.duplicates.append((Path(documents[0].source_path or "").name, same.name))
                continue
            for document in documents:
                if repo.document_named(session, corpus_row.id, document.name):
                    report.changed.append(document.name)
                    continue
                row = repo.add_document(session, corpus_row.id, document)
                repo.log_event(session, actor, "import", "document", row.id,
                               segments=len(document.segments), sha256=document.sha256)
                report.imported.append((document.name, len(document.segments)))
    return report


# --- participants and groups ---------------------------------------------------------------------

@dataclass
class ParticipantsReport:
    matched: int = 0
    unmatched: list[str] = field(default_factory=list)  # messages naming the sheet row


def load_participants(project: Project, sheet: Path) -> ParticipantsReport:
    """Apply a participants sheet: groups, roles, sites and names by speaker and/or document."""
    rows = read_participants_sheet(sheet, project.config.read_options().limits)
    report = ParticipantsReport()
    actor = current_user()
    with project.transaction() as session:
        for row in rows:
            if _apply_sheet_row(session, sheet, row):
                report.matched += 1
            else:
                what = f"speaker '{row.speaker}'" if row.speaker else f"document '{row.document}'"
                report.unmatched.append(f"row {row.row}: no {what} in the project yet")
        repo.log_event(session, actor, "load_participants", "participants",
                       rows=len(rows), matched=report.matched)
    return report


def _apply_sheet_row(session: Session, sheet: Path, row: SheetRow) -> bool:
    if row.speaker is None:
        documents = session.scalars(select(DocumentRow).where(DocumentRow.name == row.document)).all()
        for document in documents:
            document.group = row.group or document.group
            document.attributes = {**(document.attributes or {}), **row.attributes,
                                   **({"site": row.site} if row.site else {})}
        return bool(documents)
    speakers = _speakers_for(session, sheet, row)
    if not speakers:
        return False
    participant = speakers[0].participant
    if row.participant and row.participant != participant.label:
        previous = participant
        participant = repo.get_or_create_participant(session, row.participant, role=previous.role)
        for speaker in speakers:
            speaker.participant_id = participant.id
        session.flush()
        repo.delete_if_unspoken(session, previous)
    participant.group = row.group or participant.group
    participant.role = row.role or participant.role
    participant.site = row.site or participant.site
    participant.attributes = {**(participant.attributes or {}), **row.attributes}
    session.flush()
    repo.set_participant_codability(session, participant.id, not _is_interviewer(participant))
    return True


def _is_interviewer(participant: ParticipantRow) -> bool:
    return (participant.role or "").strip().lower() == "interviewer"


def _speakers_for(session: Session, sheet: Path, row: SheetRow) -> list[SpeakerRow]:
    query = select(SpeakerRow).join(DocumentRow, SpeakerRow.document_id == DocumentRow.id)
    if row.document:
        return list(session.scalars(query.where(DocumentRow.name == row.document,
                                                SpeakerRow.label == row.speaker)))
    by_participant = list(session.scalars(
        query.join(ParticipantRow, SpeakerRow.participant_id == ParticipantRow.id)
        .where(ParticipantRow.label == row.speaker)))
    if by_participant:
        return by_participant
    speakers = list(session.scalars(query.where(SpeakerRow.label == row.speaker)))
    if len({s.document_id for s in speakers}) > 1:
        raise SheetError(sheet, f"speaker '{row.speaker}' appears in {len(speakers)} documents.",
                         "Add a 'document' column so each row names the file it means.", row=row.row)
    return speakers


def set_document_group(project: Project, document: str, group: str) -> None:
    """Set a document's stakeholder group (used where no participant says otherwise)."""
    with project.transaction() as session:
        row = repo.document_named(session, None, document)
        if row is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "See `qualkit show PROJECT documents` for the names.")
        row.group = group
        repo.log_event(session, current_user(), "set_group", "document", row.id)


# --- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProjectStatus:
    name: str
    database: str
    documents: int
    words: int
    segments: int
    codable: int
    participants: int
    by_group: list[tuple[str | None, int, int, int]]
    events: int


def project_status(project: Project) -> ProjectStatus:
    with project.sessions() as session:
        documents, words = session.execute(
            select(func.count(DocumentRow.id), func.coalesce(func.sum(DocumentRow.word_count), 0))).one()
        segments, codable = session.execute(select(
            func.count(SegmentRow.id),
            func.coalesce(func.sum(case((SegmentRow.codable.is_(True), 1), else_=0)), 0),
        )).one()
        participants = session.scalar(select(func.count(ParticipantRow.id))) or 0
        events = session.scalar(select(func.count(EventRow.id))) or 0
        return ProjectStatus(
            project.config.name, _safe_url(project), documents, int(words), segments, int(codable),
            participants, repo.counts_by_group(session), events)


def _safe_url(project: Project) -> str:
    """The database location without any password in it."""
    return make_url(project.config.database_url_for(project.folder)).render_as_string(hide_password=True)


def list_documents(project: Project) -> list[repo.DocumentSummary]:
    with project.sessions() as session:
        return repo.document_summaries(session)


def list_participants(project: Project) -> list[repo.ParticipantSummary]:
    with project.sessions() as session:
        return repo.participant_summaries(session)


def iter_segments(project: Project, *, document: str | None = None,
                  codable_only: bool = False) -> Iterator[repo.SegmentView]:
    with project.sessions() as session:
        if document is not None and repo.document_named(session, None, document) is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "See `qualkit show PROJECT documents` for the names.")
        yield from repo.iter_segments(session, document=document, codable_only=codable_only)


def segment_record(segment: repo.SegmentView) -> dict[str, Any]:
    """The stable JSONL shape: {"id", "document", "speaker", "group", "start", "end", "text",
    ...attributes}; the same shape `.jsonl` import reads."""
    core = {"id": segment.id, "document": segment.document, "speaker": segment.speaker,
            "group": segment.group, "start": segment.start, "end": segment.end, "text": segment.text}
    extra = {"kind": segment.kind, "codable": segment.codable}
    if segment.start_time is not None:
        extra["start_time"] = segment.start_time
    if segment.end_time is not None:
        extra["end_time"] = segment.end_time
    return {**core, **extra, **{k: v for k, v in segment.attributes.items() if k not in core}}


# --- demo --------------------------------------------------------------------------------------

DEMO_CODINGS = "_coded_subset.jsonl"


@dataclass
class DemoReport:
    imported: ImportReport
    participants: ParticipantsReport
    codebook: StoredCodebook | None = None
    coding: CodingRunSummary | None = None  # None when an earlier build already coded the project
    agreement: EvaluationReport | None = None


def build_demo(folder: Path, corpus: Path, codebook: Path | None = None,
               progress: Progress | None = None) -> DemoReport:
    """Create (or update) the demo project from the bundled demo corpus; with a codebook, code it
    with the default coder, then record the human-coded subset and measure agreement with it.

    Safe to re-run: unchanged files, codebook and codings are left as they are, and the coder runs
    only once, before the human codings arrive, so the agreement it reports is not inflated by
    learning from the very codings it is compared with.
    """
    if not corpus.is_dir():
        raise ProjectError(f"the demo corpus {corpus} is missing.", "Run from the repository root.")
    project = init_project(folder, name="Harbour Family Support evaluation (demo)")
    report = DemoReport(import_sources(project, [corpus], progress=progress), ParticipantsReport())
    sheets = [p for p in corpus.iterdir() if p.stem.lower() == SHEET_STEM]
    if sheets:
        report.participants = load_participants(project, sheets[0])
    if codebook is None:
        return report
    report.codebook = import_codebook(project, codebook)
    with project.sessions() as session:
        coded = session.scalar(select(func.count(EventRow.id)).where(EventRow.action == "run_coder"))
    if not coded:
        report.coding = run_coder(project, progress=progress)
    if (corpus / DEMO_CODINGS).is_file():
        import_human_codings(project, corpus / DEMO_CODINGS)
        report.agreement = evaluate(project)
    return report


# --- codebooks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredCodebook:
    name: str
    version: int
    codes: int
    new: bool  # False: identical to the newest stored version, so nothing was stored


def _store_codebook(session: Session, codebook: Codebook, source: str, actor: str) -> StoredCodebook:
    row, new = codebooks_store.save(session, codebook, source)
    if new:
        repo.log_event(session, actor, "store_codebook", "codebook", row.id, version=row.version,
                       codes=len(codebook.flat()))
    return StoredCodebook(row.name, row.version, len(codebook.flat()), new)


def import_codebook(project: Project, path: Path) -> StoredCodebook:
    """Store a codebook file as the next version of its name; a no-op when its content equals the
    newest stored version (the version number in the file is not what decides)."""
    codebook = load_codebook(path)
    with project.transaction() as session:
        return _store_codebook(session, codebook, f"file:{path.name}", current_user())


def current_codebook(project: Project, name: str | None = None) -> Codebook:
    """The newest version of codebook `name`, or of the codebook stored most recently."""
    with project.sessions() as session:
        return codebooks_store.read(session, _codebook_row(session, name))


def _codebook_row(session: Session, name: str | None) -> CodebookRow:
    row = codebooks_store.newest(session, name)
    if row is not None:
        return row
    known = codebooks_store.names(session)
    if not known:
        raise NotFoundError("the project has no codebook yet.",
                            "Import one with `qualkit codebook import PROJECT FILE`.")
    raise NotFoundError(f"no codebook named '{name}' in the project.",
                        f"Stored codebooks: {', '.join(known)}.")


def read_codebook(source: Path) -> Codebook:
    """A codebook file, checked; or, for a project folder, its current codebook."""
    if (source / CONFIG_FILE).is_file():
        return current_codebook(open_project(source))
    return load_codebook(source)


def export_codebook(project: Project, path: Path, name: str | None = None) -> Codebook:
    """Write the current codebook as YAML (what `import_codebook` reads)."""
    codebook = current_codebook(project, name)
    path.write_text(dump_codebook(codebook), encoding="utf-8")
    return codebook


# --- coding --------------------------------------------------------------------------------------

SUGGEST_FLOOR = 0.2  # suggestions scoring below this are not stored unless the coder says yes


def _embedder(project: Project) -> CachedEmbedder:
    """MiniLM through the project's embedding cache: nothing is embedded twice across runs."""
    return CachedEmbedder(MiniLMEmbedder(), StoreEmbeddingCache(project.sessions))


def _units(session: Session, group: str | None = None) -> list[tuple[Unit, int]]:
    """Codable segments as coder units, each with where its segment starts in its document."""
    return [(Unit(str(s.id), s.text, s.group, s.participant or s.speaker), s.start)
            for s in repo.iter_segments(session, codable_only=True) if group is None or s.group == group]


@dataclass
class CodingRunSummary:
    run_id: str
    coder: str
    codebook: str
    codebook_version: int
    units: int
    stored: int  # suggestions stored for review (score >= 0.2 or the coder said yes)
    replaced: int  # this coder's earlier still-suggested rows removed
    skipped_decided: int  # (segment, code) pairs a person already decided: never re-suggested
    per_code: dict[str, int] = field(default_factory=dict)  # code id -> units the coder said yes to


def run_coder(project: Project, coder_name: str = "ensemble", codebook: str | None = None,
              progress: Progress | None = None) -> CodingRunSummary:
    """Fit a coder on the codable segments and the decisions people made so far, then store its
    suggestions for review.

    In one transaction, the coder's own still-suggested rows for this codebook are replaced.
    Accepted and rejected rows are never touched, and a (segment, code) a person has decided is
    never suggested again; a suggestion left on such a pair from an earlier run is kept as the
    record of what the machine said before the person decided (evaluation reads it).
    """
    steps = 3
    with project.sessions() as session:
        book_row = _codebook_row(session, codebook)
        book = codebooks_store.read(session, book_row)
        units = _units(session)
        decided = assignments.decisions(session)
    if not units:
        raise NotFoundError("the project has no codable segments.",
                            "Import documents first with `qualkit import PROJECT FILES`.")
    keys = {code.id for code in book.flat()}
    labels = [Label(str(d.segment_id), d.code, d.accepted, d.text) for d in decided if d.code in keys]
    coder = make_coder(coder_name, embedder=_embedder(project), spacy_model=project.config.nlp.spacy_model)
    if progress:
        progress("fitting", 0, steps)
    coder.fit([u for u, _ in units], book, labels)
    if progress:
        progress("suggesting", 1, steps)
    suggestions = list(coder.suggest([u for u, _ in units], book))
    if progress:
        progress("saving", 2, steps)
    starts = {u.id: start for u, start in units}
    summary = CodingRunSummary(uuid.uuid4().hex, coder.name, book.name, book_row.version, len(units),
                               0, 0, 0, dict.fromkeys((c.id for c in book.flat()), 0))
    rows = []
    with project.transaction() as session:
        decided_pairs = assignments.decided_pairs(session)  # again: people may have decided meanwhile
        code_ids = codebooks_store.code_ids(session, book_row.id)
        summary.replaced = assignments.delete_suggestions(session, coder.name, book.name, decided_pairs)
        for s in suggestions:
            if (int(s.unit_id), s.code_id) in decided_pairs:
                summary.skipped_decided += 1
                continue
            if not (s.suggested or s.score >= SUGGEST_FLOOR):
                continue
            summary.per_code[s.code_id] += int(s.suggested)
            rows.append(_suggestion_row(s, code_ids[s.code_id], starts[s.unit_id], coder, summary.run_id))
        assignments.add_many(session, rows)
        summary.stored = len(rows)
        repo.log_event(session, current_user(), "run_coder", "codebook", book_row.id, run_id=summary.run_id,
                       units=summary.units, stored=summary.stored, replaced=summary.replaced,
                       suggested=sum(summary.per_code.values()))
    if progress:
        progress("", steps, steps)
    return summary


def _suggestion_row(s: Suggestion, code_id: int, start: int, coder: Coder, run_id: str) -> dict[str, Any]:
    span = (start + s.span[0], start + s.span[1]) if s.span else (None, None)
    return {"segment_id": int(s.unit_id), "code_id": code_id, "span_start": span[0], "span_end": span[1],
            "status": assignments.SUGGESTED, "coder": coder.name,
            "coder_version": coder.name.partition(".")[2] or None, "model": coder.model_id,
            "run_id": run_id, "score": float(s.score), "predicted": bool(s.suggested),
            "rationale": s.rationale}


# --- review --------------------------------------------------------------------------------------

class ReviewOrder(StrEnum):
    uncertainty = "uncertainty"  # score nearest 0.5 (the calibrated decision boundary) first
    score = "score"  # highest score first


def review_queue(project: Project, limit: int = 20, code: str | None = None, group: str | None = None,
                 status: str = assignments.SUGGESTED,
                 order: ReviewOrder | str = ReviewOrder.uncertainty) -> list[assignments.ReviewItem]:
    """Codings to review: by default the suggestions the coder is least sure of, since a person's
    decision there teaches the coders most."""
    if status not in assignments.STATUSES:
        raise QualkitError(f"unknown status '{status}'.", f"Use one of: {', '.join(assignments.STATUSES)}.")
    with project.sessions() as session:
        return assignments.review_items(session, status=status, code=code, group=group,
                                        order=ReviewOrder(order).value, limit=limit)


def decide(project: Project, assignment_id: int, accept: bool, reviewer: str,
           note: str | None = None) -> None:
    """Accept or reject one coding (see `decide_many`)."""
    ids = [assignment_id]
    decide_many(project, accept=ids if accept else [], reject=[] if accept else ids, reviewer=reviewer,
                note=note)


def decide_many(project: Project, *, accept: Iterable[int] = (), reject: Iterable[int] = (),
                reviewer: str, note: str | None = None) -> int:
    """Accept and reject codings by id in one transaction, each logged with its from/to status;
    returns how many were decided. An unknown id means nothing is changed."""
    accepted, rejected = list(dict.fromkeys(accept)), list(dict.fromkeys(reject))
    both = sorted(set(accepted) & set(rejected))
    if both:
        raise QualkitError(f"coding {both[0]} is both accepted and rejected.", "Give each id once.")
    with project.transaction() as session:
        for ids, status in ((accepted, assignments.ACCEPTED), (rejected, assignments.REJECTED)):
            for assignment_id in ids:
                row = session.get(CodeAssignmentRow, assignment_id)
                if row is None:
                    raise NotFoundError(f"no coding with id {assignment_id}; nothing was changed.",
                                        "See `qualkit review PROJECT` for the ids.")
                repo.log_event(session, reviewer, "decide", "code_assignment", row.id,
                               **{"from": row.status, "to": status})
                row.status, row.reviewer = status, reviewer
                row.note = note if note is not None else row.note
    return len(accepted) + len(rejected)


def add_coding(project: Project, segment_id: int, code_id: str, coder: str,
               span: tuple[int, int] | None = None, note: str | None = None,
               codebook: str | None = None) -> int:
    """A person's own coding of a segment (or of `span`, offsets into the segment's text) with a
    code of the current codebook; it starts accepted. Returns the coding's id."""
    with project.transaction() as session:
        segment = session.get(SegmentRow, segment_id)
        if segment is None:
            raise NotFoundError(f"no segment with id {segment_id}.",
                                "See `qualkit segments PROJECT` for the ids.")
        book_row = _codebook_row(session, codebook)
        code_row_id = _code_row_id(session, book_row, code_id)
        if span is not None and not 0 <= span[0] < span[1] <= len(segment.text):
            raise QualkitError(f"span {span} is not inside segment {segment_id} "
                               f"({len(segment.text)} characters).",
                               "Give start < end, both within the segment's text.")
        start, end = (segment.start + span[0], segment.start + span[1]) if span else (None, None)
        row = CodeAssignmentRow(segment_id=segment_id, code_id=code_row_id, span_start=start, span_end=end,
                                status=assignments.ACCEPTED, coder=coder, reviewer=coder, note=note)
        session.add(row)
        session.flush()
        repo.log_event(session, coder, "add_coding", "code_assignment", row.id, segment=segment_id,
                       code=code_id)
        return row.id


def _code_row_id(session: Session, book_row: CodebookRow, code_id: str) -> int:
    ids = codebooks_store.code_ids(session, book_row.id)
    if code_id not in ids:
        raise NotFoundError(f"codebook '{book_row.name}' (version {book_row.version}) has no code "
                            f"'{code_id}'.", "See `qualkit codebook show PROJECT` for the code ids.")
    return ids[code_id]


# --- human codings from a file -------------------------------------------------------------------

@dataclass(frozen=True)
class HumanCodingsReport:
    lines: int
    added: int
    already: int  # codings this coder had already recorded


def import_human_codings(project: Project, path: Path, coder: str = "demo-coder") -> HumanCodingsReport:
    """Record a person's coding from JSONL lines {"document", "text", "codes": [...]} (the shape
    of corpora/demo/_coded_subset.jsonl) as accepted codings by `coder`, in one transaction.

    A line matches the segments of that document whose text is exactly `text`. Every line is
    checked before anything is written; re-importing the same file adds nothing.
    """
    lines = _read_codings_file(path)
    with project.transaction() as session:
        book_row = _codebook_row(session, None)
        code_ids = codebooks_store.code_ids(session, book_row.id)
        found = repo.segments_by_text(session, {document for _, document, _, _ in lines})
        planned: dict[tuple[int, str], int] = {}
        for number, document, text, codes in lines:
            segments = found.get((document, text))
            if not segments:
                raise IngestError(path, f"no segment of '{document}' has exactly this text.",
                                  "Import that document first, and copy the text as `qualkit segments "
                                  "--jsonl` prints it.", line=number)
            unknown = [c for c in codes if c not in code_ids]
            if unknown:
                raise IngestError(path, f"code '{unknown[0]}' is not in codebook '{book_row.name}'.",
                                  "Fix the code id or import a codebook that has it.", line=number)
            planned.update({(segment, code): code_ids[code] for segment in segments for code in codes})
        existing = assignments.accepted_pairs(session, coder)
        rows = [{"segment_id": segment, "code_id": code_row, "status": assignments.ACCEPTED,
                 "coder": coder, "reviewer": coder}
                for (segment, code), code_row in planned.items() if (segment, code) not in existing]
        assignments.add_many(session, rows)
        repo.log_event(session, current_user(), "import_codings", "codebook", book_row.id,
                       lines=len(lines), added=len(rows))
    return HumanCodingsReport(len(lines), len(rows), len(planned) - len(rows))


def _read_codings_file(path: Path) -> list[tuple[int, str, str, list[str]]]:
    """(line number, document, text, codes) per non-blank line."""
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist.", "Check the path.")
    parsed = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise IngestError(path, f"not valid JSON ({error.msg}).", "Write one JSON object per line.",
                              line=number) from None
        if not (isinstance(record, dict) and isinstance(record.get("document"), str)
                and isinstance(record.get("text"), str) and isinstance(record.get("codes"), list)
                and all(isinstance(c, str) for c in record["codes"])):
            raise IngestError(path, 'each line needs "document" and "text" strings and a "codes" list.',
                              'Write e.g. {"document": "kw_a.txt", "text": "...", "codes": ["trust"]}.',
                              line=number)
        parsed.append((number, record["document"], record["text"], record["codes"]))
    return parsed


# --- evaluation ----------------------------------------------------------------------------------

def evaluate(project: Project, against: str = "machine", codebook: str | None = None) -> EvaluationReport:
    """Agreement between people's accepted codings and the machine (or one named coder), per code
    of the current codebook.

    - against "machine" (or a machine coder's name, e.g. "ensemble.v1"): the machine's answer on
      a (segment, code) is its own yes/no on its stored row, whatever a person later decided, so
      rejected suggestions count as false positives; the reference is every accepted coding.
    - against a person's name: their accepted codings against everyone else's.

    Units are the segments people have decided something on (for a person: those both they and
    someone else decided on). A coder learns from decisions and never re-suggests a decided pair,
    so the comparison is fair for decisions made after the machine ran (e.g. run `qualkit code`,
    then import or review the human coding).
    """
    with project.sessions() as session:
        book = codebooks_store.read(session, _codebook_row(session, codebook))
        facts = assignments.codings(session)
    machines = {f.coder for f in facts if f.machine}
    decided = [f for f in facts if f.status in assignments.DECIDED]
    family = {m for m in machines if against in (m, m.partition(".")[0])}
    if against == "machine" or family:
        chosen = machines if against == "machine" else family
        if not chosen:
            raise NotFoundError("no machine suggestions to evaluate.", "Run `qualkit code PROJECT` first.")
        predicted = _coding_sets(f for f in facts if f.coder in chosen and f.predicted)
        reference = _coding_sets(f for f in decided if f.status == assignments.ACCEPTED)
        units = {f.segment_id for f in decided}
    else:
        theirs = [f for f in decided if f.reviewer == against]
        others = [f for f in decided if f.reviewer != against]
        if not theirs:
            known = sorted(machines) + sorted({f.reviewer for f in decided if f.reviewer})
            raise NotFoundError(f"no decisions by '{against}' in the project.",
                                f"Use 'machine' or one of: {', '.join(known) or 'none yet'}.")
        predicted = _coding_sets(f for f in theirs if f.status == assignments.ACCEPTED)
        reference = _coding_sets(f for f in others if f.status == assignments.ACCEPTED)
        units = {f.segment_id for f in theirs} & {f.segment_id for f in others}
    if not units:
        raise NotFoundError("no segments with decisions to compare against.",
                            "Review suggestions with `qualkit review` or import a human coding first.")
    return evaluate_codings(reference, predicted, [str(u) for u in sorted(units)],
                            [code.id for code in book.flat()])


def _coding_sets(facts: Iterable[assignments.Coding]) -> dict[str, set[str]]:
    sets: dict[str, set[str]] = {}
    for fact in facts:
        sets.setdefault(str(fact.segment_id), set()).add(fact.code)
    return sets


# --- topics --------------------------------------------------------------------------------------

def discover_topics(project: Project, group: str | None = None, min_topic_size: int = 8,
                    reducer: Any = None, clusterer: Any = None) -> list[Topic]:
    """Recurring themes among the codable segments (of one stakeholder group), on cached
    embeddings, each with the existing code it most resembles. Proposes only: nothing is stored.
    `reducer`/`clusterer` replace UMAP/HDBSCAN (see `qualkit.topics`)."""
    embedder = _embedder(project)
    with project.sessions() as session:
        units = [unit for unit, _ in _units(session, group)]
        row = codebooks_store.newest(session)
        book = codebooks_store.read(session, row) if row is not None else None
    if group is not None and not units:
        raise NotFoundError(f"no codable segments in group '{group}'.",
                            "See `qualkit show PROJECT counts` for the groups.")
    code_vectors = None
    if book is not None and book.flat():
        code_vectors = np.stack([embedder.encode(code_texts(code)).mean(axis=0) for code in book.flat()])
    else:
        book = None
    return topics.discover_topics(units, embedder.encode([u.text for u in units]), codebook=book,
                                  code_embeddings=code_vectors, min_topic_size=min_topic_size,
                                  reducer=reducer, clusterer=clusterer)


def promote_topic(project: Project, topic: Topic, code_id: str, name: str,
                  parent_id: str | None = None) -> StoredCodebook:
    """Make a discovered topic a code: stores a new version of the current codebook."""
    with project.transaction() as session:
        current = codebooks_store.read(session, _codebook_row(session, None))
        promoted = topics.promote_topic(current, topic, code_id, name, parent_id)
        return _store_codebook(session, promoted, f"topic:{topic.id}", current_user())


# --- batch pipes -------------------------------------------------------------------------------

def code_jsonl(lines: Iterable[str], out: Any, codebook_path: Path, train_path: Path | None = None,
               coder: str = "ensemble", spacy_model: str | None = None) -> int:
    """The stable batch contract (no project needed): segments JSONL in, verdicts JSONL out.
    Models are loaded once; embeddings are cached for the run."""
    codebook = load_codebook(codebook_path)
    train = train_path.read_text(encoding="utf-8").splitlines() if train_path else None
    extra = {"spacy_model": spacy_model} if spacy_model else {}
    return batch.code_jsonl(lines, out, codebook, train, coder,
                            embedder=CachedEmbedder(MiniLMEmbedder()), **extra)


def anonymise_jsonl(lines: Iterable[str], out: Any, *, allow: Iterable[str] = (), style: str = "bracket",
                    key_path: Path | None = None) -> None:
    """The stable anonymisation contract: {"id", "text"} lines in; anonymised text and spans (offsets
    into the original) out. The whole input is one project: a name found once is replaced
    everywhere. The pseudonym key goes to `key_path` only when asked, never into the output."""
    key = anonymise_batch.anonymise_jsonl(lines, out, style=style, allow=tuple(allow))
    if key_path is not None:
        key_path.write_text(json.dumps(key.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
