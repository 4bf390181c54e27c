"""A lean forward pass of a BERT-style sentence encoder (MiniLM), for short texts on a CPU core.

The Hugging Face ``BertModel`` computes the same numbers; this pass drops what headlines do not
need and fuses what it can: the query, key and value projections are one matrix product, attention
is PyTorch's fused ``scaled_dot_product_attention``, there is no pooler, no dropout module and no
per-call module dispatch. Texts are tokenised once (fast tokenizer, no padding), sorted by length
and cut into batches of similar length, so padding stays small. The output is the masked mean of
the last hidden states (sentence-transformers' pooling), L2-normalised.

``quantize=True`` runs the four matrix products of each layer in int8 (``QuantizedLinear``); layer
norms, attention, GELU and pooling stay in float32.

Imported only by the embedding backend (it needs torch): its ``torch`` runtime, used when ONNX
Runtime (``onnx_encoder``, the default on a CPU) is not installed, off the CPU, or when asked for.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from thresher.stories.batching import padded_batches

F32 = npt.NDArray[np.float32]


class LeanEncoder:
    """Mean-pooled, unit-length sentence vectors from a ``BertModel`` and its fast tokenizer."""

    def __init__(
        self, tokenizer: Any, model: Any, *, max_tokens: int, batch_tokens: int = 512, quantize: bool = False
    ) -> None:
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.batch_tokens = batch_tokens
        config = model.config
        if getattr(config, "position_embedding_type", "absolute") != "absolute" or config.hidden_act != "gelu":
            raise ValueError("the lean encoder runs BERT models with absolute positions and exact GELU only")
        self.heads = int(config.num_attention_heads)
        self.eps = float(config.layer_norm_eps)
        self.dim = int(config.hidden_size)
        emb = model.embeddings
        self.word = emb.word_embeddings.weight.detach()
        self.device = self.word.device
        self.position = emb.position_embeddings.weight.detach()
        self.token_type = emb.token_type_embeddings.weight.detach()[0]
        self.emb_norm = (emb.LayerNorm.weight.detach(), emb.LayerNorm.bias.detach())
        self.layers: list[tuple[torch.Tensor, ...]] = []
        for layer in model.encoder.layer:
            att = layer.attention
            qkv_w = torch.cat([att.self.query.weight, att.self.key.weight, att.self.value.weight]).detach()
            qkv_b = torch.cat([att.self.query.bias, att.self.key.bias, att.self.value.bias]).detach()
            self.layers.append((
                qkv_w.contiguous(), qkv_b.contiguous(),
                att.output.dense.weight.detach(), att.output.dense.bias.detach(),
                att.output.LayerNorm.weight.detach(), att.output.LayerNorm.bias.detach(),
                layer.intermediate.dense.weight.detach(), layer.intermediate.dense.bias.detach(),
                layer.output.dense.weight.detach(), layer.output.dense.bias.detach(),
                layer.output.LayerNorm.weight.detach(), layer.output.LayerNorm.bias.detach(),
            ))
        self.quantized: list[tuple[QuantizedLinear, ...]] | None = None
        if quantize:
            if self.device.type != "cpu":
                raise ValueError("the int8 encoder runs on the CPU only (fbgemm kernels)")
            self.quantized = []
            norm = self.emb_norm  # the layer norm whose output feeds the next QKV projection
            for qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, i_w, i_b, f_w, f_b, n2_w, n2_b in self.layers:
                self.quantized.append((
                    QuantizedLinear(qkv_w, qkv_b, smooth=norm), QuantizedLinear(o_w, o_b),
                    QuantizedLinear(i_w, i_b, smooth=(n1_w, n1_b)), QuantizedLinear(f_w, f_b),
                ))
                norm = (n2_w, n2_b)

    def encode(self, texts: Sequence[str]) -> F32:
        """One unit vector per text (rows in the order of ``texts``)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids: list[list[int]] = self.tokenizer(list(texts), truncation=True, max_length=self.max_tokens,
                                              return_attention_mask=False,
                                              return_token_type_ids=False)["input_ids"]
        with torch.inference_mode():
            for rows, batch, mask in padded_batches(ids, self.batch_tokens):
                out[rows] = self.forward(torch.from_numpy(batch).to(self.device),
                                         torch.from_numpy(mask).bool().to(self.device)).cpu().numpy()
        return out

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, *, normalise: bool = True) -> torch.Tensor:
        """Mean-pooled last states of a padded batch of token ids (``mask``: real tokens), unit length
        unless ``normalise`` is false."""
        b, t = ids.shape
        d, h = self.dim, self.heads
        x = self.word[ids] + self.position[:t] + self.token_type
        x = F.layer_norm(x, (d,), *self.emb_norm, eps=self.eps)
        full = bool(mask.all())
        attn_mask = None if full else mask[:, None, None, :]
        for k, (qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, i_w, i_b, f_w, f_b, n2_w, n2_b) in enumerate(self.layers):
            if self.quantized is None:
                qkv = F.linear(x, qkv_w, qkv_b)
            else:
                q_qkv, q_o, q_i, q_f = self.quantized[k]
                qkv = q_qkv(x)
            qkv = qkv.view(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
            att = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
            att = att.transpose(1, 2).reshape(b, t, d)
            if self.quantized is None:
                x = F.layer_norm(F.linear(att, o_w, o_b) + x, (d,), n1_w, n1_b, eps=self.eps)
                inner = F.gelu(F.linear(x, i_w, i_b))
                x = F.layer_norm(F.linear(inner, f_w, f_b) + x, (d,), n2_w, n2_b, eps=self.eps)
            else:
                x = F.layer_norm(q_o(att) + x, (d,), n1_w, n1_b, eps=self.eps)
                x = F.layer_norm(q_f(F.gelu(q_i(x))) + x, (d,), n2_w, n2_b, eps=self.eps)
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return F.normalize(pooled, dim=1) if normalise else pooled


class QuantizedLinear:
    """``F.linear(x, weight, bias)`` with int8 weights and int8 activations, through the fbgemm
    kernels of PyTorch (``quantized::linear_dynamic``), each token quantised on its own.

    Weights: symmetric, one scale per output channel. Activations: each row (token) is mapped
    affinely onto [0, 1] (its minimum to 0, its maximum to 1) and one extra row holding exactly 0
    and 1 is appended, so the kernel's per-call range is always [0, 1] and a token's quantisation
    does not depend on the other tokens of the batch; the row's offset and span are put back in
    float32 afterwards. (A headline's vector alone and in a batch still differ a little: float32
    attention over padded and unpadded rows rounds differently, and a value at a step's edge may
    fall either way: cosine >= 0.997 on stories-dev, against 0.98 with one range per batch.) The range is 7-bit
    (``reduce_range``): AVX2 has no int8 dot product, and the kernel's 16-bit pair sums would
    saturate on 8-bit activations. ``smooth``: the (weight, bias) of the layer norm that feeds
    this product; its per-channel magnitude estimates the activations' and moves part of their
    outlier channels into the weights (SmoothQuant's migration, alpha 0.5, from weights only).
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor,
                 smooth: tuple[torch.Tensor, torch.Tensor] | None = None) -> None:
        self.scale: torch.Tensor | None = None
        if smooth is not None:
            activation = (smooth[0].abs() + smooth[1].abs()).clamp(min=1e-5)
            migrate = activation.sqrt() / weight.abs().amax(0).clamp(min=1e-5).sqrt()
            weight = weight * migrate[None, :]
            self.scale = 1.0 / migrate
        step = (weight.abs().amax(1) / 127.0).clamp(min=1e-8)
        with warnings.catch_warnings():  # the quantised tensor API is deprecated, its kernels are not
            warnings.simplefilter("ignore")
            q = torch.quantize_per_channel(weight, step.double(), torch.zeros(len(step), dtype=torch.long), 0,
                                           torch.qint8)
            self.packed = torch.ops.quantized.linear_prepack(q, None)
            self.row_sums = q.dequantize().sum(1)  # of the weights the kernel multiplies by
        self.bias = bias

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        if self.scale is not None:
            x = x * self.scale
        low, high = torch.aminmax(x, dim=1, keepdim=True)
        span = (high - low).clamp_(min=1e-12)
        inverse = span.reciprocal()
        unit = torch.empty((x.shape[0] + 1, x.shape[1]), dtype=x.dtype)
        torch.addcmul(-low * inverse, x, inverse, out=unit[:-1])  # (x - low) / span in one pass
        unit[-1] = 0.0
        unit[-1, 0] = 1.0
        y = torch.ops.quantized.linear_dynamic(unit, self.packed, True)[:-1]
        y = torch.addcmul(torch.addr(self.bias.expand(len(x), -1), low[:, 0], self.row_sums), y, span)
        return y.view(*shape[:-1], -1)
