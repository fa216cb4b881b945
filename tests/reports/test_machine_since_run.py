"""The methods appendix gives, per code, the machine's agreement with people on decisions made after it
ran, with the decisions behind each figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import services
from qualkit.coders import embeddings

from coding_doubles import BagOfWordsEmbedder, coding_project


def markdown_report(project: services.Project, folder: Path) -> str:
    (path,) = services.write_report(project, ["md"], folder=folder)
    return path.read_text(encoding="utf-8")


def test_the_small_projects_appendix_counts_each_decision_made_after_the_run(small: services.Project,
                                                                             tmp_path: Path) -> None:
    # After the keyword coder ran (trust yes on the first unit and on the interview's keyworker turn, no on
    # the third; housing yes on both landlord segments; repairs no on the landlord and boiler segments),
    # Ana coded trust on all three, repairs on two of them, housing on the interview's landlord turn,
    # and Ben accepted the rent turn's housing and rejected the interview landlord's repairs.
    written = markdown_report(small, tmp_path)
    assert "| Code | Decisions | Accepted | Agreement | Cohen's kappa |" in written
    assert "| Trust | 3 | 3 | 0.67 | 0.00 |" in written  # the coder's no on the third unit was overruled
    assert "| Housing | 2 | 2 | 1.00 | not defined |" in written  # both yes, both accepted: no variance
    assert "| Repairs | 3 | 2 | 0.33 | 0.00 |" in written  # said no thrice; Ana coded two, Ben rejected one


def test_no_decision_since_the_run_is_said_and_people_alone_say_nothing(tmp_path: Path) -> None:
    project = coding_project(tmp_path / "p", tmp_path / "src")
    first = services.iter_segments(project)
    services.add_coding(project, next(iter(first)).id, "trust", coder="ana")
    written = markdown_report(project, tmp_path / "people")
    assert "since the machine ran" not in written and "Decisions | Accepted" not in written
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(embeddings, "MiniLMEmbedder", BagOfWordsEmbedder)
        services.run_coder(project, "testkeyword")
    written = markdown_report(project, tmp_path / "machine")
    assert ("No person has decided on a machine coding since the machine ran, so its agreement with people "
            "on new decisions is not known yet.") in written
    assert "Decisions | Accepted" not in written
