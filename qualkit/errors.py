"""Typed errors with user-facing messages: what went wrong, where, and how to fix it."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class QualkitError(Exception):
    """Base for every error a user may see; `str()` is the message to show."""

    def __init__(self, what: str, fix: str = "") -> None:
        self.what = what
        self.fix = fix
        super().__init__(f"{what} {fix}".strip())


class ProjectError(QualkitError):
    """The project folder or its database is missing or unusable."""


class ReadOnlyError(QualkitError):
    """A change was asked of a project opened read-only."""


class NumberTooLargeError(QualkitError):
    """A number (an id, an offset) beyond what the database can store."""


class ConflictError(QualkitError):
    """What a change was made on was changed or removed by someone else at the same time."""


class InvalidNameError(QualkitError):
    """A group, code, participant, document or person's name holds a control character."""


class NotFoundError(QualkitError):
    """A named document, participant or code does not exist in the project."""


class IngestError(QualkitError):
    """A source file cannot be imported. Names the file (and line or row) and the fix."""

    def __init__(self, path: str | Path, what: str, fix: str = "", *, line: int | None = None,
                 row: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.row = row
        where = self.path
        if line is not None:
            where += f", line {line}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {what}", fix)


class EmptyFileError(IngestError):
    """The file has no content to import."""


class UnsupportedFormatError(IngestError):
    """No reader handles this suffix."""


class WrongExtensionError(IngestError):
    """The content is a different format from the one its suffix claims."""


class CorruptFileError(IngestError):
    """The file cannot be parsed as the format it claims to be."""


class EncryptedFileError(IngestError):
    """The file is password-protected."""


class FileTooLargeError(IngestError):
    """The file (or what it expands to) exceeds the configured limit."""


class UnsafeFileError(IngestError):
    """The file carries something hostile: a zip bomb or XML entity declarations."""


class NoTextError(IngestError):
    """The file parsed but carries no text layer (e.g. a scanned PDF)."""


class EncodingError(IngestError):
    """The bytes are not text in any encoding we can detect."""


class BadNameError(IngestError):
    """A file (or a document it holds) has a name with a control character."""


class SheetError(IngestError):
    """A participants sheet or table has a missing column or a bad row."""


class CodebookProblem(NamedTuple):
    """One thing wrong with a codebook: what, how to fix it, and its line when it came from a file."""

    what: str
    fix: str
    line: int | None = None


class CodebookError(QualkitError):
    """A codebook file is invalid, or an edit would break the codebook.

    Carries every problem found, in line order, so a user fixes a file in one pass rather than one
    error per run. With one problem the message is `file, line N: what fix`; with several it is one
    problem per line under `file: N problems:`, the first LISTED of them (a file with 200,000 broken
    aliases gets a message a person can read, not 37 MB of it).
    """

    LISTED = 50

    def __init__(self, *problems: CodebookProblem, path: str | Path | None = None) -> None:
        self.path = None if path is None else str(path)
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        if len(self.problems) == 1:
            (problem,) = self.problems
            super().__init__(_where(self.path, problem.line) + problem.what, problem.fix)
        else:
            listed = self.problems[:self.LISTED]
            lines = "".join(f"\n  {_where(None, p.line)}{p.what} {p.fix}" for p in listed)
            more = len(self.problems) - self.LISTED
            if more > 0:
                lines += f"\n  … and {more} more (fix these first, then validate again)."
            super().__init__(_where(self.path, None) + f"{len(self.problems)} problems:{lines}")


def _where(path: str | None, line: int | None) -> str:
    place = ", ".join(part for part in (path, None if line is None else f"line {line}") if part)
    return f"{place}: " if place else ""
