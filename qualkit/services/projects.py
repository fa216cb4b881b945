"""Projects: create, open, and read what is in them."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from qualkit.config import CONFIG_FILE, ProjectConfig, default_config_text, load_config
from qualkit.errors import NotFoundError, ReadOnlyError
from qualkit.store import Session
from qualkit.store import repository as repo
from qualkit.store.database import SessionFactory, display_url, open_database, transaction

Progress = Callable[[str, int, int], None]  # (item, done so far, total)


_ACTING: ContextVar[str | None] = ContextVar("qualkit_acting_as", default=None)


def current_user() -> str:
    """Who is acting, for the audit trail: the person a front end named (`acting_as`, e.g. the name
    given in the app), else QUALKIT_USER, else the login name."""
    return _ACTING.get() or os.environ.get("QUALKIT_USER") or getpass.getuser()


@contextmanager
def acting_as(person: str) -> Iterator[None]:
    """Every event logged inside names `person` (the app wraps each write in this, so imports, coder
    runs, anonymisation and reports name the person in the app, never the login running the server)."""
    token = _ACTING.set(person)
    try:
        yield
    finally:
        _ACTING.reset(token)


@dataclass
class Project:
    """An open project: its folder, settings and database."""

    folder: Path
    config: ProjectConfig
    read_only: bool = False  # opened to look only: no transaction, not even an audit event

    @cached_property
    def sessions(self) -> SessionFactory:
        """`with project.sessions() as session:` reads; the session is a handle for `qualkit.store`."""
        return open_database(self.config.database_url_for(self.folder))

    def transaction(self) -> AbstractContextManager[Session]:
        """`with project.transaction() as session:` one unit of work, all of it or nothing."""
        if self.read_only:
            raise ReadOnlyError("this project is open read-only, so nothing can be changed.",
                                "Ask the project's owner for an editable copy, or open it for "
                                "editing.")
        return transaction(self.sessions)


def init_project(folder: Path, *, database_url: str | None = None, name: str | None = None) -> Project:
    """Create a project folder (settings, database, codebooks/ and reports/). Safe to re-run."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / CONFIG_FILE
    if not config_path.exists():
        config_path.write_text(default_config_text(name or folder.resolve().name, database_url),
                               encoding="utf-8")
    for sub in ("codebooks", "reports"):
        (folder / sub).mkdir(exist_ok=True)
    project = open_project(folder)
    project.sessions  # noqa: B018  (creates and migrates the database now, not on first use)
    return project


def open_project(folder: Path, *, read_only: bool = False) -> Project:
    """The project in `folder`; `read_only` (or `read_only = true` under `[app]` in its settings for
    the app) refuses every write."""
    return Project(folder, load_config(folder), read_only)


@dataclass(frozen=True)
class ProjectStatus:
    name: str
    database: str
    documents: int
    words: int
    segments: int
    codable: int
    participants: int
    by_group: list[tuple[str | None, int, int, int]]
    events: int


def project_status(project: Project) -> ProjectStatus:
    with project.sessions() as session:
        totals = repo.totals(session)
        return ProjectStatus(
            project.config.name, display_url(project.config.database_url_for(project.folder)),
            totals.documents, totals.words, totals.segments, totals.codable, totals.participants,
            repo.counts_by_group(session), totals.events)


def counts_by_group(project: Project) -> list[tuple[str | None, int, int, int]]:
    """(group, codable segments, distinct participants, distinct documents) per stakeholder group: the
    part of `project_status` that coding and decisions leave alone."""
    with project.sessions() as session:
        return repo.counts_by_group(session)


def list_documents(project: Project) -> list[repo.DocumentSummary]:
    with project.sessions() as session:
        return repo.document_summaries(session)


def list_participants(project: Project) -> list[repo.ParticipantSummary]:
    with project.sessions() as session:
        return repo.participant_summaries(session)


def iter_segments(project: Project, *, document: str | None = None,
                  codable_only: bool = False) -> Iterator[repo.SegmentView]:
    with project.sessions() as session:
        if document is not None and repo.document_named(session, None, document) is None:
            raise NotFoundError(f"no document named '{document}' in the project.",
                                "See the project's documents for the names.")
        yield from repo.iter_segments(session, document=document, codable_only=codable_only)


def segment_record(segment: repo.SegmentView) -> dict[str, Any]:
    """The stable JSONL shape: {"id", "document", "speaker", "group", "start", "end", "text",
    ...attributes}; the same shape `.jsonl` import reads."""
    core = {"id": segment.id, "document": segment.document, "speaker": segment.speaker,
            "group": segment.group, "start": segment.start, "end": segment.end, "text": segment.text}
    extra = {"kind": segment.kind, "codable": segment.codable}
    if segment.start_time is not None:
        extra["start_time"] = segment.start_time
    if segment.end_time is not None:
        extra["end_time"] = segment.end_time
    return {**core, **extra, **{k: v for k, v in segment.attributes.items() if k not in core}}
