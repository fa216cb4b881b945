"""What outputs call participants and documents: the analysis' own labels as stored, names never."""

from __future__ import annotations

import pytest

from qualkit.anonymise.labels import could_be_a_name, document_names, participant_names
from qualkit.anonymise.lexicon import load_lexicon
from qualkit.anonymise.replace import PseudonymKey


def test_only_labels_that_may_be_names_are_treated_as_names() -> None:
    labels = ("Dani", "Mrs Shaw", "YP2", "P9", "Int", "KW", "Keyworker C", "R", "Interviewer", "Partner B",
              "Frontline A", "Parent 1 (mum)", "Young person 2", "Housing Officer")
    assert [label for label in labels if could_be_a_name(label)] == ["Dani", "Mrs Shaw"]


@pytest.mark.slow
def test_documents_keep_their_names_unless_a_name_holds_an_identifier() -> None:
    documents = [(1, "kw_a_interview.txt", None), (2, "case_notes_family_3.csv", None),
                 (3, "Priyanka_Sharma_interview.txt", None), (4, "notes_2024-03-07.docx", None),
                 (5, "marsh_family_notes.txt", None), (6, "Dani_interview.txt", "Keyworker interview 2"),
                 (7, "Families_First_procedures.txt", None)]
    shown = document_names(documents, {"marsh", "families"}, load_lexicon())
    assert shown == {"kw_a_interview.txt": "kw_a_interview.txt",
                     "case_notes_family_3.csv": "case_notes_family_3.csv",
                     "Priyanka_Sharma_interview.txt": "Document 3", "notes_2024-03-07.docx": "Document 4",
                     "marsh_family_notes.txt": "Document 5", "Dani_interview.txt": "Keyworker interview 2",
                     "Families_First_procedures.txt": "Document 7"}


def test_participants_show_as_the_evaluator_labelled_them_or_as_their_pseudonym() -> None:
    key = PseudonymKey(roles={"Dani": "keyworker"})
    key.learn_people([(1, "Dani"), (1, "Dani Okafor")])
    participants = [("Keyworker B", "Keyworker"), ("Parent 1 (mum)", "Parent"), ("Dani", "keyworker"),
                    ("R (Priyanka_Sharma_interview.txt)", None), ("Mrs Shaw", None)]
    shown = participant_names(participants, key, {"Priyanka_Sharma_interview.txt": "Document 3"})
    assert shown == {"Keyworker B": "Keyworker B", "Parent 1 (mum)": "Parent 1 (mum)",
                     "Dani": "[Keyworker A]", "R (Priyanka_Sharma_interview.txt)": "R (Document 3)",
                     "Mrs Shaw": "[Participant]"}
