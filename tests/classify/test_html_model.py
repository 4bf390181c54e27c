import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from thresher.classify.html import classify_html
from thresher.classify.html_model import (
    HINT_PREFIX,
    PAGE_TYPE_PREFIX,
    REGION_FEATURES,
    SHAPE_FEATURES,
    STRUCT_FEATURES,
    TOPIC_FEATURES,
    Columns,
    HtmlModel,
    context_features,
    drop_repeats,
    expected_f1_keep,
    feature_matrix,
    group_mean,
    load_model,
    page_vector,
    product_comments,
    region_columns,
    shape_columns,
    smooth,
    structure_columns,
    to_matrix,
    topic_columns,
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
    dense = [n for n in model.names if not n.startswith((HINT_PREFIX, PAGE_TYPE_PREFIX))]
    missing = sorted(set(dense) - produced)
    page_types = [n for n in model.names if n.startswith(PAGE_TYPE_PREFIX)]
    if page_types:  # filled by the page-type model, one column per class it predicts
        assert model.page_type is not None
        assert page_types == [PAGE_TYPE_PREFIX + c for c in model.page_type.classes]
    assert not missing, f"model features the pipeline does not produce: {missing}"
    hints = [n for n in model.names if n.startswith(HINT_PREFIX)]
    assert len(hints) <= 1000


def test_matrix_has_no_all_nan_column_for_a_real_page():
    model = load_model(None)
    assert model is not None
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    x = model.matrix(blocks, meta, rules)
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
    payload.pop("expected_f1", None)  # an older model: thresholds only
    path.write_text(json.dumps(payload), encoding="utf-8")
    opts = Options(html_model=str(path))
    blocks, meta, _ = page("article-with-nav-footer-related.html", opts)
    decisions = classify_html(blocks, meta, opts, NO_DEADLINE)
    assert not any(d.kept for d in decisions)
    payload["expected_f1"] = {"balanced": [1.0, 1.01]}  # the expected-F1 selection, floor above 1
    path.write_text(json.dumps(payload), encoding="utf-8")
    load_model.cache_clear()
    assert not any(d.kept for d in classify_html(blocks, meta, opts, NO_DEADLINE))
    payload["expected_f1"] = {"balanced": [1.0, 0.0]}
    path.write_text(json.dumps(payload), encoding="utf-8")
    load_model.cache_clear()
    assert any(d.kept for d in classify_html(blocks, meta, opts, NO_DEADLINE))
    load_model.cache_clear()


def test_missing_model_file_falls_back_to_rules(tmp_path):
    assert load_model(str(tmp_path / "absent.json")) is None


def test_numpy_trees_match_lightgbm_on_a_real_page():
    lightgbm = pytest.importorskip("lightgbm")
    model = load_model(None)
    assert model is not None
    booster = lightgbm.Booster(model_str=shipped_payload()["model"])
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    x = model.matrix(blocks, meta, rules)
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
    got = feature_matrix(blocks, meta, rules, model.columns)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    full = model.matrix(blocks, meta, rules)  # the page-type model fills only its own columns
    pt = [j for j, n in enumerate(model.names) if n.startswith(PAGE_TYPE_PREFIX)]
    others = [j for j in range(len(model.names)) if j not in pt]
    np.testing.assert_array_equal(full[:, others], got[:, others])
    assert not np.isnan(full[:, pt]).any()


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


def test_page_vector_ignores_nan_in_means_and_weighs_by_words():
    x = np.array([[1.0, np.nan], [3.0, np.nan]], dtype=np.float32)
    vec = page_vector(x, np.array([0.0, 2.0], dtype=np.float32))
    np.testing.assert_allclose(vec[:2], [2.0, np.nan])
    np.testing.assert_allclose(vec[2:4], [(1 * 1 + 3 * 3) / 4, 0.0])
    assert vec[4] == pytest.approx(np.log1p(4.0))
    assert page_vector(np.zeros((0, 2), dtype=np.float32), np.zeros(0)).shape == (5,)


def test_structure_columns_find_a_run_of_cards_and_the_main_region():
    """Three product cards under one grid, a nav list, a footer line: the cards form a record run,
    the kept text sits in the grid, the menu items have a run of their own but full of links."""
    paths = [
        "body/nav[1]/ul[1]/li[1]", "body/nav[1]/ul[1]/li[2]", "body/nav[1]/ul[1]/li[3]",
        "body/main[1]/h1[1]",
        "body/main[1]/div[1]/div[1]/h3[1]", "body/main[1]/div[1]/div[1]/p[1]",
        "body/main[1]/div[1]/div[2]/h3[1]", "body/main[1]/div[1]/div[2]/p[1]",
        "body/main[1]/div[1]/div[3]/h3[1]", "body/main[1]/div[1]/div[3]/p[1]",
        "body/footer[1]",
    ]
    lengths = np.array([5, 5, 5, 20, 10, 40, 10, 40, 10, 40, 30], dtype=np.float64)
    links = np.array([1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0.5])
    kept = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0], dtype=np.float64)
    cols = structure_columns(paths, lengths, links, kept)
    assert set(cols) == set(STRUCT_FEATURES)
    assert all(len(v) == len(paths) for v in cols.values())
    card = 5  # the first card's paragraph
    assert cols["s_rec_n"][card] == pytest.approx(np.log1p(3))
    assert cols["s_rec_own_share"][card] == pytest.approx(50 / 150)
    assert cols["s_rec_char_share"][card] == pytest.approx(150 / 215)
    assert cols["s_gpath_blocks"][card] == pytest.approx(np.log1p(3))
    assert cols["s_rec_link"][0] == pytest.approx(1.0)  # the menu run is all links
    assert cols["s_in_kept_region"][card] == 1.0 and cols["s_in_kept_region"][0] == 0.0
    assert cols["s_in_kept_region"][10] == 0.0
    assert cols["s_kept_before"][0] == 0.0 and cols["s_kept_after"][10] == 0.0
    assert cols["s_rec_own_share"][3] == -1.0  # the h1 belongs to no run
    empty = structure_columns([], np.zeros(0), np.zeros(0), np.zeros(0))
    assert all(len(v) == 0 for v in empty.values())


def test_expected_f1_keeps_the_best_blocks_of_a_doubtful_page():
    words = np.array([100.0, 100.0, 10.0, 50.0])
    doubtful = np.array([0.35, 0.3, 0.1, 0.05])  # no block passes a 0.4 threshold
    assert expected_f1_keep(doubtful, words, 1.0, 0.0).tolist() == [True, True, False, False]
    assert expected_f1_keep(doubtful, words, 1.0, 0.32).tolist() == [True, False, False, False]
    clear = np.array([0.95, 0.9, 0.05, 0.02])
    assert expected_f1_keep(clear, words, 1.0, 0.0).tolist() == [True, True, False, False]
    # a higher power trusts mid probabilities less: fewer blocks kept
    mixed = np.array([0.9, 0.5, 0.5, 0.5])
    assert expected_f1_keep(mixed, words, 3.0, 0.0).sum() <= expected_f1_keep(mixed, words, 1.0, 0.0).sum()
    assert expected_f1_keep(np.zeros(0), np.zeros(0), 1.0, 0.3).shape == (0,)


def test_drop_repeats_keeps_a_long_text_once():
    texts = ["Same long text here ok", "Menu", "Same long text here ok ", "Menu", "Other"]
    words = [5, 1, 5, 1, 1]
    assert drop_repeats(texts, [True] * 5, words, 5) == [True, True, False, True, True]
    assert drop_repeats(texts, [False, True, True, True, True], words, 5) == [False, True, True, True, True]


def test_expected_f1_model_drops_repeated_text_with_a_reason(tmp_path):
    path = tmp_path / "m.json"
    payload = shipped_payload()
    payload["expected_f1"] = {"balanced": [1.0, 0.0]}
    payload["repeat_min_words"] = 1
    path.write_text(json.dumps(payload), encoding="utf-8")
    opts = Options(html_model=str(path))
    blocks, meta, _ = page("article-with-nav-footer-related.html", opts)
    once = classify_html(blocks, meta, opts, NO_DEADLINE)
    kept = next(b for b, d in zip(blocks, once, strict=True) if d.kept and b.features.get("n_words", 0) >= 1)
    twice = [*blocks, replace(kept, index=len(blocks))]
    decisions = classify_html(twice, meta, opts, NO_DEADLINE)
    assert len(decisions) == len(twice)
    assert decisions[blocks.index(kept)].kept
    assert decisions[-1].reason == "repeated_text" and not decisions[-1].kept


def test_a_model_with_page_type_and_structure_columns_fills_them(tmp_path):
    """A model naming ``pt_`` and structure columns: the page-type model's outputs land in the
    ``pt_`` columns (every row the same), the structure columns match ``structure_columns``."""
    lightgbm = pytest.importorskip("lightgbm")
    blocks, meta, rules = page("forum-thread-three-posts.html")
    base = ["n_words", "link_density", "log_chars", *STRUCT_FEATURES]
    rng = np.random.default_rng(5)
    width = 2 * len(base) + 1
    vecs = rng.normal(size=(60, width))
    classes = ["article", "forum"]
    dumps = []
    for c in range(len(classes)):
        y = ((vecs[:, 0] > 0) == bool(c)).astype(float)
        params = {"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 5, "seed": 1}
        dumps.append(lightgbm.train(params, lightgbm.Dataset(vecs, y), num_boost_round=5).model_to_string())
    names = [*base, *(PAGE_TYPE_PREFIX + c for c in classes)]
    x = rng.normal(size=(40, len(names)))
    block_model = lightgbm.train({"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 5},
                                 lightgbm.Dataset(x, (x[:, 0] > 0).astype(float)), num_boost_round=3)
    model = HtmlModel({"features": names, "thresholds": {"balanced": 0.5}, "model": block_model.model_to_string(),
                       "page_type": {"features": base, "classes": classes, "models": dumps}})
    got = model.matrix(blocks, meta, rules)
    plain = feature_matrix(blocks, meta, rules, model.columns)
    np.testing.assert_array_equal(got[:, : len(base)], plain[:, : len(base)])
    assert np.isnan(plain[:, len(base):]).all()
    vec = page_vector(plain[:, : len(base)], plain[:, 0])[None, :]
    for k, dump in enumerate(dumps):
        expected = lightgbm.Booster(model_str=dump).predict(vec)[0]
        np.testing.assert_allclose(got[:, len(base) + k], np.float32(expected), rtol=1e-6)
    cols = structure_columns([b.path for b in blocks], np.array([len(b.text) for b in blocks], dtype=float),
                             np.array([b.features.get("link_density", 0.0) for b in blocks]),
                             np.array([d.kept for d in rules], dtype=float))
    for j, name in enumerate(STRUCT_FEATURES):
        np.testing.assert_array_equal(got[:, 3 + j], cols[name].astype(np.float32))
    assert model.predict(blocks, meta, rules).shape == (len(blocks),)


@pytest.mark.parametrize(
    "name", ["article-with-nav-footer-related.html", "forum-thread-three-posts.html"]
)
def test_structure_columns_at_run_time_are_the_training_ones_bit_for_bit(name):
    blocks, meta, rules = page(name)
    names = ["n_chars", "rule_main", *STRUCT_FEATURES]
    expected = to_matrix(context_features(blocks, meta, rules), names)
    np.testing.assert_array_equal(feature_matrix(blocks, meta, rules, Columns(names)), expected)
    assert not np.isnan(expected).any()


def test_matrix_from_the_blocks_feature_matrix_equals_the_one_from_their_mappings():
    model = load_model()
    if model is None:
        pytest.skip("no shipped model")
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    from thresher.segment.features import feature_values

    assert feature_values(blocks) is not None
    fast = model.matrix(blocks, meta, rules)
    slow = model.matrix(list(blocks), meta, rules)  # a plain list: read from each block's features
    assert fast.dtype == slow.dtype == np.float32
    assert fast.tobytes() == slow.tobytes()


def test_region_columns_average_a_group_of_cards_and_its_container():
    paths = ["body/h1[1]", "body/ul[1]/li[1]", "body/ul[1]/li[2]", "body/ul[1]/li[3]", "body/footer[1]/p[1]"]
    probs = np.array([0.9, 0.8, 0.2, 0.5, 0.1])
    words = np.array([3.0, 1.0, 1.0, 2.0, 5.0])
    cols = dict(zip(REGION_FEATURES, region_columns(paths, probs, words).T, strict=True))
    w = words + 1
    cards = slice(1, 4)
    card_mean = float((probs[cards] * w[cards]).sum() / w[cards].sum())
    np.testing.assert_allclose(cols["r_g_mean"][cards], card_mean, rtol=1e-6)  # the three cards share a group
    np.testing.assert_allclose(cols["r_a1_mean"][cards], card_mean, rtol=1e-6)  # ... and a parent (the ul)
    assert cols["r_g_max"][2] == np.float32(0.8) and cols["r_g_min"][1] == np.float32(0.2)
    assert cols["r_g_mean"][0] == np.float32(0.9)  # alone in its group
    np.testing.assert_allclose(cols["r_g_share"][cards], w[cards].sum() / w.sum(), rtol=1e-6)
    assert list(cols["r_p1"][:2]) == [-1.0, np.float32(0.9)] and cols["r_n1"][-1] == -1.0
    assert cols["r_rank"][0] == 0.0 and cols["r_rank"][4] == np.float32(4 / 5)
    assert cols["r_page_max"][3] == np.float32(0.9)
    np.testing.assert_allclose(cols["r_before"] + cols["r_after"] + probs * w / (probs * w).sum(), 1.0, rtol=1e-6)
    assert region_columns([], np.zeros(0), np.zeros(0)).shape == (0, len(REGION_FEATURES))


def test_a_model_with_a_second_stage_reads_the_first_stages_probabilities(tmp_path):
    """The second stage sees the region columns of the first stage's probabilities and the first
    stage's chosen columns, in that order; a model file without one predicts as before."""
    lightgbm = pytest.importorskip("lightgbm")
    blocks, meta, rules = page("forum-thread-three-posts.html")
    payload = shipped_payload()
    payload.pop("region_mix", None)
    plain = HtmlModel(payload)
    x = plain.matrix(blocks, meta, rules)
    first = plain.trees.predict(x)
    np.testing.assert_array_equal(plain.predict(blocks, meta, rules), first)
    block_columns = ["n_words", "link_density"]
    rng = np.random.default_rng(3)
    train = rng.uniform(size=(200, len(REGION_FEATURES) + len(block_columns)))
    # a second stage that turns the first stage's answer around: the test can tell which one ran
    stage2 = lightgbm.train({"objective": "binary", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 5},
                            lightgbm.Dataset(train, (train[:, 0] < 0.5).astype(float)), num_boost_round=5)
    payload["stage2"] = {"region_features": list(REGION_FEATURES), "block_columns": block_columns,
                         "model": stage2.model_to_string()}
    model = HtmlModel(payload)
    got = model.predict(blocks, meta, rules)
    cols = [plain.names.index(name) for name in block_columns]
    x2 = np.hstack([region_columns([b.path for b in blocks], first, x[:, plain.names.index("n_words")]), x[:, cols]])
    np.testing.assert_allclose(got, stage2.predict(x2), rtol=1e-6)
    assert np.corrcoef(got, first)[0, 1] < 0
    payload["stage2"]["region_features"] = ["r_p"]
    with pytest.raises(ValueError, match="region columns"):
        HtmlModel(payload)


def test_group_mean_weighs_a_sibling_group_by_words():
    paths = ["body/p[1]", "body/ul[1]/li[1]", "body/ul[1]/li[2]", "body/ul[2]/li[1]"]
    got = group_mean(paths, np.array([0.9, 0.0, 1.0, 0.5]), np.array([9.0, 0.0, 1.0, 2.0]))
    # the three items of the two lists share body/ul/li; weights are words + 1
    np.testing.assert_allclose(got, [0.9, *([(0.0 * 1 + 1.0 * 2 + 0.5 * 3) / 6] * 3)])
    assert group_mean([], np.zeros(0), np.zeros(0)).shape == (0,)


def test_region_mix_moves_a_block_toward_its_group():
    blocks, meta, rules = page("forum-thread-three-posts.html")
    payload = shipped_payload()
    payload.pop("region_mix", None)
    plain = HtmlModel(payload)
    x = plain.matrix(blocks, meta, rules)
    own = plain.predict(blocks, meta, rules)
    payload["region_mix"] = 0.25
    mixed = HtmlModel(payload).predict(blocks, meta, rules)
    group = group_mean([b.path for b in blocks], own, x[:, plain.names.index("n_words")])
    np.testing.assert_allclose(mixed, 0.75 * own + 0.25 * group)
    assert not np.allclose(mixed, own)


def test_product_comments_are_the_review_blocks_unless_they_are_most_of_the_text():
    hints = [("product", "main"), ("reviews", "list"), ("customerreviews",), ("footer",)]
    keep = [True, True, True, False]
    words = [100.0, 20.0, 30.0, 10.0]
    assert product_comments(hints, keep, words, ["review"], 0.5) == [False, True, True, False]
    # the reviews are most of what is kept: a review page, left alone
    assert product_comments(hints, keep, [10.0, 20.0, 30.0, 10.0], ["review"], 0.5) == [False] * 4
    assert product_comments(hints, [True, False, False, True], words, ["review"], 0.5) == [False] * 4


def test_reviews_on_a_product_page_become_comments():
    """A product page's kept review blocks are labelled comment (``product_review``), and come back
    with ``include_comments``; the same blocks on a page of another type are left alone."""
    blocks, meta, _ = page("forum-thread-three-posts.html")
    opts = Options()
    product = replace(meta, page_type="product")
    before = classify_html(blocks, product, opts, NO_DEADLINE)
    kept = [i for i, d in enumerate(before) if d.kept and blocks[i].features.get("n_words", 0) >= 1]
    assert len(kept) >= 2
    review = kept[-1]
    # a token the model does not read, so that only the product-review rule can see it
    # (not a shop review widget's token either: see the next test)
    marked = [replace(b, hints=(*b.hints, "userreviews")) if i == review else b for i, b in enumerate(blocks)]
    after = classify_html(marked, product, opts, NO_DEADLINE)
    assert after[review].label == "comment" and after[review].reason == "product_review"
    assert [d.kept for i, d in enumerate(after) if i != review] == [d.kept for i, d in enumerate(before) if i != review]
    assert classify_html(marked, replace(meta, page_type="article"), opts, NO_DEADLINE)[review].kept
    with_comments = Options(include_comments=True)
    assert classify_html(marked, product, with_comments, NO_DEADLINE)[review].label == "comment"


def test_a_shop_review_widget_is_comments_on_any_page_unless_it_is_the_page():
    """Kept blocks under a customer-review widget token (``customer_review`` in
    data/html_hint_tokens.json) become comments whatever the page type, unless they would be nearly
    all the kept words."""
    blocks, meta, _ = page("forum-thread-three-posts.html")
    opts = Options()
    article = replace(meta, page_type="article")
    before = classify_html(blocks, article, opts, NO_DEADLINE)
    kept = [i for i, d in enumerate(before) if d.kept and blocks[i].features.get("n_words", 0) >= 1]
    review = kept[-1]
    marked = [replace(b, hints=(*b.hints, "jdgmrevwidget")) if i == review else b for i, b in enumerate(blocks)]
    after = classify_html(marked, article, opts, NO_DEADLINE)
    assert after[review].label == "comment" and after[review].reason == "customer_review"
    assert [d.kept for i, d in enumerate(after) if i != review] == [d.kept for i, d in enumerate(before) if i != review]
    everything = [replace(b, hints=(*b.hints, "customerreviews")) for b in blocks]
    assert [d.kept for d in classify_html(everything, article, opts, NO_DEADLINE)] == [d.kept for d in before]


def test_shape_columns_find_the_dominant_repeated_group():
    """Three cards sharing a path once sibling indices go (the grid) beat a longer lone paragraph
    for the page's top group; page-level columns are the same for every block."""
    paths = ["html/body/div[1]/p[1]", "html/body/ul[1]/li[1]/a[1]", "html/body/ul[1]/li[2]/a[1]",
             "html/body/ul[1]/li[3]/a[1]", "html/body/section[1]/p[1]"]
    lengths = np.array([100.0, 30.0, 30.0, 30.0, 10.0])
    links = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    kinds = ["paragraph", "list_item", "list_item", "list_item", "paragraph"]
    words = np.array([20.0, 5.0, 5.0, 5.0, 2.0])
    out = shape_columns(paths, lengths, links, kinds, words)
    assert set(out) == set(SHAPE_FEATURES)
    assert out["g_is_top"].tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]
    assert out["pg_top_group_share"][0] == pytest.approx(90 / 200)
    assert out["pg_top_group_n"][4] == pytest.approx(np.log1p(3))
    assert out["pg_link_share"][0] == pytest.approx(90 / 200)
    assert out["pg_list_share"][2] == pytest.approx(90 / 200)
    assert out["pg_short_share"][0] == pytest.approx(4 / 5)
    assert out["g_char_share"].tolist() == pytest.approx([0.5, 0.45, 0.45, 0.45, 0.05])
    assert out["g_n"][0] == pytest.approx(np.log1p(1))
    lone = shape_columns(paths[:1], lengths[:1], links[:1], kinds[:1], words[:1])
    assert lone["g_is_top"][0] == 0.0 and lone["pg_top_group_share"][0] == 0.0
    assert all(len(v) == 0 for v in shape_columns([], np.zeros(0), np.zeros(0), [], np.zeros(0)).values())


def test_run_time_matrix_matches_training_for_shape_columns():
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    names = ["n_chars", *SHAPE_FEATURES, "log_chars"]
    got = feature_matrix(blocks, meta, rules, Columns(names))
    np.testing.assert_array_equal(got, to_matrix(context_features(blocks, meta, rules), names))
    assert not np.isnan(got).any()


def test_topic_columns_read_the_title_and_the_card_groups():
    """A heading in the title's words, its paragraph, then a grid of three priced cards with alike
    short names after the kept text: title fit, place after the title, the grid's prices, likeness
    and rank among repeated groups, and how much kept text comes before it."""
    from thresher.model import Decision

    texts = ["Menu", "Nordlicht Jacke schwarz", "Eine warme Jacke aus Wolle.", "Mütze 10 €", "Mütze rot 12 €",
             "Schal 9 €", "Menu"]
    paths = ["html/body/nav[1]/a[1]", "html/body/main[1]/h1[1]", "html/body/main[1]/p[1]",
             "html/body/ul[1]/li[1]/a[1]", "html/body/ul[1]/li[2]/a[1]", "html/body/ul[1]/li[3]/a[1]",
             "html/body/footer[1]/a[1]"]
    labels = ["navigation", "title", "main", "main", "main", "main", "navigation"]
    rules = [Decision(lab, "test") for lab in labels]  # type: ignore[arg-type]
    kinds = ["paragraph", "heading", "paragraph", "list_item", "list_item", "list_item", "paragraph"]
    levels = [0, 1, 0, 1, 1, 1, 0]
    out = topic_columns(texts, paths, rules, kinds, levels, "Nordlicht Jacke schwarz | Laden", "Warme Jacke.")
    assert set(out) == set(TOPIC_FEATURES)
    assert out["tf_title_share"][:3].tolist() == pytest.approx([0.0, 1.0, 1 / 5])
    assert out["tf_desc_share"][2] == pytest.approx(2 / 5)
    assert out["tf_after_title"].tolist() == pytest.approx([(i - 1) / 7 for i in range(7)])
    assert out["tf_currency"].tolist() == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]
    assert out["cg_currency"][3] == 1.0 and out["cg_currency"][2] == 0.0
    assert out["cg_lead_share"][4] == pytest.approx(2 / 3)
    assert out["cg_order"].tolist() == [-1.0, -1.0, -1.0, 0.0, 0.0, 0.0, -1.0]
    assert out["cg_dup_share"][0] == 1.0 and out["cg_dup_share"][3] == 0.0
    kept_chars = sum(len(t) for t, lab in zip(texts, labels, strict=True) if lab == "main")
    assert out["cg_kept_before"][3] == pytest.approx(len(texts[2]) / kept_chars)
    assert out["cg_len_cv"][2] == 0.0 and out["cg_len_cv"][3] > 0.0
    # the cards as records (each <li>): priced, three of them, first run, after the kept paragraph
    assert out["cr_priced"].tolist() == [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0]
    assert out["cr_run_priced"][4] == 1.0 and out["cr_run_n"][5] == pytest.approx(np.log1p(3))
    assert out["cr_run_order"][3] == 0.0 and out["cr_run_words_cv"][3] > 0.0
    assert out["cr_run_kept_before"][5] == pytest.approx(len(texts[2]) / kept_chars)
    untitled = topic_columns(texts, paths, [Decision("main", "t")] * 7, ["paragraph"] * 7, [0] * 7, None, None)
    assert np.isnan(untitled["tf_title_share"]).all() and np.isnan(untitled["tf_after_title"]).all()
    assert all(len(v) == 0 for v in topic_columns([], [], [], [], [], "t", "d").values())


def test_run_time_matrix_matches_training_for_topic_columns():
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    names = ["n_chars", *TOPIC_FEATURES, "log_chars"]
    got = feature_matrix(blocks, meta, rules, Columns(names))
    np.testing.assert_array_equal(got, to_matrix(context_features(blocks, meta, rules), names))


def test_seed_models_are_averaged():
    """A model file with ``seed_models`` averages its boosters' probabilities: the same booster twice
    gives the single booster's numbers; with a second booster that says 0 everywhere, half of them."""
    payload = shipped_payload()
    blocks, meta, rules = page("article-with-nav-footer-related.html")
    single = HtmlModel(payload)
    twice = HtmlModel({**payload, "seed_models": [payload["model"]]})
    assert len(twice.seed_trees) == 1
    np.testing.assert_allclose(twice.predict(blocks, meta, rules), single.predict(blocks, meta, rules))
    x = single.matrix(blocks, meta, rules)
    own = single.trees.predict(x)
    other = twice.seed_trees[0].predict(x)
    np.testing.assert_allclose(own, other)
    plain = HtmlModel({**payload, "region_mix": None})
    pair = HtmlModel({**payload, "region_mix": None, "seed_models": [payload["model"]]})

    class Zero:
        def predict(self, rows):
            return np.zeros(len(rows))

    pair.seed_trees = [Zero()]
    np.testing.assert_allclose(pair.predict(blocks, meta, rules), plain.predict(blocks, meta, rules) / 2)


def test_sibling_paths_in_c_are_the_regex():
    import os

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from thresher.classify import html_model

    strip = html_model._compiled_strip()
    if strip is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("the C extension is not built")
        pytest.skip("C extension not built")
    cases = ["", "body/div[1]/p[12]", "[1[2]", "[]", "[a]", "x[\u0661\u0662]", "é[3]ü", "[\u0663]\U0001f600",
             "a[1]\u0660[2]", "[[1]]", "ā[1]", "[1", "]", "div[0007]/a[ 1]"]
    for text in cases:
        assert strip(text) == html_model._strip_indices(text), text

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet="[]019/a\u0663\u0101\U0001f600\n", max_size=40))
    def same(text: str) -> None:
        assert strip(text) == html_model._strip_indices(text)

    same()
    paths = ["body/div[2]/ul[1]/li[3]", "body/div[2]/ul[1]/li[4]", "body/p[1]"]
    assert html_model._sibling_paths(paths) == ["body/div/ul/li", "body/div/ul/li", "body/p"]


def test_records_and_word_heads_in_c_are_the_python_ones():
    """The C ``path_records`` and ``lexbor_word_heads`` give _records_py's ids and WORD.findall's
    counts and first words (lower-cased) on odd paths and texts (empty steps, unindexed tags, a "["
    that opens no index, non-Latin and CJK words, a dotted capital I whose lower case is two
    characters, combining marks, an astral letter); _priced's ASCII shortcut is the currency regex."""
    import os
    import random

    from thresher.classify import html_model
    from thresher.segment.features import WORD

    records, heads = html_model._compiled_records(), html_model._compiled_word_heads()
    if records is None or heads is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("the C extension is not built")
        pytest.skip("C extension not built")
    rng = random.Random(5)
    steps = ["body", "div[1]", "div[2]", "li[1]", "li[2]", "li[3]", "li", "p[2]", "", "é[1]", "a[", "x[1]y", "\U0001f600"]
    cases = [[], [""], ["/x", "", "/y", "//z", "a", "a/b/c", "a/b", "", "x/"], ["", "/x/y"], ["/a", "", "/b"],
             ["b/ul[1]/li[1]/a[1]", "b/ul[1]/li[2]/a[1]", "b/ul[1]/li[2]/span[1]", "b/ul[1]/li[3]", "b/p[1]"]]
    cases += [["/".join(rng.choice(steps) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 30))]
              for _ in range(500)]
    for paths in cases:
        rec, run = html_model._records(paths)
        want_rec, want_run = html_model._records_py(paths)
        assert rec.tolist() == want_rec.tolist() and run.tolist() == want_run.tolist(), paths
    assert html_model._records(cases[5])[0].tolist() == [0, 1, 1, 2, -1]
    alphabet = "ab Z_9 \u0661\u00e9\u0130\u3042\u4e00\u0e01 .,-$\u20ac\U0001f600\U00010400\u0301\u00b2\u2160"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["", "\u0130stanbul kebap", "\u65e5\u672c\u8a9e text", "__init__ 3.5", "\u0301a"]
    counts, firsts = heads(texts)
    raw = [WORD.findall(t) for t in texts]
    assert np.frombuffer(counts, dtype=np.float64).tolist() == [float(len(w)) for w in raw]
    assert firsts == [w[0].lower() if w else None for w in raw]
    assert firsts[-4:-1] == ["i\u0307stanbul", "\u65e5", "__init__"]
    sign = html_model._currency_sign()
    assert html_model._priced(texts) == [sign.search(t) is not None for t in texts]
    assert html_model._priced(["$5", "5 €", "5 EUR"]) == [True, True, False]


def test_the_heading_that_is_the_title_stays_out_of_the_text_whatever_the_model_says():
    """The first block that reads as the page's title is the title (metadata), as in text mode, even
    where the model would keep it (WCXB's truth leaves the title out of 82% of texts)."""
    import thresher

    body = "".join(f"<p>Paragraph {i} of the story, with words enough to read as the text of the page.</p>"
                   for i in range(3))
    html = f"<html><head><title>Ten ways to cook rice</title></head><body><article><h1>Ten ways to cook rice</h1>{body}</article></body></html>"
    trace = thresher.extract_trace(thresher.Page(data=html, kind="html"))
    first = trace.decisions[0]
    assert trace.blocks[0].text == "Ten ways to cook rice" and first.label == "title"
    assert first.reason.startswith("matches_title")
    assert "Ten ways" not in trace.document.text and trace.document.title == "Ten ways to cook rice"
