"""Texts' token ids cut into padded batches of similar length, for the sentence encoders."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


def padded_batches(ids: Sequence[Sequence[int]], batch_tokens: int) -> Iterator[tuple[list[int], I64, I64]]:
    """The texts sorted by their number of tokens and cut into batches of about ``batch_tokens``
    tokens (at least one text each), so padding stays small: per batch the rows it holds (indices
    into ``ids``), their ids padded with 0 to the longest, and the mask of real tokens (1) in int64."""
    order = sorted(range(len(ids)), key=lambda k: len(ids[k]))
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * len(ids[order[stop]]) <= batch_tokens:
            stop += 1
        rows = order[start:stop]
        longest = len(ids[rows[-1]])
        batch = np.zeros((len(rows), longest), dtype=np.int64)
        mask = np.zeros((len(rows), longest), dtype=np.int64)
        for r, k in enumerate(rows):
            batch[r, : len(ids[k])] = ids[k]
            mask[r, : len(ids[k])] = 1
        yield rows, batch, mask
        start = stop
