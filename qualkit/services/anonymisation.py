"""Project-wide anonymisation: detect identifiers in every document, keep people's review decisions,
hold the pseudonym key apart from exports, and give every output the same anonymised text.

The stored text is never modified. Redactions are rows with document offsets, a reason and a status:
suggested and accepted ones are applied, rejected ones (false positives) are not, and re-running the
detector never overturns a decision or a hand-made redaction.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from qualkit.anonymise import labels
from qualkit.anonymise.detection import LABELS, Detection, resolve
from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.people import normalise
from qualkit.anonymise.replace import AMBIGUOUS_PERSON, STYLES, PseudonymKey, natural_order
from qualkit.anonymise.view import AnonymisedView, AppliedRedaction
from qualkit.errors import NotFoundError, QualkitError
from qualkit.model.coding import Status
from qualkit.services.projects import Progress, Project, current_user
from qualkit.store import Session
from qualkit.store import redactions as store
from qualkit.store import repository as repo

MIN_TERM_CHARACTERS = 2  # a one-letter term would redact (or allow) every "a" and "I"
MAX_TERM_LENGTH = 300
MAX_TERMS = 10_000  # per list
AMBIGUOUS_REASON = "ambiguous: this name could be more than one person here"


class AnonymisationError(QualkitError):
    """A redaction, term or setting given by a person is not usable."""


@dataclass
class AnonymisationSummary:
    run_id: str
    documents: int
    by_label: Counter[str] = field(default_factory=Counter)  # applied redactions per label
    by_source: Counter[str] = field(default_factory=Counter)  # per detection layer (or "manual")
    suggested: int = 0  # new machine redactions, awaiting review (applied meanwhile)
    kept_decisions: int = 0  # accepted, rejected and hand-made redactions carried over
    pseudonyms: int = 0  # people, places and organisations in the key
    ambiguous: int = 0  # names that could be two people where they stand: for a person to decide


@dataclass
class _Run:
    """What an anonymisation run found, before anything is stored: the machine's new redactions,
    the key, and the decided rows' pseudonyms under that key."""

    summary: AnonymisationSummary
    rows: list[dict[str, Any]]
    key: PseudonymKey
    settings: dict[str, Any]
    decided: dict[int, str]  # decided redaction id -> its pseudonym under this run's key


def anonymise_project(project: Project, *, style: str | None = None,
                      progress: Progress | None = None) -> AnonymisationSummary:
    """Detect identifiers across all documents (a name found in one is found in all) and store the
    redactions with consistent pseudonyms, in one transaction.

    People's decisions stand: a rejected span is not redacted again, an accepted or hand-made one is
    redacted whether or not the detector finds it. The key is reused, so a person keeps their
    pseudonym across runs; changing the style starts a new key.
    """
    run = _detect(project, style or project.config.anonymise.style, progress)
    with project.transaction() as session:
        store.delete_suggested(session)  # first: a write, so this transaction holds the lock from here
        # Hardening (issue 16): decisions made while the detector ran stand. Re-read them inside the
        # write transaction and drop the machine's rows on a span a person has decided since.
        now_decided = {(r.document_id, r.start, r.end) for r in store.decided(session)}
        run.rows[:] = [row for row in run.rows
                       if (row["document_id"], row["start"], row["end"]) not in now_decided]
        store.add_many(session, run.rows)
        store.set_replacements(session, run.decided)
        store.save_key(session, run.key.to_dict(), run.settings)
        repo.log_event(session, current_user(), "anonymise", "project", None, run_id=run.summary.run_id,
                       documents=run.summary.documents, suggested=run.summary.suggested,
                       kept=run.summary.kept_decisions, ambiguous=run.summary.ambiguous,
                       by_label=dict(run.summary.by_label))
    if progress:
        progress("", 2, 2)
    return run.summary


# In-memory runs that outputs of a stale project read, by a digest of everything a run reads: a large
# project is detected once per change, not once per output, and its outputs agree with each other.
_SHOWN_RUNS: dict[str, _Run] = {}
_SHOWN_RUNS_LOCK = threading.Lock()  # app sessions read from several threads
_SHOWN_RUNS_KEPT = 2


def _detect(project: Project, style: str, progress: Progress | None = None, *, shown: bool = False) -> _Run:
    """Read the project and run the detector and the pseudonyms over it; writes nothing. `shown`: the
    run is only read (by outputs), so one made earlier from the very same inputs is given back."""
    if style not in STYLES:
        raise AnonymisationError(f"unknown pseudonym style '{style}'.", f"Use one of: {', '.join(STYLES)}.")
    with project.sessions() as session:
        documents = list(store.texts(session).items())
        settings = _settings(session, project, style)
        given = _inputs(session)
        kept = [(r.id, r.document_id, r.start, r.end, r.status, r.label) for r in store.decided(session)]
        stored = store.stored_key(session)
    if not documents:
        raise NotFoundError("the project has no documents to anonymise.", "Import documents first.")
    read = hashlib.sha256(json.dumps([[doc for doc, _ in documents], settings, kept, stored and stored.data],
                                     ensure_ascii=False).encode()).hexdigest()
    if shown and (earlier := _SHOWN_RUNS.get(read)) is not None:
        return earlier
    if progress:
        progress("detecting", 0, 2)
    from qualkit.anonymise.detect import Detector  # spaCy: loaded by a run, not by reading the state

    detector = Detector(project.config.nlp.spacy_model, known_people=given.people, allow=given.allow,
                        deny=given.deny)
    found = detector.detect_many([text for _, text in documents])
    if progress:
        progress("saving", 1, 2)
    key = _key(stored.data if stored else None, style, given.roles, given.participants)
    texts = dict(documents)
    rejected = {(doc, start, end) for _, doc, start, end, status, _ in kept if status == Status.REJECTED}
    forced: dict[int, list[Detection]] = {}
    for _, doc, start, end, status, label in kept:
        if status != Status.REJECTED:
            forced.setdefault(doc, []).append(Detection(start, end, label, texts[doc][start:end], "manual",
                                                        "kept from an earlier decision"))
    resolved = {doc: resolve([*(d for d in detections if (doc, d.start, d.end) not in rejected),
                              *forced.get(doc, [])], text)
                for (doc, text), detections in zip(documents, found, strict=True)}
    key.learn_people((doc, d.text) for doc, found_here in resolved.items() for d in found_here
                     if d.label == "PERSON")
    summary = AnonymisationSummary(uuid.uuid4().hex, len(documents), kept_decisions=len(kept))
    rows: list[dict[str, Any]] = []
    for doc, detections in resolved.items():
        for d in detections:
            replacement = key.pseudonym(d.text, d.label, doc)
            summary.by_label[d.label] += 1
            if d.source == "manual":
                summary.by_source["decided"] += 1
                continue
            reason = d.reason
            if replacement == AMBIGUOUS_PERSON:
                summary.ambiguous += 1
                reason += f"; {AMBIGUOUS_REASON}"
            summary.by_source[d.source] += 1
            rows.append({"document_id": doc, "start": d.start, "end": d.end, "original": d.text,
                         "label": d.label, "source": d.source, "reason": reason,
                         "replacement": replacement, "status": Status.SUGGESTED, "run_id": summary.run_id})
    # Decided rows a longer detection swallowed still name a pseudonym of their own.
    decided = {redaction_id: key.pseudonym(texts[doc][start:end], label, doc)
               for redaction_id, doc, start, end, status, label in kept if status != Status.REJECTED}
    summary.suggested = len(rows)
    summary.pseudonyms = len(key.people()) + sum(len(entries) for entries in key.entries.values())
    run = _Run(summary, rows, key, settings, decided)
    if shown:
        with _SHOWN_RUNS_LOCK:
            while len(_SHOWN_RUNS) >= _SHOWN_RUNS_KEPT:
                _SHOWN_RUNS.pop(next(iter(_SHOWN_RUNS)))
            _SHOWN_RUNS[read] = run
    return run


class Freshness(StrEnum):
    """How the stored anonymisation stands against the project as it is now."""

    UP_TO_DATE = "up to date"
    STALE = "stale"  # documents, people, lists or settings changed since the last run
    NEVER_RUN = "never run"
    NO_DOCUMENTS = "no documents"  # nothing to anonymise yet


@dataclass(frozen=True)
class AnonymisationState:
    """Whether the stored anonymisation covers the project as it is now. Reads never run it: outputs
    of a stale (or never run) anonymisation are anonymised in memory and nothing is written; running
    the anonymisation again stores the result, for review."""

    freshness: Freshness
    new_documents: int = 0  # documents imported since the last stored run

    @property
    def stale(self) -> bool:
        """Outputs are anonymised in memory until the anonymisation runs again."""
        return self.freshness in (Freshness.STALE, Freshness.NEVER_RUN)

    def describe(self) -> str:
        """One sentence for either front end: what changed, and what to do about it."""
        if self.freshness is Freshness.NEVER_RUN:
            return ("The project has not been anonymised yet: outputs anonymise the text as they show it, "
                    "and nothing is stored or ready to review. Anonymise the project to store and review it.")
        if self.freshness is Freshness.STALE:
            changed = (f"{self.new_documents} document{'s are' if self.new_documents != 1 else ' is'} newer "
                       "than the last anonymisation" if self.new_documents else
                       "people, allow or deny lists or settings changed since the last anonymisation")
            return (f"{changed[0].upper()}{changed[1:]}: outputs anonymise the text as they show it, but the "
                    "new detections are not stored or ready to review. Anonymise the project again to "
                    "store and review them.")
        if self.freshness is Freshness.NO_DOCUMENTS:
            return "The project has no documents to anonymise yet. Import documents first."
        return "The anonymisation is up to date."


def anonymisation_state(project: Project) -> AnonymisationState:
    """Whether the stored anonymisation is up to date, stale (and what changed) or never ran; reads only."""
    with project.sessions() as session:
        if not store.document_fingerprints(session):
            return AnonymisationState(Freshness.NO_DOCUMENTS)
        stored = store.stored_key(session)
        if stored is None:
            return AnonymisationState(Freshness.NEVER_RUN, store.documents_since_last_run(session))
        if stored.settings != _settings(session, project, project.config.anonymise.style):
            return AnonymisationState(Freshness.STALE, store.documents_since_last_run(session))
        return AnonymisationState(Freshness.UP_TO_DATE)


def ensure_anonymised(project: Project) -> None:
    """Run `anonymise_project` when documents, people, terms or settings changed since the last run
    (or it never ran). A write: for changes that need the stored anonymisation (decisions, merges,
    the key); outputs read `anonymised_view`, which never writes."""
    if anonymisation_state(project).stale:
        anonymise_project(project)


def anonymised_view(project: Project) -> AnonymisedView:
    """Anonymised documents, segments and labels, as of now; reads only. When documents, people or
    lists changed since the last run (see `anonymisation_state`), the anonymisation is run again in
    memory, so that no output shows text the detector has not seen and nothing is written."""
    stale = anonymisation_state(project).stale
    run = _detect(project, project.config.anonymise.style, shown=True) if stale else None
    with project.sessions() as session:
        documents = store.texts(session)
        names = store.document_names(session)
        segments = store.segment_spans(session)
        applied = store.applied(session, replacements=run.decided if run else None,
                                suggested=run is None)
        participants = store.participant_roles(session)
        stored = store.stored_key(session)
        originals = store.applied_originals(session)
    if run is not None:
        key = run.key
        for row in run.rows:
            applied.setdefault(row["document_id"], []).append(
                AppliedRedaction(row["start"], row["end"], row["replacement"]))
        originals |= {normalise(row["original"]) for row in run.rows}
    else:
        key = PseudonymKey.from_dict(stored.data) if stored else PseudonymKey()
    document_names = labels.document_names(names, originals | key.names(), load_lexicon())
    participant_names = labels.participant_names(participants, key, document_names)
    return AnonymisedView(documents, segments, applied, participant_names, document_names)


def list_redactions(project: Project, *, status: str | None = None, label: str | None = None,
                    document: str | None = None, limit: int | None = None) -> list[store.RedactionItem]:
    """The stored redactions with their context, for review (shows originals: not for read-only users).
    Reads only: when the anonymisation is stale (`anonymisation_state`), new detections appear here once
    it runs again."""
    if status is not None and status not in store.STATUSES:
        raise AnonymisationError(f"unknown status '{status}'.", f"Use one of: {', '.join(store.STATUSES)}.")
    if label is not None and label not in LABELS:
        raise AnonymisationError(f"unknown label '{label}'.", f"Use one of: {', '.join(LABELS)}.")
    with project.sessions() as session:
        return store.items(session, status=status, label=label, document=document, limit=limit)


def decide_redactions(project: Project, *, accept: list[int] | tuple[int, ...] = (),
                      reject: list[int] | tuple[int, ...] = (), reviewer: str) -> int:
    """Accept redactions, or reject them as false positives (left as written), in one transaction.
    An unknown id changes nothing."""
    both = sorted(set(accept) & set(reject))
    if both:
        raise AnonymisationError(f"redaction {both[0]} is both accepted and rejected.", "Give each id once.")
    with project.transaction() as session:
        for ids, status in ((accept, Status.ACCEPTED), (reject, Status.REJECTED)):
            for redaction_id in dict.fromkeys(ids):
                found = store.decide(session, redaction_id, status, reviewer)
                if found is None:
                    raise NotFoundError(f"no redaction with id {redaction_id}; nothing was changed.",
                                        "See the list of redactions for the ids.")
                before, label = found
                repo.log_event(session, reviewer, "decide", "redaction", redaction_id,
                               **{"from": before, "to": status, "label": label})
    return len(set(accept)) + len(set(reject))


def add_manual_redaction(project: Project, document: str, start: int, end: int, label: str,
                         actor: str) -> int:
    """Redact `document`'s text[start:end] by hand (something the detector missed); returns its id."""
    if label not in LABELS:
        raise AnonymisationError(f"unknown label '{label}'.", f"Use one of: {', '.join(LABELS)}.")
    ensure_anonymised(project)
    with project.transaction() as session:
        row = repo.document_named(session, None, document)
        if row is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "See the project's documents for the names.")
        if not 0 <= start < end <= len(row.text) or not row.text[start:end].strip():
            raise AnonymisationError(f"{start}..{end} is not a span of text in '{document}' "
                                     f"({len(row.text)} characters).",
                                     "Give 0 <= start < end <= the document's length, around some text.")
        stored = store.stored_key(session)
        key = PseudonymKey.from_dict(stored.data) if stored else PseudonymKey(project.config.anonymise.style)
        original = row.text[start:end]
        redaction_id = store.add_manual(session, document_id=row.id, start=start, end=end, original=original,
                                        label=label, replacement=key.pseudonym(original, label, row.id),
                                        reviewer=actor)
        store.save_key(session, key.to_dict(), stored.settings if stored else {})
        repo.log_event(session, actor, "redact", "redaction", redaction_id, document=row.id, label=label)
        return redaction_id


def add_term(project: Project, term: str, kind: str, label: str | None = None,
             actor: str | None = None) -> int:
    """Put a term on the project's allow list (never redacted: every redaction of it is rejected at
    once, "reject everywhere") or deny list (always redacted with `label`: every redaction of it is
    accepted at once, "accept everywhere"). Returns how many redactions that decided."""
    return add_terms(project, [term], kind, label, actor)


def add_terms(project: Project, terms: Iterable[str], kind: str, label: str | None = None,
              actor: str | None = None) -> int:
    """`add_term` for many terms in one transaction: all of them, or (on a bad one) none."""
    who = actor or current_user()
    if kind not in (store.ALLOW, store.DENY):
        raise AnonymisationError(f"unknown list '{kind}'.", "Use 'allow' or 'deny'.")
    if kind == store.DENY and label not in LABELS:
        raise AnonymisationError(f"deny-list terms need a label, not {label!r}.",
                                 f"Use one of: {', '.join(LABELS)}.")
    cleaned = list(dict.fromkeys(" ".join(t.split()) for t in terms))
    for number, term in enumerate(cleaned, start=1):
        if sum(c.isalnum() for c in term) < MIN_TERM_CHARACTERS or len(term) > MAX_TERM_LENGTH:
            raise AnonymisationError(
                f"term {number} ('{term[:40]}') cannot be listed: a term needs {MIN_TERM_CHARACTERS} to "
                f"{MAX_TERM_LENGTH} characters with at least {MIN_TERM_CHARACTERS} letters or digits; "
                "nothing was added.",
                "Give whole words, e.g. the programme's name.")
    decided = 0
    with project.transaction() as session:
        listed = {(t.term, t.kind) for t in store.terms(session)}
        if len({t for t, k in listed if k == kind} | set(cleaned)) > MAX_TERMS:
            raise AnonymisationError(f"the {kind} list would hold more than {MAX_TERMS:,} terms; nothing was "
                                     "added.", "List the words that matter; a word list this long hides "
                                     "nothing useful and slows every run.")
        for term in cleaned:
            added = store.put_term(session, term, kind, label if kind == store.DENY else None, who)
            if added is not None:
                repo.log_event(session, who, "add_term", "anonymisation_term", added, kind=kind)
            status = Status.REJECTED if kind == store.ALLOW else Status.ACCEPTED
            for redaction_id, before, redaction_label in store.decide_matching(session, term, status, who):
                repo.log_event(session, who, "decide", "redaction", redaction_id, everywhere=True,
                               **{"from": before, "to": status, "label": redaction_label})
                decided += 1
    return decided


@dataclass(frozen=True)
class PersonFound:
    """One person the anonymisation found: personal data (their names), for people who may see them."""

    pseudonym: str
    names: list[str]
    mentions: int
    documents: int


@dataclass(frozen=True)
class AmbiguousName:
    """A name that could be two people where it stands: given no one's pseudonym until decided."""

    document: str
    name: str
    mentions: int


def list_people(project: Project) -> tuple[list[PersonFound], list[AmbiguousName]]:
    """The people found (pseudonym, the names they go by, how often, in how many documents) and the
    names left ambiguous; logged as a read of the key."""
    ensure_anonymised(project)
    with project.transaction() as session:
        stored = store.stored_key(session)
        rows = store.named_mentions(session)
        if stored is not None:
            repo.log_event(session, current_user(), "read_key", "pseudonym_key", stored.id)
    mentions: dict[str, list[tuple[str, str]]] = {}
    for document, original, replacement in rows:
        mentions.setdefault(replacement, []).append((document, normalise(original)))
    people = [PersonFound(p, sorted({n for _, n in found}), len(found), len({d for d, _ in found}))
              for p, found in mentions.items() if p != AMBIGUOUS_PERSON]
    unsure = Counter(mentions.get(AMBIGUOUS_PERSON, []))
    return (sorted(people, key=lambda p: natural_order(p.pseudonym)),
            [AmbiguousName(document, name, n) for (document, name), n in sorted(unsure.items())])


def merge_people(project: Project, names: Sequence[str], actor: str) -> str:
    """A person's decision that `names` are one person (two pseudonyms, or an ambiguous first name and
    the full name it means): from now on they share one pseudonym. Returns it."""
    if len({normalise(n) for n in names}) < 2:
        raise AnonymisationError("merging needs two different names.", "Give each name with --merge.")
    return _decide_people(project, actor, merged=[list(names)], check=names)


def keep_apart(project: Project, name: str, actor: str) -> str:
    """A person's decision that `name` is someone of their own, not whoever the rules joined it to
    (split one pseudonym into two). Returns the name's new pseudonym."""
    return _decide_people(project, actor, apart=[name], check=[name])


def _decide_people(project: Project, actor: str, *, check: Sequence[str], merged: Sequence[list[str]] = (),
                   apart: Sequence[str] = ()) -> str:
    ensure_anonymised(project)
    with project.transaction() as session:
        stored = store.stored_key(session)
        rows = store.person_mentions(session)
        known = {normalise(r.original) for r in rows}
        missing = [n for n in check if normalise(n) not in known]
        if stored is None or missing:
            raise NotFoundError(f"no person named '{missing[0] if missing else check[0]}' was found in the "
                                "project; nothing was changed.",
                                "See the names in the list of people found.")
        given = _inputs(session)
        key = _key(stored.data, stored.data["style"], given.roles, given.participants)
        key.merged = [*key.merged, *merged]
        key.apart = [a for a in key.apart if normalise(a) not in {normalise(m) for g in merged for m in g}]
        key.apart += [a for a in apart if a not in key.apart]
        key.merged = [[m for m in g if normalise(m) not in {normalise(a) for a in apart}] for g in key.merged]
        key.merged = [g for g in key.merged if len(g) > 1]
        key.learn_people((r.document_id, r.original) for r in rows)
        renamed: dict[int, tuple[str, str]] = {}
        for row in rows:
            pseudonym = key.pseudonym(row.original, "PERSON", row.document_id)
            plain = row.reason.removesuffix(f"; {AMBIGUOUS_REASON}")
            renamed[row.id] = (pseudonym, plain + (f"; {AMBIGUOUS_REASON}" if pseudonym == AMBIGUOUS_PERSON
                                                   else ""))
        store.rename_mentions(session, renamed)
        store.save_key(session, key.to_dict(), stored.settings)
        repo.log_event(session, actor, "merge_people" if merged else "keep_apart", "pseudonym_key", stored.id,
                       names=len(check))
        named = next(r for r in rows if normalise(r.original) == normalise(check[-1]))
        return renamed[named.id][0]


def remove_term(project: Project, term: str, kind: str) -> None:
    with project.transaction() as session:
        removed = store.remove_term(session, " ".join(term.split()), kind)
        if removed is None:
            raise NotFoundError(f"'{term}' is not on the {kind} list.",
                                "See the allow and deny lists for the terms on them.")
        repo.log_event(session, current_user(), "remove_term", "anonymisation_term", removed, kind=kind)


def list_terms(project: Project) -> list[store.Term]:
    with project.sessions() as session:
        return store.terms(session)


@dataclass(frozen=True)
class PseudonymEntry:
    label: str
    original: str  # personal data: show only to people who may see the raw text
    pseudonym: str


def pseudonym_key(project: Project) -> list[PseudonymEntry]:
    """The key as a table (originals to pseudonyms), for people who may see it; logged as read."""
    ensure_anonymised(project)
    with project.transaction() as session:
        stored = store.stored_key(session)
        if stored is None:
            return []
        repo.log_event(session, current_user(), "read_key", "pseudonym_key", stored.id)
        key = PseudonymKey.from_dict(stored.data)
    return [PseudonymEntry(label, original, pseudonym) for label, original, pseudonym in key.table()]


def export_key(project: Project, path: Path) -> int:
    """Write the pseudonym key and the anonymisation log (every redaction with its reason and status)
    to `path` as JSON; returns the number of pseudonyms. Only on request: this file identifies people,
    so keep it apart from exports."""
    pseudonyms = pseudonym_key(project)
    with project.transaction() as session:
        stored = store.stored_key(session)
        log = store.items(session)
        if stored is None:
            raise NotFoundError("the project has no pseudonym key yet.", "Anonymise the project first.")
        data = stored.data
        repo.log_event(session, current_user(), "export_key", "pseudonym_key", stored.id)
    entries = [{"id": r.id, "document": r.document, "start": r.start, "end": r.end, "original": r.original,
                "label": r.label, "replacement": r.replacement, "source": r.source, "reason": r.reason,
                "status": r.status, "reviewer": r.reviewer} for r in log]
    path.write_text(json.dumps({"key": data, "pseudonyms": [vars(p) for p in pseudonyms], "log": entries},
                               ensure_ascii=False, indent=2), encoding="utf-8")
    return len(pseudonyms)


@dataclass(frozen=True)
class _Inputs:
    """What a run depends on besides the texts: the lists, who the people are and their roles."""

    allow: list[str]
    deny: dict[str, str]
    people: list[str]  # speaker and participant labels that may be names, and participants' own names
    roles: dict[str, str]  # name -> role from the participants sheet
    participants: dict[str, str]  # a participant's own name -> their participant label


def import_key(project: Project, path: Path) -> AnonymisationSummary:
    """Take the pseudonyms of a key file `export_key` wrote for this project (from a backup or an
    earlier copy), so that people keep the pseudonyms published before; then anonymise again. A key
    written for another project is refused, and nothing changes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = PseudonymKey.from_dict(data["key"])
        log = [(e["document"], int(e["start"]), int(e["end"]), e["original"]) for e in data["log"]]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise AnonymisationError(f"{path} is not a pseudonym key file written by exporting a project's key "
                                 f"({error.__class__.__name__}: {error}); nothing was changed.",
                                 "Give the JSON file the key export wrote.") from error
    with project.sessions() as session:
        texts = store.texts_by_name(session)
    matched = sum(1 for document, start, end, original in log
                  if document in texts and texts[document][start:end] == original)
    if not log or matched * 2 < len(log):
        raise AnonymisationError(f"{path} was written for another project: {matched} of its {len(log)} "
                                 "logged redactions match this project's documents; nothing was changed.",
                                 "Use the key exported from this project (or a copy of it).")
    with project.transaction() as session:
        stored = store.stored_key(session)
        store.save_key(session, key.to_dict(), {})  # stale on purpose: the next run applies it
        repo.log_event(session, current_user(), "import_key", "pseudonym_key", stored.id if stored else None,
                       matched=matched)
    return anonymise_project(project, style=key.style)


def _inputs(session: Session) -> _Inputs:
    listed = store.terms(session)
    allow = [t.term for t in listed if t.kind == store.ALLOW]
    deny = {t.term: t.label or "PERSON" for t in listed if t.kind == store.DENY}
    spoken = store.speaking(session)
    own = store.known_names(session)
    people = sorted({name for s in spoken for name in (s.speaker, s.participant)
                     if labels.could_be_a_name(name)} | set(own))
    roles = {name: s.role for s in spoken if s.role for name in (s.speaker, s.participant)}
    return _Inputs(allow, deny, people, roles, own)


def _settings(session: Session, project: Project, style: str) -> dict[str, Any]:
    """A fingerprint of everything a run depends on; a stale one means outputs need a new run."""
    given = _inputs(session)
    shas = store.document_fingerprints(session)
    digest = hashlib.sha256(json.dumps([shas, given.allow, sorted(given.deny.items()), given.people,
                                        sorted(given.roles.items()), sorted(given.participants.items())],
                                       ensure_ascii=False).encode()).hexdigest()
    return {"inputs": digest, "style": style, "spacy_model": project.config.nlp.spacy_model}


def _key(data: dict[str, Any] | None, style: str, roles: dict[str, str],
         participants: dict[str, str]) -> PseudonymKey:
    """A new key for this run that remembers the stored one (so people keep their pseudonyms); a
    change of style starts afresh but keeps people's merge and apart decisions."""
    key = PseudonymKey(style, roles, participants)
    if data:
        stored = PseudonymKey.from_dict(data)
        key.merged, key.apart = stored.merged, stored.apart
        if stored.style == style:
            key.hints, key.entries, key.counters = stored.hints, stored.entries, stored.counters
    return key
