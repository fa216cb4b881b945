"""A name found once is found everywhere: in every text of the project, with one label.

Each person, place or organisation found becomes a search term, and so do its parts: a person's
first name and surname ("Jodie Marsh" finds "Marsh" in a case note), a place's name without its
institution word ("Kettlewick Primary" finds "Kettlewick"). Terms that are everyday words ("Grace",
"Open Door") match only as capitalised; the others match in any case ("kayden"). The label of a term
is decided once, by the layers' votes, so one person is never a PERSON here and an ORG there.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from qualkit.anonymise.detection import Detection, make, resolve
from qualkit.anonymise.lexicon import RARE_LOWER, Lexicon, load_lexicon
from qualkit.anonymise.names import SUBJECT_VERBS, UNKNOWN_WORD
from qualkit.anonymise.people import normalise
from qualkit.anonymise.vocabulary import (
    CALENDAR_WORDS,
    GENERIC_TERMS,
    NICKNAME_PREFIXES,
    ROLE_ABBREVIATIONS,
    ROLE_WORDS,
    TITLES,
)

PROPAGATED = ("PERSON", "PLACE", "ORG")
# How much a layer's word counts when layers disagree on what a term is.
_VOTE = {"deny": 100, "known": 50, "pattern": 10, "gazetteer": 5, "ner": 1}
_CORE_VOTE = 1
# Institution words: what is left without them names a place ("Millbrook" of "Millbrook Medical Centre").
_INSTITUTION_WORDS = frozenset("""
primary school academy high secondary college university nursery infants juniors medical health
centre center surgery practice hospital infirmary children's hub family foodbank food bank homes
housing association borough city county district council police church mosque library leisure
community gazette estate fc football club trust foundation
""".split())
_NOT_NAME_AFTER = frozenset("i you he she we they it that this so not me my your".split())
_PREPOSITIONS = frozenset("in at on with to for by into out up down off back over from".split())
_VERB_ENDING = re.compile(r"(?:ed|ing|s)$")
_FINITE_VERBS = frozenset("are were is was have has had will would can could do did does don't won't "
                          "aren't weren't isn't wasn't".split())
_OPENERS = '.!?:;"“”‘\'([]—–-…*#_>\n'


def propagate(texts: Sequence[str], detections: Sequence[Iterable[Detection]],
              lexicon: Lexicon | None = None) -> list[list[Detection]]:
    """Every text's detections, plus every other occurrence of the people, places and organisations
    found anywhere in `texts`, each term carrying the label most layers gave it."""
    lexicon = lexicon or load_lexicon()
    resolved = [resolve(found, text) for text, found in zip(texts, detections, strict=True)]
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    written: dict[str, str] = {}
    confirmed: set[str] = set()  # found by more than NER's guess: matched in any case
    for found in resolved:
        for detection in found:
            if detection.label not in PROPAGATED:
                continue
            for term, label, weight in _terms(detection, lexicon):
                key = normalise(term)
                votes[key][label] += weight
                written.setdefault(key, term)
                if detection.source != "ner" and detection.reason != UNKNOWN_WORD:
                    confirmed.add(key)
    labels = {key: counts.most_common(1)[0][0] for key, counts in votes.items()}
    search = _searches([written[key] for key in labels], confirmed, lexicon)
    result = []
    for text, found in zip(texts, resolved, strict=True):
        relabelled = [replace(d, label=labels.get(normalise(d.text), d.label))
                      if d.label in PROPAGATED else d for d in found]
        for regex in search:
            for match in regex.finditer(text):
                if _used_as_name(text, match, lexicon):
                    relabelled.append(make(text, match.start(), match.end(), labels[normalise(match.group())],
                                           "propagated", f"'{match.group()}' found elsewhere in the project"))
        result.append(resolve(relabelled, text))
    return result


def _terms(detection: Detection, lexicon: Lexicon) -> Iterable[tuple[str, str, int]]:
    """The search terms a detection gives, each with the label it votes for and the vote's weight."""
    text = re.sub(r"['’]s?$", "", detection.text.strip())
    weak = detection.reason in {"known surname", UNKNOWN_WORD}  # a guess at the label, not at the name
    weight = 1 if weak else _VOTE.get(detection.source, 0)
    if detection.source == "ner" and " " not in text and lexicon.is_ordinary_word(text) \
            and not lexicon.is_first_name(text):
        return  # a lone everyday word is too thin a guess to search the whole project for
    if _searchable(text, lexicon):
        yield text, detection.label, weight
    words = text.split()
    if detection.label == "PERSON" and len(words) > 1:
        for word in words:
            if word.rstrip(".") not in TITLES | ROLE_ABBREVIATIONS | NICKNAME_PREFIXES and len(word) > 2 \
                    and _searchable(word, lexicon):
                yield word, "PERSON", weight
    elif detection.label != "PERSON":
        core = list(words)
        while core and core[-1].casefold() in _INSTITUTION_WORDS:
            core.pop()
        if core and core[0].casefold() == "the":
            core.pop(0)
        if 0 < len(core) < len(words) and (len(core) > 1 or not lexicon.is_ordinary_word(core[0])) \
                and _searchable(" ".join(core), lexicon):
            yield " ".join(core), "PLACE", _CORE_VOTE


def _searchable(term: str, lexicon: Lexicon) -> bool:
    folded = term.casefold()
    return len(term) > 1 and any(c.isalpha() for c in term) and folded not in ROLE_WORDS \
        and folded not in GENERIC_TERMS and folded not in CALENDAR_WORDS and term not in TITLES


def _searches(terms: list[str], confirmed: set[str], lexicon: Lexicon) -> list[re.Pattern[str]]:
    """One regex for the terms matched in any case, one for those matched only as written."""
    anycase = [t for t in terms if normalise(t) in confirmed and all(
        not lexicon.is_ordinary_word(w) and lexicon.lower_frequency(w) <= RARE_LOWER for w in t.split())]
    # The rest match capitalised only: "Pat" found in "nan pat" is not the "pat" on the back.
    as_written = [t[:1].upper() + t[1:] for t in terms if t not in anycase]
    regexes = []
    for group, flags in ((anycase, re.IGNORECASE), (as_written, 0)):
        if group:
            alternatives = "|".join(r"\s+".join(map(re.escape, t.split()))
                                    for t in sorted(group, key=len, reverse=True))
            regexes.append(re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])", flags))
    return regexes


def _used_as_name(text: str, match: re.Match[str], lexicon: Lexicon) -> bool:
    """An everyday-word name opening a sentence is a name only as the subject of a verb or possessive
    ("Hope told me", "Bath's lovely"); otherwise it is the word ("Will you...", "Summer holidays",
    "Bath time")."""
    term = match.group()
    if " " in term or not lexicon.is_ordinary_word(term):
        return True
    before = text[:match.start()].rstrip(" \t")
    if before and before[-1] not in _OPENERS:
        return True
    after = re.match(r"(['’]s?\b)|[^\S\n]*(\w+)(?:[^\S\n]+(\w+))?", text[match.end():])
    if after is None or after.group(1):
        return True  # "Grace." as an answer, "Grace's mum"
    word = after.group(2).casefold()
    if word in _NOT_NAME_AFTER:
        return False
    if after.group(2)[:1].isupper():
        return True  # a surname follows: "Mark Kowalski"
    if word in SUBJECT_VERBS or word in _PREPOSITIONS:
        return True  # "Hope told me", "Hope in cot"
    # "Hope played", "Will cooks", "Hope meeting milestones"; but a noun before a verb is the subject
    # the word opens: "Summer holidays are the worst". Anything else is the word: "Bath time".
    following = (after.group(3) or "").casefold()
    return bool(_VERB_ENDING.search(word)) and len(word) > 3 and following not in _FINITE_VERBS
