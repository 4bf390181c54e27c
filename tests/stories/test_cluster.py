import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from thresher.stories import Item, LexicalBackend, StoriesOptions, cluster_stories, story_id
from thresher.stories.cluster import agglomerate
from thresher.stories.text import fold

from . import required

T0 = datetime(2025, 6, 1, 12, 0)

ITEMS = [
    Item(id="a1", headline="UAW reaches tentative deal with Ford", outlet="a.com", timestamp=T0),
    Item(id="a2", headline="UAW reaches tentative labor agreement with Ford", outlet="b.com",
         timestamp=T0 + timedelta(hours=1)),
    Item(id="a3", headline="Ford and UAW reach tentative agreement that would end 6-week strike", outlet="c.com",
         timestamp=T0 + timedelta(hours=2)),
    Item(id="b1", headline="Ford recalls 200,000 pickup trucks over faulty brakes", outlet="a.com",
         timestamp=T0 + timedelta(hours=3)),
    Item(id="c1", headline="Giant pandas to leave the National Zoo for China", outlet="d.com", timestamp=T0),
    Item(id="c2", headline="Giant pandas leave National Zoo early for China", outlet="e.com",
         timestamp=T0 + timedelta(hours=5)),
    Item(id="d1", headline="Lions center Frank Ragnow announces his retirement", outlet="f.com", timestamp=T0),
]


def groups(result):
    by_story: dict[str, set[str]] = {}
    for item, story in result.assignments.items():
        by_story.setdefault(story, set()).add(item)
    return sorted(sorted(g) for g in by_story.values())


def test_same_event_grouped_and_shared_word_kept_apart():
    result = cluster_stories(ITEMS, backend=LexicalBackend())
    assert groups(result) == [["a1", "a2", "a3"], ["b1"], ["c1", "c2"], ["d1"]]


def test_story_fields():
    result = cluster_stories(ITEMS, backend=LexicalBackend())
    uaw = result.stories[0]
    assert uaw.members == ("a1", "a2", "a3")
    assert uaw.outlets == ("a.com", "b.com", "c.com") and uaw.outlet_count == 3
    assert uaw.first_seen == T0 and uaw.last_seen == T0 + timedelta(hours=2)
    assert uaw.id == story_id(fold("UAW reaches tentative deal with Ford"))
    assert uaw.headline in {it.headline for it in ITEMS[:3]}
    assert result.counts["items"] == 7 and result.counts["stories"] == 4


def test_ids_do_not_depend_on_input_order():
    first = cluster_stories(ITEMS, backend=LexicalBackend())
    shuffled = ITEMS[:]
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        again = cluster_stories(shuffled, backend=LexicalBackend())
        assert dict(again.assignments) == dict(first.assignments)


def test_window_keeps_distant_items_apart():
    late = Item(id="late", headline="UAW reaches tentative deal with Ford", timestamp=T0 + timedelta(days=30))
    result = cluster_stories([*ITEMS[:2], late], backend=LexicalBackend(), options=StoriesOptions(window_hours=48))
    assert result.story_of("late") != result.story_of("a1")


def test_no_chaining_through_a_bridge():
    # a-b and b-c are strong, a-c is very negative: average link with the gate refuses a chain
    scores = np.array([[0, 0.9, -2.0], [0.9, 0, 0.9], [-2.0, 0.9, 0]], dtype=np.float32)
    labels = agglomerate(scores, link=0.5, merge=0.3)
    assert len(set(labels)) == 2
    assert agglomerate(np.array([[0, 0.9, 0.6], [0.9, 0, 0.9], [0.6, 0.9, 0]], dtype=np.float32),
                       link=0.5, merge=0.3) == [0, 0, 0]


def test_duplicate_ids_rejected():
    import pytest

    with pytest.raises(ValueError):
        cluster_stories([ITEMS[0], ITEMS[0]], backend=LexicalBackend())


def test_small_average_link_is_the_numpy_one_ties_included():
    import numpy as np

    from thresher.stories.cluster import _average_link_numpy, _average_link_small

    rng = np.random.default_rng(1)
    for trial in range(400):
        n = int(rng.integers(2, 16))
        a = np.round(rng.uniform(-0.2, 1.0, (n, n)), 1 if trial % 2 else 3)  # one decimal: many ties
        a = np.minimum(a, a.T)
        if trial % 5 == 0:
            i, j = rng.integers(0, n, 2)
            a[i, j] = a[j, i] = -np.inf  # outside the time window
        for link, merge in ((0.6, 0.35), (0.25, 0.22)):
            assert _average_link_small(a, link=link, merge=merge) == _average_link_numpy(a, link=link, merge=merge)


def _agglomerate_numpy(scores: np.ndarray, *, link: float, merge: float) -> list[int]:
    """``agglomerate`` on its numpy path (no group counted as small, no C)."""
    from thresher.stories import cluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cluster, "SMALL", 0)
        patch.setattr(cluster, "_agglomerate_c", None)
        return cluster.agglomerate(scores, link=link, merge=merge)


def _agglomerate_lists(scores: np.ndarray, *, link: float, merge: float) -> list[int]:
    """``agglomerate`` on its path over Python lists (every group counted as small, no C)."""
    from thresher.stories import cluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cluster, "SMALL", 10**6)
        patch.setattr(cluster, "_agglomerate_c", None)
        return cluster.agglomerate(scores, link=link, merge=merge)


def _compiled_or_skip(found: object, name: str) -> None:
    required.compiled(found, name)


def test_small_agglomerate_on_lists_is_the_numpy_one():
    # float32 scores at the threshold's float32 rounding (0.3 is not exact), -inf and ties
    rng = np.random.default_rng(2)
    for trial in range(1500):
        link = float(rng.choice([0.25, 0.3, 0.1 + 0.2, 0.35, 0.6]))
        n = int(rng.integers(1, 25))
        values = np.array([0.1, 0.2, 0.22, 0.25, 0.3, link, 0.4, 0.9, -np.inf], dtype=np.float32)
        a = np.triu(rng.choice(values, size=(n, n)), 1)
        a = a + a.T
        for merge in (0.22, 0.35):
            want = _agglomerate_numpy(a, link=link, merge=merge)
            assert _agglomerate_lists(a, link=link, merge=merge) == want, trial
            assert agglomerate(a, link=link, merge=merge) == want, trial  # in C when built
            wide = a.astype(np.float64)
            assert agglomerate(wide, link=link, merge=merge) == _agglomerate_numpy(wide, link=link, merge=merge)


def test_agglomerate_in_c_is_the_python_one_large_groups_too():
    from thresher.stories import cluster

    _compiled_or_skip(cluster._agglomerate_c, "stories_agglomerate")
    rng = np.random.default_rng(5)
    for trial in range(300):
        n = int(rng.integers(1, 70))  # beyond SMALL: the numpy path
        step = float(rng.choice([0.05, 0.1, 0.25]))
        a = (np.round(rng.random((n, n)) / step) * step).astype(np.float32)  # ties
        a = np.minimum(a, a.T)
        a[np.logical_or(*np.broadcast_arrays(rng.random((n, 1)) < 0.05, rng.random((1, n)) < 0.05))] = -np.inf
        a = np.minimum(a, a.T)
        for link, merge in ((0.6, 0.35), (0.25, 0.22), (0.3, 0.5)):
            want = _agglomerate_numpy(a, link=link, merge=merge)
            assert cluster._agglomerate_c(a, float(np.float32(link)), link, merge) == want, trial
    with pytest.raises(ValueError):
        cluster._agglomerate_c(np.zeros(3, dtype=np.float32), 0.3, 0.3, 0.2)
    with pytest.raises(TypeError):
        cluster._agglomerate_c(np.zeros((2, 2)), 0.3, 0.3, 0.2)  # float64: numpy or lists


def test_linked_groups_in_c_are_the_union_find_ones():
    from thresher.stories import cluster

    _compiled_or_skip(cluster._groups_c, "stories_groups")
    rng = np.random.default_rng(6)
    for trial in range(300):
        n = int(rng.integers(0, 40))
        k = int(rng.integers(0, 30)) if n else 0
        left = rng.integers(0, max(n, 1), k).astype(np.int64)
        right = rng.integers(0, max(n, 1), k).astype(np.int64)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(cluster, "_groups_c", None)
            want = cluster.linked_groups(n, left, right)
        assert cluster.linked_groups(n, left, right) == want, trial
    with pytest.raises(IndexError):
        cluster._groups_c(2, np.array([0], dtype=np.int64), np.array([2], dtype=np.int64))


def test_clustering_does_not_depend_on_the_c_loops(ticker, monkeypatch):
    """Every C loop of the clustering switched off: the same stories, ids, headlines and counts."""
    from thresher.stories import cluster, collapse, pairs, text

    base, _ = ticker
    stamped = [Item(id=f"{it.id}-{day}", headline=it.headline, outlet="x.com",
                    timestamp=T0 + timedelta(hours=30 * day + k % 7)) for day in range(3) for k, it in enumerate(base)]
    inputs = [base, ITEMS, stamped]
    option_sets = [StoriesOptions(), StoriesOptions(link_threshold=0.15, merge_threshold=0.1),
                   StoriesOptions(max_component=3)]
    with_c = [cluster_stories(items, opts, backend=LexicalBackend()) for items in inputs for opts in option_sets]
    for module, name in ((text, "_terms_ascii"), (text, "_ascii"), (pairs, "_csr"), (pairs, "_block_pairs"),
                         (pairs, "_sparse_dot"), (cluster, "_agglomerate_c"), (cluster, "_groups_c"),
                         (collapse, "_collapse_c")):
        monkeypatch.setattr(module, name, None)
    monkeypatch.setattr(text, "_gather", text._gather_python)
    monkeypatch.setattr(collapse, "_shingles", collapse._shingles_python)
    text.clear_cache()
    without = [cluster_stories(items, opts, backend=LexicalBackend()) for items in inputs for opts in option_sets]
    assert without == with_c
    assert any(len(s.members) > 2 for r in with_c for s in r.stories)
    text.clear_cache()


def test_no_items_no_stories():
    from thresher.stories.cluster import cluster_stories as cluster

    result = cluster([])
    assert result.stories == () and dict(result.assignments) == {} and result.counts["items"] == 0


# Evergreen pages of one topic (written for Thresher, Apache-2.0): as headlines they look alike.
CLOUD = [
    ("cloud-1", "What is Cloud Computing?", "Cloud computing is the delivery of computing services over the internet."),
    ("cloud-2", "Investing in Cloud Computing Stocks", "Cloud computing stocks have grown as computing moves online."),
]


def test_undated_documents_on_one_topic_are_not_a_story():
    """Issue 9: a general crawl made "stories" of undated evergreen pages that share a topic; an undated
    document has no time window, so it joins only a near-identical item."""
    as_headlines = [Item(id=i, headline=h, lead=lead) for i, h, lead in CLOUD]
    assert groups(cluster_stories(as_headlines, StoriesOptions(backend="lexical"))) == [["cloud-1", "cloud-2"]]
    as_documents = [Item(id=i, headline=h, lead=lead, document=True) for i, h, lead in CLOUD]
    assert groups(cluster_stories(as_documents, StoriesOptions(backend="lexical"))) == [["cloud-1"], ["cloud-2"]]


def test_an_undated_document_joins_its_near_identical_copy_only():
    copy = "UAW reaches tentative deal with Ford", "The union and the carmaker agreed on a new contract."
    docs = [Item(id="p1", headline=copy[0], lead=copy[1], document=True),
            Item(id="p2", headline=copy[0], lead=copy[1], document=True, outlet="mirror.example"),
            Item(id="p3", headline="UAW reaches tentative labor agreement with Ford", lead=copy[1], document=True,
                 timestamp=T0)]
    assert groups(cluster_stories(docs, StoriesOptions(backend="lexical"))) == [["p1", "p2"], ["p3"]]


def test_dated_documents_of_one_event_still_share_a_story():
    docs = [Item(id=it.id, headline=it.headline, outlet=it.outlet, timestamp=it.timestamp, document=True)
            for it in ITEMS]
    plain = groups(cluster_stories(ITEMS, StoriesOptions(backend="lexical")))
    assert groups(cluster_stories(docs, StoriesOptions(backend="lexical"))) == plain
    assert ["a1", "a2", "a3"] in plain


def test_the_outlets_name_at_the_end_is_not_compared():
    npr = Item(id="n1", headline="Giant pandas leave National Zoo early for China : NPR", outlet="npr.org",
               timestamp=T0 + timedelta(hours=6))
    result = cluster_stories([*ITEMS, npr], backend=LexicalBackend())
    assert result.story_of("n1") == result.story_of("c2")
    alone = cluster_stories([npr], backend=LexicalBackend())
    assert alone.stories[0].id == story_id(fold("Giant pandas leave National Zoo early for China"))
    assert alone.stories[0].headline == npr.headline  # shown as published
