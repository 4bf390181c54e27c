"""Candidate pairs and their scores without comparing all pairs (vectorised in numpy; the loops that
numpy cannot vectorise, and the building of the sparse rows, also in C: ``_speedups_stories.c``).

Blocking: two items are a candidate pair only when they share a content term (a key of
``Terms.words``) that at most ``max_block`` items contain, and their timestamps (when both have one)
are within the window. A pair that shares no term can still end up in one story, through the
average link inside a connected component (``cluster``), but it never links two components. On
stories-dev the candidates are 3.5 % of all pairs and hold 92 % of the same-story pairs.

``pair_scores`` gives the score of ``similarity.score_matrix`` for a list of pairs, each pair
computed on its own (its value does not depend on the other pairs in the call, up to the rounding
to ``DECIMALS`` places) so an engine may score the pairs in any batches and get the same edges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property

import numpy as np
import numpy.typing as npt

from thresher.compiled import extension
from thresher.stories.similarity import F32, IDF_PRIOR, Weights, informative_numbers
from thresher.stories.text import Terms

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
DECIMALS = 6
"""Pair scores are rounded to this many places, so summation order never moves an edge across a threshold."""


def candidate_pairs(
    index: TermIndex,
    document_frequency: F64,
    *,
    max_block: int,
    times: F64 | None = None,
    window: float = 0.0,
) -> tuple[I64, I64]:
    """``(left, right)`` item indices (``left < right``, sorted, distinct) of the pairs that share a
    blocking term (``document_frequency``, per word id of ``index``, from 2 to ``max_block``) and are
    not further apart than ``window`` seconds (``times``: POSIX seconds per item, NaN for none)."""
    words = index.words
    if _block_pairs is not None:
        raw_left, raw_right = _block_pairs(words.indptr, np.ascontiguousarray(words.ids, dtype=np.int64),
                                           np.ascontiguousarray(document_frequency, dtype=np.float64),
                                           2.0, float(max_block))
        left, right = np.frombuffer(raw_left, dtype=np.int64), np.frombuffer(raw_right, dtype=np.int64)
    else:
        df = document_frequency[words.ids]
        block = (df >= 2) & (df <= max_block)
        left, right = pairs_in_blocks(words.ids[block], words.owner[block])
    if times is not None and len(left):
        with np.errstate(invalid="ignore"):
            far = np.abs(times[left] - times[right]) > window
        left, right = left[~far], right[~far]
    return left, right


def pairs_in_blocks(keys: I64, owners: I64) -> tuple[I64, I64]:
    """Every pair of distinct owners that share a key (each ``(key, owner)`` given at most once)."""
    if len(keys) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    group_end = np.repeat(ends, ends - starts)
    after = group_end - np.arange(len(keys)) - 1  # partners of each position later in its block
    first = np.repeat(np.arange(len(keys)), after)
    offsets = np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after)
    a, b = owners[first], owners[first + 1 + offsets]
    n = int(owners.max()) + 1
    codes = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
    return codes // n, codes % n


class SparseRows:
    """Items as sparse rows over one vocabulary (CSR, ids ascending in a row): term counts or sets."""

    def __init__(self, rows: Iterable[Iterable[str]]) -> None:
        vocab: dict[str, int] = {}
        if _csr is not None:
            ids, values, indptr = _csr(rows, vocab)
            self.vocab = list(vocab)
            self.size = max(1, len(vocab))
            self.ids = np.frombuffer(ids, dtype=np.int64)
            self.values = np.frombuffer(values, dtype=np.float64)
            self.indptr = np.frombuffer(indptr, dtype=np.int64)
            return
        self._build_python(rows, vocab)

    @cached_property
    def owner(self) -> I64:
        """The row of each entry (``ids[k]`` is in row ``owner[k]``)."""
        return np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))

    def _build_python(self, rows: Iterable[Iterable[str]], vocab: dict[str, int]) -> None:
        """The arrays of ``__init__`` in numpy (``stories_csr`` of ``_speedups_stories.c`` builds the
        same in C: ids in first-seen order, each row's distinct ids ascending with their counts)."""
        lists = [list(row) for row in rows]
        ids = [vocab.setdefault(w, len(vocab)) for row in lists for w in row]
        n = len(lists)
        owners = np.repeat(np.arange(n, dtype=np.int64), [len(row) for row in lists])
        self.vocab = list(vocab)
        self.size = max(1, len(vocab))
        codes, counts = np.unique(owners * self.size + np.array(ids, dtype=np.int64),
                                  return_counts=True)
        owner = codes // self.size
        self.ids = codes % self.size
        self.values = counts.astype(np.float64)
        self.indptr = np.searchsorted(owner, np.arange(n + 1)).astype(np.int64)

    def nonempty(self) -> npt.NDArray[np.bool_]:
        return np.diff(self.indptr) > 0

    def frequency(self) -> F64:
        """Rows each id occurs in."""
        return np.bincount(self.ids, minlength=self.size).astype(np.float64)

    def dot(self, left: I64, right: I64, values: F64 | None = None) -> F64:
        """Per pair, the sum over shared ids of the product of the two values (default: the counts)."""
        vals = self.values if values is None else values
        if _sparse_dot is not None:
            raw = _sparse_dot(self.indptr, self.ids,  # both built here: contiguous int64
                              vals if vals is self.values else np.ascontiguousarray(vals, dtype=np.float64),
                              np.ascontiguousarray(left, dtype=np.int64), np.ascontiguousarray(right, dtype=np.int64))
            return np.frombuffer(raw, dtype=np.float64).copy()  # writable, like the numpy result
        return self._dot_python(left, right, vals)

    def _dot_python(self, left: I64, right: I64, vals: F64) -> F64:
        """``dot`` in numpy (``stories_sparse_dot`` of ``_speedups_stories.c`` is the same in C: the
        products of a pair added in the left row's order, from 0.0)."""
        kl, pl = _expand(self.indptr, left)
        kr, pr = _expand(self.indptr, right)
        if not len(pl) or not len(pr):
            return np.zeros(len(left), dtype=np.float64)
        # Both code arrays ascend (pairs in order, ids ascending within a row): a lookup, no sort.
        code_l = kl * self.size + self.ids[pl]
        code_r = kr * self.size + self.ids[pr]
        at = np.minimum(np.searchsorted(code_r, code_l), len(code_r) - 1)
        hit = code_r[at] == code_l
        sums = np.bincount(kl[hit], weights=vals[pl[hit]] * vals[pr[at[hit]]], minlength=len(left))
        return sums.astype(np.float64, copy=False)


class TermIndex:
    """The terms of a batch of items as integer arrays, one vocabulary per kind of term."""

    def __init__(self, all_terms: Sequence[Terms]) -> None:
        self.n = len(all_terms)
        self.words = SparseRows(t.words for t in all_terms)
        self.entities = SparseRows(t.entities for t in all_terms)
        self.plain = SparseRows(t.plain for t in all_terms)
        self._terms = all_terms
        self._tfidf: tuple[F64, F64] | None = None

    def opener_meets_plain(self, left: I64, right: I64) -> npt.NDArray[np.bool_]:
        """Per pair: whether an opener (``Terms.openers``) of one item is a plain word of the other
        (set tests, as ``similarity.score_matrix`` makes them; asked only for the pairs that share a
        name and no plain word)."""
        t = self._terms
        return np.array([t[i].opener_meets_plain(t[j]) for i, j in zip(left.tolist(), right.tolist(), strict=True)],
                        dtype=bool)

    @cached_property
    def numbers(self) -> SparseRows:
        """The informative numbers (built when first read: only weights with a number part need them)."""
        return SparseRows(informative_numbers(t) for t in self._terms)

    def idf(self, document_frequency: F64, items: int) -> F64:
        """``similarity.idf_table`` per word id, from each word's document frequency among ``items``."""
        return np.log((items + IDF_PRIOR + 1) / (document_frequency + 0.5))

    def tfidf(self, idf: F64) -> F64:
        """Unit-length TF-IDF weights of ``words`` (``similarity.score_matrix``'s lexical part); the
        last result is kept for the same ``idf`` array (a batch scores its pairs in two calls)."""
        if self._tfidf is not None and self._tfidf[0] is idf:
            return self._tfidf[1]
        words = self.words
        weights = words.values * idf[words.ids]
        norms = np.sqrt(np.bincount(words.owner, weights=weights * weights, minlength=self.n))
        found = weights / np.where(norms > 0, norms, 1.0)[words.owner]
        found.flags.writeable = False
        self._tfidf = (idf, found)
        return found


def _expand(indptr: I64, rows: I64) -> tuple[I64, I64]:
    """For the rows ``rows`` of a CSR matrix: (position in ``rows``, index of the entry) per entry."""
    counts = indptr[rows + 1] - indptr[rows]
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    starts = np.repeat(indptr[rows] - (np.cumsum(counts) - counts), counts)
    return owner, starts + np.arange(int(counts.sum()), dtype=np.int64)


def pair_scores(
    index: TermIndex,
    left: I64,
    right: I64,
    idf: F64,
    weights: Weights,
    *,
    vectors: F32 | None = None,
    times: F64 | None = None,
) -> F64:
    """The score of each pair of items ``(left[k], right[k])`` of ``index`` (``idf`` per word id; no
    time window: give pairs within it). ``vectors``: unit embeddings, one row per item (rows of items
    in no pair may be anything); ``times``: POSIX seconds per item, NaN for none."""
    if not len(left):
        return np.zeros(0, dtype=np.float64)
    scores = weights.lexical * index.words.dot(left, right, index.tfidf(idf))
    if weights.embedding and vectors is not None:
        v = vectors.astype(np.float64, copy=False)
        scores += weights.embedding * np.einsum("ij,ij->i", v[left], v[right])
    if weights.number:
        scores += weights.number * (index.numbers.dot(left, right) > 0)
    if weights.conflict or weights.same_names:
        share = index.entities.dot(left, right) > 0
        has = index.entities.nonempty()
        if weights.conflict:
            scores -= weights.conflict * (has[left] & has[right] & ~share)
        if weights.same_names:
            has_plain = index.plain.nonempty()
            other_event = share & (index.plain.dot(left, right) == 0) & has_plain[left] & has_plain[right]
            if other_event.any():
                k = np.flatnonzero(other_event)
                other_event[k] = ~index.opener_meets_plain(left[k], right[k])
            scores -= weights.same_names * other_event
    if weights.per_day and times is not None:
        scores -= weights.per_day * np.nan_to_num(np.abs(times[left] - times[right]) / 86400.0)
    return np.round(scores, DECIMALS)


_compiled = extension()
_sparse_dot: Callable[[I64, I64, F64, I64, I64], bytes] | None = getattr(_compiled, "stories_sparse_dot", None)
_csr: Callable[[Iterable[Iterable[str]], dict[str, int]], tuple[bytes, bytes, bytes]] | None = getattr(
    _compiled, "stories_csr", None)
_block_pairs: Callable[[I64, I64, F64, float, float], tuple[bytes, bytes]] | None = getattr(
    _compiled, "stories_block_pairs", None)
"""``pairs_in_blocks`` of the blocking terms in C (``stories_block_pairs`` of ``_speedups_stories.c``)."""
