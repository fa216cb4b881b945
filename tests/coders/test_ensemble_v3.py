"""ensemble.v3: word evidence in the prior, learning that moves the ranking, instant refit, no coding
of document structure, and (on the real inspection report, when ../shared is there) a zero-shot
ranking ahead of plain MiniLM cosine."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualkit.coders.base import CoderParameterError, Label, Unit, make_coder
from qualkit.coders.ensemble_v2 import EnsembleCoderV3
from qualkit.model import Code, Codebook

from fakes import HashingEmbedder

BENCH = Path(__file__).resolve().parents[2] / "bench"
HOUSING = Codebook(name="toy", codes=[
    Code(id="isolation", name="Isolation", description="Feeling alone, with nobody to turn to.",
         keywords=["lonely"]),
    Code(id="housing", name="Housing", description="Repairs, damp, mould, landlords and rent arrears.",
         keywords=["damp"]),
    Code(id="school", name="School", description="Attendance, teachers and exclusions.",
         keywords=["teacher"]),
])


def coder(**parameters: object) -> EnsembleCoderV3:
    return make_coder("ensemble.v3", embedder=HashingEmbedder(), **parameters)  # type: ignore[return-value]


def test_parameters_are_declared_and_an_unknown_one_is_refused() -> None:
    assert coder(lexical_weight=0.5).lexical_weight == 0.5
    assert (coder().class_weight, coder().base_rate_shift, coder().sentence_weight) == ("balanced", 0.5, 0.0)
    with pytest.raises(CoderParameterError):
        coder(lexicon_weight=0.5)


def test_a_long_turn_shows_the_sentence_that_shares_words_with_its_best_code() -> None:
    turn = ("We talked about a lot of things that week, most of it small stuff about the kids and the "
            "weekend. The mould and the damp in the back bedroom were the worst part, the landlord "
            "never answered. After that we went out for a walk and it was a nice day really.")
    unit = Unit("t", turn)
    assert len(turn.split()) >= 40
    fitted = coder().fit([unit, Unit("s", "She rang the school.")], HOUSING)
    rationale = next(s.rationale for s in fitted.suggest([unit], HOUSING) if s.code_id == "housing")
    assert "best sentence: “The mould and the damp in the back bedroom" in rationale
    without_words = coder(lexical_weight=0.0).fit([unit], HOUSING)
    assert all("best sentence" not in s.rationale for s in without_words.suggest([unit], HOUSING))


def test_decisions_teach_what_a_vague_codebook_cannot() -> None:
    """Codes named only "Theme X/Y/Z": the codebook ranks nothing; 30 decisions per code fix it."""
    vague = Codebook(name="vague", codes=[Code(id=c, name=f"Theme {c.upper()}") for c in "xyz"])
    topics = {"x": "boiler broke heating cold radiator", "y": "football park pitch match goal",
              "z": "benefits forms universal credit payment"}
    words = {code: text.split() for code, text in topics.items()}
    rng = np.random.default_rng(0)

    def sentence(code: str) -> str:
        return " ".join(rng.choice(words[code], 4)) + " and then we went home"

    labels = [Label(f"{code}{i}", other, other == code, sentence(code))
              for code in topics for i in range(10) for other in topics]
    units = [Unit(f"u{code}{i}", sentence(code)) for code in topics for i in range(5)]
    learned = coder().fit(units, vague, labels)
    best = {}
    for s in learned.suggest(units, vague):
        if s.score > best.get(s.unit_id, ("", -1.0))[1]:
            best[s.unit_id] = (s.code_id, s.score)
    assert {unit.id: best[unit.id][0] for unit in units} == {unit.id: unit.id[1] for unit in units}
    assert "similar accepted quote" in next(s.rationale for s in learned.suggest(units[:1], vague)
                                            if s.code_id == "x")


def test_refit_after_a_decision_with_2000_decisions_takes_under_two_seconds() -> None:
    codebook = Codebook(name="twenty", codes=[
        Code(id=f"c{j}", name=f"Code {j}", description=f"Talk about topic{j} and subject{j}.")
        for j in range(20)])
    rng = np.random.default_rng(1)
    texts = [" ".join(f"topic{k}" for k in rng.integers(0, 20, 6)) + f" turn {i}" for i in range(100)]
    labels = [Label(f"l{i}", f"c{j}", f"topic{j}" in text.split(), text)
              for i, text in enumerate(texts) for j in range(20)]
    assert len(labels) == 2000
    units = [Unit(f"u{i}", text) for i, text in enumerate(texts)]
    embedder = HashingEmbedder()
    make_coder("ensemble.v3", embedder=embedder).fit(units, codebook, labels)  # spaCy loaded once
    start = time.perf_counter()
    fitted = make_coder("ensemble.v3", embedder=embedder).fit(units, codebook, labels)
    assert time.perf_counter() - start < 2.0
    assert len(fitted.models_) == 20


@pytest.mark.parametrize("text", ["Kerry Lockhart-Thompson (Manager – Family Matters)", "**Who:**",
                                  "Attendance:", "## Housing and damp"])
def test_document_structure_is_never_suggested(text: str) -> None:
    units = [Unit("n", text), Unit("c", "The damp came back and the landlord ignored us again."),
             Unit("i", "I was so lonely, nobody to turn to."),
             Unit("s", "His teacher rang about attendance.")]
    suggestions = list(coder().fit(units, HOUSING).suggest(units, HOUSING))
    assert [s for s in suggestions if s.unit_id == "n" and (s.suggested or s.score > 0)] == []
    assert any(s.unit_id == "c" and s.code_id == "housing" and s.suggested for s in suggestions)


@pytest.fixture(scope="module")
def inspection_quotations():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        import real_sets
    finally:
        sys.path.remove(str(BENCH))
    loaded = real_sets.inspection_quotations()
    if loaded is None:
        pytest.skip("../shared/seeds is not present")
    from qualkit.interop.codebook_yaml import load_codebook

    return (*loaded, load_codebook(real_sets.INSPECTION_CODEBOOK))


def test_zero_shot_ranks_real_quotations_better_than_plain_cosine(inspection_quotations) -> None:  # type: ignore[no-untyped-def]
    """The hard real set: short first-person quotations under the inspection report's headings."""
    from qualkit.coders.embeddings import CachedEmbedder, MiniLMEmbedder

    units, gold, codebook = inspection_quotations
    codes = [code.id for code in codebook.flat()]
    truth = [codes.index(next(iter(gold[u.id]))) for u in units]
    embedder = CachedEmbedder(MiniLMEmbedder())
    cosine = embedder.encode([u.text for u in units]) @ embedder.encode(
        [f"{c.name}: {c.description}" for c in codebook.flat()]).T
    fitted = make_coder("ensemble.v3", embedder=embedder).fit(units, codebook)
    scores = np.zeros((len(units), len(codes)))
    rows = {u.id: i for i, u in enumerate(units)}
    for s in fitted.suggest(units, codebook):
        scores[rows[s.unit_id], codes.index(s.code_id)] = s.score
    ours = cohen_kappa_score(truth, scores.argmax(axis=1))
    plain = cohen_kappa_score(truth, cosine.argmax(axis=1))
    assert ours >= plain + 0.05, (ours, plain)


def test_texts_without_a_countable_word_leave_word_evidence_out() -> None:
    """Codes named "A" and "B" and units of stop words only: TF-IDF has no vocabulary, the coder still
    scores every pair from the sentence model."""
    letters = Codebook(name="letters", codes=[Code(id="a", name="A"), Code(id="b", name="B")])
    units = [Unit("1", "it is"), Unit("2", "and so on")]
    fitted = coder().fit(units, letters)
    assert fitted.lexicon_ is None
    assert len(list(fitted.suggest(units, letters))) == 4
