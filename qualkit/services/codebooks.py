"""Codebooks in a project: import, export, versions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualkit.config import CONFIG_FILE
from qualkit.errors import NotFoundError
from qualkit.interop.codebook_csv import codebook_csv, read_codebook_csv
from qualkit.interop.codebook_yaml import dump_codebook, load_codebook
from qualkit.model import Codebook
from qualkit.services.projects import Project, current_user, open_project
from qualkit.store import Session
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo


@dataclass(frozen=True)
class StoredCodebook:
    name: str
    version: int
    codes: int
    new: bool  # False: identical to the newest stored version, so nothing was stored


def load_codebook_file(path: Path) -> Codebook:
    """A codebook file: YAML (qualkit's own), or CSV in the shapes Taguette and NVivo write."""
    return read_codebook_csv(path) if path.suffix.lower() == ".csv" else load_codebook(path)


def store_codebook(session: Session, codebook: Codebook, source: str, actor: str) -> StoredCodebook:
    row, new = codebooks_store.save(session, codebook, source)
    if new:
        repo.log_event(session, actor, "store_codebook", "codebook", row.id, version=row.version,
                       codes=len(codebook.flat()))
    return StoredCodebook(row.name, row.version, len(codebook.flat()), new)


def import_codebook(project: Project, path: Path) -> StoredCodebook:
    """Store a codebook file as the next version of its name; a no-op when its content equals the
    newest stored version (the version number in the file is not what decides)."""
    codebook = load_codebook_file(path)
    with project.transaction() as session:
        return store_codebook(session, codebook, f"file:{path.name}", current_user())


def current_codebook(project: Project, name: str | None = None) -> Codebook:
    """The newest version of codebook `name`, or of the codebook stored most recently."""
    with project.sessions() as session:
        return codebooks_store.read(session, codebook_row(session, name))


def codebook_row(session: Session, name: str | None) -> codebooks_store.CodebookVersion:
    """The newest stored version of codebook `name` (of the most recent one without a name), or an error
    saying which codebooks there are."""
    row = codebooks_store.newest(session, name)
    if row is not None:
        return row
    known = codebooks_store.names(session)
    if not known:
        raise NotFoundError("the project has no codebook yet.",
                            "Import a codebook first.")
    raise NotFoundError(f"no codebook named '{name}' in the project.",
                        f"Stored codebooks: {', '.join(known)}.")


def read_codebook(source: Path) -> Codebook:
    """A codebook file, checked; or, for a project folder, its current codebook."""
    if (source / CONFIG_FILE).is_file():
        return current_codebook(open_project(source))
    return load_codebook_file(source)


def export_codebook(project: Project, path: Path, name: str | None = None) -> Codebook:
    """Write the current codebook as YAML, or as CSV (Taguette's and NVivo's columns) when `path` ends in
    .csv; `import_codebook` reads both back."""
    codebook = current_codebook(project, name)
    text = codebook_csv(codebook) if path.suffix.lower() == ".csv" else dump_codebook(codebook)
    path.write_text(text, encoding="utf-8")
    return codebook
