"""Project-wide anonymisation: stored redactions, review decisions that survive re-runs, terms, the
key kept apart, and the anonymised view every output reads. Uses the real spaCy pipeline."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from qualkit import services
from qualkit.anonymise.view import AnonymisedView, AppliedRedaction, apply, merge
from qualkit.errors import NotFoundError, ProjectError, ReadOnlyError
from qualkit.services.anonymisation import Freshness, anonymisation_state
from qualkit.store.schema import DocumentRow, EventRow, PseudonymKeyRow, RedactionRow

pytestmark = pytest.mark.slow

INTERVIEW = (
    "Interviewer: Who helped you most?\n\n"
    "Parent: Dani did. Dani Okafor from the Harbour team came every week to our flat on Marsh Lane "
    "in Oldham, and she rang me on 07700 900123.\n\n"
    "Interviewer: And the school?\n\n"
    "Parent: Kayleigh goes to St Anne's Primary. Kayleigh's dad is not around.\n"
)
NOTES = "Case note 3 May 2024: visited Kayleigh at home. Dani to chase the school.\n"
ORIGINALS = ("Dani", "Okafor", "Marsh Lane", "Oldham", "07700 900123", "Kayleigh", "St Anne's Primary")


@pytest.fixture
def anon_project(project: services.Project, tmp_path: Path) -> services.Project:
    source = tmp_path / "anon_src"
    source.mkdir()
    (source / "family_interview.txt").write_text(INTERVIEW, encoding="utf-8")
    (source / "case_notes.txt").write_text(NOTES, encoding="utf-8")
    services.import_sources(project, [source])
    return project


def all_anonymised_text(project: services.Project) -> str:
    view = services.anonymised_view(project)
    return "\n".join(view.segment_text(s.id) for s in services.iter_segments(project))


def redaction_of(project: services.Project, original: str) -> RedactionRow:
    with project.sessions() as session:
        return session.scalars(select(RedactionRow).where(RedactionRow.original == original)).first()


def test_every_output_text_is_anonymised_and_the_store_is_not(anon_project) -> None:
    summary = services.anonymise_project(anon_project)
    assert summary.documents == 2 and summary.suggested > 0
    assert summary.by_label["PERSON"] >= 4 and summary.by_label["PHONE"] == 1
    text = all_anonymised_text(anon_project)
    for original in ORIGINALS:
        assert original not in text
    assert "[Date]" in text and "[Phone]" in text
    with anon_project.sessions() as session:  # the stored text is untouched
        assert INTERVIEW.strip() in session.scalars(select(DocumentRow.text)).all()


def test_a_name_has_one_pseudonym_across_documents(anon_project) -> None:
    services.anonymise_project(anon_project)
    with anon_project.sessions() as session:
        rows = session.scalars(select(RedactionRow).where(RedactionRow.original == "Kayleigh")).all()
    assert {r.document_id for r in rows} and len({r.replacement for r in rows}) == 1
    assert len({r.document_id for r in rows}) == 2


def stored(project: services.Project) -> tuple[int, int, list[tuple[object, object]]]:
    """Everything an anonymisation run writes: events, redactions, and the key with its fingerprint."""
    with project.sessions() as session:
        return (session.scalar(select(func.count(EventRow.id))),
                session.scalar(select(func.count(RedactionRow.id))),
                [(k.data, k.settings) for k in session.scalars(select(PseudonymKeyRow))])


def test_outputs_anonymise_in_memory_when_nothing_ran_yet_and_store_nothing(anon_project) -> None:
    before = stored(anon_project)
    assert before[1:] == (0, [])
    assert anonymisation_state(anon_project).freshness is Freshness.NEVER_RUN
    text = all_anonymised_text(anon_project)
    assert "Kayleigh" not in text and "Dani" not in text and "[Phone]" in text
    assert stored(anon_project) == before
    assert services.list_redactions(anon_project) == []  # a listing reads what is stored: nothing yet
    assert anonymisation_state(anon_project).freshness is Freshness.NEVER_RUN


def test_reading_a_stale_anonymisation_writes_nothing_and_still_anonymises(anon_project, tmp_path) -> None:
    services.anonymise_project(anon_project)
    extra = tmp_path / "more" / "later.txt"
    extra.parent.mkdir()
    extra.write_text("Parent: Priya Sandhu from Rochdale rang me on 07700 900456.\n", encoding="utf-8")
    services.import_sources(anon_project, [extra])
    before = stored(anon_project)
    view = services.anonymised_view(anon_project)  # a writable project: still nothing is written
    text = "\n".join(view.segment_text(s.id) for s in services.iter_segments(anon_project))
    assert "Priya" not in text and "Rochdale" not in text and "900456" not in text
    assert "Kayleigh" not in text
    assert [t for _, _, t in services.anonymised_segments(anon_project, document="later.txt")] == [
        view.segment_text(s.id) for s in services.iter_segments(anon_project, document="later.txt")]
    services.list_redactions(anon_project)
    assert stored(anon_project) == before
    state = anonymisation_state(anon_project)
    assert (state.freshness, state.new_documents, state.stale) == (Freshness.STALE, 1, True)
    assert state.describe().startswith("1 document is newer than the last anonymisation")


def test_outputs_of_one_stale_state_share_one_run_in_memory(anon_project, monkeypatch) -> None:
    from qualkit.anonymise.detect import Detector
    from qualkit.services import anonymisation

    monkeypatch.setattr(anonymisation, "_SHOWN_RUNS", {})  # other tests' identical projects ran already
    runs: list[int] = []
    detect = Detector.detect_many
    monkeypatch.setattr(Detector, "detect_many",
                        lambda self, texts: runs.append(len(texts)) or detect(self, texts))
    first = all_anonymised_text(anon_project)
    assert all_anonymised_text(anon_project) == first and runs == [2]
    services.add_term(anon_project, "Oldham", "allow", actor="ana")  # what a run reads changed: run again
    assert "in Oldham" in all_anonymised_text(anon_project) and runs == [2, 2]
    assert stored(anon_project)[1:] == (0, [])


def test_the_state_says_what_changed_and_the_run_is_repeated_only_then(anon_project, tmp_path) -> None:
    services.anonymise_project(anon_project)

    def runs() -> int:
        with anon_project.sessions() as session:
            return session.scalar(select(func.count(EventRow.id)).where(EventRow.action == "anonymise"))

    assert anonymisation_state(anon_project).freshness is Freshness.UP_TO_DATE
    services.ensure_anonymised(anon_project)
    assert runs() == 1
    services.add_term(anon_project, "Harbour", "allow", actor="ana")
    state = anonymisation_state(anon_project)
    assert (state.freshness, state.new_documents) == (Freshness.STALE, 0)
    assert "allow or deny lists" in state.describe() and "Anonymise the project again" in state.describe()
    services.ensure_anonymised(anon_project)
    assert runs() == 2
    extra = tmp_path / "more" / "later.txt"
    extra.parent.mkdir()
    extra.write_text("Parent: Priya from Mind helped me.\n", encoding="utf-8")
    services.import_sources(anon_project, [extra])
    assert "Priya" not in all_anonymised_text(anon_project)
    assert runs() == 2  # reading ran it in memory only
    services.ensure_anonymised(anon_project)
    assert runs() == 3 and not anonymisation_state(anon_project).stale


def test_rejected_and_accepted_decisions_survive_a_rerun(anon_project) -> None:
    services.anonymise_project(anon_project)
    oldham = redaction_of(anon_project, "Oldham")
    dani = redaction_of(anon_project, "Dani")
    services.decide_redactions(anon_project, accept=[dani.id], reject=[oldham.id], reviewer="ana")
    services.anonymise_project(anon_project)
    assert redaction_of(anon_project, "Oldham").status == "rejected"
    assert redaction_of(anon_project, "Dani").status == "accepted"
    view = services.anonymised_view(anon_project)
    with anon_project.sessions() as session:
        document_id = session.scalar(select(DocumentRow.id).where(DocumentRow.name == "family_interview.txt"))
    text = view.document_text(document_id)
    assert "in Oldham" in text and "Dani" not in text


def test_manual_redaction_and_deny_term_apply_and_persist(anon_project) -> None:
    services.anonymise_project(anon_project)
    start = INTERVIEW.index("every week")
    redaction_id = services.add_manual_redaction(anon_project, "family_interview.txt", start,
                                                 start + len("every week"), "DATE", "ana")
    services.add_term(anon_project, "flat", "deny", "ADDRESS", actor="ana")
    services.anonymise_project(anon_project)
    text = all_anonymised_text(anon_project)
    assert "every week" not in text and " flat " not in text
    assert redaction_of(anon_project, "every week").id == redaction_id
    assert [t.term for t in services.list_terms(anon_project)] == ["flat"]
    services.remove_term(anon_project, "flat", "deny")
    assert " flat " in all_anonymised_text(anon_project)


def test_bad_review_input_changes_nothing(anon_project) -> None:
    services.anonymise_project(anon_project)
    dani = redaction_of(anon_project, "Dani")
    with pytest.raises(NotFoundError):
        services.decide_redactions(anon_project, accept=[dani.id], reject=[10**6], reviewer="ana")
    assert redaction_of(anon_project, "Dani").status == "suggested"
    with pytest.raises(services.AnonymisationError, match="not a span"):
        services.add_manual_redaction(anon_project, "family_interview.txt", 5, 10**6, "PERSON", "ana")
    with pytest.raises(services.AnonymisationError, match="need a label"):
        services.add_term(anon_project, "Foo", "deny")


def test_bad_terms_get_a_clear_error_and_change_nothing(anon_project) -> None:
    services.anonymise_project(anon_project)
    before = services.list_terms(anon_project)
    with pytest.raises(services.AnonymisationError, match=r"term 1 \('x'\) cannot be listed"):
        services.add_term(anon_project, "x", "deny", "PERSON")
    with pytest.raises(services.AnonymisationError, match="more than 10,000 terms; nothing was added"):
        services.add_terms(anon_project, [f"Term{i}" for i in range(100_000)], "allow")
    with pytest.raises(services.AnonymisationError, match="term 3"):
        services.add_terms(anon_project, ["Harbour", "Oldham", " ", "Kayleigh"], "allow")
    assert services.list_terms(anon_project) == before
    assert redaction_of(anon_project, "Oldham").status == "suggested"


def test_a_term_is_decided_everywhere_at_once(anon_project) -> None:
    services.anonymise_project(anon_project)
    assert services.add_term(anon_project, "kayleigh", "allow", actor="ana") == 3  # every mention, any case
    with anon_project.sessions() as session:
        rows = session.scalars(select(RedactionRow).where(RedactionRow.original.like("Kayleigh%"))).all()
    assert {r.status for r in rows} == {"rejected"} and {r.reviewer for r in rows} == {"ana"}
    assert "Kayleigh" in all_anonymised_text(anon_project)  # the allow list stands in the next run too
    assert services.add_term(anon_project, "Oldham", "deny", "PLACE", actor="ana") == 1
    assert redaction_of(anon_project, "Oldham").status == "accepted"


def test_people_are_merged_and_kept_apart_by_a_persons_decision(anon_project) -> None:
    services.anonymise_project(anon_project)
    found, ambiguous = services.list_people(anon_project)
    dani = next(p for p in found if "dani okafor" in p.names)
    assert "dani" in dani.names and not ambiguous  # "Dani" and "Dani Okafor": one person
    pseudonym = services.keep_apart(anon_project, "Dani", "ana")
    assert pseudonym != dani.pseudonym
    assert redaction_of(anon_project, "Dani Okafor").replacement == dani.pseudonym  # she keeps hers
    assert services.merge_people(anon_project, ["Dani", "Dani Okafor"], "ana") == dani.pseudonym
    services.anonymise_project(anon_project)  # decisions persist across runs
    assert redaction_of(anon_project, "Dani").replacement == dani.pseudonym
    with pytest.raises(NotFoundError, match="no person named 'Zebedee'"):
        services.merge_people(anon_project, ["Dani", "Zebedee"], "ana")


def test_a_key_file_restores_pseudonyms_and_one_from_another_project_is_refused(anon_project,
                                                                                tmp_path) -> None:
    services.anonymise_project(anon_project)
    before = redaction_of(anon_project, "Kayleigh").replacement
    path = tmp_path / "key.json"
    services.export_key(anon_project, path)
    services.import_key(anon_project, path)
    assert redaction_of(anon_project, "Kayleigh").replacement == before
    other = services.init_project(tmp_path / "other")
    (tmp_path / "o.txt").write_text("Parent: Marcus Bell lives in Wigan with Tiegan.\n", encoding="utf-8")
    services.import_sources(other, [tmp_path / "o.txt"])
    services.anonymise_project(other)
    with other.sessions() as session:
        events = session.scalar(select(func.count(EventRow.id)))
    with pytest.raises(services.AnonymisationError, match="written for another project: 0 of its"):
        services.import_key(other, path)
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(services.AnonymisationError, match="not a pseudonym key file"):
        services.import_key(other, tmp_path / "bad.json")
    with other.sessions() as session:
        assert session.scalar(select(func.count(EventRow.id))) == events


def test_a_read_only_project_writes_nothing_not_even_an_event(anon_project, tmp_path) -> None:
    services.anonymise_project(anon_project)
    (tmp_path / "more.txt").write_text("Parent: Tiegan Walsh rang from Rochdale.\n", encoding="utf-8")
    services.import_sources(anon_project, [tmp_path / "more.txt"])  # the anonymisation is now stale
    (tmp_path / "book.yaml").write_text("name: B\ncodes:\n  - id: trust\n    name: Trust\n")
    services.import_codebook(anon_project, tmp_path / "book.yaml")

    def snapshot() -> tuple[int, int]:
        with anon_project.sessions() as session:
            return (session.scalar(select(func.count(EventRow.id))),
                    session.scalar(select(func.count(RedactionRow.id))))

    before = snapshot()
    looking = services.open_project(anon_project.folder, read_only=True)
    view = services.anonymised_view(looking)
    text = "\n".join(view.segment_text(s.id) for s in services.iter_segments(looking))
    assert "Tiegan" not in text and "Rochdale" not in text  # anonymised in memory
    services.write_report(looking, ["md"], folder=tmp_path / "out")
    assert snapshot() == before
    with pytest.raises(ReadOnlyError):
        services.add_term(looking, "Harbour", "allow")


def test_the_key_and_log_are_written_only_on_request(anon_project, tmp_path) -> None:
    services.anonymise_project(anon_project)
    path = tmp_path / "private" / "key.json"
    path.parent.mkdir()
    count = services.export_key(anon_project, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert count == len(data["pseudonyms"]) > 0
    assert any(entry["original"] == "Kayleigh" and entry["reason"] for entry in data["log"])
    with anon_project.sessions() as session:  # the audit trail names no one
        events = json.dumps([e.data for e in session.scalars(select(EventRow))])
    assert "Kayleigh" not in events and "Dani" not in events


def test_listing_shows_context_and_filters(anon_project) -> None:
    services.anonymise_project(anon_project)
    items = services.list_redactions(anon_project, label="PHONE")
    assert len(items) == 1 and items[0].original == "07700 900123" and "rang me on" in items[0].before
    with pytest.raises(services.AnonymisationError):
        services.list_redactions(anon_project, label="NAME")


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20), st.booleans()), max_size=8)


texts = st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=80)


@given(texts, spans, st.integers(0, 40), st.integers(0, 40))
def test_no_character_of_a_redacted_span_survives(text, raw, a, b) -> None:
    redactions = [AppliedRedaction(s, min(s + n, len(text)), "\x00", f)
                  for s, n, f in raw if s < len(text) and s < min(s + n, len(text))]
    merged = merge(redactions)
    assert all(x.end <= y.start for x, y in itertools.pairwise(merged))
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    shown = apply(text[start:end], start, merged)
    covered = {i for r in merged for i in range(r.start, r.end)}
    kept = "".join(text[i] for i in range(start, end) if i not in covered)
    assert shown.replace("\x00", "") == kept


@given(texts, spans, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), min_size=1, max_size=6),
       st.integers(0, 80), st.integers(0, 80))
def test_the_view_reads_each_segment_and_span_as_the_whole_document_would(text, raw, cuts, a, b) -> None:
    """The view looks up the redactions touching a segment by bisection; it must show what applying
    every redaction of the document to that text shows."""
    redactions = [AppliedRedaction(s, min(s + n, len(text)), "[X]", f)
                  for s, n, f in raw if s < len(text) and s < min(s + n, len(text))]
    segments = {i: (7, *sorted((min(x, len(text)), min(y, len(text))))) for i, (x, y) in enumerate(cuts)}
    view = AnonymisedView({7: text}, segments, {7: redactions})
    every = merge(redactions)
    for i, (_, start, end) in segments.items():
        assert view.segment_text(i) == apply(text[start:end], start, every)
        lo, hi = max(min(a, b), start), min(max(a, b), end)
        assert view.span_text(i, min(a, b), max(a, b)) == apply(text[lo:hi], lo, every)


def test_reading_the_key_is_logged(anon_project) -> None:
    entries = services.pseudonym_key(anon_project)
    assert any(e.original == "kayleigh" and e.label == "PERSON" for e in entries)
    with anon_project.sessions() as session:
        assert session.scalar(select(func.count(EventRow.id)).where(EventRow.action == "read_key")) == 1


def test_a_received_project_with_a_trigger_is_refused(anon_project) -> None:
    """One trigger in a received project.db could reject every redaction as it is stored, and the
    quote table would hold real names: such a project is not opened."""
    import sqlite3

    services.anonymise_project(anon_project)
    database = anon_project.folder / "project.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TRIGGER reveal AFTER INSERT ON redactions "
                           "BEGIN UPDATE redactions SET status = 'rejected'; END")
    with pytest.raises(ProjectError, match=r"trigger 'reveal'.*not opened.*DROP TRIGGER .reveal."):
        services.anonymised_view(services.open_project(anon_project.folder))


def test_reading_the_state_loads_no_nlp_model(anon_project) -> None:
    """The CLI and the app ask for the state on every page: only a run loads spaCy."""
    import subprocess
    import sys

    folder = str(anon_project.folder)
    code = ("import sys; from pathlib import Path; from qualkit import services\n"
            "from qualkit.services.anonymisation import anonymisation_state\n"
            f"state = anonymisation_state(services.open_project(Path({folder!r})))\n"
            "print(state.freshness, 'spacy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["never", "run", "False"]
