"""Conformance tests generated for every registered coder (the scikit-learn idea)."""

from __future__ import annotations

import inspect

import pytest

from qualkit.coders.base import CODERS, Label, Unit, coder_names, make_coder
from qualkit.errors import NotFoundError
from qualkit.model import Code, Codebook

from fakes import HashingEmbedder

CODEBOOK = Codebook(name="toy", codes=[
    Code(id="isolation", name="Isolation", description="Feeling alone, with nobody to turn to.",
         keywords=["lonely", "alone", "no one to talk to"], examples=["I had nobody, I was so lonely."]),
    Code(id="housing", name="Housing", description="Repairs, damp, rent arrears and eviction.",
         keywords=["damp", "landlord", "arrears"],
         examples=["The flat was damp and the landlord ignored us."],
         children=[Code(id="eviction", name="Eviction", description="Threat of losing the home.",
                        keywords=["evicted", "eviction notice"])]),
])
UNITS = [
    Unit("u1", "After he left I felt so lonely, there was no one to talk to."),
    Unit("u2", "The damp in the flat was awful and the landlord never came."),
    Unit("u3", "We got an eviction notice because of the rent arrears."),
    Unit("u4", "Football on Saturday was good, the lads were there."),
    Unit("u5", "She sorted the boiler and the damp with housing."),
    Unit("u6", "I didn't feel alone any more once she started coming."),
]
LABELS = [Label(f"t{i}", code, code == gold, text) for i, (text, gold) in enumerate([
    ("Nobody phoned, I sat in the house alone all week.", "isolation"),
    ("I was lonely, no friends round here at all.", "isolation"),
    ("Honestly I had no one, just me and the baby.", "isolation"),
    ("The mould came back in the kids' room again.", "housing"),
    ("The landlord finally fixed the roof after she rang.", "housing"),
    ("Rent arrears letters kept coming every week.", "housing"),
    ("We went to the park and had a nice time.", None),
    ("School is going better for him now.", None),
    ("She helped me fill in the forms for benefits.", None),
]) for code in ("isolation", "housing", "eviction")]


@pytest.fixture(params=coder_names())
def coder_name(request: pytest.FixtureRequest) -> str:
    return request.param


def build(name: str):  # type: ignore[no-untyped-def]
    return make_coder(name, embedder=HashingEmbedder())


def test_init_only_stores_its_parameters(coder_name: str) -> None:
    coder = build(coder_name)
    parameters = set(inspect.signature(CODERS[coder_name]).parameters)
    assert set(vars(coder)) <= parameters
    assert not any(key.endswith("_") for key in vars(coder))


@pytest.mark.parametrize("labels", [(), LABELS], ids=["zero-shot", "few-shot"])
def test_fit_returns_self_and_suggest_scores_every_unit_and_code(coder_name: str, labels) -> None:  # type: ignore[no-untyped-def]
    coder = build(coder_name)
    assert coder.fit(UNITS, CODEBOOK, labels) is coder
    suggestions = list(coder.suggest(UNITS, CODEBOOK))
    pairs = [(s.unit_id, s.code_id) for s in suggestions]
    assert sorted(pairs) == sorted((u.id, c.id) for u in UNITS for c in CODEBOOK.flat())
    for s in suggestions:
        assert 0.0 <= s.score <= 1.0 and isinstance(s.suggested, bool) and s.rationale
        assert s.suggested == (s.score >= 0.5) or coder_name.startswith("rules")


def test_suggestions_are_deterministic(coder_name: str) -> None:
    first = list(build(coder_name).fit(UNITS, CODEBOOK, LABELS).suggest(UNITS, CODEBOOK))
    second = list(build(coder_name).fit(UNITS, CODEBOOK, LABELS).suggest(UNITS, CODEBOOK))
    assert first == second


def test_registry_names_are_versioned_and_families_resolve_to_latest() -> None:
    assert {"rules.v1", "semantic.v1", "supervised.v1", "ensemble.v1", "ensemble.v2"} <= set(coder_names())
    assert all(name.rsplit(".", 1)[1].startswith("v") for name in coder_names())
    assert type(make_coder("ensemble")).name == "ensemble.v3"  # the default the development sets chose
    assert type(make_coder("ensemble.v2")).name == "ensemble.v2"
    assert type(make_coder("semantic")).name == "semantic.v1"
    with pytest.raises(NotFoundError, match="Choose one of"):
        make_coder("oracle")


def test_supervised_waits_for_enough_decisions_and_says_so() -> None:
    coder = build("supervised").fit(UNITS, CODEBOOK, LABELS)
    by_pair = {(s.unit_id, s.code_id): s for s in coder.suggest(UNITS, CODEBOOK)}
    assert "not learned yet: 0 accepted" in by_pair[("u3", "eviction")].rationale
    assert by_pair[("u1", "isolation")].score > by_pair[("u4", "isolation")].score


@pytest.mark.parametrize("name", ["ensemble.v1", "ensemble.v2"])
def test_ensemble_suggests_the_obvious_codes_with_readable_rationales(name: str) -> None:
    coder = build(name).fit(UNITS, CODEBOOK)
    suggested = {(s.unit_id, s.code_id): s for s in coder.suggest(UNITS, CODEBOOK) if s.suggested}
    assert ("u1", "isolation") in suggested and ("u2", "housing") in suggested
    assert not any(unit == "u4" for unit, _ in suggested)
    assert 'matched "lonely"' in suggested[("u1", "isolation")].rationale
    assert "negated" in next(s.rationale for s in coder.suggest(UNITS, CODEBOOK)
                             if s.unit_id == "u6" and s.code_id == "isolation")


@pytest.mark.parametrize("name", ["ensemble.v1", "ensemble.v2"])
def test_ensemble_learns_from_decisions(name: str) -> None:
    """A code the codebook describes poorly is picked up once people have coded examples."""
    vague = Codebook(name="vague", codes=[Code(id="x", name="Theme X"), Code(id="y", name="Theme Y")])
    texts = [f"the boiler broke again number {i}" for i in range(8)] + \
            [f"we played football in the park {i}" for i in range(8)]
    labels = [Label(f"l{i}", "x", i < 8, t) for i, t in enumerate(texts)] + \
             [Label(f"l{i}", "y", False, t) for i, t in enumerate(texts)]
    units = [Unit("a", "the boiler broke and nobody came"), Unit("b", "football in the park was fun")]
    coder = make_coder(name, embedder=HashingEmbedder()).fit(units, vague, labels)
    scores = {(s.unit_id, s.code_id): s.score for s in coder.suggest(units, vague)}
    assert scores[("a", "x")] > scores[("b", "x")]
