"""REFI-QDA exchange: export a project (.qdpx) or codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA or
QualCoder, and import theirs.

Exports read straight from the store and give every object a stable GUID, so exporting the same
project twice gives the same file. Imports read and plan everything (`interop.refi.plan`) before
one transaction writes it; what qualkit has no place for is listed, never silently lost.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualkit import __version__
from qualkit.errors import NotFoundError, QualkitError, UnsupportedFormatError
from qualkit.ingest.safety import check_size, parser_boundary
from qualkit.interop.refi import model as refi
from qualkit.interop.refi.container import read_qdpx, write_qdpx
from qualkit.interop.refi.descriptions import key_from_name, render_description
from qualkit.interop.refi.guids import Guids
from qualkit.interop.refi.plan import (
    GROUP_VARIABLE,
    ROLE_VARIABLE,
    SITE_VARIABLE,
    SPEAKS_AS_VARIABLE,
    ImportPlan,
    PlannedCoding,
    PlannedParticipant,
    plan_codebook,
    plan_import,
    render_score,
    render_speaks_as,
    suggestion_user,
)
from qualkit.interop.refi.xml_export import codebook_xml, project_xml, source_file_name
from qualkit.interop.refi.xml_import import parse_codebook, parse_project
from qualkit.model import Code
from qualkit.services.codebooks import StoredCodebook, codebook_row, store_codebook
from qualkit.services.projects import Project, current_user
from qualkit.store import assignments
from qualkit.store import codebooks as codebooks_store
from qualkit.store import exchange as exchange_store
from qualkit.store import repository as repo
from qualkit.store.schema import (
    CodeAssignmentRow,
    CodeRow,
    DocumentRow,
    MemoRow,
    ParticipantRow,
    SegmentRow,
    SpeakerRow,
)

REFI_SUFFIXES = (".qdpx", ".qdc")
REFI_FORMATS = ("qdpx", "qdc")
ORIGIN = f"qualkit {__version__}"
_COLOUR = r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})"
_DEFINITION_LISTS = ("include", "exclude", "keywords", "examples")


@dataclass(frozen=True)
class RefiExportSummary:
    path: Path
    documents: int
    codes: int
    codings: int
    users: int
    cases: int
    memos: int
    left_out: list[str] = field(default_factory=list)  # what REFI-QDA cannot carry, one line each


@dataclass
class RefiImportReport:
    """What an import stored, and one message for each thing it left out."""

    file: str
    codebook: StoredCodebook | None = None
    documents: list[tuple[str, int]] = field(default_factory=list)  # (name, segments) added
    reused: list[str] = field(default_factory=list)  # already in the project with the same text
    codings: int = 0
    already: int = 0  # codings the project already had
    participants: int = 0
    memos: int = 0
    dropped: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # codings whose positions no convention confirms
    notes: list[str] = field(default_factory=list)  # how each source's positions were counted


def export_refi(project: Project, format: str, path: Path | None = None, *,
                include_suggestions: bool = False) -> RefiExportSummary:
    """Export as `qdpx` (the project) or `qdc` (the codebook), by default into the project's
    reports/ folder as `<project name>.<format>`."""
    if format not in REFI_FORMATS:
        raise QualkitError(f"'{format}' is not a REFI-QDA format.", "Use qdpx or qdc.")
    target = path or project.folder / "reports" / f"{project.config.name}.{format}"
    if format == "qdc":
        return export_qdc(project, target)
    return export_qdpx(project, target, include_suggestions=include_suggestions)


def export_qdc(project: Project, path: Path, codebook: str | None = None) -> RefiExportSummary:
    """Write the current codebook (or `codebook`) as a REFI-QDA codebook file."""
    with project.transaction() as session:
        guids = Guids(project.config.name, exchange_store.read(session))
        book = codebooks_store.read(session, codebook_row(session, codebook))
        codes = _codes(book.codes, guids, {})
        path.write_bytes(codebook_xml(refi.Codebook(codes, ORIGIN)))
        repo.log_event(session, current_user(), "export", "codebook", None, format="qdc",
                       codes=len(book.flat()))
    return RefiExportSummary(path, 0, len(book.flat()), 0, 0, 0, 0)


def export_qdpx(project: Project, path: Path, *, include_suggestions: bool = False) -> RefiExportSummary:
    """Write the whole project as a REFI-QDA project: people and coders as users, the codebook,
    documents with their text, accepted codings (and, if asked, suggestions under a user of
    their own per coder), participants' and documents' attributes as case variables, memos as
    notes."""
    statuses = (assignments.ACCEPTED, *((assignments.SUGGESTED,) if include_suggestions else ()))
    with project.transaction() as session:
        guids = Guids(project.config.name, exchange_store.read(session))
        exchange = _Exporter(session, guids).project(project.config.name, statuses)
        left_out = _left_out(session, include_suggestions)
        sources = {source_file_name(s): (s.text or "").encode("utf-8") for s in exchange.sources}
        write_qdpx(path, project_xml(exchange), sources)
        codings = sum(len(sel.codings) for s in exchange.sources for sel in s.selections)
        repo.log_event(session, current_user(), "export", "project", None, format="qdpx",
                       documents=len(exchange.sources), codings=codings, memos=len(exchange.notes),
                       suggestions=include_suggestions)
    return RefiExportSummary(path, len(exchange.sources), len(exchange.codebook.walk()), codings,
                             len(exchange.users), len(exchange.cases), len(exchange.notes), left_out)


def _left_out(session: Session, include_suggestions: bool) -> list[str]:
    """One line per kind of thing the export does not carry, with how many there are."""
    def count(query: Any) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    status = CodeAssignmentRow.status
    lines = []
    if rejected := count(select(CodeAssignmentRow.id).where(status == assignments.REJECTED)):
        lines.append(f"{rejected} rejected decision(s) (REFI-QDA has codings, not refusals)")
    suggested = select(CodeAssignmentRow.id).where(status == assignments.SUGGESTED)
    if not include_suggestions and (pending := count(suggested)):
        lines.append(f"{pending} suggestion(s) (add --include-suggestions for those their coder said yes to)")
    elif said_no := count(suggested.where(CodeAssignmentRow.predicted.is_(False))):
        lines.append(f"{said_no} suggestion(s) their own coder scored 'no'")
    if reviewed := count(select(CodeAssignmentRow.id).where(status == assignments.ACCEPTED,
                                                            CodeAssignmentRow.reviewer.is_not(None))):
        lines.append(f"the review times of {reviewed} decision(s) (who reviewed travels; when does not)")
    timed = grouped = attributed = 0
    for start_time, group, attributes in session.execute(
            select(SegmentRow.start_time, SegmentRow.group, SegmentRow.attributes)):
        timed, grouped = timed + (start_time is not None), grouped + (group is not None)
        attributed += bool(attributes)
    for found, what in ((timed, "turn times (.vtt/.srt)"), (grouped, "stakeholder groups stated per row"),
                        (attributed, "row attributes (tables)")):
        if found:
            lines.append(f"{what} of {found} segment(s)")
    return lines


class _Exporter:
    """Reads one project into REFI exchange objects."""

    def __init__(self, session: Session, guids: Guids) -> None:
        self.session, self.guid = session, guids
        self.users: list[str] = []

    def user(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name not in self.users:
            self.users.append(name)
        return self.guid("user", name)

    def project(self, name: str, statuses: tuple[str, ...]) -> refi.Project:
        session = self.session
        newest = codebooks_store.newest(session)
        book = codebooks_store.read(session, newest) if newest is not None else None
        rows = session.execute(
            select(CodeAssignmentRow, CodeRow.key, SegmentRow.document_id, SegmentRow.start, SegmentRow.end)
            .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
            .join(SegmentRow, CodeAssignmentRow.segment_id == SegmentRow.id)
            .where(CodeAssignmentRow.status.in_(statuses))
            .where((CodeAssignmentRow.status != assignments.SUGGESTED)
                   | CodeAssignmentRow.predicted.is_not(False))  # suggestions the coder said yes to
            .order_by(CodeAssignmentRow.id)).all()
        memos = list(session.scalars(select(MemoRow).order_by(MemoRow.id)))
        top = list(book.codes) if book is not None else []
        known = {code.id for code in book.flat()} if book is not None else set()
        top += self.retired_codes({key for _, key, *_ in rows} - known)
        code_notes: dict[str, list[str]] = defaultdict(list)
        source_notes: dict[int, list[str]] = defaultdict(list)
        selections: dict[int, list[refi.Selection]] = defaultdict(list)
        project_notes: list[str] = []
        documents = list(session.scalars(select(DocumentRow).order_by(DocumentRow.id)))
        texts = {document.id: document.text for document in documents}
        for row, key, document_id, start, end in rows:
            if row.span_start is not None and row.span_end is not None:
                start, end = row.span_start, row.span_end
            suggested = row.status == assignments.SUGGESTED
            user = suggestion_user(row.coder) if suggested else row.coder
            selections[document_id].append(refi.Selection(
                self.guid("selection", row.id), start, end, _label(texts[document_id][start:end]),
                self.user(user), self.user(row.reviewer), row.created_at,
                description=render_score(row.score) if suggested and row.score is not None else None,
                codings=(refi.Coding(self.guid("coding", row.id), self.guid("code", key), self.user(user),
                                     row.created_at),)))
        all_keys = {code.id for code in _walk(top)}
        for memo in memos:
            note = self.guid("memo", memo.id)
            self.user(memo.author)
            if memo.target == "code" and memo.target_ref in all_keys:
                code_notes[memo.target_ref].append(note)
            elif memo.target == "document" and (document := self.document_id(memo.target_ref)) in texts:
                source_notes[document].append(note)
            elif memo.target == "segment" and (segment := self.segment(memo.target_ref)) is not None:
                selections[segment.document_id].append(refi.Selection(
                    self.guid("memo-selection", memo.id), segment.start, segment.end, _label(segment.text),
                    self.user(memo.author), None, memo.created_at, notes=(note,)))
            else:
                project_notes.append(note)
        sources = tuple(refi.Source(self.guid("document", d.id), d.name, d.text,
                                    selections=tuple(selections[d.id]), notes=tuple(source_notes[d.id]),
                                    created=d.imported_at) for d in documents)
        variables, cases = self.cases(documents)
        notes = tuple(refi.Note(self.guid("memo", m.id), m.title, m.text, None, self.user(m.author),
                                m.created_at, m.updated_at) for m in memos)
        return refi.Project(
            name=name, origin=ORIGIN,
            users=tuple(refi.User(self.guid("user", n), n) for n in sorted(self.users)),
            codebook=refi.Codebook(_codes(top, self.guid, code_notes), ORIGIN),
            variables=variables, cases=cases, sources=sources, notes=notes,
            project_notes=tuple(project_notes))

    def retired_codes(self, keys: set[str]) -> list[Code]:
        """Codes that codings use but the current codebook no longer has: their newest version."""
        found = {}
        query = select(CodeRow).where(CodeRow.key.in_(sorted(keys))).order_by(CodeRow.id)
        for row in self.session.scalars(query):
            found[row.key] = Code(id=row.key, name=row.name, description=row.description, color=row.color,
                                  **{f: list(row.definition.get(f, [])) for f in _DEFINITION_LISTS})
        return [found[key] for key in sorted(found)]

    def document_id(self, ref: str | None) -> int | None:
        return int(ref) if ref and ref.isdigit() else None

    def segment(self, ref: str | None) -> SegmentRow | None:
        return self.session.get(SegmentRow, int(ref)) if ref and ref.isdigit() else None

    def cases(self, documents: list[DocumentRow]) -> tuple[tuple[refi.Variable, ...], tuple[refi.Case, ...]]:
        """Participants as named cases; each document's group and attributes as a nameless case."""
        speakers: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for participant_id, document_id, document, label in self.session.execute(
                select(SpeakerRow.participant_id, SpeakerRow.document_id, DocumentRow.name, SpeakerRow.label)
                .join(DocumentRow, SpeakerRow.document_id == DocumentRow.id).order_by(SpeakerRow.id)):
            speakers[participant_id].append((document_id, document, label))
        owners: list[tuple[str, str | None, dict[str, Any], tuple[str, ...]]] = []
        for person in self.session.scalars(select(ParticipantRow).order_by(ParticipantRow.id)):
            spoken = speakers[person.id]
            values = {GROUP_VARIABLE: person.group, ROLE_VARIABLE: person.role, SITE_VARIABLE: person.site,
                      SPEAKS_AS_VARIABLE: render_speaks_as([(d, label) for _, d, label in spoken]) or None,
                      **(person.attributes or {})}
            sources = dict.fromkeys(self.guid("document", d) for d, _, _ in spoken)
            owners.append((self.guid("participant", person.id), person.label, values, tuple(sources)))
        for document in documents:
            values = {GROUP_VARIABLE: document.group, **(document.attributes or {})}
            if any(v is not None for v in values.values()):
                owners.append((self.guid("document-case", document.id), None, values,
                               (self.guid("document", document.id),)))
        types = _variable_types(v for _, _, values, _ in owners for v in values.items())
        variables = tuple(refi.Variable(self.guid("variable", n), n, t) for n, t in types.items())
        cases = tuple(refi.Case(guid, label, tuple(
            refi.VariableValue(self.guid("variable", n), _as_type(v, types[n]))
            for n, v in values.items() if v is not None), sources) for guid, label, values, sources in owners)
        return variables, cases


def _codes(codes: Iterable[Code], guid: Guids, notes: dict[str, list[str]]) -> tuple[refi.Code, ...]:
    return tuple(refi.Code(
        guid("code", code.id), code.name,
        render_description(code.description, {f: getattr(code, f) for f in _DEFINITION_LISTS},
                           None if key_from_name(code.name) == code.id else code.id),
        code.color if code.color and _is_colour(code.color) else None, True,
        _codes(code.children, guid, notes), tuple(notes.get(code.id, ()))) for code in codes)


def _walk(codes: Iterable[Code]) -> list[Code]:
    return [found for code in codes for found in (code, *_walk(code.children))]


def _is_colour(text: str) -> bool:
    return re.fullmatch(_COLOUR, text) is not None


def _label(text: str, limit: int = 100) -> str:
    """A selection's name: its text, shortened, as MAXQDA and the spec's examples name them."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _variable_types(pairs: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """One REFI type per variable name that fits every value it takes."""
    seen: dict[str, list[Any]] = defaultdict(list)
    for name, value in pairs:
        if value is not None:
            seen[name].append(value)
    types = {}
    for name, values in seen.items():
        if all(isinstance(v, bool) for v in values):
            types[name] = "Boolean"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            types[name] = "Integer"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values):
            types[name] = "Float"
        else:
            types[name] = "Text"
    return types


def _as_type(value: Any, kind: str) -> refi.Value:
    if kind == "Float":
        return float(value)
    if kind in ("Boolean", "Integer") or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


def import_refi(project: Project, path: Path, *, corpus: str = "main",
                codebook: str | None = None) -> RefiImportReport:
    """Import a REFI-QDA project (.qdpx) or codebook (.qdc) in one transaction.

    The codebook becomes a new version of `codebook` (default: the project's current codebook,
    or one named after the file). Documents are segmented like any imported text; a document
    already in the corpus with the same text gets the file's codings, one with other text is
    left alone. Codings are accepted codings by their REFI user (suggestions for a user named
    "X (suggested)").
    """
    plan = plan_refi(project, path, codebook=codebook)
    with project.transaction() as session:
        return store_refi(session, plan, path, corpus)


def plan_refi(project: Project, path: Path, *, codebook: str | None = None) -> ImportPlan:
    """Read and plan a REFI-QDA file without writing anything; whatever fails inside the file ends
    as an `IngestError` naming it."""
    suffix = path.suffix.lower()
    if suffix not in REFI_SUFFIXES:
        raise UnsupportedFormatError(path, f"is a {suffix or 'file without extension'}, not REFI-QDA.",
                                     "Give a .qdpx project or a .qdc codebook.")
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist.", "Check the path.")
    options = project.config.read_options()
    check_size(path, path.stat().st_size, options.limits)
    data = path.read_bytes()
    with project.sessions() as session:
        newest = codebooks_store.newest(session)
        name = codebook or (newest.name if newest is not None else path.stem)
    kind = "a REFI-QDA codebook (.qdc)" if suffix == ".qdc" else "a REFI-QDA project (.qdpx)"
    with parser_boundary(path, kind):
        if suffix == ".qdc":
            book, unread = parse_codebook(data, str(path))
            planned, _, dropped = plan_codebook(book, name, path.name)
            return ImportPlan(planned, dropped=unread + dropped)
        archive = read_qdpx(path, data, options.limits)
        exchange, dropped = parse_project(archive.project_xml, f"{path} ({archive.project_member})")
        plan = plan_import(exchange, where=path.name, codebook_name=name, read_file=archive.source,
                           options=options.segmentation)
        plan.dropped[:0] = dropped
        return plan


def store_refi(session: Session, plan: ImportPlan, path: Path, corpus: str) -> RefiImportReport:
    """Write a planned REFI-QDA import in the caller's transaction."""
    report = RefiImportReport(path.name, dropped=list(plan.dropped), unplaced=list(plan.unplaced),
                              notes=list(plan.notes))
    actor = current_user()
    code_ids: dict[str, int] = {}
    if plan.codebook is not None:
        report.codebook = store_codebook(session, plan.codebook, f"file:{path.name}", actor)
        stored = codebooks_store.newest(session, plan.codebook.name)
        code_ids = codebooks_store.code_ids(session, stored.id) if stored is not None else {}
    corpus_row = repo.get_or_create_corpus(session, corpus)
    segments: dict[str, list[int]] = {}  # document name -> segment ids by ordinal
    documents: dict[str, int] = {}
    rows: list[tuple[str, dict[str, Any]]] = []  # (code id, row)
    for planned in plan.documents:
        document = planned.document
        row = repo.document_named(session, corpus_row.id, document.name)
        if row is not None and row.text != document.text:
            report.dropped.append(f"{path.name}: source '{document.name}' and its {len(planned.codings)} "
                                  "coding(s) not imported (the project has a document of that name with "
                                  "other text; rename one of them to keep both).")
            continue
        if row is None:
            row = repo.add_document(session, corpus_row.id, document)
            repo.log_event(session, actor, "import", "document", row.id, segments=len(document.segments),
                           sha256=document.sha256)
            report.documents.append((document.name, len(document.segments)))
        else:
            report.reused.append(document.name)
        row.group = planned.group or row.group
        row.attributes = {**(row.attributes or {}), **planned.attributes}
        documents[document.name] = row.id
        segments[document.name] = list(session.scalars(
            select(SegmentRow.id).where(SegmentRow.document_id == row.id).order_by(SegmentRow.ordinal)))
        rows += [(c.code, _coding_row(c, segments[document.name][c.ordinal], code_ids[c.code]))
                 for c in planned.codings]
    new_rows = _new_codings(session, rows)
    assignments.add_many(session, new_rows)
    report.codings, report.already = len(new_rows), len(rows) - len(new_rows)
    people: dict[str, int] = {}
    for person in plan.participants:
        people[person.label] = _store_participant(session, person, documents, report, path.name)
    _remember_guids(session, plan, documents, people)
    for memo in plan.memos:
        ref = {"project": None, "code": memo.code,
               "document": str(documents.get(memo.document or "", "")) or None,
               "segment": str(segments[memo.document][memo.ordinal]) if memo.document in segments
               and memo.ordinal is not None else None}[memo.target]
        if memo.target != "project" and ref is None:
            report.dropped.append(f"{path.name}: memo '{memo.title}' not imported (what it is about was "
                                  "not imported).")
            continue
        same = select(MemoRow.id).where(MemoRow.target == memo.target, MemoRow.target_ref == ref,
                                        MemoRow.author == memo.author, MemoRow.title == memo.title,
                                        MemoRow.text == memo.text)
        if session.scalar(same.limit(1)) is not None:
            continue  # imported before
        times = ({"created_at": memo.created, "updated_at": memo.modified or memo.created}
                 if memo.created else {})
        session.add(MemoRow(target=memo.target, target_ref=ref, author=memo.author, title=memo.title,
                            text=memo.text, **times))
        report.memos += 1
    repo.log_event(session, actor, "import_refi", "project", None, documents=len(report.documents),
                   reused=len(report.reused), codings=report.codings, memos=report.memos,
                   participants=report.participants, dropped=len(report.dropped),
                   unplaced=len(report.unplaced))
    return report


def _coding_row(coding: PlannedCoding, segment_id: int, code_id: int) -> dict[str, Any]:
    span = coding.span or (None, None)
    times = {"created_at": coding.created, "updated_at": coding.created} if coding.created else {}
    suggested = coding.status == "suggested"
    scored = {"score": coding.score if suggested else None, "predicted": True if suggested else None}
    return {"segment_id": segment_id, "code_id": code_id, "span_start": span[0], "span_end": span[1],
            "status": coding.status, "coder": coding.coder, "reviewer": coding.reviewer, **times, **scored}


def _new_codings(session: Session, rows: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The rows the project does not have yet, comparing codes by id across codebook versions
    (re-importing a file adds nothing)."""
    segment_ids = sorted({row["segment_id"] for _, row in rows})
    existing: set[tuple[Any, ...]] = set()
    for i in range(0, len(segment_ids), assignments.CHUNK):
        existing |= set(session.execute(
            select(CodeAssignmentRow.segment_id, CodeRow.key, CodeAssignmentRow.span_start,
                   CodeAssignmentRow.span_end, CodeAssignmentRow.coder, CodeAssignmentRow.status)
            .join(CodeRow, CodeAssignmentRow.code_id == CodeRow.id)
            .where(CodeAssignmentRow.segment_id.in_(segment_ids[i:i + assignments.CHUNK]))).all())
    fresh = []
    for key, row in rows:
        identity = (row["segment_id"], key, row["span_start"], row["span_end"], row["coder"], row["status"])
        if identity not in existing:
            existing.add(identity)
            fresh.append(row)
    return fresh


def _remember_guids(session: Session, plan: ImportPlan, documents: dict[str, int],
                    people: dict[str, int]) -> None:
    """Keep the file's GUIDs for what it brought (codes by id, documents and people by row)."""
    rows = {"document": {name: str(i) for name, i in documents.items()},
            "participant": {label: str(i) for label, i in people.items()}}
    pairs = [(kind, rows[kind].get(ref) if kind in rows else ref, guid)
             for (kind, ref), guid in plan.guids.items()]
    exchange_store.remember(session, [(k, r, g) for k, r, g in pairs if r is not None], plan.origin)


def _store_participant(session: Session, person: PlannedParticipant, documents: dict[str, int],
                       report: RefiImportReport, file: str) -> int:
    row = repo.get_or_create_participant(session, person.label)
    row.group = person.group or row.group
    row.role = person.role or row.role
    row.site = person.site or row.site
    row.attributes = {**(row.attributes or {}), **person.attributes}
    session.flush()
    if person.role:
        repo.set_participant_codability(session, row.id, person.role.strip().lower() != "interviewer")
    report.participants += 1
    for name, label in person.speaks_as:
        speaker = session.scalar(select(SpeakerRow).where(SpeakerRow.document_id == documents.get(name, -1),
                                                          SpeakerRow.label == label))
        if speaker is None:
            report.dropped.append(f"{file}: case '{person.label}' speaks as '{label}' in '{name}', but no "
                                  "speaker there has that label; that link was not kept.")
        elif speaker.participant_id != row.id:
            previous = speaker.participant
            speaker.participant_id = row.id
            session.flush()
            repo.delete_if_unspoken(session, previous)
    for name in dict.fromkeys(person.documents):
        if name not in documents:
            continue
        speaks = session.scalar(select(SpeakerRow.id).where(SpeakerRow.document_id == documents[name],
                                                            SpeakerRow.participant_id == row.id).limit(1))
        if speaks is None:
            report.dropped.append(f"{file}: the link from case '{person.label}' to source '{name}' not kept "
                                  f"(no speaker there is '{person.label}'; qualkit links people to text "
                                  "through speaker labels).")
    return row.id
