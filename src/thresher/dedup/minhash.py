"""MinHash signatures over word n-gram shingles, computed with numpy (no Python loop per token).

The choices, all deterministic across processes and machines (nothing uses Python's ``hash()``):

* **Token hash**: a polynomial over the token's lower-cased code points with a fixed odd 64-bit
  base, ``sum(c[i] * B**i) mod 2**64``, plus its length times a constant, through ``mix64`` (the
  splitmix64 finaliser). All tokens of a text are hashed at once from prefix sums over the text's
  code-point array (a few numpy passes, no loop per token).
* **Shingle hash**: a shingle of ``n`` consecutive token hashes is folded left to right,
  ``s = s * K + h[i + k]``, as ``n - 1`` vectorised passes over the token-hash array, then
  ``mix64`` (order matters: "a b" and "b a" differ). A text with fewer than ``n`` tokens (but at least one) is a
  single shingle of all its tokens; a text without tokens has no shingles. Shingle sets are kept as
  sorted unique uint64 arrays; verification computes Jaccard on them (64-bit: collisions are
  negligible).
* **Permutations**: signatures hold 32-bit values, like datasketch's. The top 32 bits ``x`` of each
  shingle hash go through ``num_perm`` hash functions ``p_i(x) = a_i * x + b_i mod 2**32`` with
  random odd ``a_i`` and random ``b_i`` from a splitmix64 stream of the seed: each is a bijection of
  the already well-mixed (uniform) values, so the minimum is a fair min-wise sample, and wrapping
  uint32 arithmetic makes the (num_perm x shingles) product three numpy passes (multiply, add,
  min) instead of datasketch's ``(a*x + b) mod (2**61 - 1)`` in uint64. The tests check that the
  estimate's error matches the binomial ``sqrt(J(1-J)/num_perm)``.
* An empty shingle set has the signature of all ``EMPTY`` (2**32 - 1) values; it estimates Jaccard
  0 against everything and gets no LSH band keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thresher.dedup.normalise import Tokenised, tokenise

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFF_FFFF)
_GOLDEN = np.uint64(0x9E37_79B9_7F4A_7C15)
_CHAR_BASE = np.uint64(0x7468_7265_7368_6573)  # odd: "thresher" + 1
_CHUNK = 8192  # shingles per block of the (num_perm x shingles) product: keeps it in cache


def mix64(x: U64) -> U64:
    """The splitmix64 finaliser, element-wise with wrapping uint64 arithmetic (a bijection)."""
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58_476D_1CE4_E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D0_49BB_1331_11EB)
    x ^= x >> np.uint64(31)
    return x


def _inverse(y: U64) -> U64:
    """Multiplicative inverses modulo 2**64 of odd numbers (Newton's iteration, 3 -> 96 bits)."""
    x = y.copy()
    for _ in range(5):
        x *= np.uint64(2) - y * x
    return x


def _powers(count: int) -> U64:
    """``_CHAR_BASE ** j mod 2**64`` for ``j`` in ``range(count)``."""
    power = np.full(count, _CHAR_BASE, dtype=np.uint64)
    power[:1] = 1
    np.multiply.accumulate(power, out=power)
    return power


_POWERS = _powers(1 << 16)
_INVERSE_POWERS = _inverse(_POWERS)
_POWERS.setflags(write=False)
_INVERSE_POWERS.setflags(write=False)


def hash_tokens(tok: Tokenised) -> U64:
    """One stable 64-bit hash per token (see the module notes), vectorised over the whole text.

    A polynomial over the code points with prefix sums: ``H[j] = sum(c[i] * B**i, i < j)``, so a
    token ``[s, e)`` hashes to ``(H[e] - H[s]) * B**-s`` (B is odd, hence invertible mod 2**64),
    its length is added and the sum goes through ``mix64``.
    """
    if len(tok) == 0:
        return np.empty(0, dtype=np.uint64)
    n = tok.chars.size
    small = n <= _POWERS.size
    power = _POWERS[:n] if small else _powers(n)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.multiply(tok.chars, power, out=prefix[1:])
    np.cumsum(prefix[1:], out=prefix[1:])
    polynomial = prefix[tok.ends] - prefix[tok.starts]
    polynomial *= _INVERSE_POWERS[tok.starts] if small else _inverse(power[tok.starts])
    polynomial += (tok.ends - tok.starts).astype(np.uint64) * _GOLDEN
    return mix64(polynomial)


def token_hashes(text: str) -> U64:
    """The hash of every token of a text, in order (tokenise, then ``hash_tokens``)."""
    return hash_tokens(tokenise(text))


def shingle_hashes(hashes: U64, ngram: int, *, unique: bool = True) -> U64:
    """Hashes of all word n-grams of a token-hash array; fewer than ``ngram`` tokens make one shingle.

    With ``unique`` (the default) the result is the shingle *set*: sorted, without repeats. A
    signature does not need that (the minimum ignores repeats), so the hot path skips the sort.
    """
    if ngram < 1:
        raise ValueError("ngram must be at least 1")
    count = hashes.size
    if count == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(ngram, count)
    acc = hashes[: count - width + 1].copy()
    for k in range(1, width):
        acc *= _GOLDEN
        acc += hashes[k : count - width + 1 + k]
    acc = mix64(acc)
    if not unique:
        return acc
    acc.sort()
    keep = np.empty(acc.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(acc[1:], acc[:-1], out=keep[1:])
    return acc[keep]


def shingles(text: str, ngram: int = 5) -> U64:
    """The shingle set of a text: sorted unique uint64 hashes of its word n-grams."""
    return shingle_hashes(token_hashes(text), ngram)


@dataclass(frozen=True, slots=True)
class Permutations:
    """The ``num_perm`` hash functions ``a * x + b mod 2**32`` of one seed (see the module notes)."""

    a: U32
    b: U32

    @classmethod
    def make(cls, num_perm: int = 128, seed: int = 1) -> Permutations:
        if num_perm < 1:
            raise ValueError("num_perm must be at least 1")
        # A splitmix64 stream (not numpy's generators, whose streams may change between versions).
        counter = np.arange(1, 2 * num_perm + 1, dtype=np.uint64) * _GOLDEN
        counter += np.uint64(seed * 0xD1B5_4A32_D192_ED03 % 2**64)
        values = (mix64(counter) >> np.uint64(32)).astype(np.uint32)
        a = (values[:num_perm] | np.uint32(1))[:, None]
        b = values[num_perm:, None]
        a.setflags(write=False)
        b.setflags(write=False)
        return cls(a=a, b=b)

    @property
    def num_perm(self) -> int:
        return int(self.a.shape[0])


def _top32(values: U64) -> U32:
    return (values >> np.uint64(32)).astype(np.uint32)


def signatures_of_shingles(shingle_sets: Sequence[U64], perms: Permutations) -> U32:
    """MinHash signatures of many shingle sets at once: an array of shape (len(sets), num_perm).

    The sets may hold repeats (``shingle_hashes(..., unique=False)``): the minimum ignores them.
    Sets are concatenated and multiplied in cache-sized blocks; the minimum per set is taken with
    ``np.minimum.reduceat``, so small documents cost no per-document numpy overhead.
    """
    out = np.full((len(shingle_sets), perms.num_perm), EMPTY, dtype=np.uint32)
    sizes = np.fromiter((s.size for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    buffer = np.empty((perms.num_perm, _CHUNK), dtype=np.uint32)
    doc = 0
    while doc < len(shingle_sets):
        if sizes[doc] == 0:
            doc += 1
            continue
        if sizes[doc] >= _CHUNK:  # a large set alone, in blocks
            values = _top32(shingle_sets[doc])
            for start in range(0, values.size, _CHUNK):
                part = values[None, start : start + _CHUNK]
                block = buffer[:, : part.shape[1]]
                np.multiply(perms.a, part, out=block)
                block += perms.b
                np.minimum(out[doc], block.min(axis=1), out=out[doc])
            doc += 1
            continue
        # Take the following small sets while they fit in one block.
        end, total = doc, 0
        while end < len(shingle_sets) and total + sizes[end] <= _CHUNK:
            total += int(sizes[end])
            end += 1
        members = [i for i in range(doc, end) if sizes[i] > 0]
        values = _top32(np.concatenate([shingle_sets[i] for i in members]))
        offsets = np.zeros(len(members), dtype=np.int64)
        np.cumsum(sizes[members][:-1], out=offsets[1:])
        block = buffer[:, : values.size]
        np.multiply(perms.a, values[None, :], out=block)
        block += perms.b
        out[members] = np.minimum.reduceat(block, offsets, axis=1).T
        doc = end
    return out


def signature_of_shingles(shingle_set: U64, perms: Permutations) -> U32:
    """The MinHash signature (``num_perm`` uint32 values) of one shingle set."""
    return signatures_of_shingles([shingle_set], perms)[0]


def signature(text: str, perms: Permutations, ngram: int = 5) -> U32:
    """The MinHash signature of one text: tokenise, shingle, min over the permutations."""
    return signature_of_shingles(shingle_hashes(token_hashes(text), ngram, unique=False), perms)


def signatures(texts: Sequence[str], perms: Permutations, ngram: int = 5) -> U32:
    """Signatures of many texts, shape (len(texts), num_perm): the batch form of ``signature``."""
    sets = [shingle_hashes(token_hashes(text), ngram, unique=False) for text in texts]
    return signatures_of_shingles(sets, perms)


def estimated_jaccard(sig_a: U32, sig_b: U32) -> float:
    """The share of equal signature positions (0 when either signature is of an empty set)."""
    if sig_a.shape != sig_b.shape:
        raise ValueError("signatures of different lengths")
    if bool((sig_a == EMPTY).all()) or bool((sig_b == EMPTY).all()):
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size
