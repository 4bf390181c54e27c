import numpy as np
import pytest

from thresher.dedup.corpus import deduplicate
from thresher.dedup.options import DedupOptions
from thresher.errors import ThresherError

STORY = (
    "The city council approved the new budget on Tuesday after a long debate about schools, "
    "roads and the future of the public library, which will now stay open on Sundays."
)


def test_exact_near_and_distinct_documents():
    docs = [
        ("a", STORY),
        ("b", STORY.upper() + "  "),  # exact after normalisation
        ("c", STORY + " Read more at our site."),  # near: a few shingles more, and longest
        ("d", "A completely unrelated text about the weather in the mountains this weekend."),
    ]
    result = deduplicate(docs)
    assert result.survivors == ("c", "d")
    assert dict(result.duplicate_of) == {"a": "c", "b": "c"}
    assert result.groups == (("c", "a", "b"),)
    assert result.stats.exact_duplicates == 1
    assert result.stats.verified_pairs == 1
    assert result.stats.documents == 4 and result.stats.duplicates == 2 and result.stats.groups == 1


def test_exact_mode_ignores_near_duplicates():
    docs = [("a", STORY), ("b", STORY + " Read more at our site."), ("c", STORY.lower())]
    result = deduplicate(docs, DedupOptions(mode="exact"))
    assert result.survivors == ("a", "b")
    assert dict(result.duplicate_of) == {"c": "a"}
    assert result.stats.candidate_pairs == 0


def test_survivor_is_deterministic_under_ties():
    docs = [("x2", STORY), ("x1", STORY), ("x3", STORY)]
    assert deduplicate(docs).survivors == ("x2",)


def test_transitive_chains_form_one_group():
    words = STORY.split() * 3
    a = " ".join(words)
    b = " ".join([*words[:40], "changed", *words[41:]])
    c = " ".join([*words[:40], "changed", *words[41:80], "again", *words[81:]])
    result = deduplicate([("a", a), ("b", b), ("c", c)], DedupOptions(threshold=0.85))
    assert len(result.groups) == 1 and set(result.groups[0]) == {"a", "b", "c"}


def test_empty_texts_and_empty_input():
    result = deduplicate([("e1", ""), ("e2", " ! "), ("t", STORY)])
    assert result.survivors == ("e2", "t")  # " ! " is longer than ""
    assert dict(result.duplicate_of) == {"e1": "e2"}
    empty = deduplicate([])
    assert empty.survivors == () and empty.groups == () and empty.stats.documents == 0


def test_duplicate_ids_are_broken_input():
    with pytest.raises(ThresherError) as error:
        deduplicate([("a", "x"), ("a", "y")])
    assert error.value.reason == "invalid_record"


def test_result_is_read_only():
    result = deduplicate([("a", STORY), ("b", STORY)])
    with pytest.raises(TypeError):
        result.duplicate_of["b"] = "z"  # type: ignore[index]


def test_planted_corpus_precision_and_recall():
    rng = np.random.default_rng(11)
    originals = [" ".join(f"w{int(i)}" for i in rng.integers(0, 30000, size=200)) for _ in range(200)]
    docs = [(f"o{k}", text) for k, text in enumerate(originals)]
    for k in range(0, 200, 4):
        words = originals[k].split()
        words[int(rng.integers(len(words)))] = "e"  # shorter: the original survives
        docs.append((f"c{k}", " ".join(words)))
    result = deduplicate(docs, DedupOptions(batch_size=64))
    assert dict(result.duplicate_of) == {f"c{k}": f"o{k}" for k in range(0, 200, 4)}
    assert result.stats.verified_pairs == 50


def test_small_batches_change_nothing():
    rng = np.random.default_rng(5)
    texts = [" ".join(f"w{int(i)}" for i in rng.integers(0, 50, size=30)) for _ in range(60)]
    docs = [(str(k), t) for k, t in enumerate(texts)]
    assert deduplicate(docs, DedupOptions(batch_size=1)) == deduplicate(docs, DedupOptions(batch_size=1000))
