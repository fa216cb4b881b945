"""One small, hand-made file per supported format, parsed through `parse_file`."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from qualkit.ingest import readers
from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.readers import FORMATS
from qualkit.ingest.registry import parse_file, supported_suffixes
from qualkit.model import SegmentKind

from ingest_helpers import add_speaker_paragraph, docx_bytes, odt_bytes, pdf_bytes, turns

INTERVIEW = (
    "Interviewer: How did you first hear about the service?\n\n"
    "Keyworker C: Through the school. They rang me on a Friday.\n\n"
    "Interviewer: And then?\n\n"
    "Keyworker C: I went round the following Monday."
)


def test_every_format_has_a_reader() -> None:
    expected = {".txt", ".md", ".docx", ".pdf", ".odt", ".rtf", ".html", ".vtt", ".srt", ".csv",
                ".xlsx", ".jsonl"}
    assert expected <= set(supported_suffixes())
    for suffix in supported_suffixes():
        assert callable(FORMATS[suffix].reader()), suffix


def test_readers_are_listed_not_registered_by_import() -> None:
    """The readers table is the one registration: no reader module imports the registry, so importing
    a reader alone (as the REFI import does for .docx) neither needs nor runs the registry."""
    code = ("import sys; import qualkit.ingest.readers.documents; "
            "print('qualkit.ingest.registry' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    for module in Path(readers.__file__).parent.glob("*.py"):
        assert "qualkit.ingest.registry" not in module.read_text(encoding="utf-8"), module.name


def test_txt_interview(parse_one, tmp_path) -> None:
    doc = parse_one("kw_c.txt", INTERVIEW)
    assert doc.name == "kw_c.txt"
    assert doc.suffix == ".txt"
    assert doc.sha256 == hashlib.sha256(INTERVIEW.encode()).hexdigest()
    assert doc.source_path == str(tmp_path / "kw_c.txt")
    assert turns(doc) == [
        ("Interviewer", "How did you first hear about the service?"),
        ("Keyworker C", "Through the school. They rang me on a Friday."),
        ("Interviewer", "And then?"),
        ("Keyworker C", "I went round the following Monday."),
    ]


def test_data_argument_is_parsed_instead_of_reading_the_path(tmp_path) -> None:
    [doc] = parse_file(tmp_path / "not_written.txt", data=INTERVIEW.encode())
    assert len(turns(doc)) == 4


def test_uppercase_suffix_is_accepted(parse_one) -> None:
    assert parse_one("NOTES.TXT", INTERVIEW).suffix == ".txt"


def test_markdown_headings_and_bold_speakers(parse_one) -> None:
    doc = parse_one("parent_3.md", (
        "# Parent 3 interview\n\n"
        "**Interviewer:** What changed for you?\n\n"
        "**Parent 3:** Honestly, everything. The house is calmer.\n\n"
        "**Interviewer:** In what way?\n\n"
        "**Parent 3:** We eat together now."
    ))
    assert doc.segments[0].kind is SegmentKind.PREAMBLE
    assert not doc.segments[0].codable
    assert turns(doc)[1] == ("Parent 3", "Honestly, everything. The house is calmer.")
    assert [s for s, _ in turns(doc)] == ["Interviewer", "Parent 3"] * 2


@pytest.mark.parametrize("name_text", [("Interviewer:", " How are things?"),
                                       ("Interviewer", " How are things?"),
                                       ("Interviewer: ", "How are things?"),
                                       ("Interviewer", ": How are things?")])
def test_docx_bold_speaker_names(parse_one, name_text) -> None:
    name, first = name_text
    colon = name.strip().endswith(":")

    def build(document) -> None:
        document.core_properties.title = "Keyworker B interview"
        document.add_paragraph("Interview with Keyworker B")
        add_speaker_paragraph(document, name, first)
        add_speaker_paragraph(document, "Keyworker B:" if colon else "Keyworker B", " Better, thanks.")
        add_speaker_paragraph(document, name, " Good to hear. Anything else?")
        add_speaker_paragraph(document, "Keyworker B:" if colon else "Keyworker B",
                              " No, that is everything.")

    doc = parse_one("kw_b.docx", docx_bytes(build))
    assert doc.attributes == {"title": "Keyworker B interview"}
    assert doc.segments[0].kind is SegmentKind.PREAMBLE
    assert turns(doc) == [
        ("Interviewer", "How are things?"),
        ("Keyworker B", "Better, thanks."),
        ("Interviewer", "Good to hear. Anything else?"),
        ("Keyworker B", "No, that is everything."),
    ]


def test_docx_bold_text_that_is_the_whole_paragraph_is_not_a_label(parse_one) -> None:
    def build(document) -> None:
        document.add_paragraph().add_run("Background").bold = True
        document.add_paragraph("The service started in 2022 and works with forty families.")

    doc = parse_one("report.docx", docx_bytes(build))
    assert doc.text == "Background\n\nThe service started in 2022 and works with forty families."
    assert [s.kind for s in doc.segments] == [SegmentKind.HEADING, SegmentKind.PARAGRAPH]


def test_docx_two_column_table_transcript(parse_one) -> None:
    rows = [("Interviewer", "What do you do day to day?"), ("Partner B", "Mostly visits."),
            ("Interviewer:", "Who with?"), ("Partner B", "Families on the edge of care.")]

    def build(document) -> None:
        document.add_paragraph("Transcript")
        table = document.add_table(rows=len(rows), cols=2)
        for row, (speaker, words) in zip(table.rows, rows, strict=True):
            row.cells[0].text = speaker
            row.cells[1].text = words

    doc = parse_one("partner_b.docx", docx_bytes(build))
    assert turns(doc) == [(s.rstrip(":"), w) for s, w in rows]


def test_pdf_multi_page_rejoins_sentence_and_drops_page_numbers(parse_one) -> None:
    data = pdf_bytes([
        ["Interviewer: How did the support start for you and your family at the beginning?",
         "Parent 4: It started when the school referred us, and the keyworker came round on a "
         "Tuesday and we talked about what was going on at home with the kids and the"],
        ["money worries, which had been building up for months.",
         "Interviewer: And what happened next?",
         "Parent 4: She came back with a plan. “It was the first time anyone listened,” I told "
         "my sister."],
    ], title="Parent 4 interview")
    doc = parse_one("parent_4.pdf", data)
    assert doc.attributes == {"pages": 2, "title": "Parent 4 interview"}
    assert turns(doc)[1] == ("Parent 4", (
        "It started when the school referred us, and the keyworker came round on a Tuesday and we "
        "talked about what was going on at home with the kids and the money worries, which had "
        "been building up for months."))
    assert turns(doc)[3][1].endswith("“It was the first time anyone listened,” I told my sister.")
    assert [s for s, _ in turns(doc)] == ["Interviewer", "Parent 4"] * 2
    lines = doc.text.split("\n")
    assert "1" not in lines and "2" not in lines


def test_odt_paragraphs_headings_and_spacing(parse_one) -> None:
    doc = parse_one("partner_d.odt", odt_bytes(
        '<text:h text:outline-level="1">Partner D interview</text:h>'
        "<text:p>Interviewer: What works well?</text:p>"
        "<text:p>Partner D: The<text:s text:c=\"3\"/>joint visits.<text:line-break/>"
        "And the phone calls.</text:p>"
        "<text:p>Interviewer: <text:span>Anything</text:span> else?</text:p>"
        "<text:p>Partner D: No.<text:note><text:note-body><text:p>a footnote</text:p>"
        "</text:note-body></text:note></text:p>"
    ))
    assert doc.segments[0].kind is SegmentKind.PREAMBLE
    assert turns(doc) == [
        ("Interviewer", "What works well?"),
        ("Partner D", "The   joint visits.\nAnd the phone calls."),
        ("Interviewer", "Anything else?"),
        ("Partner D", "No."),
    ]
    assert "footnote" not in doc.text


def test_rtf_unicode_escapes_for_curly_quotes(parse_one) -> None:
    rtf = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Calibri;}}"
        r"\pard Int: Tell me about the panel.\par" "\n"
        r"\pard P9: We called it \u8220?the front door\u8221?. It didn\u8217?t work.\par" "\n"
        r"\pard Int: Why not?\par" "\n"
        r"\pard P9: Nobody owned it.\par" "\n}"
    )
    doc = parse_one("frontline_b.rtf", rtf)
    assert turns(doc) == [
        ("Int", "Tell me about the panel."),
        ("P9", "We called it “the front door”. It didn’t work."),
        ("Int", "Why not?"),
        ("P9", "Nobody owned it."),
    ]
    assert not doc.segments[0].codable  # "Int" is an interviewer label


def test_html_strong_names_breaks_and_title(parse_one) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Frontline C</title><style>p {color: red}</style></head>"
        "<body><h1>Early help interview</h1>"
        "<p><strong>Interviewer:</strong> What does a good week look like?</p>"
        "<p><strong>Frontline C:</strong> Fewer crises.<br>More planned visits.</p>"
        "<p><strong>Interviewer:</strong> And a bad one?</p>"
        "<p><strong>Frontline C:</strong> Three strategy meetings &amp; no lunch.</p>"
        "<script>var x = 'Interviewer: not text';</script></body></html>"
    )
    doc = parse_one("frontline_c.html", html)
    assert doc.attributes == {"title": "Frontline C"}
    assert doc.segments[0].kind is SegmentKind.PREAMBLE
    assert doc.segments[0].text == "Early help interview"
    assert turns(doc) == [
        ("Interviewer", "What does a good week look like?"),
        ("Frontline C", "Fewer crises.\nMore planned visits."),
        ("Interviewer", "And a bad one?"),
        ("Frontline C", "Three strategy meetings & no lunch."),
    ]
    assert "color" not in doc.text and "var x" not in doc.text


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Interviewer>How long have you worked here?

00:00:04.500 --> 00:00:07.000
<v Keyworker C>About three years.

00:00:07.000 --> 00:00:10.250
<v Keyworker C>Before that I was in <i>youth offending</i>.

00:00:11.000 --> 00:00:12.000
<v Interviewer>Right.
"""


def test_vtt_voice_tags_merge_consecutive_cues_into_timed_turns(parse_one) -> None:
    doc = parse_one("kw_c.vtt", VTT)
    segments = doc.segments
    assert [(s.kind, s.speaker, s.text) for s in segments] == [
        (SegmentKind.TURN, "Interviewer", "How long have you worked here?"),
        (SegmentKind.TURN, "Keyworker C", "About three years. Before that I was in youth offending."),
        (SegmentKind.TURN, "Interviewer", "Right."),
    ]
    assert (segments[1].start_time, segments[1].end_time) == (4.5, 10.25)
    assert (segments[0].start_time, segments[0].end_time) == (1.0, 4.0)
    assert doc.text.startswith("Interviewer: How long")
    assert [s.codable for s in segments] == [False, True, False]


SRT = """1
00:00:01,000 --> 00:00:03,000
Speaker 1: What is your role in school?

2
00:00:03,500 --> 00:00:06,000
Speaker 2: I'm the designated
safeguarding lead.

3
00:00:06,000 --> 00:00:08,000
Speaker 2: Since 2019.

4
00:00:09,000 --> 00:00:10,000
Speaker 1: Thanks.
"""


def test_srt_names_in_cue_text(parse_one) -> None:
    doc = parse_one("partner_c.srt", SRT)
    assert [(s.speaker, s.text, s.start_time, s.end_time) for s in doc.segments] == [
        ("Speaker 1", "What is your role in school?", 1.0, 3.0),
        ("Speaker 2", "I'm the designated safeguarding lead. Since 2019.", 3.5, 8.0),
        ("Speaker 1", "Thanks.", 9.0, 10.0),
    ]


def test_srt_without_names_gives_timed_paragraphs(parse_one) -> None:
    doc = parse_one("plain.srt", "1\n00:00:01,000 --> 00:00:02,000\nHello there.\n")
    [segment] = doc.segments
    assert (segment.kind, segment.speaker, segment.text) == (SegmentKind.PARAGRAPH, None, "Hello there.")


CSV_NOTES = (
    "date,worker,note,outcome\n"
    '12/03/2019,Dani,"Home visit. Mum said: ""we\'re coping, just"", and the kids were in school.",open\n'
    "13/03/2019,Priya,Phone call to school about attendance this week.,closed\n"
)


def test_csv_text_column_detected_others_become_attributes(parse_one) -> None:
    doc = parse_one("case_notes.csv", CSV_NOTES)
    assert doc.attributes == {"columns": ["date", "worker", "note", "outcome"]}
    first, second = doc.segments
    assert first.kind is SegmentKind.ROW
    assert first.text == "Home visit. Mum said: \"we're coping, just\", and the kids were in school."
    assert first.attributes == {"row": 2, "date": "2019-03-12", "worker": "Dani", "outcome": "open"}
    assert second.attributes["date"] == "2019-03-13"
    assert second.attributes["row"] == 3


def test_csv_text_column_option(parse_one) -> None:
    data = "id,summary,detail\n1,Short one,Longer words about the visit that happened today\n"
    doc = parse_one("x.csv", data, ReadOptions(text_columns=("summary",)))
    [segment] = doc.segments
    assert segment.text == "Short one"
    assert segment.attributes == {"row": 2, "id": "1",
                                  "detail": "Longer words about the visit that happened today"}


def test_csv_speaker_and_group_columns(parse_one) -> None:
    data = ("respondent_id,stakeholder_group,comment\n"
            "R01,parent,It helped a lot.\n"
            "R02,,Not much for us.\n")
    doc = parse_one("survey.csv", data)
    assert [(s.speaker, s.attributes.get("group"), s.text) for s in doc.segments] == [
        ("R01", "parent", "It helped a lot."), ("R02", None, "Not much for us.")]
    assert doc.text == "R01: It helped a lot.\n\nR02: Not much for us."


def test_csv_several_free_text_columns_give_one_unit_per_answer(parse_one) -> None:
    data = (
        "respondent,age band,What helped most?,What would you change?\n"
        "R01,25-34,Having someone to ring when things got bad at night,Longer support after the "
        "case closed please\n"
        "R02,35-44,The keyworker came to every meeting with me at school,\n"
    )
    doc = parse_one("survey.csv", data)
    assert [(s.speaker, s.attributes["question"], s.attributes["row"]) for s in doc.segments] == [
        ("R01", "What helped most?", 2), ("R01", "What would you change?", 2),
        ("R02", "What helped most?", 3)]
    assert doc.segments[0].attributes["age band"] == "25-34"


def test_semicolon_csv_and_tsv(parse_one) -> None:
    semicolon = parse_one("a.csv", "date;text\n01/02/2020;First note here.\n02/02/2020;Second.\n")
    assert [s.text for s in semicolon.segments] == ["First note here.", "Second."]
    tsv = parse_one("b.tsv", "date\ttext\n01/02/2020\tFirst note here.\n")
    assert tsv.segments[0].attributes == {"row": 2, "date": "2020-02-01"}


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_multi_sheet_gives_one_document_per_sheet(write) -> None:
    data = _xlsx({
        "Parents": [["respondent", "date", "response"],
                    ["R01", datetime(2024, 3, 14), "It made a real difference."],
                    ["R02", None, "Not sure yet."]],
        "Empty": [],
        "Partners": [["respondent", "response", "score"], ["S01", "Good links with school.", 4.0]],
    })
    documents = parse_file(write("survey.xlsx", data))
    assert [d.name for d in documents] == ["survey.xlsx [Parents]", "survey.xlsx [Partners]"]
    parents, partners = documents
    assert [(s.speaker, s.text) for s in parents.segments] == [
        ("R01", "It made a real difference."), ("R02", "Not sure yet.")]
    assert parents.segments[0].attributes == {"row": 2, "date": "2024-03-14"}
    assert partners.segments[0].attributes == {"row": 2, "score": "4"}


def test_xlsx_single_sheet_keeps_file_name(parse_one) -> None:
    doc = parse_one("notes.xlsx", _xlsx({"Sheet1": [["note"], ["A visit happened."]]}))
    assert doc.name == "notes.xlsx"
    assert doc.segments[0].text == "A visit happened."


def _jsonl(*records: object) -> str:
    return "\n".join(json.dumps(r) for r in records) + "\n"


def test_jsonl_fields_and_attributes(parse_one) -> None:
    doc = parse_one("export.jsonl", _jsonl(
        {"id": 17, "text": "We felt listened to.", "speaker": "Parent 1", "group": "parents",
         "site": "North"},
        {"id": "b", "text": "Too many forms.", "speaker": "", "wave": 2},
    ))
    first, second = doc.segments
    assert (first.kind, first.speaker, first.text) == (SegmentKind.ROW, "Parent 1", "We felt listened to.")
    assert first.attributes == {"source_id": 17, "group": "parents", "site": "North"}
    assert (second.speaker, second.attributes) == (None, {"source_id": "b", "wave": 2})


def test_jsonl_document_field_groups_lines(write) -> None:
    documents = parse_file(write("export.jsonl", _jsonl(
        {"text": "One.", "document": "interview_a"},
        {"text": "Two.", "document": "interview_b"},
        {"text": "Three.", "document": "interview_a"},
    ) + "\n   \n"))
    assert [(d.name, [s.text for s in d.segments]) for d in documents] == [
        ("interview_a", ["One.", "Three."]), ("interview_b", ["Two."])]


def test_docx_without_a_title_has_no_attributes(parse_one) -> None:
    doc = parse_one("plain.docx", docx_bytes(lambda d: d.add_paragraph("Ceci n’est pas une pipe.")))
    assert doc.attributes == {}
    assert doc.text == "Ceci n’est pas une pipe."
