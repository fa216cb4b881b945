"""The name gazetteer and the word-frequency test that tells a name from an ordinary word.

Names come from Faker's person providers (MIT, pure data: a 2 MB wheel, 14 MB installed): first
names and surnames of its ~90 locales, Latin script only, about 21k first names and 18k surnames
spanning the UK's communities (English, Irish, Welsh, Polish, Romanian, Nigerian, Ghanaian, Kenyan,
South Asian, Turkish...). They load in ~0.2 s. names-dataset was the alternative: its wheel alone is
56 MB and it loads into gigabytes of memory, for a long tail of names that NER and propagation catch.

Name lists are full of words ("Hope", "Will", "May", "Said", "Early"), so each name is checked
against spaCy's English word frequencies (`spacy-lookups-data`, already a dependency): a name is an
*ordinary word* when its lower-case form is frequent, or at least as frequent as its capitalised
form. Ordinary-word names count only when used as names; the others count wherever they appear.
Rarer words are checked against spaCy's English lemma tables (~80k word forms): a lower-case word in
none of them, where a name goes, is a name ("me and kasia"). Reading the tables takes ~1.5 s, once
per process.
"""

from __future__ import annotations

import gzip
import importlib
import inspect
import json
import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from qualkit.anonymise.vocabulary import NOT_NAMES, ROLE_WORDS

_NEVER = ROLE_WORDS | NOT_NAMES

# log-probabilities from spaCy's English lexeme table; a word not in it is rarer than any in it.
UNSEEN = -20.0
COMMON = -12.0  # more frequent than this in lower case: an ordinary word, whatever its capital use
RARE = -14.0  # rarer than this in lower case: never an ordinary word
RARE_LOWER = -13.0  # a lower-case name counts only when its lower-case form is at most this frequent
CAPITAL_MARGIN = 0.5  # lower-case use within this of capitalised use: an ordinary word
# A rare word written in lower case this much more often than capitalised (or never capitalised) is a
# word, not a name: "conferencing", "decluttered", "Careline". Names are written capitalised.
LOWER_MARGIN = 1.0
# Endings of derived word forms: a word whose stem is an English word is a word ("kayaking", "responsively").
# (Not a plural's "s" nor "er": "Goldsmiths", "Fletcher" are names as often as words.)
_SUFFIXES = ("ingly", "ings", "ing", "edly", "ed", "ly", "ness", "ments", "ment", "ations", "ation",
             "ions", "ion", "ied", "ily", "ity", "able", "ful")
_PREFIXES = ("de", "re", "un", "dis", "over", "under", "pre", "mis", "non", "co", "out", "up")

_FIRST = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_LAST = ("last_names", "last_names_male", "last_names_female")


@dataclass(frozen=True)
class Lexicon:
    """Known first names and surnames (case-folded), and the frequency of words as written."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    frequency: dict[str, float]  # log-probability of words and names, lower-case and capitalised
    dictionary: frozenset[str] = frozenset()  # English words in any form ("arrears", "landline")
    lower_case: frozenset[str] = frozenset()  # rare words written mostly in lower case ("decluttered")

    def is_first_name(self, word: str) -> bool:
        folded = word.casefold()
        return folded in self.first_names and folded not in _NEVER

    def is_surname(self, word: str) -> bool:
        folded = word.casefold()
        return folded in self.surnames and folded not in _NEVER

    def is_name(self, word: str) -> bool:
        return self.is_first_name(word) or self.is_surname(word)

    def lower_frequency(self, word: str) -> float:
        return self.frequency.get(word.casefold(), UNSEEN)

    def capital_frequency(self, word: str) -> float:
        return self.frequency.get(word[:1].upper() + word[1:].casefold(), UNSEEN)

    def is_ordinary_word(self, word: str) -> bool:
        """Whether `word` is an everyday English word rather than only a name ("Hope", not "Kayden")."""
        lower = self.lower_frequency(word)
        return lower > COMMON or (lower > RARE and lower >= self.capital_frequency(word) - CAPITAL_MARGIN)

    def is_dictionary_word(self, word: str) -> bool:
        """Whether `word`, however rare, is in spaCy's English lemma tables (names are not)."""
        return word.casefold() in self.dictionary

    def is_lower_case_word(self, word: str) -> bool:
        """Whether people write `word` mostly in lower case, as they do words and never names."""
        folded = word.casefold()
        if folded in self.lower_case:
            return True
        lower = self.frequency.get(folded)
        return lower is not None and lower >= self.capital_frequency(word) + LOWER_MARGIN

    def is_word_form(self, word: str) -> bool:
        """Whether `word`, however rare, is an English word rather than a name: written mostly in lower
        case, or a derived form of a word ("kayaking", "responsively", "decluttered", "Introductions")."""
        folded = word.casefold()
        return self.is_lower_case_word(folded) or any(self._known_stem(stem) for stem in _stems(folded))

    def _known_stem(self, stem: str) -> bool:
        return len(stem) > 3 and (stem in self.dictionary or self.lower_frequency(stem) > RARE) \
            and not self.is_first_name(stem)

    def is_proper_noun(self, word: str) -> bool:
        """Whether people write `word` mostly capitalised ("England", "Stockton"), as they do names."""
        capital = self.capital_frequency(word)
        return capital > UNSEEN and capital >= self.lower_frequency(word) + LOWER_MARGIN

    def is_lower_case_name(self, word: str) -> bool:
        """Whether a lower-case `word` in a transcript is a first name ("kayden"), not a word."""
        lower = self.lower_frequency(word)
        return (len(word) > 2 and self.is_first_name(word) and not self.is_ordinary_word(word)
                and lower <= RARE_LOWER and (lower == UNSEEN or lower < self.capital_frequency(word)))


def _stems(word: str) -> list[str]:
    """What `word` may be derived from: its stem without an ending (spelling restored: "conferenc" ->
    "conference", "lobb" -> "lob", "tidi" -> "tidy") or without a prefix ("declutter" -> "clutter")."""
    stems = [word[len(p):] for p in _PREFIXES if word.startswith(p) and len(word) - len(p) > 4]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) > 2:
            stem = word[:-len(suffix)]
            stems += [stem, stem + "e", stem[:-1] + "y" if suffix[0] == "i" else stem]
            if len(stem) > 3 and stem[-1] == stem[-2]:
                stems.append(stem[:-1])
            stems += [s[len(p):] for s in (stem, stem + "e") for p in _PREFIXES
                      if s.startswith(p) and len(s) - len(p) > 3]
    return stems


@cache
def load_lexicon() -> Lexicon:
    """The gazetteer, read once per process."""
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        first.update(_names(provider, _FIRST))
        last.update(_names(provider, _LAST))
    table = files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(str(table), "rt", encoding="utf-8") as handle:
        everything: dict[str, float] = json.load(handle)
    # Kept: names as written either way, and the words common enough to ever count as ordinary.
    words = [w for w, p in everything.items() if p > RARE and w.islower()]
    wanted = {form for word in (*first, *last, *words) for form in (word, word[:1].upper() + word[1:])}
    frequency = {word: everything[word] for word in wanted if word in everything}
    lower_case = frozenset(word for word, p in everything.items() if p <= RARE and len(word) > 2
                           and word.isalpha() and word.islower()
                           and p >= everything.get(word[:1].upper() + word[1:], -1e9) + LOWER_MARGIN)
    return Lexicon(frozenset(first), frozenset(last), frequency, _dictionary(), lower_case)


def _dictionary() -> frozenset[str]:
    """Every word form of spaCy's English lemma tables: the lookup (form -> lemma) and the index."""
    data = files("spacy_lookups_data") / "data"
    with gzip.open(str(data / "en_lemma_lookup.json.gz"), "rt", encoding="utf-8") as handle:
        lookup: dict[str, str] = json.load(handle)
    with gzip.open(str(data / "en_lemma_index.json.gz"), "rt", encoding="utf-8") as handle:
        index: dict[str, list[str]] = json.load(handle)
    words = {*lookup, *lookup.values(), *(w for forms in index.values() for w in forms)}
    return frozenset(w for w in words if w.isalpha() and w.islower())


def _names(provider: type, attributes: tuple[str, ...]) -> set[str]:
    """Case-folded Latin-script names from a Faker provider's lists (some are computed properties)."""
    found: set[str] = set()
    for attribute in attributes:
        values = inspect.getattr_static(provider, attribute, None)
        if values and not isinstance(values, property):
            found.update(v.casefold() for v in values if _latin_name(v))
    return found


def _latin_name(value: str) -> bool:
    letters = value.replace("-", "").replace("'", "")
    return len(letters) > 1 and letters.isalpha() and all(ord(c) < 0x250 for c in letters)
