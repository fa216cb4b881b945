"""REFI positions counted another way (a byte-order mark, UTF-16 units after emoji, CRLF as one
character) land on the words the other program selected, checked against each selection's stored
text; what no convention confirms is listed as unplaced, never placed blindly."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_refi_import import CODE, SOURCE, U2, coded_texts, qde_text

from qualkit import services

from refi_helpers import write_qdpx

TEXT = "Interviewer: What helped?\r\n\r\nParent: 😀 The funding 😀 for the nursery, honestly.\r\n"


def named(start: int, end: int, name: str | None, number: int = 1) -> str:
    label = "" if name is None else f' name="{name}"'
    return (f'<PlainTextSelection guid="88888888-8888-4888-8888-{number:012d}"{label} '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{U2}">'
            f'<Coding guid="99999999-9999-4999-8999-{number:012d}" '
            f'creatingUser="{U2}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>')


def counted(text: str, *, utf16: bool = False, crlf_one: bool = False, bom: bool = False) -> str:
    """The text as a program that counts that way sees it (so `index` gives its positions)."""
    if crlf_one:
        text = text.replace("\r\n", "\n")
    if utf16:
        text = text.encode("utf-16-le").decode("latin-1")[::2]  # one character per UTF-16 unit
    return ("\ufeff" if bom else "") + text


def span(text: str, word: str) -> tuple[int, int]:
    return text.index(word), text.index(word) + len(word)


QUIRKS = [
    pytest.param({}, False, id="code points"),
    pytest.param({"bom": True}, False, id="a BOM counted that the file does not hold"),
    pytest.param({}, True, id="the file's BOM not counted"),
    pytest.param({"utf16": True}, False, id="UTF-16 units after emoji"),
    pytest.param({"crlf_one": True}, False, id="CRLF as one outside ATLAS.ti"),
    pytest.param({"utf16": True, "crlf_one": True, "bom": True}, False, id="all three"),
]


@pytest.mark.parametrize(("quirk", "file_bom"), QUIRKS)
def test_selections_land_on_their_own_words(project: services.Project, tmp_path: Path, quirk: dict,
                                            file_bom: bool) -> None:
    seen = counted(TEXT, **quirk)
    selections = named(*span(seen, "funding"), "funding", 1) + named(*span(seen, "nursery"), "nursery", 2)
    selections += named(*span(seen, "honestly"), None, 3)  # no name: the source's convention places it
    raw = ("\ufeff" if file_bom else "") + TEXT
    path = write_qdpx(tmp_path / "quirk.qdpx", qde_text("MAXQDA 24", selections),
                      {f"{SOURCE}.txt": raw.encode()})
    report = services.import_refi(project, path)
    assert sorted(coded_texts(project)) == [("funding", "Rosa"), ("honestly", "Rosa"), ("nursery", "Rosa")]
    assert report.unplaced == [] and report.codings == 3
    assert len(report.notes) == 1 and "2 of 3 selection(s) confirmed by their stored text" in report.notes[0]
    if quirk.get("utf16"):
        assert "UTF-16 units" in report.notes[0]


def test_a_selection_no_convention_confirms_is_unplaced(project: services.Project, tmp_path: Path) -> None:
    good = named(*span(TEXT, "funding"), "funding", 1)
    wrong = named(*span(TEXT, "nursery"), "kindergarten", 2)
    path = write_qdpx(tmp_path / "wrong.qdpx", qde_text("MAXQDA 24", good + wrong),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    assert coded_texts(project) == [("funding", "Rosa")]
    assert len(report.unplaced) == 1 and "wrong.qdpx, line" in report.unplaced[0]
    assert ("its stored text 'kindergarten' is not at those positions under any counting; they hold "
            "'nursery'") in report.unplaced[0]


def test_names_that_are_labels_are_not_used_as_a_check(project: services.Project, tmp_path: Path) -> None:
    path = write_qdpx(tmp_path / "labels.qdpx",
                      qde_text("ATLAS.ti 23", named(*span(counted(TEXT, crlf_one=True), "funding"), "Q1", 1)),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    assert coded_texts(project) == [("funding", "Rosa")]
    assert "the names are labels" in report.notes[0] and report.unplaced == []


def test_reversed_positions_are_unplaced(project: services.Project, tmp_path: Path) -> None:
    path = write_qdpx(tmp_path / "reversed.qdpx", qde_text("MAXQDA 24", named(40, 30, None)),
                      {f"{SOURCE}.txt": TEXT.encode()})
    report = services.import_refi(project, path)
    assert coded_texts(project) == [] and report.codings == 0
    assert report.unplaced == ["reversed.qdpx, line 13: the selection 40–30 of 'Interview 1' and its 1 "
                               "coding(s) not placed (it ends before it starts)."]


def test_a_selection_across_turns_skips_the_interviewer_between(project: services.Project,
                                                                 tmp_path: Path) -> None:
    text = ("Interviewer: What helped?\n\nParent: The funding.\n\nInterviewer: And then?\n\n"
            "Parent: The nursery.")
    start, end = text.index("The funding"), text.index("nursery") + len("nursery")
    path = write_qdpx(tmp_path / "turns.qdpx", qde_text("MAXQDA 24", named(start, end, None)),
                      {f"{SOURCE}.txt": text.encode()})
    services.import_refi(project, path)
    # both answers, not the question between them
    assert sorted(coded_texts(project)) == [("The nursery", "Rosa"), ("whole", "Rosa")]
