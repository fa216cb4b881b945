"""Reading REFI-QDA XML from any program, tolerantly, saying exactly what was left out.

Vendors differ from the schema in known ways (`../shared/refi/NOTES.md`): namespace versions
other than 1.0, a byte-order mark before `<?xml`, colours as `rgb(...)` or with transparency,
GUIDs in braces or upper case. All are accepted. What qualkit has no place for (pictures, audio,
PDF coordinates, sets, graphs, case codings) is left out with one message each, naming the line.
Only a file that is not REFI-QDA at all raises an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from lxml import etree

from qualkit.errors import CorruptFileError, UnsafeFileError
from qualkit.interop.refi.model import (
    Case,
    Code,
    Codebook,
    Coding,
    Link,
    Note,
    Project,
    Selection,
    Source,
    User,
    Value,
    Variable,
    VariableValue,
)

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_HEX_ALPHA = re.compile(r"#?([0-9a-fA-F]{8})")
_RGB = re.compile(r"(?:rgba?\()?\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)?", re.I)
_FIX = "Export it again as REFI-QDA from the program that made it."
_MEDIA = {"PictureSource": "a picture", "AudioSource": "audio", "VideoSource": "video"}


def guid(value: str | None) -> str | None:
    """A GUID as qualkit compares them: no braces, lower case."""
    return value.strip().strip("{}").lower() if value and value.strip() else None


def parse_project(data: bytes, where: str) -> tuple[Project, list[str]]:
    """The project in a `project.qde`, and what was left out of it."""
    root = _root(data, where, ("Project",))
    reader = _Reader(where, _alpha_first(root))
    return reader.project(root), reader.dropped


def parse_codebook(data: bytes, where: str) -> tuple[Codebook, list[str]]:
    """The codebook in a `.qdc` (or the codebook of a project file), and what was left out."""
    root = _root(data, where, ("CodeBook", "Project"))
    reader = _Reader(where, _alpha_first(root))
    holder = root if root.tag == "CodeBook" else next(_children(root, "CodeBook"), None)
    if root.tag == "CodeBook":
        for sets in _children(root, "Sets"):
            reader.drop(sets, f"{len(list(_children(sets, 'Set')))} code set(s)", "qualkit has no sets")
    codes = reader.codes(holder) if holder is not None else ()
    return Codebook(codes, root.get("origin")), reader.dropped


def _root(data: bytes, where: str, expected: tuple[str, ...]) -> etree._Element:
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as error:
        raise CorruptFileError(where, f"is not well-formed XML ({error.msg}).", _FIX,
                               line=error.lineno or None) from error
    if tree.docinfo.doctype:
        raise UnsafeFileError(where, "declares a DTD, which REFI-QDA files never need.",
                              "Do not open it; ask the sender for a fresh export.")
    root = tree.getroot()
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = etree.QName(element).localname  # any namespace version, or none
    if root.tag not in expected:
        raise CorruptFileError(
            where, f"is not a REFI-QDA file: its root element is <{root.tag}>, not "
                   f"<{'> or <'.join(expected)}>.", "Check that this is the file you meant. " + _FIX,
            line=root.sourceline)
    return root


def _children(element: etree._Element, *names: str) -> Iterator[etree._Element]:
    return (child for child in element if isinstance(child.tag, str) and child.tag in names)


def _text(element: etree._Element, name: str) -> str | None:
    found = next(_children(element, name), None)
    return None if found is None else (found.text or "")


def _refs(element: etree._Element, name: str) -> tuple[str, ...]:
    return tuple(g for ref in _children(element, name) if (g := guid(ref.get("targetGUID"))))


def _alpha_first(root: etree._Element) -> bool:
    """Whether the file writes 8-digit colours as #AARRGGBB (.NET's order) rather than CSS's
    #RRGGBBAA. NVivo writes alpha first; otherwise the colours decide when they can (alpha is
    opaque in one place for all of them and not in the other, over several colours), and CSS's
    order wins when they cannot: `#ff000080` is half-transparent red, not navy."""
    if "nvivo" in (root.get("origin") or "").lower():
        return True
    written = {m.group(1).lower() for e in root.iter() if isinstance(e.tag, str) and e.tag == "Code"
               if (m := _HEX_ALPHA.fullmatch((e.get("color") or "").strip()))}
    if not written or all(c.endswith("ff") for c in written):
        return False
    return len(written) > 1 and all(c.startswith("ff") for c in written)


class _Reader:
    def __init__(self, where: str, alpha_first: bool = False) -> None:
        self.where = where
        self.alpha_first = alpha_first
        self.dropped: list[str] = []

    def drop(self, element: etree._Element, what: str, why: str) -> None:
        self.dropped.append(f"{self.where}, line {element.sourceline}: {what} not imported ({why}).")

    def project(self, root: etree._Element) -> Project:
        holder = next(_children(root, "CodeBook"), None)
        for element in _children(root, "Graphs"):
            named = ", ".join(f"'{c.get('name') or ''}'" for c in element if isinstance(c.tag, str))
            self.drop(element, f"graphs {named}", "qualkit has no graphs")
        document_sets = []
        for sets in _children(root, "Sets"):
            for element in _children(sets, "Set"):
                name = (element.get("name") or "").strip() or "unnamed set"
                if members := _refs(element, "MemberSource"):
                    document_sets.append((name, members))
                other = len(list(_children(element, "MemberCode", "MemberNote")))
                if other:
                    self.drop(element, f"{other} code or note member(s) of set '{name}'",
                              "qualkit has no sets; a set's documents get it as an attribute")
                elif not members:
                    self.drop(element, f"the empty set '{name}'", "qualkit has no sets")
        return Project(
            name=root.get("name") or "",
            origin=root.get("origin"),
            users=tuple(self.user(u) for users in _children(root, "Users") for u in _children(users, "User")),
            codebook=Codebook(self.codes(holder) if holder is not None else (), root.get("origin")),
            variables=tuple(v for holder in _children(root, "Variables")
                            for v in map(self.variable, _children(holder, "Variable")) if v),
            cases=tuple(c for holder in _children(root, "Cases")
                        for c in map(self.case, _children(holder, "Case")) if c),
            sources=tuple(s for holder in _children(root, "Sources") for s in self.sources(holder)),
            notes=tuple(n for holder in _children(root, "Notes")
                        for n in map(self.note, _children(holder, "Note")) if n),
            links=tuple(link for holder in _children(root, "Links")
                        for link in map(self.link, _children(holder, "Link")) if link),
            project_notes=_refs(root, "NoteRef"),
            document_sets=tuple(document_sets),
            description=_text(root, "Description") or "",
        )

    def user(self, element: etree._Element) -> User:
        key = guid(element.get("guid")) or ""
        return User(key, element.get("name") or element.get("id") or key)

    def codes(self, holder: etree._Element) -> tuple[Code, ...]:
        found = (self.code(c) for codes in _children(holder, "Codes") for c in _children(codes, "Code"))
        return tuple(c for c in found if c)

    def code(self, element: etree._Element) -> Code | None:
        name = (element.get("name") or "").strip()
        key = guid(element.get("guid"))
        if not name or key is None:
            self.drop(element, "a code without a name or GUID", "the file breaks the schema here")
            return None
        return Code(key, name, _text(element, "Description") or "", self.colour(element, name),
                    element.get("isCodable", "true").strip().lower() not in ("false", "0"),
                    tuple(c for c in map(self.code, _children(element, "Code")) if c),
                    _refs(element, "NoteRef"))

    def colour(self, element: etree._Element, name: str) -> str | None:
        """#RRGGBB from the forms vendors write; an unreadable colour is dropped, not the code."""
        written = (element.get("color") or "").strip()
        if not written:
            return None
        if match := _HEX.fullmatch(written):
            return f"#{match.group(1)}"
        if match := _HEX_ALPHA.fullmatch(written):  # #AARRGGBB (.NET) or #RRGGBBAA (CSS): see _alpha_first
            return f"#{match.group(1)[2:]}" if self.alpha_first else f"#{match.group(1)[:6]}"
        if (match := _RGB.fullmatch(written)) and all(int(part) < 256 for part in match.groups()):
            return "#" + "".join(f"{int(part):02x}" for part in match.groups())
        self.drop(element, f"the colour '{written}' of code '{name}'", "not a colour qualkit can read; "
                  "the code was imported without it")
        return None

    def variable(self, element: etree._Element) -> Variable | None:
        key, name = guid(element.get("guid")), (element.get("name") or "").strip()
        if key is None or not name:
            self.drop(element, "a variable without a name or GUID", "the file breaks the schema here")
            return None
        return Variable(key, name, element.get("typeOfVariable") or "Text")

    def values(self, element: etree._Element) -> tuple[VariableValue, ...]:
        found = []
        for holder in _children(element, "VariableValue"):
            target = next((guid(r.get("targetGUID")) for r in _children(holder, "VariableRef")), None)
            typed = next((c for c in holder if isinstance(c.tag, str) and c.tag != "VariableRef"), None)
            value = None if typed is None else _value(typed.tag, typed.text or "")
            if target is None or value is None:
                self.drop(holder, "a variable value", "no variable, or a value that does not match its type")
            else:
                found.append(VariableValue(target, value))
        return tuple(found)

    def case(self, element: etree._Element) -> Case | None:
        key = guid(element.get("guid"))
        if key is None:
            self.drop(element, "a case without a GUID", "the file breaks the schema here")
            return None
        name = (element.get("name") or "").strip() or None
        label = f"case '{name}'" if name else "a nameless case"
        for tag, what in (("CodeRef", "codes"), ("SelectionRef", "selections")):
            if count := len(list(_children(element, tag))):
                self.drop(element, f"{count} link(s) from {label} to {what}", "qualkit codes text, not cases")
        return Case(key, name, self.values(element), _refs(element, "SourceRef"))

    def sources(self, holder: etree._Element) -> Iterator[Source]:
        for element in holder:
            if not isinstance(element.tag, str):
                continue
            name = element.get("name") or ""
            if element.tag == "TextSource":
                if source := self.text_source(element, name):
                    yield source
            elif element.tag == "PDFSource":
                yield from self.pdf_source(element, name)
            elif element.tag in _MEDIA:
                self.drop(element, f"source '{name}' ({_MEDIA[element.tag]})", "qualkit imports text only")
            else:
                self.drop(element, f"<{element.tag}> '{name}'", "not a REFI-QDA 1.0 source")

    def pdf_source(self, element: etree._Element, name: str) -> Iterator[Source]:
        """A PDF's text selections live on its plain-text Representation; PDF areas are dropped."""
        if count := len(list(_children(element, "PDFSelection"))):
            self.drop(element, f"{count} area selection(s) on PDF '{name}'", "they are page coordinates, "
                      "not text; codings made on the PDF's text are imported")
        representation = next(_children(element, "Representation"), None)
        if representation is None:
            self.drop(element, f"PDF source '{name}'", "it comes without a plain-text representation")
        elif source := self.text_source(representation, representation.get("name") or name):
            yield source

    def text_source(self, element: etree._Element, name: str) -> Source | None:
        key = guid(element.get("guid"))
        content, path = _text(element, "PlainTextContent"), element.get("plainTextPath")
        rich = element.get("richTextPath") if content is None and not path else None
        if rich and not rich.lower().endswith(".docx"):
            rich = None  # only Word documents are read from their rich text
        if key is None or (content is None and not path and not rich):
            why = "it has no GUID" if key is None else "it has no plain text, only a rich-text file"
            self.drop(element, f"source '{name}' and its codings", why)
            return None
        return Source(
            key, name or key, content, None if content is not None else path,
            tuple(s for s in map(self.selection, _children(element, "PlainTextSelection")) if s),
            tuple(c for c in map(self.coding, _children(element, "Coding")) if c),
            _refs(element, "NoteRef"), self.values(element), guid(element.get("creatingUser")),
            _moment(element.get("creationDateTime")), element.sourceline, rich)

    def selection(self, element: etree._Element) -> Selection | None:
        key, start, end = guid(element.get("guid")), element.get("startPosition"), element.get("endPosition")
        try:
            first, last = int(start or ""), int(end or "")
        except ValueError:
            self.drop(element, f"a selection from '{start}' to '{end}'",
                      "its positions are not whole numbers")
            return None
        return Selection(key or f"line-{element.sourceline}", first, last, element.get("name"),
                         guid(element.get("creatingUser")), guid(element.get("modifyingUser")),
                         _moment(element.get("creationDateTime")), _text(element, "Description"),
                         tuple(c for c in map(self.coding, _children(element, "Coding")) if c),
                         _refs(element, "NoteRef"), element.sourceline,
                         _moment(element.get("modifiedDateTime")))

    def coding(self, element: etree._Element) -> Coding | None:
        code = next((guid(r.get("targetGUID")) for r in _children(element, "CodeRef")), None)
        if code is None:
            self.drop(element, "a coding without a code", "it has no CodeRef")
            return None
        return Coding(guid(element.get("guid")) or "", code, guid(element.get("creatingUser")),
                      _moment(element.get("creationDateTime")))

    def note(self, element: etree._Element) -> Note | None:
        key = guid(element.get("guid"))
        content, path = _text(element, "PlainTextContent"), element.get("plainTextPath")
        if key is None or (content is None and not path):
            self.drop(element, f"note '{element.get('name') or ''}'", "it has no GUID or no plain text")
            return None
        return Note(key, element.get("name") or "", content, None if content is not None else path,
                    guid(element.get("creatingUser")), _moment(element.get("creationDateTime")),
                    _moment(element.get("modifiedDateTime")))

    def link(self, element: etree._Element) -> Link | None:
        origin, target = guid(element.get("originGUID")), guid(element.get("targetGUID"))
        if origin is None or target is None:
            self.drop(element, "a link without both ends", "the file breaks the schema here")
            return None
        return Link(origin, target)


def _value(kind: str, text: str) -> Value | None:
    """A VariableValue's content as Python; None when it does not fit its kind."""
    text = text.strip() if kind != "TextValue" else text
    try:
        if kind == "BooleanValue":
            return {"true": True, "1": True, "false": False, "0": False}[text.lower()]
        if kind == "IntegerValue":
            return int(text)
        if kind == "FloatValue":
            return float(text)
    except (KeyError, ValueError):
        return None
    return text if kind in ("TextValue", "DateValue", "DateTimeValue") else None


def _moment(text: str | None) -> datetime | None:
    """An xsd:dateTime; a vendor's malformed timestamp is metadata, so it is left out quietly."""
    try:
        return datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None
