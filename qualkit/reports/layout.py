"""The thematic report: counts, matrices, co-occurrence, quotes, framework matrix and methods, laid
out as a `ReportDocument`. Pure: every quote and name is read through the given anonymised view."""

from __future__ import annotations

from collections import defaultdict

from qualkit.reports import charts, counts, quotes
from qualkit.reports.counts import Count, GroupSize, ThemeCount
from qualkit.reports.document import Block, Chart, Heading, Paragraph, Quote, ReportDocument, Table
from qualkit.reports.model import ACCEPTED, ReportInput, SegmentFact, TextView

QUOTE_WORDS = 80  # a quote in the report is cut after this many words (exports keep it whole)
FRAMEWORK_WORDS = 20  # each quote in a framework cell
FRAMEWORK_QUOTES = 2  # quotes shown per framework cell
FRAMEWORK_THEMES = 4  # theme columns per framework table, so each fits a page
TOP_PAIRS = 30


def build_report(data: ReportInput, view: TextView, *, quotes_per_group: int = 2,
                 with_charts: bool = True) -> ReportDocument:
    sizes = counts.group_sizes(data.segments)
    themes = counts.theme_counts(data)
    coded = [t for t in themes if t.total.segments]
    names = {s.group: data.group_name(s.group, view) for s in sizes}
    blocks: list[Block] = [*_introduction(data)]
    blocks += _overview(themes, sizes, names, data.group_by, data.include_suggestions)
    blocks += _by_group(data, coded, sizes, names, with_charts)
    blocks += _together(data, with_charts)
    blocks += _details(data, themes, sizes, names, view, quotes_per_group)
    blocks += _framework(data, coded, names, view)
    blocks += _methods(data, sizes, names)
    return ReportDocument(f"{data.title}: thematic report", blocks)


def _introduction(data: ReportInput) -> list[Block]:
    counted = "accepted codings and machine suggestions not yet reviewed" if data.include_suggestions \
        else "accepted codings only (people's own codings and machine suggestions a person accepted)"
    blocks: list[Block] = [
        Paragraph(f"Codebook: {data.codebook} (version {data.codebook_version}). Counted: {counted}. "
                  f"Groups are by {data.group_by}."),
        Paragraph("Scope: " + ("; ".join(data.filters) if data.filters
                               else "every codable segment in the project") + "."),
    ]
    if data.include_suggestions:
        blocks.append(Paragraph(
            "This report includes machine suggestions that no person has reviewed. They are counted in "
            "the 'suggested' columns and marked '[machine suggestion, not reviewed]' beside quotes; "
            "treat them as provisional.", note=True))
    return blocks


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def mentioned_by(count_by_group: dict[str, Count], sizes: list[GroupSize], names: dict[str, str],
                 group_by: str) -> str:
    """"7 of 12 Keyworkers; 2 of 2 documents (Case notes)": who mentions a theme against how many
    there are in each group, by participants (by documents where none of its segments has a speaker)."""
    parts = []
    for size in sizes:
        found = count_by_group[size.group]
        name = names[size.group]
        if found.participants:
            people = name if group_by == "stakeholder group" else f"participants ({name})"
            parts.append(f"{found.participants} of {size.participants} {people}")
        elif found.segments:
            parts.append(f"{found.documents} of {size.documents} documents ({name})")
    return "; ".join(parts) or "nobody"


def _overview(themes: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str], group_by: str,
              suggestions: bool) -> list[Block]:
    columns = ["Theme", "Segments", "Participants", "Documents", *(["Suggested"] if suggestions else []),
               "Mentioned by"]
    rows = [[t.theme.name, t.total.segments, t.total.participants, t.total.documents,
             *([t.total.suggested] if suggestions else []), mentioned_by(t.by_group, sizes, names, group_by)]
            for t in themes]
    return [Heading("Themes at a glance", 1),
            Table("Themes", columns, rows, "Segments coded with each theme, and the distinct participants "
                  "and documents they come from.")]


def _by_group(data: ReportInput, coded: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str],
              with_charts: bool) -> list[Block]:
    groups = [s.group for s in sizes]
    headers = [names[g] for g in groups]
    coded_in_group = {g: sum(t.by_group[g].segments for t in coded) for g in groups}
    segments_in_group = {s.group: s.segments for s in sizes}
    matrix = [[t.theme.name, *(t.by_group[g].segments for g in groups), t.total.segments] for t in coded]
    row_share = [[t.theme.name, *(counts.percent(t.by_group[g].segments, t.total.segments) for g in groups)]
                 for t in coded]
    column_share = [[t.theme.name, *(counts.percent(t.by_group[g].segments, coded_in_group[g])
                                     for g in groups)] for t in coded]
    talk = [[t.theme.name, *(counts.percent(t.by_group[g].segments, segments_in_group[g]) for g in groups)]
            for t in coded]
    detail = [[t.theme.name, names[g], c.segments, c.participants, size.participants, c.documents,
               size.documents, counts.percent(c.segments, size.segments),
               *([c.suggested] if data.include_suggestions else [])]
              for t in coded for g, size in zip(groups, sizes, strict=True) if (c := t.by_group[g]).segments]
    blocks: list[Block] = [
        Heading(f"Themes by {data.group_by}", 1),
        Table("Theme x group", ["Theme", *headers, "Total"], matrix,
              f"Segments coded with each theme, by {data.group_by}."),
        Table("Row %", ["Theme", *headers], row_share,
              f"Of each theme's segments, the percentage from each {data.group_by}."),
        Table("Column %", ["Theme", *headers], column_share,
              f"Of each {data.group_by}'s coded segments (one per theme applied), the percentage per theme."),
        Table("Share of talk", ["Theme", *headers], talk,
              f"Each theme's segments as a percentage of all the codable segments of the {data.group_by}."),
    ]
    if with_charts and coded:
        png = charts.heatmap([t.theme.name for t in coded], headers, [row[1:] for row in _zeros(talk)],
                             [[str(v) for v in row[1:-1]] for row in matrix],
                             f"Themes by {data.group_by}", "% of the group's segments")
        blocks.append(Chart("Theme x group heat map", png, f"Heat map of themes by {data.group_by}: "
                            "colour is the share of the group's segments, the number is the segment count"))
    blocks.append(Table("Theme x group detail",
                        ["Theme", names_header(data.group_by), "Segments", "Participants", "Of participants",
                         "Documents", "Of documents", "Share of group's segments %",
                         *(["Suggested"] if data.include_suggestions else [])], detail,
                        "Each theme in each group, against the group's participants and documents."))
    return blocks


def names_header(group_by: str) -> str:
    return group_by[:1].upper() + group_by[1:]


def _zeros(rows: list[list]) -> list[list]:
    return [[0.0 if v is None else v for v in row] for row in rows]


def _together(data: ReportInput, with_charts: bool) -> list[Block]:
    pairs = counts.cooccurrence(data)
    blocks: list[Block] = [
        Heading("Themes that occur together", 1),
        Paragraph("Pairs of themes applied to the same segment, and pairs mentioned by the same participant "
                  "(in any of their segments)."),
    ]
    if not pairs:
        return [*blocks, Paragraph("No two themes occur together in this scope.")]
    shown = pairs[:TOP_PAIRS]
    caption = (f"The {len(shown)} pairs sharing most segments, of {len(pairs)}." if len(pairs) > len(shown)
               else "Every pair that shares a segment or a participant.")
    blocks.append(Table("Co-occurrence", ["Theme", "With theme", "Same segment", "Same participant"],
                        [[p.first.name, p.second.name, p.segments, p.participants] for p in shown], caption))
    if with_charts:
        keys = list(dict.fromkeys(t for p in pairs if p.segments for t in (p.first.key, p.second.key)))
        if keys:
            order = [t for t in data.themes if t.key in keys]
            together = {(p.first.key, p.second.key): p.segments for p in pairs}
            grid = [[float(together.get((a.key, b.key), together.get((b.key, a.key), 0))) for b in order]
                    for a in order]
            png = charts.heatmap([t.name for t in order], [t.name for t in order], grid,
                                 [[str(int(v)) if v else "" for v in row] for row in grid],
                                 "Themes applied to the same segment", "segments")
            blocks.append(Chart("Co-occurrence heat map", png, "Heat map of how many segments each pair of "
                                "themes shares"))
    return blocks


def _attribution(segment: SegmentFact, names: dict[str, str], view: TextView) -> str:
    """Who said it, in which group, where. A label scoped to its document ("R (kw_d.pdf)") drops
    the document here, since the attribution names it anyway."""
    document = view.document(segment.document)
    who = segment.participant and view.participant(segment.participant).removesuffix(f" ({document})")
    return f"{who} ({names[segment.group]}), {document}, {segment.position}" if who else \
        f"{document} ({names[segment.group]}), {segment.position}"


def _details(data: ReportInput, themes: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str],
             view: TextView, per_group: int) -> list[Block]:
    segments = {s.id: s for s in data.segments}
    coded = counts.coded_segments(data)
    blocks: list[Block] = [Heading("Themes in detail", 1)]
    for theme in themes:
        if not theme.total.segments:
            continue
        t = theme.theme
        blocks.append(Heading(t.name, 2))
        if t.description:
            blocks.append(Paragraph(t.description))
        shares = ", ".join(f"{names[s.group]} {100 * theme.by_group[s.group].segments / s.segments:.1f}%"
                           for s in sizes if theme.by_group[s.group].segments)
        total = theme.total
        blocks.append(Paragraph(f"{plural(total.segments, 'segment')} from "
                                f"{plural(total.participants, 'participant')} in "
                                f"{plural(total.documents, 'document')}. Mentioned by "
                                f"{mentioned_by(theme.by_group, sizes, names, data.group_by)}. "
                                f"Share of each group's segments: {shares}."))
        for size in sizes:
            candidates = [quotes.Candidate(segments[i], view.segment_text(i), status == ACCEPTED)
                          for i, status in sorted(coded[t.key].items()) if segments[i].group == size.group]
            chosen = quotes.choose(candidates, per_group)
            if not chosen:
                continue
            blocks.append(Heading(names[size.group], 3))
            for c in chosen:
                status = ACCEPTED if c.accepted else "suggested"
                mark = "" if c.accepted else " [machine suggestion, not reviewed]"
                blocks.append(Quote(quotes.shorten(c.text, QUOTE_WORDS),
                                    _attribution(c.segment, names, view) + mark, t.name,
                                    names[size.group], status))
    uncoded = [t.theme.name for t in themes if not t.total.segments]
    if uncoded:
        blocks.append(Paragraph("Not coded in this scope: " + ", ".join(uncoded) + "."))
    return blocks


def _framework(data: ReportInput, coded_themes: list[ThemeCount], names: dict[str, str],
               view: TextView) -> list[Block]:
    blocks: list[Block] = [
        Heading("Framework matrix", 1),
        Paragraph(f"Participants (or documents without speakers) with coded segments, by theme; each cell "
                  f"holds up to {FRAMEWORK_QUOTES} of the participant's coded quotes, shortened, and how "
                  "many more there are."),
    ]
    coded = counts.coded_segments(data)
    segments = {s.id: s for s in data.segments}
    cells: dict[tuple[tuple[str, int], str], list[SegmentFact]] = defaultdict(list)
    cases: dict[tuple[str, int], SegmentFact] = {}
    for segment in data.segments:
        cases.setdefault(segment.case, segment)
    for t in coded_themes:
        for segment_id in sorted(coded[t.theme.key]):
            cells[(segments[segment_id].case, t.theme.key)].append(segments[segment_id])
    groups = {g: i for i, g in enumerate(counts.group_order(data.segments))}
    with_codings = {case for case, _ in cells}
    order = sorted((s for s in cases.values() if s.case in with_codings),
                   key=lambda s: (groups[s.group], s.case_name(view).casefold()))
    for number, start in enumerate(range(0, len(coded_themes), FRAMEWORK_THEMES), start=1):
        chunk = coded_themes[start:start + FRAMEWORK_THEMES]
        rows = [[case.case_name(view), names[case.group],
                 *(_cell(cells.get((case.case, t.theme.key), []), view) for t in chunk)] for case in order]
        blocks.append(Table(f"Framework {number}", ["Participant", "Group", *(t.theme.name for t in chunk)],
                            rows))
    return blocks


def _cell(segments: list[SegmentFact], view: TextView) -> str:
    shown = [quotes.shorten(view.segment_text(s.id), FRAMEWORK_WORDS) for s in segments[:FRAMEWORK_QUOTES]]
    more = len(segments) - len(shown)
    return " / ".join(f"“{q}”" for q in shown) + (f" (+{more} more)" if more > 0 else "")


def _methods(data: ReportInput, sizes: list[GroupSize], names: dict[str, str]) -> list[Block]:
    segments, words = len(data.segments), sum(s.words for s in data.segments)
    people = len({s.participant_id for s in data.segments if s.participant_id is not None})
    documents = len({s.document_id for s in data.segments})
    p = data.provenance
    blocks: list[Block] = [
        Heading("Methods appendix", 1),
        Paragraph(f"The analysis covers {segments} codable segments ({words} words) from {people} "
                  f"participants in {documents} documents."),
        Table("Corpus", [names_header(data.group_by), "Documents", "Participants", "Codable segments",
                         "Words"],
              [*([names[s.group], s.documents, s.participants, s.segments, s.words] for s in sizes),
               ["Total", documents, people, segments, words]],
              f"Corpus size by {data.group_by} (a document with several groups' voices counts in each)."),
        Paragraph(f"Codebook '{data.codebook}', version {data.codebook_version}: {len(data.themes)} codes, "
                  f"{sum(t.depth == 0 for t in data.themes)} of them top-level."),
        Table("Coding provenance", ["How the coding came about", "Codings"], [
            ["Coded by people", p.by_people],
            ["Suggested by machine, accepted by a person", p.machine_accepted],
            ["Suggested by machine, rejected by a person", p.machine_rejected],
            ["Suggested by machine, not yet reviewed", p.pending],
        ], "Segment-code pairs with codes of this codebook, across the whole project."),
    ]
    if p.coders:
        blocks.append(Paragraph("Machine suggestions came from: " + ", ".join(p.coders) + "."))
    a = data.agreement
    blocks.append(Paragraph(
        f"Agreement of the machine's own yes/no with people's accepted codings, on the {a.units} segments "
        f"people decided on: macro-averaged F1 {_figure(a.macro_f1)}, Cohen's kappa {_figure(a.macro_kappa)}."
        if a else "No agreement figures: no segment has both machine suggestions and people's decisions."))
    if data.coder_pairs:
        blocks.append(Table(
            "Inter-coder agreement",
            ["Coders", "Documents", "Segments", "Agreement", "Cohen's kappa", "Krippendorff's alpha",
             "Alpha (characters)", "Disagreements (resolved)"],
            [[f"{c.first} / {c.second}", c.documents, c.segments, _figure(c.agreement), _figure(c.kappa),
              _figure(c.alpha), _figure(c.character_alpha), f"{c.disagreements} ({c.resolved})"]
             for c in data.coder_pairs],
            "Segment level, pooled over codes, uncoded text included; alpha also at character level."))
    blocks.append(Paragraph(
        "Counting: a segment is a speaker turn, a case-note entry or a paragraph. A theme's count is the "
        "number of segments coded with that code itself (a parent code does not include its sub-codes), each "
        "segment once however many coders applied it. Participants are distinct people; segments without a "
        "speaker count towards documents only. Quotes are chosen for variety (maximal marginal relevance "
        "over TF-IDF vectors), preferring codings a person accepted."))
    blocks.append(Paragraph(
        "Anonymisation: every quote, participant label and document name is shown through the project's "
        "anonymisation, with identifiers replaced by pseudonyms."))
    return blocks


def _figure(value: float | None) -> str:
    return "not defined" if value is None else f"{value:.2f}"
