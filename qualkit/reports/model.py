"""What a report is built from: the codable segments and codings in scope, as plain data.

No quote text travels here: a segment is known by its id, and its words reach a report only through
an `AnonymisedView`. Participant labels and document names are as stored and are likewise passed
through the view before anything shows them; group values are the analysis' own categories and show
as stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from qualkit.model.coding import Coding, Status

PERSON, MACHINE = "person", "machine"  # who first applied a coding (`CodingFact.source`)
NO_GROUP = "(no group)"
# Kinds of source, counted as separate populations: interviewees, survey respondents, and documents
# without speakers (case notes, reports). Each kind is counted in its own unit.
INTERVIEW, SURVEY, DOCUMENT = "interview", "survey", "document"
KINDS = (INTERVIEW, SURVEY, DOCUMENT)
POPULATION = {INTERVIEW: ("interviewee", "interviewees"), SURVEY: ("survey respondent", "survey respondents"),
              DOCUMENT: ("document", "documents")}
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx"})  # a survey: one respondent per row
MIN_AGREEMENT_UNITS = 30  # fewer decisions than this say nothing about the machine's agreement


class TextView(Protocol):
    """The anonymised view a report reads quotes and names through."""

    def segment_text(self, segment_id: int) -> str: ...

    def span_text(self, segment_id: int, start: int, end: int) -> str: ...

    def participant(self, label: str | None) -> str: ...

    def document(self, name: str | None) -> str: ...


@dataclass(frozen=True)
class Theme:
    """A code of the codebook, in tree order; `path` is the REFI-style path of names ("A/B")."""

    key: str
    name: str
    description: str
    parent: str | None
    depth: int
    path: str


@dataclass(frozen=True)
class SegmentFact:
    """A codable segment in scope. `group` is its value of the report's grouping."""

    id: int
    document_id: int
    document: str
    ordinal: int
    start_time: float | None
    participant_id: int | None
    participant: str | None
    group: str
    words: int
    kind: str = INTERVIEW  # of its source: INTERVIEW, SURVEY or DOCUMENT (see `source_kind`)

    @property
    def case(self) -> tuple[str, int]:
        """Who a segment belongs to for case-level tables: its participant, else its document
        (case notes and other single-voice documents)."""
        return ("participant", self.participant_id) if self.participant_id is not None else (
            "document", self.document_id)

    def case_name(self, view: TextView) -> str:
        """What outputs call the segment's case."""
        return view.participant(self.participant) if self.participant is not None else \
            view.document(self.document)

    @property
    def member(self) -> tuple[str, int]:
        """What the segment counts towards in its population: a person, or (no speaker) a document."""
        if self.kind == DOCUMENT or self.participant_id is None:
            return DOCUMENT, self.document_id
        return self.kind, self.participant_id

    @property
    def position(self) -> str:
        """Where in its document, in words: the recording time where there is one, else the passage."""
        if self.start_time is None:
            return f"passage {self.ordinal + 1}"
        seconds = int(self.start_time)
        return f"at {seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def source_kind(suffix: str, has_speaker: bool) -> str:
    """A segment's kind of source: a survey (a table, one respondent per row), an interview (someone
    speaks), or a document without speakers."""
    if suffix.lower() in TABLE_SUFFIXES:
        return SURVEY if has_speaker else DOCUMENT
    return INTERVIEW if has_speaker else DOCUMENT


Spans = tuple[tuple[int, int], ...]  # document offsets in text order; () = the whole segment


@dataclass(frozen=True)
class CodingFact:
    """One (segment, code) in scope, derived from its `Coding`s by `coding_facts`: accepted, or a
    pending machine suggestion the coder said yes to. `source` says who applied it first: a person, or
    the machine (then accepted by a person). `spans` are the parts of the segment people coded, what
    its quote shows; () when a coding behind it codes the whole segment, as machine codings do."""

    segment_id: int
    code: str
    status: Status
    source: str
    score: float | None = None
    spans: Spans = ()


@dataclass(frozen=True)
class Provenance:
    """How the codings of the codebook came about, in (segment, code) pairs."""

    by_people: int  # a person's own codings
    machine_accepted: int  # suggested by a coder (it said yes), accepted by a person
    machine_rejected: int  # suggested by a coder (it said yes), rejected by a person
    pending: int  # suggestions the coder said yes to that nobody has decided yet
    coders: tuple[str, ...] = ()  # machine coders with suggestions, e.g. "ensemble.v1"
    candidates_accepted: int = 0  # a coder said no (a lower score, ranking only), a person accepted it


def _coded_part(coding: Coding) -> tuple[int, int] | None:
    """The part of its segment a coding codes: a person's span; a machine coder's span is only where
    it found its evidence (a keyword, a sentence), so its coding stands for the whole segment."""
    return None if coding.machine else coding.span


def _spans(codings: list[Coding]) -> Spans:
    """The parts of a segment `codings` code, overlapping ones merged; () if one codes all of it."""
    parts = [_coded_part(c) for c in codings]
    if len(parts) == 1:  # the usual case, kept quick for reports over many thousand codings
        return () if parts[0] is None else (parts[0],)
    if any(part is None for part in parts):
        return ()
    return merge_spans(part for part in parts if part is not None)


def merge_spans(spans: Iterable[tuple[int, int]]) -> Spans:
    """`spans` in text order, overlapping or touching ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _best_score(codings: list[Coding]) -> float | None:
    """The highest score among a pair's suggestions; None if the last one has no score."""
    best: float | None = None
    for coding in codings:
        best = max(coding.score or 0.0, best or 0.0) if coding.score is not None else None
    return best


def coding_facts(codings: Iterable[Coding], keys: set[str], include_suggestions: bool
                 ) -> tuple[list[CodingFact], Provenance]:
    """Each (segment, code) once, for the codes `keys`: accepted when a person's latest decision
    accepts it; pending (only if `include_suggestions`) when nobody decided and a coder said yes.
    Who first applied an accepted one: a person or a coder. `codings` come in the order they last
    changed, so a later decision overrides an earlier one. The provenance counts every code."""
    decided: dict[tuple[int, str], Status] = {}
    decided_by_machine: dict[tuple[int, str], bool] = {}  # the latest decision was on a coder's own yes
    accepted_by: dict[tuple[int, str], list[Coding]] = {}  # the accepted codings on each pair
    by_person: set[tuple[int, str]] = set()
    said_yes: dict[tuple[int, str], list[Coding]] = {}
    coders: set[str] = set()
    for coding in codings:
        pair = (coding.segment_id, coding.code)
        if coding.machine:
            coders.add(coding.coder)
        if coding.status == Status.SUGGESTED:
            if coding.is_suggestion:
                said_yes.setdefault(pair, []).append(coding)
            continue
        decided[pair] = coding.status
        decided_by_machine[pair] = coding.machine and coding.predicted is not False
        if coding.status == Status.ACCEPTED:
            accepted_by.setdefault(pair, []).append(coding)
            if not coding.machine:
                by_person.add(pair)
    accepted = [pair for pair, status in decided.items() if status == Status.ACCEPTED]
    pending = [pair for pair in said_yes if pair not in decided]
    said_yes_first = [pair for pair in accepted if pair not in by_person
                      and any(c.predicted is not False for c in accepted_by[pair])]
    provenance = Provenance(
        by_people=sum(pair in by_person for pair in accepted),
        machine_accepted=len(said_yes_first),
        machine_rejected=sum(status == Status.REJECTED and decided_by_machine[pair]
                             for pair, status in decided.items()),
        pending=len(pending), coders=tuple(sorted(coders)),
        candidates_accepted=sum(pair not in by_person for pair in accepted) - len(said_yes_first))
    facts = [CodingFact(s, k, Status.ACCEPTED, PERSON if (s, k) in by_person else MACHINE,
                        spans=_spans(accepted_by[(s, k)])) for s, k in accepted if k in keys]
    if include_suggestions:
        facts += [CodingFact(s, k, Status.SUGGESTED, MACHINE, _best_score(said_yes[(s, k)]),
                             _spans(said_yes[(s, k)])) for s, k in pending if k in keys]
    return sorted(facts, key=lambda f: (f.segment_id, f.code)), provenance


@dataclass(frozen=True)
class Agreement:
    against: str
    units: int
    macro_f1: float | None
    macro_kappa: float | None
    kappa_interval: tuple[float, float] | None = None  # 95%, bootstrap over the segments


@dataclass(frozen=True)
class CoderPair:
    """Agreement between two coders (or a coder and "machine") on the documents both coded."""

    first: str
    second: str
    documents: int
    segments: int
    agreement: float | None  # segment level, pooled over codes
    kappa: float | None
    alpha: float | None
    character_alpha: float | None
    disagreements: int
    resolved: int


@dataclass(frozen=True)
class CodeSinceRun:
    """The machine's own yes/no on one code against what people decided about its codings after it ran:
    decisions it could not have learnt from, so a fair test that grows as review goes on."""

    code: str
    decisions: int
    accepted: int  # of those, how many the person said the code applies to
    agreement: float | None  # share of decisions where the machine's yes/no was the person's
    kappa: float | None  # Cohen's (None: no variance to measure it on)


@dataclass(frozen=True)
class ReportInput:
    title: str
    codebook: str
    codebook_version: int
    group_by: str  # what groups are, in words: "stakeholder group", "site", ...
    themes: list[Theme]
    segments: list[SegmentFact]
    codings: list[CodingFact]
    provenance: Provenance
    include_suggestions: bool = False
    filters: list[str] = field(default_factory=list)  # the scope, in words
    agreement: Agreement | None = None
    coder_pairs: tuple[CoderPair, ...] = ()
    include_empty: bool = False  # list themes (and framework rows) with nothing coded
    framework: bool = False  # add the framework matrix (participants x themes with quotes)
    quote_every_group: bool = False  # quote each theme from every group, not the two that raised it most
    since_run: tuple[CodeSinceRun, ...] | None = None  # per code; None: no machine coder has run

    def group_name(self, value: str, view: TextView) -> str:
        """How outputs show a group value: as stored (stakeholder groups, roles, attribute values are
        the analysis' own categories), but through the view when the groups are participants or
        documents."""
        if value == NO_GROUP:
            return value
        if self.group_by == "participant":
            return view.participant(value)
        if self.group_by == "document":
            return view.document(value)
        return value
