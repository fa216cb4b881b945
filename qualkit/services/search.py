"""Search the corpus: words or phrases across every document, as written or by their lemmas, each hit a
keyword-in-context line with its place; and "code all hits" as one change that one undo reverses.

A query holds one or more phrases separated by commas ("eviction, rent arrears"); a phrase matches its
words in order, whole words only, whatever the case and the spaces or punctuation between them. With
lemmas, a word matches every form of it the keyword coder's lemmatiser gives the same lemma ("evicted"
finds "evict", "evicting", "evicts")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qualkit.errors import ConflictError, NotFoundError, QualkitError
from qualkit.model.coding import Status
from qualkit.services.in_context import CodedSelection, code_places
from qualkit.services.projects import Project
from qualkit.store import documents as documents_store
from qualkit.store import events as events_store
from qualkit.store import in_context as codings_store
from qualkit.store import search as search_store

CONTEXT_CHARS = 60  # characters of the segment shown on each side of a hit
MAX_HITS = 2000  # hits listed at most; a search with more says so
WORD = re.compile(r"\w+(?:['’]\w+)*")
APOSTROPHE = re.compile("['’]")


class SearchError(QualkitError):
    """A search that cannot run: nothing to look for."""


@dataclass(frozen=True)
class Hit:
    """One place a search found: document offsets of the words, and the line it sits in."""

    document: str
    segment_id: int
    start: int  # document offsets of the matched words
    end: int
    text: str  # the matched words as written
    before: str  # up to CONTEXT_CHARS of the segment before them, on one line
    after: str
    speaker: str | None
    participant: str | None
    group: str | None
    segment_start: int
    segment_end: int
    interviewer: bool  # in a turn that is not coded (the interviewer's)


@dataclass(frozen=True)
class SearchResult:
    query: str
    lemmas: bool
    hits: list[Hit]
    truncated: bool  # more than MAX_HITS matched; only the first are listed

    @property
    def segments(self) -> int:
        return len({hit.segment_id for hit in self.hits})

    @property
    def documents(self) -> int:
        return len({hit.document for hit in self.hits})


def phrases(query: str) -> list[list[str]]:
    """The query's phrases (split at commas), each as its words; empty phrases dropped."""
    return [words for part in query.split(",") if (words := WORD.findall(part))]


def _phrase_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """Whole words in order, any case, any spaces or punctuation between; either apostrophe in a word."""
    written = [APOSTROPHE.sub("['’]", re.escape(w)) for w in words]
    return re.compile(r"(?<!\w)" + r"\W+".join(written) + r"(?!\w)", re.IGNORECASE)


def _pieces(words: Sequence[str]) -> list[str]:
    """What every text holding the phrase holds as written (its words' parts between apostrophes)."""
    return [piece for word in words for piece in APOSTROPHE.split(word) if piece]


def search_corpus(project: Project, query: str, *, lemmas: bool = False, group: str | None = None,
                  document: str | None = None, speaker: str | None = None,
                  uncoded: bool = False) -> SearchResult:
    """Every place in the corpus (or in one group, document or speaker's turns) where a phrase of `query`
    stands, in reading order; with `uncoded`, in the text that is not coded too (the interviewer's
    questions, headings)."""
    wanted = phrases(query)
    if not wanted:
        raise SearchError("there is nothing to search for.", "Type a word or a phrase.")
    # As written, the database already keeps only segments holding every word of some phrase (when there
    # is one phrase); by lemmas, any form may stand there, so only the filters narrow it.
    containing = _pieces(wanted[0]) if len(wanted) == 1 and not lemmas else []
    with project.sessions() as session:
        if document is not None and documents_store.named(session, document) is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "Choose one of the project's documents.")
        candidates = search_store.segments(session, containing=containing, group=group, document=document,
                                           participant=speaker, codable_only=not uncoded)
    places = (_lemma_places(project, candidates, wanted) if lemmas
              else [_literal_places(segment, wanted) for segment in candidates])
    hits: list[Hit] = []
    for segment, found in zip(candidates, places, strict=True):
        for lo, hi in found:
            text = segment.text
            hits.append(Hit(segment.document, segment.id, segment.start + lo, segment.start + hi, text[lo:hi],
                            _line(text[max(0, lo - CONTEXT_CHARS):lo]), _line(text[hi:hi + CONTEXT_CHARS]),
                            segment.speaker, segment.participant, segment.group, segment.start, segment.end,
                            not segment.codable))
            if len(hits) > MAX_HITS:
                return SearchResult(query, lemmas, hits[:MAX_HITS], True)
    return SearchResult(query, lemmas, hits, False)


def _line(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _literal_places(segment: search_store.SearchedSegment, wanted: list[list[str]]) -> list[tuple[int, int]]:
    found = {(m.start(), m.end()) for words in wanted for m in _phrase_pattern(words).finditer(segment.text)}
    return _without_overlaps(found)


def _without_overlaps(found: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Places in order, a place inside or across an earlier one dropped (two phrases found together)."""
    kept: list[tuple[int, int]] = []
    for lo, hi in sorted(found):
        if not kept or lo >= kept[-1][1]:
            kept.append((lo, hi))
    return kept


def _lemma_places(project: Project, segments: Sequence[search_store.SearchedSegment],
                  wanted: list[list[str]]) -> list[list[tuple[int, int]]]:
    from qualkit.coders.nlp import lemmatise

    model = project.config.nlp.spacy_model
    targets = [[token.lemma_ for token in doc if _is_word(token)]
               for doc in lemmatise([" ".join(words) for words in wanted], model)]
    targets = [t for t in targets if t]
    places = []
    for doc in lemmatise([s.text for s in segments], model):
        words = [token for token in doc if _is_word(token)]
        lemmas = [token.lemma_ for token in words]
        found = set()
        for target in targets:
            n = len(target)
            for i in range(len(words) - n + 1):
                if lemmas[i:i + n] == target:
                    last = words[i + n - 1]
                    found.add((words[i].idx, last.idx + len(last.text)))
        places.append(_without_overlaps(found))
    return places


def _is_word(token) -> bool:  # type: ignore[no-untyped-def]
    return not (token.is_punct or token.is_space)


@dataclass(frozen=True)
class CodedHits:
    event: int  # the `code_hits` event: what `undo_code_hits` reverses
    added: list[int]
    already: list[str]  # "code by person" for hits already coded so (nothing added there)


def code_hits(project: Project, hits: Sequence[Hit], codes: Sequence[str], coder: str,
              whole_segments: bool = False) -> CodedHits:
    """Code every hit of a search (its words, or with `whole_segments` the segment each stands in) with
    each of `codes` as `coder`'s accepted codings, in one transaction logged as one `code_hits` event
    (which `undo_code_hits` reverses as a whole). The hits are what the person previewed: when a
    document's text there changed meanwhile, nothing is coded."""
    if not hits:
        raise SearchError("there are no hits to code.", "Search for words that occur in the documents.")
    if not codes:
        raise SearchError("no code chosen for the hits.", "Pick one or more codes, then code the hits.")
    with project.transaction() as session:
        event = events_store.append(session, coder, "code_hits", "search", None, codes=list(codes),
                                    hits=len(hits), whole_segments=whole_segments)
        by_document: dict[str, list[tuple[int, int]]] = {}
        for hit in hits:
            places = by_document.setdefault(hit.document, [])
            place = (hit.segment_start, hit.segment_end) if whole_segments else (hit.start, hit.end)
            if place not in places:
                places.append(place)
        added: list[int] = []
        already: list[str] = []
        for name, places in by_document.items():
            document = documents_store.named(session, name)
            stale = [hit for hit in hits if hit.document == name
                     and (document is None or document.text[hit.start:hit.end] != hit.text)]
            if document is None or stale:
                raise ConflictError(f"'{name}' changed since the search: its hits are no longer where they "
                                    "were; nothing was coded.", "Search again, then code the hits.")
            coded: CodedSelection = code_places(session, document, places, codes, coder, log_each=False)
            added += coded.added
            already += coded.already
        events_store.complete(session, event, codings=added, added=len(added))
        return CodedHits(event, added, already)


@dataclass(frozen=True)
class UndoneHits:
    event: int
    removed: int


def undo_code_hits(project: Project, actor: str) -> UndoneHits:
    """Remove every coding `actor`'s newest "code all hits" (not yet undone) added, in one transaction,
    logging one `undo` event naming it. Refused, with nothing removed, when one of those codings has been
    decided otherwise since (undoing would overturn that decision); codings removed meanwhile are skipped."""
    with project.transaction() as session:
        event = events_store.latest_not_undone(session, actor, ["code_hits"])
        if event is None:
            raise QualkitError(f"{actor} has no coding of search hits left to undo.", "Code some hits first.")
        ids = [int(i) for i in event.data.get("codings", [])]
        present = [c for c in (codings_store.coding(session, i) for i in ids) if c is not None]
        changed = [c for c in present if c.status != Status.ACCEPTED]
        if changed:
            raise QualkitError(f"coding {changed[0].id} was set to {changed[0].status} after the hits were "
                               "coded; nothing was undone.", "Remove the codings one by one instead.")
        for coding in present:
            codings_store.delete(session, coding.id)
        events_store.append(session, actor, "undo", "search", None, event=event.id,
                            codings=[c.id for c in present], removed=len(present),
                            codes=event.data.get("codes", []))
        return UndoneHits(event.id, len(present))


def search_speakers(project: Project) -> list[str]:
    """The participants who speak in some document, for the speaker filter."""
    with project.sessions() as session:
        return search_store.participants(session)
