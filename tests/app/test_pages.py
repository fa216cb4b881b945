"""Every page renders on a small project, and its main action works and persists (checked through
the services, not the page)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from qualkit import services
from qualkit.coders.base import Unit
from qualkit.topics import Topic


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """What the page says, with the HTML of quote blocks taken out."""
    shown = "\n".join(str(e.value) for kind in (at.markdown, at.caption, at.success, at.info, at.error)
                      for e in kind)
    return html.unescape(re.sub(r"<[^>]+>", "", shown))


def test_review_accepts_the_most_uncertain_suggestion_and_undoes_it(
        coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    first = services.review_queue(coded, limit=1)[0]
    at = open_app(coded, "review")
    assert first.text in texts(at) and any(m.value == f"{first.score:.2f}" for m in at.metric)
    click(at, "Accept")
    accepted = services.review_queue(coded, status="accepted")
    assert [(a.id, a.reviewer) for a in accepted] == [(first.id, "Ana")]
    assert services.review_queue(coded, limit=1)[0].id != first.id  # the page moved on
    click(at, "Undo")
    assert services.review_queue(coded, status="accepted") == []
    assert services.review_queue(coded, limit=1)[0].id == first.id


def test_review_rejects_with_a_note_and_filters_by_code(coded: services.Project,
                                                        open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    at.selectbox(key="f_code").select("housing").run()
    shown = services.review_queue(coded, code="housing", limit=1)[0]
    assert shown.text in texts(at)
    at.text_input(key="note").input("landlord, not housing").run()
    click(at, "Reject")
    rejected = services.review_queue(coded, status="rejected")
    assert [(r.id, r.note) for r in rejected] == [(shown.id, "landlord, not housing")]


def test_review_adds_a_code_to_part_of_a_segment_and_a_memo(coded: services.Project,
                                                           open_app: Callable[..., AppTest]) -> None:
    item = services.review_queue(coded, limit=1)[0]
    words = item.text.split()[1]
    other = "trust" if item.code != "trust" else "housing"
    at = open_app(coded, "review")
    at.selectbox(key="new_code").select(other).run()
    at.text_input(key="part").input(words).run()
    click(at, "Add code")
    mine = [a for a in services.review_queue(coded, status="accepted") if a.coder == "Ana"]
    assert [(a.segment_id, a.code, a.span) for a in mine] == [
        (item.segment_id, other, (item.text.index(words), item.text.index(words) + len(words)))]
    at.text_area(key="memo").input("Ask the team about this one.").run()
    click(at, "Save memo")
    assert [m.text for m in services.list_memos(coded, "segment", str(item.segment_id))] == [
        "Ask the team about this one."]
    assert "Ask the team about this one." in texts(at)


def test_review_refuses_words_that_are_not_in_the_segment(coded: services.Project,
                                                          open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    at.text_input(key="part").input("words nobody said").run()
    click(at, "Add code")
    assert "not in this segment" in texts(at)
    assert not [a for a in services.review_queue(coded, status="accepted") if a.coder == "Ana"]


def test_review_reruns_a_coder(coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    coder_box = next(s for s in at.selectbox if s.label == "Coder")
    coder_box.select("testother.v1").run()
    click(at, "Run")
    assert "testother.v1" in {i.coder for i in services.review_queue(coded, limit=100)}
    assert "lower-scoring candidates stored for review" in texts(at)


def test_project_page_imports_a_folder_and_sets_a_group(project: services.Project, transcript: Path,
                                                        open_app: Callable[..., AppTest]) -> None:
    at = open_app(project, "project")
    next(t for t in at.text_input if t.label.startswith("Or a file or folder")).input(str(transcript.parent))
    click(at, "Import from path")
    assert [d.name for d in services.list_documents(project)] == ["kw_interview.txt"]
    assert "Imported 1 document(s)" in texts(at)
    assert any(m.value == "1" for m in at.metric)
    next(t for t in at.text_input if t.label == "Stakeholder group").input("Keyworkers")
    click(at, "Set group")
    assert services.list_documents(project)[0].group == "Keyworkers"


def test_project_page_shows_an_import_error(project: services.Project, tmp_path: Path,
                                            open_app: Callable[..., AppTest]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    at = open_app(project, "project")
    next(t for t in at.text_input if t.label.startswith("Or a file or folder")).input(str(empty))
    click(at, "Import from path")
    assert "empty.txt" in "\n".join(e.value for e in at.error)
    assert services.list_documents(project) == []


def test_codebook_page_adds_and_merges_codes_as_new_versions(coded: services.Project,
                                                            open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "codebook")
    assert "`repairs`" in texts(at)
    next(t for t in at.text_input if t.label.startswith("Id")).input("money")
    next(t for t in at.text_input if t.label == "Name").input("Money worries")
    click(at, "Add code")
    book = services.current_codebook(coded)
    assert book.version == 2 and book.get("money").name == "Money worries"
    next(s for s in at.selectbox if s.label == "Code").select("housing").run()
    next(m for m in at.multiselect if m.label.startswith("Merge")).select("money")
    click(at, "Merge")
    book = services.current_codebook(coded)
    assert book.version == 3 and "money" not in {c.id for c in book.flat()}
    assert [d.label for d in at.get("download_button")] == ["Download YAML"]
    click(at, "Prepare REFI-QDA (.qdc)")
    assert [d.label for d in at.get("download_button")] == ["Download YAML", "Download REFI-QDA (.qdc)"]


def test_codebook_page_reports_a_bad_id(coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "codebook")
    next(t for t in at.text_input if t.label.startswith("Id")).input("Not An Id")
    next(t for t in at.text_input if t.label == "Name").input("Whatever")
    click(at, "Add code")
    assert at.error and services.current_codebook(coded).version == 1


def test_topics_page_promotes_a_topic(coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "topics")
    quote = Unit("1", "The school called.", "Families", "P2")
    topic = Topic(0, ["school", "teacher"], 2, ["1", "2"], [quote], {"Families": 2}, None, "school teacher")
    at.session_state["topics"] = [topic]
    at.run()
    assert "school, teacher" in texts(at)
    click(at, "Promote")
    assert services.current_codebook(coded).get("school_teacher").name == "school teacher"


@pytest.mark.slow
def test_anonymise_page_lists_terms_and_rejects_a_detection(project: services.Project, transcript: Path,
                                                             open_app: Callable[..., AppTest]) -> None:
    services.import_sources(project, [transcript])
    at = open_app(project, "anonymise")
    assert not services.list_redactions(project)  # opening the page runs nothing: reads never write
    click(at, "Run detection again")
    found = services.list_redactions(project)
    assert found and found[0].original in at.data_editor[0].value["in context"].iloc[0]
    next(t for t in at.text_input if t.label == "Term").input("Harbour")
    click(at, "Add to list")
    assert [(t.term, t.kind) for t in services.list_terms(project)] == [("Harbour", "allow")]
    at.session_state[at.data_editor[0].key] = {"edited_rows": {0: {"select": True}}, "added_rows": [],
                                               "deleted_rows": []}
    at.run()
    click(at, "Reject selected (1)")
    assert services.list_redactions(project, status="rejected")[0].id == found[0].id


@pytest.mark.slow
def test_themes_page_counts_accepted_codings_by_group(coded: services.Project,
                                                      open_app: Callable[..., AppTest]) -> None:
    for item in services.review_queue(coded, code="trust", limit=10):
        services.decide(coded, item.id, True, reviewer="Ana")
    at = open_app(coded, "themes")
    cards = texts(at)
    assert "**Trust**" in cards and "2 segments · 2 participants" in cards
    assert "Families: 1 of 2, 1 segment" in cards and "Keyworkers: 1 of 2, 1 segment" in cards
    assert "I trust her now, she is on my side." in cards  # no identifiers in these units
    at.text_input[0].input("worked").run()
    assert "We worked on trust" in texts(at) and "I trust her now" not in texts(at)



def test_a_themes_search_shows_every_codes_quotes_in_the_order_of_one_index(
        coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    """The app searches one code's index after another until it has enough: the same quotes, in the same
    order, as one index of every code (`services.theme_quotes`)."""
    queue = services.review_queue(coded, limit=100)
    services.decide_many(coded, accept=[item.id for item in queue], reviewer="Ana")
    at = open_app(coded, "themes")
    for word, limit in (("e", 60), ("trust", 60), ("no such words", 60)):
        expected = services.theme_quotes(coded, search=word, limit=limit)
        at.text_input[0].input(word).run()
        shown = [html.unescape(re.sub(r"<[^>]+>", "", m.value)) for m in at.markdown
                 if m.value.startswith("<div class='qk-quote'>")]
        assert shown == [q.text for q in expected], word
    assert len({q.code for q in services.theme_quotes(coded, search="e", limit=60)}) > 1

def test_a_run_reads_the_project_version_once_and_the_next_run_sees_another_sessions_change(
        coded: services.Project, open_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch) -> None:
    accepted = [item.id for item in services.review_queue(coded, code="trust", limit=10)]
    services.decide_many(coded, accept=accepted, reviewer="Ana")
    at = open_app(coded, "themes")
    real, calls = services.project_version, []
    monkeypatch.setattr(services, "project_version", lambda project: calls.append(1) or real(project))
    at.run()
    assert len(calls) == 1  # not once per read: the page reads each quote's place, the login, ...
    assert "2 segments · 2 participants" in texts(at)
    services.decide(coded, accepted[0], False, reviewer="Ben")  # another browser session, say
    at.run()
    assert len(calls) == 2 and "1 segment · 1 participant" in texts(at)

@pytest.mark.slow
def test_reports_page_builds_downloads(coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    for item in services.review_queue(coded, code="trust", limit=10):
        services.decide(coded, item.id, True, reviewer="Ana")
    at = open_app(coded, "reports")
    click(at, "Build report and exports")
    names = set(at.session_state["outputs"])
    assert {"thematic_report.md", "thematic_report.docx", "quotes.csv", "case_code_matrix.csv"} <= names
    assert "I trust her now" in at.session_state["outputs"]["quotes.csv"].decode("utf-8")


def test_review_shows_agreement_between_two_coders(coded: services.Project,
                                                   open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    assert "No two coders have coded the same documents yet" not in texts(at)  # read only when opened
    at.session_state["agreement_open"] = True
    at.run()
    assert "No two coders have coded the same documents yet" in texts(at)
    segment = services.review_queue(coded, limit=1)[0].segment_id
    for coder in ("Ana", "Ben"):
        services.add_coding(coded, segment, "trust", coder)
    at = open_app(coded, "review")
    at.session_state["agreement_open"] = True
    at.run()
    (table,) = [d.value for d in at.dataframe if "coders" in d.value.columns]
    assert table["coders"].tolist() == ["Ana / Ben"] and table["agreement"].tolist() == [1.0]


def test_review_shows_the_machines_agreement_since_it_ran(coded: services.Project,
                                                          open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    at.session_state["since_run_open"] = True
    at.run()
    assert "Nobody has decided on a machine coding since the coder ran" in texts(at)
    coding = {(i.segment_id, i.code): i for i in services.review_queue(coded, limit=100)}
    said = {key: item.predicted for key, item in coding.items()}
    trust = [key for key in coding if key[1] == "trust"]  # the coder said yes to one, no to the other
    assert sorted(said[key] for key in trust) == [False, True]
    for key in trust:  # accepted both: agreement one of two; the person never said no (kappa 0)
        services.decide(coded, coding[key].id, True, reviewer="Ana")
    housing = [key for key in coding if key[1] == "housing"]  # yes to both
    services.decide(coded, coding[housing[0]].id, False, reviewer="Ana")
    at = open_app(coded, "review")
    at.session_state["since_run_open"] = True
    at.run()
    (table,) = [d.value for d in at.dataframe if "decisions" in d.value.columns]
    assert table["code"].tolist() == ["Trust", "Housing", "Repairs"]
    assert table["decisions"].tolist() == [2, 1, 0] and table["accepted"].tolist() == [2, 0, 0]
    assert table["agreement"].tolist()[:2] == [0.5, 0.0] and table["Cohen's kappa"].tolist()[0] == 0.0
    assert "the 3 decisions people made after it ran" in texts(at)


def test_review_calls_a_suggestion_only_what_the_coder_said_yes_to(coded: services.Project,
                                                                   open_app: Callable[..., AppTest]) -> None:
    at = open_app(coded, "review")
    at.selectbox(key="f_code").set_value("repairs").run()  # the keyword coder said no to both (0.4)
    assert "not suggested: the coder said no" in texts(at) and "0.40" in str(at.metric[0].value)
    at.selectbox(key="f_code").set_value("housing").run()  # yes to both (0.7)
    assert "suggested · by testkeyword.v1" in texts(at) and "not suggested" not in texts(at)


def test_reports_page_quotes_a_coded_part_with_its_sentence_on_request(
        coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    segment = next(s for s in services.iter_segments(coded) if "I trust her now" in s.text)
    start = segment.text.index("trust her")  # add_coding's span: offsets into the segment's text
    services.add_coding(coded, segment.id, "housing", "Ana", span=(start, start + len("trust her")))
    quoted = {}
    for context in (False, True):
        at = open_app(coded, "reports")
        next(c for c in at.checkbox if c.label.startswith("Quote a coded part")).set_value(context)
        click(at, "Build report and exports")
        rows = at.session_state["outputs"]["quotes.csv"].decode("utf-8").splitlines()
        quoted[context] = [row for row in rows if "trust her" in row and "Housing" in row]
    assert quoted[False] and all("I trust her now" not in row for row in quoted[False])
    assert quoted[True] and all("I trust her now, she is on my side." in row for row in quoted[True])


def test_review_lists_disagreements_in_their_place_and_settles_them(
        coded: services.Project, open_app: Callable[..., AppTest]) -> None:
    segment = services.review_queue(coded, limit=1)[0].segment_id
    services.add_coding(coded, segment, "trust", "Ana")
    services.add_coding(coded, segment, "trust", "Ben")
    other = next(s for s in services.iter_segments(coded) if s.codable and s.id != segment)
    services.add_coding(coded, other.id, "housing", "Ana")  # Ben did not: one disagreement
    at = open_app(coded, "review")
    at.session_state["agreement_open"] = True
    at.run()
    assert not at.exception, at.exception
    links = [str(getattr(e, "proto", "")) for e in at.get("page_link")]
    assert len(links) == 2  # the review card's, and the disagreement's opening its segment in place
    assert f"start={other.start}&end={other.end}" in links[1]
    next(b for b in at.button if b.label == "It does not").click().run()
    assert not at.exception, at.exception
    (resolved,) = services.agreement(coded, "Ana", "Ben").disagreements
    assert (resolved.segment_id, resolved.resolved_by, resolved.resolved_as) == (other.id, "Ana", False)
