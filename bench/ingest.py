"""Ingestion benchmark: how fast qualkit reads, segments and stores a realistic interview corpus.

Usage::

    .venv/bin/python bench/ingest.py [--interviews 200] [--words 8000] [--record] [--out BENCHMARKS.md]

What it does
------------
1. Generates, in a temporary folder and outside the timings, a synthetic corpus of N interview
   transcripts of about W words each. It is deterministic (``random.Random`` seeded per file) and
   shaped like real fieldwork exports: a 3-line preamble, alternating interviewer and respondent
   turns whose labels vary from file to file (``Keyworker C:``, ``R:``, ``P12:``,
   ``[00:03:12] Speaker 2:``, ``MUM:``), multi-paragraph turns, very long turns (so that turns over
   the segment limit are cut at sentence boundaries), names, dates, abbreviations (``Mr.``,
   ``Dr.``, ``approx.``), quotes, dashes and ellipses. Most files are .txt (some with CRLF line
   endings, a byte-order mark, hard-wrapped lines, or Windows-1252 encoding, as Word's "save as
   text" writes them); 10% are .docx (python-docx, half with bold speaker runs) and 5% .vtt
   subtitles.

2. Times three stages over the whole corpus, interleaved round by round (3 rounds by default) so
   that the machine's noise hits all of them alike, and reports each stage's median:

   * **baseline**: read every file's bytes and decode them (UTF-8, or Windows-1252 where that is
     how the file was written; for .docx the raw ``word/document.xml`` is unzipped and decoded),
     then ``normalise_text``. This is the floor no importer can go below, and the yardstick: on a
     noisy shared machine absolute seconds drift, the *ratio* to the baseline much less.
   * **parse**: ``parse_file`` on every file: reading, safety checks, format parsing, encoding
     detection, normalisation, speaker detection and segmentation, with the options a new project
     uses.
   * **import**: ``services.init_project`` on a fresh folder, then ``services.import_sources`` of
     the corpus folder: everything ``parse`` does plus writing documents, speakers, participants,
     segments and audit events to SQLite in one transaction. A fresh project each round.

   The "store" row is derived (import minus parse): the cost of the database work.

3. Prints a Markdown table (seconds, CPU seconds, words/s, ratio to baseline), the corpus size
   (files, words, segments), a per-format breakdown of parse time, peak RSS, and whether the target
   "200 interviews of ~8k words imported and segmented in under 60 s" is met. With ``--record`` it
   writes the same into the ``## Ingestion (bench/ingest.py)`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import itertools
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks_md import write_section

from qualkit import services
from qualkit.ingest.extracted import ReadOptions
from qualkit.ingest.normalise import normalise_text
from qualkit.ingest.registry import parse_file

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Ingestion (bench/ingest.py)"
TARGET_FILES, TARGET_WORDS, TARGET_SECONDS = 200, 8000, 60.0

# --- synthetic corpus --------------------------------------------------------------------------

FIRST_NAMES = ["Sarah", "Tom", "Aisha", "Jamal", "Bethany", "Kieran", "Priya", "Dave", "Chloe",
               "Mohammed", "Ellie", "Callum", "Grace", "Tyler", "Zainab", "Liam", "Jess", "Nathan"]
TITLED = ["Mr. Patel", "Mrs. Kowalski", "Dr. Hughes", "Ms. Okafor", "Mr. Evans", "Dr. Singh",
          "Mrs. O'Neill", "Cllr. Barker"]
PLACES = ["the housing office", "the food bank", "the job centre", "St. Mary's", "the surgery",
          "the family hub", "the school gates", "Asda", "the community centre", "the library",
          "the bus station", "the children's centre", "the council offices"]
SUBJECTS = ["I", "we", "my mum", "the keyworker", "my son", "she", "he", "they", "the school",
            "the council", "my partner", "the GP", "the support worker", "my daughter", "Nan",
            "the social worker", "my sister", "the little one", "nobody"]
VERBS = ["went to", "talked to", "helped with", "rang", "waited for", "sorted out", "worried about",
         "looked after", "asked about", "dropped off", "picked up", "paid for", "struggled with",
         "got", "found", "filled in", "put up with", "went back to", "heard about", "cancelled"]
OBJECTS = ["the forms", "the rent", "the kids", "the appointment", "the benefits", "the flat",
           "the money", "the group on Tuesdays", "the letter", "the bills", "the meter", "the car",
           "the washing", "the school run", "the paperwork", "the shopping", "the tablets",
           "the phone bill", "the childcare", "the nursery place", "the referral", "the deposit"]
WHEN = ["last week", "on {date}", "every morning", "after that", "in the end", "most days",
        "before Christmas", "around {clock}", "at the weekend", "straight away", "back in {month}",
        "for approx. {n} weeks", "the day after", "over the summer", "since {date}"]
FEELINGS = ["really stressful", "a massive relief", "a bit much", "hard, honestly", "brilliant",
            "not great", "a nightmare", "so much better", "scary at first", "fine, I suppose"]
FILLERS = ["you know", "like", "I mean", "to be honest", "sort of", "basically", "if that makes sense"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
QUESTIONS = [
    "Can you tell me a bit about {topic}?", "How did that make you feel?",
    "And what happened after that?", "What would have helped at that point?",
    "Who did you go to first?", "When was that, roughly?", "How did you hear about {place}?",
    "Was {name} able to help with {obj}?", "What difference has it made, if any?",
    "Is there anything you would change about {topic}?", "Right. And how are things now?",
    "Could you say a bit more about that?", "How often did you see {name}?",
]
TOPICS = ["the support you had", "the first few weeks", "the group sessions", "your housing",
          "money worries", "the keyworker visits", "getting to appointments", "the waiting list"]
BACKCHANNEL = ["Mm-hm.", "Right.", "Okay.", "Yeah.", "I see.", "Sure, go on.", "Thank you."]
PREAMBLE_TITLES = ["Family Support Evaluation", "Early Help Pathway Study",
                   "Housing First Evaluation", "Community Connectors Evaluation"]

# (interviewer label, respondent label template, uses timestamps); {L} letter, {n} number.
LABEL_SCHEMES = [
    ("Interviewer", "Keyworker {L}", False),
    ("I", "R", False),
    ("Interviewer", "P{n}", False),
    ("Interviewer", "Speaker 2", True),
    ("INT", "MUM", False),
    ("Researcher", "Parent {n}", False),
    ("Q", "A", False),
    ("Interviewer", "Partner {L}", True),
]
SECOND_RESPONDENT = {"Keyworker {L}": "Manager {L}", "P{n}": "P{m}", "MUM": "DAD",
                     "Parent {n}": "Parent {m}", "Partner {L}": "Partner {K}"}


@dataclass
class Turn:
    speaker: str
    paragraphs: list[str]
    seconds: float  # offset into the recording


@dataclass
class Transcript:
    name: str
    preamble: list[str]
    turns: list[Turn]
    words: int
    timestamps: bool  # label lines start with `[hh:mm:ss]` in text exports


@dataclass
class SourceFile:
    path: Path
    variant: str  # format as generated: ".txt", ".txt (cp1252)", ".docx", ".vtt", ...


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2021, 2022, 2023, 2024])
    ordinal = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(day, "th")
    return rng.choice([f"{day} {MONTHS[month - 1]}", f"{day:02d}/{month:02d}/{year}",
                       f"{MONTHS[month - 1]} {year}", f"the {day}{ordinal}"])


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        date=_date(rng), clock=f"{rng.randint(1, 12)}.{rng.choice(['00', '15', '30', '45'])}",
        month=rng.choice(MONTHS), n=rng.randint(2, 12), topic=rng.choice(TOPICS),
        place=rng.choice(PLACES), name=rng.choice(FIRST_NAMES + TITLED), obj=rng.choice(OBJECTS),
    )


def _sentence(rng: random.Random) -> str:
    """One everyday spoken sentence, with the punctuation real transcripts carry."""
    subject = rng.choice(SUBJECTS + FIRST_NAMES + TITLED)
    core = f"{subject} {rng.choice(VERBS)} {rng.choice(OBJECTS + PLACES)}"
    if rng.random() < 0.6:
        core += " " + _fill(rng.choice(WHEN), rng)
    if rng.random() < 0.3:
        core = f"{rng.choice(FILLERS)}, {core}"
    if rng.random() < 0.35:
        core += f", and {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    shape = rng.random()
    if shape < 0.08:
        core += f" – which was {rng.choice(FEELINGS)} – "
        core += f"so {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    elif shape < 0.14:
        name = rng.choice(FIRST_NAMES + TITLED)
        core = f"{core}, and {name} said, “{rng.choice(BACKCHANNEL)[:-1]}, leave it with me.”"
    elif shape < 0.18:
        core += f", about £{rng.randint(5, 400)} a month"
    text = core[0].upper() + core[1:]
    if text.endswith("”"):
        return text
    ending = rng.random()
    if ending < 0.08:
        return text + "..."
    if ending < 0.14:
        return text + "?"
    if ending < 0.17:
        return text + "!"
    if ending < 0.24:
        return f"It was {rng.choice(FEELINGS)}. " + text + "."
    return text + "."


def _speech(rng: random.Random, words: int) -> list[str]:
    """Sentences adding up to about `words` words."""
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        sentences.append(sentence)
        count += len(sentence.split())
    return sentences


def _respondent_words(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.07:
        return rng.randint(400, 1400)  # a very long turn: cut at sentence boundaries on import
    if roll < 0.25:
        return rng.randint(150, 350)
    return rng.randint(15, 150)


def make_transcript(index: int, target_words: int, seed: int) -> Transcript:
    """One interview of about `target_words` words, fully determined by (seed, index)."""
    rng = random.Random(f"{seed}-{index}")
    interviewer, respondent, timed = rng.choice(LABEL_SCHEMES)
    letters = rng.sample("ABCDEFGH", 2)
    numbers = rng.sample(range(1, 60), 2)
    fields = {"L": letters[0], "K": letters[1], "n": numbers[0], "m": numbers[1]}
    second = SECOND_RESPONDENT.get(respondent) if rng.random() < 0.2 else None
    respondent = respondent.format(**fields)
    second = second.format(**fields) if second else None
    preamble = [
        f"{rng.choice(PREAMBLE_TITLES)} – interview {index + 1:03d} ({respondent})",
        f"Date of interview: {_date(rng)}; location: {rng.choice(PLACES)}",
        f"Transcribed by {rng.choice(FIRST_NAMES)}. Duration {rng.randint(35, 95)} minutes. "
        "Names changed; [inaudible] marks unclear speech.",
    ]
    turns: list[Turn] = []
    words = sum(len(line.split()) for line in preamble)
    seconds = float(rng.randint(2, 20))
    while words < target_words:
        if not turns or turns[-1].speaker != interviewer:
            speaker = interviewer
            text = (rng.choice(BACKCHANNEL) if rng.random() < 0.2 else _fill(rng.choice(QUESTIONS), rng))
            paragraphs = [text]
        else:
            speaker = second if second and rng.random() < 0.25 else respondent
            length = _respondent_words(rng)
            sentences = _speech(rng, length)
            bounds = [0, len(sentences)]
            if length > 80 and rng.random() < 0.35:  # 2-4 paragraphs, cut between sentences
                cuts = rng.sample(range(1, len(sentences)), min(len(sentences) - 1, rng.randint(1, 3)))
                bounds = sorted({*bounds, *cuts})
            paragraphs = [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]
        turn_words = sum(len(p.split()) for p in paragraphs)
        turns.append(Turn(speaker, paragraphs, seconds))
        seconds += turn_words * rng.uniform(0.3, 0.5) + rng.uniform(0.5, 3)
        words += turn_words + len(speaker.split())
    return Transcript(f"interview_{index + 1:03d}", preamble, turns, words, timed)


def _clock(seconds: float, millis: bool = False) -> str:
    whole = int(seconds)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{int((seconds - whole) * 1000):03d}" if millis else text


def _wrap(text: str, width: int) -> str:
    """Hard-wrap a paragraph the way some transcription services export it."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def write_txt(t: Transcript, folder: Path, rng: random.Random) -> SourceFile:
    wrap = rng.random() < 0.2
    stamped = t.timestamps
    blocks: list[str] = []
    for turn in t.turns:
        label = f"[{_clock(turn.seconds)}] {turn.speaker}:" if stamped else f"{turn.speaker}:"
        paragraphs = [f"{label} {turn.paragraphs[0]}", *turn.paragraphs[1:]]
        blocks.extend(_wrap(p, 78) if wrap else p for p in paragraphs)
    text = "\n".join(t.preamble) + "\n\n" + "\n\n".join(blocks) + "\n"
    roll = rng.random()
    if roll < 0.05:  # Word's "save as plain text" on Windows: cp1252 and CRLF
        variant, data = ".txt (cp1252)", text.replace("\n", "\r\n").encode("cp1252")
    elif roll < 0.30:
        variant, data = ".txt (CRLF)", text.replace("\n", "\r\n").encode("utf-8")
    elif roll < 0.40:
        variant, data = ".txt (BOM)", "\ufeff".encode() + text.encode("utf-8")
    else:
        variant, data = ".txt", text.encode("utf-8")
    path = folder / f"{t.name}.txt"
    path.write_bytes(data)
    return SourceFile(path, variant)


def write_docx(t: Transcript, folder: Path, rng: random.Random) -> SourceFile:
    import docx  # python-docx, only needed to generate

    document = docx.Document()
    document.core_properties.title = t.preamble[0]
    for line in t.preamble:
        document.add_paragraph(line)
    bold_labels = rng.random() < 0.5
    for turn in t.turns:
        first = document.add_paragraph()
        if bold_labels:
            first.add_run(f"{turn.speaker}:").bold = True
            first.add_run(f" {turn.paragraphs[0]}")
        else:
            first.add_run(f"{turn.speaker}: {turn.paragraphs[0]}")
        for paragraph in turn.paragraphs[1:]:
            document.add_paragraph(paragraph)
    path = folder / f"{t.name}.docx"
    document.save(str(path))
    return SourceFile(path, ".docx (bold labels)" if bold_labels else ".docx")


def write_vtt(t: Transcript, folder: Path, rng: random.Random) -> SourceFile:
    voice_tags = rng.random() < 0.5
    lines = ["WEBVTT", "", "NOTE", *t.preamble, ""]
    for n, turn in enumerate(t.turns):
        words = " ".join(turn.paragraphs).split()
        start = turn.seconds
        stop_turn = t.turns[n + 1].seconds if n + 1 < len(t.turns) else start + len(words) * 0.4
        per_word = (stop_turn - start) / max(len(words), 1)
        for i in range(0, len(words), 14):
            chunk = words[i:i + 14]
            end = start + len(chunk) * per_word
            spoken = " ".join(chunk)
            cue = f"<v {turn.speaker}>{spoken}" if voice_tags else f"{turn.speaker}: {spoken}"
            lines += [f"{_clock(start, True)} --> {_clock(end, True)}", cue, ""]
            start = end
    path = folder / f"{t.name}.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return SourceFile(path, ".vtt (voice tags)" if voice_tags else ".vtt")


def generate_corpus(folder: Path, interviews: int, words: int, seed: int) -> list[SourceFile]:
    """Write the corpus: 10% .docx, 5% .vtt, the rest .txt (spread evenly, deterministic)."""
    files = []
    for index in range(interviews):
        transcript = make_transcript(index, words, seed)
        rng = random.Random(f"{seed}-{index}-format")
        slot = index % 20
        writer = write_docx if slot in (3, 13) else write_vtt if slot == 7 else write_txt
        files.append(writer(transcript, folder, rng))
    return files


# --- stages ------------------------------------------------------------------------------------

@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def baseline(files: list[SourceFile]) -> int:
    """Read and decode every file, then normalise: the floor for any importer. Returns characters."""
    chars = 0
    for source in files:
        data = source.path.read_bytes()
        if source.path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = archive.read("word/document.xml")
        encoding = "cp1252" if "cp1252" in source.variant else "utf-8-sig"
        chars += len(normalise_text(data.decode(encoding)))
    return chars


@dataclass
class ParseResult:
    documents: int = 0
    words: int = 0
    segments: int = 0
    codable: int = 0
    split_pieces: int = 0  # extra segments from cutting long turns at sentence boundaries
    by_variant: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0.0]))


def parse_all(files: list[SourceFile], options: ReadOptions) -> ParseResult:
    """`parse_file` on every file; per-format time is measured inside (the clock calls are noise)."""
    result = ParseResult()
    for source in files:
        start = time.perf_counter()
        documents = parse_file(source.path, options)
        elapsed = time.perf_counter() - start
        words = sum(d.word_count for d in documents)
        result.documents += len(documents)
        result.words += words
        for document in documents:
            result.segments += len(document.segments)
            result.codable += sum(s.codable for s in document.segments)
            result.split_pieces += sum(a.speaker is not None and a.speaker == b.speaker
                                       for a, b in itertools.pairwise(document.segments))
        bucket = result.by_variant[source.variant]
        bucket[0] += 1
        bucket[1] += words
        bucket[2] += elapsed
    return result


def full_import(corpus: Path, workdir: Path, round_no: int) -> services.ImportReport:
    project = services.init_project(workdir / f"project-{round_no}")
    report = services.import_sources(project, [corpus])
    project.sessions.kw["bind"].dispose()
    return report


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


# --- report ------------------------------------------------------------------------------------

def render(args: argparse.Namespace, files: list[SourceFile], parsed: ParseResult,
           timings: dict[str, Timing], import_segments: int, rss: dict[str, float]) -> str:
    words = parsed.words
    base = timings["baseline"].median
    rows = [("baseline (read + decode + normalise)", timings["baseline"]),
            ("parse (`parse_file`, all files)", timings["parse"]),
            ("import (`init_project` + `import_sources`)", timings["import"])]
    out = [
        "| stage | seconds (median) | CPU s (median) | words/s | ratio to baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, timing in rows:
        out.append(f"| {label} | {timing.median:.2f} | {timing.median_cpu:.2f} | "
                   f"{words / timing.median:,.0f} | {timing.median / base:.1f}× |")
    store = timings["import"].median - timings["parse"].median
    store_cpu = timings["import"].median_cpu - timings["parse"].median_cpu
    out.append(f"| store (derived: import − parse) | {store:.2f} | {store_cpu:.2f} | – | "
               f"{store / base:.1f}× |")
    variants = Counter(f.variant for f in files)
    out += [
        "",
        f"Corpus: {len(files)} files ({', '.join(f'{n} {v}' for v, n in sorted(variants.items()))}), "
        f"{words:,} words, {parsed.segments:,} segments ({parsed.codable:,} codable, "
        f"{parsed.split_pieces:,} from cutting long turns at sentence boundaries; "
        f"{import_segments:,} stored per import). Rounds: {args.repeats}, "
        f"all timings: " + "; ".join(
            f"{name} " + ", ".join(f"{s:.2f}" for s in t.wall) for name, t in timings.items()) + " s.",
        "",
        "Parse time by format (last round):",
        "",
        "| format | files | words | seconds | words/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for variant, (n, w, s) in sorted(parsed.by_variant.items()):
        out.append(f"| {variant} | {n} | {w:,} | {s:.2f} | {w / s:,.0f} |")
    full = timings["import"].median
    at_scale = args.interviews >= TARGET_FILES and args.words >= TARGET_WORDS
    if at_scale:
        verdict = "**met**" if full < TARGET_SECONDS else "**not met**"
        target = f"{verdict} (full import median {full:.1f} s)"
    else:
        projected = full * (TARGET_FILES * TARGET_WORDS) / max(words, 1)
        target = (f"not measured at scale (corpus smaller than the target); linear projection "
                  f"{projected:.0f} s")
    out += [
        "",
        f"Peak RSS: {rss['generated']:.0f} MiB after generating the corpus, {rss['end']:.0f} MiB at the "
        "end (`ru_maxrss`, whole process).",
        "",
        f"Target \"{TARGET_FILES} interviews of ~{TARGET_WORDS // 1000}k words imported and segmented "
        f"in under {TARGET_SECONDS:.0f} s\": {target}.",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=TARGET_FILES, help="number of transcripts")
    parser.add_argument("--words", type=int, default=TARGET_WORDS, help="about this many words each")
    parser.add_argument("--repeats", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--seed", type=int, default=20240)
    parser.add_argument("--record", action="store_true", help="write the section into BENCHMARKS.md")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="file for --record")
    args = parser.parse_args(argv)
    os.environ.setdefault("QUALKIT_USER", "bench")

    workdir = Path(tempfile.mkdtemp(prefix="qualkit-bench-"))
    try:
        corpus = workdir / "corpus"
        corpus.mkdir()
        print(f"Generating {args.interviews} interviews of ~{args.words} words in {corpus} ...",
              file=sys.stderr)
        files = generate_corpus(corpus, args.interviews, args.words, args.seed)
        rss = {"generated": peak_rss_mib()}

        # Warm-up outside the timings: import every reader and the store, migrate once.
        warm = services.init_project(workdir / "warm-up")
        options = warm.config.read_options()
        by_suffix = {f.path.suffix: f.path for f in files}
        services.import_sources(warm, list(by_suffix.values()))

        timings = {name: Timing() for name in ("baseline", "parse", "import")}
        parsed, imported_segments = ParseResult(), 0
        for round_no in range(args.repeats):
            wall, cpu, _ = timed(lambda: baseline(files))
            timings["baseline"].add(wall, cpu)
            wall, cpu, result = timed(lambda: parse_all(files, options))
            timings["parse"].add(wall, cpu)
            assert isinstance(result, ParseResult)
            parsed = result
            wall, cpu, report = timed(lambda n=round_no: full_import(corpus, workdir, n))
            timings["import"].add(wall, cpu)
            assert isinstance(report, services.ImportReport)
            if report.failed or len(report.imported) != parsed.documents:
                raise SystemExit(f"import went wrong: {len(report.imported)} imported, "
                                 f"{len(report.failed)} failed, {parsed.documents} expected")
            imported_segments = sum(n for _, n in report.imported)
            shutil.rmtree(workdir / f"project-{round_no}")
            print(f"round {round_no + 1}: " + ", ".join(
                f"{k} {t.wall[-1]:.2f} s" for k, t in timings.items()), file=sys.stderr)
        rss["end"] = peak_rss_mib()
        body = render(args, files, parsed, timings, imported_segments, rss)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(body)
    if args.record:
        shown = sys.argv[1:] if argv is None else argv
        write_section(args.out, SECTION, " ".join([".venv/bin/python", "bench/ingest.py", *shown]), body)
        print(f"\nRecorded in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
