"""The numbers in every output format equal counts computed straight from the database in SQL."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text

from qualkit import services
from qualkit.reports.document import ReportDocument
from qualkit.reports.markdown import markdown_text

from formats import as_dicts, csv_rows, docx_tables, html_tables, markdown_tables, xlsx_sheets

ACCEPTED_CODINGS = """
    FROM code_assignments a
    JOIN codes c ON c.id = a.code_id
    JOIN segments s ON s.id = a.segment_id
    JOIN documents d ON d.id = s.document_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
    LEFT JOIN participants p ON p.id = sp.participant_id
    WHERE a.status = 'accepted' AND s.codable
"""
ACCEPTED_BY_GROUP = text(f"""
    SELECT c.key, COALESCE(s.stakeholder_group, p.stakeholder_group, d.stakeholder_group) AS grp,
           COUNT(DISTINCT s.id), COUNT(DISTINCT p.id), COUNT(DISTINCT d.id)
{ACCEPTED_CODINGS}    GROUP BY c.key, grp
""")
ACCEPTED_TOTAL = text(f"""
    SELECT c.key, COUNT(DISTINCT s.id), COUNT(DISTINCT p.id), COUNT(DISTINCT d.id)
{ACCEPTED_CODINGS}    GROUP BY c.key
""")
CODABLE_BY_GROUP = text("""
    SELECT COALESCE(s.stakeholder_group, p.stakeholder_group, d.stakeholder_group) AS grp,
           COUNT(s.id), COUNT(DISTINCT p.id), COUNT(DISTINCT d.id)
    FROM segments s
    JOIN documents d ON d.id = s.document_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id
    LEFT JOIN participants p ON p.id = sp.participant_id
    WHERE s.codable
    GROUP BY grp
""")
PENDING = text("""
    SELECT c.key, COUNT(DISTINCT a.segment_id)
    FROM code_assignments a JOIN codes c ON c.id = a.code_id
    WHERE a.status = 'suggested' AND a.predicted
      AND NOT EXISTS (SELECT 1 FROM code_assignments b JOIN codes bc ON bc.id = b.code_id
                      WHERE b.segment_id = a.segment_id AND bc.key = c.key AND b.status != 'suggested')
    GROUP BY c.key
""")


class Database:
    """What SQL says: per (code, group) and per code, (segments, participants, documents)."""

    def __init__(self, project: services.Project) -> None:
        with project.sessions() as session:
            self.by_group = {(k, g): (s, p, d) for k, g, s, p, d in session.execute(ACCEPTED_BY_GROUP)}
            self.total = {k: (s, p, d) for k, s, p, d in session.execute(ACCEPTED_TOTAL)}
            self.groups = {g: (s, p, d) for g, s, p, d in session.execute(CODABLE_BY_GROUP)}
            self.pending = {k: n for k, n in session.execute(PENDING)}
        self.names = {c.id: c.name for c in services.current_codebook(project).flat()}


@pytest.fixture(scope="module")
def db(small: services.Project) -> Database:
    found = Database(small)
    assert len(found.total) >= 3 and len(found.groups) == 2  # the comparisons below are not vacuous
    return found


@pytest.fixture(scope="module")
def written(small: services.Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("written")
    paths = {p.suffix.lstrip("."): p for p in services.write_report(small, folder=folder)}
    for name, exporter in services.EXPORT_FORMATS.items():
        paths[name] = services.export(small, name, folder / exporter.filename).path
    options = services.ReportOptions(binary=True)
    paths["binary-csv"] = services.export(small, "matrix-csv", folder / "binary.csv", options).path
    return paths


@pytest.fixture(scope="module")
def document(small: services.Project) -> ReportDocument:
    return services.thematic_report(small, with_charts=False)


def tables_in_every_format(written: dict[str, Path], document: ReportDocument, name: str) -> dict[str, list]:
    """The table called `name`, as each format shows it (rows of text, header first); a workbook-only
    table is in the workbook alone."""
    table = next(t for t in document.tables() if t.name == name)
    found = {"xlsx": xlsx_sheets(written["xlsx"])[name]}
    if table.workbook_only:
        assert table.caption not in markdown_tables(written["md"])
        return found
    index = [t for t in document.tables() if not t.workbook_only].index(table)
    return {**found, "md": markdown_tables(written["md"])[table.caption],
            "html": html_tables(written["html"])[name], "docx": docx_tables(written["docx"])[index]}


def test_theme_by_group_matrix_matches_the_database(db: Database, written: dict[str, Path],
                                                    document: ReportDocument) -> None:
    groups = sorted(db.groups)
    expected = [["Theme", *groups, "Total"]] + [
        [db.names[key], *(str(db.by_group.get((key, g), (0,))[0]) for g in groups), str(total[0])]
        for key, total in sorted(db.total.items(), key=lambda kv: list(db.names).index(kv[0]))]
    for fmt, rows in tables_in_every_format(written, document, "Theme x group").items():
        assert rows == expected, fmt


def test_participants_and_documents_by_theme_and_group_match_the_database(
        db: Database, written: dict[str, Path], document: ReportDocument) -> None:
    expected = {(db.names[k], g): (str(s), str(p), str(d)) for (k, g), (s, p, d) in db.by_group.items()}
    sizes = {g: (str(p), str(d)) for g, (_, p, d) in db.groups.items()}
    for fmt, rows in tables_in_every_format(written, document, "Theme x group detail").items():
        found = {(r["Theme"], r["Stakeholder group"]): (r["Segments"], r["Participants"], r["Documents"])
                 for r in as_dicts(rows)}
        assert found == expected, fmt
        assert all((r["Of participants"], r["Of documents"]) == sizes[r["Stakeholder group"]]
                   for r in as_dicts(rows)), fmt


def test_theme_totals_and_corpus_sizes_match_the_database(db: Database, written: dict[str, Path],
                                                          document: ReportDocument) -> None:
    expected = {db.names[k]: tuple(map(str, v)) for k, v in db.total.items()}
    corpus = {g: (str(d), str(p), str(s)) for g, (s, p, d) in db.groups.items()}
    for fmt, rows in tables_in_every_format(written, document, "Themes").items():
        found = {r["Theme"]: (r["Segments"], r["Participants"], r["Documents"]) for r in as_dicts(rows)}
        assert {k: v for k, v in found.items() if v[0] != "0"} == expected, fmt
    for fmt, rows in tables_in_every_format(written, document, "Corpus").items():
        found = {r["Stakeholder group"]: (r["Documents"], r["Participants"], r["Codable segments"])
                 for r in as_dicts(rows) if r["Stakeholder group"] != "Total"}
        assert found == corpus, fmt


def test_quote_tables_hold_each_accepted_coding_once(db: Database, written: dict[str, Path]) -> None:
    for fmt, rows in (("csv", csv_rows(written["quotes-csv"])),
                      ("xlsx", xlsx_sheets(written["quotes-xlsx"])["Quotes"])):
        records = as_dicts(rows)
        per_theme: dict[str, int] = defaultdict(int)
        for record in records:
            for theme in record["themes"].split("; "):
                per_theme[theme] += 1
        assert dict(per_theme) == {db.names[k]: v[0] for k, v in db.total.items()}, fmt
        assert {r["status"] for r in records} == {"accepted"}, fmt


def test_case_by_code_matrices_add_up_to_the_database(db: Database, written: dict[str, Path]) -> None:
    sheets = xlsx_sheets(written["matrix-xlsx"])
    for fmt, rows in (("csv", csv_rows(written["matrix-csv"])), ("xlsx", sheets["Counts"])):
        records = as_dicts(rows)
        sums = {key: sum(int(r[key]) for r in records) for key in db.names}
        assert sums == {key: db.total.get(key, (0,))[0] for key in db.names}, fmt
    for fmt, rows in (("csv", csv_rows(written["binary-csv"])), ("xlsx", sheets["Present (1-0)"])):
        records = as_dicts(rows)
        assert {r[k] for r in records for k in db.names} <= {"0", "1"}, fmt
        people = {key: sum(int(r[key]) for r in records) for key in db.names}
        assert all(people[k] >= p for k, (_, p, _) in db.total.items()), fmt


def test_suggestions_only_when_asked_and_marked(db: Database, small: services.Project,
                                                tmp_path: Path) -> None:
    assert db.pending  # the fixture leaves some machine suggestions undecided
    options = services.ReportOptions(include_suggestions=True, quotes_per_group=3, quote_every_group=True)
    (md,) = services.write_report(small, ["md"], options, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "machine suggestions that no person has reviewed" in text
    assert markdown_text("[machine suggestion, not reviewed]") in text  # as Markdown writes brackets
    caption = next(t.caption for t in services.thematic_report(small, options, with_charts=False).tables()
                   if t.name == "Themes")
    rows = as_dicts(markdown_tables(md)[caption])
    assert {r["Theme"]: int(r["Suggested"]) for r in rows if r["Suggested"] != "0"} == {
        db.names[k]: n for k, n in db.pending.items()}
    plain = services.thematic_report(small, with_charts=False)
    assert not any(q.status == "suggested" for q in plain.quotes())
