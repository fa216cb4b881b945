"""SQLAlchemy 2 tables: the only place that knows how the project is laid out in SQL.

Portable types only (no SQLite- or PostgreSQL-specific SQL), so a team can point a project at
PostgreSQL by URL. Changes to these classes need an Alembic revision in `migrations/versions/`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from qualkit.errors import InvalidNameError
from qualkit.model.names import unprintable


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON}


class CorpusRow(Base):
    __tablename__ = "corpora"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("corpus_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    corpus_id: Mapped[int] = mapped_column(ForeignKey("corpora.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(500))
    suffix: Mapped[str] = mapped_column(String(20))
    source_path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer)
    group: Mapped[str | None] = mapped_column("stakeholder_group", String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # How outputs name the document when its file name must not show (it holds an identifier).
    display_name: Mapped[str | None] = mapped_column(String(500))

    corpus: Mapped[CorpusRow] = relationship()


class ParticipantRow(Base):
    """A person. `label` is how reports name them (e.g. "Keyworker C" or "R (kw_d.pdf)")."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(300), unique=True)
    group: Mapped[str | None] = mapped_column("stakeholder_group", String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(200))
    site: Mapped[str | None] = mapped_column(String(200))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The person's own names as the texts write them: personal data, used only to find and replace
    # them (with `label`), never shown.
    known_names: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


class SpeakerRow(Base):
    """A speaker label as written in one document, linked to the participant it denotes."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("document_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)

    participant: Mapped[ParticipantRow] = relationship()


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("document_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id"), index=True)
    group: Mapped[str | None] = mapped_column("stakeholder_group", String(200))  # stated by the source
    codable: Mapped[bool] = mapped_column(Boolean, default=True)
    start_time: Mapped[float | None] = mapped_column(Float)
    end_time: Mapped[float | None] = mapped_column(Float)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    document: Mapped[DocumentRow] = relationship()
    speaker: Mapped[SpeakerRow | None] = relationship()


class CodebookRow(Base):
    """One version of a codebook; codings keep the version they were made with."""

    __tablename__ = "codebooks"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    edition: Mapped[str | None] = mapped_column(String(100))  # the file's own version label, as written
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CodeRow(Base):
    __tablename__ = "codes"
    __table_args__ = (UniqueConstraint("codebook_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    codebook_id: Mapped[int] = mapped_column(ForeignKey("codebooks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # the stable slug users write in YAML
    parent_key: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str | None] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)  # include/exclude/keywords/examples


class CodeAssignmentRow(Base):
    """A code on a segment (or a sub-span of it), with its status and provenance."""

    __tablename__ = "code_assignments"
    __table_args__ = (
        Index("ix_code_assignments_code_status", "code_id", "status"),  # one code's accepted codings (0009)
        {"sqlite_autoincrement": True},  # an id names one coding for good (migration 0008)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)  # suggested | accepted | rejected
    coder: Mapped[str] = mapped_column(String(200))  # a person's name or "similarity.v1"
    coder_version: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(300))
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    predicted: Mapped[bool | None] = mapped_column(Boolean)  # a coder's own yes/no; None for people
    rationale: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class EventRow(Base):
    """Append-only audit trail: who did what, when, from which state to which."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EmbeddingRow(Base):
    """Embedding cache: a text is embedded once per model."""

    __tablename__ = "embeddings"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian


class AnonymisationTermRow(Base):
    """A project's own anonymisation list: `allow` terms are never redacted, `deny` terms always are."""

    __tablename__ = "anonymisation_terms"
    __table_args__ = (UniqueConstraint("term", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # allow | deny
    label: Mapped[str | None] = mapped_column(String(20))  # a deny term's label (PERSON, PLACE, ...)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RedactionRow(Base):
    """One identifier found in a document (or marked by hand), with why, its pseudonym and its
    review status. Suggested and accepted redactions are applied; rejected ones (false positives)
    are not. Together with the events this is the anonymisation log."""

    __tablename__ = "redactions"
    __table_args__ = ({"sqlite_autoincrement": True},)  # one redaction for good (migration 0008)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)  # offsets into the document's text
    end: Mapped[int] = mapped_column(Integer)
    original: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))  # a detection layer, or "manual"
    reason: Mapped[str] = mapped_column(Text)
    replacement: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), index=True)  # suggested | accepted | rejected
    run_id: Mapped[str | None] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PseudonymKeyRow(Base):
    """The project's pseudonym key (originals to pseudonyms): personal data, read by no export."""

    __tablename__ = "pseudonym_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # PseudonymKey.to_dict()
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the last run was made with
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MemoRow(Base):
    """A memo on the project, a code, a document or a segment."""

    __tablename__ = "memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(20), index=True)  # project | code | document | segment
    target_ref: Mapped[str | None] = mapped_column(String(200), index=True)  # code key or row id
    author: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ExchangeGuidRow(Base):
    """The GUID another program (NVivo, ATLAS.ti, MAXQDA) gave one of the project's objects, kept
    so that a REFI-QDA export gives it back and that program updates instead of duplicating.
    `kind` is code (ref: code id), document (ref: document row id), participant (ref: row id),
    user (ref: name) or variable (ref: name)."""

    __tablename__ = "exchange_guids"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(300))
    guid: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str | None] = mapped_column(String(300))  # the file's `origin`, e.g. "MAXQDA 24"



class AccountRow(Base):
    """A person who may log in to the project's app, with one role (owner, coder or viewer). A project
    without accounts is one person's: the app asks for no login and listens on loopback only.
    `failures` and `retry_at` slow repeated wrong passwords for a name down in the store itself, so
    every app process, thread and restart sees the same delay."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # owner | coder | viewer
    password_hash: Mapped[str] = mapped_column(String(300))  # argon2id, salt and parameters included
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords since the last login
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # no attempt before
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class LoginRow(Base):
    """A logged-in app session: only the SHA-256 of its token is kept (a copied database gives no
    usable token), and it stops working at `expires_at`, at logout, or when its account is disabled
    or its password reset."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

# Names people read in outputs must be printable (`qualkit.model.names`): checked whenever one is set,
# whatever sets it (CLI, app, imports, REFI, sheets), so no way in is forgotten.
_NAMES = {
    DocumentRow: ("name", "group", "display_name"),
    ParticipantRow: ("label", "group", "role", "site"),
    SpeakerRow: ("label",),
    CodebookRow: ("name",),
    CodeRow: ("name",),
    CodeAssignmentRow: ("coder", "reviewer"),
    RedactionRow: ("reviewer",),
    MemoRow: ("author",),
    AccountRow: ("name",),
}


def check_name(value: Any, what: str) -> Any:
    """`value` unchanged, or an `InvalidNameError` saying which character of the `what` is wrong."""
    problem = unprintable(value) if isinstance(value, str) else None
    if problem:
        raise InvalidNameError(f"the {what} {value[:60]!r} holds {problem}.",
                               "Names must be printable text: retype it without that character.")
    return value


def _check_name(what: str) -> Callable[..., Any]:
    def check(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        return check_name(value, what)
    return check


for _row, _columns in _NAMES.items():
    for _column in _columns:
        _noun = {"label": "label", "group": "stakeholder group", "display_name": "display name"}.get(
            _column, _column)
        event.listen(getattr(_row, _column), "set", _check_name(f"{_row.__tablename__[:-1]} {_noun}"),
                     retval=True)
