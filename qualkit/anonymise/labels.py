"""What outputs call participants and documents.

Stakeholder groups, codes and attribute values are the analysis' own categories and are never
text-anonymised. A participant label the evaluator chose ("Keyworker B", "Parent 1 (mum)", "P9")
shows as stored; one that is a person's name (a speaker label such as "Dani") shows as that person's
pseudonym, the same one their name gets in the text. A document shows under its file name unless the
name holds an identifier, in which case it shows as its display name, or a neutral "Document 7".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Protocol

from qualkit.anonymise.people import normalise
from qualkit.anonymise.vocabulary import ROLE_WORDS

# Speaker labels of transcripts that never name anyone.
TRANSCRIPT_LABELS = frozenset("int interviewer resp respondent speaker participant facilitator moderator "
                              "researcher family group".split())
_CODE = re.compile(r"[A-Z]|\d+|[A-Z]{1,3}\d+[a-z]?")  # "B" of "Keyworker B", "1", "P9", "YP2"
_SCOPED = re.compile(r"(?P<label>.+) \((?P<document>[^()]+)\)")  # "R (kw_d_interview.pdf)"
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d{6,}")


class PersonKey(Protocol):
    def known_pseudonym(self, name: str) -> str | None: ...


class NameLexicon(Protocol):
    def is_name(self, word: str) -> bool: ...

    def is_ordinary_word(self, word: str) -> bool: ...


def could_be_a_name(label: str) -> bool:
    """Whether a speaker or participant label may hold a person's name: "Dani" or "Mrs Shaw" may;
    "YP2", "P9", "KW", "Int", "Keyworker C" and "Frontline A" are already pseudonymous, and a role
    ("Housing Officer") names no one."""
    words = [w.strip(".()") for w in label.split()]
    if not words or any(_CODE.fullmatch(w) for w in words[1:]) or _CODE.fullmatch(words[0]) \
            or words[-1].casefold() in ROLE_WORDS:  # "Housing Officer", "Team Manager"
        return False
    return any(len(w) > 1 and w.isalpha() and w[0].isupper() and not w.isupper()
               and w.casefold() not in ROLE_WORDS and w.casefold() not in TRANSCRIPT_LABELS
               for w in words)


def document_names(documents: Sequence[tuple[int, str, str | None]], identifiers: Iterable[str],
                   lexicon: NameLexicon) -> dict[str, str]:
    """File name -> what outputs call the document: its display name when one is set, else the file
    name unless it holds an identifier (a word or words redacted in the corpus, a person's name, a
    date or a long number), else "Document N" (N its place in import order)."""
    found = {normalise(i) for i in identifiers}
    shown = {}
    for number, (_, name, display) in enumerate(documents, start=1):
        if display:
            shown[name] = display
        elif holds_identifier(name, found, lexicon):
            shown[name] = f"Document {number}"
        else:
            shown[name] = name
    return shown


def holds_identifier(name: str, identifiers: set[str], lexicon: NameLexicon) -> bool:
    stem = PurePath(name).stem
    if _DATE_LIKE.search(stem):
        return True
    words = [w for w in re.split(r"[\W_]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)) if w]
    folded = [w.casefold() for w in words]
    for size in (3, 2, 1):
        for i in range(len(folded) - size + 1):
            phrase = " ".join(folded[i:i + size])
            if phrase in identifiers and (size > 1 or _meaningful(words[i])):
                return True
    return any(_meaningful(w) and lexicon.is_name(w) and not lexicon.is_ordinary_word(w) for w in words)


def _meaningful(word: str) -> bool:
    return len(word) > 2 and word.isalpha() and word.casefold() not in ROLE_WORDS \
        and word.casefold() not in TRANSCRIPT_LABELS


def participant_names(participants: Iterable[tuple[str, str | None]], key: PersonKey,
                      documents: Mapping[str, str]) -> dict[str, str]:
    """Participant label -> what outputs call them. A label scoped to its document ("R (file.txt)")
    names the document as outputs do."""
    shown = {}
    for label, role in participants:
        base, suffix = label, ""
        scoped = _SCOPED.fullmatch(label)
        if scoped and scoped.group("document") in documents:
            base, suffix = scoped.group("label"), f" ({documents[scoped.group('document')]})"
        if could_be_a_name(base):
            base = key.known_pseudonym(base) or f"[{(role or 'participant').capitalize()}]"
        shown[label] = base + suffix
    return shown
