"""The REFI-QDA exchange objects (QDA-XML 1.0), as plain frozen data.

Both directions meet here: the export fills these from a project and `xml_export` writes them;
`xml_import` reads any vendor's file into them and the import plan turns them into qualkit's own
objects. Positions are REFI positions: code points into the source's plain text, half-open
`[start, end)` as in the spec's annex examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

VariableType = str  # Text | Boolean | Integer | Float | Date | DateTime
Value = str | bool | int | float


@dataclass(frozen=True)
class User:
    guid: str
    name: str


@dataclass(frozen=True)
class Code:
    guid: str
    name: str
    description: str = ""
    color: str | None = None
    codable: bool = True
    children: tuple[Code, ...] = ()
    notes: tuple[str, ...] = ()  # Note GUIDs

    def walk(self) -> list[tuple[Code, Code | None]]:
        """This code and every code under it, parents first, each with its parent."""
        found: list[tuple[Code, Code | None]] = [(self, None)]
        for child in self.children:
            found.extend((code, parent or self) for code, parent in child.walk())
        return found


@dataclass(frozen=True)
class Variable:
    guid: str
    name: str
    type: VariableType = "Text"


@dataclass(frozen=True)
class VariableValue:
    variable: str  # Variable GUID
    value: Value


@dataclass(frozen=True)
class Case:
    """A person or a document's variables. MAXQDA and Quirkos write a document's variables as a
    nameless case with one SourceRef; qualkit does the same."""

    guid: str
    name: str | None
    values: tuple[VariableValue, ...] = ()
    sources: tuple[str, ...] = ()  # TextSource GUIDs


@dataclass(frozen=True)
class Coding:
    guid: str
    code: str  # Code GUID
    user: str | None = None  # User GUID
    created: datetime | None = None


@dataclass(frozen=True)
class Selection:
    """A PlainTextSelection: `[start, end)` in the source's plain text."""

    guid: str
    start: int
    end: int
    name: str | None = None
    user: str | None = None  # who made it
    modifier: str | None = None  # who changed it last (qualkit: who reviewed the coding)
    created: datetime | None = None
    description: str | None = None
    codings: tuple[Coding, ...] = ()
    notes: tuple[str, ...] = ()
    line: int | None = None  # where the import found it
    modified: datetime | None = None  # when it was changed last (qualkit: when the coding was reviewed)


@dataclass(frozen=True)
class Source:
    """A TextSource. `text` is its plain text when known; `path` is its plainTextPath; `rich_path` its
    richTextPath, read when it is the only text (a .docx some programs write alone)."""

    guid: str
    name: str
    text: str | None = None
    path: str | None = None
    selections: tuple[Selection, ...] = ()
    codings: tuple[Coding, ...] = ()  # codings of the whole source
    notes: tuple[str, ...] = ()
    values: tuple[VariableValue, ...] = ()
    user: str | None = None
    created: datetime | None = None
    line: int | None = None
    rich_path: str | None = None


@dataclass(frozen=True)
class Note:
    guid: str
    name: str
    text: str | None
    path: str | None = None  # its plainTextPath, when the text is in a file
    user: str | None = None
    created: datetime | None = None
    modified: datetime | None = None


@dataclass(frozen=True)
class Link:
    origin: str
    target: str


@dataclass(frozen=True)
class Codebook:
    codes: tuple[Code, ...]
    origin: str | None = None

    def walk(self) -> list[tuple[Code, Code | None]]:
        return [pair for code in self.codes for pair in code.walk()]


@dataclass(frozen=True)
class Project:
    name: str
    origin: str | None = None
    users: tuple[User, ...] = ()
    codebook: Codebook = field(default_factory=lambda: Codebook(()))
    variables: tuple[Variable, ...] = ()
    cases: tuple[Case, ...] = ()
    sources: tuple[Source, ...] = ()
    notes: tuple[Note, ...] = ()
    links: tuple[Link, ...] = ()
    project_notes: tuple[str, ...] = ()  # NoteRefs on the project itself
    document_sets: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (set name, member source GUIDs)
    description: str = ""
