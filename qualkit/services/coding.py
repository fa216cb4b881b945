"""Machine coding, review of its suggestions, people's own codings, and agreement."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from qualkit.agreement import Counts, cohen_kappa
from qualkit.coders import embeddings
from qualkit.coders.base import Coder, Label, Suggestion, Unit, coder_parameters, make_coder, resolve_coder
from qualkit.coders.content import non_content
from qualkit.config import CONFIG_FILE
from qualkit.errors import IngestError, NotFoundError, ProjectError, QualkitError
from qualkit.evaluation import EvaluationReport, evaluate_codings
from qualkit.model.coding import Coding, Status
from qualkit.services.codebooks import codebook_row
from qualkit.services.projects import Progress, Project, current_user
from qualkit.store import Session, assignments, double_coding
from qualkit.store import codebooks as codebooks_store
from qualkit.store import repository as repo
from qualkit.store.embedding_cache import StoreEmbeddingCache

SUGGEST_FLOOR = 0.2  # suggestions scoring below this are not stored unless the coder says yes

# The embedders a project may choose in qualkit.toml ([coding] embedder). Looked up when called, so
# nothing loads a model before a run needs it.
EMBEDDERS: dict[str, Callable[[], embeddings.Embedder]] = {
    "minilm": lambda: embeddings.MiniLMEmbedder(),  # the packaged all-MiniLM-L6-v2
}


def embedder_for(project: Project) -> embeddings.CachedEmbedder:
    """The project's embedder through its embedding cache: nothing is embedded twice across runs."""
    name = project.config.coding.embedder
    if name not in EMBEDDERS:
        raise ProjectError(f"{CONFIG_FILE} chooses embedder '{name}', which qualkit does not have.",
                           f"Set [coding] embedder to one of: {', '.join(EMBEDDERS)}.")
    return embeddings.CachedEmbedder(EMBEDDERS[name](), StoreEmbeddingCache(project.sessions))


@dataclass(frozen=True)
class CoderChoice:
    """A coder made as the project asks, with what provenance records about it."""

    coder: Coder
    parameters: dict[str, Any]  # the coder's own settings from qualkit.toml ([coding.parameters])
    embedder: str  # the embedder's model id


def choose_coder(project: Project, coder_name: str | None = None) -> CoderChoice:
    """The coder `coder_name`, or else the one `[coding] coder` in qualkit.toml names, with the
    project's embedder and spaCy model. The `[coding.parameters]` apply to the configured coder only
    (naming another coder runs it with its defaults), and each must be one of its parameters."""
    settings = project.config.coding
    if coder_name is None:
        name, configured = _configured_coder(settings.coder), True
    else:
        name = resolve_coder(coder_name)
        configured = coder_name == settings.coder or (
            bool(settings.parameters) and name == _configured_coder(settings.coder))
    parameters = dict(settings.parameters) if configured else {}
    declared = coder_parameters(name)
    unknown = [key for key in parameters if key not in declared]
    if unknown:
        raise ProjectError(f"coder '{name}' has no parameter '{unknown[0]}' ({CONFIG_FILE}, "
                           "[coding.parameters]).",
                           f"Remove it, or use one of: {', '.join(declared) or 'none'}.")
    embedder = embedder_for(project)
    coder = make_coder(name, embedder=embedder, spacy_model=project.config.nlp.spacy_model, **parameters)
    return CoderChoice(coder, parameters, embedder.model_id)


def configured_coder(project: Project) -> str:
    """The registry name of the coder a run uses when none is named (`[coding] coder` in qualkit.toml)."""
    return _configured_coder(project.config.coding.coder)


def _configured_coder(name: str) -> str:
    """The registry name qualkit.toml's `[coding] coder` stands for."""
    try:
        return resolve_coder(name)
    except NotFoundError as error:
        raise ProjectError(f"{CONFIG_FILE} chooses coder '{name}', which qualkit does not have.",
                           f"Set [coding] coder to a registered coder. {error.fix}") from None


def codable_units(session: Session, group: str | None = None) -> list[tuple[Unit, int]]:
    """Codable segments as coder units, each with where its segment starts in its document.
    Headings, name-and-role lines and form labels are no content: no coder sees them."""
    return [(Unit(str(s.id), s.text, s.group, s.participant or s.speaker), s.start)
            for s in repo.iter_segments(session, codable_only=True)
            if (group is None or s.group == group) and non_content(s.text) is None]


@dataclass
class CodingRunSummary:
    run_id: str
    coder: str
    codebook: str
    codebook_version: int
    units: int
    stored: int  # suggestions stored for review (score >= 0.2 or the coder said yes)
    replaced: int  # this coder's earlier still-suggested rows removed
    skipped_decided: int  # (segment, code) pairs a person already decided: never re-suggested
    per_code: dict[str, int] = field(default_factory=dict)  # code id -> units the coder said yes to
    parameters: dict[str, Any] = field(default_factory=dict)  # the coder's settings from qualkit.toml
    embedder: str | None = None  # the embedder's model id

    @property
    def suggested(self) -> int:
        """Suggestions: the (segment, code) pairs the coder itself said yes to. Everywhere qualkit counts
        suggestions, this is what it counts; lower scores are stored only to rank the review queue."""
        return sum(self.per_code.values())

    @property
    def candidates(self) -> int:
        """Lower-scoring pairs stored for review beside the suggestions (the coder said no)."""
        return max(self.stored - self.suggested, 0)


def run_coder(project: Project, coder_name: str | None = None, codebook: str | None = None,
              progress: Progress | None = None) -> CodingRunSummary:
    """Fit a coder (by default the one qualkit.toml chooses, see `choose_coder`) on the codable
    segments and the decisions people made so far, then store its suggestions for review. The run's
    event and summary record the coder, its parameters and the embedder.

    In one transaction, the coder's own still-suggested rows for this codebook are replaced.
    Accepted and rejected rows are never touched, and a (segment, code) a person has decided is
    never suggested again; a suggestion left on such a pair from an earlier run is kept as the
    record of what the machine said before the person decided (evaluation reads it).
    """
    steps = 3
    with project.sessions() as session:
        book_row = codebook_row(session, codebook)
        book = codebooks_store.read(session, book_row)
        units = codable_units(session)
        decided = assignments.decisions(session)
    if not units:
        raise NotFoundError("the project has no codable segments.", "Import documents first.")
    keys = {code.id for code in book.flat()}
    labels = [Label(str(d.segment_id), d.code, d.accepted, d.text) for d in decided if d.code in keys]
    choice = choose_coder(project, coder_name)
    coder = choice.coder
    if progress:
        progress("fitting", 0, steps)
    coder.fit([u for u, _ in units], book, labels)
    if progress:
        progress("suggesting", 1, steps)
    suggestions = list(coder.suggest([u for u, _ in units], book))
    if progress:
        progress("saving", 2, steps)
    starts = {u.id: start for u, start in units}
    summary = CodingRunSummary(uuid.uuid4().hex, coder.name, book.name, book_row.version, len(units),
                               0, 0, 0, dict.fromkeys((c.id for c in book.flat()), 0), choice.parameters,
                               choice.embedder)
    rows = []
    with project.transaction() as session:
        decided_pairs = assignments.decided_pairs(session)  # again: people may have decided meanwhile
        code_ids = codebooks_store.code_ids(session, book_row.id)
        summary.replaced = assignments.delete_suggestions(session, coder.name, book.name, decided_pairs)
        # Once more now this transaction writes (and so holds the lock): a decision made in between stands.
        decided_pairs = assignments.decided_pairs(session)
        for s in suggestions:
            if (int(s.unit_id), s.code_id) in decided_pairs:
                summary.skipped_decided += 1
                continue
            if not (s.suggested or s.score >= SUGGEST_FLOOR):
                continue
            summary.per_code[s.code_id] += int(s.suggested)
            rows.append(_suggestion_row(s, code_ids[s.code_id], starts[s.unit_id], coder, summary.run_id))
        assignments.add_many(session, rows)
        summary.stored = len(rows)
        repo.log_event(session, current_user(), "run_coder", "codebook", book_row.id, run_id=summary.run_id,
                       units=summary.units, stored=summary.stored, replaced=summary.replaced,
                       suggested=summary.suggested, coder=coder.name, parameters=choice.parameters,
                       embedder=choice.embedder)
    if progress:
        progress("", steps, steps)
    return summary


def _suggestion_row(s: Suggestion, code_id: int, start: int, coder: Coder, run_id: str) -> dict[str, Any]:
    span = (start + s.span[0], start + s.span[1]) if s.span else (None, None)
    return {"segment_id": int(s.unit_id), "code_id": code_id, "span_start": span[0], "span_end": span[1],
            "status": Status.SUGGESTED, "coder": coder.name,
            "coder_version": coder.name.partition(".")[2] or None, "model": coder.model_id,
            "run_id": run_id, "score": float(s.score), "predicted": bool(s.suggested),
            "rationale": s.rationale}



class ReviewOrder(StrEnum):
    mixed = "mixed"  # uncertain first, spread over different segments, texts and codes
    uncertainty = "uncertainty"  # score nearest 0.5 (the calibrated decision boundary) first
    score = "score"  # highest score first
    document = "document"  # documents in turn, segments in reading order


POOL = 5  # the mixed order picks from this many times `limit` of the most uncertain suggestions
DIVERSITY = 0.5  # its weight on being unlike what is already picked (the rest on uncertainty)


def review_queue(project: Project, limit: int = 20, code: str | None = None, group: str | None = None,
                 status: str = Status.SUGGESTED,
                 order: ReviewOrder | str = ReviewOrder.mixed,
                 blind_for: str | None = None, document: str | None = None) -> list[assignments.ReviewItem]:
    """Codings to review: by default a mix of the suggestions the coder is least sure of (a
    decision there teaches the coders most) and of variety (near-duplicates teach little twice):
    each next item is the best by uncertainty plus unlikeness to the items already picked (its
    segment's cached embedding, its code); `order="document"` (with `document`, one document) goes
    through the documents in reading order. With `blind_for`, that coder's blind documents (see
    `draw_blind_sample`) show only their own codings: no one else's, and no machine suggestions."""
    if status not in assignments.STATUSES:
        raise QualkitError(f"unknown status '{status}'.", f"Use one of: {', '.join(assignments.STATUSES)}.")
    order = ReviewOrder(order)
    with project.sessions() as session:
        hidden = double_coding.blind_documents(session, blind_for) if blind_for is not None else set()
        items = assignments.review_items(
            session, status=status, code=code, group=group,
            order=ReviewOrder.uncertainty.value if order is ReviewOrder.mixed else order.value,
            limit=limit * POOL if order is ReviewOrder.mixed else limit, blind_for=blind_for,
            blind_documents=hidden, document=document)
    if order is not ReviewOrder.mixed:
        return items
    hashes = sorted({embeddings.text_hash(i.text) for i in items})
    found = StoreEmbeddingCache(project.sessions).get_many(hashes, embedder_for(project).model_id)
    return mixed_order(items, limit, {i.id: found.get(embeddings.text_hash(i.text)) for i in items})


def mixed_order(items: list[assignments.ReviewItem], limit: int,
                vectors: dict[int, np.ndarray | None]) -> list[assignments.ReviewItem]:
    """Greedy: uncertainty (1 at score 0.5, 0 at 0 or 1) plus DIVERSITY times unlikeness to the
    picked items (1 - the highest cosine to one of their segments; a segment picked already or
    without a cached vector counts as its own likeness), less a little for a code already picked.

    Each item's likeness is kept up to date as items are picked (one matrix-vector product per pick),
    so ranking n candidates costs O(limit x n), not O(limit x n x picked)."""
    count = len(items)
    if count == 0 or limit <= 0:
        return []
    uncertainty = np.array([1.0 - 2.0 * abs((0.5 if i.score is None else i.score) - 0.5) for i in items])
    with_vector = np.array([vectors.get(i.id) is not None for i in items])
    matrix = (np.stack([vectors[i.id] if with_vector[k] else np.zeros_like(next(
        v for v in vectors.values() if v is not None)) for k, i in enumerate(items)])
        if with_vector.any() else None)
    code_of = {code: n for n, code in enumerate(dict.fromkeys(i.code for i in items))}
    codes = np.array([code_of[i.code] for i in items])
    segments = np.array([i.segment_id for i in items])
    likeness = np.zeros(count)  # the highest cosine to a picked item
    same_segment = np.zeros(count, dtype=bool)  # a picked item is on the same segment
    picked_per_code = np.zeros(len(code_of))
    left = np.ones(count, dtype=bool)
    picked: list[assignments.ReviewItem] = []
    while len(picked) < min(limit, count):
        same_code = picked_per_code[codes] / max(len(picked), 1)
        unlikeness = 1.0 - np.where(same_segment, 1.0, likeness)
        value = (1 - DIVERSITY) * uncertainty + DIVERSITY * unlikeness - 0.1 * same_code
        value[~left] = -np.inf
        best = int(np.argmax(value))  # ties: the store's order (most uncertain first)
        picked.append(items[best])
        left[best] = False
        picked_per_code[codes[best]] += 1
        same_segment |= segments == segments[best]
        if matrix is not None and with_vector[best]:
            cosines = matrix @ matrix[best]
            likeness = np.where(with_vector, np.maximum(likeness, cosines), likeness)
    return picked


def decide(project: Project, assignment_id: int, accept: bool, reviewer: str,
           note: str | None = None) -> None:
    """Accept or reject one coding (see `decide_many`)."""
    ids = [assignment_id]
    decide_many(project, accept=ids if accept else [], reject=[] if accept else ids, reviewer=reviewer,
                note=note)


def decide_many(project: Project, *, accept: Iterable[int] = (), reject: Iterable[int] = (),
                reviewer: str, note: str | None = None) -> int:
    """Accept and reject codings by id in one transaction, each logged with its from/to status;
    returns how many were decided. An unknown id means nothing is changed."""
    accepted, rejected = list(dict.fromkeys(accept)), list(dict.fromkeys(reject))
    both = sorted(set(accepted) & set(rejected))
    if both:
        raise QualkitError(f"coding {both[0]} is both accepted and rejected.", "Give each id once.")
    with project.transaction() as session:
        for ids, status in ((accepted, Status.ACCEPTED), (rejected, Status.REJECTED)):
            for assignment_id in ids:
                before = assignments.decide(session, assignment_id, status, reviewer, note)
                if before is None:
                    raise NotFoundError(f"no coding with id {assignment_id}; nothing was changed.",
                                        "Use the id of a coding from the review queue.")
                repo.log_event(session, reviewer, "decide", "code_assignment", assignment_id,
                               **{"from": before, "to": status})
    return len(accepted) + len(rejected)


def add_coding(project: Project, segment_id: int, code_id: str, coder: str,
               span: tuple[int, int] | None = None, note: str | None = None,
               codebook: str | None = None) -> int:
    """A person's own coding of a segment (or of `span`, offsets into the segment's text) with a
    code of the current codebook; it starts accepted. Returns the coding's id."""
    with project.transaction() as session:
        coding = new_coding(session, segment_id, code_id, coder, Status.ACCEPTED, span, note, codebook)
        repo.log_event(session, coder, "add_coding", "code_assignment", coding.id, segment=segment_id,
                       code=code_id)
        return coding.id


def new_coding(session: Session, segment_id: int, code_id: str, person: str, status: Status,
               span: tuple[int, int] | None = None, note: str | None = None,
               codebook: str | None = None) -> Coding:
    """Add a person's decision on (segment, code of the current codebook), checked: the segment and
    code exist and `span` (offsets into the segment's text) lies inside it."""
    segment = double_coding.segment(session, segment_id)
    if segment is None:
        raise NotFoundError(f"no segment with id {segment_id}.",
                            "Use the id of one of the project's segments.")
    book_row = codebook_row(session, codebook)
    ids = codebooks_store.code_ids(session, book_row.id)
    if code_id not in ids:
        raise NotFoundError(f"codebook '{book_row.name}' (version {book_row.version}) has no code "
                            f"'{code_id}'.", f"Use one of its codes: {', '.join(ids)}.")
    if span is not None and not 0 <= span[0] < span[1] <= len(segment.text):
        raise QualkitError(f"span {span} is not inside segment {segment_id} "
                           f"({len(segment.text)} characters).",
                           "Give start < end, both within the segment's text.")
    where = (segment.start + span[0], segment.start + span[1]) if span else None
    return assignments.add(session, segment_id, ids[code_id], status, person, where, note)


@dataclass(frozen=True)
class HumanCodingsReport:
    lines: int
    added: int
    already: int  # codings this coder had already recorded


def import_human_codings(project: Project, path: Path, coder: str = "demo-coder") -> HumanCodingsReport:
    """Record a person's coding from JSONL lines {"document", "text", "codes": [...]} (the shape
    of corpora/demo/_coded_subset.jsonl) as accepted codings by `coder`, in one transaction.

    A line matches the segments of that document whose text is exactly `text`. Every line is
    checked before anything is written; re-importing the same file adds nothing.
    """
    lines = _read_codings_file(path)
    with project.transaction() as session:
        book_row = codebook_row(session, None)
        code_ids = codebooks_store.code_ids(session, book_row.id)
        found = repo.segments_by_text(session, {document for _, document, _, _ in lines})
        planned: dict[tuple[int, str], int] = {}
        for number, document, text, codes in lines:
            segments = found.get((document, text))
            if not segments:
                raise IngestError(path, f"no segment of '{document}' has exactly this text.",
                                  "Import that document first, and copy the segment's text exactly as "
                                  "the project lists it.", line=number)
            unknown = [c for c in codes if c not in code_ids]
            if unknown:
                raise IngestError(path, f"code '{unknown[0]}' is not in codebook '{book_row.name}'.",
                                  "Fix the code id or import a codebook that has it.", line=number)
            planned.update({(segment, code): code_ids[code] for segment in segments for code in codes})
        existing = assignments.accepted_pairs(session, coder)
        rows = [{"segment_id": segment, "code_id": code_row, "status": Status.ACCEPTED,
                 "coder": coder, "reviewer": coder}
                for (segment, code), code_row in planned.items() if (segment, code) not in existing]
        assignments.add_many(session, rows)
        repo.log_event(session, current_user(), "import_codings", "codebook", book_row.id,
                       lines=len(lines), added=len(rows))
    return HumanCodingsReport(len(lines), len(rows), len(planned) - len(rows))


def _read_codings_file(path: Path) -> list[tuple[int, str, str, list[str]]]:
    """(line number, document, text, codes) per non-blank line."""
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist.", "Check the path.")
    parsed = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise IngestError(path, f"not valid JSON ({error.msg}).", "Write one JSON object per line.",
                              line=number) from None
        if not (isinstance(record, dict) and isinstance(record.get("document"), str)
                and isinstance(record.get("text"), str) and isinstance(record.get("codes"), list)
                and all(isinstance(c, str) for c in record["codes"])):
            raise IngestError(path, 'each line needs "document" and "text" strings and a "codes" list.',
                              'Write e.g. {"document": "kw_a.txt", "text": "...", "codes": ["trust"]}.',
                              line=number)
        parsed.append((number, record["document"], record["text"], record["codes"]))
    return parsed



INTERVAL_ROUNDS = 200  # bootstrap resamples behind the macro kappa's 95% interval


def evaluate(project: Project, against: str = "machine", codebook: str | None = None) -> EvaluationReport:
    """Agreement between people's accepted codings and the machine (or one named coder), per code
    of the current codebook.

    - against "machine" (or a machine coder's name, e.g. "ensemble.v1"): the machine's answer on
      a (segment, code) is its own yes/no on its stored row, whatever a person later decided, so
      rejected suggestions count as false positives; the reference is every accepted coding.
    - against a person's name: their accepted codings against everyone else's.

    Units are the segments people have decided something on (for a person: those both they and
    someone else decided on); each code's row carries the number of (segment, code) decisions
    people made on it there, the evidence behind its agreement. A coder learns from decisions and
    never re-suggests a decided pair, so the comparison is fair for decisions made after the
    machine ran (run the coder, then import or review the human coding).
    """
    with project.sessions() as session:
        book = codebooks_store.read(session, codebook_row(session, codebook))
        facts = assignments.codings(session)
    machines = {f.coder for f in facts if f.machine}
    decided = [f for f in facts if f.status in assignments.DECIDED]
    family = {m for m in machines if against in (m, m.partition(".")[0])}
    if against == "machine" or family:
        chosen = machines if against == "machine" else family
        if not chosen:
            raise NotFoundError("no machine suggestions to evaluate.", "Run the coder first.")
        predicted = _coding_sets(f for f in facts if f.coder in chosen and f.predicted)
        reference = _coding_sets(f for f in decided if f.status == Status.ACCEPTED)
        units = {f.segment_id for f in decided}
    else:
        theirs = [f for f in decided if f.reviewer == against]
        others = [f for f in decided if f.reviewer != against]
        if not theirs:
            known = sorted(machines) + sorted({f.reviewer for f in decided if f.reviewer})
            raise NotFoundError(f"no decisions by '{against}' in the project.",
                                f"Use 'machine' or one of: {', '.join(known) or 'none yet'}.")
        predicted = _coding_sets(f for f in theirs if f.status == Status.ACCEPTED)
        reference = _coding_sets(f for f in others if f.status == Status.ACCEPTED)
        units = {f.segment_id for f in theirs} & {f.segment_id for f in others}
    if not units:
        raise NotFoundError("no segments with decisions to compare against.",
                            "Review some suggestions or import a human coding first.")
    counted = {(f.segment_id, f.code) for f in decided if f.segment_id in units}
    per_code: dict[str, int] = {}
    for _, code in counted:
        per_code[code] = per_code.get(code, 0) + 1
    return evaluate_codings(reference, predicted, [str(u) for u in sorted(units)],
                            [code.id for code in book.flat()], per_code, interval_rounds=INTERVAL_ROUNDS)


def _coding_sets(facts: Iterable[Coding]) -> dict[str, set[str]]:
    sets: dict[str, set[str]] = {}
    for fact in facts:
        sets.setdefault(str(fact.segment_id), set()).add(fact.code)
    return sets


@dataclass(frozen=True)
class CodeSinceRun:
    """How people's decisions after the coder ran bear out its own yes/no on one code."""

    code: str
    decisions: int  # machine codings of this code that a person decided after the run stored them
    accepted: int  # of those, how many the person said the code applies to
    share_accepted: float | None  # accepted / decisions
    agreement: float | None  # share of decisions where the coder's own yes/no was the person's
    kappa: float | None  # Cohen's, the coder's yes/no against the decisions (None: no variance)


@dataclass(frozen=True)
class MachineSinceRun:
    coders: list[str]  # the machine coders whose codings were decided
    decisions: int
    codes: list[CodeSinceRun]  # the current codebook's codes in order, then any others


def machine_agreement_since_run(project: Project, against: str = "machine",
                                codebook: str | None = None) -> MachineSinceRun:
    """The machine's own yes/no on its stored codings against what people decided about them after
    it ran (see `assignments.decisions_after_runs`), per code, with the number of decisions behind
    each figure. Only decisions the coder could not have learnt from count, so this is the fair,
    growing test of a coder as review goes on. `against`: "machine" (every machine coder) or one
    machine coder's name or family, as in `evaluate`."""
    with project.sessions() as session:
        book = codebooks_store.read(session, codebook_row(session, codebook))
        found = assignments.decisions_after_runs(session)
    chosen = [d for d in found if against in ("machine", d.coding.coder, d.coding.coder.partition(".")[0])]
    by_code: dict[str, list[assignments.DecisionAfterRun]] = {code.id: [] for code in book.flat()}
    for decision in sorted(chosen, key=lambda d: d.coding.code):
        by_code.setdefault(decision.coding.code, []).append(decision)
    codes = []
    for code, decided in by_code.items():
        table = Counts.of([bool(d.coding.predicted) for d in decided], [d.accepted for d in decided])
        n = table.units
        codes.append(CodeSinceRun(code, n, table.second_only + table.both,
                                  (table.second_only + table.both) / n if n else None,
                                  (table.neither + table.both) / n if n else None, cohen_kappa(table)))
    return MachineSinceRun(sorted({d.coding.coder for d in chosen}), len(chosen), codes)

