"""The place gazetteer: towns and cities of the UK and Ireland, the world's big cities and every country.

Names come from GeoNames (CC-BY) as packaged by geotext (MIT, a 2 MB wheel of plain tables, read in
~0.1 s): about 800 towns of the British Isles over 15,000 people, 300 cities over a million and 250
countries. Many towns are surnames too ("Blackburn", "Rochdale"); as a gazetteer word they are places,
unless they are also first names ("Chelsea", "Paisley"), which are places only after a place word
("down Chelsea"). Towns that are everyday words ("Reading", "Bath") count only when used as places:
capitalised inside a sentence, after a place word ("moved to Reading", not "Bath time").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from spacy.tokens import Doc, Span, Token

from qualkit.anonymise.detection import Detection, make
from qualkit.anonymise.lexicon import RARE_LOWER, Lexicon
from qualkit.anonymise.organisations import is_known_organisation
from qualkit.anonymise.vocabulary import CALENDAR_WORDS, GENERIC_TERMS, LANGUAGES, NOT_NAMES, ROLE_WORDS

BRITISH_ISLES = frozenset({"GB", "IE", "IM", "JE", "GG"})
BIG_CITY = 1_000_000
# A town of the British Isles this big is the town even where its name is a first name too ("London").
BIG_TOWN = 250_000
# Before a place: "in Oldham", "down Chelsea", "from Paisley", "moved to Reading".
PLACE_PREPOSITIONS = frozenset("in from to at near round around outside towards up down over into via "
                               "through past".split())
# Words inside a multi-word place name that stay lower case ("Kingston upon Hull", "Stoke-on-Trent").
_JOINERS = frozenset({"upon", "on", "under", "le", "in", "the", "de", "by", "en", "of"})
_LONGEST = 6  # tokens in the longest place name looked up ("Stockton-on-Tees" is five)
KNOWN_PLACE = "known place"
PLACE_SHAPE = "word shaped like a place name"
# Endings of English place names ("Hillingdon", "Yorkshire", "Broadfield"): a capitalised word in no
# word list nor name list that ends so is taken for a place rather than a person.
TOPONYM_ENDINGS = re.compile(r"(?:shire|ington|ton|don|ham|field|ford|bury|borough|brough|worth|wick|"
                             r"moor|dale|stead|mouth|pool|port|bridge|thorpe|caster|chester|cester|minster|"
                             r"combe|hurst|holme|wich|by)$")
# Before a place, part of its name: "North Yorkshire", "Greater Manchester".
COMPASS = frozenset("North South East West Northern Southern Eastern Western Mid Greater Central Upper "
                    "Lower".split())


@dataclass(frozen=True)
class Places:
    """Place names, case-folded and with single spaces."""

    names: frozenset[str]
    big: frozenset[str] = frozenset()  # big towns of the British Isles: the place, whatever else

    def is_place(self, words: str) -> bool:
        return " ".join(words.split()).casefold() in self.names

    def is_big_place(self, words: str) -> bool:
        return " ".join(words.split()).casefold() in self.big


def place_shaped(word: str) -> bool:
    """Whether a capitalised word ends as English place names do ("Hillingdon", "Herefordshire")."""
    return len(word) > 5 and word[:1].isupper() and word[1:].islower() \
        and bool(TOPONYM_ENDINGS.search(word.casefold()))


@cache
def load_places() -> Places:
    """The gazetteer, read once per process."""
    data = files("geotext") / "data"
    names: set[str] = set()
    big: set[str] = set()
    with (data / "cities15000.txt").open(encoding="utf-8") as table:
        for line in table:
            columns = line.split("\t")
            if len(columns) > 14 and (columns[8] in BRITISH_ISLES or _population(columns[14]) >= BIG_CITY):
                names.update((_cleaned(columns[1]), _cleaned(columns[2])))
                if columns[8] in BRITISH_ISLES and _population(columns[14]) >= BIG_TOWN:
                    big.update((_cleaned(columns[1]), _cleaned(columns[2])))
    with (data / "countryInfo.txt").open(encoding="utf-8-sig") as table:
        for line in table:
            columns = line.split("\t")
            if not line.startswith("#") and len(columns) > 4:
                names.add(_cleaned(columns[4]))
    never = ROLE_WORDS | NOT_NAMES | GENERIC_TERMS | CALENDAR_WORDS | LANGUAGES
    kept = frozenset(name for name in names if name and name not in never and not is_known_organisation(name))
    return Places(kept, frozenset(big & kept))


def _population(value: str) -> int:
    return int(value) if value.isdigit() else 0


def _cleaned(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_places(doc: Doc, lexicon: Lexicon, places: Places | None = None) -> Iterator[Detection]:
    """PLACE detections of the gazetteer's names where they are used as places."""
    places = places or load_places()
    i = 0
    while i < len(doc):
        # Only a capitalised word opens a name of several words; a lower-case one is a place alone.
        longest = min(_LONGEST, len(doc) - i) if doc[i].text[:1].isupper() else 1
        for size in range(longest, 0, -1):
            span = doc[i:i + size]
            if places.is_place(span.text) and _used_as_place(span, lexicon):
                start = span.start_char
                before = doc[i - 1] if i > 0 else None
                if before is not None and before.text in COMPASS and not before.whitespace_.count("\n"):
                    start = before.idx  # "North Yorkshire", "Greater Manchester"
                yield make(doc.text, start, span.end_char, "PLACE", "gazetteer", KNOWN_PLACE)
                i += size
                break
        else:
            i += 1


def after_place_word(token: Token) -> bool:
    before = token.doc[token.i - 1] if token.i > 0 else None
    return before is not None and before.lower_ in PLACE_PREPOSITIONS


def _used_as_place(span: Span, lexicon: Lexicon) -> bool:
    words = [t.text for t in span if not t.is_punct]
    if not words or any(not w[:1].isupper() and w.casefold() not in _JOINERS for w in words):
        return _lower_case_place(span, lexicon)
    if not words[0][:1].isupper():
        return False
    single = len(span) == 1
    if single and (lexicon.is_ordinary_word(span.text) or lexicon.is_first_name(span.text)):
        # "moved to Reading", "down Chelsea"; never "Bath time" or "Chelsea said"
        return after_place_word(span[0])
    return True


def _lower_case_place(span: Span, lexicon: Lexicon) -> bool:
    """A transcript's "down in oldham": a town no word list knows, in lower case, after a place word."""
    text = span.text
    return len(span) == 1 and text.islower() and text.isalpha() and after_place_word(span[0]) \
        and not lexicon.is_ordinary_word(text) and lexicon.lower_frequency(text) <= RARE_LOWER
