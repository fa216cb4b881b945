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
from qualkit.anonymise.lexicon import COMMON, RARE_LOWER, UNSEEN, Lexicon
from qualkit.anonymise.organisations import is_known_organisation
from qualkit.anonymise.patterns import POSTCODE
from qualkit.anonymise.places import (
    COMPASS,
    PLACE_PREPOSITIONS,
    PLACE_SHAPE,
    Places,
    after_place_word,
    load_places,
    place_shaped,
)
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

_OPENERS = frozenset('.!?:;"“”‘\'([]—–-…*#_>•·▪‣◦●■□')  # bullets open a line's item too
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
# Only a person goes here, so even a first name that is an everyday word is the name: "i told joy",
# "precious said". (An adjective or noun never sits right before "said" or right after "told".)
_BEFORE_PERSON = frozenset("told tell tells telling asked ask asks rang ring phoned texted text messaged "
                           "thanked hugged met meet".split())
_AFTER_PERSON = frozenset("said says told tells rang texted phoned messaged asked replied".split())
# Before an everyday word, these make it the word: "the Case managing", "a Grace period".
DETERMINERS = frozenset("the a an this that these those every each any no some our their its whose".split())
# Words that join a capitalised phrase: "Bachelor of Arts", "Department for Education".
_PHRASE_JOINERS = frozenset({"of", "for"})
SURNAME_AFTER_FIRST_NAME = "surname after a first name"
_SAYING = _AFTER_PERSON | frozenset("adds added explains explained according".split())


def find_names(doc: Doc, lexicon: Lexicon) -> Iterator[Detection]:
    """PERSON detections from the gazetteer and naming conventions, one per name (merged spans)."""
    places = load_places()
    spans: list[tuple[int, int, str]] = []  # token start, token end (exclusive), reason
    lower_words = {token.text for token in doc if token.is_lower}  # "foodbank" here: "Foodbank" is a word
    first_names = {t.text for t in doc if capitalised(t.text) and lexicon.is_first_name(t.text)}
    for token in doc:
        found = _title(token, lexicon) or _name(token, lexicon, places)
        if found is not None:
            spans.append(found)
        elif _unknown_name(token, lexicon, places) and token.lower_ not in lower_words \
                and (not lexicon.is_word_form(token.text) or _short_form(token.text, first_names)):
            if _after_first_name(token, lexicon):
                spans.append((token.i, token.i + 1, SURNAME_AFTER_FIRST_NAME))
            elif _place_context(token):
                yield make(doc.text, token.idx, token.idx + len(token), "PLACE", "gazetteer", UNKNOWN_WORD)
            elif place_shaped(token.text) and not _used_as_person(token):
                yield _place(doc, token, PLACE_SHAPE)
            else:
                spans.append((token.i, token.i + 1, UNKNOWN_WORD))
        elif _lower_case_name(token, lexicon, places):
            spans.append((token.i, token.i + 1, LOWER_CASE_CONTEXT))
    for start, end, reason in _merged(doc, _continued(doc, spans, lexicon, places)):
        yield make(doc.text, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), "PERSON", "gazetteer",
                   reason)


def _place(doc: Doc, token: Token, reason: str) -> Detection:
    """A place, with the compass word before it that is part of its name ("North Yorkshire")."""
    before = _next(token, -1)
    start = before.idx if before is not None and before.text in COMPASS and before.i == token.i - 1 \
        else token.idx
    return make(doc.text, start, token.idx + len(token), "PLACE", "gazetteer", reason)


def _short_form(word: str, names: set[str]) -> bool:
    """Whether `word` shortens a first name of the same text ("Jode" of "Jodie", "Shan" of "Shannon")."""
    return len(word) > 2 and any(n != word and n.startswith(word[:-1]) for n in names)


def _after_first_name(token: Token, lexicon: Lexicon) -> bool:
    before = _next(token, -1)
    return before is not None and "\n" not in before.whitespace_ and capitalised(before.text) \
        and lexicon.is_first_name(before.text) and not lexicon.is_ordinary_word(before.text)


def _used_as_person(token: Token) -> bool:
    """A place-shaped word that says something or owns something is a person: "says Waddington",
    "Waddington said", "Waddington's"."""
    before, after = _next(token, -1), _next(token)
    return (after is not None and (after.text in _POSSESSIVE or after.lower_ in _AFTER_PERSON)) \
        or (before is not None and before.lower_ in _SAYING)


def _continued(doc: Doc, spans: list[tuple[int, int, str]], lexicon: Lexicon,
               places: Places) -> list[tuple[int, int, str]]:
    """Surname continuation: a capitalised word on the same line right after a first name is its surname
    ("Lynette Sung"), unless it is a word no surname is (a title, a role, a month, a place, "The")."""
    taken = {i for start, end, _ in spans for i in range(start, end)}
    extra = []
    for _, end, _ in spans:
        last = doc[end - 1]
        if not capitalised(last.text) or not lexicon.is_first_name(last.text):
            continue
        after = _next(last)
        if after is None or after.i in taken or "\n" in last.whitespace_ or (
                after.i != end and not (after.i == end + 1 and doc[end].is_space)):
            continue
        if _surname_continuation(after, lexicon, places):
            extra.append((after.i, after.i + 1, SURNAME_AFTER_FIRST_NAME))
    return spans + extra


def _surname_continuation(token: Token, lexicon: Lexicon, places: Places) -> bool:
    word = token.text
    folded = word.casefold()
    if len(word) < 2 or not capitalised(word) or not re.sub(r"['’-]", "", word).isalpha():
        return False
    if word in TITLES or folded in ROLE_WORDS or folded in CALENDAR_WORDS or folded in GENERIC_TERMS \
            or folded in NOT_NAMES or folded in LANGUAGES or places.is_place(word) \
            or is_known_organisation(word):
        return False
    return lexicon.is_surname(word) or lexicon.lower_frequency(word) <= COMMON


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
    if not places.is_place(token.text):
        return False
    if not lexicon.is_first_name(token.text) or after_place_word(token):
        return True
    after = _next(token)  # a big town: "London boroughs"; but "London's mum", "London said"
    return places.is_big_place(token.text) and (
        after is None or (after.text not in _POSSESSIVE and after.lower_ not in _AFTER_PERSON))


def _lower_case_name(token: Token, lexicon: Lexicon, places: Places) -> bool:
    """A lower-case word in no word list, where a name goes: "me and kasia", "that tash was", "it was
    demi" (names are often typed in lower case in transcripts)."""
    word = token.text
    folded = word.casefold()
    if not word.islower() or len(word) < 3 or not word.isalpha() or lexicon.is_ordinary_word(word) \
            or lexicon.lower_frequency(word) > RARE_LOWER or places.is_place(word) or folded in ROLE_WORDS \
            or (lexicon.is_dictionary_word(word) and not lexicon.is_first_name(word)) \
            or folded in GENERIC_TERMS or folded in CALENDAR_WORDS or folded in NOT_NAMES \
            or folded in LANGUAGES or lexicon.is_word_form(word):
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
        if _person_position(token, lexicon):
            return token.i, token.i + 1, "lower-case first name where only a person goes"
        return None
    if not capitalised(word) or not lexicon.is_name(word):
        if after_family and capitalised(word) and _family_name(word, lexicon):
            return token.i, token.i + 1, f"name after '{before.text}'"
        if capitalised(word) and before is not None and before.lower_ == "the" and any(
                word.endswith(end) and lexicon.is_surname(word[:-len(end)]) for end in ("es", "s")):
            return token.i, token.i + 1, "a family by its surname"  # "the Marshes"
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


def _person_position(token: Token, lexicon: Lexicon) -> bool:
    """A lower-case first name, even an everyday word, where only a person goes: "i told joy", "precious
    said" (not "the precious said", nor "told will")."""
    word = token.text
    if not lexicon.is_first_name(word) or len(word) < 3 or lexicon.lower_frequency(word) > -10.0 \
            or word in NOT_NAMES or word in ROLE_WORDS:
        return False
    before, after = _next(token, -1), _next(token)
    if before is not None and before.lower_ in _BEFORE_PERSON:
        return after is None or not after.is_alpha or after.lower_ not in {"me", "him", "her", "them", "us"}
    return after is not None and after.lower_ in _AFTER_PERSON and (
        before is None or sentence_start(token) or before.lower_ not in DETERMINERS | _NOT_BEFORE_LOWER_NAME)


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
    before = _next(token, -1)
    if before is not None and before.lower_ in DETERMINERS:
        return False  # "the Case managing Social Worker", "a Grace period"
    if after is not None and capitalised(after.text) and after.text.casefold() not in GENERIC_TERMS \
            and not place_shaped(after.text) and not load_places().is_place(after.text) and (
            (lexicon.is_surname(after.text) and not lexicon.is_first_name(after.text))
            or (not lexicon.is_ordinary_word(after.text) and not lexicon.is_name(after.text))):
        return True  # followed by a surname: "Mark Kowalski", not "Said Liam"
    if sentence_start(token):
        return after is not None and after.lower_ in SUBJECT_VERBS and after.lower_ not in _NOT_SUBJECT_AFTER
    # Inside a sentence, capitalised: a name unless part of a capitalised phrase ("Early Help", "Bachelor
    # of Arts").
    if before is not None and before.lower_ in _PHRASE_JOINERS:
        before = _next(token, -2)
    if after is not None and after.lower_ in _PHRASE_JOINERS:
        after = _next(token, 2)
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
