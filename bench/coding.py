"""Coding quality and speed of the default coder against two baselines, measured in one run.

Quality: per-code and macro F1 and Cohen's kappa against human coding, on labelled sets of
different styles (the demo corpus's human-coded interview subset; short survey answers):
- zero-shot: the codebook only;
- few-shot: 30% of the units' decisions given as training data, scored on the other 70%
  (averaged over three random splits).
Baselines, computed on the same units: TF-IDF cosine to each code's description, and plain MiniLM
cosine to "name: description". Each baseline suggests a code when its similarity is the unit's
best and above a threshold; zero-shot the threshold is the best one in hindsight on the scored
units (an optimistic baseline), few-shot it is tuned on the training 30%.

Speed: coding N generated segments with the default coder, embeddings included, against embedding
the same segments alone (the baseline), then a re-run with the embeddings cached.

    .venv/bin/python bench/coding.py [--record] [--speed-segments 1000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from benchmarks_md import write_section
from sklearn.feature_extraction.text import TfidfVectorizer

from qualkit.coders.base import Label, Unit
from qualkit.coders.batch import code_units
from qualkit.coders.embeddings import CachedEmbedder, MemoryCache, MiniLMEmbedder
from qualkit.evaluation import EvaluationReport, evaluate_codings
from qualkit.interop.codebook_yaml import load_codebook
from qualkit.model import Codebook

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "family_support.yaml"
DATASETS = {
    "demo interviews (human-coded subset)": REPO / "corpora" / "demo" / "_coded_subset.jsonl",
    "survey answers": REPO / "bench" / "data" / "survey_answers_labelled.jsonl",
}
SEEDS = (0, 1, 2)
Coding = dict[str, set[str]]


def load_dataset(path: Path) -> tuple[list[Unit], Coding]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    units = [Unit(str(line.get("id", i)), line["text"], line.get("group")) for i, line in enumerate(lines)]
    gold = {u.id: set(line["codes"]) for u, line in zip(units, lines, strict=True)}
    return units, gold


def labels_for(units: list[Unit], gold: Coding, codebook: Codebook) -> list[Label]:
    ids = [c.id for c in codebook.flat()]
    return [Label(u.id, c, c in gold[u.id], u.text) for u in units for c in ids]


def report(gold: Coding, predicted: Coding, units: list[Unit], codebook: Codebook) -> EvaluationReport:
    codes = [c.id for c in codebook.flat() if any(c.id in gold[u.id] for u in units)]
    return evaluate_codings(gold, predicted, [u.id for u in units], codes)


def default_coder(embedder: CachedEmbedder) -> Callable[[list[Unit], list[Unit], Coding, Codebook], Coding]:
    def run(train: list[Unit], test: list[Unit], gold: Coding, codebook: Codebook) -> Coding:
        verdicts = code_units(test, codebook, labels_for(train, gold, codebook), embedder=embedder)
        return {uid: {v["code"] for v in vs if v["suggested"]} for uid, vs in verdicts.items()}
    return run


def similarity_baseline(similarities: Callable[[list[Unit], Codebook], np.ndarray]):  # type: ignore[no-untyped-def]
    """Best-matching code per unit when above a threshold (tuned as the module docstring says)."""
    def decide(sims: np.ndarray, units: list[Unit], codes: list[str], t: float) -> Coding:
        best = sims.argmax(axis=1)
        return {u.id: ({codes[best[i]]} if sims[i, best[i]] >= t else set()) for i, u in enumerate(units)}

    def run(train: list[Unit], test: list[Unit], gold: Coding, codebook: Codebook) -> Coding:
        codes = [c.id for c in codebook.flat()]
        tune_on = train or test
        tune_sims = similarities(tune_on, codebook)
        grid = np.quantile(tune_sims.max(axis=1), np.linspace(0, 0.95, 20))
        best_t = max(grid, key=lambda t: report(gold, decide(tune_sims, tune_on, codes, t), tune_on,
                                                 codebook).macro_kappa or 0.0)
        return decide(similarities(test, codebook), test, codes, best_t)
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


def evaluate(systems: dict[str, Callable], units: list[Unit], gold: Coding, codebook: Codebook) -> dict:
    results: dict[str, dict[str, list[EvaluationReport]]] = {}
    for name, system in systems.items():
        results[name] = {"zero-shot": [report(gold, system([], units, gold, codebook), units, codebook)]}
        few = []
        for seed in SEEDS:
            order = list(units)
            random.Random(seed).shuffle(order)
            cut = int(0.3 * len(order))
            train, test = order[:cut], order[cut:]
            few.append(report(gold, system(train, test, gold, codebook), test, codebook))
        results[name]["few-shot (30%)"] = few
    return results


def mean(values: list[float | None]) -> float:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else float("nan")


def quality_tables(codebook: Codebook, embedder: CachedEmbedder) -> str:
    systems = {
        "qualkit default (ensemble.v1)": default_coder(embedder),
        "baseline: TF-IDF cosine to description": similarity_baseline(tfidf_similarities),
        "baseline: MiniLM cosine to name: description": similarity_baseline(minilm_similarities(embedder)),
    }
    out = []
    for dataset, path in DATASETS.items():
        if not path.exists():
            continue
        units, gold = load_dataset(path)
        results = evaluate(systems, units, gold, codebook)
        out.append(f"\n### {dataset}: {len(units)} units, {sum(map(len, gold.values()))} codings\n")
        out.append("| system | zero-shot macro F1 | zero-shot macro kappa "
                   "| few-shot macro F1 | few-shot macro kappa |")
        out.append("|---|---:|---:|---:|---:|")
        for name, modes in results.items():
            zs, fs = modes["zero-shot"][0], modes["few-shot (30%)"]
            out.append(f"| {name} | {zs.macro_f1:.3f} | {zs.macro_kappa:.3f} | "
                       f"{mean([r.macro_f1 for r in fs]):.3f} | {mean([r.macro_kappa for r in fs]):.3f} |")
        default = results["qualkit default (ensemble.v1)"]
        out.append("\nPer code, default coder (kappa zero-shot / few-shot; support in the whole set):\n")
        out.append("| code | support | kappa zero-shot | kappa few-shot |")
        out.append("|---|---:|---:|---:|")
        for code in default["zero-shot"][0].codes:
            few_kappa = mean([next((c.kappa for c in r.codes if c.code == code.code), None)
                              for r in default["few-shot (30%)"]])
            out.append(f"| {code.code} | {code.support} | "
                       f"{'n/a' if code.kappa is None else f'{code.kappa:.2f}'} | {few_kappa:.2f} |")
    return "\n".join(out)


def speed_table(codebook: Codebook, n: int) -> str:
    """Default coder on n generated segments vs embedding them alone; then a cached re-run."""
    _, gold_units = None, load_dataset(DATASETS["demo interviews (human-coded subset)"])[0]
    words = re.findall(r"[\w']+", " ".join(u.text for u in gold_units))
    rng = random.Random(7)
    units = [Unit(f"g{i}", " ".join(rng.choice(words) for _ in range(rng.randint(20, 90))) + ".")
             for i in range(n)]
    MiniLMEmbedder().encode(["warm up"])
    start = time.perf_counter()
    MiniLMEmbedder().encode([u.text for u in units])
    embed_only = time.perf_counter() - start
    cache = CachedEmbedder(MiniLMEmbedder(), MemoryCache())
    start = time.perf_counter()
    code_units(units, codebook, [], embedder=cache)
    full = time.perf_counter() - start
    start = time.perf_counter()
    code_units(units, codebook, [], embedder=cache)
    rerun = time.perf_counter() - start
    return ("| stage | seconds | ratio to embedding alone |\n|---|---:|---:|\n"
            f"| embed {n} segments (baseline) | {embed_only:.1f} | 1.00 |\n"
            f"| code {n} segments, embeddings included | {full:.1f} | {full / embed_only:.2f} |\n"
            f"| re-run with embeddings cached | {rerun:.1f} | {rerun / embed_only:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="write the results into BENCHMARKS.md")
    parser.add_argument("--speed-segments", type=int, default=1000)
    args = parser.parse_args()
    codebook = load_codebook(CODEBOOK)
    embedder = CachedEmbedder(MiniLMEmbedder(), MemoryCache())
    quality = quality_tables(codebook, embedder)
    speed = speed_table(codebook, args.speed_segments)
    body = (f"Quality (macro averages over codes with support; few-shot = mean of {len(SEEDS)} splits):\n"
            f"{quality}\n\nSpeed:\n\n{speed}")
    print(body)
    if args.record:
        write_section(REPO / "BENCHMARKS.md", "## Coding (bench/coding.py)",
                      ".venv/bin/python bench/coding.py --record", body)

if __name__ == "__main__":
    main()
