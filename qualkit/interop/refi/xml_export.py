"""Writing REFI-QDA XML: a project (`project.qde`) or a codebook (`.qdc`), valid against the
QDA-XML 1.0 schemas (element order matters there: it is an xsd:sequence).

Sources are referenced by `plainTextPath` (`internal://GUID.txt`) and never given a
`richTextPath`: ATLAS.ti parses a .txt named there as rich text and rejects the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from qualkit.interop.refi.model import (
    Case,
    Code,
    Codebook,
    Coding,
    Note,
    Project,
    Selection,
    Source,
    Value,
    VariableValue,
)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def source_file_name(source: Source) -> str:
    return f"{source.guid}.txt"


def project_xml(project: Project) -> bytes:
    """The project as `project.qde`; each source's text goes in `sources/<source_file_name>`."""
    root = etree.Element(_tag(PROJECT_NS, "Project"), nsmap={None: PROJECT_NS})
    _attrs(root, name=project.name, origin=project.origin)
    x = _Writer(PROJECT_NS)
    if project.users:
        users = x.child(root, "Users")
        for user in project.users:
            x.child(users, "User", guid=user.guid, name=user.name)
    if project.codebook.codes:
        x.codes(x.child(root, "CodeBook"), project.codebook.codes, with_notes=True)
    if project.variables:
        variables = x.child(root, "Variables")
        for variable in project.variables:
            x.child(variables, "Variable", guid=variable.guid, name=variable.name,
                    typeOfVariable=variable.type)
    if project.cases:
        cases = x.child(root, "Cases")
        for case in project.cases:
            x.case(cases, case)
    if project.sources:
        sources = x.child(root, "Sources")
        for source in project.sources:
            x.source(sources, source)
    if project.notes:
        notes = x.child(root, "Notes")
        for note in project.notes:
            x.note(notes, note)
    x.refs(root, "NoteRef", project.project_notes)
    return _serialise(root)


def codebook_xml(codebook: Codebook) -> bytes:
    """The codebook as a `.qdc` file."""
    root = etree.Element(_tag(CODEBOOK_NS, "CodeBook"), nsmap={None: CODEBOOK_NS})
    _attrs(root, origin=codebook.origin)
    _Writer(CODEBOOK_NS).codes(root, codebook.codes, with_notes=False)
    return _serialise(root)


class _Writer:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def child(self, parent: etree._Element, tag: str, text: str | None = None, /,
              **attributes: str | None) -> etree._Element:
        element = etree.SubElement(parent, _tag(self.namespace, tag))
        _attrs(element, **attributes)
        if text is not None:
            element.text = _xml_text(text)
        return element

    def refs(self, parent: etree._Element, name: str, guids: Iterable[str]) -> None:
        for guid in guids:
            self.child(parent, name, targetGUID=guid)

    def description(self, parent: etree._Element, text: str | None) -> None:
        if text:
            self.child(parent, "Description", text)

    def codes(self, parent: etree._Element, codes: tuple[Code, ...], *, with_notes: bool) -> None:
        holder = self.child(parent, "Codes")
        for code in codes:
            self.code(holder, code, with_notes)

    def code(self, parent: etree._Element, code: Code, with_notes: bool) -> None:
        element = self.child(parent, "Code", guid=code.guid, name=code.name,
                             isCodable="true" if code.codable else "false", color=code.color)
        self.description(element, code.description)
        if with_notes:
            self.refs(element, "NoteRef", code.notes)
        for child in code.children:
            self.code(element, child, with_notes)

    def case(self, parent: etree._Element, case: Case) -> None:
        element = self.child(parent, "Case", guid=case.guid, name=case.name)
        self.values(element, case.values)
        self.refs(element, "SourceRef", case.sources)

    def values(self, parent: etree._Element, values: Iterable[VariableValue]) -> None:
        for value in values:
            holder = self.child(parent, "VariableValue")
            self.child(holder, "VariableRef", targetGUID=value.variable)
            kind, text = _typed(value.value)
            self.child(holder, kind, text)

    def source(self, parent: etree._Element, source: Source) -> None:
        element = self.child(parent, "TextSource", guid=source.guid, name=source.name,
                             plainTextPath=f"internal://{source_file_name(source)}",
                             creatingUser=source.user, creationDateTime=_when(source.created))
        for selection in source.selections:
            self.selection(element, selection)
        for coding in source.codings:
            self.coding(element, coding)
        self.refs(element, "NoteRef", source.notes)
        self.values(element, source.values)

    def selection(self, parent: etree._Element, selection: Selection) -> None:
        element = self.child(parent, "PlainTextSelection", guid=selection.guid, name=selection.name,
                             startPosition=str(selection.start), endPosition=str(selection.end),
                             creatingUser=selection.user, creationDateTime=_when(selection.created),
                             modifyingUser=selection.modifier, modifiedDateTime=_when(selection.modified))
        self.description(element, selection.description)
        for coding in selection.codings:
            self.coding(element, coding)
        self.refs(element, "NoteRef", selection.notes)

    def coding(self, parent: etree._Element, coding: Coding) -> None:
        element = self.child(parent, "Coding", guid=coding.guid, creatingUser=coding.user,
                             creationDateTime=_when(coding.created))
        self.child(element, "CodeRef", targetGUID=coding.code)

    def note(self, parent: etree._Element, note: Note) -> None:
        element = self.child(parent, "Note", guid=note.guid, name=note.name, creatingUser=note.user,
                             creationDateTime=_when(note.created), modifiedDateTime=_when(note.modified))
        self.child(element, "PlainTextContent", note.text or "")


def _typed(value: Value) -> tuple[str, str]:
    """The VariableValue element for a value, and its text in XML Schema's lexical form."""
    if isinstance(value, bool):
        return "BooleanValue", "true" if value else "false"
    if isinstance(value, int):
        return "IntegerValue", str(value)
    if isinstance(value, float):
        return "FloatValue", format(Decimal(repr(value)), "f")  # xsd:decimal has no exponent
    return "TextValue", value


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _attrs(element: etree._Element, **attributes: str | None) -> None:
    for key, value in attributes.items():
        if value is not None:
            element.set(key, _xml_text(value))


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters; they are dropped (never in stored text)."""
    return _NOT_XML.sub("", text)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
