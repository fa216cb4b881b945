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

from qualkit import __version__
from qualkit.errors import NotFoundError, QualkitError, UnsupportedFormatError
from qualkit.ingest.safety import check_size, parser_boundary
from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.interop.refi import model as refi
from qualkit.interop.refi.container import read_qdpx, write_qdpx
from qualkit.interop.refi.descriptions import key_from_name, render_description
from qualkit.interop.refi.guids import Guids
from qualkit.interop.refi.plan import (
    GROUP_VARIABLE,
    REJECTED_VARIABLE,
    ROLE_VARIABLE,
    SEGMENTS_VARIABLE,
    SITE_VARIABLE,
    SPEAKS_AS_VARIABLE,
    ImportPlan,
    PlannedCoding,
    PlannedParticipant,
    Rejection,
    SegmentFacts,
    plan_codebook,
    plan_import,
    render_rejections,
    render_score,
    render_segment_facts,
    render_speaks_as,
    suggestion_user,
)
from qualkit.interop.refi.xml_export import codebook_xml, project_xml, source_file_name
from qualkit.interop.refi.xml_import import parse_codebook, parse_project
from qualkit.model import Code
from qualkit.model.coding import Coding, Status
from qualkit.services.codebooks import StoredCodebook, codebook_row, store_codebook
from qualkit.services.projects import Project, current_user
from qualkit.store import Session
from qualkit.store import codebooks as codebooks_store
from qualkit.store import exchange as exchange_store
from qualkit.store import imports as imports_store
from qualkit.store import memos as memos_store
from qualkit.store import repository as repo
from qualkit.store.exchange import SegmentCut

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
    rejected: int = 0  # rejected decisions added (qualkit's own variable carries them)
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
    their own per coder), participants' and documents' attributes as case variables, segments'
    times, stated groups and row attributes and the rejected decisions as qualkit's own document
    variables, memos as notes."""
    statuses = (Status.ACCEPTED, *((Status.SUGGESTED,) if include_suggestions else ()))
    with project.transaction() as session:
        guids = Guids(project.config.name, exchange_store.read(session))
        options = project.config.read_options().segmentation
        exchange = _Exporter(session, guids, options).project(project.config.name, statuses)
        left_out = _left_out(exchange_store.untravelled(session), include_suggestions)
        sources = {source_file_name(s): (s.text or "").encode("utf-8") for s in exchange.sources}
        write_qdpx(path, project_xml(exchange), sources)
        codings = sum(len(sel.codings) for s in exchange.sources for sel in s.selections)
        repo.log_event(session, current_user(), "export", "project", None, format="qdpx",
                       documents=len(exchange.sources), codings=codings, memos=len(exchange.notes),
                       suggestions=include_suggestions)
    return RefiExportSummary(path, len(exchange.sources), len(exchange.codebook.walk()), codings,
                             len(exchange.users), len(exchange.cases), len(exchange.notes), left_out)


def _left_out(gaps: exchange_store.Untravelled, include_suggestions: bool) -> list[str]:
    """One line per kind of thing the export does not carry, with how many there are."""
    lines = []
    suggestions = gaps.suggestions - gaps.said_no  # the coder's own yes: what "suggestion" means
    if not include_suggestions and suggestions:
        lines.append(f"{suggestions} suggestion(s) (include suggestions to carry them)")
    if gaps.said_no:
        lines.append(f"{gaps.said_no} lower-scored candidate(s) their coder did not suggest (they only rank "
                     "the review queue)")
    if gaps.machine_accepted:
        lines.append(f"the scores and runs of {gaps.machine_accepted} accepted machine coding(s) (who coded "
                     "and reviewed them travels)")
    return lines


class _Exporter:
    """Reads one project into REFI exchange objects."""

    def __init__(self, session: Session, guids: Guids, options: SegmentationOptions) -> None:
        self.session, self.guid, self.options = session, guids, options
        self.users: list[str] = []

    def user(self, name: str | None) -> str | None:
        if name is None:
            return None
        if name not in self.users:
            self.users.append(name)
        return self.guid("user", name)

    def project(self, name: str, statuses: tuple[Status, ...]) -> refi.Project:
        session = self.session
        newest = codebooks_store.newest(session)
        book = codebooks_store.read(session, newest) if newest is not None else None
        codings = exchange_store.codings(session, statuses)
        memos = memos_store.find(session, oldest_first=False)
        top = list(book.codes) if book is not None else []
        known = {code.id for code in book.flat()} if book is not None else set()
        top += exchange_store.newest_codes(session, {coding.code for coding in codings} - known)
        code_notes: dict[str, list[str]] = defaultdict(list)
        source_notes: dict[int, list[str]] = defaultdict(list)
        selections: dict[int, list[refi.Selection]] = defaultdict(list)
        project_notes: list[str] = []
        documents = exchange_store.documents(session)
        texts = {document.id: document.text for document in documents}
        rejected = exchange_store.codings(session, (Status.REJECTED,))
        on_segments = [_row_id(memo.ref) or 0 for memo in memos if memo.target == "segment"]
        bounds = exchange_store.segment_bounds(session, [
            *(coding.segment_id for coding in (*codings, *rejected) if coding.span is None), *on_segments])
        for coding in codings:
            start, end = _place(coding, bounds)
            suggested = coding.status == Status.SUGGESTED
            user = suggestion_user(coding.coder) if suggested else coding.coder
            text = texts[coding.document_id]
            selections[coding.document_id].append(refi.Selection(
                self.guid("selection", coding.id), start, end, _label(text[start:end]),
                self.user(user), self.user(coding.reviewer), coding.created_at,
                modified=coding.updated_at if coding.reviewer is not None else None,
                description=render_score(coding.score) if suggested and coding.score is not None else None,
                codings=(refi.Coding(self.guid("coding", coding.id), self.guid("code", coding.code),
                                     self.user(user), coding.created_at),)))
        all_keys = {code.id for code in _walk(top)}
        for memo in memos:
            note = self.guid("memo", memo.id)
            self.user(memo.author)
            segment = bounds.get(_row_id(memo.ref) or 0) if memo.target == "segment" else None
            if memo.target == "code" and memo.ref in all_keys:
                code_notes[memo.ref].append(note)
            elif memo.target == "document" and (document := _row_id(memo.ref)) in texts:
                source_notes[document].append(note)
            elif segment is not None:
                selections[segment.document_id].append(refi.Selection(
                    self.guid("memo-selection", memo.id), segment.start, segment.end,
                    _label(texts[segment.document_id][segment.start:segment.end]),
                    self.user(memo.author), None, memo.created_at, notes=(note,)))
            else:
                project_notes.append(note)
        sources = tuple(refi.Source(self.guid("document", d.id), d.name, d.text,
                                    selections=tuple(selections[d.id]), notes=tuple(source_notes[d.id]),
                                    created=d.imported_at) for d in documents)
        carried = self.carried(documents, exchange_store.segment_cuts(session), rejected, bounds)
        variables, cases = self.cases(documents, carried)
        notes = tuple(refi.Note(self.guid("memo", m.id), m.title, m.text, None, self.user(m.author),
                                m.created_at, m.updated_at) for m in memos)
        return refi.Project(
            name=name, origin=ORIGIN,
            users=tuple(refi.User(self.guid("user", n), n) for n in sorted(self.users)),
            codebook=refi.Codebook(_codes(top, self.guid, code_notes), ORIGIN),
            variables=variables, cases=cases, sources=sources, notes=notes,
            project_notes=tuple(project_notes))

    def carried(self, documents: list[exchange_store.ExportedDocument], cuts: dict[int, list[SegmentCut]],
                rejected: list[Coding],
                bounds: dict[int, exchange_store.SegmentBounds]) -> dict[int, dict[str, str]]:
        """qualkit's own variables per document id, for what REFI-QDA has no place for: the segments that
        say more than their text (times, stated group, row attributes), every segment where a fresh cut
        of the text would differ from the stored one, and the rejected decisions."""
        carried: dict[int, dict[str, str]] = defaultdict(dict)
        for document in documents:
            stored = cuts.get(document.id, [])
            fresh = [(segment.start, segment.end, str(segment.kind), segment.speaker)
                     for segment in segment_text(document.text, self.options)]
            listed = fresh != [(cut.start, cut.end, cut.kind, cut.speaker) for cut in stored]
            facts = [SegmentFacts(cut.start, cut.end, cut.start_time, cut.end_time, cut.group, cut.attributes,
                                  *((cut.kind, cut.speaker, cut.codable) if listed else ()))
                     for cut in stored if listed or cut.has_details]
            if facts:
                carried[document.id][SEGMENTS_VARIABLE] = render_segment_facts(facts)
        refusals: dict[int, list[Rejection]] = defaultdict(list)
        for coding in rejected:
            start, end = _place(coding, bounds)
            refusals[coding.document_id].append(Rejection(
                start, end, self.guid("code", coding.code), coding.coder, coding.reviewer, coding.score,
                coding.predicted, coding.created_at, coding.updated_at))
        for document_id, found in refusals.items():
            carried[document_id][REJECTED_VARIABLE] = render_rejections(found)
        return carried

    def cases(self, documents: list[exchange_store.ExportedDocument],
              carried: dict[int, dict[str, str]]) -> tuple[tuple[refi.Variable, ...], tuple[refi.Case, ...]]:
        """Participants as named cases; each document's group and attributes as a nameless case."""
        speakers: dict[int, list[exchange_store.SpokenAs]] = defaultdict(list)
        for spoken in exchange_store.spoken_as(self.session):
            speakers[spoken.participant_id].append(spoken)
        owners: list[tuple[str, str | None, dict[str, Any], tuple[str, ...]]] = []
        for person in exchange_store.people(self.session):
            spoken = speakers[person.id]
            values = {GROUP_VARIABLE: person.group, ROLE_VARIABLE: person.role, SITE_VARIABLE: person.site,
                      SPEAKS_AS_VARIABLE: render_speaks_as([(s.document, s.label) for s in spoken]) or None,
                      **person.attributes}
            sources = dict.fromkeys(self.guid("document", s.document_id) for s in spoken)
            owners.append((self.guid("participant", person.id), person.label, values, tuple(sources)))
        for document in documents:
            values = {GROUP_VARIABLE: document.group, **document.attributes, **carried.get(document.id, {})}
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


def _place(coding: Coding, bounds: dict[int, exchange_store.SegmentBounds]) -> tuple[int, int]:
    """Where a coding sits in its document: its own span, else its whole segment."""
    if coding.span is not None:
        return coding.span
    segment = bounds[coding.segment_id]
    return segment.start, segment.end


def _row_id(ref: str | None) -> int | None:
    """The row id a memo's reference names (None: it names none)."""
    return int(ref) if ref and ref.isdigit() else None


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
    corpus_id = repo.get_or_create_corpus(session, corpus).id
    segments: dict[str, list[int]] = {}  # document name -> segment ids by ordinal
    documents: dict[str, int] = {}
    codings: list[exchange_store.NewCoding] = []
    for planned in plan.documents:
        document = planned.document
        stored = imports_store.document_named(session, corpus_id, document.name)
        if stored is not None and stored.text != document.text:
            report.dropped.append(f"{path.name}: source '{document.name}' and its {len(planned.codings)} "
                                  "coding(s) not imported (the project has a document of that name with "
                                  "other text; rename one of them to keep both).")
            continue
        if stored is None:
            document_id = repo.add_document(session, corpus_id, document).id
            repo.log_event(session, actor, "import", "document", document_id, segments=len(document.segments),
                           sha256=document.sha256)
            report.documents.append((document.name, len(document.segments)))
        else:
            document_id = stored.id
            report.reused.append(document.name)
        imports_store.merge_document_details(session, document_id, group=planned.group,
                                             attributes=planned.attributes)
        documents[document.name] = document_id
        segments[document.name] = exchange_store.segment_ids(session, document_id)
        codings += [_new_coding(coding, segments[document.name][coding.ordinal], code_ids[coding.code])
                    for coding in planned.codings]
    decided = [coding for coding in codings if coding.status == Status.REJECTED]
    codings = [coding for coding in codings if coding.status != Status.REJECTED]
    report.codings = exchange_store.add_codings_once(session, codings)
    report.already = len(codings) - report.codings
    report.rejected = exchange_store.add_codings_once(session, decided)
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
        if memos_store.exists(session, target=memo.target, ref=ref, author=memo.author, title=memo.title,
                              text=memo.text):
            continue  # imported before
        memos_store.add(session, target=memo.target, ref=ref, author=memo.author, title=memo.title,
                        text=memo.text, created_at=memo.created, updated_at=memo.modified)
        report.memos += 1
    repo.log_event(session, actor, "import_refi", "project", None, documents=len(report.documents),
                   reused=len(report.reused), codings=report.codings, rejected=report.rejected,
                   memos=report.memos,
                   participants=report.participants, dropped=len(report.dropped),
                   unplaced=len(report.unplaced))
    return report


def _new_coding(coding: PlannedCoding, segment_id: int, code_id: int) -> exchange_store.NewCoding:
    return exchange_store.NewCoding(segment_id, code_id, coding.code, coding.span, coding.status,
                                    coding.coder, coding.reviewer, coding.created, coding.score,
                                    coding.predicted, coding.decided)


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
    stored = imports_store.merge_participant(session, person.label, group=person.group, role=person.role,
                                             site=person.site, attributes=person.attributes)
    if person.role:
        repo.set_participant_codability(session, stored.id, person.role.strip().lower() != "interviewer")
    report.participants += 1
    for name, label in person.speaks_as:
        linked = name in documents and imports_store.link_speaker(session, documents[name], label, stored.id)
        if not linked:
            report.dropped.append(f"{file}: case '{person.label}' speaks as '{label}' in '{name}', but no "
                                  "speaker there has that label; that link was not kept.")
    for name in dict.fromkeys(person.documents):
        if name in documents and not imports_store.speaks_in(session, documents[name], stored.id):
            report.dropped.append(f"{file}: the link from case '{person.label}' to source '{name}' not kept "
                                  f"(no speaker there is '{person.label}'; qualkit links people to text "
                                  "through speaker labels).")
    return stored.id
