"""Memos on the project, codes, documents and segments: stored with author and time, referenced
stably, searchable, edited and deleted with an audit trail that never holds their text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from test_agreement import double_coding_project
from typer.testing import CliRunner

from qualkit import services
from qualkit.cli import app
from qualkit.errors import NotFoundError, QualkitError
from qualkit.store.schema import EventRow, MemoRow


@pytest.fixture
def project(tmp_path: Path) -> services.Project:
    return double_coding_project(tmp_path)[0]


def test_memos_on_each_kind_of_subject(project: services.Project) -> None:
    segment = next(iter(services.iter_segments(project, document="b.jsonl")))
    before = datetime.now(UTC)
    on_project = services.add_memo(project, "project", None, "  Fieldwork ran late.  ", "Ana", title="Timing")
    on_code = services.add_memo(project, "code", "trust", "Trust builds slowly.", "Ben")
    on_document = services.add_memo(project, services.MemoTarget.document, "b.jsonl", "Noisy recording.",
                                    "Ana")
    on_segment = services.add_memo(project, "segment", segment.id, "Sarcasm?", "Ben")
    assert (on_project.ref, on_project.about, on_project.text, on_project.title) == (
        None, "p", "Fieldwork ran late.", "Timing")
    assert (on_code.ref, on_code.about) == ("trust", "Trust")
    assert on_document.ref == "2" and on_document.about == "b.jsonl"  # b is the second document imported
    assert (on_segment.ref, on_segment.about) == (str(segment.id), f"segment {segment.id} of b.jsonl")
    assert on_code.author == "Ben" and on_code.created_at >= before and on_code.created_at.tzinfo is not None
    assert services.list_memos(project, "document", 2) == [on_document]  # by id as well as by name
    assert [m.id for m in services.list_memos(project)] == [m.id for m in (on_project, on_code, on_document,
                                                                             on_segment)]
    assert [m.target for m in services.list_memos(project, "code")] == [services.MemoTarget.code]
    assert services.list_memos(project, "code", "housing") == []


@pytest.mark.parametrize(("target", "ref", "message"), [
    ("participant", "P1", "memos cannot be on 'participant'. Use one of: project, code, document, segment."),
    ("project", "a.jsonl", "a project memo is on the whole project"),
    ("code", None, "a code memo needs to say which code"),
    ("code", "money", "no code 'money' in the project"),
    ("document", "missing.txt", "no document 'missing.txt'"),
    ("segment", "999", "no segment '999'"),
    ("segment", "first", "no segment 'first'"),
])
def test_memos_on_what_does_not_exist_are_refused(project: services.Project, target: str, ref: str | None,
                                                  message: str) -> None:
    with pytest.raises(QualkitError, match=message):
        services.add_memo(project, target, ref, "text", "Ana")
    with project.sessions() as session:
        assert session.scalars(select(MemoRow)).all() == []


def test_a_memo_needs_text_and_an_author(project: services.Project) -> None:
    with pytest.raises(QualkitError, match="no text"):
        services.add_memo(project, "project", None, "   ", "Ana")
    with pytest.raises(QualkitError, match="no author"):
        services.add_memo(project, "project", None, "text", " ")
    with pytest.raises(QualkitError, match="needs its target"):
        services.list_memos(project, ref="trust")


def test_search_finds_every_word_in_title_or_text_in_any_case(project: services.Project) -> None:
    cafe = services.add_memo(project, "project", None, "Meetings at the CAFÉ felt safer.", "Ana",
                             title="Venues")
    services.add_memo(project, "code", "trust", "Trust in the keyworker, not the service.", "Ben")
    assert services.list_memos(project, search="café venues") == [cafe]
    assert [m.author for m in services.list_memos(project, search="the")] == ["Ana", "Ben"]
    assert services.list_memos(project, search="café keyworker") == []
    assert [m.author for m in services.list_memos(project, "code", search="TRUST")] == ["Ben"]


def test_edit_keeps_the_author_and_delete_removes(project: services.Project,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALKIT_USER", "Cleo")
    memo = services.add_memo(project, "code", "trust", "First thoughts.", "Ana", title="Draft")
    edited = services.edit_memo(project, memo.id, text="Second thoughts.", editor="Ben")
    assert (edited.author, edited.title, edited.text) == ("Ana", "Draft", "Second thoughts.")
    assert edited.updated_at >= memo.updated_at and edited.created_at == memo.created_at
    assert services.edit_memo(project, memo.id, title="Final").text == "Second thoughts."
    with pytest.raises(QualkitError, match="nothing to change"):
        services.edit_memo(project, memo.id)
    services.delete_memo(project, memo.id, by="Ben")
    assert services.list_memos(project) == []
    with pytest.raises(NotFoundError, match="no memo with id"):
        services.delete_memo(project, memo.id)
    with project.sessions() as session:
        query = select(EventRow).where(EventRow.entity == "memo").order_by(EventRow.id)
        events = session.scalars(query).all()
    assert [(e.action, e.actor) for e in events] == [("add_memo", "Ana"), ("edit_memo", "Ben"),
                                                     ("edit_memo", "Cleo"), ("delete_memo", "Ben")]
    assert all("thoughts" not in str(e.data) for e in events)  # the trail never holds a memo's text


def test_cli_memo_add_list_search_edit_delete(project: services.Project) -> None:
    runner = CliRunner()
    folder = str(project.folder)
    result = runner.invoke(app, ["memo", folder, "add", "Trust builds slowly", "--on", "code:trust",
                                 "--title", "Pace", "--as", "Ana"])
    assert result.exit_code == 0 and "Added memo #1 on code Trust." in result.stdout
    result = runner.invoke(app, ["memo", folder, "add", "On the whole evaluation", "--as", "Ben"])
    assert result.exit_code == 0 and "on project p" in result.stdout
    listed = runner.invoke(app, ["memo", folder, "list", "--on", "code:trust"]).stdout
    assert "#1 [code: Trust] Pace — Ana" in listed and "whole evaluation" not in listed
    found = runner.invoke(app, ["memo", folder, "search", "SLOWLY"]).stdout
    assert "Trust builds slowly" in found and "whole evaluation" not in found
    assert runner.invoke(app, ["memo", folder, "edit", "--id", "1", "Trust builds fast"]).exit_code == 0
    assert runner.invoke(app, ["memo", folder, "delete", "--id", "2"]).exit_code == 0
    assert [m.text for m in services.list_memos(project)] == ["Trust builds fast"]
    result = runner.invoke(app, ["memo", folder, "add", "x", "--on", "code:money"])
    assert result.exit_code == 1 and "no code 'money'" in result.output
