"""Verification of candidate pairs against their real shingle sets, so precision is exact.

Shingle sets are sorted unique uint64 arrays (``minhash.shingles``). Jaccard is
``|A ∩ B| / |A ∪ B|``; containment is ``|A ∩ B| / min(|A|, |B|)`` (a short text wholly inside a
longer one scores 1). Two empty sets score 0: no evidence of duplication (exact duplicates,
empty texts included, are found by ``exact``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import numpy as np

from thresher.dedup.minhash import U64

Measure = Literal["jaccard", "containment"]


def _intersection(a: U64, b: U64) -> int:
    return int(np.intersect1d(a, b, assume_unique=True).size)


def jaccard(a: U64, b: U64) -> float:
    """Jaccard similarity of two shingle sets."""
    if a.size == 0 or b.size == 0:
        return 0.0
    common = _intersection(a, b)
    return common / (a.size + b.size - common)


def containment(a: U64, b: U64) -> float:
    """Share of the smaller shingle set found in the other."""
    if a.size == 0 or b.size == 0:
        return 0.0
    return _intersection(a, b) / min(a.size, b.size)


def similarity(a: U64, b: U64, measure: Measure = "jaccard") -> float:
    """``jaccard`` or ``containment`` of two shingle sets."""
    return jaccard(a, b) if measure == "jaccard" else containment(a, b)


def verify_pairs(
    pairs: Iterable[tuple[int, int]],
    shingle_set: Callable[[int], U64],
    threshold: float,
    measure: Measure = "jaccard",
) -> list[tuple[int, int, float]]:
    """The candidate pairs whose real similarity is at least ``threshold``, with that similarity.

    ``shingle_set(i)`` gives the shingle set of document ``i`` (computed or looked up by the caller).
    Pairs come back in sorted order, so the result does not depend on set iteration order.
    """
    verified = []
    for i, j in sorted(pairs):
        score = similarity(shingle_set(i), shingle_set(j), measure)
        if score >= threshold:
            verified.append((i, j, score))
    return verified
