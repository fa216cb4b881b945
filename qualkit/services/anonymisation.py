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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualkit.anonymise.detect import Detector
from qualkit.anonymise.detection import LABELS, Detection, resolve
from qualkit.anonymise.replace import STYLES, PseudonymKey
from qualkit.anonymise.view import AnonymisedView
from qualkit.anonymise.vocabulary import ROLE_WORDS
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

TRANSCRIPT_LABELS = frozenset("int interviewer resp respondent speaker participant facilitator moderator "
                              "researcher family group".split())


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
    pseudonyms: int = 0  # distinct originals in the key


def anonymise_project(project: Project, *, style: str | None = None,
                      progress: Progress | None = None) -> AnonymisationSummary:
    """Detect identifiers across all documents (a name found in one is found in all) and store the
    redactions with consistent pseudonyms, in one transaction.

    People's decisions stand: a rejected span is not redacted again, an accepted or hand-made one is
    redacted whether or not the detector finds it. The key is reused, so a person keeps their
    pseudonym across runs; changing the style starts a new key.
    """
    style = style or project.config.anonymise.style
    if style not in STYLES:
        raise AnonymisationError(f"unknown pseudonym style '{style}'.", f"Use one of: {', '.join(STYLES)}.")
    with project.sessions() as session:
        documents = [(d.id, d.text) for d in session.scalars(select(DocumentRow).order_by(DocumentRow.id))]
        settings = _settings(session, project, style)
        allow, deny, people, roles = _inputs(session)
        kept = [(r.document_id, r.start, r.end, r.status, r.source, r.label) for r in store.decided(session)]
        stored = store.key_row(session)
    if not documents:
        raise NotFoundError("the project has no documents to anonymise.",
                            "Import documents first with `qualkit import PROJECT FILES`.")
    if progress:
        progress("detecting", 0, 2)
    detector = Detector(project.config.nlp.spacy_model, known_people=people, allow=allow, deny=deny)
    found = detector.detect_many([text for _, text in documents])
    if progress:
        progress("saving", 1, 2)
    key = _key(stored.data if stored else None, style, roles)
    rejected = {(doc, start, end) for doc, start, end, status, _, _ in kept if status == store.REJECTED}
    forced: dict[int, list[Detection]] = {}
    texts = dict(documents)
    for doc, start, end, status, _, label in kept:
        if status != store.REJECTED:
            forced.setdefault(doc, []).append(Detection(start, end, label, texts[doc][start:end], "manual",
                                                        "kept from an earlier decision"))
    summary = AnonymisationSummary(uuid.uuid4().hex, len(documents), kept_decisions=len(kept))
    rows = []
    for (doc, text), detections in zip(documents, found, strict=True):
        machine = [d for d in detections if (doc, d.start, d.end) not in rejected]
        forced_spans = {(d.start, d.end) for d in forced.get(doc, [])}
        for d in resolve([*machine, *forced.get(doc, [])], text):
            replacement = key.pseudonym(d.text, d.label)
            summary.by_label[d.label] += 1
            if (d.start, d.end) in forced_spans:
                summary.by_source["decided"] += 1
                continue
            summary.by_source[d.source] += 1
            rows.append({"document_id": doc, "start": d.start, "end": d.end, "original": d.text,
                         "label": d.label, "source": d.source, "reason": d.reason,
                         "replacement": replacement, "status": store.SUGGESTED, "run_id": summary.run_id})
    summary.suggested = len(rows)
    summary.pseudonyms = sum(len(entries) for entries in key.entries.values())
    with project.transaction() as session:
        store.delete_suggested(session)
        store.add_many(session, rows)
        _refresh_decided_replacements(session, key)
        store.save_key(session, key.to_dict(), settings)
        repo.log_event(session, current_user(), "anonymise", "project", None, run_id=summary.run_id,
                       documents=summary.documents, suggested=summary.suggested,
                       kept=summary.kept_decisions, by_label=dict(summary.by_label))
    if progress:
        progress("", 2, 2)
    return summary


def ensure_anonymised(project: Project) -> None:
    """Run `anonymise_project` when documents, people, terms or settings changed since the last run
    (or it never ran), so no output can show text the detector has not seen."""
    with project.sessions() as session:
        stored = store.key_row(session)
        current = _settings(session, project, project.config.anonymise.style)
        has_documents = session.scalar(select(DocumentRow.id).limit(1)) is not None
    if has_documents and (stored is None or stored.settings != current):
        anonymise_project(project)


def anonymised_view(project: Project) -> AnonymisedView:
    """Anonymised documents, segments and labels, as of now (anonymising first if needed)."""
    ensure_anonymised(project)
    with project.sessions() as session:
        documents = {doc: text for doc, text in session.execute(select(DocumentRow.id, DocumentRow.text))}
        segments = {sid: (doc, start, end) for sid, doc, start, end in session.execute(
            select(SegmentRow.id, SegmentRow.document_id, SegmentRow.start, SegmentRow.end))}
        applied = store.applied(session)
        stored = store.key_row(session)
    key = PseudonymKey.from_dict(stored.data) if stored else None
    pseudonyms = {original: pseudonym for entries in (key.entries.values() if key else ())
                  for original, pseudonym in entries.items()}
    return AnonymisedView(documents, segments, applied, pseudonyms)


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
        key = _key(stored.data if stored else None, project.config.anonymise.style, {})
        original = row.text[start:end]
        redaction = RedactionRow(document_id=row.id, start=start, end=end, original=original, label=label,
                                 source=store.MANUAL, reason=f"marked by {actor}",
                                 replacement=key.pseudonym(original, label), status=store.ACCEPTED,
                                 reviewer=actor)
        session.add(redaction)
        store.save_key(session, key.to_dict(), stored.settings if stored else {})
        session.flush()
        repo.log_event(session, actor, "redact", "redaction", redaction.id, document=row.id, label=label)
        return redaction.id


def add_term(project: Project, term: str, kind: str, label: str | None = None,
             actor: str | None = None) -> None:
    """Put a term on the project's allow list (never redacted) or deny list (always redacted, with a
    label). Applies from the next anonymisation, which every output triggers."""
    term = " ".join(term.split())
    if not term:
        raise AnonymisationError("an empty term cannot be listed.", "Give the words to allow or deny.")
    if kind not in (store.ALLOW, store.DENY):
        raise AnonymisationError(f"unknown list '{kind}'.", "Use 'allow' or 'deny'.")
    if kind == store.DENY and label not in LABELS:
        raise AnonymisationError(f"deny-list term '{term}' needs a label, not {label!r}.",
                                 f"Use one of: {', '.join(LABELS)}.")
    with project.transaction() as session:
        existing = session.scalar(select(AnonymisationTermRow).where(
            AnonymisationTermRow.term == term, AnonymisationTermRow.kind == kind))
        if existing is not None:
            existing.label = label if kind == store.DENY else None
            return
        row = AnonymisationTermRow(term=term, kind=kind, label=label if kind == store.DENY else None,
                                   created_by=actor or current_user())
        session.add(row)
        session.flush()
        repo.log_event(session, actor or current_user(), "add_term", "anonymisation_term", row.id, kind=kind)


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
    return [PseudonymEntry(label, original, pseudonym) for label, entries in sorted(key.entries.items())
            for original, pseudonym in sorted(entries.items())]


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


def _inputs(session: Session) -> tuple[list[str], dict[str, str], list[str], dict[str, str]]:
    """The project's allow terms, deny terms, known people (speaker and participant labels) and
    their roles from the participants sheet."""
    listed = store.terms(session)
    allow = [t.term for t in listed if t.kind == store.ALLOW]
    deny = {t.term: t.label or "PERSON" for t in listed if t.kind == store.DENY}
    people = session.execute(select(SpeakerRow.label, ParticipantRow.label, ParticipantRow.role)
                             .join(ParticipantRow, SpeakerRow.participant_id == ParticipantRow.id)).all()
    names = sorted({name for speaker, participant, _ in people for name in (speaker, participant)
                    if _could_be_a_name(name)})
    roles = {name: role for speaker, participant, role in people if role
             for name in (speaker, participant)}
    return allow, deny, names, roles


def _could_be_a_name(label: str) -> bool:
    """Whether a speaker or participant label may hold a person's name: "Dani" or "Mrs Shaw" may;
    "YP2", "P9", "KW", "Int" and "Keyworker C" are already pseudonymous."""
    words = [w.strip(".()") for w in label.split()]
    return any(len(w) > 1 and w.isalpha() and w[0].isupper() and not w.isupper()
               and w.casefold() not in ROLE_WORDS and w.casefold() not in TRANSCRIPT_LABELS
               for w in words)


def _settings(session: Session, project: Project, style: str) -> dict[str, Any]:
    """A fingerprint of everything a run depends on; a stale one means outputs need a new run."""
    allow, deny, people, roles = _inputs(session)
    shas = [sha for (sha,) in session.execute(select(DocumentRow.sha256).order_by(DocumentRow.id))]
    digest = hashlib.sha256(json.dumps([shas, allow, sorted(deny.items()), people, sorted(roles.items())],
                                       ensure_ascii=False).encode()).hexdigest()
    return {"inputs": digest, "style": style, "spacy_model": project.config.nlp.spacy_model}


def _key(data: dict[str, Any] | None, style: str, roles: dict[str, str]) -> PseudonymKey:
    """The stored key when it has this style (so pseudonyms stay stable), else a new one."""
    if data and data.get("style") == style:
        key = PseudonymKey.from_dict(data)
        fresh = PseudonymKey(style, roles)
        key.roles = {**key.roles, **fresh.roles}
        return key
    return PseudonymKey(style, roles)


def _refresh_decided_replacements(session: Session, key: PseudonymKey) -> None:
    """Kept redactions show the pseudonym the current key gives their original."""
    for row in store.decided(session):
        row.replacement = key.pseudonym(row.original, row.label)
