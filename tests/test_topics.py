"""Topic discovery over precomputed embeddings, and promoting a topic to a code.

Most tests use synthetic embeddings (three well-separated clusters) with PCA + KMeans injected, so
they take about a second each once BERTopic is imported; two slow ones check the default UMAP + HDBSCAN
path (deterministic for a seed, offline) and the real MiniLM model.
"""

from __future__ import annotations

import socket
from dataclasses import replace

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from qualkit.coders.base import Unit
from qualkit.errors import NotFoundError, QualkitError
from qualkit.model import Code, Codebook
from qualkit.topics import Topic, discover_topics, promote_topic, topic_id, topic_label

THEMES = {
    "housing": ["landlord", "damp", "boiler", "mould", "leak", "repairs"],
    "school": ["attendance", "teacher", "classroom", "exclusion", "homework", "truancy"],
    "lonely": ["isolated", "friends", "lonely", "visitors", "alone", "neighbours"],
}
GROUPS = ["keyworker", "parent", None]
PER_THEME = 20


def synthetic(seed: int = 1) -> tuple[list[Unit], np.ndarray, np.ndarray]:
    """Units whose texts use their theme's words, embedded near their theme's centre (384-d, unit length)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(THEMES), 384))
    units, rows = [], []
    for t, (theme, words) in enumerate(THEMES.items()):
        for i in range(PER_THEME):
            a, b = rng.choice(words, size=2, replace=False)
            units.append(Unit(id=f"{theme}-{i}", text=f"We talked about the {a} and then the {b} again.",
                              group=GROUPS[i % 3]))
            rows.append(centres[t] + rng.normal(scale=0.3, size=384))
    vectors = np.array(rows)
    return units, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), centres


def fast(units: list[Unit], embeddings: np.ndarray, **kwargs: object) -> list[Topic]:
    return discover_topics(units, embeddings, reducer=PCA(n_components=5, random_state=0),
                           clusterer=KMeans(n_clusters=3, n_init=10, random_state=0), **kwargs)  # type: ignore[arg-type]


def theme_of(unit_id: str) -> str:
    return unit_id.split("-")[0]


class FixedLabels:
    """A clusterer that returns given labels, to test how outliers (-1) are handled."""

    def __init__(self, labels: list[int]) -> None:
        self.labels = labels

    def fit(self, X: np.ndarray, y: object = None) -> FixedLabels:
        self.labels_ = np.array(self.labels)
        return self


def toy_codebook() -> Codebook:
    return Codebook(name="evaluation", version=3, codes=[
        Code(id="housing", name="Housing", children=[Code(id="repairs", name="Repairs")]),
        Code(id="education", name="Education"),
        Code(id="isolation", name="Isolation"),
    ])


def test_topics_recover_the_clusters_with_sensible_keywords() -> None:
    units, embeddings, _ = synthetic()
    topics = fast(units, embeddings)
    assert [t.id for t in topics] == [0, 1, 2] and all(type(t.id) is int for t in topics)
    for topic in topics:
        themes = {theme_of(uid) for uid in topic.unit_ids}
        assert len(themes) == 1 and topic.size == PER_THEME == len(topic.unit_ids)
        words = THEMES[themes.pop()]
        unigrams = [k for k in topic.keywords if " " not in k]
        assert set(unigrams[:5]) <= set(words)  # stop words gone; "talked", in every topic, ranks below
        assert "talked" not in topic.keywords[:3]
        assert topic.label == topic_label(topic.keywords)
        assert set(topic.label.lower().replace(",", "").split()) <= {*words, "talked"}
        assert topic.nearest_code is None


def test_keywords_leave_out_pseudonyms_and_suggested_ids_are_valid_code_ids() -> None:
    units, embeddings, _ = synthetic()
    named = [replace(u, text=f"[Person {i % 4}] said [Person {i % 7}] and [Place 2]: {u.text}")
             for i, u in enumerate(units)]
    found = fast(named, embeddings)
    assert len(found) == 3  # one topic per theme: the checks below run on every one
    for topic in found:
        words = {w for k in topic.keywords for w in k.split()}
        assert not words & {"person", "place"}, topic.keywords
        assert topic.suggested_id.replace("_", "").isalnum() and topic.suggested_id[0].isalpha()
        Code(id=topic.suggested_id, name=topic.label)  # a code id the codebook accepts
    assert topic_id(["young", "young people", "people"]) == "young_people"
    assert topic_id(["2019", "cuts"]) == "topic_2019_cuts"


def test_outliers_are_left_out() -> None:
    units, embeddings, _ = synthetic()
    labels = [-1 if i % 10 == 0 else i // PER_THEME for i in range(len(units))]
    topics = discover_topics(units, embeddings, reducer=PCA(n_components=5, random_state=0),
                             clusterer=FixedLabels(labels))
    outliers = {u.id for u, label in zip(units, labels, strict=True) if label == -1}
    assert len(topics) == 3 and all(t.id >= 0 for t in topics)
    assert sum(t.size for t in topics) == len(units) - len(outliers)
    assert not outliers & {uid for t in topics for uid in t.unit_ids}
    assert not outliers & {u.id for t in topics for u in t.representatives}


def test_size_by_group_sums_to_size_and_keeps_unknown_groups() -> None:
    units, embeddings, _ = synthetic()
    found = fast(units, embeddings)
    assert sum(t.size for t in found) == len(units)  # every unit is in a topic: none is left unchecked
    for topic in found:
        assert sum(topic.size_by_group.values()) == topic.size
        assert set(topic.size_by_group) == {"keyworker", "parent", None}
        counts = list(topic.size_by_group.values())
        assert counts == sorted(counts, reverse=True)


def test_representatives_are_central_then_diverse_and_distinct() -> None:
    units, embeddings, _ = synthetic()
    # Half of one theme repeats a single sentence: it must be quoted once at most.
    units = [Unit(u.id, "The boiler is broken.", u.group) if theme_of(u.id) == "housing" and i % 2 else u
             for i, u in enumerate(units)]
    row = {u.id: i for i, u in enumerate(units)}
    found = fast(units, embeddings)
    assert len(found) == 3
    for topic in found:
        reps = topic.representatives
        assert 3 <= len(reps) <= 5
        assert len({u.id for u in reps}) == len(reps) == len({u.text for u in reps})
        assert {u.id for u in reps} <= set(topic.unit_ids)
        members = embeddings[[row[uid] for uid in topic.unit_ids]]
        assert topic.unit_ids[np.argmax(members @ members.mean(axis=0))] == reps[0].id


def test_nearest_code_names_the_code_a_topic_resembles() -> None:
    units, embeddings, centres = synthetic()
    book = toy_codebook()  # flat order: housing, repairs, education, isolation
    rng = np.random.default_rng(7)
    code_vectors = np.stack([rng.normal(size=384), centres[0], centres[1], centres[2]])
    topics = fast(units, embeddings, codebook=book, code_embeddings=code_vectors)
    expected = {"housing": "repairs", "school": "education", "lonely": "isolation"}
    for topic in topics:
        code_id, similarity = topic.nearest_code  # type: ignore[misc]
        assert code_id == expected[theme_of(topic.unit_ids[0])]
        assert similarity > 0.9

    # A theme the codebook lacks: its nearest code is far off, which flags a candidate new code.
    without_isolation = Codebook(name="evaluation", codes=book.codes[:2])
    topics = fast(units, embeddings, codebook=without_isolation, code_embeddings=code_vectors[:3])
    lonely = next(t for t in topics if theme_of(t.unit_ids[0]) == "lonely")
    assert lonely.nearest_code is not None and lonely.nearest_code[1] < 0.2


def test_bad_arguments_are_refused() -> None:
    units, embeddings, _ = synthetic()
    with pytest.raises(ValueError, match="60 units but 59 embeddings"):
        fast(units, embeddings[:59])
    with pytest.raises(ValueError, match="together"):
        fast(units, embeddings, codebook=toy_codebook())
    with pytest.raises(ValueError, match="4 codes but 2 code embeddings"):
        fast(units, embeddings, codebook=toy_codebook(), code_embeddings=embeddings[:2])
    assert discover_topics(units[:7], embeddings[:7], min_topic_size=8) == []
    assert discover_topics(units[:6], embeddings[:6], min_topic_size=2) == []  # too few for UMAP


@pytest.mark.slow  # UMAP and HDBSCAN compile with numba on first use (10-30 s)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # importing BERTopic's hub backend, to disable it
def test_default_umap_hdbscan_is_deterministic_and_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    from bertopic.backend._sentencetransformers import SentenceTransformerBackend

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("topic discovery tried to load a model or open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(SentenceTransformerBackend, "__init__", refuse)  # BERTopic's hub fallback
    units, embeddings, _ = synthetic()
    first = discover_topics(units, embeddings, seed=3)
    again = discover_topics(units, embeddings, seed=3)
    assert first == again
    assert len(first) == 3
    assert sorted(theme_of(t.unit_ids[0]) for t in first) == sorted(THEMES)


def test_promote_topic_adds_a_new_version_and_leaves_the_old_one_alone() -> None:
    units, embeddings, _ = synthetic()
    topic = fast(units, embeddings)[0]
    long_quote = Unit("x", " ".join(f"word{i}" for i in range(50)))
    topic = replace(topic, representatives=[long_quote, *topic.representatives])
    book = toy_codebook()

    new = promote_topic(book, topic, "new_theme", "New theme")
    assert (new.version, book.version) == (4, 3)
    assert "new_theme" not in {c.id for c in book.flat()}
    code = new.get("new_theme")
    assert code.name == "New theme" and code.keywords == topic.keywords
    assert code.description.startswith("Discovered from data")
    assert len(code.examples) == 3
    assert code.examples[0] == " ".join(f"word{i}" for i in range(30)) + " …"
    assert code.examples[1:] == [u.text for u in topic.representatives[1:3]]

    nested = promote_topic(book, topic, "damp", "Damp", parent_id="housing")
    assert [c.id for c in nested.get("housing").children] == ["repairs", "damp"]


def test_promote_topic_refuses_duplicate_and_bad_ids() -> None:
    units, embeddings, _ = synthetic()
    topic = fast(units, embeddings)[0]
    with pytest.raises(QualkitError, match=r"already has a code with id 'repairs'\. Choose another id"):
        promote_topic(toy_codebook(), topic, "repairs", "Repairs again")
    with pytest.raises(QualkitError, match="lower case letters"):
        promote_topic(toy_codebook(), topic, "Bad Id", "Bad")
    with pytest.raises(NotFoundError, match="no code 'nowhere'"):
        promote_topic(toy_codebook(), topic, "fine", "Fine", parent_id="nowhere")


SENTENCES = {
    "housing": [
        "The landlord still hasn't fixed the broken boiler.",
        "There is black mould spreading across the bedroom wall.",
        "Water has been leaking through the kitchen ceiling for weeks.",
        "We reported the damp to the council three times.",
        "The repairs team never turned up for the appointment.",
        "Our windows don't close properly and the flat is freezing.",
        "The housing association keeps promising to send a plumber.",
        "The children's cough got worse because of the damp flat.",
        "Nobody has repaired the broken front door lock.",
        "The heating has been off since the boiler failed in November.",
        "Mould keeps coming back however often we clean it.",
        "The landlord blamed us for the condensation.",
        "A contractor patched the leak but the ceiling is still wet.",
        "We had to chase the council for the repair for months.",
        "The toilet has been broken and the landlord ignores our calls.",
        "Rats are getting in through a hole nobody will fix.",
        "The electrics in the flat trip whenever it rains.",
        "I asked housing to move us because of the damp.",
        "The landlord finally sent someone to fix the boiler.",
        "Repairs take so long that we gave up reporting them.",
    ],
    "school": [
        "My son keeps missing school on Mondays.",
        "His attendance dropped below eighty percent this term.",
        "The teacher rang because she hadn't been in class all week.",
        "We had a meeting with the school about his absences.",
        "She refuses to get up and go to school in the morning.",
        "The attendance officer sent us a warning letter.",
        "He was excluded for two days and then stopped going altogether.",
        "The school offered a reduced timetable to get him back.",
        "Getting the kids to school on time is a daily battle.",
        "His headteacher said persistent absence could lead to a fine.",
        "She skips lessons and hangs around the shops instead.",
        "The school's pastoral lead helped us with a morning routine.",
        "He's fallen behind in his lessons after missing so many days.",
        "We walk her to the school gate so she actually goes in.",
        "The teachers say his attendance has improved since January.",
        "She gets anxious about school and pretends to be ill.",
        "The education welfare officer visited about his attendance.",
        "He truanted with his friends and the school called me.",
        "Missing school meant she missed her exams.",
        "The school now texts us when he doesn't arrive in class.",
    ],
    "lonely": [
        "I don't really see anyone from one week to the next.",
        "Since my husband died I feel completely alone.",
        "Nobody visits me apart from the carer.",
        "I haven't spoken to another person in days.",
        "My friends have all moved away and I feel isolated.",
        "The evenings are the worst, sitting alone with the television.",
        "I'd love someone to talk to over a cup of tea.",
        "I feel lonely even when my family phones.",
        "I stopped going out so I don't meet people any more.",
        "It's very isolating living on my own at my age.",
        "The lunch club was the only place I had company.",
        "I miss having friends to chat to.",
        "Weeks go by without a single visitor.",
        "Being on my own all day gets me down.",
        "I don't know my neighbours and feel cut off.",
        "Since lockdown I have nobody to talk to.",
        "The befriending volunteer is the only person I see.",
        "I'm lonely and the days feel very long.",
        "I lost touch with everyone after I moved here.",
        "Having no one to talk to makes me feel invisible.",
    ],
}


@pytest.mark.slow
def test_minilm_topics_separate_three_themes() -> None:
    from qualkit.coders.embeddings import MiniLMEmbedder

    units = [Unit(f"{theme}-{i}", text, GROUPS[i % 3])
             for theme, texts in SENTENCES.items() for i, text in enumerate(texts)]
    embeddings = MiniLMEmbedder().encode([u.text for u in units])
    topics = discover_topics(units, embeddings, min_topic_size=5, seed=0)

    assert len(topics) == 3
    expected = {"housing": {"landlord", "damp", "boiler", "mould", "repairs", "leak", "fix", "flat"},
                "school": {"school", "attendance", "teacher", "class", "lessons", "missing"},
                "lonely": {"lonely", "alone", "isolated", "friends", "talk", "visits", "visitor", "person"}}
    found = set()
    for topic in topics:
        themes = [theme_of(uid) for uid in topic.unit_ids]
        theme = max(set(themes), key=themes.count)
        found.add(theme)
        assert themes.count(theme) >= 0.8 * len(themes), (topic.label, themes)
        assert topic.size >= 0.6 * PER_THEME
        top_words = {word for keyword in topic.keywords[:5] for word in keyword.split()}
        assert top_words & expected[theme], (theme, topic.keywords)
    assert found == set(THEMES)
