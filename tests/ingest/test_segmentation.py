"""Cutting text into coding units: paragraphs, headings, long turns, page breaks, case notes."""

from __future__ import annotations

from itertools import pairwise

import pytest

from qualkit.ingest.casenotes import iso_date
from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.ingest.sentences import pack_spans, sentence_spans
from qualkit.model import SegmentKind

from ingest_helpers import kinds

H, P = SegmentKind.HEADING, SegmentKind.PARAGRAPH


def test_paragraphs_when_there_are_no_speakers() -> None:
    text = ("Introduction\n\n"
            "The service began in 2022. It works with forty families.\n\n"
            "Referrals come from schools,\nhealth visitors and the police.\n\n"
            "- one list item that is short")
    segments = segment_text(text)
    assert [(s.kind, s.text) for s in segments] == [
        (H, "Introduction"),
        (P, "The service began in 2022. It works with forty families."),
        (P, "Referrals come from schools,\nhealth visitors and the police."),
        (P, "- one list item that is short"),
    ]
    assert [s.codable for s in segments] == [False, True, True, True]
    assert all(s.speaker is None for s in segments)


@pytest.mark.parametrize(("chunk", "kind"), [
    ("## Findings and what they mean for the service in the next three years", H),
    ("Key findings", H),
    ("**Background**", H),
    ("It worked.", P),
    ("What worked?", P),
    ("1. Recruit more keyworkers", P),
    ("This line has more than ten words so it is not a heading at all", P),
])
def test_heading_rules(chunk: str, kind: SegmentKind) -> None:
    [segment] = segment_text(chunk)
    assert segment.kind is kind
    assert segment.codable is (kind is P)


def _long_turn(sentences: int) -> str:
    return " ".join(f"Sentence number {n} is about the family and the visit on Tuesday."
                    for n in range(sentences))


def test_long_turns_split_at_sentence_boundaries_without_losing_text() -> None:
    body = _long_turn(12) + " Dr. Smith came too. It was e.g. fine!"
    text = (f"[00:01:00] Interviewer: Go on.\n\n[00:01:05] P3: {body}\n\n"
            "[00:03:00] Interviewer: Thanks.\n\nP3: OK.")
    segments = segment_text(text, SegmentationOptions(max_chars=200))
    pieces = [s for s in segments if s.speaker == "P3"][:-1]
    assert len(pieces) > 3
    assert all(len(p.text) <= 200 for p in pieces)
    assert " ".join(p.text for p in pieces) == body
    for before, after in pairwise(pieces):
        assert text[before.end:after.start].isspace()
        assert before.text.endswith((".", "!"))
    assert not any(p.text.startswith(("Smith", "fine")) for p in pieces)
    assert pieces[0].start_time == 65.0
    assert all(p.start_time is None for p in pieces[1:])
    assert all(p.codable and p.kind is SegmentKind.TURN for p in pieces)


def test_default_max_chars_keeps_ordinary_turns_whole() -> None:
    text = f"I: Go on.\n\nR: {_long_turn(10)}\n\nI: Thanks.\n\nR: OK."
    assert len(segment_text(text)) == 4


def test_a_sentence_longer_than_max_chars_stays_whole() -> None:
    sentence = "word " * 60 + "end."
    [segment] = segment_text(sentence.strip(), SegmentationOptions(max_chars=50))
    assert segment.text == sentence.strip()


def test_headings_are_not_split() -> None:
    heading = "# " + "Long heading words " * 10
    assert len(segment_text(heading.strip(), SegmentationOptions(max_chars=20))) == 1


def test_sentence_spans_and_packing() -> None:
    text = "  First one. Mr. Jones said “hi.” Then (maybe) a third? 3 cats. end"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Mr. Jones said “hi.”",
                                             "Then (maybe) a third?", "3 cats. end"]
    assert pack_spans(spans, 35) == [(spans[0][0], spans[1][1]), (spans[2][0], spans[3][1])]
    assert pack_spans(spans, 5) == spans
    assert sentence_spans("Hi. There.", 4, 10) == [(4, 10)]
    assert sentence_spans("   ") == []


def test_page_break_mid_sentence_is_rejoined(parse_one) -> None:
    doc = parse_one("report.txt", (
        "The team visited families at home and the\n\ncontinuing here in the same sentence.\n\n"
        "A full stop ends this one.\n\nlower case after a full stop is a new paragraph.\n\n"
        "Ends mid-sentence but the next\n\nStarts upper case."
    ))
    assert [s.text for s in doc.segments] == [
        "The team visited families at home and the continuing here in the same sentence.",
        "A full stop ends this one.",
        "lower case after a full stop is a new paragraph.",
        "Ends mid-sentence but the next",
        "Starts upper case.",
    ]


CASE_NOTES = (
    "Family ref: H-0147\n"
    "Keyworker: Danielle Okafor\n\n"
    "12/03/2019 - Home visit by keyworker. Mum and both children present. Kitchen tidy.\n"
    "Agreed next visit Friday.\n\n"
    "14.03.19: Phone call from the school about attendance.\n\n"
    "1/4/2019 Team manager: case discussed in supervision.\n\n"
    "31/02/2019 – Note by social worker, date typed wrongly."
)


def test_case_notes_become_dated_entries() -> None:
    segments = segment_text(CASE_NOTES)
    assert kinds(segments) == [SegmentKind.PREAMBLE] + [SegmentKind.ENTRY] * 4
    assert not segments[0].codable
    entries = segments[1:]
    assert [s.attributes for s in entries] == [
        {"date": "2019-03-12", "author_role": "keyworker"},
        {"date": "2019-03-14", "author_role": "school"},
        {"date": "2019-04-01", "author_role": "team manager"},
        {"date": "31/02/2019", "author_role": "social worker"},
    ]
    assert entries[0].text == ("Home visit by keyworker. Mum and both children present. Kitchen tidy.\n"
                               "Agreed next visit Friday.")
    assert all(s.codable for s in entries)


def test_one_dated_line_is_not_case_notes() -> None:
    text = "12/03/2019 - The service opened.\n\nIt has grown since then and now has ten staff."
    assert kinds(segment_text(text)) == [P, P]


@pytest.mark.parametrize(("parts", "iso"), [(("12", "03", "2019"), "2019-03-12"),
                                            (("1", "4", "19"), "2019-04-01"),
                                            (("30", "02", "2020"), None)])
def test_iso_date(parts: tuple[str, str, str], iso: str | None) -> None:
    assert iso_date(*parts) == iso


def test_segmentation_options_pass_through_parse_file(parse_one) -> None:
    text = f"I: Go on.\n\nR: {_long_turn(10)}\n\nI: Thanks.\n\nR: OK."
    options = ReadOptions(segmentation=SegmentationOptions(max_chars=150, code_interviewer=True))
    doc = parse_one("t.txt", text, options)
    assert len(doc.segments) > 4
    assert all(s.codable for s in doc.segments)


MIXED_STYLES = """Interviewer: Thanks for seeing me. How are things?

Mum: Better than they were, honestly.

Interviewer: What helped?

Mum: Having someone who turned up every week.

I: Did anything change for the kids?

R: Our Jayden's back in school most days now, and he's sleeping.

Interviewer: Thank you.
"""

REPORT_WITH_RUN_IN_HEADINGS = """Findings

The study asked three questions of the programme's first year and its partners.

RQ 1: How did families first hear of the service? Most heard through their school.

The schools' role grew over the year, as later sections show in more detail.

RQ 2: What did partners expect? Partners expected quick referrals and a named worker.

Several partners changed their view during the year, in particular the housing team.

Model 3: The staged model put a keyworker in each school cluster from the autumn.

This model was tested in two areas before it was taken up more widely.

RQ 1: A second look at referral routes confirmed the first finding.

Model 3: The evaluation of the staged model is still running.

Attendance:

Two officers and a councillor.
"""


def test_mixed_label_styles_never_swallow_an_answer() -> None:
    segments = segment_text(MIXED_STYLES)
    answer = next(s for s in segments if s.text.startswith("Our Jayden"))
    assert answer.speaker == "R" and answer.codable
    question = next(s for s in segments if s.text.startswith("Did anything"))
    assert question.text == "Did anything change for the kids?" and not question.codable


def test_run_in_headings_of_a_report_are_not_speakers_and_form_labels_are_not_codable() -> None:
    segments = segment_text(REPORT_WITH_RUN_IN_HEADINGS)
    assert not any(s.speaker for s in segments)
    label = next(s for s in segments if s.text == "Attendance:")
    assert not label.codable and label.kind == SegmentKind.HEADING
    assert any(s.codable and s.text.startswith("RQ 2: What did partners expect?") for s in segments)


def test_a_document_said_to_be_a_document_has_no_speakers() -> None:
    as_read = segment_text(MIXED_STYLES)
    assert {s.speaker for s in as_read} >= {"Interviewer", "Mum", "R"}
    told = segment_text(MIXED_STYLES, SegmentationOptions(kind="document"))
    assert not any(s.speaker for s in told) and all(s.kind == SegmentKind.PARAGRAPH for s in told)
    with pytest.raises(ValueError, match="kind must be one of"):
        SegmentationOptions(kind="poem")
