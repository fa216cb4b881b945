"""Properties that must hold for any text: offsets index the stored text, units never overlap."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.ingest.normalise import normalise_text, rejoin_page_breaks
from qualkit.ingest.segmenter import SegmentationOptions, segment_text
from qualkit.ingest.sentences import sentence_spans

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.sampled_from([
    "the", "keyworker", "came", "round", "Mum", "said", "it’s", "fine", "Dr.", "e.g.", "£1,900",
    "café", "naïve", "Zoë", "3.5", "12:30", "school", "and", "(Partner", "B)", "“really”", "‘no’",
    "don't", "—", "–", "...", "Ł", "日本", "🙂", "x\u200by", "co\u0301te", "e\u00ad\u0301", "a\u00a0b",
    "I:", "Note:",
])
LABELS = st.sampled_from([
    "Interviewer", "I", "R", "Q", "A", "P3", "Keyworker C", "MUM", "DAD", "Speaker 2",
    "Date of interview", "Note", "Case study", "Parent 3",
])


def _capitalised(words: list[str]) -> str:
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


SENTENCE = st.builds(
    lambda words, end: _capitalised(words) + end,
    st.lists(WORDS, min_size=1, max_size=10),
    st.sampled_from([".", "?", "!", "…", ",", "", ".”", "?’", ":"]),
)
BLOCK = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
LINE = st.one_of(
    st.builds("{}: {}".format, LABELS, BLOCK),
    st.builds("**{}:** {}".format, LABELS, BLOCK),
    st.builds("[00:{:02d}:{:02d}] {}: {}".format, st.integers(0, 59), st.integers(0, 59), LABELS,
              BLOCK),
    st.builds("{}/{}/20{} - {}".format, st.integers(1, 31), st.integers(1, 12),
              st.integers(10, 29), BLOCK),
    st.builds("“{}” ({})".format, BLOCK, LABELS),
    BLOCK.map("# {}".format),
    BLOCK,
    BLOCK.map(str.lower),
    st.sampled_from(["", "   "]),
    st.text(max_size=30),
)
SEPARATOR = st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n", "\f", "\u2029"])
DOCUMENT = st.builds(
    lambda prefix, pairs: prefix + "".join(line + sep for line, sep in pairs),
    st.sampled_from(["", "\ufeff", "\n\n", " "]),
    st.lists(st.tuples(LINE, SEPARATOR), max_size=15),
)


def _check_segments(text: str, options: SegmentationOptions) -> None:
    segments = segment_text(text, options)
    previous_end = 0
    for segment in segments:
        assert segment.text
        assert text[segment.start:segment.end] == segment.text
        assert segment.start >= previous_end
        assert segment.text == segment.text.strip()
        previous_end = segment.end


@SETTINGS
@given(DOCUMENT, st.sampled_from([1200, 80, 1]), st.booleans())
def test_segments_index_the_text_in_order(raw: str, max_chars: int, code_interviewer: bool) -> None:
    options = SegmentationOptions(max_chars=max_chars, code_interviewer=code_interviewer)
    text = normalise_text(raw)
    _check_segments(text, options)
    _check_segments(rejoin_page_breaks(text), options)


@SETTINGS
@given(st.one_of(DOCUMENT, st.text()))
def test_normalise_is_idempotent(raw: str) -> None:
    once = normalise_text(raw)
    assert normalise_text(once) == once
    joined = rejoin_page_breaks(once)
    assert normalise_text(joined) == joined
    assert rejoin_page_breaks(joined) == joined


@SETTINGS
@given(st.one_of(DOCUMENT, st.text()), st.integers(0, 100), st.integers(0, 100))
def test_sentence_spans_cover_every_non_space_character(raw: str, p: int, q: int) -> None:
    text = normalise_text(raw)
    start, end = sorted((len(text) * p // 100, len(text) * q // 100))  # percentages
    spans = sentence_spans(text, start, end)
    covered: set[int] = set()
    previous_end = start
    for a, b in spans:
        assert previous_end <= a < b <= end
        assert not text[a].isspace() and not text[b - 1].isspace()
        covered.update(range(a, b))
        previous_end = b
    assert {i for i in range(start, end) if not text[i].isspace()} <= covered
