"""Refine aligned block labels against the WCXB word-bag F1 itself.

The alignment (``train_html_model.align``) labels a block main when its words occur in the ground
truth; on pages that repeat blocks (a menu twice, a card title in a list and in a sidebar) or mix a
few content words into boilerplate, that set is not the best one the page's blocks could give.
``refine`` flips labels, one block at a time in reading order, while the page's word-bag F1 rises
by more than ``min_gain``: the labels then describe the best-scoring selection of blocks, which is
what the classifier is asked to reproduce.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from wcxb_metric import tokens


def f1_of(hit: float, n_pred: float, n_truth: float) -> float:
    """Word-bag F1 from the overlap and the two sizes (an empty truth wants an empty prediction)."""
    if n_truth == 0:
        return 1.0 if n_pred == 0 else 0.0
    if hit == 0:
        return 0.0
    return 2 * hit / (n_pred + n_truth)


def ascend(blocks: Sequence[np.ndarray], truth: np.ndarray, start: np.ndarray, min_gain: float,
           passes: int = 4) -> np.ndarray:
    """Blocks as arrays of word ids, the truth as counts per word id: flip blocks (in reading order,
    up to ``passes`` passes) while the page's bag F1 rises by more than ``min_gain``."""
    keep = np.asarray(start, dtype=bool).copy()
    n_truth = float(truth.sum())
    pred = np.zeros(len(truth), dtype=np.int64)
    counts = []
    for b, k in zip(blocks, keep, strict=True):
        u, c = np.unique(b, return_counts=True) if len(b) else (b, b)
        counts.append((u, c))
        if k and len(b):
            pred[u] += c
    hit = float(np.minimum(pred, truth).sum())
    n_pred = float(pred.sum())
    for _ in range(passes):
        changed = False
        for j, (u, c) in enumerate(counts):
            if not len(u):
                continue
            before = np.minimum(pred[u], truth[u]).sum()
            delta = -c if keep[j] else c
            after = np.minimum(pred[u] + delta, truth[u]).sum()
            new_hit, new_pred = hit - before + after, n_pred + delta.sum()
            if f1_of(new_hit, new_pred, n_truth) > f1_of(hit, n_pred, n_truth) + min_gain:
                pred[u] += delta
                hit, n_pred = new_hit, new_pred
                keep[j] = not keep[j]
                changed = True
        if not changed:
            break
    return keep


def refine(texts: Sequence[str], truth: str, labels: Sequence[int], min_gain: float) -> list[int]:
    """``ascend`` on block texts and the ground-truth text."""
    vocab: dict[str, int] = {}
    blocks = [np.array([vocab.setdefault(t, len(vocab)) for t in tokens(text)], dtype=np.int64)
              for text in texts]
    truth_ids = [vocab.setdefault(t, len(vocab)) for t in tokens(truth)]
    counts = np.bincount(np.array(truth_ids, dtype=np.int64), minlength=len(vocab)) if truth_ids \
        else np.zeros(len(vocab), dtype=np.int64)
    return [int(k) for k in ascend(blocks, counts, np.array(labels, dtype=bool), min_gain)]
