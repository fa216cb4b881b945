"""Topic discovery on the project's segments, and promoting a topic to a code."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from qualkit import topics
from qualkit.coders.semantic import code_texts
from qualkit.errors import NotFoundError
from qualkit.services.anonymisation import anonymised_view
from qualkit.services.codebooks import StoredCodebook, codebook_row, store_codebook
from qualkit.services.coding import codable_units, embedder_for
from qualkit.services.projects import Project, current_user
from qualkit.store import codebooks as codebooks_store
from qualkit.topics import Topic


def discover_topics(project: Project, group: str | None = None, min_topic_size: int = 8,
                    reducer: Any = None, clusterer: Any = None) -> list[Topic]:
    """Recurring themes among the codable segments (of one stakeholder group), on cached
    embeddings, each with the existing code it most resembles. Proposes only: nothing is stored.
    `reducer`/`clusterer` replace UMAP/HDBSCAN (see `qualkit.topics`)."""
    embedder = embedder_for(project)
    with project.sessions() as session:
        units = [unit for unit, _ in codable_units(session, group)]
        row = codebooks_store.newest(session)
        book = codebooks_store.read(session, row) if row is not None else None
    if group is not None and not units:
        raise NotFoundError(f"no codable segments in group '{group}'.",
                            "See the project's counts by group for the groups.")
    # Clusters from the cached embeddings of the stored text; keywords, examples and speakers from the
    # anonymised text, so no topic is named after people and no promoted code carries a name.
    vectors = embedder.encode([u.text for u in units])
    view = anonymised_view(project)
    shown = [replace(u, text=view.segment_text(int(u.id)), speaker=view.participant(u.speaker) or None)
             for u in units]
    code_vectors = None
    if book is not None and book.flat():
        code_vectors = np.stack([embedder.encode(code_texts(code)).mean(axis=0) for code in book.flat()])
    else:
        book = None
    return topics.discover_topics(shown, vectors, codebook=book,
                                  code_embeddings=code_vectors, min_topic_size=min_topic_size,
                                  reducer=reducer, clusterer=clusterer)


def promote_topic(project: Project, topic: Topic, code_id: str, name: str,
                  parent_id: str | None = None) -> StoredCodebook:
    """Make a discovered topic a code: stores a new version of the current codebook."""
    with project.transaction() as session:
        current = codebooks_store.read(session, codebook_row(session, None))
        promoted = topics.promote_topic(current, topic, code_id, name, parent_id)
        return store_codebook(session, promoted, f"topic:{topic.id}", current_user())
