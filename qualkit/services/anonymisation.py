"""Project-wide anonymisation: detect identifiers in every document, keep people's review decisions,
hold the pseudonym key apart from exports, and give every output the same anonymised text.

The stored text is never modified. Redactions are rows with document offsets, a reason and a status:
suggested and accepted ones are applied, rejected ones (false positives) are not, and re-running the
detector never overturns a decision or a hand-made redaction.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.anonymise import labels
from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import LABELS, Detection, resolve
from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.people import normalise
from qualkit.anonymise.replace import AMBIGUOUS_PERSON, STYLES, PseudonymKey, natural_order
from qualkit.anonymise.view import AnonymisedView, AppliedRedaction
from qualkit.errors import NotFoundError, QualkitError
from qualkit.services.projects import Progress, Project, current_user
from qualkit.store import redactions as store
from qualkit.store import repository as repo
from qualkit.store.schema import (
    AnonymisationTermRow,
    DocumentRow,
    ParticipantRow,
    RedactionRow,
    SegmentRow,
    SpeakerRow,
)

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


def _detect(project: Project, style: str, progress: Progress | None = None) -> _Run:
    """Read the project and run the detector and the pseudonyms over it; writes nothing."""
    if style not in STYLES:
        raise AnonymisationError(f"unknown pseudonym style '{style}'.", f"Use one of: {', '.join(STYLES)}.")
    with project.sessions() as session:
        documents = [(d.id, d.text) for d in session.scalars(select(DocumentRow).order_by(DocumentRow.id))]
        settings = _settings(session, project, style)
        given = _inputs(session)
        kept = [(r.id, r.document_id, r.start, r.end, r.status, r.label) for r in store.decided(session)]
        stored = store.key_row(session)
    if not documents:
        raise NotFoundError("the project has no documents to anonymise.",
                            "Import documents first with `qualkit import PROJECT FILES`.")
    if progress:
        progress("detecting", 0, 2)
    detector = Detector(project.config.nlp.spacy_model, known_people=given.people, allow=given.allow,
                        deny=given.deny)
    found = detector.detect_many([text for _, text in documents])
    if progress:
        progress("saving", 1, 2)
    key = _key(stored.data if stored else None, style, given.roles, given.participants)
    texts = dict(documents)
    rejected = {(doc, start, end) for _, doc, start, end, status, _ in kept if status == store.REJECTED}
    forced: dict[int, list[Detection]] = {}
    for _, doc, start, end, status, label in kept:
        if status != store.REJECTED:
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
                         "replacement": replacement, "status": store.SUGGESTED, "run_id": summary.run_id})
    # Decided rows a longer detection swallowed still name a pseudonym of their own.
    decided = {redaction_id: key.pseudonym(texts[doc][start:end], label, doc)
               for redaction_id, doc, start, end, status, label in kept if status != store.REJECTED}
    summary.suggested = len(rows)
    summary.pseudonyms = len(key.people()) + sum(len(entries) for entries in key.entries.values())
    return _Run(summary, rows, key, settings, decided)


def ensure_anonymised(project: Project) -> None:
    """Run `anonymise_project` when documents, people, terms or settings changed since the last run
    (or it never ran), so no output can show text the detector has not seen."""
    if _stale(project):
        anonymise_project(project)


def _stale(project: Project) -> bool:
    with project.sessions() as session:
        stored = store.key_row(session)
        current = _settings(session, project, project.config.anonymise.style)
        has_documents = session.scalar(select(DocumentRow.id).limit(1)) is not None
    return has_documents and (stored is None or stored.settings != current)


def anonymised_view(project: Project) -> AnonymisedView:
    """Anonymised documents, segments and labels, as of now. When documents, people or lists changed
    since the last run, a writable project is anonymised again first; a read-only one is anonymised
    in memory, so that nothing is written and no output shows text the detector has not seen."""
    run = None
    if _stale(project):
        if project.read_only:
            run = _detect(project, project.config.anonymise.style)
        else:
            anonymise_project(project)
    with project.sessions() as session:
        documents = {doc: text for doc, text in session.execute(select(DocumentRow.id, DocumentRow.text))}
        names = [(d.id, d.name, d.display_name) for d in session.execute(
            select(DocumentRow.id, DocumentRow.name, DocumentRow.display_name).order_by(DocumentRow.id))]
        segments = {sid: (doc, start, end) for sid, doc, start, end in session.execute(
            select(SegmentRow.id, SegmentRow.document_id, SegmentRow.start, SegmentRow.end))}
        applied = store.applied(session, replacements=run.decided if run else None,
                                suggested=run is None)
        participants = list(session.execute(select(ParticipantRow.label, ParticipantRow.role)))
        stored = store.key_row(session)
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
    """Redactions with their context, for review (shows originals: not for read-only users)."""
    if status is not None and status not in store.STATUSES:
        raise AnonymisationError(f"unknown status '{status}'.", f"Use one of: {', '.join(store.STATUSES)}.")
    if label is not None and label not in LABELS:
        raise AnonymisationError(f"unknown label '{label}'.", f"Use one of: {', '.join(LABELS)}.")
    ensure_anonymised(project)
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
        for ids, status in ((accept, store.ACCEPTED), (reject, store.REJECTED)):
            for redaction_id in dict.fromkeys(ids):
                row = session.get(RedactionRow, redaction_id)
                if row is None:
                    raise NotFoundError(f"no redaction with id {redaction_id}; nothing was changed.",
                                        "See `qualkit redactions PROJECT` for the ids.")
                repo.log_event(session, reviewer, "decide", "redaction", row.id,
                               **{"from": row.status, "to": status, "label": row.label})
                row.status, row.reviewer = status, reviewer
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
                                "See `qualkit show PROJECT documents` for the names.")
        if not 0 <= start < end <= len(row.text) or not row.text[start:end].strip():
            raise AnonymisationError(f"{start}..{end} is not a span of text in '{document}' "
                                     f"({len(row.text)} characters).",
                                     "Give 0 <= start < end <= the document's length, around some text.")
        stored = store.key_row(session)
        key = PseudonymKey.from_dict(stored.data) if stored else PseudonymKey(project.config.anonymise.style)
        original = row.text[start:end]
        redaction = RedactionRow(document_id=row.id, start=start, end=end, original=original, label=label,
                                 source=store.MANUAL, reason=f"marked by {actor}",
                                 replacement=key.pseudonym(original, label, row.id), status=store.ACCEPTED,
                                 reviewer=actor)
        session.add(redaction)
        store.save_key(session, key.to_dict(), stored.settings if stored else {})
        session.flush()
        repo.log_event(session, actor, "redact", "redaction", redaction.id, document=row.id, label=label)
        return redaction.id


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
            existing = session.scalar(select(AnonymisationTermRow).where(
                AnonymisationTermRow.term == term, AnonymisationTermRow.kind == kind))
            if existing is None:
                existing = AnonymisationTermRow(term=term, kind=kind, created_by=who,
                                                label=label if kind == store.DENY else None)
                session.add(existing)
                session.flush()
                repo.log_event(session, who, "add_term", "anonymisation_term", existing.id, kind=kind)
            else:
                existing.label = label if kind == store.DENY else None
            status = store.REJECTED if kind == store.ALLOW else store.ACCEPTED
            for row in store.matching(session, term):
                if row.status != status:
                    repo.log_event(session, who, "decide", "redaction", row.id, everywhere=True,
                                   **{"from": row.status, "to": status, "label": row.label})
                    row.status, row.reviewer = status, who
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
        stored = store.key_row(session)
        rows = store.person_mentions(session)
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
        stored = store.key_row(session)
        rows = store.person_rows(session)
        known = {normalise(r.original) for r in rows}
        missing = [n for n in check if normalise(n) not in known]
        if stored is None or missing:
            raise NotFoundError(f"no person named '{missing[0] if missing else check[0]}' was found in the "
                                "project; nothing was changed.",
                                "See the names with `qualkit people PROJECT`.")
        given = _inputs(session)
        key = _key(stored.data, stored.data["style"], given.roles, given.participants)
        key.merged = [*key.merged, *merged]
        key.apart = [a for a in key.apart if normalise(a) not in {normalise(m) for g in merged for m in g}]
        key.apart += [a for a in apart if a not in key.apart]
        key.merged = [[m for m in g if normalise(m) not in {normalise(a) for a in apart}] for g in key.merged]
        key.merged = [g for g in key.merged if len(g) > 1]
        key.learn_people((r.document_id, r.original) for r in rows)
        for row in rows:
            row.replacement = key.pseudonym(row.original, "PERSON", row.document_id)
            plain = row.reason.removesuffix(f"; {AMBIGUOUS_REASON}")
            row.reason = plain + (f"; {AMBIGUOUS_REASON}" if row.replacement == AMBIGUOUS_PERSON else "")
        store.save_key(session, key.to_dict(), stored.settings)
        repo.log_event(session, actor, "merge_people" if merged else "keep_apart", "pseudonym_key", stored.id,
                       names=len(check))
        row = next(r for r in rows if normalise(r.original) == normalise(check[-1]))
        return row.replacement


def remove_term(project: Project, term: str, kind: str) -> None:
    with project.transaction() as session:
        row = session.scalar(select(AnonymisationTermRow).where(
            AnonymisationTermRow.term == " ".join(term.split()), AnonymisationTermRow.kind == kind))
        if row is None:
            raise NotFoundError(f"'{term}' is not on the {kind} list.",
                                "See the lists with `qualkit anonymise PROJECT --terms`.")
        repo.log_event(session, current_user(), "remove_term", "anonymisation_term", row.id, kind=kind)
        session.delete(row)


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
        stored = store.key_row(session)
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
        stored = store.key_row(session)
        log = store.items(session)
        if stored is None:
            raise NotFoundError("the project has no pseudonym key yet.", "Run `qualkit anonymise PROJECT`.")
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
        raise AnonymisationError(f"{path} is not a pseudonym key file written by `qualkit anonymise "
                                 f"--export-key` ({error.__class__.__name__}: {error}); nothing was changed.",
                                 "Give the JSON file that --export-key wrote.") from error
    with project.sessions() as session:
        texts = {name: text for name, text in session.execute(select(DocumentRow.name, DocumentRow.text))}
    matched = sum(1 for document, start, end, original in log
                  if document in texts and texts[document][start:end] == original)
    if not log or matched * 2 < len(log):
        raise AnonymisationError(f"{path} was written for another project: {matched} of its {len(log)} "
                                 "logged redactions match this project's documents; nothing was changed.",
                                 "Use the key exported from this project (or a copy of it).")
    with project.transaction() as session:
        stored = store.key_row(session)
        store.save_key(session, key.to_dict(), {})  # stale on purpose: the next run applies it
        repo.log_event(session, current_user(), "import_key", "pseudonym_key", stored.id if stored else None,
                       matched=matched)
    return anonymise_project(project, style=key.style)


def _inputs(session: Session) -> _Inputs:
    listed = store.terms(session)
    allow = [t.term for t in listed if t.kind == store.ALLOW]
    deny = {t.term: t.label or "PERSON" for t in listed if t.kind == store.DENY}
    spoken = session.execute(select(SpeakerRow.label, ParticipantRow.label, ParticipantRow.role)
                             .join(ParticipantRow, SpeakerRow.participant_id == ParticipantRow.id)).all()
    own = {name: label for label, names in session.execute(
        select(ParticipantRow.label, ParticipantRow.known_names)) for name in names or ()}
    people = sorted({name for speaker, participant, _ in spoken for name in (speaker, participant)
                     if labels.could_be_a_name(name)} | set(own))
    roles = {name: role for speaker, participant, role in spoken if role for name in (speaker, participant)}
    return _Inputs(allow, deny, people, roles, own)


def _settings(session: Session, project: Project, style: str) -> dict[str, Any]:
    """A fingerprint of everything a run depends on; a stale one means outputs need a new run."""
    given = _inputs(session)
    shas = [sha for (sha,) in session.execute(select(DocumentRow.sha256).order_by(DocumentRow.id))]
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
