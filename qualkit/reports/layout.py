"""The thematic report: counts, matrices, co-occurrence, quotes, framework matrix and methods, laid
out as a `ReportDocument`. Pure: every quote and name is read through the given anonymised view."""

from __future__ import annotations

from collections import defaultdict

from qualkit.model.coding import Status
from qualkit.reports import charts, counts, quotes
from qualkit.reports.counts import Count, GroupSize, ThemeCount
from qualkit.reports.document import Block, Chart, Heading, Paragraph, Quote, ReportDocument, Table
from qualkit.reports.model import (
    DOCUMENT,
    INTERVIEW,
    KINDS,
    MIN_AGREEMENT_UNITS,
    POPULATION,
    SURVEY,
    CodingFact,
    ReportInput,
    SegmentFact,
    TextView,
)

QUOTE_WORDS = 45  # a quote in the report is cut after this many words (exports keep it whole)
FRAMEWORK_WORDS = 20  # each quote in a framework cell
FRAMEWORK_QUOTES = 2  # quotes shown per framework cell
FRAMEWORK_THEMES = 4  # theme columns per framework table, so each fits a page
TOP_PAIRS = 15
SUMMARY_THEMES = 3  # themes named per group on the summary page
QUOTED_GROUPS = 2  # each theme is quoted from the groups that raised it most, unless every group is asked


def build_report(data: ReportInput, view: TextView, *, quotes_per_group: int = 1,
                 with_charts: bool = True) -> ReportDocument:
    sizes = counts.group_sizes(data.segments)
    themes = counts.theme_counts(data)
    coded = [t for t in themes if t.total.segments]
    names = {s.group: data.group_name(s.group, view) for s in sizes}
    blocks: list[Block] = [*_summary(data, coded, sizes, names, view)]
    blocks += _introduction(data)
    blocks += _overview(themes if data.include_empty else coded, sizes, names, data.include_suggestions)
    blocks += _by_group(data, coded, sizes, names, with_charts)
    blocks += _together(data, with_charts)
    blocks += _details(data, themes, sizes, names, view, quotes_per_group)
    if data.framework:
        blocks += _framework(data, coded, names, view)
    blocks += _methods(data, sizes, names)
    return ReportDocument(f"{data.title}: thematic report", blocks)


def _summary(data: ReportInput, coded: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str],
             view: TextView) -> list[Block]:
    """The first page: how much is coded and by whom, how far the machine can be trusted, and what
    each group raised most, with one quote each."""
    covered = counts.coverage(data)
    segments, coded_segments = sum(c.segments for c in covered), sum(c.coded_segments for c in covered)
    documents = len({s.document_id for s in data.segments})
    accepted = {c.segment_id for c in data.codings if c.status == Status.ACCEPTED}
    coded_documents = len({s.document_id for s in data.segments if s.id in accepted})
    pending = data.provenance.pending
    blocks: list[Block] = [
        Heading("Summary", 1),
        Paragraph(f"Coverage: people have coded {coded_segments} of {segments} codable segments "
                  f"({_share(coded_segments, segments)}) in {coded_documents} of {documents} documents. "
                  "Counts below are of what has been coded, not of how often a theme came up in the whole "
                  "corpus." + _pending(pending, data.include_suggestions)),
        Table("Coverage", [names_header(data.group_by), "Documents coded", "Segments coded", "Interviewees",
                           "Survey respondents", "Documents without speakers"],
              [[names[c.group], f"{c.coded_documents} of {c.documents}",
                f"{c.coded_segments} of {c.segments} ({_share(c.coded_segments, c.segments)})",
                *(size.members.get(k, 0) for k in (INTERVIEW, SURVEY, DOCUMENT))]
               for c, size in zip(covered, sizes, strict=True)],
              f"How much of each {data.group_by} people have coded, and who is in it: interviewees, survey "
              "respondents and documents without speakers are separate populations."),
        Paragraph(_reliability(data)),
    ]
    segments_by_id = {s.id: s for s in data.segments}
    coded_by_theme = counts.coded_segments(data)
    raised = []
    for size in sizes:
        top = sorted((t for t in coded if t.by_group[size.group].segments),
                     key=lambda t: -t.by_group[size.group].segments)[:SUMMARY_THEMES]
        if not top:
            raised.append(Paragraph(f"{names[size.group]}: nothing coded yet."))
            continue
        raised.append(Paragraph(f"{names[size.group]}: " + "; ".join(
            f"{t.theme.name} ({plural(t.by_group[size.group].segments, 'segment')}, "
            f"{_members(t.by_group[size.group].members, size.members)})" for t in top) + "."))
        first = top[0].theme
        candidates = _candidates(coded_by_theme[first.key], segments_by_id, size.group, view)
        for c in quotes.choose(candidates, 1):
            raised.append(Quote(quotes.shorten(c.text, QUOTE_WORDS), _attribution(c.segment, names, view),
                                first.name, names[size.group], _status(c)))
    if raised:
        blocks += [Heading(f"What each {data.group_by} raised most", 2), *raised]
    return blocks


def _pending(pending: int, counted: bool) -> str:
    if not pending:
        return ""
    return (f" The machine has suggested {plural(pending, 'further coding')} that nobody has reviewed; they "
            + ("are counted and marked as suggestions." if counted else "are not counted."))


def _reliability(data: ReportInput) -> str:
    a = data.agreement
    if a is None or a.units < MIN_AGREEMENT_UNITS:
        decided = a.units if a else 0
        machine = (f"Too few segments have both machine suggestions and people's decisions ({decided}; at "
                   f"least {MIN_AGREEMENT_UNITS} are needed) to say how far the machine agrees with people: "
                   "treat its suggestions as provisional.")
    else:
        interval = (f", 95% interval {a.kappa_interval[0]:.2f} to {a.kappa_interval[1]:.2f}"
                    if a.kappa_interval else "")
        machine = (f"The machine's suggestions agree with people's decisions with Cohen's kappa "
                   f"{_figure(a.macro_kappa)} (macro average over codes, on {a.units} segments people "
                   f"decided on{interval}).")
    pairs = [f"{c.first} and {c.second}: kappa {_figure(c.kappa)} on {plural(c.segments, 'segment')}"
             for c in data.coder_pairs if c.segments]
    people = (" Agreement between people who coded the same documents: " + "; ".join(pairs) + ".") if pairs \
        else " No two people have coded the same documents yet, so agreement between coders is not known."
    return "Reliability: " + machine + people


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _members(found: dict[str, int], of: dict[str, int]) -> str:
    """"3 of 8 interviewees, 5 of 24 survey respondents": each population against its own size."""
    return ", ".join(f"{found[k]} of {of[k]} {POPULATION[k][0] if of[k] == 1 else POPULATION[k][1]}"
                     for k in KINDS if found.get(k))


def _introduction(data: ReportInput) -> list[Block]:
    counted = "accepted codings and machine suggestions not yet reviewed" if data.include_suggestions \
        else "accepted codings only (people's own codings and machine codings a person accepted)"
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


def mentioned_by(count_by_group: dict[str, Count], sizes: list[GroupSize], names: dict[str, str]) -> str:
    """"Keyworkers: 4 of 7 interviewees; Families: 3 of 8 interviewees, 5 of 24 survey respondents":
    who mentions a theme against how many there are, each kind of source its own population."""
    parts = [f"{names[size.group]}: {_members(count_by_group[size.group].members, size.members)}"
             for size in sizes if count_by_group[size.group].segments]
    return "; ".join(parts) or "nobody"


def _overview(themes: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str],
              suggestions: bool) -> list[Block]:
    columns = ["Theme", "Segments", "Participants", "Documents", *(["Suggested"] if suggestions else []),
               "Mentioned by"]
    rows = [[t.theme.name, t.total.segments, t.total.participants, t.total.documents,
             *([t.total.suggested] if suggestions else []), mentioned_by(t.by_group, sizes, names)]
            for t in themes]
    if not rows:
        return [Heading("Themes at a glance", 1), Paragraph("Nothing is coded in this scope yet.")]
    return [Heading("Themes at a glance", 1),
            Table("Themes", columns, rows, "Segments coded with each theme, and the distinct participants "
                  "and documents they come from.")]


def _by_group(data: ReportInput, coded: list[ThemeCount], sizes: list[GroupSize], names: dict[str, str],
              with_charts: bool) -> list[Block]:
    groups = [s.group for s in sizes]
    headers = [names[g] for g in groups]
    segments_in_group = {s.group: s.segments for s in sizes}
    matrix = [[t.theme.name, *(t.by_group[g].segments for g in groups), t.total.segments] for t in coded]
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
        Table("Share of talk", ["Theme", *headers], talk,
              f"Each theme's segments as a percentage of all the codable segments of the {data.group_by}."),
    ]
    if with_charts and coded:
        shares = [row[1:] for row in _zeros(talk)]
        png = charts.heatmap([t.theme.name for t in coded], headers, shares,
                             [[f"{v:.0f}%" if v else "" for v in row] for row in shares],
                             f"Themes by {data.group_by}", "% of the group's segments")
        blocks.append(Chart("Theme x group heat map", png, f"Heat map of themes by {data.group_by}: colour "
                            "and number are both the theme's share of the group's segments"))
    blocks.append(Table("Theme x group detail",
                        ["Theme", names_header(data.group_by), "Segments", "Participants", "Of participants",
                         "Documents", "Of documents", "Share of group's segments %",
                         *(["Suggested"] if data.include_suggestions else [])], detail,
                        "Each theme in each group, against the group's participants and documents.",
                        workbook_only=True))
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
    """Who said it, in which group, in which document (and when, in a recording), in words a reader
    understands: no internal numbers. A label scoped to its document ("R (kw_d.pdf)") drops the
    document here, since the attribution names it anyway."""
    document = view.document(segment.document)
    when = f", {segment.position}" if segment.start_time is not None else ""
    who = segment.participant and view.participant(segment.participant).removesuffix(f" ({document})")
    return f"{who} ({names[segment.group]}), {document}{when}" if who else \
        f"{document} ({names[segment.group]}){when}"


def _candidates(coded: dict[int, CodingFact], segments: dict[int, SegmentFact], group: str,
                view: TextView) -> list[quotes.Candidate]:
    """A theme's codings in `group` as quotes to choose from, each quoted as coded."""
    return [quotes.Candidate(segments[i], quotes.coded_text(view, coding), coding.status == Status.ACCEPTED)
            for i, coding in sorted(coded.items()) if segments[i].group == group]


def _status(candidate: quotes.Candidate) -> Status:
    return Status.ACCEPTED if candidate.accepted else Status.SUGGESTED


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
        total = theme.total
        blocks.append(Paragraph(f"{plural(total.segments, 'segment')} from "
                                f"{plural(total.participants, 'participant')} in "
                                f"{plural(total.documents, 'document')}. Mentioned by "
                                f"{mentioned_by(theme.by_group, sizes, names)}."))
        quoted = sorted((s for s in sizes if theme.by_group[s.group].segments),
                        key=lambda s: -theme.by_group[s.group].segments)
        for size in quoted if data.quote_every_group else quoted[:QUOTED_GROUPS]:
            chosen = quotes.choose(_candidates(coded[t.key], segments, size.group, view), per_group)
            if not chosen:
                continue
            blocks.append(Heading(names[size.group], 3))
            for c in chosen:
                mark = "" if c.accepted else " [machine suggestion, not reviewed]"
                blocks.append(Quote(quotes.shorten(c.text, QUOTE_WORDS),
                                    _attribution(c.segment, names, view) + mark, t.name,
                                    names[size.group], _status(c)))
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
    cells: dict[tuple[tuple[str, int], str], list[CodingFact]] = defaultdict(list)
    cases: dict[tuple[str, int], SegmentFact] = {}
    for segment in data.segments:
        cases.setdefault(segment.case, segment)
    for t in coded_themes:
        for segment_id, coding in sorted(coded[t.theme.key].items()):
            cells[(segments[segment_id].case, t.theme.key)].append(coding)
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


def _cell(codings: list[CodingFact], view: TextView) -> str:
    shown = [quotes.shorten(quotes.coded_text(view, c), FRAMEWORK_WORDS) for c in codings[:FRAMEWORK_QUOTES]]
    more = len(codings) - len(shown)
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
            ["Scored lower by machine (not suggested), accepted by a person", p.candidates_accepted],
            ["Suggested by machine, rejected by a person", p.machine_rejected],
            ["Suggested by machine, not yet reviewed", p.pending],
        ], "Segment-code pairs with codes of this codebook, across the whole project."),
    ]
    if p.coders:
        blocks.append(Paragraph("Machine suggestions came from: " + ", ".join(p.coders) + "."))
    blocks.append(Paragraph(_reliability(data)))
    if data.coder_pairs:
        blocks.append(Table(
            "Inter-coder agreement",
            ["Coders", "Documents", "Segments", "Agreement", "Cohen's kappa", "Krippendorff's alpha",
             "Alpha (characters)", "Disagreements (resolved)"],
            [[f"{c.first} / {c.second}", c.documents, c.segments, _figure(c.agreement), _figure(c.kappa),
              _figure(c.alpha), _figure(c.character_alpha), f"{c.disagreements} ({c.resolved})"]
             for c in data.coder_pairs],
            "Segment level, pooled over codes, uncoded text included; alpha also at character level."))
    blocks += _since_run(data)
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


def _since_run(data: ReportInput) -> list[Block]:
    """Per code, the machine's agreement with people on decisions made after it ran (ones it could not
    have learnt from), with the decisions behind each figure so a reader can weigh it."""
    if data.since_run is None:
        return []
    if not any(c.decisions for c in data.since_run):
        return [Paragraph("No person has decided on a machine coding since the machine ran, so its agreement "
                          "with people on new decisions is not known yet.")]
    names = {t.key: t.name for t in data.themes}
    return [Table(
        "Machine agreement since run", ["Code", "Decisions", "Accepted", "Agreement", "Cohen's kappa"],
        [[names[c.code], c.decisions, c.accepted, _figure(c.agreement), _figure(c.kappa)]
         for c in data.since_run if c.code in names],
        "Per code: the machine's own yes or no on its codings against people's decisions made after it ran "
        "(decisions it could not have learnt from). A figure resting on few decisions says little.")]


def _figure(value: float | None) -> str:
    return "not defined" if value is None else f"{value:.2f}"
