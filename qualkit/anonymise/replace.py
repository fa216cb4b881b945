"""Consistent, readable pseudonyms, and the anonymised text with a record of every replacement.

One `PseudonymKey` serves a whole project: the same person is the same pseudonym in every document
("Jodie", "Jodie Marsh" and "Mrs Marsh" alike where the names link up), numbered or lettered by role
when the participants sheet says who is who ("[Keyworker A]", "[Child 1]"). The key maps originals
to pseudonyms, so it is personal data itself: it serialises to a dict for the project to store apart
from exports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

from qualkit.anonymise.detection import Detection, resolve
from qualkit.anonymise.propagate import normalise
from qualkit.anonymise.vocabulary import (
    DECADE_WORDS,
    NUMBER_WORD_PATTERN,
    ROLE_ABBREVIATIONS,
    TITLES_FOLDED,
    parse_number,
)
from qualkit.errors import QualkitError

STYLES = ("bracket", "realistic")
KEY_VERSION = 1
FIXED = {"DATE": "[Date]", "PHONE": "[Phone]", "EMAIL": "[Email]", "POSTCODE": "[Postcode]",
         "ADDRESS": "[Address]", "IDNUM": "[ID number]"}
# Family roles are counted ("[Child 2]"); professionals are lettered, as evaluations name them.
FAMILY_ROLES = {"child": "Child", "son": "Child", "daughter": "Child", "young person": "Young person",
                "parent": "Parent", "mum": "Parent", "dad": "Parent", "mother": "Parent",
                "father": "Parent", "carer": "Parent", "grandparent": "Grandparent", "nan": "Grandparent",
                "sibling": "Sibling", "brother": "Sibling", "sister": "Sibling", "baby": "Child"}
_SCHOOL = re.compile(r"\b(?:school|academy|primary|college|nursery|infants|juniors|high|university|"
                     r"sixth form)\b", re.IGNORECASE)
# Replacement names for the realistic style: unisex, common, and in no fixed order of meaning.
REALISTIC_FIRST = ("Alex Sam Jordan Robin Charlie Jamie Morgan Casey Riley Taylor Avery Quinn Rowan Sasha "
                   "Frankie Jesse Kit Remy Drew Ellis Harper Logan Parker Reese Sydney Toni Blair Cameron "
                   "Dana Emerson Finley Hayden Jules Kai Max Nico Oakley Peyton Sage Tyne").split()
REALISTIC_SURNAMES = ("Ashby Barlow Carver Denton Ellison Fenwick Garside Hartley Ingram Jessop Kendal "
                      "Lowther Marsden Norcliffe Oakes Pickard Quarmby Ridley Sowerby Thwaite").split()
REALISTIC_PLACES = ("Elmsford Harwick Dunmere Caldbeck Thornbury Westleigh Ashgrove Brackwell Fellside "
                    "Oakmoor Redbeck Stanwick").split()
REALISTIC_ORGS = ("Northgate Trust", "Riverside Centre", "Hillview Services", "Brookside Project")
REALISTIC_SCHOOLS = ("Elmfield Academy", "Oakwood Primary", "Hawthorn High", "Larchmont Primary")


class PseudonymKeyError(QualkitError):
    """A stored pseudonym key is not one this version of qualkit reads."""


@dataclass(frozen=True, slots=True)
class Replacement:
    """`original_text[start:end]` became `replacement`."""

    start: int
    end: int
    label: str
    replacement: str

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "replacement": self.replacement}


class PseudonymKey:
    """Originals to pseudonyms for one project, consistent across documents and runs.

    `roles` are hints from the participants sheet, {name: role} ("Dani": "keyworker"). `style`:
    "bracket" ("[Person 3]") or "realistic" (replacement names from fixed lists, in order of first
    appearance, so the same project gives the same names every run).
    """

    def __init__(self, style: str = "bracket", roles: Mapping[str, str] | None = None) -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
        self.style = style
        self.roles = {normalise(name): role.strip().casefold() for name, role in (roles or {}).items()}
        self.entries: dict[str, dict[str, str]] = {}
        self.counters: dict[str, int] = {}

    def pseudonym(self, original: str, label: str) -> str:
        """The pseudonym for `original` found as `label`, allocating one on first sight."""
        if label in FIXED:
            return FIXED[label]
        if label == "AGE":
            return age_band(original)
        entries = self.entries.setdefault(label, {})
        key = normalise(original)
        found = entries.get(key) or (self._linked(key) if label == "PERSON" else None)
        if found is None:
            found = self._allocate(key, label, original)
        entries[key] = found
        return found

    def _linked(self, key: str) -> str | None:
        """A name already known under another form: "Jodie" of "Jodie Marsh", "Tierney" of "Joanne
        Tierney", "Mrs Tierney"."""
        people = self.entries.get("PERSON", {})
        words = _name_words(key)
        if not words:
            return None
        if " ".join(words) in people:
            return people[" ".join(words)]
        if len(words) > 1:
            return people.get(words[0]) or _unique(p for k, p in people.items()
                                                   if _name_words(k)[:1] == words[:1])
        full = [(_name_words(k), p) for k, p in people.items() if len(_name_words(k)) > 1]
        return (_unique(p for w, p in full if w[0] == words[0])
                or _unique(p for w, p in full if w[-1] == words[0]))

    def _allocate(self, key: str, label: str, original: str) -> str:
        category, lettered = self._category(key, label, original)
        count = self.counters[category] = self.counters.get(category, 0) + 1
        if self.style == "realistic":
            return self._realistic(category, count, key)
        return f"[{category} {_letter(count) if lettered else count}]"

    def _category(self, key: str, label: str, original: str) -> tuple[str, bool]:
        if label == "PERSON":
            words = _name_words(key)
            role = self.roles.get(key) or (self.roles.get(words[0]) if words else None)
            if role is None:
                return "Person", False
            if role in FAMILY_ROLES:
                return FAMILY_ROLES[role], False
            return role[:1].upper() + role[1:], True
        if label == "ORG":
            return ("School" if _SCHOOL.search(original) else "Organisation"), False
        return "Place", False

    def _realistic(self, category: str, count: int, key: str) -> str:
        used = {w for entries in self.entries.values() for k in entries for w in k.split()} | set(key.split())
        if category == "Place":
            pool: Iterable[str] = REALISTIC_PLACES
        elif category == "School":
            pool = REALISTIC_SCHOOLS
        elif category == "Organisation":
            pool = REALISTIC_ORGS
        else:
            pool = REALISTIC_FIRST
            if len(_name_words(key)) > 1:
                pool = [f"{first} {REALISTIC_SURNAMES[i % len(REALISTIC_SURNAMES)]}"
                        for i, first in enumerate(REALISTIC_FIRST)]
        taken = {p.split()[0] for entries in self.entries.values() for p in entries.values()}
        free = [c for c in pool if not set(c.casefold().split()) & used and c.split()[0] not in taken]
        return free[0] if free else f"{next(iter(pool))} {count}"

    def to_dict(self) -> dict[str, Any]:
        return {"version": KEY_VERSION, "style": self.style, "roles": dict(self.roles),
                "entries": {label: dict(e) for label, e in self.entries.items()},
                "counters": dict(self.counters)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PseudonymKey:
        if data.get("version") != KEY_VERSION:
            raise PseudonymKeyError(f"The stored pseudonym key has version {data.get('version')!r}; this "
                                    f"qualkit reads version {KEY_VERSION}.",
                                    "Upgrade qualkit, or re-run anonymisation to build a new key.")
        key = cls(data["style"])
        key.roles = dict(data["roles"])
        key.entries = {label: dict(e) for label, e in data["entries"].items()}
        key.counters = dict(data["counters"])
        return key


def anonymise(text: str, detections: Iterable[Detection], key: PseudonymKey) -> tuple[str, list[Replacement]]:
    """`text` with each detection replaced by its pseudonym, and the replacements in text order with
    offsets into the original `text`."""
    pieces: list[str] = []
    replacements: list[Replacement] = []
    position = 0
    for detection in resolve(detections, text):
        replacement = key.pseudonym(text[detection.start:detection.end], detection.label)
        pieces += [text[position:detection.start], replacement]
        replacements.append(Replacement(detection.start, detection.end, detection.label, replacement))
        position = detection.end
    pieces.append(text[position:])
    return "".join(pieces), replacements


def age_band(original: str) -> str:
    """"[Age: child]" under 13, "[Age: teens]" to 19, then the decade: "[Age: 30s]"."""
    text = original.casefold()
    decade = re.search(r"(\d)0s|(" + "|".join(DECADE_WORDS) + ")", text)
    if decade:
        value = int(decade.group(1)) * 10 if decade.group(1) else DECADE_WORDS[decade.group(2)]
    elif re.search(r"\b(?:months?|weeks?)\b", text):
        value = 0
    else:
        number = re.search(rf"\d+|{NUMBER_WORD_PATTERN}", text)
        found = parse_number(number.group()) if number else None
        if found is None:
            return "[Age]"
        value = found
    if value < 13:
        return "[Age: child]"
    if value < 20:
        return "[Age: teens]"
    return f"[Age: {value // 10 * 10}s]"


def _name_words(key: str) -> list[str]:
    return [w for w in key.replace(".", " ").split()
            if w not in TITLES_FOLDED and w.upper() not in ROLE_ABBREVIATIONS and len(w) > 1]


def _unique(found: Iterable[str]) -> str | None:
    distinct = set(found)
    return distinct.pop() if len(distinct) == 1 else None


def _letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters
