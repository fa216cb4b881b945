"""Several coders on one project: who codes, blind double coding, agreement between any two coders
(or a coder and the machine), and resolving their disagreements.

Who made a coding: a person's codings are the rows whose latest decision is theirs (`reviewer`):
their own codings and the suggestions they accepted count as applied, the ones they rejected as
not applied. The machine's are its own yes/no on the rows it stored (`predicted`), whatever a
person later decided, as in `evaluate`. A coder covers the documents they decided anything in (the
machine: those it stored suggestions on); two coders are compared on the documents both covered.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations

from qualkit.agreement import AgreementReport, Figures, Level, Mark, Segment, compare
from qualkit.errors import NotFoundError, QualkitError
from qualkit.model.coding import Coding, Status
from qualkit.services.coding import new_coding
from qualkit.services.projects import Project, current_user
from qualkit.store import Session, assignments, double_coding
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo
from qualkit.store.double_coding import SegmentFacts

MACHINE = "machine"  # every machine coder together; a machine coder's name (or family) picks one


@dataclass(frozen=True)
class CoderSummary:
    name: str
    machine: bool
    accepted: int  # people: codings they made or accepted; machine: its suggestions people accepted
    rejected: int
    suggested: int  # machine: its suggestions (its own yes) still waiting for review; candidates not counted
    segments: int
    documents: int


def list_coders(project: Project) -> list[CoderSummary]:
    """The project's coders, people first, with what each has coded."""
    with project.sessions() as session:
        return _coder_summaries(assignments.codings(session))


def _coder_summaries(facts: list[Coding]) -> list[CoderSummary]:
    people: dict[str, list[Coding]] = {}
    machines: dict[str, list[Coding]] = {}
    for fact in facts:
        if fact.machine:
            machines.setdefault(fact.coder, []).append(fact)
        if fact.reviewer and fact.status in assignments.DECIDED:
            people.setdefault(fact.reviewer, []).append(fact)

    def summary(name: str, own: list[Coding], machine: bool) -> CoderSummary:
        statuses = [f.status for f in own]
        return CoderSummary(name, machine, statuses.count(Status.ACCEPTED),
                            statuses.count(Status.REJECTED), sum(f.is_suggestion for f in own),
                            len({f.segment_id for f in own}), len({f.document_id for f in own}))

    return ([summary(name, own, False) for name, own in sorted(people.items())]
            + [summary(name, own, True) for name, own in sorted(machines.items())])


# --- blind double coding -------------------------------------------------------------------------

@dataclass(frozen=True)
class BlindSample:
    coders: list[str]
    documents: list[str]
    share: float | None  # the share asked for, when the sample was drawn at random
    seed: int | None  # the seed it was drawn with: the same seed on the same documents draws the same
    drawn_by: str
    drawn_at: datetime


def draw_blind_sample(project: Project, coders: Sequence[str], *, share: float | None = None,
                      documents: Sequence[str] | None = None, seed: int | None = None) -> BlindSample:
    """Choose the documents `coders` code blind: a random `share` of the project's documents (at
    least one), or the named `documents`. On them, `review_queue(..., blind_for=CODER)` hides every
    other coder's codings and all machine suggestions. Recorded as an event, with the seed, so the
    draw can be reproduced and reported."""
    chosen_coders = list(dict.fromkeys(c.strip() for c in coders))
    if not chosen_coders or not all(chosen_coders) or MACHINE in chosen_coders:
        raise QualkitError("a blind sample needs the names of the people who code it.",
                           "Give each coder's name, e.g. Ana and Ben.")
    if (share is None) == (documents is None):
        raise QualkitError("give either a share of documents to draw or the documents, not both.",
                           "Give a share such as 0.2, or name each document.")
    if share is not None and not 0 < share <= 1:
        raise QualkitError(f"share {share} is not between 0 and 1.", "Use e.g. 0.2 for a fifth.")
    with project.transaction() as session:
        names = double_coding.document_names(session)
        if not names:
            raise NotFoundError("the project has no documents.", "Import documents first.")
        if documents is not None:
            ids, seed = _document_ids(names, documents), None
        else:
            seed = random.SystemRandom().randrange(2**32) if seed is None else seed
            size = max(1, round((share or 0) * len(names)))
            ids = sorted(random.Random(seed).sample(sorted(names), size))
        repo.log_event(session, current_user(), double_coding.BLIND_SAMPLE, "project", None,
                       coders=chosen_coders, documents=ids, share=share, seed=seed)
    return BlindSample(chosen_coders, [names[i] for i in ids], share, seed, current_user(), datetime.now(UTC))


def _document_ids(names: dict[int, str], wanted: Sequence[str]) -> list[int]:
    if not wanted:
        raise QualkitError("no documents given for the blind sample.", "Name at least one document.")
    by_name = {name: i for i, name in reversed(names.items())}  # the first imported wins a shared name
    missing = [w for w in wanted if w not in by_name]
    if missing:
        raise NotFoundError(f"no document named '{missing[0]}' in the project.",
                            "Use the name of one of the project's documents.")
    return sorted({by_name[w] for w in wanted})


def blind_samples(project: Project) -> list[BlindSample]:
    """Every blind sample drawn so far, oldest first."""
    with project.sessions() as session:
        names = double_coding.document_names(session)
        return [BlindSample(s.coders, [names[i] for i in s.document_ids if i in names], s.share, s.seed,
                            s.drawn_by, s.drawn_at) for s in double_coding.blind_samples(session)]


# --- agreement -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisagreementView:
    """A (segment, code) the two coders disagree on, with who said what and how it was resolved."""

    segment_id: int
    document: str
    text: str
    code: str
    said: dict[str, bool]  # coder -> applied the code somewhere in the segment
    units: int  # 1 at segment level; the characters they differ on at character level
    resolved_by: str | None
    resolved_as: bool | None  # the resolution: the code applies (True) or not (False)
    start: int = 0  # the segment's document offsets, to open it in its place
    end: int = 0


@dataclass(frozen=True)
class AgreementResult:
    first: str
    second: str
    documents: list[str]  # the documents both covered
    report: AgreementReport
    disagreements: list[DisagreementView]


def agreement(project: Project, first: str, second: str, *, level: Level | str = Level.segment,
              include_uncoded: bool = True, code: str | None = None) -> AgreementResult:
    """Agreement between two coders (a person's name, 'machine', or a machine coder's name) per
    code and pooled, on the documents both covered. See `qualkit.agreement` for the units."""
    if first == second:
        raise QualkitError(f"both coders are '{first}'.", "Compare two different coders.")
    with project.sessions() as session:
        snapshot = _snapshot(session)
        resolved = double_coding.resolutions(session)
    sides = _side(snapshot.facts, first), _side(snapshot.facts, second)
    if code is not None and code not in snapshot.code_order and not any(
            m.code == code for side in sides for m in side.marks):
        raise NotFoundError(f"no code '{code}' in the codebook or the codings.",
                            "Use the id of a code in the codebook.")
    shared = sides[0].documents & sides[1].documents
    if not shared:
        raise NotFoundError(f"'{first}' and '{second}' have no document both coded.",
                            "Draw a blind sample for both and let each code it.")
    report, segments = _compare(snapshot, sides, shared, Level(level), include_uncoded, code)
    by_id = {s.id: s for s in segments}
    views = [DisagreementView(d.segment, by_id[d.segment].document, by_id[d.segment].text, d.code,
                              {first: d.first, second: d.second}, d.units,
                              *_resolution(resolved.get((d.segment, d.code))),
                              by_id[d.segment].start, by_id[d.segment].end)
             for d in report.disagreements]
    return AgreementResult(first, second, [snapshot.documents[i] for i in sorted(shared)], report, views)


def _resolution(found: double_coding.Resolution | None) -> tuple[str | None, bool | None]:
    return (None, None) if found is None else (found.resolver, found.applied)


@dataclass(frozen=True)
class _Snapshot:
    facts: list[Coding]
    segments: list[SegmentFacts]
    documents: dict[int, str]
    code_order: list[str]  # the current codebook's keys in tree order


def _snapshot(session: Session) -> _Snapshot:
    facts = assignments.codings(session)
    book = codebooks_store.newest(session)
    order = [c.id for c in codebooks_store.read(session, book).flat()] if book else []
    return _Snapshot(facts, double_coding.segments_of(session, {f.document_id for f in facts}),
                     double_coding.document_names(session), order)


@dataclass(frozen=True)
class _Side:
    name: str
    marks: list[Mark]
    documents: set[int]
    assignment_ids: dict[tuple[int, str], list[int]]  # (segment, code) -> the rows behind its answer


def _side(facts: list[Coding], name: str) -> _Side:
    found = _find_side(facts, name)
    if found is not None:
        return found
    if name == MACHINE:
        raise NotFoundError("no machine suggestions in the project.", "Run the coder first.")
    known = [c.name for c in _coder_summaries(facts)]
    raise NotFoundError(f"no codings by '{name}' in the project.",
                        f"Use '{MACHINE}' or one of: {', '.join(known) or 'none yet'}.")


def _find_side(facts: list[Coding], name: str) -> _Side | None:
    machines = {f.coder for f in facts if f.machine}
    family = machines if name == MACHINE else {m for m in machines if name in (m, m.partition(".")[0])}
    if family:
        own = [f for f in facts if f.machine and f.coder in family]
        applied = [f for f in own if f.predicted]
    else:
        own = [f for f in facts if f.reviewer == name and f.status in assignments.DECIDED]
        applied = [f for f in own if f.status == Status.ACCEPTED]
    if not own:
        return None
    ids: dict[tuple[int, str], list[int]] = {}
    for fact in own:
        ids.setdefault((fact.segment_id, fact.code), []).append(fact.id)
    return _Side(name, [Mark(f.segment_id, f.code, *(f.span or (None, None))) for f in applied],
                 {f.document_id for f in own}, ids)


def _compare(snapshot: _Snapshot, sides: tuple[_Side, _Side], documents: set[int], level: Level,
             include_uncoded: bool, code: str | None) -> tuple[AgreementReport, list[SegmentFacts]]:
    """Compare on the codable segments of `documents` and any other segment of theirs either coded."""
    coded = {m.segment for side in sides for m in side.marks}
    segments = [s for s in snapshot.segments if s.document_id in documents and (s.codable or s.id in coded)]
    ids = {s.id for s in segments}
    used = {m.code for side in sides for m in side.marks if m.segment in ids}
    codes = [code] if code is not None else _ordered(used, snapshot.code_order)
    report = compare([Segment(s.id, s.start, s.end) for s in segments], sides[0].marks, sides[1].marks,
                     level=level, include_uncoded=include_uncoded, codes=codes)
    return report, segments


def _ordered(codes: set[str], order: list[str]) -> list[str]:
    """Codebook order first, then codes no longer in the codebook, alphabetically."""
    return [c for c in order if c in codes] + sorted(codes - set(order))


# --- resolving disagreements ---------------------------------------------------------------------

def resolve_disagreement(project: Project, segment_id: int, code: str, *, applies: bool, resolver: str,
                         between: Sequence[str], span: tuple[int, int] | None = None,
                         note: str | None = None) -> int:
    """Record how a disagreement between two coders on (segment, code) was settled: a new coding
    by `resolver`, accepted when the code `applies` (to the segment, or to `span`, offsets into its
    text) and rejected when it does not. Being the latest decision on the pair, it is what coders
    learn from and reports count. The event names the two coders, what each said and the codings it
    resolves. Returns the new coding's id."""
    first, second = _two(between)
    with project.transaction() as session:
        facts = assignments.codings(session)  # before the resolution joins them
        coding = new_coding(session, segment_id, code, resolver,
                            Status.ACCEPTED if applies else Status.REJECTED, span, note)
        segment = double_coding.segment(session, segment_id)
        assert segment is not None  # new_coding checked it
        sides = _side(facts, first), _side(facts, second)
        report = compare([Segment(segment.id, segment.start, segment.end)], sides[0].marks, sides[1].marks,
                         level=Level.character, codes=[code])
        if not report.disagreements:
            raise QualkitError(f"'{first}' and '{second}' agree on code '{code}' for segment {segment_id}; "
                               "nothing to resolve.",
                               f"Pick a disagreement from comparing {first} with {second}.")
        (found,) = report.disagreements
        resolves = sorted(i for side in sides for i in side.assignment_ids.get((segment_id, code), []))
        repo.log_event(session, resolver, double_coding.RESOLVE, "code_assignment", coding.id,
                       segment=segment_id, code=code, coders=[first, second], resolves=resolves,
                       said={first: found.first, second: found.second}, decision=coding.status)
        return coding.id


def _two(coders: Sequence[str]) -> tuple[str, str]:
    if len(coders) != 2 or coders[0] == coders[1]:
        raise QualkitError("name the two coders whose disagreement this resolves.",
                           "Give two different coders, e.g. Ana and Ben.")
    return coders[0], coders[1]


# --- for a report's methods appendix -------------------------------------------------------------

@dataclass(frozen=True)
class PairSummary:
    first: str
    second: str
    documents: int
    segments: int
    characters: int
    segment_level: Figures  # pooled over codes, uncoded text included
    character_level: Figures
    per_code: dict[str, Figures]  # segment level, uncoded text included
    disagreements: int  # (segment, code) pairs at segment level
    resolved: int  # of those, how many were resolved


@dataclass(frozen=True)
class AgreementSummary:
    documents: int  # in the project
    blind_documents: int  # in any blind sample
    coders: list[CoderSummary]
    pairs: list[PairSummary]


def agreement_summary(project: Project) -> AgreementSummary:
    """Figures for a methods appendix. The pairs compared are the coders of each blind sample, on
    that sample's documents (a sample drawn for one coder pairs them with the machine); without
    blind samples, every two people who coded a document in common, on all such documents."""
    with project.sessions() as session:
        snapshot = _snapshot(session)
        samples = double_coding.blind_samples(session)
        resolved = double_coding.resolutions(session)
    wanted: dict[tuple[str, str], set[int] | None] = {}
    for sample in samples:
        names = sample.coders if len(sample.coders) > 1 else [*sample.coders, MACHINE]
        for pair in combinations(sorted(names, key=lambda name: (name == MACHINE, name)), 2):
            wanted[pair] = (wanted.get(pair) or set()) | set(sample.document_ids)
    if not samples:
        people = [c.name for c in _coder_summaries(snapshot.facts) if not c.machine]
        wanted = dict.fromkeys(combinations(people, 2))
    pairs = [summary for (first, second), within in wanted.items()
             if (summary := _pair_summary(snapshot, first, second, within, resolved)) is not None]
    return AgreementSummary(len(snapshot.documents),
                            len({d for s in samples for d in s.document_ids}),
                            _coder_summaries(snapshot.facts), pairs)


def _pair_summary(snapshot: _Snapshot, first: str, second: str, within: set[int] | None,
                  resolved: dict[tuple[int, str], double_coding.Resolution]) -> PairSummary | None:
    """None when either has not coded yet or they have no document in common."""
    sides = _find_side(snapshot.facts, first), _find_side(snapshot.facts, second)
    if sides[0] is None or sides[1] is None:
        return None
    shared = sides[0].documents & sides[1].documents & (set(snapshot.documents) if within is None else within)
    if not shared:
        return None
    by_segment, segments = _compare(snapshot, (sides[0], sides[1]), shared, Level.segment, True, None)
    by_character, _ = _compare(snapshot, (sides[0], sides[1]), shared, Level.character, True, None)
    disagreements = [(d.segment, d.code) for d in by_segment.disagreements]
    return PairSummary(first, second, len(shared), len(segments), by_character.units, by_segment.overall,
                       by_character.overall, by_segment.per_code, len(disagreements),
                       sum(pair in resolved for pair in disagreements))
