"""The Themes page's counts (counted in the database) are the thematic report's (counted in Python from
every coding), on both databases."""

from __future__ import annotations

from pathlib import Path

from qualkit import services
from qualkit.reports.counts import theme_counts

from coding_doubles import BagOfWordsEmbedder, coding_project


def test_theme_counts_read_for_the_app_are_the_reports_counts(tmp_path: Path,
                                                              fake_embedder: BagOfWordsEmbedder) -> None:
    """The Themes page counts in SQL, the report in Python from every coding in the order they changed.
    They must agree, whatever was accepted, rejected, changed or coded by hand, groups in the same order."""
    coded = coding_project(tmp_path / "proj", tmp_path / "src")
    services.run_coder(coded, "testkeyword.v1")
    first, second, third = services.review_queue(coded, limit=3)
    services.add_coding(coded, third.segment_id, third.code, coder="Ana")  # a person codes it, then rejects
    services.decide_many(coded, accept=[first.id, second.id], reject=[third.id], reviewer="Ana")  # it: no
    services.decide(coded, second.id, False, reviewer="Ben")  # a change of mind: rejected now
    segment = next(s for s in services.iter_segments(coded, codable_only=True) if s.id != first.segment_id)
    services.add_coding(coded, segment.id, first.code, coder="Ana")
    report = theme_counts(services.report_input(coded))
    assert [(s.key, s.segments, s.participants, list(s.by_group.items()))
            for s in services.theme_summaries(coded)] == [
        (c.theme.key, c.total.segments, c.total.participants,
         [(g, (n.segments, n.participants)) for g, n in c.by_group.items() if n.segments]) for c in report]
    assert sum(s.segments for s in services.theme_summaries(coded)) == 2
