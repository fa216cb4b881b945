"""Codebooks from and for Taguette and NVivo as CSV: their column shapes, the tree, errors with rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import services
from qualkit.errors import CodebookError, NotFoundError
from qualkit.interop.codebook_csv import codebook_csv, read_codebook_csv

TAGUETTE = """tag,description,number of highlights
Trust,Belief that the worker is on the family's side,12
Good cop / bad cop,The supportive worker beside enforcing agencies,3
Practical help,,7
"""
NVIVO = """Name,Description,Files,References
Practical help,Help with the home and money,4,9
Practical help\\Housing,"Landlords, repairs, arrears",2,3
Practical help\\Money and food,Foodbanks and benefits,3,5
Isolation,,1,1
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_taguette_and_nvivo_shapes_are_read_with_their_tree(tmp_path: Path) -> None:
    taguette = read_codebook_csv(write(tmp_path, "tags.csv", TAGUETTE))
    assert taguette.name == "tags"
    assert [(c.id, c.name) for c in taguette.codes] == [
        ("trust", "Trust"), ("good_cop_bad_cop", "Good cop / bad cop"), ("practical_help", "Practical help")]
    assert taguette.codes[0].description == "Belief that the worker is on the family's side"
    nvivo = read_codebook_csv(write(tmp_path, "codes.csv", NVIVO))
    help_ = nvivo.codes[0]
    assert [c.name for c in help_.children] == ["Housing", "Money and food"]
    assert help_.children[0].description == "Landlords, repairs, arrears"
    assert nvivo.codes[1].name == "Isolation"


def test_a_csv_codebook_round_trips_through_a_project(tmp_path: Path) -> None:
    project = services.init_project(tmp_path / "p")
    services.import_codebook(project, write(tmp_path, "codes.csv", NVIVO))
    out = tmp_path / "out.csv"
    written = services.export_codebook(project, out)
    again = read_codebook_csv(out)
    assert [(c.id, c.name, c.description, [k.id for k in c.children]) for c in again.codes] == [
        (c.id, c.name, c.description, [k.id for k in c.children]) for c in written.codes]
    # Taguette reads `tag`, `description` and `parent`; qualkit also keeps its ids and colours
    assert codebook_csv(again).splitlines()[0] == "tag,description,parent,id,color"


def test_bad_rows_are_named_and_nothing_is_stored(tmp_path: Path) -> None:
    project = services.init_project(tmp_path / "p")
    bad = write(tmp_path, "bad.csv", "tag,description\nTrust,one\n,empty\nTrust,again\n")
    with pytest.raises(CodebookError) as caught:
        services.import_codebook(project, bad)
    message = str(caught.value)
    assert "line 3" in message and "has no code name" in message
    assert "line 4" in message and "repeats the code 'Trust'" in message
    with pytest.raises(CodebookError, match="no `tag` or `name` column"):
        read_codebook_csv(write(tmp_path, "nohead.csv", "label,description\nTrust,x\n"))
    with pytest.raises(NotFoundError):
        services.current_codebook(project)
