"""The services the app adds: undo from the event log, memos, versions; and two sessions deciding at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from qualkit import services
from qualkit.store.schema import EventRow


def test_undo_reverses_the_actors_decisions_newest_first(coded: services.Project) -> None:
    first, second = services.review_queue(coded, limit=2)
    services.decide(coded, first.id, True, reviewer="Ana")
    services.decide(coded, second.id, False, reviewer="Ana")
    services.decide(coded, first.id, False, reviewer="Ana")  # changed her mind
    undone = services.undo_last_decision(coded, "Ana")
    assert (undone.assignment_id, undone.restored, undone.undone) == (first.id, "accepted", "rejected")
    assert services.undo_last_decision(coded, "Ana").assignment_id == second.id
    assert services.undo_last_decision(coded, "Ana").restored == "suggested"
    assert services.review_queue(coded, status="accepted") == []
    assert {i.id for i in services.review_queue(coded, limit=50)} >= {first.id, second.id}
    with pytest.raises(services.UndoError, match="no review decision left"):
        services.undo_last_decision(coded, "Ana")
    with coded.sessions() as session:
        undos = session.scalars(select(EventRow).where(EventRow.action == "undo")).all()
    assert [(e.actor, e.entity_id, e.data["to"]) for e in undos] == [
        ("Ana", first.id, "accepted"), ("Ana", second.id, "suggested"), ("Ana", first.id, "suggested")]


def test_undo_refuses_to_overturn_someone_elses_later_decision(coded: services.Project) -> None:
    item = services.review_queue(coded, limit=1)[0]
    services.decide(coded, item.id, True, reviewer="Ana")
    services.decide(coded, item.id, False, reviewer="Ben")
    with pytest.raises(services.UndoError, match="set to rejected after your decision"):
        services.undo_last_decision(coded, "Ana")
    assert services.review_queue(coded, status="rejected")[0].reviewer == "Ben"


def test_every_write_moves_the_version_on(coded: services.Project) -> None:
    before = services.project_version(coded)
    services.add_memo(coded, "code", "trust", "Check the definition with the team.", author="Ana")
    middle = services.project_version(coded)
    services.decide(coded, services.review_queue(coded, limit=1)[0].id, True, reviewer="Ana")
    assert before < middle < services.project_version(coded)


def test_two_sessions_deciding_at_once_lose_nothing(coded: services.Project) -> None:
    items = services.review_queue(coded, limit=100)
    assert len(items) >= 4
    halves = {"Ana": items[::2], "Ben": items[1::2]}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def review(name: str) -> None:
        session_project = services.open_project(coded.folder)  # its own engine, as a second process would
        start.wait()
        try:
            for item in halves[name]:
                services.decide(session_project, item.id, True, reviewer=name)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=review, args=(name,)) for name in halves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    accepted = {(a.id, a.reviewer) for a in services.review_queue(coded, status="accepted", limit=100)}
    assert accepted == {(i.id, name) for name, mine in halves.items() for i in mine}
    with coded.sessions() as session:
        decided = session.scalars(select(EventRow.entity_id).where(EventRow.action == "decide")).all()
    assert sorted(decided) == sorted(i.id for i in items)


def test_the_text_version_moves_with_anonymisation_changes_only(coded: services.Project) -> None:
    """The app keeps anonymised texts per text version: coding, deciding and memos must leave it, and a
    change to what is redacted must move it (else the app would show an old anonymisation)."""
    before = services.text_version(coded)
    first, second = services.review_queue(coded, limit=2)
    services.decide(coded, first.id, True, reviewer="Ana")
    services.undo_last_decision(coded, "Ana")
    services.decide(coded, second.id, False, reviewer="Ana")
    services.add_memo(coded, "project", None, "a note", "Ana")
    assert services.text_version(coded) == before < services.project_version(coded)
    services.add_term(coded, "Hollybrook", "deny", label="PLACE", actor="Ana")
    assert services.text_version(coded) == services.project_version(coded) > before

