import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from thresher.classify.html import classify_html
from thresher.classify.html_model import (
    HINT_PREFIX,
    Columns,
    HtmlModel,
    context_features,
    feature_matrix,
    load_model,
    smooth,
    to_matrix,
)
from thresher.classify.html_rules import classify_html as classify_html_rules
from thresher.deadline import NO_DEADLINE
from thresher.metadata.html import html_metadata
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"


def page(name, opts=None):
    opts = opts or Options()
    tree = parse_html((FIXTURES / name).read_text(encoding="utf-8"), opts)
    blocks = segment_html(tree, opts, NO_DEADLINE)
    meta = html_metadata(tree, "https://example.org/x", opts)
    return blocks, meta, classify_html_rules(blocks, meta, opts, NO_DEADLINE)


def shipped_payload():
    raw = resources.files("thresher").joinpath("data/html_model.json").read_text("utf-8")
    return json.loads(raw)


def test_shipped_model_loads_with_thresholds_for_every_focus():
    model = load_model(None)
    assert model is not None
    assert set(model.thresholds) == {"balanced", "precision", "recall"}
    assert model.thresholds["precision"] >= model.thresholds["balanced"] >= model.thresholds["recall"]
    assert int(model.trees.feat.max()) < len(model.names)
    assert len(model.trees.roots) > 0


def test_shipped_model_is_small():
    size = len(resources.files("thresher").joinpath("data/html_model.json").read_bytes())
    assert size <= 5_000_000


def test_every_dense_model_feature_is_produced_by_segment_and_context():
    """No silent feature drift: a feature the model reads but the pipeline no longer emits would be
    NaN for every block, and the model would quietly degrade."""
    model = load_model(None)
    assert model is not None
    produced = set()
    for name in ("article-with-nav-footer-related.html", "forum-thread-three-posts.html"):
        blocks, meta, rules = page(name)
        for row in context_features(blocks, meta, rules):
            produced.update(row)
    dense = [n for n in model.names if not n.startswith(HINT_PREFIX)]
    missing = sorted(set(dense) - produced)
    assert not missing, f"model features the pipeline does not produce: {missing}"
    hints = [n for n in model.names if n.startswith(HINT_PREFIX)]
    assert len(hints) <= 1000


def test_matrix_has_no_all_nan_column_for_a_real_page():
    model = load_model(None)
    assert model is not None
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    x = to_matrix(context_features(blocks, meta, rules), model.names)
    assert x.shape == (len(blocks), len(model.names))
    all_nan = [model.names[j] for j in range(x.shape[1]) if np.isnan(x[:, j]).all()]
    assert not all_nan


def test_hint_tokens_become_binary_features():
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    rows = context_features(blocks, meta, rules)
    for block, row in zip(blocks, rows, strict=True):
        for token in block.hints:
            assert row[HINT_PREFIX + token] == 1.0
    x = to_matrix(rows, ["h_no_such_token_here", "log_chars"])
    assert (x[:, 0] == 0.0).all()
    assert not np.isnan(x[:, 1]).any()


def test_predictions_are_deterministic():
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    model = load_model(None)
    assert model is not None
    first = model.predict(blocks, meta, rules)
    again = HtmlModel(shipped_payload()).predict(blocks, meta, rules)
    assert first.shape == (len(blocks),)
    assert ((first >= 0) & (first <= 1)).all()
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, model.predict(blocks, meta, rules))


def test_html_model_none_gives_the_rules_decisions():
    opts = Options(html_model="none")
    blocks, meta, rules = page("article-with-nav-footer-related.html", opts)
    assert load_model("none") is None
    assert classify_html(blocks, meta, opts, NO_DEADLINE) == rules


def test_model_from_a_path_is_used(tmp_path):
    path = tmp_path / "m.json"
    payload = shipped_payload()
    payload["thresholds"] = {"balanced": 1.01, "precision": 1.01, "recall": 1.01}  # keeps nothing
    payload["smooth"] = False
    path.write_text(json.dumps(payload), encoding="utf-8")
    opts = Options(html_model=str(path))
    blocks, meta, _ = page("article-with-nav-footer-related.html", opts)
    decisions = classify_html(blocks, meta, opts, NO_DEADLINE)
    assert not any(d.kept for d in decisions)


def test_missing_model_file_falls_back_to_rules(tmp_path):
    assert load_model(str(tmp_path / "absent.json")) is None


def test_numpy_trees_match_lightgbm_on_a_real_page():
    lightgbm = pytest.importorskip("lightgbm")
    model = load_model(None)
    assert model is not None
    booster = lightgbm.Booster(model_str=shipped_payload()["model"])
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    x = to_matrix(context_features(blocks, meta, rules), model.names)
    np.testing.assert_allclose(model.trees.predict(x), booster.predict(x, num_threads=1), atol=1e-9)


def test_numpy_trees_follow_lightgbm_missing_value_rules():
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + (x[:, 1] > 0) > 0.5).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[rng.random(x.shape) < 0.1] = 0.0
    params = {"objective": "binary", "verbose": -1, "num_threads": 1, "deterministic": True,
              "min_data_in_leaf": 5, "seed": 1}
    for extra in ({}, {"zero_as_missing": True}, {"use_missing": False}):
        booster = lightgbm.train({**params, **extra}, lightgbm.Dataset(x, y), num_boost_round=20)
        trees = HtmlModel({"features": ["a", "b", "c"], "thresholds": {},
                           "model": booster.model_to_string()}).trees
        np.testing.assert_allclose(trees.predict(x), booster.predict(x), atol=1e-9)


@pytest.mark.parametrize(
    ("paths", "keep", "expected"),
    [
        (["a", "a", "a"], [True, False, True], [True, True, True]),
        (["a", "b", "a"], [True, False, True], [True, False, True]),
        (["a", "a", "a"], [True, False, False], [True, False, False]),
        (["a"], [False], [False]),
        ([], [], []),
    ],
)
def test_smooth_fills_a_gap_only_within_one_tag_path(paths, keep, expected):
    assert smooth(paths, keep) == expected


@pytest.mark.parametrize(
    "name", ["article-with-nav-footer-related.html", "forum-thread-three-posts.html"]
)
def test_run_time_matrix_is_the_training_matrix_bit_for_bit(name):
    """The model reads ``feature_matrix`` at run time and was trained on ``to_matrix`` of
    ``context_features``: the two must give the same float32 numbers."""
    model = load_model(None)
    assert model is not None
    blocks, meta, rules = page(name)
    expected = to_matrix(context_features(blocks, meta, rules), model.names)
    got = model.matrix(blocks, meta, rules)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_run_time_matrix_handles_missing_features_unknown_names_and_edges():
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    first = blocks[0]
    stripped = [replace(first, features={k: v for k, v in first.features.items() if k != "n_chars"}),
                *blocks[1:3]]
    names = ["n_chars", "p1_n_chars", "n1_n_chars", "p2_rule_main", "n2_link_density", "no_such_feature",
             "h_no_such_token", *(HINT_PREFIX + t for t in first.hints[:2]), "rule_main", "rule_residue",
             "window_rule_kept", "path_kept_share", "page_type_article", "log_chars", "n_chars"]
    columns = Columns(names)
    got = feature_matrix(stripped, meta, rules[:3], columns)
    expected = to_matrix(context_features(stripped, meta, rules[:3]), names)
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[0, 0]) and got[1, 1] == 0.0  # own: missing is NaN; as a neighbour: 0
    single = feature_matrix(stripped[1:2], meta, rules[1:2], columns)
    np.testing.assert_array_equal(single, to_matrix(context_features(stripped[1:2], meta, rules[1:2]), names))
    assert feature_matrix([], meta, [], columns).shape == (0, len(names))


def test_paired_walk_matches_the_plain_walk_bit_for_bit():
    """``Trees`` walks models without missing-value rules over a second node layout; it must give
    the same numbers as the general walk, for float32 and float64 input, NaN included."""
    model = load_model(None)
    assert model is not None and not model.trees.has_missing_rule
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, len(model.names))) * 50
    x[rng.random(x.shape) < 0.4] = 0.0
    x[rng.random(x.shape) < 0.1] = np.nan
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    for data in (x, x.astype(np.float32), model.matrix(blocks, meta, rules)):
        np.testing.assert_array_equal(model.trees.predict(data), model.trees._walk(data))
