"""Labelled development sets built at run time from the real documents in ../shared/seeds.

Their sentences are never copied into this repository: the sets exist only in memory, read from
`../shared` when it is there (each loader returns None when it is not, and callers skip). Gold codes
are the report's own structure, not anyone's coding:

- inspection report, paragraphs: every paragraph (and long bullet) of the national inspection
  report's findings, coded by the section it sits under (case studies belong to their section);
- inspection report, quotations: the quotations from young people, parents and staff inside
  those paragraphs, coded the same way (short, first-person, the hard case).

The codebook, `bench/data/inspection_sections.yaml`, was written from the section headings and the
questions they answer, not from the quotations.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualkit.coders.base import Unit

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
INSPECTION = SEEDS / "inspection_report_edge_of_care.txt"
INSPECTION_CODEBOOK = REPO / "bench" / "data" / "inspection_sections.yaml"

# Top-level headings of the findings, as the report writes them, and the code each stands for.
SECTIONS = {
    "Outcomes": "outcomes",
    "Features of successful services and the models used": "what_works",
    "Consistent themes for success": "what_works",
    "Decision-making and referral pathways": "decision_making",
    "Assessment, planning and review": "assessment_planning",
    "Multi-agency partnership working": "multi_agency",
    "Identification and measurement of outcomes within local areas": "measuring_outcomes",
    "Cost savings": "cost_savings",
    "Barriers to success": "barriers",
}
# Headings that end the findings or precede them: their paragraphs are not in the sets.
OTHER_SECTIONS = ("Executive summary", "Key findings", "Recommendations", "Introduction",
                  "What is meant by", "Notes")
QUOTE = re.compile(r"‘(.+?)’(?=[\s.,;:)…]|$)")  # ’ before a letter is an apostrophe

Coding = dict[str, set[str]]


def _paragraphs() -> list[tuple[str, str]]:
    """(code, paragraph text) for every paragraph under a findings section."""
    section: str | None = None
    out = []
    for line in INSPECTION.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text:
            continue
        if text in SECTIONS or text.rstrip() in SECTIONS:
            section = SECTIONS[text]
            continue
        if text.startswith(OTHER_SECTIONS) and len(text) < 100:
            section = None
            continue
        if section is None or text.startswith("Case study:") or len(text.split()) < 12:
            continue
        out.append((section, re.sub(r"^(\d+\.|·)\s*", "", text)))
    return out


def inspection_paragraphs() -> tuple[list[Unit], Coding] | None:
    if not INSPECTION.exists():
        return None
    units, gold = [], {}
    for i, (code, text) in enumerate(_paragraphs()):
        units.append(Unit(f"p{i}", text))
        gold[f"p{i}"] = {code}
    return units, gold


def inspection_quotations() -> tuple[list[Unit], Coding] | None:
    if not INSPECTION.exists():
        return None
    units, gold = [], {}
    for code, text in _paragraphs():
        for match in QUOTE.finditer(text):
            quote = match.group(1).strip(" .…")
            if len(quote.split()) >= 6:
                uid = f"q{len(units)}"
                units.append(Unit(uid, quote))
                gold[uid] = {code}
    return units, gold
