"""Search the corpus: phrases as written and by lemma across documents, keyword-in-context lines, filters,
"code all hits" as one event one undo reverses; and the Search page through AppTest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.errors import ConflictError, QualkitError
from qualkit.services import search
from qualkit.store import events as events_store

from coding_doubles import CODEBOOK_YAML

DOC = "kw_interview.txt"
OTHER = "mum_interview.txt"


@pytest.fixture
def corpus(tmp_path: Path, transcript: Path) -> services.Project:
    """The shared keyworker transcript and a parent's, in two groups."""
    (transcript.parent / OTHER).write_text(
        "Interviewer: Did you trust the keyworker?\n\n"
        "P7: Trusting anyone was hard. The landlord had threatened eviction twice; the eviction "
        "letters kept coming.\n\n"
        "Interviewer: And now?\n\n"
        "P7: Now I trust her. She trusts me too, I think.\n", encoding="utf-8")
    project = services.init_project(tmp_path / "proj")
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK_YAML, encoding="utf-8")
    services.import_codebook(project, book)
    services.import_sources(project, [transcript.parent])
    services.set_document_group(project, DOC, "Keyworkers")
    services.set_document_group(project, OTHER, "Families")
    return project


def found(result: search.SearchResult) -> list[tuple[str, str]]:
    return [(hit.document, hit.text) for hit in result.hits]


def test_words_and_phrases_as_written_with_their_context(corpus: services.Project) -> None:
    result = search.search_corpus(corpus, "TRUST")
    assert found(result) == [(DOC, "trust"), (OTHER, "trust")]  # whole words: not "Trusting", "trusts"
    hit = result.hits[0]
    assert hit.before.endswith("Then we built ") and hit.after.startswith(", slowly")
    text = services.document_in_context(corpus, DOC).segments
    segment = next(s for s in text if s.id == hit.segment_id)
    assert segment.text[hit.start - segment.start:hit.end - segment.start] == "trust"
    # a phrase: its words in order, any spacing or punctuation between; commas separate phrases
    assert found(search.search_corpus(corpus, "eviction letters")) == [(OTHER, "eviction letters")]
    assert found(search.search_corpus(corpus, "twice the eviction")) == [(OTHER, "twice; the eviction")]
    assert found(search.search_corpus(corpus, "referral, eviction")) == [
        (DOC, "referral"), (OTHER, "eviction"), (OTHER, "eviction")]
    assert found(search.search_corpus(corpus, "didn’t open")) == [(DOC, "didn't open")]
    assert search.search_corpus(corpus, "evict").hits == []
    with pytest.raises(QualkitError, match="nothing to search"):
        search.search_corpus(corpus, " , ;")


def test_lemmas_find_every_form(corpus: services.Project) -> None:
    result = search.search_corpus(corpus, "trusted", lemmas=True)
    assert found(result) == [(DOC, "trust"), (OTHER, "Trusting"), (OTHER, "trust"), (OTHER, "trusts")]
    assert found(search.search_corpus(corpus, "threaten evictions", lemmas=True)) == [
        (OTHER, "threatened eviction")]


def test_filters_by_group_document_speaker_and_the_uncoded_text(corpus: services.Project) -> None:
    assert found(search.search_corpus(corpus, "trust", group="Keyworkers")) == [(DOC, "trust")]
    assert found(search.search_corpus(corpus, "trust", document=OTHER)) == [(OTHER, "trust")]
    assert found(search.search_corpus(corpus, "trust", speaker="Keyworker C")) == [(DOC, "trust")]
    assert "Keyworker C" in search.search_speakers(corpus)
    # the interviewer's question is not coded, so it is searched only when asked
    assert found(search.search_corpus(corpus, "trust", document=OTHER, uncoded=True)) == [
        (OTHER, "trust"), (OTHER, "trust")]
    with pytest.raises(QualkitError, match="no document"):
        search.search_corpus(corpus, "trust", document="elsewhere.txt")


def test_code_all_hits_is_one_event_and_one_undo_reverses_it(corpus: services.Project) -> None:
    hits = search.search_corpus(corpus, "eviction").hits
    before = services.project_version(corpus)
    coded = search.code_hits(corpus, hits, ["housing"], "Ana")
    codings = [c for c in services.document_in_context(corpus, OTHER).codings if c.code == "housing"]
    assert sorted(c.id for c in codings) == sorted(coded.added) and len(codings) == 2
    assert [(c.start, c.end, c.part, c.status, c.coder) for c in codings] == [
        (h.start, h.end, True, "accepted", "Ana") for h in hits]
    with corpus.sessions() as session:
        logged = events_store.events(session, actions=["code_hits", "add_coding"])
    assert [(e.action, e.data["codings"], e.data["codes"]) for e in logged] == [
        ("code_hits", coded.added, ["housing"])]
    assert logged[0].id > before
    again = search.code_hits(corpus, hits, ["housing"], "Ben")  # already coded so: nothing added twice
    assert again.added == [] and again.already == ["housing by Ana", "housing by Ana"]

    undone = search.undo_code_hits(corpus, "Ana")
    assert (undone.event, undone.removed) == (coded.event, 2)
    assert services.document_in_context(corpus, OTHER).codings == []
    search.undo_code_hits(corpus, "Ben")  # Ben's added nothing: his undo removes nothing
    with pytest.raises(QualkitError, match="no coding of search hits left"):
        search.undo_code_hits(corpus, "Ana")


def test_whole_segments_each_coded_once(corpus: services.Project) -> None:
    hits = search.search_corpus(corpus, "eviction").hits
    coded = search.code_hits(corpus, hits, ["housing", "trust"], "Ana", whole_segments=True)
    codings = services.document_in_context(corpus, OTHER).codings
    assert len(coded.added) == 2 and sorted(c.code for c in codings) == ["housing", "trust"]
    assert not any(c.part for c in codings)


def test_code_all_hits_refuses_stale_hits_and_undo_a_later_decision(corpus: services.Project) -> None:
    hits = search.search_corpus(corpus, "eviction").hits
    moved = [search.Hit(**{**h.__dict__, "start": h.start + 1, "end": h.end + 1}) for h in hits]
    with pytest.raises(ConflictError, match="changed since the search"):
        search.code_hits(corpus, moved, ["housing"], "Ana")
    with pytest.raises(QualkitError, match="no code chosen"):
        search.code_hits(corpus, hits, [], "Ana")
    assert services.document_in_context(corpus, OTHER).codings == []
    coded = search.code_hits(corpus, hits, ["housing"], "Ana")
    services.decide(corpus, coded.added[0], False, reviewer="Ben")
    with pytest.raises(QualkitError, match="after the hits were coded"):
        search.undo_code_hits(corpus, "Ana")
    assert len(services.document_in_context(corpus, OTHER).codings) == 2


def test_search_page_lists_hits_codes_them_and_undoes(corpus: services.Project,
                                                     open_app: Callable[..., AppTest]) -> None:
    at = open_app(corpus, "search")
    at.text_input(key="s_query").input("eviction").run()
    assert not at.exception, at.exception
    assert any("2 hits in 1 segments of 1 documents" in c.value for c in at.caption)
    assert any("**eviction**" in m.value for m in at.markdown)
    at.multiselect(key="s_codes").set_value(["housing"]).run()
    next(b for b in at.button if b.label.startswith("Code all 2 hits")).click().run()
    assert not at.exception, at.exception
    assert len(services.document_in_context(corpus, OTHER).codings) == 2
    assert any("Added 2 codings" in s.value for s in at.success)
    next(b for b in at.button if b.label.startswith("Undo my last")).click().run()
    assert services.document_in_context(corpus, OTHER).codings == []
    at.toggle(key="s_lemmas").set_value(True).run()
    at.text_input(key="s_query").input("threatens").run()
    assert not at.exception, at.exception
    assert any("**threatened**" in m.value for m in at.markdown)


def test_coding_the_hits_does_not_search_again_but_an_import_does(
        corpus: services.Project, open_app: Callable[..., AppTest], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = search.search_corpus

    def counted(project: services.Project, query: str, **filters: object) -> search.SearchResult:
        calls.append(query)
        return real(project, query, **filters)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "search_corpus", counted)  # what the gateway calls
    at = open_app(corpus, "search")
    at.text_input(key="s_query").input("eviction").run()
    at.multiselect(key="s_codes").set_value(["housing"]).run()
    next(b for b in at.button if b.label.startswith("Code all 2 hits")).click().run()
    assert not at.exception, at.exception
    assert len(services.document_in_context(corpus, OTHER).codings) == 2 and calls == ["eviction"]
    extra = tmp_path / "more" / "third.txt"
    extra.parent.mkdir()
    extra.write_text("P9: The eviction notice came on a Friday.\n", encoding="utf-8")
    services.import_sources(corpus, [extra])
    at.run()
    assert calls == ["eviction", "eviction"]
    assert any("3 hits in 2 segments of 2 documents" in c.value for c in at.caption)
