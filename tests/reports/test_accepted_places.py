"""What browsing quotes reads of every accepted coding (`store.in_context.accepted_places`, read once per
project version for Themes quotes), on both databases: the segment's document, participant and resolved
group, a person's span, whether a coder's run made it; nothing of a suggestion still pending or one
rejected."""

from __future__ import annotations

from pathlib import Path

from qualkit import services
from qualkit.store import in_context

from coding_doubles import BagOfWordsEmbedder, coding_project


def test_each_accepted_coding_is_placed_with_its_labels_span_and_maker(
        tmp_path: Path, fake_embedder: BagOfWordsEmbedder) -> None:
    project = coding_project(tmp_path / "p", tmp_path / "src")
    services.run_coder(project, "testkeyword.v1")
    queue = services.review_queue(project, limit=100, order="document")
    accepted, rejected = queue[0], queue[1]
    services.decide(project, accepted.id, True, reviewer="ana")
    services.decide(project, rejected.id, False, reviewer="ana")
    segment = next(s for s in services.iter_segments(project, codable_only=True)
                   if s.id not in (accepted.segment_id, rejected.segment_id))
    code = services.current_codebook(project).flat()[0].id
    services.code_selection(project, segment.document, segment.start, segment.start + 4, [code], coder="ana")

    with project.sessions() as session:
        places = in_context.accepted_places(session)
        labels = in_context.segment_labels(session)
        # labels at hand (the app keeps them while only codings change) give the same; missing ones are read
        assert in_context.accepted_places(session, labels=labels) == places
        assert in_context.accepted_places(session, labels={k: v for k, v in labels.items()
                                                           if k != segment.id}) == places
        assert {p.code for p in in_context.accepted_places(session, code=code)} == {code}

    assert len(places) == 2
    by_segment = {place.segment_id: place for place in places}
    assert set(by_segment) == {accepted.segment_id, segment.id}  # not the rejected one, nor those pending
    machine = by_segment[accepted.segment_id]
    assert (machine.code, machine.document, machine.participant, machine.group, machine.machine) == (
        accepted.code, accepted.document, accepted.participant, accepted.group, True)
    assert by_segment[segment.id] == in_context.AcceptedPlace(
        code, segment.id, segment.document, segment.participant, segment.group,
        (segment.start, segment.start + 4), False)
    assert machine.participant in ("P1", "P2", "Keyworker C", "Keyworker D")
    assert machine.group in ("Families", "Keyworkers")
