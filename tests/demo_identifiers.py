"""The demo corpus's known identifiers (corpora/demo/_identifiers.txt) and where they occur in a text:
shared by the detection test and the test that greps every export of the demo."""

from __future__ import annotations

import re
from pathlib import Path

from paths import DEMO_CORPUS

IDENTIFIERS_FILE = DEMO_CORPUS / "_identifiers.txt"
ALLOW_FILE = DEMO_CORPUS / "_allow.txt"
# Names that are also words: an occurrence directly followed by one of these is the word ("Hope it's
# useful", "Will do"), not the child.
WORD_NAMES = {"Hope", "Will", "Grace", "Mark", "May"}
USED_AS_WORD = re.compile(r"\s+(?:it|it's|you|so|I|do|we|they)\b")
# A year said in words is a count when a unit follows ("twenty-two pound a week").
QUANTITY = re.compile(r"\s+(?:pounds?|quid|weeks?|days?|months?|years?|people|families)\b")
# The participants sheet is not a document, and files starting with "_" are never imported.
NOT_DOCUMENTS = {"participants.csv"}


def identifiers() -> list[tuple[str, str]]:
    pairs = []
    for line in IDENTIFIERS_FILE.read_text(encoding="utf-8").splitlines():
        label, term = line.split("\t")
        pairs.append((label, term))
    return pairs


def occurrences(term: str, text: str) -> list[tuple[int, int]]:
    pattern = re.compile(r"(?<![\w-])" + r"\s+".join(map(re.escape, term.split())) + r"(?![\w-])")
    found = []
    for match in pattern.finditer(text):
        if term in WORD_NAMES and USED_AS_WORD.match(text, match.end()):
            continue
        if QUANTITY.match(text, match.end()):
            continue
        found.append(match.span())
    return found


def export_texts(folder: Path) -> dict[str, str]:
    """The text a reader of each written file sees (cells, paragraphs, table cells; images dropped)."""
    import docx
    import openpyxl

    texts = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".docx":
            document = docx.Document(str(path))
            cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
            texts[path.name] = "\n".join([p.text for p in document.paragraphs] + cells)
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            texts[path.name] = "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                                         for v in row if v is not None)
        else:
            texts[path.name] = re.sub(r"data:[\w/+.-]+;base64,[\w/+=]+", "", path.read_text(encoding="utf-8"))
    return texts
