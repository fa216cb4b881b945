"""People, not strings: the mentions of names in a project clustered into persons, so that one
person has one pseudonym and two people never share one.

A mention is a name as found in one text ("Danielle Okafor", "Dani", "Mrs Doyle", "Kirk's"). Full
names anchor persons: two full names are one person only when the surnames agree and the first names
are the same or variants of one another ("Dani Okafor", "Danielle Okafor"; variants from the
maintained `nicknames` list). A surname alone, or a first name alone, joins the one person it can
belong to, preferring people named in the same text; when it could be two people there, it is
ambiguous and is left to a person to decide, never guessed. People's decisions (merge two persons,
keep a form apart) are applied on top.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from functools import cache

from qualkit.anonymise.vocabulary import NICKNAME_PREFIXES, ROLE_ABBREVIATIONS, TITLES_FOLDED

TextKey = Hashable  # which text a mention is in (a document id, a line number)
AMBIGUOUS = -1
_POSSESSIVE = re.compile(r"['’]s?$")
_PARTICLES = frozenset("de da di del della der den van von le la du st mac bin ibn al el".split())


def normalise(term: str) -> str:
    """The key one term goes by, however it is written: case, spacing, possessive, a leading "the"."""
    term = re.sub(r"\s+", " ", term).strip().casefold()
    term = _POSSESSIVE.sub("", term)
    return term.removeprefix("the ")


@dataclass(frozen=True)
class NameParts:
    """A mention read as a name: `first` and `last` when both are written, `last` alone after a title
    ("Mrs Doyle") or an initial ("D. Okafor"), `single` for one bare word ("Dani", "Doyle")."""

    first: str | None = None
    last: str | None = None
    initial: str | None = None
    single: str | None = None

    @property
    def full(self) -> bool:
        return self.first is not None and self.last is not None


def parse_name(text: str) -> NameParts | None:
    """The parts of a name as written; None when nothing in it is a name word."""
    raw = [w for w in normalise(text).replace(".", ". ").split()]
    titled = any(w.rstrip(".") in TITLES_FOLDED or w.rstrip(".").upper() in ROLE_ABBREVIATIONS for w in raw)
    words = [w.rstrip(".") for w in raw if w.rstrip(".") not in TITLES_FOLDED
             and w.rstrip(".").upper() not in ROLE_ABBREVIATIONS
             and w.rstrip(".").capitalize() not in NICKNAME_PREFIXES and any(c.isalpha() for c in w)]
    if not words:
        return None
    initial = words[0] if len(words[0]) == 1 else None
    if initial:
        words = words[1:]
        if not words:
            return None
    last = _surname(words)
    if len(words) == 1 or last == " ".join(words):
        if initial or titled:
            return NameParts(last=last, initial=initial)
        return NameParts(single=words[0]) if len(words) == 1 else NameParts(last=last)
    return NameParts(first=words[0], last=last)


def _surname(words: list[str]) -> str:
    """The last word, with the particles before it ("de castella", "van der berg")."""
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(words[start:])


@cache
def _namer():  # type: ignore[no-untyped-def]
    from nicknames import NickNamer

    return NickNamer()


@cache
def first_name_family(name: str) -> frozenset[str]:
    """A first name with its formal forms and their short forms ("dani" -> dani, danielle, ...)."""
    namer = _namer()
    formal = {name} | set(namer.canonicals_of(name))
    return frozenset(formal | {short for f in formal for short in namer.nicknames_of(f)})


def same_first_name(a: str, b: str) -> bool:
    """Whether two first names can be one person's: equal, or one a short form of the other."""
    if a == b:
        return True
    namer = _namer()
    return b in namer.nicknames_of(a) or a in namer.nicknames_of(b) \
        or bool(set(namer.canonicals_of(a)) & (set(namer.canonicals_of(b)) | {b})) \
        or a in namer.canonicals_of(b)


@dataclass
class Person:
    """One person: the first names and surname they go by, every form they were found as, and the
    texts they were found in."""

    id: int
    first: set[str] = field(default_factory=set)
    last: str | None = None
    initial: str | None = None
    forms: set[str] = field(default_factory=set)
    texts: set[TextKey] = field(default_factory=set)
    label: str | None = None  # a participant label the person is known by ("Keyworker B")

    def has_first(self, name: str) -> bool:
        return any(same_first_name(name, f) for f in self.first)

    def takes_full(self, parts: NameParts) -> bool:
        assert parts.first is not None and parts.last is not None
        if self.last != parts.last:
            return False
        if self.first:
            return self.has_first(parts.first)
        return self.initial is None or parts.first.startswith(self.initial)


class PeopleIndex:
    """Mentions clustered into persons as they are added. Add full names first (`add_all` does), so a
    bare first name finds the person it belongs to.

    `apart`: forms a person decided are someone of their own (never joined to others by the rules).
    """

    def __init__(self, apart: Iterable[str] = ()) -> None:
        self.people: list[Person] = []
        self.apart = {normalise(f) for f in apart}
        self._resolved: dict[tuple[TextKey, str], int] = {}
        self._by_form: dict[str, int] = {}  # forms kept apart, and single words of no one else

    def add_all(self, mentions: Iterable[tuple[TextKey, str]], labels: dict[str, str] | None = None) -> None:
        """Every mention, full names first, then surnames, then bare words; `labels` are participants'
        names ({name: participant label}), added first so that they anchor their person."""
        for name, label in (labels or {}).items():
            self.person(self.add(None, name)).label = label
        parsed = [(text, mention, parse_name(mention)) for text, mention in mentions]
        order = sorted(range(len(parsed)), key=lambda i: _rank(parsed[i][2]))
        for i in order:
            text, mention, parts = parsed[i]
            if parts is not None:
                self._add(text, mention, parts)

    def add(self, text: TextKey, mention: str) -> int:
        """The person `mention` (in `text`) is, created if need be; AMBIGUOUS when it could be two."""
        key = (text, normalise(mention))
        if key in self._resolved:
            return self._resolved[key]
        parts = parse_name(mention)
        if parts is None:
            parts = NameParts(single=normalise(mention))
        return self._add(text, mention, parts)

    def person_of(self, text: TextKey, mention: str) -> int | None:
        """Who an added mention is (AMBIGUOUS, or None when it was never added)."""
        return self._resolved.get((text, normalise(mention)))

    def person(self, person_id: int) -> Person:
        return self.people[person_id]

    def ambiguous(self) -> list[tuple[TextKey, str]]:
        return [key for key, found in self._resolved.items() if found == AMBIGUOUS]

    def _add(self, text: TextKey, mention: str, parts: NameParts) -> int:
        form = normalise(mention)
        key = (text, form)
        if key in self._resolved:
            return self._resolved[key]
        if form in self.apart:
            found = self._by_form.get(form)
            person = self._new(parts) if found is None else self.people[found]
            self._by_form[form] = person.id
        elif parts.full:
            person = self._full_name_owner(parts) or self._new(parts)
            assert parts.first is not None
            person.first.add(parts.first)
            person.last = parts.last
        else:
            chosen = self._choose(text, parts)
            if chosen == AMBIGUOUS:
                self._resolved[key] = AMBIGUOUS
                return AMBIGUOUS
            person = self.people[chosen] if chosen is not None else self._new(parts)
        person.forms.add(form)
        person.texts.add(text)
        self._resolved[key] = person.id
        return person.id

    def _full_name_owner(self, parts: NameParts) -> Person | None:
        """The person a full name is: one with this surname and first name, else the one person known
        by this first name alone (a participant's "Dani" becomes "Dani Okafor")."""
        free = [p for p in self.people if not p.forms & self.apart]
        owner = next((p for p in free if p.takes_full(parts)), None)
        if owner is None:
            assert parts.first is not None
            bare = [p for p in free if p.last is None and p.has_first(parts.first)]
            owner = bare[0] if len(bare) == 1 else None
        return owner

    def _choose(self, text: TextKey, parts: NameParts) -> int | None:
        """The one person a surname or a bare word can be: among people in the same text first, then
        in the whole project; AMBIGUOUS when two could be meant, None when no one is."""
        candidates = [p for p in self.people if not p.forms & self.apart and _could_be(p, parts)]
        for scope in ([p for p in candidates if text in p.texts], candidates):
            if len(scope) == 1:
                return scope[0].id
            if len(scope) > 1:
                return AMBIGUOUS
        return None

    def _new(self, parts: NameParts) -> Person:
        person = Person(len(self.people), last=parts.last, initial=parts.initial)
        if parts.first:
            person.first.add(parts.first)
        elif parts.single:
            person.first.add(parts.single)  # a bare word: a first name until a surname says otherwise
        self.people.append(person)
        return person

    def merge_forms(self, forms: Iterable[str]) -> None:
        """A person's decision that these forms are one person: their persons become one, and their
        ambiguous mentions are that person."""
        wanted = {normalise(f) for f in forms}
        ids = sorted({pid for (_, form), pid in self._resolved.items()
                      if form in wanted and pid != AMBIGUOUS})
        if not ids:
            return
        keep = self.people[ids[0]]
        for other in ids[1:]:
            gone = self.people[other]
            keep.first |= gone.first
            keep.forms |= gone.forms
            keep.texts |= gone.texts
            keep.label = keep.label or gone.label
            gone.forms, gone.first, gone.texts = set(), set(), set()
        self._resolved = {k: (keep.id if v in ids or (v == AMBIGUOUS and k[1] in wanted) else v)
                          for k, v in self._resolved.items()}


def _could_be(person: Person, parts: NameParts) -> bool:
    if parts.last is not None:  # "Mrs Doyle", "D. Okafor"
        initial = parts.initial
        return person.last == parts.last and (
            initial is None or not person.first or any(f.startswith(initial) for f in person.first))
    word = parts.single
    assert word is not None
    # A short form joins only someone known by a full name: "Dani" is Danielle Okafor's, but two bare
    # names ("Bill", "Will") are two people even if both could be short for William.
    return person.last == word or word in person.first or (person.last is not None and person.has_first(word))


def _rank(parts: NameParts | None) -> int:
    if parts is None:
        return 3
    return 0 if parts.full else 1 if parts.last is not None else 2
