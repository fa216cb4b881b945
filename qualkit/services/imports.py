"""Importing sources and participants sheets, and setting stakeholder groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import IngestError, NotFoundError, QualkitError, SheetError
from qualkit.ingest.participants import SheetRow, read_participants_sheet
from qualkit.ingest.registry import parse_file, supported_suffixes
from qualkit.ingest.segmenter import DOCUMENT_KINDS
from qualkit.model import Document
from qualkit.services.projects import Progress, Project, current_user
from qualkit.services.refi import REFI_SUFFIXES, RefiImportReport, plan_refi, store_refi
from qualkit.store import Session
from qualkit.store import imports as store
from qualkit.store import repository as repo

SHEET_STEM = "participants"


@dataclass
class ImportReport:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (document, segments)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, document it repeats)
    changed: list[str] = field(default_factory=list)
    failed: list[IngestError] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    exchange: list[RefiImportReport] = field(default_factory=list)  # REFI-QDA files among the paths


class ImportOptionError(QualkitError):
    """An import was asked for with an option that does not exist."""


class ImportFailed(QualkitError):
    """Some files could not be read; nothing was imported."""

    def __init__(self, errors: list[IngestError]) -> None:
        self.errors = errors
        listing = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"{len(errors)} file(s) could not be imported, so nothing was:\n{listing}",
                         "Fix or remove them, or import again skipping unreadable files.")


def collect_sources(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to import from files and folders; folders are walked in name order. Files whose name
    starts with `_` or `.`, and participants sheets, are skipped with the reason. Inside a folder,
    symbolic links (to files or folders) are never followed: they are listed as skipped, so a link to
    /etc/passwd or to a folder outside the corpus is not imported."""
    suffixes = set(supported_suffixes())
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if not path.exists():
            raise NotFoundError(f"{path} does not exist.", "Check the path.")
        if path.is_file():
            files.append(path)
            continue
        for child in _walk(path, skipped):
            if child.name.startswith((".", "_")):
                continue
            if child.stem.lower() == SHEET_STEM:
                skipped.append((str(child), "participants sheet: load it as participants, not as a source"))
            elif child.suffix.lower() not in suffixes:
                skipped.append((str(child), f"unsupported {child.suffix or 'extension'}"))
            else:
                files.append(child)
    return files, skipped


def _walk(folder: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """The regular files under `folder`, in name order, without following symbolic links."""
    found: list[Path] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        for child in sorted(current.iterdir()):
            if child.is_symlink():
                if not child.name.startswith((".", "_")):
                    skipped.append((str(child), "a symbolic link: links are not followed"))
            elif child.is_dir():
                stack.append(child)
            elif child.is_file():
                found.append(child)
    return sorted(found)


def import_sources(project: Project, paths: Iterable[Path], *, corpus: str = "main",
                   text_columns: tuple[str, ...] = (), skip_bad: bool = False,
                   progress: Progress | None = None, kind: str | None = None) -> ImportReport:
    """Import files and folders, and REFI-QDA files (.qdpx, .qdc) named among them, in one transaction.

    All files are read first; if any fails, nothing is written (unless `skip_bad`, which leaves the
    failed ones out). A file already imported (same sha256) is skipped; a file whose name is known but
    whose content changed is reported and left alone, never duplicated. `kind` ("interview", "case
    notes", "document") says what the files are, instead of reading it from their text: a "document"
    gets paragraphs and no speakers.
    """
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise ImportOptionError(f"unknown document kind '{kind}'; nothing was imported.",
                                f"Use one of: {', '.join(DOCUMENT_KINDS)}.")
    paths = list(paths)
    exchange = [path for path in paths if path.suffix.lower() in REFI_SUFFIXES and not path.is_dir()]
    files, skipped = collect_sources([path for path in paths if path not in exchange])
    report = ImportReport(skipped=skipped)
    options = project.config.read_options(text_columns, kind)
    plans = []
    codebook = None  # a codebook the files before create (or the project's current one) is the one to add to
    for path in exchange:
        try:
            plans.append((path, plan_refi(project, path, codebook=codebook)))
        except IngestError as error:
            report.failed.append(error)
            continue
        if codebook is None and plans[-1][1].codebook is not None:
            codebook = plans[-1][1].codebook.name
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
        for path, plan in plans:
            report.exchange.append(store_refi(session, plan, path, corpus))
        corpus_row = repo.get_or_create_corpus(session, corpus)
        for documents in parsed:
            same = store.document_with_sha(session, corpus_row.id, documents[0].sha256)
            if same is not None and same.source_path is not None:
                if Path(same.source_path).name == Path(documents[0].source_path or "").name:
                    report.unchanged.extend(d.name for d in documents)
                else:
                    report.duplicates.append((Path(documents[0].source_path or "").name, same.name))
                continue
            for document in documents:
                if store.document_named(session, corpus_row.id, document.name):
                    report.changed.append(document.name)
                    continue
                row = repo.add_document(session, corpus_row.id, document)
                repo.log_event(session, actor, "import", "document", row.id,
                               segments=len(document.segments), sha256=document.sha256)
                report.imported.append((document.name, len(document.segments)))
    return report



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
        documents = store.documents_named(session, row.document or "")
        for document_id in documents:
            attributes = {**row.attributes, **({"site": row.site} if row.site else {})}
            store.merge_document_details(session, document_id, group=row.group, display_name=row.display_name,
                                         attributes=attributes)
        return bool(documents)
    speakers = _speakers_for(session, sheet, row)
    if not speakers:
        return False
    label = speakers[0].participant
    if row.participant and row.participant != label:
        store.move_speakers(session, [speaker.id for speaker in speakers], row.participant)
        label = row.participant
    person = store.merge_participant(session, label, group=row.group, role=row.role, site=row.site,
                                     attributes=row.attributes, known_names=row.names)
    repo.set_participant_codability(session, person.id, not _is_interviewer(person.role))
    return True


def _is_interviewer(role: str | None) -> bool:
    return (role or "").strip().lower() == "interviewer"


def _speakers_for(session: Session, sheet: Path, row: SheetRow) -> list[store.SpeakerLink]:
    speaker = row.speaker or ""
    if row.document:
        return store.speakers_labelled(session, speaker, row.document)
    by_participant = store.speakers_of(session, speaker)
    if by_participant:
        return by_participant
    speakers = store.speakers_labelled(session, speaker)
    if len({s.document_id for s in speakers}) > 1:
        raise SheetError(sheet, f"speaker '{row.speaker}' appears in {len(speakers)} documents.",
                         "Add a 'document' column so each row names the file it means.", row=row.row)
    return speakers


def set_display_name(project: Project, document: str, display_name: str | None) -> None:
    """What outputs call a document whose file name must not show (None: its file name again, unless
    that holds an identifier)."""
    shown = " ".join((display_name or "").split()) or None
    with project.transaction() as session:
        row = _document(session, document)
        previous = store.set_display_name(session, row.id, shown)
        repo.log_event(session, current_user(), "set_display_name", "document", row.id,
                       **{"from": previous, "to": shown})


def set_document_group(project: Project, document: str, group: str) -> None:
    """Set a document's stakeholder group (used where no participant says otherwise)."""
    with project.transaction() as session:
        row = _document(session, document)
        store.set_group(session, row.id, group)
        repo.log_event(session, current_user(), "set_group", "document", row.id)


def _document(session: Session, name: str) -> store.DocumentRef:
    row = store.document_named(session, None, name)
    if row is None:
        raise NotFoundError(f"no document named '{name}' in the project.",
                            "Use a document name the project's list of documents shows.")
    return row
