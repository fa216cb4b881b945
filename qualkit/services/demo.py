"""The demo project built from the bundled demo corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualkit.errors import ProjectError
from qualkit.evaluation import EvaluationReport
from qualkit.services.anonymisation import add_terms, list_terms
from qualkit.services.codebooks import StoredCodebook, import_codebook
from qualkit.services.coding import CodingRunSummary, evaluate, import_human_codings, run_coder
from qualkit.services.imports import (
    SHEET_STEM,
    ImportReport,
    ParticipantsReport,
    import_sources,
    load_participants,
)
from qualkit.services.projects import Progress, init_project
from qualkit.services.reports import EXPORT_FORMATS, export, output_folder, write_report
from qualkit.store import repository as repo

DEMO_CODINGS = "_coded_subset.jsonl"
DEMO_ALLOW = "_allow.txt"  # the fictional programme's own names: not identifiers of anyone


@dataclass
class DemoReport:
    imported: ImportReport
    participants: ParticipantsReport
    codebook: StoredCodebook | None = None
    coding: CodingRunSummary | None = None  # None when an earlier build already coded the project
    agreement: EvaluationReport | None = None
    written: list[Path] = field(default_factory=list)  # the report and quote tables, when asked for


def build_demo(folder: Path, corpus: Path, codebook: Path | None = None,
               progress: Progress | None = None, reports: bool = False) -> DemoReport:
    """Create (or update) the demo project from the bundled demo corpus; with a codebook, code it
    with the default coder, then record the human-coded subset and measure agreement with it.

    Safe to re-run: unchanged files, codebook and codings are left as they are, and the coder runs
    only once, before the human codings arrive, so the agreement it reports is not inflated by
    learning from the very codings it is compared with. With `reports`, the thematic report (every
    format) and the anonymised quote tables of the accepted codings are written to a dated folder in
    the project's reports/, like every other report.
    """
    if not corpus.is_dir():
        raise ProjectError(f"the demo corpus {corpus} is missing.", "Run from the repository root.")
    project = init_project(folder, name="Harbour Family Support evaluation (demo)")
    report = DemoReport(import_sources(project, [corpus], progress=progress), ParticipantsReport())
    sheets = [p for p in corpus.iterdir() if p.stem.lower() == SHEET_STEM]
    if sheets:
        report.participants = load_participants(project, sheets[0])
    if (corpus / DEMO_ALLOW).is_file():
        listed = {t.term for t in list_terms(project)}
        terms = [t for t in (corpus / DEMO_ALLOW).read_text(encoding="utf-8").splitlines()
                 if t.strip() and " ".join(t.split()) not in listed]
        if terms:
            add_terms(project, terms, "allow", actor="demo")
    if codebook is None:
        return report
    report.codebook = import_codebook(project, codebook)
    with project.sessions() as session:
        coded = repo.count_events(session, "run_coder")
    if not coded:
        report.coding = run_coder(project, progress=progress)
    if (corpus / DEMO_CODINGS).is_file():
        import_human_codings(project, corpus / DEMO_CODINGS)
        report.agreement = evaluate(project)
    if reports:
        target = output_folder(project)
        report.written = write_report(project, folder=target)
        report.written += [export(project, name, target / EXPORT_FORMATS[name].filename).path
                           for name in ("quotes-csv", "quotes-xlsx")]
    return report
