"""What the app needs beyond the other use cases: a project version for its caches, undo of review
decisions, storing an edited codebook, and theme counts and anonymised quotes for browsing."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from qualkit.anonymise.view import AnonymisedView
from qualkit.coders.base import coder_names
from qualkit.errors import NotFoundError, QualkitError
from qualkit.model import Codebook
from qualkit.model.coding import Status
from qualkit.reports.model import NO_GROUP
from qualkit.services.anonymisation import anonymised_view
from qualkit.services.codebooks import StoredCodebook, codebook_row, store_codebook
from qualkit.services.projects import Project, current_user
from qualkit.store import codebooks as codebooks_store
from qualkit.store import documents as documents_store
from qualkit.store import events as events_store
from qualkit.store import in_context as codings_store
from qualkit.store import report_facts
from qualkit.store import repository as repo
from qualkit.store.in_context import SegmentLabels


def project_version(project: Project) -> int:
    """The newest event id: every write logs an event, so a cache keyed on this is invalidated by
    any change, from this session or another."""
    with project.sessions() as session:
        return events_store.newest_id(session)


# Changes after which a ranked review queue still stands: each decides, adds or removes codings one at a
# time (which `still_waiting` accounts for), or touches no coding at all.
QUEUE_KEEPING = ("decide", "undo", "add_coding", "code_selection", "remove_coding", "code_hits", "add_memo",
                 "edit_memo", "delete_memo", "export", "read_key")


def queue_version(project: Project) -> int:
    """A version of the review queue's ranking: moved on by coder runs, imports, codebook and group
    changes, but not by people's decisions. A queue ranked at this version and narrowed by
    `still_waiting` is current, so a decision need not rank the whole queue again."""
    with project.sessions() as session:
        return events_store.newest_id_except(session, QUEUE_KEEPING)


# Changes that leave every anonymised text and name as it was: what is logged on a coding, a memo, an account
# or a search's codings, coder runs, codebooks, and outputs. Anything else (an import, a redaction decision,
# a term, people merged, a name or group changed, ...) moves `text_version` on: a change this list does not
# name makes the app anonymise again, never show an old anonymisation.
TEXT_KEEPING_ENTITIES = ("code_assignment", "memo", "account", "search")
TEXT_KEEPING_ACTIONS = ("run_coder", "code_selection", "import_codings", "store_codebook", "write_report",
                        "export", "read_key", "export_key", "draw_blind_sample")


def text_version(project: Project) -> int:
    """A version of the project's anonymised texts and names (`anonymised_view`): moved on by every
    change except those that only code, decide, write memos, log in or write outputs."""
    with project.sessions() as session:
        return events_store.newest_id_except(session, TEXT_KEEPING_ACTIONS, TEXT_KEEPING_ENTITIES)


def still_waiting(project: Project, coding_ids: list[int], status: str) -> set[int]:
    """Which of `coding_ids` still have `status` (suggestions: and are not settled by a person's decision
    on their segment and code). Costs the same whatever the project's size."""
    with project.sessions() as session:
        return codings_store.still_with_status(session, coding_ids, status)


def available_coders() -> list[str]:
    """Registered coder names, newest versions included, for choosing which to run."""
    return coder_names()


@dataclass(frozen=True)
class UndoneDecision:
    assignment_id: int
    restored: Status  # the status the coding is back to
    undone: Status  # the status the decision had set


class UndoError(QualkitError):
    """There is nothing to undo, or the coding changed since."""


def undo_last_decision(project: Project, actor: str) -> UndoneDecision:
    """Reverse `actor`'s newest review decision not yet undone, and log an `undo` event naming it.

    Refuses when the coding has been decided again since (by anyone): undoing would then silently
    overturn a later decision."""
    with project.transaction() as session:
        event = events_store.latest_not_undone(session, actor, ["decide"])
        if event is None:
            raise UndoError(f"{actor} has no review decision left to undo.", "Decide something first.")
        coding = codings_store.coding(session, event.entity_id) if event.entity_id is not None else None
        if coding is None:
            raise UndoError(f"coding {event.entity_id} no longer exists.", "Nothing to undo there.")
        was, back = Status(event.data["to"]), Status(event.data["from"])
        if coding.status != was:
            raise UndoError(f"coding {coding.id} was set to {coding.status} after your decision.",
                            "Change it directly instead of undoing.")
        reviewer = None if back == Status.SUGGESTED else coding.reviewer
        codings_store.set_status(session, coding.id, back, reviewer)
        repo.log_event(session, actor, "undo", "code_assignment", coding.id, event=event.id, code=coding.code,
                       reviewer={"from": coding.reviewer, "to": reviewer},
                       **{"from": was.value, "to": back.value})
        return UndoneDecision(coding.id, back, was)


def save_codebook(project: Project, codebook: Codebook, source: str = "app") -> StoredCodebook:
    """Store an edited codebook (e.g. from `qualkit.codebook_edits`) as the next version of its name."""
    with project.transaction() as session:
        return store_codebook(session, codebook, source, current_user())


@dataclass(frozen=True, slots=True)
class CodedSegment:
    """An accepted coding as browsing sees it: no text, only ids and labels as stored."""

    code: str
    segment_id: int
    document: str
    participant: str | None
    group: str | None
    span: tuple[int, int] | None = None  # document offsets when only part of the segment is coded


@dataclass
class ThemeSummary:
    """A code of the current codebook with its accepted codings counted by stakeholder group."""

    key: str
    name: str
    description: str
    depth: int
    segments: int = 0
    participants: int = 0
    by_group: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (segments, participants)



def accepted_codings(project: Project, code: str | None = None,
                     labels: Mapping[int, SegmentLabels] | None = None) -> list[CodedSegment]:
    """Accepted codings (of `code` only, if given), one per (code, segment): a whole-segment coding wins
    over part codings of it. `labels`: the segments' labels, if current ones are at hand (`quote_texts`)."""
    with project.sessions() as session:
        places = codings_store.accepted_places(session, code, labels)
    found: dict[tuple[str, int], CodedSegment] = {}
    for place in places:
        # A person's part coding chose those words; a machine's span only marks its evidence (a
        # keyword), so a suggestion someone accepted is quoted as its whole segment.
        span = None if place.machine else place.span
        earlier = found.get((place.code, place.segment_id))
        if earlier is None or (earlier.span is not None and span is None):  # the whole segment wins
            found[(place.code, place.segment_id)] = CodedSegment(place.code, place.segment_id, place.document,
                                                                 place.participant, place.group, span)
    return list(found.values())


def accepted_code_keys(project: Project) -> list[str]:
    """The keys of the codes with an accepted coding, in quoting order: one `QuoteIndex` per code, taken in
    this order, gives the quotes of every code in the order one index of them all would."""
    with project.sessions() as session:
        return codings_store.accepted_code_keys(session)


def theme_summaries(project: Project) -> list[ThemeSummary]:
    """Every code of the current codebook, in tree order, with distinct segments and participants
    by stakeholder group: the report's own counts (accepted codings only; a test holds the two equal),
    counted in the database, so the Themes page drawn after a decision reads no coding into Python."""
    with project.sessions() as session:
        book_row = codebook_row(session, None)
        book = codebooks_store.read(session, book_row)
        if not report_facts.stakeholder_groups(session):
            raise NotFoundError("no codable segments in this scope.",
                                "Import documents first, or widen the group and attribute filters.")
        tallies = report_facts.accepted_tallies(session, book_row.name, "group", NO_GROUP)
    segments: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    for t in tallies:
        segments[t.key, t.group] += t.segments
        if t.participant is not None:
            people[t.key, t.group].add(t.participant)
    by_group: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for key, group in sorted(segments, key=lambda pair: (pair[1] == NO_GROUP, pair[1].casefold())):
        by_group[key][group] = (segments[key, group], len(people[key, group]))
    summaries = []
    for code, _parent, depth in book.walk():
        groups = by_group.get(code.id, {})
        said = set().union(*(people[code.id, group] for group in groups))
        summaries.append(ThemeSummary(code.id, code.name, code.description, depth,
                                      sum(n for n, _ in groups.values()), len(said), groups))
    return summaries


@dataclass(frozen=True)
class Quote:
    """An anonymised quote: text, participant and document all through the pseudonym key."""

    segment_id: int
    code: str
    text: str
    participant: str
    document: str
    group: str
    span: tuple[int, int] | None = None  # document offsets of the coded words when only part is coded


class QuoteIndex:
    """Accepted codings in quoting order (code, then segment) with their anonymised texts, for one
    project version. The texts are anonymised and casefolded when it is built, so a search word costs a
    scan of texts already made, not a read of the project (the app keeps one per code and version)."""

    def __init__(self, view: AnonymisedView, accepted: list[CodedSegment],
                 folded: dict[str, str] | None = None) -> None:
        """`folded`: casefolded texts made so far, by text (kept with the view, so a new version folds
        only texts it has not seen)."""
        self._view = view
        self._codings = sorted(accepted, key=lambda c: (c.code, c.segment_id))
        # A coding of part of a segment is quoted as coded: those words, not the whole turn.
        self._texts = [view.span_text(c.segment_id, *c.span) if c.span else view.segment_text(c.segment_id)
                       for c in self._codings]
        memo = {} if folded is None else folded
        self._folded = [memo[text] if text in memo else memo.setdefault(text, text.casefold())
                        for text in self._texts]

    def quotes(self, code: str | None = None, group: str | None = None, search: str | None = None,
               limit: int = 50) -> list[Quote]:
        """Up to `limit` quotes of one code and group (None: any), matching `search` in the anonymised
        text only, so a search can never reveal an original identifier."""
        needle, view = (search or "").strip().casefold(), self._view
        quotes: list[Quote] = []
        for i, coding in enumerate(self._codings):
            if code is not None and coding.code != code:
                continue
            if group is not None and (coding.group or NO_GROUP) != group:
                continue
            if needle and needle not in self._folded[i]:
                continue
            quotes.append(Quote(coding.segment_id, coding.code, self._texts[i],
                                view.participant(coding.participant), view.document(coding.document),
                                coding.group or NO_GROUP, coding.span))
            if len(quotes) >= limit:
                break
        return quotes


@dataclass(frozen=True)
class QuoteTexts:
    """What quotes show besides which codings stand: the anonymised view and each segment's labels. Both
    change only with the text version, so the app keeps one while people code and decide."""

    view: AnonymisedView
    labels: Mapping[int, SegmentLabels]
    folded: dict[str, str] = field(default_factory=dict)  # casefolded quote texts made so far, by text


def quote_texts(project: Project) -> QuoteTexts:
    """The project's `QuoteTexts`, with every segment's anonymised text made and casefolded now (once per
    text version), so the first search of each project version only reads which codings stand."""
    with project.sessions() as session:
        labels = codings_store.segment_labels(session)
    view = anonymised_view(project)
    texts = (view.segment_text(segment_id) for segment_id in labels)
    return QuoteTexts(view, labels, {text: text.casefold() for text in texts})


def quote_index(project: Project, texts: QuoteTexts | None = None, code: str | None = None) -> QuoteIndex:
    """The project's accepted codings (of `code` only, if given) as they stand with their anonymised
    texts, for `theme_quotes`; pass `texts` if current ones are at hand (those of the current
    `text_version` are). One code's index is what quotes of that code without a search need."""
    if texts is None:
        return QuoteIndex(anonymised_view(project), accepted_codings(project, code))
    return QuoteIndex(texts.view, accepted_codings(project, code, texts.labels), texts.folded)


def theme_quotes(project: Project, code: str | None = None, group: str | None = None,
                 search: str | None = None, limit: int = 50, index: QuoteIndex | None = None) -> list[Quote]:
    """Anonymised quotes of accepted codings (of one code and group), matching `search` in the
    anonymised text only. Pass a current `quote_index` to save reading the project again."""
    return (index or quote_index(project)).quotes(code, group, search, limit)


def anonymised_segments(project: Project, document: str) -> list[tuple[int, str | None, str]]:
    """(segment id, anonymised speaker, anonymised text) for each segment of `document`."""
    view = anonymised_view(project)
    with project.sessions() as session:
        if documents_store.named(session, document) is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "Choose one of the project's documents.")
        return [(s.id, view.participant(s.participant) or None, view.segment_text(s.id))
                for s in repo.iter_segments(session, document=document)]
