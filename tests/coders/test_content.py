"""Non-content units (headings, name-and-role lines, form labels) are recognised and get no suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.coders.content import non_content

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.mark.parametrize("text, why", [
    ("Dana Whitfield-Orme (Team Manager – Early Help)", "name and role"),
    ("Cllr Pat Ruddock – Chair", "name and role"),
    ("Cllr Pat Ruddock", "name and role"),
    ("**Who:**", "form label"),
    ("<b>WHEN:</b>", "form label"),
    ("Attendance:", "form label"),
    ("Present at the visit:", "form label"),
    ("# Findings", "heading"),
    ("### **Step 2: Referral received**", "heading"),
    ("4.2 Early Help Hub (EHH)", "heading"),
    ("Working With Schools", "heading"),
])
def test_structure_is_not_content(text: str, why: str) -> None:
    assert non_content(text) == why


@pytest.mark.parametrize("text", [
    "really helpful", "Lonely", "nothing further to add thanks", "She was always there for us.",
    "I trust her (mostly)", "Honestly? She saved us.", "Worker: came every week and sorted the damp",
    "It was the first time anyone listened to me, and I mean properly listened, not just nodding.",
])
def test_what_people_say_is_content(text: str) -> None:
    assert non_content(text) is None


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not present")
def test_real_documents_lists_and_labels_are_not_content_and_their_paragraphs_are() -> None:
    scrutiny = (SEEDS / "scrutiny_report_family_matters.txt").read_text(encoding="utf-8").splitlines()
    # Single words ("Officers") stay content: a one-word answer ("Lonely") can be coded.
    attendance = [line.strip() for line in scrutiny[scrutiny.index("Attendance:"):] if len(line.split()) > 1]
    assert len(attendance) > 5
    assert [line for line in attendance if non_content(line) is None] == []
    procedures = (SEEDS / "team_procedures_families_first.txt").read_text(encoding="utf-8").splitlines()
    labels = [line for line in procedures if line.strip().startswith("**") and line.strip().endswith(":**")]
    assert labels and all(non_content(line) == "form label" for line in labels)
    paragraphs = [line for doc in SEEDS.glob("*.txt") for line in doc.read_text(encoding="utf-8").splitlines()
                  if len(line.split()) >= 20 and "<" not in line]
    assert len(paragraphs) > 100
    assert [line[:60] for line in paragraphs if non_content(line)] == []
