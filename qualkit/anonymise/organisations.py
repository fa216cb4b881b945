"""Well-known organisations named in passing: national charities and helplines, housing associations,
supermarkets and high-street employers (the closed list in `vocabulary.ORGANISATIONS`).

A name that is also an everyday word ("Mind", "Shelter", "Boots") counts only when used as a name:
capitalised inside a sentence ("referred to Mind"), possessive, or opening a sentence as the subject
of something an organisation does ("Shelter gave me advice", "Mind were brilliant"; never "Mind you").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from qualkit.anonymise.detection import Detection, make
from qualkit.anonymise.lexicon import Lexicon
from qualkit.anonymise.vocabulary import ORGANISATIONS

KNOWN_ORGANISATION = "known organisation"
# What an organisation does, said right after its name at the start of a sentence.
ORGANISATION_VERBS = frozenset("""
were are run runs ran gave give gives sent helped help helps offered offer offers rang told said sorted
paid got came found referred provided provide provides supported support supports put set funded
did do does had has have
""".split())
_OPENERS = '.!?:;"“”‘\'([—–-…*#_>\n'


def is_known_organisation(word: str) -> bool:
    """Whether `word` is one of the known organisations ("Tesco"), so no other layer takes it for a
    person or a place."""
    return word.casefold() in _known()


@cache
def _known() -> frozenset[str]:
    return frozenset(name.casefold().replace("’", "'") for name in ORGANISATIONS)


@cache
def _organisations() -> re.Pattern[str]:
    names = sorted(ORGANISATIONS, key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(re.escape(w).replace("'", "['’]") for w in name.split())
                            for name in names)
    return re.compile(rf"(?<![\w&'’-])(?:{alternatives})(?![\w&-])")


def find_organisations(text: str, lexicon: Lexicon) -> Iterator[Detection]:
    """ORG detections of the known organisations used as names in `text`."""
    for match in _organisations().finditer(text):
        name = match.group()
        if all(lexicon.is_ordinary_word(w) for w in re.findall(r"\w+", name)) \
                and not _used_as_name(text, match.start(), match.end()):
            continue
        yield make(text, match.start(), match.end(), "ORG", "gazetteer", KNOWN_ORGANISATION)


def _used_as_name(text: str, start: int, end: int) -> bool:
    if re.match(r"['’]s?\b", text[end:]):
        return True
    before = text[:start].rstrip(" \t")
    if before and before[-1] not in _OPENERS:
        return True
    after = re.match(r"\s+(\w+)", text[end:])
    return after is not None and after.group(1).casefold() in ORGANISATION_VERBS
