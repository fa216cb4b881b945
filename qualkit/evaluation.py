"""Agreement between two codings of the same units: per-code precision, recall, F1 and Cohen's kappa.

Pure: both codings come in as {unit id: set of code ids} over a shared list of unit ids, so the
same functions compare a machine with a person or one person with another. A unit missing from a
mapping has no codes there.

Undefined values are None rather than a silent 0, and macro averages skip them:
- precision is None when the predicted side applied the code to no unit;
- recall is None when the reference side applied it to no unit;
- F1 is 2tp / (2tp + fp + fn), None only when neither side applied the code;
- kappa (Cohen's, computed by `qualkit.agreement.cohen_kappa`) is None when both sides gave every
  unit the same single answer (the code applied to all units by both, or to none by both):
  agreement is then total but there is no variance against which to measure chance. When only one
  side is constant, kappa is defined and is 0 or below.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from qualkit.agreement import Counts, cohen_kappa

Coding = Mapping[str, set[str]]


@dataclass(frozen=True)
class CodeAgreement:
    code: str
    support: int  # units the reference applied the code to
    predicted: int  # units the other side applied it to
    true_positives: int
    precision: float | None
    recall: float | None
    f1: float | None
    kappa: float | None
    decisions: int | None = None  # people's decisions on this code behind the comparison, when known


@dataclass(frozen=True)
class EvaluationReport:
    units: int
    codes: list[CodeAgreement]
    macro_precision: float | None
    macro_recall: float | None
    macro_f1: float | None
    macro_kappa: float | None
    support: int  # reference codings over all codes
    # 95% interval of the macro kappa, by bootstrap over units (None unless asked for, or too few units)
    macro_kappa_interval: tuple[float, float] | None = None


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return fmean(defined) if defined else None


def code_agreement(code: str, reference: list[bool], predicted: list[bool],
                   decisions: int | None = None) -> CodeAgreement:
    """Agreement on one code from two aligned yes/no columns."""
    table = Counts.of(reference, predicted)
    tp, support, claimed = table.both, table.first_only + table.both, table.second_only + table.both
    fp, fn = claimed - tp, support - tp
    return CodeAgreement(code, support, claimed, tp, _ratio(tp, claimed), _ratio(tp, support),
                         _ratio(2 * tp, 2 * tp + fp + fn), cohen_kappa(table), decisions)


def evaluate_codings(reference: Coding, predicted: Coding, unit_ids: Sequence[str],
                     codes: Iterable[str] | None = None,
                     decisions: Mapping[str, int] | None = None,
                     interval_rounds: int = 0) -> EvaluationReport:
    """Compare `predicted` with `reference` on `unit_ids`, for `codes` (default: every code either
    side used on those units), in the order given or sorted. `decisions` (code -> how many decisions
    people made on it) is carried into each code's row. With `interval_rounds`, the macro kappa gets a
    95% bootstrap interval over units (seeded, so the same data give the same interval)."""
    units = list(dict.fromkeys(unit_ids))
    if codes is None:
        used = {c for u in units for side in (reference, predicted) for c in side.get(u, ())}
        codes = sorted(used)
    scores = [
        code_agreement(code, [code in reference.get(u, ()) for u in units],
                       [code in predicted.get(u, ()) for u in units],
                       None if decisions is None else decisions.get(code, 0))
        for code in dict.fromkeys(codes)
    ]
    return EvaluationReport(
        units=len(units), codes=scores,
        macro_precision=_mean(s.precision for s in scores), macro_recall=_mean(s.recall for s in scores),
        macro_f1=_mean(s.f1 for s in scores), macro_kappa=_mean(s.kappa for s in scores),
        support=sum(s.support for s in scores),
        macro_kappa_interval=_kappa_interval(reference, predicted, units, [s.code for s in scores],
                                             interval_rounds) if interval_rounds else None,
    )


def _kappa_interval(reference: Coding, predicted: Coding, units: list[str], codes: list[str],
                    rounds: int, seed: int = 0) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentiles of the macro kappa over `rounds` resamples of the units."""
    if len(units) < 2 or not codes:
        return None
    rng = random.Random(seed)
    columns = {c: ([c in reference.get(u, ()) for u in units], [c in predicted.get(u, ()) for u in units])
               for c in codes}
    found = []
    for _ in range(rounds):
        picks = [rng.randrange(len(units)) for _ in units]
        kappa = _mean(code_agreement(c, [ref[i] for i in picks], [pred[i] for i in picks]).kappa
                      for c, (ref, pred) in columns.items())
        if kappa is not None:
            found.append(kappa)
    if len(found) < rounds // 2:
        return None
    found.sort()
    return found[int(0.025 * (len(found) - 1))], found[int(0.975 * (len(found) - 1))]
