"""The pure report builders: counting, quote choice, and reading every name through the view."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from qualkit.model.coding import Coding, Status
from qualkit.reports import counts, markdown, quotes, tables
from qualkit.reports.layout import build_report, mentioned_by
from qualkit.reports.model import (
    MACHINE,
    PERSON,
    SURVEY,
    CoderPair,
    CodingFact,
    Provenance,
    ReportInput,
    SegmentFact,
    Theme,
    coding_facts,
    source_kind,
)

ACCEPTED, SUGGESTED = Status.ACCEPTED, Status.SUGGESTED
TEXTS = {1: "I trust her now, she is on my side.", 2: "The landlord never fixed the damp in the flat.",
         3: "We worked on trust with the family for weeks.",
         4: "Rent went up and the landlord shouted at us.",
         5: "Case note: home visit, damp in the bedroom, landlord contacted."}


class MarkingView:
    """Marks every text it hands out, so a test can see what did not come through it."""

    def segment_text(self, segment_id: int) -> str:
        return f"<{TEXTS[segment_id]}>"

    def span_text(self, segment_id: int, start: int, end: int) -> str:
        return f"<{TEXTS[segment_id][start:end]}>"  # these segments start at document offset 0

    def participant(self, label: str | None) -> str:
        return f"[{label}]" if label else ""

    def document(self, name: str | None) -> str:
        return f"[{name}]" if name else ""


def segment(id: int, participant: str | None, group: str, document: str = "a.txt") -> SegmentFact:
    participant_id = None if participant is None else sum(map(ord, participant))
    return SegmentFact(id, 1 if document == "a.txt" else 2, document, id - 1, None, participant_id,
                       participant, group, len(TEXTS[id].split()))


def data(include_suggestions: bool = False) -> ReportInput:
    themes = [Theme("trust", "Trust", "Belief in the worker.", None, 0, "Trust"),
              Theme("housing", "Housing", "", None, 0, "Housing"),
              Theme("repairs", "Repairs", "", "housing", 1, "Housing/Repairs")]
    segments = [segment(1, "Parent 1", "Families"), segment(2, "Parent 1", "Families"),
                segment(3, "Keyworker C", "Keyworkers"), segment(4, "Parent 2", "Families"),
                segment(5, None, "Keyworkers", "notes.txt")]
    codings = [CodingFact(1, "trust", ACCEPTED, PERSON), CodingFact(3, "trust", ACCEPTED, MACHINE),
               CodingFact(2, "housing", ACCEPTED, PERSON), CodingFact(2, "repairs", ACCEPTED, PERSON),
               CodingFact(5, "housing", ACCEPTED, PERSON)]
    if include_suggestions:
        codings.append(CodingFact(4, "housing", SUGGESTED, MACHINE, 0.8))
    return ReportInput("Study", "Book", 2, "stakeholder group", themes, segments, codings,
                       Provenance(4, 1, 0, 1, ("testkeyword.v1",)), include_suggestions)


def test_counts_are_segments_people_and_documents_by_group() -> None:
    found = {t.theme.key: t for t in counts.theme_counts(data())}
    assert found["housing"].total == counts.Count(2, 1, 2, 0, {"interview": 1, "document": 1})
    # case notes: no speaker, so a document counts
    assert found["housing"].by_group["Keyworkers"] == counts.Count(1, 0, 1, 0, {"document": 1})
    assert found["trust"].by_group == {"Families": counts.Count(1, 1, 1, 0, {"interview": 1}),
                                       "Keyworkers": counts.Count(1, 1, 1, 0, {"interview": 1})}
    sizes = counts.group_sizes(data().segments)
    assert [(s.group, s.segments, s.participants, s.documents, s.members) for s in sizes] == [
        ("Families", 3, 2, 1, {"interview": 2}), ("Keyworkers", 2, 1, 2, {"interview": 1, "document": 1})]
    names = {s.group: s.group for s in sizes}
    assert mentioned_by(found["housing"].by_group, sizes, names) == (
        "Families: 1 of 2 interviewees; Keyworkers: 1 of 1 document")


def test_interviewees_survey_respondents_and_documents_are_separate_populations() -> None:
    survey = [SegmentFact(10 + i, 3, "survey.xlsx", i, None, 100 + i, f"R0{i}", "Families", 5, SURVEY)
              for i in range(4)]
    segments = [*data().segments, *survey]
    codings = [*data().codings, CodingFact(10, "trust", ACCEPTED, PERSON),
               CodingFact(11, "trust", ACCEPTED, PERSON)]
    found = {t.theme.key: t for t in counts.theme_counts(replace(data(), segments=segments, codings=codings))}
    sizes = counts.group_sizes(segments)
    assert sizes[0].members == {"interview": 2, "survey": 4}
    assert mentioned_by(found["trust"].by_group, sizes, {s.group: s.group for s in sizes}) == (
        "Families: 1 of 2 interviewees, 2 of 4 survey respondents; Keyworkers: 1 of 1 interviewee")
    assert source_kind(".XLSX", True) == SURVEY and source_kind(".txt", False) == "document"


def test_cooccurrence_by_segment_and_by_participant() -> None:
    pairs = {(p.first.key, p.second.key): (p.segments, p.participants) for p in counts.cooccurrence(data())}
    assert pairs == {("housing", "repairs"): (1, 1), ("trust", "housing"): (0, 1),
                     ("trust", "repairs"): (0, 1)}


def test_every_quote_and_name_comes_through_the_view() -> None:
    report = build_report(data(), MarkingView(), with_charts=False)
    text = markdown.render(report)
    assert {q.text for q in report.quotes()} == {f"<{TEXTS[i]}>" for i in (1, 2, 3, 5)}  # coded ones only
    lines = [line for line in text.splitlines() if any(original[:20] in line for original in TEXTS.values())]
    assert len(lines) >= 4 and all("<" in line for line in lines)
    for original in TEXTS.values():
        assert all(f"<{original[:20]}" in line for line in lines if original[:20] in line)
    for label in ("Parent 1", "Keyworker C", "a.txt", "notes.txt"):
        assert not re.search(rf"(?<!\[){re.escape(label)}", text), label
    # Groups are the analysis' own categories: shown as stored, never through the text view.
    assert "Families" in text and "[Families]" not in text


def test_suggestions_are_counted_only_when_asked_and_marked() -> None:
    plain = build_report(data(), MarkingView(), with_charts=False)
    marked = build_report(data(include_suggestions=True), MarkingView(), quotes_per_group=2,
                          with_charts=False)
    themes = [next(t for t in report.tables() if t.name == "Themes") for report in (plain, marked)]
    assert "Suggested" not in themes[0].columns and "Suggested" in themes[1].columns
    (quote,) = [q for q in marked.quotes() if q.status == SUGGESTED]
    assert "[machine suggestion, not reviewed]" in quote.attribution and "Rent went up" in quote.text
    assert any(b.note for b in marked.blocks if hasattr(b, "note"))


def test_quote_and_matrix_tables() -> None:
    columns, rows = tables.quote_table(data(include_suggestions=True), MarkingView(), code_paths=True)
    assert columns[-1] == "code_paths"
    by_quote = {r[0]: r for r in rows}
    assert by_quote[f"<{TEXTS[2]}>"][1] == "Housing; Repairs" and by_quote[f"<{TEXTS[2]}>"][-1] == (
        "Housing; Housing/Repairs")
    assert by_quote[f"<{TEXTS[4]}>"][6] == SUGGESTED
    columns, rows = tables.case_matrix(data(), MarkingView())
    assert columns == ["case", "group", "trust", "housing", "repairs"]
    assert rows[0] == ["[Parent 1]", "Families", 1, 1, 1]  # the group as stored
    assert ["[notes.txt]", "Keyworkers", 0, 1, 0] in rows
    _, binary = tables.case_matrix(data(), MarkingView(), binary=True)
    assert {v for row in binary for v in row[2:]} == {0, 1}


def candidate(id: int, text: str, accepted: bool = True, person: int | None = None) -> quotes.Candidate:
    return quotes.Candidate(SegmentFact(id, 1, "d", id, None, person, None, "G", len(text.split())), text,
                            accepted)


def test_quotes_are_varied_and_prefer_accepted_codings() -> None:
    same = "The keyworker always turned up when she said she would, every single week without fail."
    pool = [candidate(1, same, person=1), candidate(2, same + " Always.", person=2),
            candidate(3, "Money was tight and the food bank vouchers helped us through the winter months.",
                      person=3),
            candidate(4, "She helped me fill in the housing forms and rang the council about the damp.",
                      accepted=False, person=4)]
    chosen = [c.segment.id for c in quotes.choose(pool, 3)]
    assert chosen[0] in (1, 2) and not {1, 2} <= set(chosen)  # never two near-identical quotes
    assert chosen.index(3) < chosen.index(4)  # accepted before a pending suggestion
    assert quotes.choose(pool, 0) == [] and quotes.choose([], 3) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(list(TEXTS.values())), min_size=1, max_size=8), st.integers(0, 5))
def test_choose_returns_distinct_candidates_within_k(texts: list[str], k: int) -> None:
    pool = [candidate(i, t) for i, t in enumerate(texts, start=1)]
    chosen = quotes.choose(pool, k)
    assert len(chosen) <= k and len({c.segment.id for c in chosen}) == len(chosen)
    assert len({c.text for c in chosen}) == len(chosen)  # identical texts never both chosen
    assert quotes.choose(pool, k) == chosen  # deterministic


def test_shorten_cuts_at_words() -> None:
    assert quotes.shorten("one two  three", 5) == "one two three"
    assert quotes.shorten("one two three", 2) == "one two …"


def test_methods_appendix_reports_inter_coder_agreement_when_there_is_some() -> None:
    pair = CoderPair("Ana", "Ben", 3, 40, 0.9, 0.6, 0.62, 0.58, 4, 1)
    plain = build_report(data(), MarkingView(), with_charts=False)
    paired = build_report(replace(data(), coder_pairs=(pair,)), MarkingView(), with_charts=False)
    assert "Inter-coder agreement" not in [t.name for t in plain.tables()]
    (table,) = [t for t in paired.tables() if t.name == "Inter-coder agreement"]
    assert table.rows == [["Ana / Ben", 3, 40, "0.90", "0.60", "0.62", "0.58", "4 (1)"]]


def test_a_code_with_ten_thousand_quotes_gives_a_short_report() -> None:
    segments = [SegmentFact(i, 1, "a.txt", i, None, i, f"P{i}", "Families", 8) for i in range(1, 10_001)]
    codings = [CodingFact(i, "trust", ACCEPTED, PERSON) for i in range(1, 10_001)]

    class View:
        def segment_text(self, segment_id: int) -> str:
            verb = ("listened", "came back", "stayed")[segment_id % 3]
            return f"Quote {segment_id}: she {verb} and I trusted her."

        def participant(self, label: str | None) -> str:
            return label or ""

        def document(self, name: str | None) -> str:
            return name or ""

    report = build_report(replace(data(), segments=segments, codings=codings), View(), with_charts=False)
    assert 1 <= len(report.quotes()) <= 3  # the summary's one and the theme's one: not ten thousand
    themes = next(t for t in report.tables() if t.name == "Themes")
    assert themes.rows[0][:2] == ["Trust", 10_000]


def coding(id: int, segment: int, code: str, status: Status, span: tuple[int, int] | None = None,
           run: str | None = None, predicted: bool | None = None, score: float | None = None) -> Coding:
    return Coding(id, segment, 1, code, span, status, "ensemble.v1" if run else "Ana", run_id=run,
                  predicted=predicted, score=score)


def test_coding_facts_take_the_latest_decision_and_who_applied_it_first() -> None:
    codings = [coding(1, 1, "trust", SUGGESTED, run="r1", predicted=True, score=0.7),  # then accepted
               coding(2, 1, "trust", ACCEPTED, run="r1", predicted=True, score=0.7),
               coding(3, 2, "housing", ACCEPTED),  # a person's own, later rejected by someone
               coding(4, 2, "housing", Status.REJECTED),
               coding(5, 3, "housing", SUGGESTED, run="r1", predicted=True, score=0.8),  # pending
               coding(6, 4, "housing", SUGGESTED, run="r1", predicted=False, score=0.4),  # coder said no
               coding(7, 5, "repairs", ACCEPTED)]
    facts, provenance = coding_facts(codings, {"trust", "housing"}, include_suggestions=True)
    assert facts == [CodingFact(1, "trust", ACCEPTED, MACHINE),
                     CodingFact(3, "housing", SUGGESTED, MACHINE, 0.8)]
    # a person's own coding rejected is no machine suggestion; the coder's no (id 6) is no suggestion either
    assert provenance == Provenance(by_people=1, machine_accepted=1, machine_rejected=0, pending=1,
                                    coders=("ensemble.v1",))
    accepted_only, _ = coding_facts(codings, {"trust", "housing"}, include_suggestions=False)
    assert [f.status for f in accepted_only] == [ACCEPTED]


def test_provenance_counts_as_suggestions_only_what_the_coder_said_yes_to() -> None:
    """One meaning of "suggestion": a lower-scored candidate is ranking information, whoever decides it."""
    codings = [coding(1, 1, "trust", ACCEPTED, run="r1", predicted=True, score=0.7),  # a suggestion accepted
               coding(2, 2, "trust", ACCEPTED, run="r1", predicted=False, score=0.4),  # a candidate accepted
               coding(3, 3, "trust", Status.REJECTED, run="r1", predicted=False, score=0.3),  # one rejected
               coding(4, 4, "trust", Status.REJECTED, run="r1", predicted=True, score=0.6),  # a yes rejected
               coding(5, 5, "trust", SUGGESTED, run="r1", predicted=False, score=0.45),  # pending candidate
               coding(6, 6, "trust", SUGGESTED, run="r1", predicted=True, score=0.8)]  # pending suggestion
    facts, provenance = coding_facts(codings, {"trust"}, include_suggestions=True)
    assert provenance == Provenance(by_people=0, machine_accepted=1, machine_rejected=1, pending=1,
                                    coders=("ensemble.v1",), candidates_accepted=1)
    assert [(f.segment_id, f.status) for f in facts] == [(1, ACCEPTED), (2, ACCEPTED), (6, SUGGESTED)]
    methods = build_report(replace(data(), provenance=provenance), MarkingView(), with_charts=False)
    (table,) = [t for t in methods.tables() if t.name == "Coding provenance"]
    assert [row[1] for row in table.rows] == [0, 1, 1, 1, 1]


def test_a_persons_part_segment_coding_keeps_its_spans_merged_and_a_whole_one_wins() -> None:
    codings = [coding(1, 1, "trust", ACCEPTED, (10, 20)), coding(2, 1, "trust", ACCEPTED, (15, 25)),
               coding(3, 1, "trust", ACCEPTED, (30, 34)),
               coding(4, 2, "trust", ACCEPTED, (5, 9)), coding(5, 2, "trust", ACCEPTED),
               # a machine coder's span is its evidence (a keyword), not what it codes
               coding(6, 3, "trust", ACCEPTED, (0, 5), run="r1", predicted=True),
               coding(7, 4, "trust", SUGGESTED, (0, 5), run="r1", predicted=True)]
    facts, _ = coding_facts(codings, {"trust"}, include_suggestions=True)
    assert [(f.segment_id, f.spans) for f in facts] == [(1, ((10, 25), (30, 34))), (2, ()), (3, ()), (4, ())]


def test_part_segment_codings_are_quoted_as_coded() -> None:
    trust_words = (TEXTS[1].index("she"), TEXTS[1].index("side") + 4)
    codings = [CodingFact(1, "trust", ACCEPTED, PERSON, spans=(trust_words,)),
               CodingFact(1, "housing", ACCEPTED, PERSON),
               CodingFact(2, "repairs", ACCEPTED, PERSON, spans=((4, 12), (29, 33)))]
    part = replace(data(), codings=codings)
    _, rows = tables.quote_table(part, MarkingView())
    assert [(r[0], r[1]) for r in rows] == [(f"<{TEXTS[1]}>", "Housing"), ("<she is on my side>", "Trust"),
                                           ("<landlord> … <damp>", "Repairs")]
    report = build_report(replace(part, framework=True), MarkingView(), with_charts=False)
    assert "<she is on my side>" in {q.text for q in report.quotes() if q.theme == "Trust"}
    framework = next(t for t in report.tables() if t.name == "Framework 1")
    assert "“<landlord> … <damp>”" in [cell for row in framework.rows for cell in row]
