"""From a REFI project (as `xml_import` read it) to what qualkit will store: a codebook,
documents segmented like any imported text file, codings on those segments, people, attributes
and memos, plus a message for everything left out. Pure: the service does the writing.

Conventions shared with the export (`qualkit.services.refi`):
- a REFI user is a coder; a user called "X (suggested)" holds X's suggestions, not decisions;
- a selection's `modifyingUser` is who reviewed the coding (a person who coded it themselves
  reviewed it too), and its `modifiedDateTime` when;
- a named case is a participant; a nameless case with SourceRefs holds those documents'
  variables (MAXQDA and Quirkos); variables written on a source itself are that document's;
- the variables "Stakeholder group", "Role" and "Site" are participants' own fields, and
  "Speaks as" says which speaker label is the person in which document (REFI has no speakers);
- REFI has no segments and no refusals, so a document's case carries two variables of qualkit's
  own, as JSON text: "qualkit:segments" lists, by the segment's offsets in the source text, what a
  segment says beyond its words (a turn's start and end time in seconds, the stakeholder group its
  row states, its row's other cells) and, where a fresh cut of the text would give other segments
  (a short .vtt, a sheet, a document imported as another kind), every segment with its kind, speaker
  label and codability, so the import cuts it the same way; "qualkit:rejected" lists the decisions
  that a code does not apply (offsets, the code's GUID, coder, reviewer, score, the coder's own
  yes/no, when it was made and decided). Other programs show them as text variables; qualkit reads
  them back.
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
from typing import Any, TypeVar

from qualkit.errors import EncodingError, IngestError
from qualkit.ingest.encoding import decode_text
from qualkit.ingest.extracted import ReadContext, ReadOptions
from qualkit.ingest.normalise import stored_text
from qualkit.ingest.readers import FORMATS
from qualkit.ingest.safety import parser_boundary
from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.interop.refi import model as refi
from qualkit.interop.refi.descriptions import key_from_name, parse_description
from qualkit.interop.refi.positions import (
    Convention,
    Counting,
    MappedText,
    conventions,
    counting,
    matches,
    track_normalisation,
)
from qualkit.model import Code, Codebook, Document, Segment, SegmentKind
from qualkit.model.coding import Status

GROUP_VARIABLE, ROLE_VARIABLE, SITE_VARIABLE = "Stakeholder group", "Role", "Site"
SPEAKS_AS_VARIABLE = "Speaks as"  # one "document: speaker label" line per document the person speaks in
SET_ATTRIBUTE = "Set"  # the document sets (MAXQDA) a document belongs to: a name, or a list of names
SUGGESTED_MARK = " (suggested)"
SCORE_PREFIX = "qualkit score: "  # a suggestion's score, as its selection's description
UNKNOWN_CODER = "unknown coder"
SEGMENTS_VARIABLE = "qualkit:segments"
REJECTED_VARIABLE = "qualkit:rejected"

Span = tuple[int, int]
T = TypeVar("T")
SEGMENT_KINDS = frozenset(kind.value for kind in SegmentKind)


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
    predicted: bool | None = None  # a rejected machine coding's own yes/no
    decided: datetime | None = None  # when it was reviewed (a selection's modifiedDateTime) or rejected


@dataclass(frozen=True)
class SegmentFacts:
    """What one segment says beyond its text, found by its offsets in the document."""

    start: int
    end: int
    start_time: float | None = None
    end_time: float | None = None
    group: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    # Given for every segment when qualkit's cut differs from a fresh cut of the text:
    kind: str | None = None
    speaker: str | None = None
    codable: bool | None = None


@dataclass(frozen=True)
class Rejection:
    """A decision that a code does not apply to the text between two offsets."""

    start: int
    end: int
    code: str  # the code's GUID in the file
    coder: str
    reviewer: str | None = None
    score: float | None = None
    predicted: bool | None = None
    created: datetime | None = None
    decided: datetime | None = None


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
        self.carried = self.qualkit_variables()
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
        text = stored_text(raw)
        if not text:
            self.drop(f"source '{source.name}' not imported (it has no text).", source.line)
            return
        mapped = track_normalisation(raw)
        placeable = mapped if mapped.text == text else None
        name = _unique_name(source.name, {d.document.name for d in self.plan.documents})
        carried = self.carried.get(source.guid, {})
        facts = self.parsed(name, SEGMENTS_VARIABLE, carried, parse_segment_facts, placeable)
        rejections = self.parsed(name, REJECTED_VARIABLE, carried, parse_rejections, placeable)
        document = Document(name=name, suffix=".txt", sha256=hashlib.sha256(raw.encode()).hexdigest(),
                            text=text, source_path=f"{self.where}: {source.path or source.guid}",
                            segments=self.cut(name, text, facts, mapped))
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
        self.rejections(planned, mapped, rejections)

    def qualkit_variables(self) -> dict[str, dict[str, str]]:
        """qualkit's own variables ("qualkit:segments", "qualkit:rejected") by source GUID, written on the
        source or on a nameless case that names it; read before any source, since they say how to cut it."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        owners = [((source.guid,), source.values) for source in self.project.sources]
        owners += [(case.sources, case.values) for case in self.project.cases if case.name is None]
        for guids, values in owners:
            for value in values:
                variable = self.variables.get(value.variable)
                if variable is not None and variable.name in (SEGMENTS_VARIABLE, REJECTED_VARIABLE):
                    for guid in guids:
                        found[guid][variable.name] = str(value.value)
        return found

    def cut(self, name: str, text: str, facts: list[SegmentFacts], mapped: MappedText) -> list[Segment]:
        """The document's segments: as the file lists them where qualkit wrote every segment (its cut
        differed from a fresh one), else cut afresh; either way with the turn times, stated groups and
        row attributes the file carries for them."""
        if facts and all(fact.kind is not None for fact in facts):
            listed = self.listed_cut(name, text, facts, mapped)
            if listed is not None:
                return listed
        segments = segment_text(text, self.options)
        ordinals = {(segment.start, segment.end): i for i, segment in enumerate(segments)}
        missed = 0
        for fact in facts:
            ordinal = ordinals.get((mapped.offset(fact.start), mapped.offset(fact.end)))
            if ordinal is None:
                missed += 1
            else:
                segments[ordinal] = segments[ordinal].model_copy(update=_details(fact))
        if missed:
            self.drop(f"the times, stated groups or row attributes of {missed} segment(s) of source '{name}' "
                      "not kept (the text was cut into other segments).")
        return segments

    def listed_cut(self, name: str, text: str, facts: list[SegmentFacts],
                   mapped: MappedText) -> list[Segment] | None:
        """The segments exactly as listed, or None (and a message) when the list does not fit the text."""
        segments: list[Segment] = []
        for fact in facts:
            start, end = mapped.offset(fact.start), mapped.offset(fact.end)
            if not (segments[-1].end if segments else 0) <= start <= end <= len(text) \
                    or fact.kind not in SEGMENT_KINDS:
                self.drop(f"the segments qualkit listed for source '{name}' not used (they do not fit its "
                          "text); it was cut afresh.")
                return None
            segments.append(Segment(start=start, end=end, text=text[start:end],
                                    kind=SegmentKind(fact.kind), speaker=fact.speaker,
                                    codable=fact.codable is not False, **_details(fact)))
        return segments

    def place(self, source: refi.Source, raw: str) -> list[tuple[refi.Selection, Span]]:
        """Each selection's raw span, under the counting convention its stored text confirms.

        The convention that confirms the most selections (the vendor's usual one on a tie) is the
        source's; a selection whose text it does not confirm tries the others; one that no
        convention confirms, or that is not inside the text under any, is listed as unplaced.
        When no name in the source is its text under any convention, the names are labels
        (ATLAS.ti lets people rename quotations) and positions are read unverified."""
        selections = list(source.selections)
        if not selections:
            return []
        preferred = Convention(crlf_one="atlas.ti" in (self.project.origin or "").lower())
        countings = [counting(raw, c) for c in conventions(preferred)]

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
            docx = FORMATS[".docx"]
            with parser_boundary(Path(name), docx.kind):
                extracted = docx.reader()(data, ReadContext(Path(name), ReadOptions()))
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
            decided = selection.modified if reviewer else None
            planned.codings.extend(
                PlannedCoding(self.keys[coding.code], ordinal, piece, coder, who, status,
                              coding.created or selection.created, score, decided=decided)
                for ordinal, piece in pieces)

    def attributes(self, planned: PlannedDocument, values: tuple[refi.VariableValue, ...],
                   owner: str) -> None:
        for name, value in self.named(values, owner):
            if name in (SEGMENTS_VARIABLE, REJECTED_VARIABLE):
                continue  # read before the source was cut (`qualkit_variables`)
            elif name.lower() in (GROUP_VARIABLE.lower(), "group"):
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

    def parsed(self, name: str, variable: str, values: dict[str, str], parse: Callable[[str], list[T]],
               mapped: MappedText | None) -> list[T]:
        """One of qualkit's own variables read, or nothing (and a message) when it cannot be used."""
        if variable not in values:
            return []
        try:
            items = parse(values[variable])
        except ValueError:
            self.drop(f"the variable '{variable}' of source '{name}' not read (it is not the JSON qualkit "
                      "writes).")
            return []
        if items and mapped is None:
            self.unplaced(f"{len(items)} entr(ies) of '{variable}' on source '{name}' not placed (its text "
                          "could not be matched character by character).")
            return []
        return items

    def rejections(self, planned: PlannedDocument, mapped: MappedText, rejections: list[Rejection]) -> None:
        for rejection in rejections:
            where = f"a rejection at {rejection.start}–{rejection.end} of '{planned.document.name}'"
            if rejection.code not in self.keys:
                self.drop(f"{where} not imported (its code {rejection.code} is not in the codebook).")
                continue
            pieces = segment_pieces(planned.document.segments, mapped.offset(rejection.start),
                                    mapped.offset(rejection.end))
            if not pieces:
                self.unplaced(f"{where} not placed (it is on no segment).")
            planned.codings.extend(
                PlannedCoding(self.keys[rejection.code], ordinal, piece, rejection.coder, rejection.reviewer,
                              Status.REJECTED, rejection.created, rejection.score, rejection.predicted,
                              rejection.decided)
                for ordinal, piece in pieces)

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


def render_segment_facts(facts: list[SegmentFacts]) -> str:
    """The "qualkit:segments" variable: one JSON object per segment, only the fields it has."""
    return _json([{"start": fact.start, "end": fact.end, **{key: value for key, value in (
        ("start_time", fact.start_time), ("end_time", fact.end_time), ("group", fact.group),
        ("attributes", fact.attributes), ("kind", fact.kind), ("speaker", fact.speaker),
        ("codable", fact.codable)) if value is not None and value != {}}} for fact in facts])


def parse_segment_facts(text: str) -> list[SegmentFacts]:
    """The "qualkit:segments" variable read back; ValueError when it is not what qualkit writes."""
    try:
        return [SegmentFacts(_offset(item["start"]), _offset(item["end"]), _seconds(item.get("start_time")),
                             _seconds(item.get("end_time")), _text(item.get("group")),
                             dict(item.get("attributes") or {}), _text(item.get("kind")),
                             _text(item.get("speaker")),
                             item.get("codable") if isinstance(item.get("codable"), bool) else None)
                for item in _items(text)]
    except (KeyError, TypeError) as error:
        raise ValueError(str(error)) from error


def render_rejections(rejections: list[Rejection]) -> str:
    """The "qualkit:rejected" variable: one JSON object per rejection, only the fields it has."""
    return _json([{"start": r.start, "end": r.end, "code": r.code, "coder": r.coder,
                   **{key: value for key, value in (
                       ("reviewer", r.reviewer), ("score", r.score), ("predicted", r.predicted),
                       ("created", r.created.isoformat() if r.created else None),
                       ("decided", r.decided.isoformat() if r.decided else None)) if value is not None}}
                  for r in rejections])


def parse_rejections(text: str) -> list[Rejection]:
    """The "qualkit:rejected" variable read back; ValueError when it is not what qualkit writes."""
    try:
        return [Rejection(_offset(item["start"]), _offset(item["end"]), str(item["code"]), str(item["coder"]),
                          _text(item.get("reviewer")), _seconds(item.get("score")),
                          item.get("predicted") if isinstance(item.get("predicted"), bool) else None,
                          _moment(item.get("created")), _moment(item.get("decided")))
                for item in _items(text)]
    except (KeyError, TypeError) as error:
        raise ValueError(str(error)) from error


def _details(fact: SegmentFacts) -> dict[str, Any]:
    """A segment's fields for what the file carries (the stated group is kept among its attributes, as
    the readers give it)."""
    return {"start_time": fact.start_time, "end_time": fact.end_time,
            "attributes": {**fact.attributes, **({"group": fact.group} if fact.group is not None else {})}}


def _json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, sort_keys=True)


def _items(text: str) -> list[dict[str, Any]]:
    items = json.loads(text)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError("not a list of objects")
    return items


def _offset(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not an offset")
    return value


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


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
