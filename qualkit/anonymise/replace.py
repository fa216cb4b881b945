"""Consistent, readable pseudonyms, and the anonymised text with a record of every replacement.

One `PseudonymKey` serves a whole project: the same person is the same pseudonym in every document
("Jodie", "Jodie Marsh" and "Mrs Marsh" alike where the names link up, see `people.py`), numbered or
lettered by role when the participants sheet says who is who ("[Keyworker A]", "[Child 1]"). The key
maps originals to pseudonyms, so it is personal data itself: it serialises to a dict for the project
to store apart from exports.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

from qualkit.anonymise.detection import Detection, resolve
from qualkit.anonymise.people import AMBIGUOUS, PeopleIndex, Person, TextKey, normalise
from qualkit.anonymise.vocabulary import (
    DECADE_WORDS,
    NUMBER_WORD_PATTERN,
    ROLE_ABBREVIATIONS,
    TITLES_FOLDED,
    parse_number,
)
from qualkit.errors import QualkitError

STYLES = ("bracket", "realistic")
KEY_VERSION = 2
AMBIGUOUS_PERSON = "[Person]"  # a name that could be two people in its text: no one's pseudonym
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

    People are entities (`people.PeopleIndex`): every form of one person's name gets that person's
    pseudonym, and two people never share one. `roles` are hints from the participants sheet,
    {name: role} ("Dani": "keyworker"); `participants` map a participant's own names to the label the
    evaluator gave them ({"Danielle Okafor": "Keyworker B"}), which is then their pseudonym in text
    too. `style`: "bracket" ("[Person 3]") or "realistic" (replacement names from fixed lists, in
    order of first appearance, so the same project gives the same names every run). A key read back
    from storage remembers each person's pseudonym by their names, so people keep it across runs.
    """

    def __init__(self, style: str = "bracket", roles: Mapping[str, str] | None = None,
                 participants: Mapping[str, str] | None = None) -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
        self.style = style
        self.roles = {normalise(name): role.strip().casefold() for name, role in (roles or {}).items()}
        self.participants = {name: label for name, label in (participants or {}).items() if name.strip()}
        self.entries: dict[str, dict[str, str]] = {}  # places, organisations: one pseudonym per term
        self.counters: dict[str, int] = {}
        self.hints: dict[str, str] = {}  # a person's name -> the pseudonym an earlier run gave them
        self.merged: list[list[str]] = []  # people's decisions: these names are one person
        self.apart: list[str] = []  # people's decisions: this name is someone of their own
        self._index = PeopleIndex()
        self._anchored = False
        self._given: dict[int, str] = {}  # person id -> pseudonym

    # --- people -----------------------------------------------------------------------------------

    def learn_people(self, mentions: Iterable[tuple[TextKey, str]]) -> None:
        """Cluster every PERSON mention of the project ((text key, name as found)) into people, full
        names first, before any pseudonym is given; people's merge decisions are applied last."""
        self._index = PeopleIndex(self.apart)
        self._given = {}
        self._index.add_all(mentions, labels=self.participants)
        self._anchored = True
        for group in self.merged:
            self._index.merge_forms(group)
        # Earlier pseudonyms go first to the people known by a full name, then by most names, so a
        # name split off by a decision does not take its old owner's pseudonym.
        returning = [p for p in self._index.people if p.forms & set(self.hints)]
        for person in sorted(returning, key=_claim_order):
            self._person_pseudonym(person.id)

    def ambiguous(self) -> list[tuple[TextKey, str]]:
        """Mentions that could be two people in their text: given no person's pseudonym."""
        return self._index.ambiguous()

    def people(self) -> list[tuple[str, list[str]]]:
        """Each person found, as (pseudonym, the forms of their name), in order of pseudonym."""
        found = [(self._person_pseudonym(p.id), sorted(p.forms)) for p in self._index.people if p.forms]
        return sorted(found, key=lambda item: natural_order(item[0]))

    def _person(self, original: str, text: TextKey) -> int:
        if not self._anchored:
            self._index.add_all((), labels=self.participants)
            self._anchored = True
        found = self._index.person_of(text, original)
        return self._index.add(text, original) if found is None else found

    def _person_pseudonym(self, person_id: int) -> str:
        if person_id == AMBIGUOUS:
            return AMBIGUOUS_PERSON
        if person_id in self._given:
            return self._given[person_id]
        person = self._index.person(person_id)
        taken = set(self._given.values())
        if person.label:
            chosen = f"[{person.label}]" if self.style == "bracket" else person.label
        else:
            hinted = [self.hints[f] for f in sorted(person.forms, key=len, reverse=True)
                      if f in self.hints and self.hints[f] not in taken]
            earlier = Counter(hinted)
            full = hinted
            chosen = (full[0] if full and earlier[full[0]] == max(earlier.values()) else
                      earlier.most_common(1)[0][0]) if earlier else self._allocate_person(person.forms)
        self._given[person_id] = chosen
        return chosen

    def _allocate_person(self, forms: set[str]) -> str:
        role = next((self.roles[f] for f in sorted(forms) if f in self.roles), None) or next(
            (self.roles[w] for f in sorted(forms) for w in _name_words(f) if w in self.roles), None)
        if role is None:
            category, lettered = "Person", False
        elif role in FAMILY_ROLES:
            category, lettered = FAMILY_ROLES[role], False
        else:
            category, lettered = role[:1].upper() + role[1:], True
        return self._next(category, lettered, max(forms, key=len, default=""))

    # --- every label ------------------------------------------------------------------------------

    def pseudonym(self, original: str, label: str, text: TextKey = None) -> str:
        """The pseudonym for `original` found as `label` (in the text `text`, for people), allocating
        one on first sight."""
        if label in FIXED:
            return FIXED[label]
        if label == "AGE":
            return age_band(original)
        if label == "PERSON":
            return self._person_pseudonym(self._person(original, text))
        entries = self.entries.setdefault(label, {})
        key = normalise(original)
        if key not in entries:
            school = _SCHOOL.search(original)
            category = "Place" if label != "ORG" else "School" if school else "Organisation"
            entries[key] = self._next(category, False, key)
        return entries[key]

    def known_pseudonym(self, name: str) -> str | None:
        """The pseudonym of a person known by exactly this name, if one is (for labels such as a
        speaker's name); None when the name is unknown or could be two people."""
        form = normalise(name)
        owners = {self._person_pseudonym(p.id) for p in self._index.people if form in p.forms}
        if len(owners) == 1:
            return owners.pop()
        return self.hints.get(form) if not owners else None

    def names(self) -> set[str]:
        """Every original the key knows, normalised: people's names, places, organisations."""
        return {*(f for p in self._index.people for f in p.forms), *self.hints,
                *(o for e in self.entries.values() for o in e)}

    def table(self) -> list[tuple[str, str, str]]:
        """(label, original, pseudonym) for every name in the key: personal data, for the key file."""
        rows = [("PERSON", form, person["pseudonym"]) for person in self.to_dict()["people"]
                for form in person["names"]]
        rows += [(label, original, pseudonym) for label, entries in sorted(self.entries.items())
                 for original, pseudonym in sorted(entries.items())]
        return rows

    def _next(self, category: str, lettered: bool, key: str) -> str:
        count = self.counters[category] = self.counters.get(category, 0) + 1
        if self.style == "realistic":
            return self._realistic(category, count, key)
        return f"[{category} {_letter(count) if lettered else count}]"

    def _realistic(self, category: str, count: int, key: str) -> str:
        used = {w for original in self.names() for w in original.split()} | set(key.split())
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
        taken = {p.split()[0] for p in [*self._given.values(), *self.hints.values(),
                                         *(v for e in self.entries.values() for v in e.values())]}
        free = [c for c in pool if not set(c.casefold().split()) & used and c.split()[0] not in taken]
        return free[0] if free else f"{next(iter(pool))} {count}"

    def to_dict(self) -> dict[str, Any]:
        names: dict[str, set[str]] = {}
        for pseudonym, forms in self.people():
            names.setdefault(pseudonym, set()).update(forms)
        met = {form for forms in names.values() for form in forms}
        for form, pseudonym in self.hints.items():  # people not met this run keep theirs for a later one
            if form not in met:
                names.setdefault(pseudonym, set()).add(form)
        people = [{"pseudonym": p, "names": sorted(names[p])} for p in sorted(names, key=natural_order)]
        return {"version": KEY_VERSION, "style": self.style, "roles": dict(self.roles),
                "participants": dict(self.participants), "people": people,
                "entries": {label: dict(e) for label, e in self.entries.items()},
                "counters": dict(self.counters), "merged": [list(g) for g in self.merged],
                "apart": list(self.apart)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PseudonymKey:
        """A stored key: its people's pseudonyms become hints that the next clustering honours. A
        version 1 key (strings, not people) is read the same way."""
        version = data.get("version")
        if version not in (1, KEY_VERSION):
            raise PseudonymKeyError(f"The stored pseudonym key has version {version!r}; this "
                                    f"qualkit reads versions 1 and {KEY_VERSION}.",
                                    "Upgrade qualkit, or re-run anonymisation to build a new key.")
        key = cls(data["style"], participants=data.get("participants"))
        key.roles = dict(data["roles"])
        entries = {label: dict(e) for label, e in data["entries"].items()}
        owners: dict[str, set[str]] = {}
        for person in data.get("people", ()):
            for form in person["names"]:
                owners.setdefault(form, set()).add(person["pseudonym"])
        owners.update({form: {p} for form, p in entries.pop("PERSON", {}).items() if form not in owners})
        key.hints = {form: found.pop() for form, found in owners.items() if len(found) == 1}
        key.entries = entries
        key.counters = dict(data["counters"])
        key.merged = [list(g) for g in data.get("merged", ())]
        key.apart = list(data.get("apart", ()))
        return key


def anonymise(text: str, detections: Iterable[Detection], key: PseudonymKey,
              text_key: TextKey = None) -> tuple[str, list[Replacement]]:
    """`text` with each detection replaced by its pseudonym, and the replacements in text order with
    offsets into the original `text`."""
    pieces: list[str] = []
    replacements: list[Replacement] = []
    position = 0
    for detection in resolve(detections, text):
        replacement = key.pseudonym(text[detection.start:detection.end], detection.label, text_key)
        pieces += [text[position:detection.start], replacement]
        replacements.append(Replacement(detection.start, detection.end, detection.label, replacement))
        position = detection.end
    pieces.append(text[position:])
    return "".join(pieces), replacements


def anonymise_all(texts: Sequence[str], detections: Sequence[Iterable[Detection]],
                  key: PseudonymKey) -> list[tuple[str, list[Replacement]]]:
    """Every text of one project anonymised with one key: the people named anywhere are clustered
    first, so "Dani" in one text and "Danielle Okafor" in another are one person, and two people
    with one first name are two."""
    resolved = [resolve(found, text) for text, found in zip(texts, detections, strict=True)]
    pairs = list(enumerate(zip(texts, resolved, strict=True)))
    key.learn_people((i, d.text) for i, (_, found) in pairs for d in found if d.label == "PERSON")
    return [anonymise(text, found, key, i) for i, (text, found) in pairs]


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


def _letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return letters


def _claim_order(person: Person) -> tuple[bool, int, int]:
    return not any(" " in f for f in person.forms), -len(person.forms), person.id


def natural_order(pseudonym: str) -> tuple[str, int, str]:
    """"[Person 2]" before "[Person 10]"."""
    found = re.match(r"\[?(\D*?)\s*(\d+)?\]?$", pseudonym)
    if found is None:
        return pseudonym, 0, pseudonym
    return found.group(1), int(found.group(2) or 0), pseudonym
