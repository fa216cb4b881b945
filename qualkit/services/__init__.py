"""Use cases. The CLI, the batch pipes and the app call these and nothing below them.

Every function that writes does so in one transaction: it either completes or leaves the
project exactly as it was. One module per use case; this package re-exports them all, so callers
write `services.import_sources(...)`.

The re-exports load on first use (PEP 562): `from qualkit import services` costs nothing, and a
command imports only the use cases it calls, so `qualkit status` never loads spaCy, torch or
scikit-learn. Type checkers read the same names from the `TYPE_CHECKING` imports below, which
`tests/test_architecture.py` keeps equal to `EXPORTS`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualkit.services.accounts import (
        Account,
        AccountError,
        Login,
        LoginError,
        NotAllowedError,
        Permission,
        Role,
        ServeError,
        add_account,
        authenticate,
        check_can_listen,
        disable_account,
        has_accounts,
        list_accounts,
        logged_in,
        logout,
        perform,
        reset_password,
        set_role,
        single_sign_on,
    )
    from qualkit.services.agreement import (
        MACHINE,
        AgreementResult,
        AgreementSummary,
        BlindSample,
        CoderSummary,
        DisagreementView,
        PairSummary,
        agreement,
        agreement_summary,
        blind_samples,
        draw_blind_sample,
        list_coders,
        resolve_disagreement,
    )
    from qualkit.services.anonymisation import (
        AmbiguousName,
        AnonymisationError,
        AnonymisationState,
        AnonymisationSummary,
        Freshness,
        PersonFound,
        add_manual_redaction,
        add_term,
        add_terms,
        anonymisation_state,
        anonymise_project,
        anonymised_view,
        decide_redactions,
        ensure_anonymised,
        export_key,
        import_key,
        keep_apart,
        list_people,
        list_redactions,
        list_terms,
        merge_people,
        pseudonym_key,
        remove_term,
    )
    from qualkit.services.app_support import (
        CodedSegment,
        Quote,
        QuoteIndex,
        QuoteTexts,
        ThemeSummary,
        UndoError,
        UndoneDecision,
        accepted_code_keys,
        accepted_codings,
        anonymised_segments,
        available_coders,
        project_version,
        queue_version,
        quote_index,
        quote_texts,
        save_codebook,
        still_waiting,
        text_version,
        theme_quotes,
        theme_summaries,
        undo_last_decision,
    )
    from qualkit.services.batch import anonymise_jsonl, code_jsonl
    from qualkit.services.codebooks import (
        StoredCodebook,
        current_codebook,
        export_codebook,
        import_codebook,
        read_codebook,
    )
    from qualkit.services.coding import (
        SUGGEST_FLOOR,
        CodeSinceRun,
        CodingRunSummary,
        HumanCodingsReport,
        MachineSinceRun,
        ReviewOrder,
        add_coding,
        configured_coder,
        decide,
        decide_many,
        evaluate,
        import_human_codings,
        machine_agreement_since_run,
        review_queue,
        run_coder,
    )
    from qualkit.services.demo import DEMO_CODINGS, DemoReport, build_demo
    from qualkit.services.discovery import discover_topics, promote_topic
    from qualkit.services.imports import (
        SHEET_STEM,
        ImportFailed,
        ImportOptionError,
        ImportReport,
        ParticipantsReport,
        collect_sources,
        import_sources,
        load_participants,
        set_display_name,
        set_document_group,
    )
    from qualkit.services.in_context import (
        CodedSelection,
        CodingInContext,
        CodingListed,
        DecisionEvent,
        DocumentInContext,
        SegmentContext,
        SegmentInContext,
        SelectionError,
        code_selection,
        document_in_context,
        list_codings,
        list_decisions,
        remove_coding,
        remove_codings,
        segment_context,
        segment_places,
    )
    from qualkit.services.memos import Memo, MemoTarget, add_memo, delete_memo, edit_memo, list_memos
    from qualkit.services.projects import (
        Progress,
        Project,
        ProjectStatus,
        acting_as,
        counts_by_group,
        current_user,
        init_project,
        iter_segments,
        list_documents,
        list_participants,
        open_project,
        project_status,
        segment_record,
    )
    from qualkit.services.refi import (
        REFI_FORMATS,
        REFI_SUFFIXES,
        RefiExportSummary,
        RefiImportReport,
        export_qdc,
        export_qdpx,
        export_refi,
        import_refi,
    )
    from qualkit.services.reports import (
        EXPORT_FORMATS,
        REPORT_FORMATS,
        ExportResult,
        ReportError,
        ReportOptions,
        codings_records,
        export,
        output_folder,
        report_input,
        thematic_report,
        write_report,
    )
    from qualkit.services.search import (
        CodedHits,
        Hit,
        SearchError,
        SearchResult,
        UndoneHits,
        code_hits,
        search_corpus,
        search_speakers,
        undo_code_hits,
    )

# The module (in this package) that defines each exported name.
EXPORTS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "Account", "AccountError", "Login", "LoginError", "NotAllowedError", "Permission", "Role",
        "ServeError", "add_account", "authenticate", "check_can_listen", "disable_account", "has_accounts",
        "list_accounts", "logged_in", "logout", "perform", "reset_password", "set_role", "single_sign_on",
    ),
    "agreement": (
        "MACHINE", "AgreementResult", "AgreementSummary", "BlindSample", "CoderSummary", "DisagreementView",
        "PairSummary", "agreement", "agreement_summary", "blind_samples", "draw_blind_sample",
        "list_coders", "resolve_disagreement",
    ),
    "anonymisation": (
        "AmbiguousName", "AnonymisationError", "AnonymisationState", "AnonymisationSummary", "Freshness",
        "PersonFound", "add_manual_redaction", "add_term", "add_terms", "anonymisation_state",
        "anonymise_project", "anonymised_view", "decide_redactions", "ensure_anonymised", "export_key",
        "import_key", "keep_apart", "list_people", "list_redactions", "list_terms", "merge_people",
        "pseudonym_key", "remove_term",
    ),
    "app_support": (
        "CodedSegment", "Quote", "QuoteIndex", "QuoteTexts", "ThemeSummary", "UndoError", "UndoneDecision",
        "accepted_code_keys", "accepted_codings", "anonymised_segments", "available_coders",
        "project_version", "queue_version", "quote_index", "quote_texts", "save_codebook", "still_waiting",
        "text_version", "theme_quotes", "theme_summaries", "undo_last_decision",
    ),
    "batch": ("anonymise_jsonl", "code_jsonl"),
    "codebooks": (
        "StoredCodebook", "current_codebook", "export_codebook", "import_codebook", "read_codebook",
    ),
    "coding": (
        "SUGGEST_FLOOR", "CodeSinceRun", "CodingRunSummary", "HumanCodingsReport", "MachineSinceRun",
        "ReviewOrder", "add_coding", "configured_coder", "decide", "decide_many", "evaluate",
        "import_human_codings", "machine_agreement_since_run", "review_queue", "run_coder",
    ),
    "demo": ("DEMO_CODINGS", "DemoReport", "build_demo"),
    "discovery": ("discover_topics", "promote_topic"),
    "imports": (
        "SHEET_STEM", "ImportFailed", "ImportOptionError", "ImportReport", "ParticipantsReport",
        "collect_sources", "import_sources", "load_participants", "set_display_name", "set_document_group",
    ),
    "in_context": (
        "CodedSelection", "CodingInContext", "CodingListed", "DecisionEvent", "DocumentInContext",
        "SegmentContext", "SegmentInContext", "SelectionError", "code_selection", "document_in_context",
        "list_codings", "list_decisions", "remove_coding", "remove_codings", "segment_context",
        "segment_places",
    ),
    "memos": ("Memo", "MemoTarget", "add_memo", "delete_memo", "edit_memo", "list_memos"),
    "projects": (
        "Progress", "Project", "ProjectStatus", "acting_as", "counts_by_group", "current_user",
        "init_project", "iter_segments", "list_documents", "list_participants", "open_project",
        "project_status", "segment_record",
    ),
    "refi": (
        "REFI_FORMATS", "REFI_SUFFIXES", "RefiExportSummary", "RefiImportReport", "export_qdc",
        "export_qdpx", "export_refi", "import_refi",
    ),
    "reports": (
        "EXPORT_FORMATS", "REPORT_FORMATS", "ExportResult", "ReportError", "ReportOptions",
        "codings_records", "export", "output_folder", "report_input", "thematic_report", "write_report",
    ),
    "search": (
        "CodedHits", "Hit", "SearchError", "SearchResult", "UndoneHits", "code_hits", "search_corpus",
        "search_speakers", "undo_code_hits",
    ),
}
HOME = {name: module for module, names in EXPORTS.items() for name in names}
__all__ = sorted(HOME)


def __getattr__(name: str) -> object:
    """Import the use case's module on first use and keep the name here."""
    module = HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *HOME})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing the submodule `services.agreement` binds the package attribute `agreement` to that
        # module; callers of `services.agreement(...)` mean the function it exports under that name.
        if isinstance(value, types.ModuleType) and HOME.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
