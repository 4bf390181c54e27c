import itertools
from collections import Counter

import numpy as np

from thresher.stories import Weights
from thresher.stories.pairs import TermIndex, candidate_pairs, pair_scores, pairs_in_blocks
from thresher.stories.similarity import idf_table, score_matrix
from thresher.stories.text import terms

from . import required

HEADLINES = [
    "UAW reaches tentative deal with Ford",
    "UAW reaches tentative labor agreement with Ford",
    "Ford recalls 200,000 pickup trucks over faulty brakes",
    "Giant pandas to leave the National Zoo for China",
    "Giant pandas leave National Zoo early for China",
    "Lions center Frank Ragnow announces his retirement",
    "Trump slams Musk over spending bill",
    "Musk taken aback by Trump's remarks",
]
TERMS = [terms(h) for h in HEADLINES]
WEIGHTS = Weights(embedding=0.0, number=0.1, conflict=0.1, same_names=0.1, per_day=0.05, link=0.25, merge=0.22)


def _idf(index):
    df = dict(zip(index.words.vocab, index.words.frequency().astype(int).tolist(), strict=True))
    table = idf_table(df, index.n)
    return table, np.array([table[w] for w in index.words.vocab])


def test_pairs_in_blocks_are_the_pairs_that_share_a_key():
    keys = np.array([0, 0, 0, 1, 1, 2], dtype=np.int64)
    owners = np.array([4, 1, 2, 2, 3, 0], dtype=np.int64)
    left, right = pairs_in_blocks(keys, owners)
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == [(1, 2), (1, 4), (2, 3), (2, 4)]


def test_candidates_share_a_term_and_are_not_all_pairs():
    index = TermIndex(TERMS)
    left, right = candidate_pairs(index, index.words.frequency(), max_block=10)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    expected = {(i, j) for i, j in itertools.combinations(range(len(TERMS)), 2)
                if set(TERMS[i].words) & set(TERMS[j].words)}
    assert found == expected
    assert (0, 1) in found and (3, 4) in found and (0, 5) not in found
    # a term held by more items than max_block makes no pairs
    left, right = candidate_pairs(index, index.words.frequency(), max_block=2)
    assert (0, 2) not in set(zip(left.tolist(), right.tolist(), strict=True))  # "ford" is in three


def test_window_drops_distant_pairs():
    index = TermIndex(TERMS)
    times = np.full(len(TERMS), np.nan)
    times[0], times[1] = 0.0, 4 * 86400.0
    left, right = candidate_pairs(index, index.words.frequency(), max_block=10, times=times, window=72 * 3600.0)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    assert (0, 1) not in found and (0, 2) in found  # item 2 has no time: kept


def test_pair_scores_are_the_score_matrix_and_do_not_depend_on_the_batch():
    index = TermIndex(TERMS)
    table, idf = _idf(index)
    left, right = candidate_pairs(index, index.words.frequency(), max_block=10)
    scores = pair_scores(index, left, right, idf, WEIGHTS)
    dense = score_matrix(TERMS, TERMS, table, WEIGHTS)
    assert np.allclose(scores, dense[left, right], atol=1e-5)
    for k in range(len(left)):  # one pair at a time, in its own index
        i, j = int(left[k]), int(right[k])
        alone = TermIndex([TERMS[i], TERMS[j]])
        ids = np.array([table[w] for w in alone.words.vocab])
        one = pair_scores(alone, np.array([0]), np.array([1]), ids, WEIGHTS)
        assert one[0] == scores[k]


def test_same_names_other_event_is_penalised():
    index = TermIndex(TERMS)
    _, idf = _idf(index)
    pair = (np.array([6]), np.array([7]))  # Trump and Musk, but no plain word shared
    with_penalty = pair_scores(index, *pair, idf, WEIGHTS)
    without = pair_scores(index, *pair, idf, Weights(number=0.1, conflict=0.1, same_names=0.0))
    assert with_penalty[0] == round(without[0] - 0.1, 6)


def test_counts_match_a_counter():
    index = TermIndex(TERMS)
    df = Counter(w for t in TERMS for w in set(t.words))
    assert dict(zip(index.words.vocab, index.words.frequency().astype(int).tolist(), strict=True)) == dict(df)


def test_sparse_dot_in_c_is_the_numpy_one_to_the_last_bit():
    import numpy as np
    import pytest

    from thresher.stories import pairs as pairs_module

    required.compiled(pairs_module._sparse_dot, "stories_sparse_dot")
    rng = np.random.default_rng(3)
    vocab = [f"w{k}" for k in range(40)]
    for trial in range(200):
        n = int(rng.integers(1, 30))
        rows = [[vocab[int(v)] for v in rng.integers(0, 40, int(rng.integers(0, 9)))] for _ in range(n)]
        sparse = pairs_module.SparseRows(rows)
        left = rng.integers(0, n, int(rng.integers(0, 60))).astype(np.int64)
        right = rng.integers(0, n, len(left)).astype(np.int64)
        values = rng.normal(size=len(sparse.ids)) * rng.choice([1e-3, 1.0, 1e3], size=len(sparse.ids))
        for vals in (sparse.values, values):
            got = sparse.dot(left, right, vals)
            assert got.dtype == np.float64 and got.flags.writeable
            np.testing.assert_array_equal(got, sparse._dot_python(left, right, vals), err_msg=str(trial))
    with pytest.raises(IndexError):
        sparse.dot(np.array([n], dtype=np.int64), np.array([0], dtype=np.int64))


def test_index_idf_is_the_idf_table_exactly():
    """The batch clustering takes its IDF from ``TermIndex.idf``; the engines and the incremental
    index from ``idf_table``: the same numbers, bit for bit, so the same edges."""
    for n in (1, 8, 474, 100_003):
        index = TermIndex(TERMS)
        df = np.arange(1, len(index.words.vocab) + 1, dtype=np.float64) * (1 + n // 1000)
        table = idf_table(dict(zip(index.words.vocab, df.astype(int).tolist(), strict=True)), n)
        assert index.idf(df, n).tolist() == [table[w] for w in index.words.vocab]


def _compiled_or_skip(found: object, name: str) -> None:
    required.compiled(found, name)


def test_sparse_rows_built_in_c_are_the_numpy_ones():
    from thresher.stories import pairs as pairs_module

    _compiled_or_skip(pairs_module._csr, "stories_csr")
    rng = np.random.default_rng(4)
    vocab = [f"w{k}" for k in range(60)]
    for trial in range(300):
        n = int(rng.integers(0, 30))
        rows = [[vocab[int(v)] for v in rng.integers(0, int(rng.integers(1, 61)), int(rng.integers(0, 50)))]
                for _ in range(n)]
        shaped = [frozenset(r) if k % 3 == 0 else tuple(r) for k, r in enumerate(rows)]  # sets and sequences
        fast = pairs_module.SparseRows(iter(shaped))
        slow = pairs_module.SparseRows.__new__(pairs_module.SparseRows)
        slow._build_python(shaped, {})
        assert fast.vocab == slow.vocab and fast.size == slow.size, trial
        for name in ("ids", "values", "indptr", "owner"):
            got, want = getattr(fast, name), getattr(slow, name)
            assert got.dtype == want.dtype and got.tolist() == want.tolist(), (trial, name)


def test_blocking_pairs_in_c_are_the_numpy_ones():
    import pytest

    from thresher.stories import pairs as pairs_module

    _compiled_or_skip(pairs_module._block_pairs, "stories_block_pairs")
    rng = np.random.default_rng(8)
    vocab = [f"w{k}" for k in range(25)]
    for trial in range(300):
        n = int(rng.integers(0, 40))
        rows = [tuple(vocab[int(v)] for v in rng.integers(0, 25, int(rng.integers(0, 8)))) for _ in range(n)]
        index = TermIndex([terms(" ".join(r)) for r in rows])
        df = index.words.frequency()
        times = rng.choice([np.nan, 0.0, 3600.0, 7200.0], size=n)
        for max_block in (1, 2, 5, 1000):
            got = candidate_pairs(index, df, max_block=max_block, times=times, window=3600.0)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(pairs_module, "_block_pairs", None)
                want = candidate_pairs(index, df, max_block=max_block, times=times, window=3600.0)
            assert [a.tolist() for a in got] == [a.tolist() for a in want], (trial, max_block)
            assert all(a.dtype == np.int64 for a in got)


def test_indicator_by_set_tests_is_the_sparse_one():
    from thresher.stories import similarity

    rng = np.random.default_rng(9)
    for trial in range(200):
        n, m = int(rng.integers(0, 8)), int(rng.integers(0, 8))
        rows = [frozenset(f"e{int(v)}" for v in rng.integers(0, 12, int(rng.integers(0, 4)))) for _ in range(n)]
        cols = [frozenset(f"e{int(v)}" for v in rng.integers(0, 12, int(rng.integers(0, 4)))) for _ in range(m)]
        sets = similarity._indicator(rows, cols, n, m)
        sparse = np.minimum(similarity.sparse_dot([dict.fromkeys(s, 1.0) for s in rows],
                                                  [dict.fromkeys(s, 1.0) for s in cols], n, m), 1.0)
        assert sets.dtype == sparse.dtype == np.float32 and sets.shape == (n, m), trial
        assert sets.tolist() == sparse.tolist(), trial


def test_a_clause_opener_meets_the_same_word_in_lower_case():
    # "Runway" is capitalised only because it opens the headline: it is the other's plain "runway",
    # so the two share a plain word and the same-names penalty does not apply (in both scorers)
    pair = [terms("Newark Airport to open its shuttered runway Monday, 13 days ahead of schedule"),
            terms("Runway under construction at Newark airport reopens early")]
    assert pair[1].openers == {"runway"} and pair[0].openers == {"newark"}
    index = TermIndex(pair)
    table, idf = _idf(index)
    one = (np.array([0]), np.array([1]))
    with_names = pair_scores(index, *one, idf, WEIGHTS)
    without = pair_scores(index, *one, idf, Weights(number=0.1, conflict=0.1, same_names=0.0, per_day=0.05))
    assert with_names[0] == without[0]
    assert np.allclose(score_matrix(pair[:1], pair[1:], table, WEIGHTS)[0, 0], with_names[0], atol=1e-5)
    # an opener on both sides says nothing: "Trump ..." and "Trump ..." still share a name only
    names = [terms("Trump slams Musk over spending bill"), terms("Trump taken aback by Musk remarks")]
    index = TermIndex(names)
    table, idf = _idf(index)
    penalised = pair_scores(index, *one, idf, WEIGHTS)
    plain = pair_scores(index, *one, idf, Weights(number=0.1, conflict=0.1, same_names=0.0, per_day=0.05))
    assert penalised[0] == round(plain[0] - 0.1, 6)
    assert np.allclose(score_matrix(names[:1], names[1:], table, WEIGHTS)[0, 0], penalised[0], atol=1e-5)


def test_openers_in_pair_scores_are_the_score_matrix_ones():
    heads = ["Runway under construction at Newark airport reopens early",
             "Runway crews at Newark: the runway reopens Monday",  # an opener and a plain word at once
             "Newark Airport to open its shuttered runway Monday, 13 days ahead of schedule",
             "Trump slams Musk over spending bill", "Trump taken aback by Musk remarks"]
    all_terms = [terms(h) for h in heads]
    index = TermIndex(all_terms)
    table, idf = _idf(index)
    left, right = (a.ravel() for a in np.triu_indices(len(heads), 1))
    scores = pair_scores(index, left, right, idf, WEIGHTS)
    dense = score_matrix(all_terms, all_terms, table, WEIGHTS)
    assert np.allclose(scores, dense[left, right], atol=1e-5)
