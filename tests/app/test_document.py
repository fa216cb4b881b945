"""Code in context: the Document page's services (a document in order with its codings, coding a
selection by document offsets, removing) and their bad input, the page itself through AppTest, and
the audit trail naming the person in the app."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.errors import ConflictError, NotFoundError, QualkitError
from qualkit.store.schema import EventRow

from coding_doubles import CODEBOOK_YAML

DOC = "kw_interview.txt"


@pytest.fixture
def interview(tmp_path: Path, transcript: Path) -> services.Project:
    project = services.init_project(tmp_path / "proj")
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK_YAML, encoding="utf-8")
    services.import_codebook(project, book)
    services.import_sources(project, [transcript])
    return project


def text_of(project: services.Project) -> str:
    view = services.document_in_context(project, DOC)
    return "".join(s.text for s in view.segments)


def span_of(project: services.Project, words: str) -> tuple[int, int]:
    segment = next(s for s in services.document_in_context(project, DOC).segments if words in s.text)
    start = segment.start + segment.text.index(words)
    return start, start + len(words)


def test_document_in_order_with_questions_and_codings(interview: services.Project) -> None:
    view = services.document_in_context(interview, DOC)
    assert [s.ordinal for s in view.segments] == sorted(s.ordinal for s in view.segments)
    questions = [s.text for s in view.segments if s.interviewer]
    assert any("How did you first meet the family?" in q for q in questions)
    start, end = span_of(interview, "built trust")
    coded = services.code_selection(interview, DOC, start, end, ["trust"], coder="Ana",
                                    expected_text="built trust")
    [coding] = services.document_in_context(interview, DOC).codings
    assert (coding.id, coding.start, coding.end, coding.part, coding.code, coding.coder) == (
        coded.added[0], start, end, True, "trust", "Ana")
    answer = coding.segment_id
    context = services.segment_context(interview, answer)
    assert context.question is not None and "And then?" in context.question
    assert [c.id for c in context.codings] == coded.added
    segment = next(s for s in view.segments if s.id == answer)
    assert services.segment_places(interview, [answer, 10**9]) == {answer: (DOC, segment.start, segment.end)}


def test_a_whole_segment_selection_codes_the_segment_and_several_segments_each_part(
        interview: services.Project) -> None:
    segments = [s for s in services.document_in_context(interview, DOC).segments if s.codable]
    whole = segments[0]
    services.code_selection(interview, DOC, whole.start, whole.end, ["trust"], coder="Ana")
    first, second = segments[0], segments[-1]
    services.code_selection(interview, DOC, first.end - 5, second.start + 4, ["housing"], coder="Ana")
    codings = services.document_in_context(interview, DOC).codings
    assert [(c.code, c.part) for c in codings if c.code == "trust"] == [("trust", False)]
    spans = sorted((c.start, c.end) for c in codings if c.code == "housing")
    assert spans[0] == (first.end - 5, first.end) and spans[-1] == (second.start, second.start + 4)


def test_bad_selections_are_refused_and_write_nothing(interview: services.Project) -> None:
    start, end = span_of(interview, "built trust")
    with pytest.raises(QualkitError, match="empty"):
        services.code_selection(interview, DOC, start, start, ["trust"], coder="Ana")
    with pytest.raises(QualkitError, match="outside"):
        services.code_selection(interview, DOC, start, 10**6, ["trust"], coder="Ana")
    with pytest.raises(QualkitError, match="no code chosen"):
        services.code_selection(interview, DOC, start, end, [], coder="Ana")
    with pytest.raises(NotFoundError, match="no longer in the codebook"):
        services.code_selection(interview, DOC, start, end, ["trust", "deleted-meanwhile"], coder="Ana")
    with pytest.raises(ConflictError, match="changed since"):
        services.code_selection(interview, DOC, start, end, ["trust"], coder="Ana",
                                expected_text="other words")
    with pytest.raises(NotFoundError, match="no document"):
        services.code_selection(interview, "elsewhere.txt", start, end, ["trust"], coder="Ana")
    assert services.document_in_context(interview, DOC).codings == []


def test_two_people_coding_one_span_at_once_store_it_once(interview: services.Project) -> None:
    start, end = span_of(interview, "built trust")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def code(person: str) -> None:
        barrier.wait()
        results.append(services.code_selection(interview, DOC, start, end, ["trust"], coder=person))

    threads = [threading.Thread(target=code, args=(p,)) for p in ("Ana", "Ben")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codings = services.document_in_context(interview, DOC).codings
    assert len(codings) == 1 and (codings[0].start, codings[0].end) == (start, end)
    added = [r for r in results if r.added]  # type: ignore[attr-defined]
    told = [r for r in results if r.already]  # type: ignore[attr-defined]
    assert len(added) == 1 and len(told) == 1 and "trust by" in told[0].already[0]  # type: ignore[attr-defined]


def test_remove_a_coding_and_a_coding_removed_meanwhile(interview: services.Project) -> None:
    start, end = span_of(interview, "built trust")
    [coding] = services.code_selection(interview, DOC, start, end, ["trust"], coder="Ana").added
    services.remove_coding(interview, coding, "Ben")
    assert services.document_in_context(interview, DOC).codings == []
    with pytest.raises(NotFoundError, match="no longer exists"):
        services.remove_coding(interview, coding, "Ben")


def test_review_queue_in_document_order_for_one_document(coded: services.Project) -> None:
    documents = [d.name for d in services.list_documents(coded)]
    queue = services.review_queue(coded, limit=500, order="document", document=documents[0])
    assert queue and {q.document for q in queue} == {documents[0]}
    segments = {s.id: s.ordinal for s in services.iter_segments(coded)}
    assert [segments[q.segment_id] for q in queue] == sorted(segments[q.segment_id] for q in queue)


def test_document_page_renders_and_codes_through_its_callback(
        interview: services.Project, open_app: Callable[..., AppTest]) -> None:
    at = open_app(interview, "document")
    assert not at.exception
    assert any("segments" in c.value for c in at.caption)
    start, end = span_of(interview, "built trust")
    at.query_params.update({"doc": DOC, "start": str(start), "end": str(end)})
    at.run()
    assert not at.exception, at.exception


def test_events_name_the_person_in_the_app_never_the_login(interview: services.Project,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUALKIT_USER", raising=False)
    with services.acting_as("Ana Ruiz"):
        services.set_document_group(interview, DOC, "Families")
    assert services.current_user() != "Ana Ruiz"  # only inside
    with interview.sessions() as session:
        last = session.scalars(select(EventRow).order_by(EventRow.id.desc())).first()
    assert (last.action, last.actor) == ("set_group", "Ana Ruiz")


def test_review_card_shows_the_question_the_other_codings_and_a_link_to_its_place(
        interview: services.Project, open_app: Callable[..., AppTest]) -> None:
    start, end = span_of(interview, "built trust")
    services.code_selection(interview, DOC, start, end, ["trust"], coder="Ben")
    services.code_selection(interview, DOC, start, end + 8, ["housing"], coder="Cy")
    at = open_app(interview, "review")
    at.selectbox(key="f_status").select("accepted").run()
    at.selectbox(key="f_document").select(DOC).run()
    at.selectbox(key="f_order").select("document").run()
    assert not at.exception, at.exception
    shown = "\n".join(str(m.value) for m in at.markdown) + "\n".join(str(c.value) for c in at.caption)
    assert "And then?" in shown
    assert "Housing" in shown and "Cy" in shown  # the other coding on the segment, listed
    assert "built trust" in shown


def test_cli_shows_codings_and_decisions_with_filters(interview: services.Project) -> None:
    from typer.testing import CliRunner

    from qualkit.cli import app
    start, end = span_of(interview, "built trust")
    [coding] = services.code_selection(interview, DOC, start, end, ["trust"], coder="Ana").added
    services.code_selection(interview, DOC, start, end + 8, ["housing"], coder="Ben")
    services.decide(interview, coding, False, reviewer="Cy")
    runner = CliRunner()
    shown = runner.invoke(app, ["show", str(interview.folder), "codings", "--person", "Ana"],
                          env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert f"{start}" in shown.output and "rejected" in shown.output and "housing" not in shown.output
    decisions = runner.invoke(app, ["show", str(interview.folder), "decisions", "--person", "Cy"],
                              env={"COLUMNS": "200"})
    assert decisions.exit_code == 0, decisions.output
    assert "accepted -> rejected" in decisions.output and "Ben" not in decisions.output


def test_a_part_coding_is_quoted_as_coded_and_themes_search_covers_every_theme(
        interview: services.Project, open_app: Callable[..., AppTest]) -> None:
    start, end = span_of(interview, "built trust")
    services.code_selection(interview, DOC, start, end, ["trust"], coder="Ben")
    other, _ = span_of(interview, "referral")
    services.code_selection(interview, DOC, other, other + len("referral"), ["housing"], coder="Ben")
    quotes = services.theme_quotes(interview, code="trust")
    assert [(q.text, q.span) for q in quotes] == [("built trust", (start, end))]
    index = services.quote_index(interview)  # what the app keeps per project version
    assert services.theme_quotes(interview, code="trust", index=index) == quotes
    assert index.quotes(search="BUILT TRUST") == quotes
    assert index.quotes(search="referral", code="trust") == []
    assert services.quote_index(interview, code="trust").quotes(code="trust") == quotes  # that code's alone
    assert [c.code for c in services.accepted_codings(interview, code="housing")] == ["housing"]
    empty = services.QuoteIndex(services.anonymised_view(interview), [])
    assert services.theme_quotes(interview, code="trust", index=empty) == []  # it reads only what it is given
    at = open_app(interview, "themes")
    at.text_input[0].input("referral").run()  # the search box: every theme, not the one chosen below it
    assert not at.exception, at.exception
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert "referral" in shown and "Open in the document" in "\n".join(
        str(getattr(e, "proto", "")) for e in at.get("page_link"))


def test_reports_page_exports_qdpx_and_project_page_offers_refi_import(
        interview: services.Project, open_app: Callable[..., AppTest]) -> None:
    at = open_app(interview, "reports")
    next(b for b in at.button if b.label == "Build .qdpx").click().run()
    assert not at.exception, at.exception
    name, payload = at.session_state["qdpx"]
    assert name.endswith(".qdpx") and payload[:2] == b"PK"
    at = open_app(interview, "project")
    assert not at.exception, at.exception
    assert any("REFI-QDA" in str(t.label) for t in at.tabs)


def test_the_page_counts_as_suggestions_only_what_the_coder_said_yes_to(
        tmp_path: Path, open_app: Callable[..., AppTest], fake_embedder: object) -> None:
    from coding_doubles import UNITS, write_units

    project = services.init_project(tmp_path / "units")
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK_YAML, encoding="utf-8")
    services.import_codebook(project, book)
    services.import_sources(project, [write_units(tmp_path / "units.jsonl", UNITS)])
    services.run_coder(project, "testkeyword")  # yes at 0.7 (3 of them), candidates at 0.4 (3)
    at = open_app(project, "document")
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if "segments" in c.value)
    assert "3 suggested (and 3 lower-scored candidates)" in caption
