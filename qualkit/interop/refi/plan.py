"""From a REFI project (as `xml_import` read it) to what qualkit will store: a codebook,
documents segmented like any imported text file, codings on those segments, people, attributes
and memos, plus a message for everything left out. Pure: the service does the writing.

Conventions shared with the export (`qualkit.services.refi`):
- a REFI user is a coder; a user called "X (suggested)" holds X's suggestions, not decisions;
- a selection's `modifyingUser` is who reviewed the coding (a person who coded it themselves
  reviewed it too);
- a named case is a participant; a nameless case with SourceRefs holds those documents'
  variables (MAXQDA and Quirkos); variables written on a source itself are that document's;
- the variables "Stakeholder group", "Role" and "Site" are participants' own fields, and
  "Speaks as" says which speaker label is the person in which document (REFI has no speakers).
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from qualkit.errors import EncodingError, IngestError
from qualkit.ingest.encoding import decode_text
from qualkit.ingest.extracted import ReadContext, ReadOptions
from qualkit.ingest.normalise import normalise_text, rejoin_page_breaks
from qualkit.ingest.readers.documents import read_docx
from qualkit.ingest.safety import parser_boundary
from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.interop.refi import model as refi
from qualkit.interop.refi.descriptions import key_from_name, parse_description
from qualkit.interop.refi.positions import (
    Convention,
    Counting,
    conventions,
    counting,
    matches,
    track_normalisation,
)
from qualkit.model import Code, Codebook, Document, Segment
from qualkit.model.coding import Status

GROUP_VARIABLE, ROLE_VARIABLE, SITE_VARIABLE = "Stakeholder group", "Role", "Site"
SPEAKS_AS_VARIABLE = "Speaks as"  # one "document: speaker label" line per document the person speaks in
SET_ATTRIBUTE = "Set"  # the document sets (MAXQDA) a document belongs to: a name, or a list of names
SUGGESTED_MARK = " (suggested)"
SCORE_PREFIX = "qualkit score: "  # a suggestion's score, as its selection's description
UNKNOWN_CODER = "unknown coder"

Span = tuple[int, int]


def suggestion_user(coder: str) -> str:
    """The REFI user that carries `coder`'s suggestions (kept apart from their decisions)."""
    return coder + SUGGESTED_MARK


@dataclass(frozen=True)
class PlannedCoding:
    code: str  # code id
    ordinal: int  # the segment's position in its document
    span: Span | None  # document offsets; None: the whole segment
    coder: str
    reviewer: str | None
    status: Status
    created: datetime | None
    score: float | None = None  # a suggestion's score, from the selection's description


@dataclass
class PlannedDocument:
    document: Document
    group: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    codings: list[PlannedCoding] = field(default_factory=list)


@dataclass
class PlannedParticipant:
    label: str
    group: str | None = None
    role: str | None = None
    site: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    documents: list[str] = field(default_factory=list)  # the documents the case names
    speaks_as: list[tuple[str, str]] = field(default_factory=list)  # (document, speaker label)


@dataclass(frozen=True)
class PlannedMemo:
    target: str  # project | code | document | segment
    code: str | None
    document: str | None
    ordinal: int | None
    author: str
    title: str
    text: str
    created: datetime | None
    modified: datetime | None


@dataclass
class ImportPlan:
    codebook: Codebook | None
    documents: list[PlannedDocument] = field(default_factory=list)
    participants: list[PlannedParticipant] = field(default_factory=list)
    memos: list[PlannedMemo] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # codings no counting convention confirms
    # the file's own GUIDs: (kind, code id | document name | participant label | user or variable
    # name) -> GUID, kept so that an export gives them back
    guids: dict[tuple[str, str], str] = field(default_factory=dict)
    origin: str | None = None  # the program that wrote the file
    notes: list[str] = field(default_factory=list)  # how positions were read


def plan_codebook(book: refi.Codebook, name: str, where: str) -> tuple[Codebook | None, dict[str, str],
                                                                        list[str]]:
    """The qualkit codebook, the code id of each code GUID, and what was left out."""
    pairs = book.walk()
    if not pairs:
        return None, {}, []
    parsed = {code.guid: parse_description(code.description) for code, _ in pairs}
    keys: dict[str, str] = {}
    for code, _ in pairs:  # ids the file states come first, so derived ones go around them
        stated = parsed[code.guid][2]
        if stated is not None and stated not in keys.values():
            keys[code.guid] = stated
    for code, _ in pairs:
        if code.guid not in keys:
            keys[code.guid] = _unique(key_from_name(code.name), set(keys.values()))

    def build(code: refi.Code) -> Code:
        description, lists, _ = parsed[code.guid]
        return Code(id=keys[code.guid], name=code.name, description=description, color=code.color,
                    children=[build(child) for child in code.children], **lists)

    dropped = []
    folders = [code.name for code, _ in pairs if not code.codable]
    if folders:
        dropped.append(f"{where}: {len(folders)} code(s) marked not codable ({_names(folders)}) became "
                       "ordinary codes (every qualkit code can be applied).")
    return Codebook(name=name, codes=[build(code) for code in book.codes]), keys, dropped


def plan_import(project: refi.Project, *, where: str, codebook_name: str,
                read_file: Callable[[str], bytes | None], options: SegmentationOptions) -> ImportPlan:
    codebook, keys, dropped = plan_codebook(project.codebook, codebook_name, where)
    planner = _Planner(project, where, keys, read_file, options)
    planner.plan.codebook = codebook
    planner.plan.dropped[:0] = dropped
    for source in project.sources:
        planner.source(source)
    planner.cases()
    planner.document_sets()
    planner.memos()
    planner.plan.origin = project.origin
    kept = planner.plan.guids
    kept.update({("code", key): guid for guid, key in keys.items()})
    kept.update({("document", name): guid for name, guid in planner.source_guids.items()})
    kept.update({("participant", label): guid for label, guid in planner.case_guids.items()})
    kept.update({("user", user.name): user.guid for user in project.users if user.guid})
    kept.update({("variable", variable.name): variable.guid for variable in project.variables})
    return planner.plan


class _Planner:
    def __init__(self, project: refi.Project, where: str, keys: dict[str, str],
                 read_file: Callable[[str], bytes | None], options: SegmentationOptions) -> None:
        self.project, self.where, self.keys = project, where, keys
        self.read_file, self.options = read_file, options
        self.users = {user.guid: user.name for user in project.users}
        self.variables = {variable.guid: variable for variable in project.variables}
        self.plan = ImportPlan(None)
        self.by_source: dict[str, PlannedDocument] = {}
        self.targets: dict[str, tuple[str, str | None, str | None, int | None]] = {
            code.guid: ("code", keys[code.guid], None, None) for code, _ in project.codebook.walk()}
        self.note_targets: dict[str, list[tuple[str, str | None, str | None, int | None]]] = defaultdict(list)
        self.comments: list[PlannedMemo] = []
        self.notes_ = self.plan.notes
        self.source_guids: dict[str, str] = {}  # document name -> its source's GUID
        self.case_guids: dict[str, str] = {}  # participant label -> its case's GUID
        for code, _ in project.codebook.walk():
            for note in code.notes:
                self.note_targets[note].append(self.targets[code.guid])

    def drop(self, what: str, line: int | None = None) -> None:
        where = self.where if line is None else f"{self.where}, line {line}"
        self.plan.dropped.append(f"{where}: {what}")

    def unplaced(self, what: str, line: int | None = None) -> None:
        where = self.where if line is None else f"{self.where}, line {line}"
        self.plan.unplaced.append(f"{where}: {what}")

    def user(self, guid: str | None) -> str | None:
        return None if guid is None else self.users.get(guid, guid)

    def source(self, source: refi.Source) -> None:
        raw = self.text_of(source)
        if raw is None:
            return
        text = rejoin_page_breaks(normalise_text(raw))
        if not text:
            self.drop(f"source '{source.name}' not imported (it has no text).", source.line)
            return
        mapped = track_normalisation(raw)
        name = _unique_name(source.name, {d.document.name for d in self.plan.documents})
        document = Document(name=name, suffix=".txt", sha256=hashlib.sha256(raw.encode()).hexdigest(),
                            text=text, source_path=f"{self.where}: {source.path or source.guid}",
                            segments=segment_text(text, self.options))
        planned = PlannedDocument(document)
        self.plan.documents.append(planned)
        self.by_source[source.guid] = planned
        self.targets[source.guid] = ("document", None, name, None)
        self.source_guids[name] = source.guid
        for note in source.notes:
            self.note_targets[note].append(self.targets[source.guid])
        self.attributes(planned, source.values, f"source '{source.name}'")
        if mapped.text != text:
            count = len(source.selections) + len(source.codings)
            if count:
                self.unplaced(f"{count} selection(s) and coding(s) on source '{source.name}' not placed "
                              "(its text could not be matched character by character).", source.line)
            return
        placed = self.place(source, raw)
        for selection, raw_span in placed:
            self.selection(planned, selection, (mapped.offset(raw_span[0]), mapped.offset(raw_span[1])),
                           source.name)
        if source.codings:  # codings of the whole source
            whole = refi.Selection("", 0, len(raw), codings=source.codings, line=source.line)
            self.selection(planned, whole, (0, len(text)), source.name)

    def place(self, source: refi.Source, raw: str) -> list[tuple[refi.Selection, Span]]:
        """Each selection's raw span, under the counting convention its stored text confirms.

        The convention that confirms the most selections (the vendor's usual one on a tie) is the
        source's; a selection whose text it does not confirm tries the others; one that no
        convention confirms, or that is not inside the text under any, is listed as unplaced.
        When no name in the source is its text under any convention, the names are labels
        (ATLAS.ti lets people rename quotations) and positions are read unverified."""
        preferred = Convention(crlf_one="atlas.ti" in (self.project.origin or "").lower())
        countings = [counting(raw, c) for c in conventions(preferred)]
        selections = list(source.selections)

        def verdict(selection: refi.Selection, count: Counting) -> bool | None:
            """True: its name is its text; None: no name to check; False: wrong or outside."""
            start, end = count.raw(selection.start), count.raw(selection.end)
            if start is None or end is None or start >= end:
                return False
            return matches(selection.name, raw[start:end])

        scores = [sum(verdict(s, count) is True for s in selections) for count in countings]
        best = countings[max(range(len(countings)), key=lambda i: (scores[i], -i))]
        checked = scores[countings.index(best)]
        trust_names = any(scores)
        if not trust_names and any(matches(s.name, "") is not None for s in selections):
            self.notes_.append(f"{self.where}: source '{source.name}': no selection's name is the text it "
                               "selects under any counting, so the names are labels; positions were read "
                               f"as {best.convention.describe()} without that check.")
        elif checked:
            self.notes_.append(f"{self.where}: source '{source.name}': positions read as "
                               f"{best.convention.describe()} ({checked} of {len(selections)} selection(s) "
                               "confirmed by their stored text).")
        placed: list[tuple[refi.Selection, Span]] = []
        for selection in selections:
            where = f"the selection {selection.start}–{selection.end} of '{source.name}'"
            if selection.start >= selection.end:
                self.unplaced(f"{where} and its {len(selection.codings)} coding(s) not placed (it ends "
                              "before it starts).", selection.line)
                continue
            own = verdict(selection, best)
            inside = best.raw(selection.start) is not None and best.raw(selection.end) is not None
            found: Counting | None = best
            if not (own is True or own is None or (inside and not trust_names)):
                found = next((c for c in countings if verdict(selection, c) is True), None)
                if found is None:
                    self.unplaced(self.why_unplaced(where, selection, best, raw), selection.line)
                    continue
                self.notes_.append(f"{self.where}: {where} read as {found.convention.describe()} "
                                   "(its stored text confirms it).")
            start, end = found.raw(selection.start), found.raw(selection.end)
            if start is not None and end is not None:
                placed.append((selection, (start, end)))
        return placed

    def why_unplaced(self, where: str, selection: refi.Selection, best: Counting, raw: str) -> str:
        start, end = best.raw(selection.start), best.raw(selection.end)
        codes = len(selection.codings)
        if start is None or end is None:
            return (f"{where} and its {codes} coding(s) not placed (it is not inside the text, "
                    f"{len(raw)} characters, under any counting).")
        shown = raw[start:end]
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        stored = selection.name or ""
        stored = stored if len(stored) <= 60 else stored[:59] + "…"
        return (f"{where} and its {codes} coding(s) not placed (its stored text '{stored}' is not at "
                f"those positions under any counting; they hold '{shown}').")

    def text_of(self, source: refi.Source) -> str | None:
        if source.text is not None:
            return source.text
        what = f"source '{source.name}' and its codings"
        if source.path is None and source.rich_path:
            return self.docx_text(source.rich_path, what, source.line)
        return self.file_text(source.path or "", what, source.line)

    def docx_text(self, path: str, what: str, line: int | None) -> str | None:
        """The text of a source that exists only as a Word document, read as `qualkit import` reads
        one; its selections are then checked against that text like any other."""
        scheme, _, rest = path.partition("://")
        if scheme.lower() in ("relative", "absolute"):
            self.drop(f"{what} not imported (its text is outside the archive: {path}).", line)
            return None
        name = PurePosixPath(rest or path).name
        data = self.read_file(name)
        if data is None:
            self.drop(f"{what} not imported (its file {path} is missing).", line)
            return None
        try:
            with parser_boundary(Path(name), "a Word .docx document"):
                extracted = read_docx(data, ReadContext(Path(name), ReadOptions()))
        except IngestError as error:
            self.drop(f"{what} not imported ({error}).", line)
            return None
        return extracted.text

    def file_text(self, path: str, what: str, line: int | None) -> str | None:
        """An internal file's text; files outside the archive are never read."""
        scheme, _, rest = path.partition("://")
        if scheme.lower() in ("relative", "absolute"):
            self.drop(f"{what} not imported (its text is outside the archive: {path}).", line)
            return None
        data = self.read_file(PurePosixPath(rest or path).name)
        if data is None:
            self.drop(f"{what} not imported (its file {path} is missing).", line)
            return None
        try:
            return decode_text(data, path)
        except EncodingError as error:
            self.drop(f"{what} not imported ({error}).", line)
            return None

    def selection(self, planned: PlannedDocument, selection: refi.Selection, span: Span, source: str) -> None:
        where = f"the selection {selection.start}–{selection.end} of '{source}'"
        pieces = segment_pieces(planned.document.segments, *span)
        if not pieces:
            self.unplaced(f"{where} not placed (it selects only blank space between segments).",
                          selection.line)
            return
        target = ("segment", None, planned.document.name, pieces[0][0])
        if selection.guid:  # codings of a whole source come as a selection without one
            self.targets[selection.guid] = target
        for note in selection.notes:
            self.note_targets[note].append(target)
        if selection.description and not selection.codings:  # a MAXQDA comment on the text
            self.comments.append(PlannedMemo("segment", None, planned.document.name, pieces[0][0],
                                             self.user(selection.user) or UNKNOWN_CODER, "Comment",
                                             selection.description, selection.created, None))
        reviewer = self.user(selection.modifier)
        for coding in selection.codings:
            if coding.code not in self.keys:
                self.drop(f"a coding on {where} not imported (its code {coding.code} is not in the "
                          "codebook).", selection.line)
                continue
            user = self.user(coding.user or selection.user) or UNKNOWN_CODER
            suggested = user.endswith(SUGGESTED_MARK)
            coder, status = (user.removesuffix(SUGGESTED_MARK), Status.SUGGESTED) if suggested \
                else (user, Status.ACCEPTED)
            who = reviewer or (None if suggested else coder)
            score = parse_score(selection.description) if suggested else None
            planned.codings.extend(
                PlannedCoding(self.keys[coding.code], ordinal, piece, coder, who, status,
                              coding.created or selection.created, score)
                for ordinal, piece in pieces)

    def attributes(self, planned: PlannedDocument, values: tuple[refi.VariableValue, ...],
                   owner: str) -> None:
        for name, value in self.named(values, owner):
            if name.lower() in (GROUP_VARIABLE.lower(), "group"):
                planned.group = str(value)
            else:
                planned.attributes[name] = attribute_value(value)

    def named(self, values: tuple[refi.VariableValue, ...], owner: str) -> list[tuple[str, refi.Value]]:
        found = []
        for value in values:
            variable = self.variables.get(value.variable)
            if variable is None:
                self.drop(f"a value of {owner} not imported (its variable {value.variable} is not declared).")
            else:
                found.append((variable.name, value.value))
        return found

    def cases(self) -> None:
        people: dict[str, PlannedParticipant] = {}
        for case in self.project.cases:
            documents = [self.by_source[g] for g in case.sources if g in self.by_source]
            if case.name is None:
                if not case.sources:
                    self.drop(f"the variables of a nameless case ({case.guid}) not imported (it names no "
                              "source).")
                for planned in documents:
                    self.attributes(planned, case.values, f"the case of '{planned.document.name}'")
                continue
            person = people.setdefault(case.name, PlannedParticipant(case.name))
            self.case_guids.setdefault(case.name, case.guid)
            person.documents.extend(p.document.name for p in documents)
            for name, value in self.named(case.values, f"case '{case.name}'"):
                core = {GROUP_VARIABLE.lower(): "group", "group": "group", ROLE_VARIABLE.lower(): "role",
                        SITE_VARIABLE.lower(): "site"}.get(name.lower())
                if name.lower() == SPEAKS_AS_VARIABLE.lower():
                    person.speaks_as.extend(parse_speaks_as(str(value)))
                elif core:
                    setattr(person, core, str(value))
                else:
                    person.attributes[name] = attribute_value(value)
        self.plan.participants = list(people.values())

    def document_sets(self) -> None:
        names: dict[str, list[str]] = defaultdict(list)
        for name, members in self.project.document_sets:
            for member in members:
                if member in self.by_source and name not in names[member]:
                    names[member].append(name)
        for member, found in names.items():
            self.by_source[member].attributes[SET_ATTRIBUTE] = found[0] if len(found) == 1 else found

    def memos(self) -> None:
        for link in self.project.links:
            notes = self.notes()
            note, other = (link.origin, link.target) if link.origin in notes else (link.target, link.origin)
            if note in notes and other in self.targets:
                self.note_targets[note].append(self.targets[other])
            else:
                self.drop(f"a link between {link.origin} and {link.target} not imported "
                          "(qualkit keeps links only between a note and what it is about).")
        for note in self.project.project_notes:
            self.note_targets[note].append(("project", None, None, None))
        for note in self.project.notes:
            text = note.text
            if text is None:
                text = self.file_text(note.path or "", f"note '{note.name}'", None)
            if text is None:
                continue
            targets = self.note_targets.get(note.guid) or [("project", None, None, None)]
            for target, code, document, ordinal in targets:
                self.plan.memos.append(PlannedMemo(target, code, document, ordinal,
                                                   self.user(note.user) or UNKNOWN_CODER, note.name, text,
                                                   note.created, note.modified))
        self.plan.memos.extend(self.comments)
        if self.project.description.strip():
            self.plan.memos.append(PlannedMemo("project", None, None, None, UNKNOWN_CODER,
                                               "Project description", self.project.description, None, None))

    def notes(self) -> set[str]:
        return {note.guid for note in self.project.notes}


def attribute_value(value: refi.Value) -> Any:
    """A text variable that is exactly a JSON list or object (how the export writes them) becomes
    that list or object again."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return value
        if json.dumps(parsed, ensure_ascii=False) == value:
            return parsed
    return value


def render_score(score: float) -> str:
    return f"{SCORE_PREFIX}{score:.4f}"


def parse_score(text: str | None) -> float | None:
    if not text or not text.startswith(SCORE_PREFIX):
        return None
    try:
        return float(text[len(SCORE_PREFIX):])
    except ValueError:
        return None


def render_speaks_as(speakers: list[tuple[str, str]]) -> str:
    return "\n".join(f"{document}: {label}" for document, label in speakers)


def parse_speaks_as(text: str) -> list[tuple[str, str]]:
    """(document, label) pairs; a label never holds ': ' (it is what comes before the colon)."""
    pairs = [line.rpartition(": ") for line in text.splitlines()]
    return [(document, label) for document, sep, label in pairs if sep and document and label]


def segment_pieces(segments: list[Segment], start: int, end: int) -> list[tuple[int, Span | None]]:
    """The segments `[start, end)` overlaps, by ordinal, each with the overlap (None: all of it).

    A selection that crosses turns codes the codable turns only: the interviewer's question
    between two answers is not coded with them (a selection inside non-codable text alone is
    kept, since someone coded it on purpose)."""
    ends = [segment.end for segment in segments]
    pieces = []
    for ordinal in range(bisect_right(ends, start), len(segments)):
        segment = segments[ordinal]
        if segment.start >= end:
            break
        low, high = max(start, segment.start), min(end, segment.end)
        if low < high:
            pieces.append((ordinal, None if (low, high) == (segment.start, segment.end) else (low, high)))
    codable = [piece for piece in pieces if segments[piece[0]].codable]
    return codable or pieces


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    return candidate


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def _names(names: list[str], shown: int = 5) -> str:
    listed = ", ".join(f"'{n}'" for n in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")
