"""Use cases. The CLI, the batch pipes and the app call these and nothing below them.

Every function that writes does so in one transaction: it either completes or leaves the
project exactly as it was. One module per use case; this package re-exports them all, so callers
write `services.import_sources(...)`.
"""

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
    CodingRunSummary,
    HumanCodingsReport,
    ReviewOrder,
    add_coding,
    decide,
    decide_many,
    evaluate,
    import_human_codings,
    review_queue,
    run_coder,
)
from qualkit.services.demo import DEMO_CODINGS, DemoReport, build_demo
from qualkit.services.discovery import discover_topics, promote_topic
from qualkit.services.imports import (
    SHEET_STEM,
    ImportFailed,
    ImportReport,
    ParticipantsReport,
    collect_sources,
    import_sources,
    load_participants,
    set_document_group,
)
from qualkit.services.projects import (
    Progress,
    Project,
    ProjectStatus,
    current_user,
    init_project,
    iter_segments,
    list_documents,
    list_participants,
    open_project,
    project_status,
    segment_record,
)

__all__ = [
    "DEMO_CODINGS", "SHEET_STEM", "SUGGEST_FLOOR", "CodingRunSummary", "DemoReport", "HumanCodingsReport",
    "ImportFailed", "ImportReport", "ParticipantsReport", "Progress", "Project", "ProjectStatus",
    "ReviewOrder", "StoredCodebook", "add_coding", "anonymise_jsonl", "build_demo", "code_jsonl",
    "collect_sources", "current_codebook", "current_user", "decide", "decide_many", "discover_topics",
    "evaluate", "export_codebook", "import_codebook", "import_human_codings", "import_sources",
    "init_project", "iter_segments", "list_documents", "list_participants", "load_participants",
    "open_project", "project_status", "promote_topic", "read_codebook", "review_queue", "run_coder",
    "segment_record", "set_document_group",
]
