"""A decision costs the same whatever the project's size: the review page ranks its queue once per queue
version (decisions do not move it on) and narrows it to the codings still waiting. These check that the
queue it shows is nevertheless always current: decided codings leave it, undone ones come back, other
people's decisions count, and a coder run ranks it again."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.services import app_support


def card(at: AppTest) -> str:
    """The text of the coding on the review card (the last quote block: a question comes before it)."""
    quotes = [m.value for m in at.markdown if "qk-quote" in m.value]
    return html.unescape(re.sub(r"<[^>]+>", "", quotes[-1]))


def click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def test_queue_version_ignores_decisions_and_moves_with_a_coder_run(coded: services.Project) -> None:
    version = app_support.queue_version(coded)
    first, second = services.review_queue(coded, limit=2)
    services.decide(coded, first.id, True, reviewer="Ana")
    services.undo_last_decision(coded, "Ana")
    services.add_coding(coded, second.segment_id, "trust", "Ben")
    assert app_support.queue_version(coded) == version
    services.run_coder(coded, "testother.v1")
    assert app_support.queue_version(coded) > version


def test_still_waiting_follows_decisions_undo_and_settled_pairs(coded: services.Project) -> None:
    items = services.review_queue(coded, limit=50)
    ids = [i.id for i in items]
    assert app_support.still_waiting(coded, ids, "suggested") == set(ids)
    services.decide(coded, items[0].id, False, reviewer="Ana")
    assert app_support.still_waiting(coded, ids, "suggested") == set(ids[1:])
    assert app_support.still_waiting(coded, ids, "rejected") == {ids[0]}
    services.undo_last_decision(coded, "Ana")
    assert app_support.still_waiting(coded, ids, "suggested") == set(ids)
    # a person's own coding of the same segment and code settles the suggestion there
    services.add_coding(coded, items[1].segment_id, items[1].code, "Ben")
    assert items[1].id not in app_support.still_waiting(coded, ids, "suggested")


def test_the_page_shows_the_current_queue_after_every_kind_of_change(
        coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    ranked = services.review_queue(coded, limit=60)
    at = open_app(coded, "review")
    assert card(at) == ranked[0].text
    click(at, "Accept")
    assert card(at) == ranked[1].text  # the decided coding left the queue
    services.decide(coded, ranked[1].id, False, reviewer="Ben")  # someone else, in another session
    at.run()
    assert card(at) == ranked[2].text
    click(at, "Undo")  # Ana's acceptance undone: her coding is back, first again
    assert card(at) == ranked[0].text
    services.remove_coding(coded, ranked[0].id, "Ben")
    at.run()
    assert card(at) == ranked[2].text
    services.run_coder(coded, "testother.v1")  # a coder run ranks the queue again
    at.run()
    assert card(at) == services.review_queue(coded, limit=60)[0].text
