"""Speaker-label styles found in real transcripts, and what must not be taken for a speaker."""

from __future__ import annotations

import pytest

from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.ingest.speakers import accept_labels, match_label, parse_timestamp
from qualkit.model import SegmentKind
from qualkit.model.speakers import is_interviewer_label, is_project_wide_label, participant_label_for

from ingest_helpers import kinds


def speakers(text: str, options: SegmentationOptions | None = None) -> list[tuple[str | None, str]]:
    return [(s.speaker, s.text) for s in segment_text(text, options) if s.kind is SegmentKind.TURN]


@pytest.mark.parametrize(("first", "second"), [
    ("Interviewer", "Keyworker C"),
    ("I", "R"),
    ("Q", "A"),
    ("Int", "P3"),
    ("Facilitator", "Speaker 2"),
    ("INTERVIEWER", "MUM"),
])
def test_label_styles(first: str, second: str) -> None:
    text = (f"{first}: What happened first?\n\n{second}: The referral came in.\n\n"
            f"{first}: And then?\n\n{second}: A visit, the week after.")
    assert speakers(text) == [(first, "What happened first?"), (second, "The referral came in."),
                              (first, "And then?"), (second, "A visit, the week after.")]


def test_timestamped_labels() -> None:
    text = ("[00:03:12] Speaker 1: So how did it go?\n"
            "[00:03:15] Speaker 2: Better than I thought.\n"
            "[00:04:01] Speaker 1: Why?\n"
            "[01:02:03.5] Speaker 2: They listened.")
    segments = segment_text(text)
    assert [(s.speaker, s.start_time, s.text) for s in segments] == [
        ("Speaker 1", 192.0, "So how did it go?"),
        ("Speaker 2", 195.0, "Better than I thought."),
        ("Speaker 1", 241.0, "Why?"),
        ("Speaker 2", 3723.5, "They listened."),
    ]


@pytest.mark.parametrize(("value", "seconds"), [
    ("00:03:12", 192.0), ("3:12", 192.0), ("00:03:12.500", 192.5), ("00:00:01,250", 1.25)])
def test_parse_timestamp(value: str, seconds: float) -> None:
    assert parse_timestamp(value) == seconds


def test_a_speaker_who_speaks_once_is_still_a_speaker() -> None:
    text = ("INTERVIEWER: Who looks after the money?\n\n"
            "MUM: Me, mostly.\n\n"
            "INTERVIEWER: Always?\n\n"
            "MUM: Since he lost his job.\n\n"
            "DAD: That's not fair, I do the shopping.\n\n"
            "INTERVIEWER: OK.")
    assert [s for s, _ in speakers(text)] == ["INTERVIEWER", "MUM", "INTERVIEWER", "MUM", "DAD",
                                              "INTERVIEWER"]


def test_project_wide_label_used_once_after_transcript_starts() -> None:
    text = ("Interviewer: Hello.\n\nParent 1: Hi.\n\nInterviewer: Go on.\n\nParent 1: Well.\n\n"
            "Keyworker C: Can I add something?")
    assert speakers(text)[-1] == ("Keyworker C", "Can I add something?")


def test_markdown_bold_labels() -> None:
    text = ("**Interviewer:** First question.\n\n**Parent 3:** First answer.\n\n"
            "__Interviewer__: Second question.\n\n**Parent 3**: Second answer.")
    assert speakers(text) == [("Interviewer", "First question."), ("Parent 3", "First answer."),
                              ("Interviewer", "Second question."), ("Parent 3", "Second answer.")]


def test_preamble_lines_are_not_speakers() -> None:
    text = ("Date of interview: 14 March 2024\n"
            "Note: names have been changed.\n"
            "Location: Millbrook Family Hub\n\n"
            "Interviewer: Shall we start?\n\n"
            "P3: Yes.\n\n"
            "Interviewer: How long have you known the team?\n\n"
            "P3: A year. Note: not continuously.")
    segments = segment_text(text)
    assert segments[0].kind is SegmentKind.PREAMBLE
    assert segments[0].text.startswith("Date of interview: 14 March 2024")
    assert not segments[0].codable
    assert {s.speaker for s in segments} == {None, "Interviewer", "P3"}
    assert segments[-1].text == "A year. Note: not continuously."


def test_a_single_label_line_in_prose_does_not_make_a_transcript() -> None:
    text = "Note: this report covers 2023.\n\nThe service saw 40 families. Most were referred by schools."
    assert kinds(segment_text(text)) == [SegmentKind.PARAGRAPH, SegmentKind.PARAGRAPH]


def test_one_recurring_heading_label_does_not_make_a_transcript() -> None:
    """`Case study: ...` used as a heading many times is not one person talking."""
    text = "\n\n".join(
        f"Case study: Area {n} – support to a family\nThe team worked with the family for a year."
        for n in range(4)
    )
    segments = segment_text(text)
    assert all(s.speaker is None for s in segments)
    assert SegmentKind.TURN not in kinds(segments)


def test_multi_paragraph_turns() -> None:
    text = ("Interviewer: Tell me about it.\n\n"
            "Keyworker A: It was hard at first.\n\nThen it got easier.\n\n"
            "Interviewer: Why?\n\nKeyworker A: Trust.")
    assert speakers(text)[1] == ("Keyworker A", "It was hard at first.\n\nThen it got easier.")


def test_turns_on_consecutive_lines() -> None:
    text = "I: Ready?\nR: Yes.\nI: Good.\nR: Go on then.\nI: Right."
    assert speakers(text) == [("I", "Ready?"), ("R", "Yes."), ("I", "Good."), ("R", "Go on then."),
                              ("I", "Right.")]


def test_interviewer_turns_kept_but_not_codable() -> None:
    text = "Q: Why?\n\nA: Because.\n\nQ: Sure?\n\nA: Yes."
    segments = segment_text(text)
    assert [(s.speaker, s.codable) for s in segments] == [("Q", False), ("A", True), ("Q", False),
                                                          ("A", True)]
    coded = segment_text(text, SegmentationOptions(code_interviewer=True))
    assert all(s.codable for s in coded)


def test_bracket_attributions_become_quotes() -> None:
    text = ("Workshop notes, 18 April 2024\n\n"
            "“They didn't make me feel judged.” (Parent 2)\n\n"
            "\"We'd seen teams come and go.\" (Partner B)\n\n"
            "It changed how we work with schools. (Keyworker D)")
    segments = segment_text(text)
    assert [(s.kind, s.speaker, s.text) for s in segments] == [
        (SegmentKind.PREAMBLE, None, "Workshop notes, 18 April 2024"),
        (SegmentKind.QUOTE, "Parent 2", "They didn't make me feel judged."),
        (SegmentKind.QUOTE, "Partner B", "We'd seen teams come and go."),
        (SegmentKind.QUOTE, "Keyworker D", "It changed how we work with schools."),
    ]
    assert [s.codable for s in segments] == [False, True, True, True]


def test_bracketed_abbreviations_in_headings_are_not_attributions() -> None:
    """Report headings such as `4.1 Targeted Family Support (TFS)` are not quotes."""
    text = ("4.1 Targeted Family Support (TFS)\n\nTFS works with families for up to six months.\n\n"
            "4.3 Adolescent Response Team (ART)\n\nART works with teenagers at risk of care.\n\n"
            "Kerry Mehta (Head of Children's safeguarding unit)")
    segments = segment_text(text)
    assert set(kinds(segments)) <= {SegmentKind.HEADING, SegmentKind.PARAGRAPH}
    assert all(s.speaker is None for s in segments)


@pytest.mark.parametrize("line", ["Interviewer: hi", "  P3: yes", "[00:01:02] Speaker 2: ok",
                                  "(1:02) - Mum: ok", "**Parent 3:** ok", "Keyworker C:"])
def test_match_label_accepts(line: str) -> None:
    assert match_label(line, 0, len(line)) is not None


@pytest.mark.parametrize("line", ["http://example.org", "12:30 we met", "lower: no",
                                  "This is a very long sentence with a colon: here",
                                  "A sentence, then colon: text"])
def test_match_label_rejects(line: str) -> None:
    assert match_label(line, 0, len(line)) is None


def test_accept_labels_needs_recurring_labels() -> None:
    assert accept_labels(["Note", "Date"]) == set()
    assert accept_labels(["I", "R", "I", "R"]) == {"i", "r"}


@pytest.mark.parametrize(("label", "interviewer"), [("Interviewer", True), ("I", True), ("Q", True),
                                                    ("Interviewer 2", True), ("R", False),
                                                    ("Parent 3", False)])
def test_is_interviewer_label(label: str, interviewer: bool) -> None:
    assert is_interviewer_label(label) is interviewer


@pytest.mark.parametrize(("label", "wide"), [("Keyworker C", True), ("P3", True), ("YP2", True),
                                             ("Speaker 2", False), ("MUM", False), ("R", False)])
def test_is_project_wide_label(label: str, wide: bool) -> None:
    assert is_project_wide_label(label) is wide


@pytest.mark.parametrize(("label", "participant"), [
    ("Keyworker C", "Keyworker C"), ("P3", "P3"), ("R", "R (kw.txt)"),
    ("Interviewer 2", "Interviewer 2 (kw.txt)"), ("Speaker 2", "Speaker 2 (kw.txt)")])
def test_participant_label_is_project_wide_only_for_ids(label: str, participant: str) -> None:
    assert participant_label_for(label, "kw.txt") == participant
