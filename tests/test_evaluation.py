"""Agreement measures against hand-computed values, including the undefined cases."""

from __future__ import annotations

import pytest

from qualkit.evaluation import code_agreement, evaluate_codings

UNITS = ["u1", "u2", "u3", "u4"]
REFERENCE = {"u1": {"trust"}, "u2": {"housing", "repairs"}, "u3": {"trust"}}
PREDICTED = {"u1": {"trust"}, "u2": {"housing"}, "u4": {"housing"}}


def test_per_code_scores_match_hand_computation() -> None:
    report = evaluate_codings(REFERENCE, PREDICTED, UNITS, ["trust", "housing", "repairs"])
    trust, housing, repairs = report.codes
    # trust: reference 1010, predicted 1000 -> tp 1, fp 0, fn 1; po 3/4, pe .5*.25 + .5*.75 = .5
    assert (trust.support, trust.predicted, trust.true_positives) == (2, 1, 1)
    assert (trust.precision, trust.recall) == (1.0, 0.5)
    assert trust.f1 == pytest.approx(2 / 3) and trust.kappa == pytest.approx(0.5)
    # housing: reference 0100, predicted 0101 -> tp 1, fp 1, fn 0
    assert (housing.precision, housing.recall) == (0.5, 1.0)
    assert housing.f1 == pytest.approx(2 / 3) and housing.kappa == pytest.approx(0.5)
    # repairs: never predicted -> precision undefined, recall 0, F1 0, kappa 0 (one side constant)
    assert (repairs.precision, repairs.recall, repairs.f1, repairs.kappa) == (None, 0.0, 0.0, 0.0)


def test_macro_averages_skip_undefined_values() -> None:
    report = evaluate_codings(REFERENCE, PREDICTED, UNITS, ["trust", "housing", "repairs"])
    assert report.units == 4 and report.support == 4
    assert report.macro_precision == pytest.approx(0.75)  # repairs' undefined precision is skipped
    assert report.macro_recall == pytest.approx(0.5)
    assert report.macro_f1 == pytest.approx(4 / 9)
    assert report.macro_kappa == pytest.approx(1 / 3)


def test_codes_default_to_those_used_on_the_units() -> None:
    report = evaluate_codings(REFERENCE, PREDICTED, ["u1", "u3"])
    assert [c.code for c in report.codes] == ["trust"]  # housing only appears outside u1, u3


def test_a_code_neither_side_used_is_undefined_not_perfect() -> None:
    (agreement,) = evaluate_codings({}, {}, UNITS, ["stigma"]).codes
    assert (agreement.precision, agreement.recall, agreement.f1, agreement.kappa) == (None, None, None, None)


def test_kappa_is_undefined_only_when_both_sides_give_one_same_answer() -> None:
    assert code_agreement("c", [True, True], [True, True]).kappa is None
    assert code_agreement("c", [True, True], [False, False]).kappa == 0.0
    assert code_agreement("c", [True, False], [True, False]).kappa == pytest.approx(1.0)
    assert code_agreement("c", [True, False], [False, True]).kappa == pytest.approx(-1.0)


def test_no_units_means_nothing_is_defined() -> None:
    report = evaluate_codings(REFERENCE, PREDICTED, [], ["trust"])
    assert report.units == 0 and report.macro_f1 is None and report.macro_kappa is None


def test_each_code_carries_the_number_of_decisions_behind_it_when_given() -> None:
    report = evaluate_codings(REFERENCE, PREDICTED, UNITS, ["trust", "housing"], {"trust": 3})
    assert [c.decisions for c in report.codes] == [3, 0]
    assert all(c.decisions is None for c in evaluate_codings(REFERENCE, PREDICTED, UNITS).codes)


def test_the_macro_kappa_gets_a_bootstrap_interval_that_narrows_with_more_units() -> None:
    """How much to trust an agreement figure depends on how many decisions stand behind it."""
    import random

    from qualkit.evaluation import evaluate_codings

    rng = random.Random(3)

    def coded(n: int) -> tuple[dict[str, set[str]], dict[str, set[str]], list[str]]:
        units = [str(i) for i in range(n)]
        reference = {u: {"trust"} for u in units if rng.random() < 0.4}
        predicted = {u: {"trust"} for u in units if (u in reference) == (rng.random() < 0.8)}
        return reference, predicted, units

    few = evaluate_codings(*coded(30), interval_rounds=200)
    many = evaluate_codings(*coded(600), interval_rounds=200)
    for report in (few, many):
        low, high = report.macro_kappa_interval
        assert low <= report.macro_kappa <= high
    assert (many.macro_kappa_interval[1] - many.macro_kappa_interval[0]) < (
        few.macro_kappa_interval[1] - few.macro_kappa_interval[0])
    assert evaluate_codings(*coded(30)).macro_kappa_interval is None  # only when asked for
    same = coded(50)
    assert evaluate_codings(*same, interval_rounds=100).macro_kappa_interval == evaluate_codings(
        *same, interval_rounds=100).macro_kappa_interval  # seeded: the same data give the same interval


def test_kappa_is_the_agreement_modules_and_matches_scikit_learn() -> None:
    """One Cohen's kappa in qualkit (agreement.cohen_kappa); evaluation's per-code kappa is it, and
    both match scikit-learn's wherever it is defined."""
    import random

    from sklearn.metrics import cohen_kappa_score

    from qualkit.agreement import Counts, cohen_kappa, figures

    rng = random.Random(7)
    defined = 0
    for _ in range(300):
        n = rng.randint(1, 30)
        reference = [rng.random() < rng.random() for _ in range(n)]
        predicted = [rng.random() < rng.random() for _ in range(n)]
        kappa = code_agreement("c", reference, predicted).kappa
        table = Counts.of(reference, predicted)
        assert kappa == cohen_kappa(table) == figures(table).kappa
        if len(set(reference) | set(predicted)) == 1:
            assert kappa is None  # one same answer from both: undefined
        else:
            defined += 1
            assert kappa == pytest.approx(cohen_kappa_score(reference, predicted, labels=[False, True]))
    assert defined > 250
