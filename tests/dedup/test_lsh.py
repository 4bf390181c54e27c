from collections import Counter, defaultdict
from itertools import combinations

import numpy as np
import pytest

from thresher.dedup.lsh import (
    band_keys,
    band_keys_matrix,
    candidate_pairs,
    candidate_probability,
    is_empty,
    optimal_bands,
)
from thresher.dedup.minhash import Permutations, shingles, signature, signatures
from thresher.dedup.verify import jaccard, verify_pairs


def test_optimal_bands_leans_towards_recall():
    bands, rows = optimal_bands(0.8, 128)
    assert bands * rows <= 128
    assert candidate_probability(0.8, bands, rows) > 0.95
    assert candidate_probability(0.85, bands, rows) > 0.995
    assert candidate_probability(0.3, bands, rows) < 0.05
    assert optimal_bands(0.8, 128, false_positive_weight=0.5, false_negative_weight=0.5) == (9, 13)
    _, lower_rows = optimal_bands(0.5, 128)
    assert lower_rows < rows  # a lower threshold needs shorter bands
    with pytest.raises(ValueError):
        optimal_bands(1.0, 128)


def test_band_keys():
    perms = Permutations.make(128, 1)
    sig = signature("a b c d e f g h i j", perms)
    keys = band_keys(sig, 16, 8)
    assert keys.shape == (16,) and keys.dtype == np.uint64
    assert len(set(keys.tolist())) == 16  # the band number is part of the key
    assert np.array_equal(keys, band_keys_matrix(sig[None, :], 16, 8)[0])
    assert band_keys(signature("", perms), 16, 8).size == 0
    with pytest.raises(ValueError):
        band_keys(sig, 16, 9)


def test_candidate_pairs_from_shared_keys():
    keys = np.array([[1, 10], [2, 11], [1, 12], [3, 11], [1, 13]], dtype=np.uint64)
    assert candidate_pairs(keys) == {(0, 2), (0, 4), (2, 4), (1, 3)}
    skip = np.array([False, False, True, False, False])
    assert candidate_pairs(keys, skip=skip) == {(0, 4), (1, 3)}


def planted_corpus(seed=7, originals=300, words=300):
    """Random-word documents, and for a third of them a copy with about 2 % of its words replaced
    (shingle Jaccard around 0.8-0.95), or the same words shifted by a prefix."""
    rng = np.random.default_rng(seed)
    docs = [[f"w{int(i)}" for i in rng.integers(0, 20000, size=words)] for _ in range(originals)]
    for k in range(0, originals, 3):
        copy = docs[k].copy()
        for i in rng.choice(words, size=int(rng.integers(1, 8)), replace=False):
            copy[i] = f"edit{int(rng.integers(1_000_000))}"
        if k % 2:
            copy = ["prefix", "words", *copy[:-2]]
        docs.append(copy)
    return [" ".join(d) for d in docs]


def true_pairs(sets, threshold):
    """All pairs at or above the Jaccard threshold, through an inverted index of shingles."""
    holders = defaultdict(list)
    for doc, shingle_set in enumerate(sets):
        for shingle in shingle_set.tolist():
            holders[shingle].append(doc)
    shared = Counter(pair for docs in holders.values() for pair in combinations(docs, 2))
    return {
        (i, j) for (i, j), common in shared.items() if common / (sets[i].size + sets[j].size - common) >= threshold
    }


def test_lsh_finds_planted_near_duplicates():
    texts = planted_corpus()
    sets = [shingles(t) for t in texts]
    truth = true_pairs(sets, 0.8)
    assert all(jaccard(sets[i], sets[j]) >= 0.8 for i, j in truth)
    assert len(truth) >= 80
    bands, rows = optimal_bands(0.8, 128)
    sigs = signatures(texts, Permutations.make(128, 1))
    keys = band_keys_matrix(sigs, bands, rows)
    candidates = candidate_pairs(keys, skip=is_empty(sigs))
    verified = {(i, j) for i, j, _ in verify_pairs(candidates, sets.__getitem__, 0.8)}
    assert verified <= truth  # precision 1.0 after verification
    assert len(verified & truth) / len(truth) >= 0.99
    assert len(candidates) < 5 * len(truth)
