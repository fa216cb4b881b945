"""People's names found from the gazetteer and from how names are written: titles ("Mrs Tierney"),
case-note role abbreviations ("KW Okafor"), family words ("aunty bisi"), lower-case transcription.

A name that is also an everyday word ("Hope", "Will", "Grace") counts only when it is used as a
name: capitalised inside a sentence, possessive ("Grace's"), after "called"/"named" or a family word,
followed by a surname, or opening a sentence as its subject ("Grace went missing", not "Will they?").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Doc, Token

from qualkit.anonymise.detection import Detection, make
from qualkit.anonymise.lexicon import RARE_LOWER, UNSEEN, Lexicon
from qualkit.anonymise.organisations import is_known_organisation
from qualkit.anonymise.patterns import POSTCODE
from qualkit.anonymise.places import PLACE_PREPOSITIONS, Places, after_place_word, load_places
from qualkit.anonymise.vocabulary import (
    CALENDAR_WORDS,
    GENERIC_TERMS,
    LANGUAGES,
    NICKNAME_PREFIXES,
    NOT_NAMES,
    ROLE_ABBREVIATIONS,
    ROLE_WORDS,
    TITLES,
)

_OPENERS = frozenset('.!?:;"“”‘\'([]—–-…*#_>')
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_NAMING = frozenset({"called", "named", "calls", "call"})
FAMILY_WORDS = frozenset("""
aunty auntie aunt uncle nan nana nanna nanny gran granny grandma grandad grandpa cousin sister
brother mate stepdad stepmum
""".split())
_LOWER_TITLES = frozenset({"mr", "mrs", "ms", "dr"})
# After a name opening a sentence, these show it is the subject ("Summer is nine", "May looks after").
SUBJECT_VERBS = frozenset("""
is was has had does did said says told tells went goes came comes looks lives works wants got gets
loves likes needs never always just still really started rang texted asked helped would could will
can and from at who sat stayed moved knows knew thinks thought used wouldn couldn didn doesn isn wasn
hasn hadn won
""".split())
_NOT_SUBJECT_AFTER = frozenset("i you he she we they it that this so not me my your".split())
# A nationality or language the NER tagged as one ("English", "Polish") is not a name.
_NATIONALITY = frozenset({"NORP", "LANGUAGE"})
_NATIONALITY_FREQUENCY = -13.0
_DEMONYM = re.compile(r"(?:ish|ese|ian|an|i|ic)$")
UNKNOWN_WORD = "capitalised word that is no English word"
LOWER_CASE_CONTEXT = "lower-case name where a name goes"
# "spoke to Sandeep": after these, "to" leads to a person, not a place.
_TALKING = frozenset("spoke speak speaks speaking talk talked talks talking said say says explained "
                     "listened listen wrote write written sent send gave give introduced"
                     .split())
# Entity types whose words are not people or places ("Bake Off", "the Children Act").
_NOT_IDENTIFYING = frozenset({"EVENT", "PRODUCT", "LAW"})
# Around a lower-case word no word list knows, these show it is someone ("me and kasia", "it was demi",
# "tash was getting picked on").
_BEFORE_LOWER_NAME = frozenset("and with told tell tells ask asked that saw see sees was called named "
                               "like love loves hate hates".split())
_NOT_BEFORE_LOWER_NAME = frozenset("the a an my your his her our their its this these those some any no "
                                   "every each in on at of for from by into about".split())
_AFTER_LOWER_NAME = frozenset("and said says told was is were has had just kicked walked went came got "
                              "started rang texted wants always never".split())


def find_names(doc: Doc, lexicon: Lexicon) -> Iterator[Detection]:
    """PERSON detections from the gazetteer and naming conventions, one per name (merged spans)."""
    places = load_places()
    spans: list[tuple[int, int, str]] = []  # token start, token end (exclusive), reason
    lower_words = {token.text for token in doc if token.is_lower}  # "foodbank" here: "Foodbank" is a word
    for token in doc:
        found = _title(token, lexicon) or _name(token, lexicon, places)
        if found is not None:
            spans.append(found)
        elif _unknown_name(token, lexicon, places) and token.lower_ not in lower_words:
            if _place_context(token):
                yield make(doc.text, token.idx, token.idx + len(token), "PLACE", "gazetteer", UNKNOWN_WORD)
            else:
                spans.append((token.i, token.i + 1, UNKNOWN_WORD))
        elif _lower_case_name(token, lexicon, places):
            spans.append((token.i, token.i + 1, LOWER_CASE_CONTEXT))
    for start, end, reason in _merged(doc, spans):
        yield make(doc.text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), "PERSON", "gazetteer",
                   reason)


def sentence_start(token: Token) -> bool:
    """Whether a token opens a sentence, a quote, a turn or a line (no parser: punctuation decides)."""
    if token.i == 0:
        return True
    before = _next(token, -1)
    return before is None or before.text[-1:] in _OPENERS or "\n" in before.text \
        or "\n" in before.whitespace_ or before.is_space


def capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


def _next(token: Token, offset: int = 1) -> Token | None:
    """The word `offset` words away, stepping over runs of spaces within a line ("Mark  Kowalski" of a
    PDF's justified text)."""
    doc, i, step = token.doc, token.i, 1 if offset > 0 else -1
    for _ in range(abs(offset)):
        i += step
        while 0 <= i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
            i += step
    return doc[i] if 0 <= i < len(doc) else None


def _title(token: Token, lexicon: Lexicon) -> tuple[int, int, str] | None:
    """A title or role abbreviation followed by a name: "Mrs Tierney", "KW D. Okafor", "mrs begum"."""
    word = token.text.rstrip(".")
    lower_title = word in _LOWER_TITLES
    if word not in TITLES and word not in ROLE_ABBREVIATIONS and not lower_title:
        return None
    i = token.i + 1
    doc = token.doc
    if i < len(doc) and len(doc[i].text.rstrip(".")) == 1 and doc[i].text[0].isupper():
        i += 1  # an initial: "KW D. Okafor"
    end = i
    while end < len(doc) and end - i < 3 and _surname_like(doc[end], lexicon, lower_title):
        end += 1
    if end == i:
        return None
    start = token.i if word in TITLES or lower_title else token.i + 1
    return start, end, "title and name"


def _surname_like(token: Token, lexicon: Lexicon, lower_case: bool = False) -> bool:
    word = token.text
    if not word.replace("'", "").replace("’", "").replace("-", "").isalpha():
        return False
    folded = word.casefold()
    if folded in ROLE_WORDS or folded in CALENDAR_WORDS or folded in GENERIC_TERMS or word in TITLES:
        return False
    if lower_case and word.islower():
        return not lexicon.is_ordinary_word(word)
    return capitalised(word) and (lexicon.is_name(word) or not lexicon.is_ordinary_word(word))


def _place_context(token: Token) -> bool:
    """Whether a word no list knows is a place by its neighbours: "from Penywaun", "Hollinwood, OL8 3QR";
    not "spoke to Sandeep"."""
    before = _next(token, -1)
    if before is not None and before.lower_ in PLACE_PREPOSITIONS:
        talking = _next(token, -2)
        return not (before.lower_ == "to" and talking is not None and talking.lower_ in _TALKING)
    rest = token.doc.text[token.idx + len(token):]
    return bool(POSTCODE.match(rest.lstrip(", ")))


def _known_place(token: Token, lexicon: Lexicon, places: Places) -> bool:
    """A town the place gazetteer finds: "Blackburn" is left to it, "Chelsea" only after a place word."""
    return places.is_place(token.text) and (not lexicon.is_first_name(token.text) or after_place_word(token))


def _lower_case_name(token: Token, lexicon: Lexicon, places: Places) -> bool:
    """A lower-case word in no word list, where a name goes: "me and kasia", "that tash was", "it was
    demi" (names are often typed in lower case in transcripts)."""
    word = token.text
    folded = word.casefold()
    if not word.islower() or len(word) < 3 or not word.isalpha() or lexicon.is_ordinary_word(word) \
            or lexicon.lower_frequency(word) > RARE_LOWER or places.is_place(word) or folded in ROLE_WORDS \
            or (lexicon.is_dictionary_word(word) and not lexicon.is_first_name(word)) \
            or folded in GENERIC_TERMS or folded in CALENDAR_WORDS or folded in NOT_NAMES \
            or folded in LANGUAGES:
        return False
    before, after = _next(token, -1), _next(token)
    if before is not None and before.lower_ in _NOT_BEFORE_LOWER_NAME:
        return False  # "the arrears", "in a fortnight"
    if before is not None and before.lower_ in _BEFORE_LOWER_NAME:
        return True
    return after is not None and (after.lower_ in _AFTER_LOWER_NAME or after.text in _POSSESSIVE)


def _name(token: Token, lexicon: Lexicon, places: Places) -> tuple[int, int, str] | None:
    word = token.text
    if len(word) < 2 or not word.isalpha() or _known_place(token, lexicon, places) \
            or is_known_organisation(word):
        return None
    before = _next(token, -1)
    after = _next(token)
    after_family = before is not None and before.lower_ in FAMILY_WORDS | _NAMING
    if word.islower():
        if lexicon.is_lower_case_name(word):
            return token.i, token.i + 1, "lower-case first name"
        if after_family and _family_name(word, lexicon):
            return token.i, token.i + 1, f"name after '{before.text}'"
        return None
    if not capitalised(word) or not lexicon.is_name(word):
        if after_family and capitalised(word) and _family_name(word, lexicon):
            return token.i, token.i + 1, f"name after '{before.text}'"
        return None
    if token.ent_type_ in _NATIONALITY and lexicon.lower_frequency(word) > _NATIONALITY_FREQUENCY:
        return None
    if word.casefold() in CALENDAR_WORDS:  # "April", "June": a month unless used as a name
        used = _used_as_name(token, lexicon, after_family) and (sentence_start(token) or after_family or (
            after is not None and after.text in _POSSESSIVE))
        return (token.i, token.i + 1, "calendar name used as a name") if used else None
    if not lexicon.is_ordinary_word(word):
        return token.i, token.i + 1, "known first name" if lexicon.is_first_name(word) else "known surname"
    if _used_as_name(token, lexicon, after_family):
        return token.i, token.i + 1, "known name used as a name"
    return None


def _unknown_name(token: Token, lexicon: Lexicon, places: Places) -> bool:
    """A capitalised word that is in no word list nor name list ("Gethin", "Penywaun"), used as a name:
    inside a sentence, possessive, or opening one as its subject."""
    word = token.text
    if len(word) < 3 or not word.isalpha() or not capitalised(word) or token.ent_type_ in _NOT_IDENTIFYING \
            or sum(c.isupper() for c in word) > 1:  # "GCSEs" is an acronym
        return False
    folded = word.casefold()
    if folded in LANGUAGES or places.is_place(word) or is_known_organisation(word) \
            or (token.ent_type_ in _NATIONALITY and _DEMONYM.search(folded)):
        return False
    if lexicon.is_name(word) or lexicon.lower_frequency(word) > UNSEEN or folded in GENERIC_TERMS \
            or folded in ROLE_WORDS or folded.removesuffix("s") in CALENDAR_WORDS or folded in NOT_NAMES \
            or word in TITLES:
        return False
    if not sentence_start(token):
        return True
    after = _next(token)
    return after is not None and (after.text in _POSSESSIVE or after.lower_ in SUBJECT_VERBS
                                  or (after.is_lower and after.text.endswith("s") and len(after) > 3))


def _family_name(word: str, lexicon: Lexicon) -> bool:
    """After a family word or "called", a first name that is not a very common word ("nan pat", not
    "dad will"), or a word that is no English word at all ("aunty bisi")."""
    folded = word.casefold()
    if folded in ROLE_WORDS or folded in GENERIC_TERMS or folded in CALENDAR_WORDS:
        return False
    if lexicon.is_first_name(word):
        return lexicon.lower_frequency(word) < -12.0
    return lexicon.lower_frequency(word) <= RARE_LOWER and not lexicon.is_ordinary_word(word)


def _used_as_name(token: Token, lexicon: Lexicon, after_family: bool) -> bool:
    """Whether a name that is also an everyday word is used as a name here."""
    after = _next(token)
    if after_family or (after is not None and after.text in _POSSESSIVE):
        return True
    if after is not None and capitalised(after.text) and after.text.casefold() not in GENERIC_TERMS and (
            (lexicon.is_surname(after.text) and not lexicon.is_first_name(after.text))
            or (not lexicon.is_ordinary_word(after.text) and not lexicon.is_name(after.text))):
        return True  # followed by a surname: "Mark Kowalski", not "Said Liam"
    if sentence_start(token):
        return after is not None and after.lower_ in SUBJECT_VERBS and after.lower_ not in _NOT_SUBJECT_AFTER
    # Inside a sentence, capitalised: a name unless part of a capitalised phrase ("Early Help").
    before = _next(token, -1)
    neighbours = (after,) if before is not None and sentence_start(before) else (before, after)
    return not any(n is not None and capitalised(n.text) and lexicon.is_ordinary_word(n.text)
                   and not lexicon.is_name(n.text) for n in neighbours)


def _merged(doc: Doc, spans: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    """Adjacent name tokens as one name ("Jodie Marsh", "Ellie-Mae"), with a nickname prefix ("Big
    Dave")."""
    current: list[int | str] | None = None
    for start, end, reason in sorted(spans):
        if start > 0 and doc[start - 1].text in NICKNAME_PREFIXES:
            start -= 1
        if current is not None and (start <= current[1] or _joined(doc, int(current[1]), start)):
            current[1] = max(int(current[1]), end)
            continue
        if current is not None:
            yield int(current[0]), int(current[1]), str(current[2])
        current = [start, end, reason]
    if current is not None:
        yield int(current[0]), int(current[1]), str(current[2])


def _joined(doc: Doc, end: int, start: int) -> bool:
    """Two name spans with only spaces or a hyphen between them, on one line ("Mark  Kowalski")."""
    if start == end:
        return "\n" not in doc[end - 1].whitespace_
    if start == end + 1 and doc[end].is_space and "\n" not in doc[end].text:
        return True
    return start == end + 1 and doc[end].text == "-" and not doc[end - 1].whitespace_ \
        and not doc[end].whitespace_
