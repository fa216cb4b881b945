"""Coding quality and speed of the default coder against two baselines, measured in one run.

Sets (each with its codebook):
- invented: the demo corpus's human-coded interview subset and short survey answers, with the
  family-support codebook;
- real (built at run time from ../shared/seeds by bench/real_sets.py, skipped when it is absent):
  the inspection report's paragraphs and its quotations, each coded by the section it sits under,
  with a codebook written from the section headings (bench/data/inspection_sections.yaml);
- each set again with a bare codebook (names and descriptions only, no keywords, examples or
  criteria), the shape of a codebook researchers bring from elsewhere.

Quality, per set:
- zero-shot: the codebook only; few-shot: 30% of the units' decisions given as training data
  (through the `code-jsonl --train` contract), scored on the other 70% (mean of three splits);
  what the decisions teach is the few-shot top-1 kappa minus the zero-shot one on the same 70%;
- top-1 kappa: Cohen's kappa between the gold code and the system's best-scoring code, on units
  with exactly one gold code; macro AP: average precision per code of the system's scores;
  macro F1 and kappa: per code, of the system's own yes/no.
Baselines, computed on the same units: TF-IDF cosine to each code's description, and plain MiniLM
cosine to "name: description". Each baseline suggests a code when its similarity is the unit's
best and above a threshold; zero-shot the threshold is the best one in hindsight on the scored
units (an optimistic baseline), few-shot it is tuned on the training 30%.

Speed, per coder in SPEED_CODERS: a first full pass over N generated multi-sentence segments,
embeddings included, against embedding the same segments alone (CPU seconds; wall-clock shown too);
the refit after one more decision with 2,000 decisions; a re-run with embeddings cached.
Embeddings of the quality sets are cached on disk (~/.cache/qualkit-bench) between runs; the speed
rows never use that cache.

    .venv/bin/python bench/coding.py [--record] [--speed-segments 1000] [--skip-speed]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import real_sets
from benchmarks_md import write_section
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score, cohen_kappa_score

from qualkit.coders.base import DEFAULT_VERSIONS, Label, Unit, make_coder
from qualkit.coders.batch import code_units
from qualkit.coders.embeddings import CachedEmbedder, MemoryCache, MiniLMEmbedder
from qualkit.evaluation import EvaluationReport, evaluate_codings
from qualkit.interop.codebook_yaml import load_codebook
from qualkit.model import Code, Codebook

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "family_support.yaml"
DATASETS = {
    "demo interviews (human-coded subset)": REPO / "corpora" / "demo" / "_coded_subset.jsonl",
    "survey answers": REPO / "bench" / "data" / "survey_answers_labelled.jsonl",
}
CODERS = ("ensemble.v1", "ensemble.v2", "ensemble.v3")
SPEED_CODERS = ("ensemble.v1", "ensemble.v3")  # v2 embeds long turns twice; v3 is v2 without that
DEFAULT = DEFAULT_VERSIONS["ensemble"]  # what a bare "ensemble" means
SEEDS = (0, 1, 2)
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "qualkit-bench" / "embeddings.pkl"
Coding = dict[str, set[str]]


class DiskCache(MemoryCache):
    """The in-memory cache, saved to CACHE after each fill (bench runs share a 2-core machine)."""

    def __init__(self) -> None:
        super().__init__()
        if CACHE.exists():
            self._vectors = pickle.loads(CACHE.read_bytes())

    def put_many(self, vectors: dict[str, np.ndarray], model_id: str) -> None:
        super().put_many(vectors, model_id)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(self._vectors))


def load_dataset(path: Path) -> tuple[list[Unit], Coding]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    units = [Unit(str(line.get("id", i)), line["text"], line.get("group")) for i, line in enumerate(lines)]
    gold = {u.id: set(line["codes"]) for u, line in zip(units, lines, strict=True)}
    return units, gold


def bare(codebook: Codebook) -> Codebook:
    """The codebook with names and descriptions only."""
    def strip(code: Code) -> Code:
        return code.model_copy(update={"keywords": [], "examples": [], "include": [], "exclude": [],
                                       "children": [strip(c) for c in code.children]})
    return codebook.model_copy(update={"codes": [strip(c) for c in codebook.codes]})


@dataclass(frozen=True)
class Dataset:
    name: str
    units: list[Unit]
    gold: Coding
    codebook: Codebook
    real: bool


def datasets() -> list[Dataset]:
    family = load_codebook(CODEBOOK)
    found = [Dataset(name, *load_dataset(path), family, False)
             for name, path in DATASETS.items() if path.exists()]
    inspection = load_codebook(real_sets.INSPECTION_CODEBOOK)
    for name, loader in (("inspection report paragraphs (real)", real_sets.inspection_paragraphs),
                         ("inspection report quotations (real)", real_sets.inspection_quotations)):
        loaded = loader()
        if loaded is not None:
            found.append(Dataset(name, *loaded, inspection, True))
    return found + [Dataset(f"{d.name}, bare codebook", d.units, d.gold, bare(d.codebook), d.real)
                    for d in found]


def labels_for(units: list[Unit], gold: Coding, codebook: Codebook) -> list[Label]:
    ids = [c.id for c in codebook.flat()]
    return [Label(f"train:{u.id}", c, c in gold[u.id], u.text) for u in units for c in ids]


def report(gold: Coding, predicted: Coding, units: list[Unit], codebook: Codebook) -> EvaluationReport:
    codes = [c.id for c in codebook.flat() if any(c.id in gold[u.id] for u in units)]
    return evaluate_codings(gold, predicted, [u.id for u in units], codes)


@dataclass(frozen=True)
class Result:
    report: EvaluationReport
    top1_kappa: float | None
    macro_ap: float | None


def result(gold: Coding, predicted: Coding, scores: np.ndarray, units: list[Unit],
           codebook: Codebook) -> Result:
    codes = [c.id for c in codebook.flat()]
    single = [i for i, u in enumerate(units) if len(gold[u.id]) == 1]
    top1 = None
    if len(single) > 1:
        truth = [codes.index(next(iter(gold[units[i].id]))) for i in single]
        top1 = float(cohen_kappa_score(truth, scores[single].argmax(axis=1)))
    truth_matrix = np.array([[c in gold[u.id] for c in codes] for u in units])
    aps = [average_precision_score(truth_matrix[:, j], scores[:, j]) for j in range(len(codes))
           if truth_matrix[:, j].any()]
    return Result(report(gold, predicted, units, codebook), top1, float(np.mean(aps)) if aps else None)


Run = tuple[Coding, np.ndarray]
System = Callable[[list[Unit], list[Unit], Coding, Codebook], Run]


def coder_system(name: str, embedder: CachedEmbedder) -> System:
    def run(train: list[Unit], test: list[Unit], gold: Coding, codebook: Codebook) -> Run:
        verdicts = code_units(test, codebook, labels_for(train, gold, codebook), name, embedder=embedder)
        codes = [c.id for c in codebook.flat()]
        scores = np.array([[next(v["score"] for v in verdicts[u.id] if v["code"] == c) for c in codes]
                           for u in test])
        return {uid: {v["code"] for v in vs if v["suggested"]} for uid, vs in verdicts.items()}, scores
    return run


def similarity_baseline(similarities: Callable[[list[Unit], Codebook], np.ndarray]) -> System:
    """Best-matching code per unit when above a threshold (tuned as the module docstring says)."""
    def decide(sims: np.ndarray, units: list[Unit], codes: list[str], t: float) -> Coding:
        best = sims.argmax(axis=1)
        return {u.id: ({codes[best[i]]} if sims[i, best[i]] >= t else set()) for i, u in enumerate(units)}

    def run(train: list[Unit], test: list[Unit], gold: Coding, codebook: Codebook) -> Run:
        codes = [c.id for c in codebook.flat()]
        tune_on = train or test
        tune_sims = similarities(tune_on, codebook)
        grid = np.quantile(tune_sims.max(axis=1), np.linspace(0, 0.95, 20))
        best_t = max(grid, key=lambda t: report(gold, decide(tune_sims, tune_on, codes, t), tune_on,
                                                 codebook).macro_kappa or 0.0)
        sims = similarities(test, codebook)
        return decide(sims, test, codes, best_t), sims
    return run


def tfidf_similarities(units: list[Unit], codebook: Codebook) -> np.ndarray:
    descriptions = [f"{c.name} {c.description}" for c in codebook.flat()]
    texts = [u.text for u in units]
    vectoriser = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(descriptions + texts)
    return (vectoriser.transform(texts) @ vectoriser.transform(descriptions).T).toarray()


def minilm_similarities(embedder: CachedEmbedder) -> Callable[[list[Unit], Codebook], np.ndarray]:
    def sims(units: list[Unit], codebook: Codebook) -> np.ndarray:
        codes = embedder.encode([f"{c.name}: {c.description}" for c in codebook.flat()])
        return embedder.encode([u.text for u in units]) @ codes.T
    return sims


def evaluate(systems: dict[str, System], data: Dataset) -> dict[str, dict[str, list[Result]]]:
    results: dict[str, dict[str, list[Result]]] = {}
    units, gold, codebook = data.units, data.gold, data.codebook
    for name, system in systems.items():
        results[name] = {"zero-shot": [result(gold, *system([], units, gold, codebook), units, codebook)]}
        few, same_units = [], []
        for seed in SEEDS:
            order = list(units)
            random.Random(seed).shuffle(order)
            cut = int(0.3 * len(order))
            train, test = order[:cut], order[cut:]
            few.append(result(gold, *system(train, test, gold, codebook), test, codebook))
            same_units.append(result(gold, *system([], test, gold, codebook), test, codebook))
        results[name]["few-shot (30%)"] = few
        results[name]["zero-shot on the few-shot test units"] = same_units
    return results


def gain(modes: dict[str, list[Result]]) -> float:
    """What the decisions taught: mean over splits of few-shot minus zero-shot top-1 kappa on the
    same test units."""
    pairs = zip(modes["few-shot (30%)"], modes["zero-shot on the few-shot test units"], strict=True)
    return mean([None if f.top1_kappa is None or z.top1_kappa is None else f.top1_kappa - z.top1_kappa
                 for f, z in pairs])


def mean(values: Sequence[float | None]) -> float:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else float("nan")


def fmt(value: float | None) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:.3f}"


def quality_tables(embedder: CachedEmbedder, per_code: bool = True) -> str:
    systems: dict[str, System] = {f"qualkit {name}" + (" (default)" if name == DEFAULT else ""):
                                  coder_system(name, embedder) for name in CODERS}
    systems["baseline: TF-IDF cosine to description"] = similarity_baseline(tfidf_similarities)
    minilm = similarity_baseline(minilm_similarities(embedder))
    systems["baseline: MiniLM cosine to name: description"] = minilm
    out = []
    for data in datasets():
        results = evaluate(systems, data)
        single = sum(len(g) == 1 for g in data.gold.values())
        out.append(f"\n### {data.name}: {len(data.units)} units ({single} with one code), "
                   f"{sum(map(len, data.gold.values()))} codings, {len(data.codebook.flat())} codes\n")
        out.append("| system | zero-shot top-1 kappa | zero-shot macro AP | zero-shot macro kappa "
                   "| few-shot top-1 kappa | few-shot macro AP | few-shot macro kappa "
                   "| taught by decisions (top-1 kappa) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, modes in results.items():
            zs, fs = modes["zero-shot"][0], modes["few-shot (30%)"]
            out.append(f"| {name} | {fmt(zs.top1_kappa)} | {fmt(zs.macro_ap)} | "
                       f"{fmt(zs.report.macro_kappa)} | "
                       f"{fmt(mean([r.top1_kappa for r in fs]))} | {fmt(mean([r.macro_ap for r in fs]))} | "
                       f"{fmt(mean([r.report.macro_kappa for r in fs]))} | {gain(modes):+.3f} |")
        if not per_code or "bare" in data.name:
            continue
        default = next(modes for name, modes in results.items() if "(default)" in name)
        out.append("\nPer code, default coder (kappa zero-shot / few-shot; support in the whole set):\n")
        out.append("| code | support | kappa zero-shot | kappa few-shot |")
        out.append("|---|---:|---:|---:|")
        for code in default["zero-shot"][0].report.codes:
            few_kappa = mean([next((c.kappa for c in r.report.codes if c.code == code.code), None)
                              for r in default["few-shot (30%)"]])
            out.append(f"| {code.code} | {code.support} | "
                       f"{'n/a' if code.kappa is None else f'{code.kappa:.2f}'} | {fmt(few_kappa)} |")
    return "\n".join(out)


def generated_units(n: int, seed: int = 7) -> list[Unit]:
    """n segments of 1-6 sentences made of the demo corpus's words (no real sentence repeated)."""
    units = load_dataset(DATASETS["demo interviews (human-coded subset)"])[0]
    words = re.findall(r"[\w']+", " ".join(u.text for u in units))
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(6, 22))).capitalize() + "."
    return [Unit(f"g{seed}-{i}", " ".join(sentence() for _ in range(rng.randint(1, 6)))) for i in range(n)]


def timed(work: Callable[..., object], *args: object, **kwargs: object) -> tuple[float, float]:
    """Wall-clock and CPU seconds (this process, all its threads) that `work(*args, **kwargs)` takes."""
    wall, cpu = time.perf_counter(), time.process_time()
    work(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu


def speed_table(n: int, decisions: int = 2000) -> str:
    """Per coder: a first full pass vs embedding alone, a re-run with embeddings cached, and the
    refit after one more decision with `decisions` decisions. Each coder's baseline is embedding the
    segments alone just before and just after its first pass (the mean of the two), and ratios are of
    CPU seconds: on a machine shared with other work, wall-clock time measures the others' load as
    much as ours (both are shown)."""
    codebook = load_codebook(CODEBOOK)
    units = generated_units(n)
    MiniLMEmbedder().encode(["warm up"])
    for name in SPEED_CODERS:  # loads spaCy and the model once, before anything is timed
        make_coder(name, embedder=CachedEmbedder(MiniLMEmbedder())).fit(units[:2], codebook)

    def embed_alone() -> None:
        MiniLMEmbedder().encode([u.text for u in units])

    rng = random.Random(3)
    codes = [c.id for c in codebook.flat()]
    decided = units[: decisions // 4]
    labels = [Label(u.id, c, rng.random() < 0.3, u.text) for u in decided for c in rng.sample(codes, 4)]
    lines = ["| stage | wall seconds | CPU seconds | ratio to embedding alone (CPU) |",
             "|---|---:|---:|---:|"]
    for name in SPEED_CODERS:
        cache = CachedEmbedder(MiniLMEmbedder(), MemoryCache())
        before = timed(embed_alone)
        full = timed(code_units, units, codebook, [], name, embedder=cache)
        after = timed(embed_alone)
        alone = ((before[0] + after[0]) / 2, (before[1] + after[1]) / 2)
        rerun = timed(code_units, units, codebook, [], name, embedder=cache)
        # People decide on segments already coded: their embeddings are cached.
        coder = make_coder(name, embedder=cache)
        refit = timed(coder.fit, units, codebook, labels)
        rescore = timed(list, coder.suggest(units, codebook))  # suggest yields lazily
        for stage, (wall, cpu) in ((f"embed {n} segments alone (mean of just before and just after the "
                                    "first pass)", alone),
                                   ("first full pass, embeddings included", full),
                                   ("re-run with embeddings cached", rerun),
                                   (f"refit after a decision ({len(labels)} decisions on {len(decided)} "
                                    "segments)", refit),
                                   (f"then re-score all {n} segments", rescore)):
            lines.append(f"| {name}: {stage} | {wall:.2f} | {cpu:.2f} | {cpu / alone[1]:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="write the results into BENCHMARKS.md")
    parser.add_argument("--speed-segments", type=int, default=1000)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    embedder = CachedEmbedder(MiniLMEmbedder(), DiskCache())
    quality = quality_tables(embedder)
    print(quality, flush=True)
    speed = "" if args.skip_speed else speed_table(args.speed_segments)
    print(speed)
    body = (f"Quality (few-shot = mean of {len(SEEDS)} splits; default coder: {DEFAULT}):\n{quality}\n\n"
            f"Speed:\n\n{speed}\n{NOTES}")
    if args.record:
        write_section(REPO / "BENCHMARKS.md", "## Coding (bench/coding.py)",
                      ".venv/bin/python bench/coding.py --record", body)


NOTES = """
Reading the tables (sets of 32-160 units: differences under ~0.03 are noise; "taught by decisions"
is the few-shot top-1 kappa minus the zero-shot one on the same 70% of units, so it shows what the
decisions add and nothing else; the baselines learn only their threshold, which top-1 ignores):
- ensemble.v3 (new: ensemble.v2 with TF-IDF word evidence in the prior, a class-balanced classifier,
  a decision boundary halfway to the base rate, and no sentence embeddings) against plain MiniLM
  cosine, zero-shot top-1 kappa: ahead on every set, by 0.12-0.30 with the full codebooks and the
  bare real paragraphs, by 0.09 on the bare real quotations, by 0.05 on the bare survey answers and
  by 0.03 on the bare demo interviews (its smallest lead).
- Decisions teach v3 something on every set (+0.02 to +0.12 top-1 kappa; most on the real
  paragraphs, where 30% gives each of 8 codes 5-16 examples); v1 loses ground with them on the
  survey answers and the real quotations, v2 on the demo interviews. With 30% of these sets most of
  their 23 codes have 1-5 accepted examples, so gains of a few hundredths are what a classifier on
  frozen embeddings can add there.
- v3 against v1 (today's default): zero-shot top-1 kappa ahead on 7 of 8 sets (0.006 behind on
  the real paragraphs), few-shot ahead on 7 of 8 (0.011 behind on the bare real quotations); its
  own yes/no (macro kappa) with decisions is ahead on all 8 (0.198 -> 0.443 on the real
  quotations). So v3 is the measured best and should be what `ensemble` means
  (qualkit/coders/base.py: DEFAULT_VERSIONS and BUILT_IN; the per-code tables follow that default).
- What the sets confirmed for v3, variant by variant (not all shown): word evidence (TF-IDF cosine
  of the unit to a code's prototypes, weight 1, added to the MiniLM similarity before the per-code
  standardisation) raised zero-shot top-1 kappa on 6 of 8 sets (+0.06 on the bare real paragraphs,
  +0.04 on the survey answers); balancing the classifier's classes raised few-shot top-1 kappa by
  0.01-0.04 on 5 sets; the halfway boundary raised the coder's own macro kappa by 0.05-0.19 on 7 of
  8 sets. Once words count, scoring each long turn's sentences embedded on their own added nothing
  (demo interviews 0.559 either way, others within 0.02) and doubled a first pass's embedding work,
  so v3 leaves it out; its rationale still names the sentence that shares most words with the
  unit's best code.
- Tried and not kept: the prior as a feature of the classifier (top-1 kappa 0.03-0.12 lower),
  similarity to the accepted examples as a second prior (lower on 5 of 8 sets), a turn's vector
  from its sentences' mean (-0.09 on the demo interviews), TF-IDF features in the classifier,
  shrinkage 4 or 20, C = 4, learning a code from 2 examples of each kind (all within noise).
- Fine-tuning the sentence model on the decisions (SetFit's recipe with sentence-transformers) is
  measured in bench/finetune.py: no gain on the real sets (-0.01 kappa) for minutes of CPU per tune,
  so it is not adopted (see the Fine-tuning section).
- Speed: ratios are of CPU seconds (this process, all its threads) because wall-clock seconds on
  this shared 2-core machine moved by 2x between two identical runs a minute apart (both shown).
  Beyond embedding the segments, v3's first pass embeds its codebook (the family codebook's 114
  prototype texts hold as many tokens as about 75 segments: a fixed cost, paid once per project
  since embeddings are cached in the store) and spends under a second on keywords and word
  evidence: 1.16x embedding alone for the 1,000 segments here, 1.6x for 300 (the codebook's share
  shrinks as the segments grow). v2 embedded each long turn's sentences a second time (about 2x for
  any number). v3's refit after a decision is one logistic regression per code on cached embeddings
  (0.4 s with 2,000 decisions); v1's cross-validates a TF-IDF + embedding model per code to tune its
  thresholds (40 s and more)."""

if __name__ == "__main__":
    main()
