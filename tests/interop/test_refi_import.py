"""Importing REFI-QDA files from other programs: each vendor's quirks, what is reported as
dropped, and errors that name the file and line."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from qualkit import services
from qualkit.errors import CorruptFileError, UnsafeFileError
from qualkit.store.schema import CodeAssignmentRow, DocumentRow, EventRow, MemoRow, ParticipantRow

from refi_helpers import MAXQDA_SAMPLE, assert_valid, project_xml_of, snapshot, write_qdpx

U1, U2 = "F3EA8DA1-BB99-411F-8ED4-011170237B6C", "{0a0a0a0a-0000-4000-8000-000000000002}"
CODE, FOLDER = "C9E3D7E0-4DBF-46E2-96EF-14574ECD3B90", "11111111-2222-4333-8444-555555555555"
SOURCE, SOURCE2 = "C5E4C960-5296-4FDE-8C63-DEABA4E17F92", "7391D47A-323D-4291-8202-ED599C250828"
TEXT = "Interviewer: What helped?\r\n\r\nParent: The funding for the nursery, honestly.\r\n"
VARIABLE, CASE, NOTE = ("44444444-4444-4444-8444-444444444444", "55555555-5555-4555-8555-555555555555",
                        "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")


def qde_text(origin: str, selections: str, *, namespace: str = "urn:QDA-XML:project:1.0", extra: str = "",
            cases: str = "", colour: str = "#ef8256") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{namespace}" name="Study" origin="{origin}">
 <Users><User guid="{U1}" name="johnb"/><User guid="{U2}" name="Rosa"/></Users>
 <CodeBook><Codes>
  <Code guid="{FOLDER}" name="Barriers" isCodable="false" color="{colour}">
   <Description>Theme folder</Description>
   <Code guid="{CODE}" name="Funding" isCodable="true"><Description>Money or budgets.</Description></Code>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="{VARIABLE}" name="Site" typeOfVariable="Text"/></Variables>
 {cases}
 <Sources>
  <TextSource guid="{SOURCE}" name="Interview 1" plainTextPath="internal://{SOURCE}.txt">{selections}</TextSource>
 </Sources>
 {extra}
</Project>"""


def selection(start: int, end: int, user: str = U2,
              guid: str = "88888888-8888-4888-8888-888888888888") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="{user}">'
            f'<Coding guid="99999999-9999-4999-8999-999999999999" creatingUser="{user}">'
            f'<CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>')


def coded_texts(project: services.Project) -> list[tuple[str, str]]:
    with project.sessions() as session:
        rows = session.execute(select(CodeAssignmentRow, DocumentRow.text).join(
            DocumentRow, DocumentRow.id == select(func.min(DocumentRow.id)).scalar_subquery()))
        return [(text[row.span_start:row.span_end] if row.span_start is not None else "whole", row.coder)
                for row, text in rows]


def test_maxqda_positions_count_crlf_as_two_characters(project: services.Project, tmp_path: Path) -> None:
    start = TEXT.index("funding")
    path = write_qdpx(tmp_path / "maxqda.qdpx", project_text("MAXQDA 24", start),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    assert coded_texts(project) == [("funding", "Rosa")]
    assert report.codings == 1 and report.documents == [("Interview 1", 2)]


def project_text(origin: str, start: int) -> str:
    return qde_text(origin, selection(start, start + len("funding")))


def test_atlas_ti_positions_count_crlf_as_one_character(project: services.Project, tmp_path: Path) -> None:
    start = TEXT.replace("\r\n", "\n").index("funding")
    path = write_qdpx(tmp_path / "atlas.qdpx", project_text("ATLAS.ti 23.2.3", start),
                      {f"{SOURCE}.txt": TEXT.encode()})
    services.import_refi(project, path)
    assert coded_texts(project) == [("funding", "Rosa")]


def test_sources_outside_the_sources_folder_are_found(project: services.Project, tmp_path: Path) -> None:
    start = TEXT.index("funding")
    path = write_qdpx(tmp_path / "nested.qdpx", project_text("MAXQDA 24", start),
                      {f"{SOURCE}.txt": TEXT.encode()}, folder="export/files")
    assert services.import_refi(project, path).codings == 1
    assert coded_texts(project) == [("funding", "Rosa")]


def test_nvivo_capitals_other_namespaces_and_a_bom_are_read(project: services.Project,
                                                            tmp_path: Path) -> None:
    start = TEXT.index("funding")
    qde = "\ufeff" + qde_text("NVivo 14", selection(start, start + 7), namespace="urn:QDA-XML:project:1.5",
                             colour="#FFEF8256")
    path = write_qdpx(tmp_path / "nvivo.qdpx", qde.encode("utf-8"), {f"{SOURCE.lower()}.TXT": TEXT.encode()},
                      member="Project.qde", folder="Sources")
    report = services.import_refi(project, path)
    assert coded_texts(project) == [("funding", "Rosa")]
    assert services.current_codebook(project).get("barriers").color == "#EF8256"
    assert report.dropped == ["nvivo.qdpx: 1 code(s) marked not codable ('Barriers') became ordinary codes "
                              "(every qualkit code can be applied)."]


def test_nameless_cases_hold_document_variables_and_named_cases_people(project: services.Project,
                                                                        tmp_path: Path) -> None:
    cases = f"""<Cases>
      <Case guid="{CASE}"><VariableValue><VariableRef targetGUID="{VARIABLE}"/><TextValue>Ashworth</TextValue>
        </VariableValue><SourceRef targetGUID="{SOURCE}"/></Case>
      <Case guid="66666666-6666-4666-8666-666666666666" name="Parent"><VariableValue>
        <VariableRef targetGUID="{VARIABLE}"/><TextValue>Kettlewick</TextValue></VariableValue>
        <SourceRef targetGUID="{SOURCE}"/></Case>
      <Case guid="77777777-7777-4777-8777-777777777777" name="Orphan">
        <CodeRef targetGUID="{CODE}"/></Case></Cases>"""
    path = write_qdpx(tmp_path / "cases.qdpx", qde_text("MAXQDA 24", "", cases=cases),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    with project.sessions() as session:
        assert session.scalar(select(DocumentRow.attributes)) == {"Site": "Ashworth"}
        people = {p.label: p.site for p in session.scalars(select(ParticipantRow))}
    assert people == {"Parent": "Kettlewick", "Orphan": None}  # the text names no speakers
    assert any("link(s) from case 'Orphan' to codes" in m for m in report.dropped)
    assert any("case 'Parent' to source 'Interview 1' not kept" in m for m in report.dropped)


def test_comments_links_and_notes_become_memos(project: services.Project, tmp_path: Path) -> None:
    start = TEXT.index("funding")
    comment = (f'<PlainTextSelection guid="bbbbbbbb-0000-4000-8000-000000000001" startPosition="{start}" '
               f'endPosition="{start + 7}" creatingUser="{U1}"><Description>Ask about amounts</Description>'
               "</PlainTextSelection>")
    extra = f"""<Notes><Note guid="{NOTE}" name="Memo" creatingUser="{U2}">
      <PlainTextContent>Link me</PlainTextContent></Note></Notes>
      <Links><Link guid="cccccccc-0000-4000-8000-000000000001" originGUID="{NOTE}"
      targetGUID="{CODE}"/><Link guid="cccccccc-0000-4000-8000-000000000002" originGUID="{CODE}"
      targetGUID="{SOURCE}"/></Links><Sets><Set guid="dddddddd-0000-4000-8000-000000000001" name="Wave 1"/>
      </Sets>"""
    path = write_qdpx(tmp_path / "notes.qdpx", qde_text("MAXQDA 24", comment, extra=extra),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    with project.sessions() as session:
        memos = {(m.target, m.author, m.title, m.text) for m in session.scalars(select(MemoRow))}
    assert memos == {("code", "Rosa", "Memo", "Link me"),
                     ("segment", "johnb", "Comment", "Ask about amounts")}
    assert sum("a link between" in m for m in report.dropped) == 1
    assert any("the empty set 'Wave 1' not imported" in m for m in report.dropped)


def test_what_cannot_be_placed_is_reported_not_lost_silently(project: services.Project,
                                                             tmp_path: Path) -> None:
    bad = selection(5, 500, guid="88888888-8888-4888-8888-000000000001")
    case_coding = bad.replace(CODE, CASE).replace("5\" endPosition=\"500", "0\" endPosition=\"4")
    extra_sources = f"""<Sources><PictureSource guid="{SOURCE2}" name="Photo" path="internal://x.jpg"/>
      <TextSource guid="{CASE}" name="Elsewhere" plainTextPath="absolute://C:/data/x.txt"/>
      <TextSource guid="{NOTE}" name="Lost" plainTextPath="internal://missing.txt"/></Sources>"""
    qde = qde_text("MAXQDA 24", bad + case_coding, colour="red").replace("</Sources>", "").replace(
        "<Sources>", "").replace(" <Notes>", "")
    qde = qde.replace("</TextSource>", "</TextSource>" + extra_sources.removeprefix("<Sources>"))
    qde = qde.replace("<TextSource guid=\"" + SOURCE, "<Sources><TextSource guid=\"" + SOURCE, 1)
    path = write_qdpx(tmp_path / "lossy.qdpx", qde, {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    assert report.unplaced == ["lossy.qdpx, line 13: the selection 5–500 of 'Interview 1' and its 1 "
                               f"coding(s) not placed (it is not inside the text, {len(TEXT)} characters, "
                               "under any counting)."]
    expected = ["colour 'red' of code 'Barriers'",
                "its code 55555555-5555-4555-8555-555555555555 is not in the codebook",
                "source 'Photo' (a picture) not imported", "text is outside the archive: absolute://C:/data/x.txt",
                "source 'Lost' and its codings not imported (its file internal://missing.txt is missing)"]
    for part in expected:
        assert sum(part in message for message in report.dropped) == 1, part
    assert report.codings == 0 and report.documents == [("Interview 1", 2)]


@pytest.mark.skipif(not MAXQDA_SAMPLE.is_file(), reason="../shared/refi is absent")
def test_the_real_maxqda_24_export_imports(project: services.Project) -> None:
    report = services.import_refi(project, MAXQDA_SAMPLE)
    assert report.codebook is not None and report.codebook.codes == 307
    assert len(report.documents) == 10 and all(segments > 10 for _, segments in report.documents)
    assert report.dropped == [] and report.unplaced == []
    with project.sessions() as session:
        sets = sorted(a.get("Set") for a in session.scalars(select(DocumentRow.attributes)))
    assert sets == ["ICLS 2024"] * 5 + ["ICLS 2025"] * 5
    codebook = services.current_codebook(project)
    top = codebook.get("additional_themes_and_ideas")
    assert top.color == "#ef8256" and top.children and top.description.startswith("This category")
    again = services.import_refi(project, MAXQDA_SAMPLE)
    assert again.documents == [] and len(again.reused) == 10 and not again.codebook.new


def test_a_qdc_becomes_the_next_codebook_version(project: services.Project, tmp_path: Path) -> None:
    qdc = tmp_path / "book.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder"><Codes>'
                   f'<Code guid="{CODE}" name="Funding" isCodable="true" color="rgb(255, 0, 16)">'
                   '<Description>Money.\n\nKeywords:\n- budget\nqualkit id: money</Description></Code>'
                   '</Codes></CodeBook>', encoding="utf-8")
    report = services.import_refi(project, qdc)
    code = services.current_codebook(project, "book").get("money")
    assert (code.name, code.description, code.keywords, code.color) == ("Funding", "Money.", ["budget"],
                                                                        "#ff0010")
    assert report.codebook.version == 1 and report.dropped == []


def test_reimporting_the_same_file_adds_nothing(project: services.Project, tmp_path: Path) -> None:
    start = TEXT.index("funding")
    path = write_qdpx(tmp_path / "again.qdpx", project_text("MAXQDA 24", start),
                      {f"{SOURCE}.txt": TEXT.encode()})
    services.import_refi(project, path)
    before = snapshot(project)
    report = services.import_refi(project, path)
    assert (report.codings, report.already, report.reused) == (0, 1, ["Interview 1"])
    assert snapshot(project) == before


@pytest.mark.parametrize(("content", "error", "message"), [
    (b"not a zip", CorruptFileError, "bad.qdpx: is not a readable zip archive"),
    (None, CorruptFileError, "must hold exactly one project.qde (found: none)"),
    (b"<Project name='x'><Users></Project>", CorruptFileError,
     "(project.qde), line 1: is not well-formed XML"),
    (b"<?xml version='1.0'?>\n<Book/>", CorruptFileError,
     "line 2: is not a REFI-QDA file: its root element is <Book>"),
    (b"<!DOCTYPE p [<!ENTITY x 'y'>]><Project name='x'/>", UnsafeFileError, "declares a DTD"),
])
def test_bad_files_raise_one_typed_error_and_write_nothing(project: services.Project, tmp_path: Path,
                                                           content: bytes | None, error: type,
                                                           message: str) -> None:
    path = tmp_path / "bad.qdpx"
    if content is None or content.startswith(b"<"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("project.qde" if content else "readme.txt", content or b"hello")
    else:
        path.write_bytes(content)
    with project.sessions() as session:
        events = session.scalar(select(func.count(EventRow.id)))
    with pytest.raises(error) as raised:
        services.import_refi(project, path)
    assert message in str(raised.value) and "bad.qdpx" in str(raised.value)
    with project.sessions() as session:
        assert session.scalar(select(func.count(EventRow.id))) == events


@pytest.mark.skipif(not MAXQDA_SAMPLE.is_file(), reason="../shared/refi is absent")
def test_maxqda_guids_survive_import_then_export(project: services.Project, tmp_path: Path) -> None:
    def guids(path: Path, tag: str) -> set[str]:
        root = etree.fromstring(zipfile.ZipFile(path).read(
            next(n for n in zipfile.ZipFile(path).namelist() if n.lower().endswith(".qde"))))
        return {e.get("guid").lower() for e in root.iter(f"{{*}}{tag}")}

    services.import_refi(project, MAXQDA_SAMPLE)
    exported = services.export_qdpx(project, tmp_path / "back.qdpx").path
    codes, sources = guids(MAXQDA_SAMPLE, "Code"), guids(MAXQDA_SAMPLE, "TextSource")
    assert (len(codes), len(sources)) == (307, 10)
    assert guids(exported, "Code") >= codes and guids(exported, "TextSource") == sources
    assert_valid(project_xml_of(exported), "Project.xsd")
    again = services.export_qdpx(project, tmp_path / "again.qdpx").path
    assert again.read_bytes() == exported.read_bytes()


def test_a_source_that_exists_only_as_a_word_document_is_read(project: services.Project,
                                                              tmp_path: Path) -> None:
    """Some programs write a source's rich text alone (`richTextPath` to a .docx, no plain text)."""
    import io

    import docx

    from qualkit.ingest.extracted import ReadContext, ReadOptions
    from qualkit.ingest.readers.documents import read_docx

    document = docx.Document()
    for paragraph in ("Interviewer: What helped?", "Parent: The funding for the nursery, honestly."):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    text = read_docx(data, ReadContext(Path("x.docx"), ReadOptions())).text  # as the other program read it
    start = text.index("funding")
    qde = qde_text("MAXQDA 24", selection(start, start + len("funding"))).replace(
        f'plainTextPath="internal://{SOURCE}.txt"', f'richTextPath="internal://{SOURCE}.docx"')
    report = services.import_refi(project, write_qdpx(tmp_path / "rich.qdpx", qde, {f"{SOURCE}.docx": data}))
    assert report.documents == [("Interview 1", 2)]
    assert coded_texts(project) == [("funding", "Rosa")]
