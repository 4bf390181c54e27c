import numpy as np
import pytest

from thresher.dedup.minhash import shingles
from thresher.dedup.verify import containment, jaccard, similarity, verify_pairs


def u64(*values):
    return np.array(sorted(values), dtype=np.uint64)


def test_jaccard_and_containment():
    a, b = u64(1, 2, 3, 4), u64(3, 4, 5, 6)
    assert jaccard(a, b) == pytest.approx(2 / 6)
    assert containment(a, b) == pytest.approx(2 / 4)
    assert containment(u64(1, 2), u64(1, 2, 3, 4, 5)) == 1.0
    assert similarity(a, a) == 1.0
    assert jaccard(u64(), u64()) == 0.0 and containment(u64(), a) == 0.0


def test_verify_keeps_only_pairs_at_or_above_threshold():
    texts = [
        "one two three four five six seven eight nine ten",
        "one two three four five six seven eight nine ten eleven",
        "completely different words that share nothing at all here",
    ]
    sets = [shingles(t) for t in texts]
    verified = verify_pairs({(1, 2), (0, 1), (0, 2)}, sets.__getitem__, 0.8)
    assert [(i, j) for i, j, _ in verified] == [(0, 1)]
    assert verified[0][2] == pytest.approx(6 / 7)
    assert verify_pairs({(0, 1)}, sets.__getitem__, 0.9) == []
    assert [p[:2] for p in verify_pairs({(0, 1)}, sets.__getitem__, 0.9, "containment")] == [(0, 1)]
