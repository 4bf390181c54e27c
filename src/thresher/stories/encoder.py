"""A lean forward pass of a BERT-style sentence encoder (MiniLM), for short texts on a CPU core.

The Hugging Face ``BertModel`` computes the same numbers; this pass drops what headlines do not
need and fuses what it can: the query, key and value projections are one matrix product, attention
is PyTorch's fused ``scaled_dot_product_attention``, there is no pooler, no dropout module and no
per-call module dispatch. Texts are tokenised once (fast tokenizer, no padding), sorted by length
and cut into batches of similar length, so padding stays small. The output is the masked mean of
the last hidden states (sentence-transformers' pooling), L2-normalised.

Imported only by the embedding backend (it needs torch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

F32 = npt.NDArray[np.float32]


class LeanEncoder:
    """Mean-pooled, unit-length sentence vectors from a ``BertModel`` and its fast tokenizer."""

    def __init__(self, tokenizer: Any, model: Any, *, max_tokens: int, batch_tokens: int = 512) -> None:
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

    def encode(self, texts: Sequence[str]) -> F32:
        """One unit vector per text (rows in the order of ``texts``)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids: list[list[int]] = self.tokenizer(list(texts), truncation=True, max_length=self.max_tokens,
                                              return_attention_mask=False,
                                              return_token_type_ids=False)["input_ids"]
        order = sorted(range(len(ids)), key=lambda k: len(ids[k]))
        with torch.inference_mode():
            start = 0
            while start < len(order):
                stop = start + 1
                while stop < len(order) and (stop - start + 1) * len(ids[order[stop]]) <= self.batch_tokens:
                    stop += 1
                rows = order[start:stop]
                longest = len(ids[rows[-1]])
                batch = torch.zeros((len(rows), longest), dtype=torch.long)
                mask = torch.zeros((len(rows), longest), dtype=torch.bool)
                for r, k in enumerate(rows):
                    batch[r, : len(ids[k])] = torch.tensor(ids[k], dtype=torch.long)
                    mask[r, : len(ids[k])] = True
                out[rows] = self.forward(batch.to(self.device), mask.to(self.device)).cpu().numpy()
                start = stop
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
        for qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, i_w, i_b, f_w, f_b, n2_w, n2_b in self.layers:
            qkv = F.linear(x, qkv_w, qkv_b).view(b, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
            att = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
            att = att.transpose(1, 2).reshape(b, t, d)
            x = F.layer_norm(F.linear(att, o_w, o_b) + x, (d,), n1_w, n1_b, eps=self.eps)
            inner = F.gelu(F.linear(x, i_w, i_b))
            x = F.layer_norm(F.linear(inner, f_w, f_b) + x, (d,), n2_w, n2_b, eps=self.eps)
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return F.normalize(pooled, dim=1) if normalise else pooled
