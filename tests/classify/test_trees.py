"""The tree walks of thresher.classify.trees: the C walk, the numpy paired walk and the general walk
must give the same probabilities to the last bit."""

from __future__ import annotations

import os

import numpy as np
import pytest

from thresher.classify import trees as trees_module
from thresher.classify.html_model import load_model
from thresher.classify.text_model import load_model as load_text_model
from thresher.classify.trees import Trees

# CI builds the extension (gcc is there): a missing build fails there instead of skipping
compiled = pytest.mark.skipif(trees_module._compiled is None and os.environ.get("CI") != "true",
                              reason="C extension not built")


def _matrix(width: int, rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)) * rng.choice([0.01, 1.0, 50.0, 1000.0], size=(rows, width))
    x[rng.random(x.shape) < 0.3] = 0.0
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.02] = -0.0
    return x


def _shipped() -> list[tuple[str, Trees]]:
    out = []
    html = load_model(None)
    if html is not None:
        out.append(("html", html.trees))
    text = load_text_model()
    if text is not None:
        out.append(("text", text.trees))
    return out


def _tiny_dump() -> str:
    """A two-tree model written by hand in LightGBM's text format (no missing-value rules)."""
    return "\n".join([
        "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "max_feature_idx=2",
        "objective=binary sigmoid:1", "", "Tree=0", "num_leaves=3", "num_cat=0", "split_feature=0 2",
        "split_gain=1 1", "threshold=0.5 -1.25", "decision_type=0 0", "left_child=1 -1",
        "right_child=-3 -2", "leaf_value=0.1 -0.2 0.30000000000000004", "leaf_weight=1 1 1",
        "leaf_count=1 1 1", "internal_value=0 0", "internal_weight=0 0", "internal_count=3 2",
        "shrinkage=1", "", "Tree=1", "num_leaves=2", "num_cat=0", "split_feature=1", "split_gain=1",
        "threshold=1.0000000180025095e-35", "decision_type=0", "left_child=-1", "right_child=-2",
        "leaf_value=-0.7 0.45", "leaf_weight=1 1", "leaf_count=1 1", "internal_value=0",
        "internal_weight=0", "internal_count=2", "shrinkage=1", "", "end of trees", "",
    ])


@compiled
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_c_walk_matches_numpy_walks_bit_for_bit_on_shipped_models(dtype):
    shipped = _shipped()
    assert shipped
    for name, trees in shipped:
        if trees.has_missing_rule:  # walked by the general numpy walk only
            continue
        width = int(trees.feat.max()) + 1
        x = _matrix(width, 700, seed=width).astype(dtype)
        got = trees._walk_compiled(x)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, trees._walk_paired_numpy(x), err_msg=name)
        np.testing.assert_array_equal(got, trees._walk(x), err_msg=name)
        np.testing.assert_array_equal(trees.predict(x, batch=256), got, err_msg=name)


@compiled
def test_c_walk_reads_nan_as_zero_and_handles_one_row_and_tiny_models():
    trees = Trees(_tiny_dump())
    x = np.array([[0.5, 0.0, -1.25], [np.nan, np.nan, np.nan], [0.6, 2.0, -2.0], [0.0, -0.0, 0.0]])
    for data in (x, x.astype(np.float32), x[:1], x[1:2].astype(np.float32)):
        np.testing.assert_array_equal(trees._walk_compiled(data), trees._walk_paired_numpy(data))
        np.testing.assert_array_equal(trees._walk_compiled(data), trees._walk(data))
    nan_row = trees._walk_compiled(x[1:2])
    zero_row = trees._walk_compiled(np.zeros((1, 3)))
    np.testing.assert_array_equal(nan_row, zero_row)


@compiled
def test_c_walk_rejects_wrong_types_and_out_of_range_tables():
    trees = Trees(_tiny_dump())
    feat, left, leaf, depth, value, roots = trees.c_table
    x = np.zeros((2, 3), dtype=np.float32)
    raw = np.zeros(2)
    with pytest.raises(TypeError):
        trees_module._compiled.walk(x, 3, trees.p_thr64, *trees.c_table, raw)  # float64 thresholds
    with pytest.raises(TypeError):
        trees_module._compiled.walk(x, 3, trees.p_thr32, feat.astype(np.int64), left, leaf, depth, value,
                                    roots, raw)
    with pytest.raises(ValueError):
        trees_module._compiled.walk(x, 2, trees.p_thr32, *trees.c_table, raw)  # a feature beyond the row
    bad = left.copy()
    bad[0] = len(bad)
    with pytest.raises(ValueError):
        trees_module._compiled.walk(x, 3, trees.p_thr32, feat, bad, leaf, depth, value, roots, raw)


def test_numpy_fallback_gives_the_same_numbers(monkeypatch):
    trees = Trees(_tiny_dump())
    x = _matrix(3, 50, seed=1).astype(np.float32)
    with_c = trees.predict(x)
    monkeypatch.setattr(trees_module, "_compiled", None)
    np.testing.assert_array_equal(trees.predict(x), with_c)
    np.testing.assert_array_equal(trees.predict(x[:0]), np.zeros(0))


def test_predict_of_a_hand_written_model():
    trees = Trees(_tiny_dump())
    x = np.array([[0.0, 0.0, 0.0], [1.0, 5.0, -5.0]])
    raw = np.array([-0.2 + -0.7, 0.30000000000000004 + 0.45])
    np.testing.assert_allclose(trees.predict(x), 1.0 / (1.0 + np.exp(-raw)), rtol=0, atol=1e-15)


@compiled
def test_c_row_dicts_match_dicts_of_rows():
    names = ("a", "b", "a", "c")
    values = np.array([[1.0, -0.0, 3.5, np.inf], [np.nan, 2.0, 1e-300, 0.0]])
    got = trees_module._compiled.row_dicts(names, values)
    want = [dict(zip(names, row, strict=True)) for row in values.tolist()]
    assert [list(d) for d in got] == [list(d) for d in want]  # keys in order, a repeat once
    assert str(got) == str(want)  # values, NaN and -0.0 included
    assert got[0] == want[0]
    assert all(type(v) is float for d in got for v in d.values())
    with pytest.raises(ValueError):
        trees_module._compiled.row_dicts(names, values.astype(np.float32))
    with pytest.raises(ValueError):
        trees_module._compiled.row_dicts(names[:3], values)
    assert trees_module._compiled.row_dicts(names, np.zeros((0, 4))) == []


@compiled
def test_prepared_c_walk_matches_the_checked_c_walk_bit_for_bit():
    shipped = [*_shipped(), ("tiny", Trees(_tiny_dump()))]
    for name, trees in shipped:
        assert trees.c_prepared is not None, name
        width = int(trees.feat.max()) + 1
        for dtype, thr in ((np.float32, trees.p_thr32), (np.float64, trees.p_thr64)):
            x = _matrix(width, 77, seed=width + 1).astype(dtype)
            checked, prepared = np.zeros(len(x)), np.zeros(len(x))
            trees_module._compiled.walk(x, width, thr, *trees.c_table, checked)
            trees_module._compiled.walk_prepared(trees.c_prepared, x, width, prepared)
            np.testing.assert_array_equal(prepared, checked, err_msg=name)
            np.testing.assert_array_equal(trees._walk_compiled(x), trees._walk_paired_numpy(x), err_msg=name)


@compiled
def test_walk_table_checks_the_table_once_and_walk_prepared_checks_the_rows():
    trees = Trees(_tiny_dump())
    feat, left, leaf, depth, value, roots = trees.c_table
    bad = left.copy()
    bad[0] = len(bad)
    with pytest.raises(ValueError):
        trees_module._compiled.walk_table(trees.p_thr32, trees.p_thr64, feat, bad, leaf, depth, value, roots)
    finite = trees.p_thr64.copy()
    finite[trees.p_leaf] = 1.0  # a leaf must sit behind an infinite threshold
    with pytest.raises(ValueError):
        trees_module._compiled.walk_table(trees.p_thr32, finite, feat, left, leaf, depth, value, roots)
    with pytest.raises(TypeError):
        trees_module._compiled.walk_table(trees.p_thr64, trees.p_thr64, feat, left, leaf, depth, value, roots)
    raw = np.zeros(2)
    with pytest.raises(ValueError):  # a feature beyond the row
        trees_module._compiled.walk_prepared(trees.c_prepared, np.zeros((2, 2)), 2, raw)
    with pytest.raises(ValueError):  # rows and raw disagree
        trees_module._compiled.walk_prepared(trees.c_prepared, np.zeros((3, 3)), 3, raw)
    with pytest.raises(ValueError):  # not a table
        trees_module._compiled.walk_prepared(object(), np.zeros((2, 3)), 3, raw)
    trees_module._compiled.walk_prepared(trees.c_prepared, np.zeros((2, 3)), 3, raw)
    np.testing.assert_array_equal(trees._sigmoid(raw), trees._walk_paired_numpy(np.zeros((2, 3))))


def test_predict_straight_to_the_c_walk_gives_what_the_general_path_gives():
    """predict() sends float32 C-contiguous rows straight to the C walk: the same numbers as the path
    through _predict (and as the numpy walk), for other inputs too."""
    trees = Trees(_tiny_dump())
    for x in (_matrix(40, 50, seed=3).astype(np.float32), _matrix(7, 5, seed=4).astype(np.float32)):
        np.testing.assert_array_equal(trees.predict(x), trees._predict(x))
        np.testing.assert_array_equal(trees.predict(np.asfortranarray(x)), trees._predict(x))
        np.testing.assert_array_equal(trees.predict(x.astype(np.float64)), trees._predict(x.astype(np.float64)))
        np.testing.assert_array_equal(trees.predict(x, batch=5), trees._predict(x))


def test_sigmoid_in_place_is_the_formula_to_the_bit():
    trees = Trees(_tiny_dump())
    rng = np.random.default_rng(5)
    raw = np.concatenate([rng.normal(0, 4, 5000), [0.0, -0.0, 30.0, -30.0, 250.0, -250.0, 1e-300]])
    for sigmoid in (1.0, 0.7, 2.5):
        trees.sigmoid = sigmoid
        want = 1.0 / (1.0 + np.exp(-sigmoid * raw))
        assert trees._sigmoid(raw).tobytes() == want.tobytes()


@compiled
def test_float32_walk_over_partial_lanes_and_row_blocks_matches_the_numpy_walk():
    """The float32 C walk (node records with their leaf values, the next tree prefetched; rows in
    lanes of 8 and blocks of 32) sums the leaves as the numpy walk does, on the shipped text model
    too, whatever the number of rows (lanes past the last row walk it again, adding nothing)."""
    C = trees_module._compiled
    assert C is not None, "the C extension is not built"
    model = load_text_model()
    assert model is not None
    for trees in (Trees(_tiny_dump()), model.trees):
        width = int(trees.p_feat.max()) + 1
        for rows in (1, 7, 8, 9, 33, 100):
            x = _matrix(width, rows, seed=rows).astype(np.float32)
            x[0, 0] = np.nan
            raw = np.zeros(rows)
            C.walk_prepared(trees.c_prepared, x, width, raw)
            assert trees._sigmoid(raw).tobytes() == trees._walk_paired_numpy(x).tobytes()
            assert trees.predict(x).tobytes() == trees._walk_paired_numpy(x).tobytes()


def _chain_dump(n_leaves: int) -> str:
    """One tree of ``n_leaves`` leaves in LightGBM's text format, each inner node splitting feature
    ``i % 3`` with its left child a leaf and its right child the next inner node (a chain)."""
    inner = n_leaves - 1
    feats = [str(i % 3) for i in range(inner)]
    thresholds = [repr(0.25 * i - 3.0) for i in range(inner)]
    lefts = [str(-i - 1) for i in range(inner)]
    rights = [str(i + 1) for i in range(inner - 1)] + [str(-inner - 1)]
    leaves = [repr(0.01 * (i + 1) * (-1) ** i) for i in range(n_leaves)]
    return "\n".join([
        "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "max_feature_idx=2",
        "objective=binary sigmoid:1", "", "Tree=0", f"num_leaves={n_leaves}", "num_cat=0",
        f"split_feature={' '.join(feats)}", f"threshold={' '.join(thresholds)}",
        f"decision_type={' '.join(['2'] * inner)}", f"left_child={' '.join(lefts)}",
        f"right_child={' '.join(rights)}", f"leaf_value={' '.join(leaves)}", "shrinkage=1", "",
        "end of trees", "",
    ])


@compiled
def test_float32_walk_by_false_nodes_is_the_node_walk_at_every_threshold():
    """A float32 walk over a prepared table visits, per feature, the nodes whose thresholds the value
    is above (walk_bits in _speedups.c): values exactly at a threshold, a float32 step either side of
    it, NaN, -0.0 and infinities reach the leaves the node-by-node walk reaches."""
    C = trees_module._compiled
    assert C is not None, "the C extension is not built"
    rng = np.random.default_rng(11)
    for name, trees in [*_shipped(), ("tiny", Trees(_tiny_dump()))]:
        width = int(trees.p_feat.max()) + 1
        inner = ~trees.p_leaf
        thr, feat = trees.p_thr32[inner], trees.p_feat[inner]
        x = np.zeros((120, width), dtype=np.float32)
        for row in x:
            pick = rng.integers(0, len(thr), size=min(len(thr), 3 * width))
            row[feat[pick]] = thr[pick]
        x[40:80] = np.nextafter(x[40:80], np.float32(np.inf))
        x[80:100] = np.nextafter(x[80:100], np.float32(-np.inf))
        x[100:, ::3] = np.nan
        x[100:, 1::3] = -0.0
        x[110:, 2::3] = np.float32(np.inf)
        x[115:, 2::3] = np.float32(-np.inf)
        node_walk, prepared = np.zeros(len(x)), np.zeros(len(x))
        C.walk(x, width, trees.p_thr32, *trees.c_table, node_walk)
        C.walk_prepared(trees.c_prepared, x, width, prepared)
        assert prepared.tobytes() == node_walk.tobytes(), name
        assert trees._sigmoid(prepared).tobytes() == trees._walk_paired_numpy(x).tobytes(), name


@compiled
@pytest.mark.parametrize("n_leaves", [2, 63, 64, 65, 90])
def test_walks_agree_on_trees_up_to_and_past_64_leaves(n_leaves):
    """The walk by false nodes keeps a tree's candidate leaves in 64 bits; a model with a wider tree is
    walked node by node, to the same numbers."""
    trees = Trees(_chain_dump(n_leaves))
    x = _matrix(3, 300, seed=n_leaves).astype(np.float32) / 50.0
    x[:50] = np.float32(0.25) * _rng_ints(50, 3, n_leaves) - np.float32(3.0)  # exactly at thresholds
    want = trees._walk_paired_numpy(x)
    assert trees.predict(x).tobytes() == want.tobytes()
    assert trees._walk(x).tobytes() == want.tobytes()
    prepared = np.zeros(len(x))
    trees_module._compiled.walk_prepared(trees.c_prepared, x, 3, prepared)
    assert trees._sigmoid(prepared).tobytes() == want.tobytes()


def _rng_ints(rows: int, cols: int, high: int) -> np.ndarray:
    return np.random.default_rng(high).integers(0, high, size=(rows, cols)).astype(np.float32)


@compiled
def test_round_floats_is_pythons_round():
    """The extension's round_floats gives round(v, n) of every value, to the bit: ties (exact halves
    round to even), values a step either side of a decimal or a half, signed zeros, huge and tiny
    values, NaN and infinities."""
    C = trees_module._compiled
    assert C is not None, "the C extension is not built"
    rng = np.random.default_rng(12)
    k = np.arange(0, 3001, dtype=np.float64)
    for ndigits in (0, 1, 3, 6, 15):
        base = [rng.random(5000), k / 10**ndigits, (k + 0.5) / 10**ndigits,
                rng.random(2000) * 10.0 ** rng.integers(-30, 30, 2000), -rng.random(500)]
        for values in base:
            for v in (values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)):
                v = np.ascontiguousarray(v)
                got = C.round_floats(v, ndigits)
                want = [round(p, ndigits) for p in v.tolist()]
                assert [p.hex() for p in got] == [p.hex() for p in want]
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 2.0**52, 2.0**60, 0.125, 0.375, 2.675, 1.0])
    got = C.round_floats(special, 2)
    assert [repr(p) for p in got] == [repr(round(p, 2)) for p in special.tolist()]
    probs = 1.0 / (1.0 + np.exp(-rng.normal(scale=6, size=20000)))  # what classify_html rounds
    assert C.round_floats(probs, 3) == [round(p, 3) for p in probs.tolist()]
    assert C.round_floats(np.zeros(0), 3) == []
    with pytest.raises(ValueError):
        C.round_floats(probs, 16)
    with pytest.raises(TypeError):
        C.round_floats(probs.astype(np.float32), 3)


@compiled
def test_a_table_whose_nodes_share_children_is_walked_node_by_node():
    """walk_table takes any table check_table accepts; one where two nodes share their children (a
    graph, not a tree) has no leftmost-leaf reading, so its walk stays node by node: the same
    numbers as the checked walk."""
    C = trees_module._compiled
    assert C is not None, "the C extension is not built"
    inf = np.inf
    thr64 = np.array([0.5, -1.0, 2.0, inf, inf, 0.0, inf, inf])
    thr32 = thr64.astype(np.float32)
    feat = np.array([0, 1, 2, 0, 0, 1, 0, 0], dtype=np.int32)
    left = np.array([1, 3, 3, 3, 4, 6, 6, 7], dtype=np.int32)  # nodes 1 and 2 share children 3 and 4
    leaf = np.array([0, 0, 0, 1, 1, 0, 1, 1], dtype=np.uint8)
    depth = np.array([0, 1, 1, 2, 2, 0, 1, 1], dtype=np.int32)
    value = np.array([0.0, 0.0, 0.0, 0.25, -0.5, 0.0, 0.125, -0.75])
    roots = np.array([0, 5], dtype=np.int32)
    table = C.walk_table(thr32, thr64, feat, left, leaf, depth, value, roots)
    x = _matrix(3, 64, seed=9).astype(np.float32)
    checked, prepared = np.zeros(len(x)), np.zeros(len(x))
    C.walk(x, 3, thr32, feat, left, leaf, depth, value, roots, checked)
    C.walk_prepared(table, x, 3, prepared)
    assert prepared.tobytes() == checked.tobytes()
    assert len(set(prepared.tolist())) > 2  # the rows reach different leaves
