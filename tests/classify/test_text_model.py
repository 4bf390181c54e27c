"""The learned text-mode classifier: its features, how it is stacked on the rules, the shipped model."""

import os
import random
from pathlib import Path

import numpy as np
import pytest

from thresher.classify import text_model as model_module
from thresher.classify.text_model import TextModel, feature_matrix, feature_names, keep_mask, load_model
from thresher.classify.text_rules import classify_text, rule_decisions
from thresher.deadline import Deadline
from thresher.model import Decision
from thresher.options import Options
from thresher.segment.text import segment_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"
OPTS = Options()


def _blocks(text):
    return segment_text(text, OPTS, Deadline(None))


def test_feature_matrix_has_one_named_column_per_feature_and_marks_missing_neighbours():
    blocks = _blocks("Short line\n\nA sentence that is long enough to count as prose in the text.\n\nLast line")
    rules = rule_decisions(blocks, OPTS, Deadline(None))
    reasons = ["body", "model"]
    names = feature_names(reasons)
    x = feature_matrix(blocks, rules, reasons)
    assert x.shape == (len(blocks), len(names))
    assert len(set(names)) == len(names)
    col = names.index("p1_n_words")
    assert x[0, col] == -1.0  # the first block has no previous neighbour
    assert x[1, col] == blocks[0].features["n_words"]
    assert x[-1, names.index("n1_rule_kept")] == -1.0


class _FixedModel(TextModel):
    """The stacking logic with scores chosen by the test."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, dtype=np.float64)
        self.thresholds = {"balanced": 0.5, "precision": 0.65, "recall": 0.3}
        self.stage2 = None

    def predict_first(self, blocks, rules, **shared):
        return self.scores


def test_stacking_keeps_rule_labels_of_dropped_blocks_and_titles_and_bylines():
    blocks = _blocks("a\n\nb\n\nc\n\nd\n\ne")
    rules = [Decision("title", "title_line"), Decision("byline", "byline"), Decision("promo", "promo_phrase"),
             Decision("main", "body"), Decision("main", "body")]
    out = _FixedModel([0.9, 0.9, 0.1, 0.2, 0.8]).decide(blocks, rules, OPTS)
    assert [(d.label, d.reason) for d in out] == [
        ("title", "title_line"), ("byline", "byline"), ("promo", "promo_phrase"),
        ("boilerplate", "model"), ("main", "body")]
    rescued = _FixedModel([0.1, 0.1, 0.7, 0.9, 0.9]).decide(blocks, rules, OPTS)
    assert (rescued[2].label, rescued[2].reason) == ("promo", "promo_phrase")  # evidence in the line: stays out
    placed = [*rules[:2], Decision("boilerplate", "outside_body"), *rules[3:]]
    rescued = _FixedModel([0.1, 0.1, 0.7, 0.9, 0.9]).decide(blocks, placed, OPTS)
    assert (rescued[2].label, rescued[2].reason) == ("main", "model")  # dropped for its place: can come back
    assert all(d.score is not None for d in out)


def test_a_run_of_headline_like_lines_can_come_back_but_a_list_under_a_header_phrase_cannot():
    blocks = _blocks("a\n\nb")
    rules = [Decision("headline_list", "headline_run"), Decision("headline_list", "after_section_header")]
    out = _FixedModel([0.9, 0.9]).decide(blocks, rules, OPTS)
    assert [(d.label, d.reason) for d in out] == [("main", "model"), ("headline_list", "after_section_header")]


def test_relative_threshold_scales_down_only_where_the_model_is_unsure_everywhere():
    rules = [Decision("main", "body")] * 3
    unsure = np.array([0.3, 0.45, 0.2])
    assert keep_mask(rules, unsure, unsure, 0.5) == [False, False, False]
    # best score 0.45 of 0.9: the threshold halves to 0.25
    assert keep_mask(rules, unsure, unsure, 0.5, relative=0.9) == [True, True, False]
    sure = np.array([0.3, 0.95, 0.2])  # a document with a clear body keeps the plain threshold
    assert keep_mask(rules, sure, sure, 0.5, relative=0.9) == keep_mask(rules, sure, sure, 0.5)
    dropped = [Decision("navigation", "before_title")] * 3  # dropped by the rules: the first stage must agree
    assert keep_mask(dropped, unsure, np.array([0.1, 0.3, 0.1]), 0.5, relative=0.9) == [False, True, False]
    model = _FixedModel(unsure)
    model.relative = 0.9
    blocks = _blocks("a\n\nb\n\nc")
    assert [d.kept for d in model.decide(blocks, rules, OPTS)] == [True, True, False]
    assert [d.kept for d in model.decide(blocks, rules, OPTS.with_(focus="precision"))] == [False, True, False]


def test_a_small_kept_run_far_from_the_main_run_is_dropped_a_near_or_large_one_is_not():
    chars = np.array([2000.0, 900.0, 10.0, 10.0, 40.0, 10.0, 10.0, 20.0, 10.0, 300.0])
    keep = np.array([True, True, False, False, True, False, False, True, False, True])
    # runs: blocks 0-1 (2,900 chars), 4 (40: under 3% of 2,900, two dropped blocks away), 7 and 9
    # (one dropped block between them: one run of 320 chars)
    assert model_module.stray_runs(keep, chars).tolist() == [i == 4 for i in range(10)]
    near = keep.copy()
    near[3] = True  # one dropped block between the main run and block 3, and between 3 and 4: one run
    assert not model_module.stray_runs(near, chars).any()
    assert model_module.stray_runs(np.array([True, False, False, True]), np.array([10.0, 5, 5, 9000])).tolist() \
        == [True, False, False, False]
    one_run = np.array([True, False, True, True])
    assert not model_module.stray_runs(one_run, np.array([1.0, 1, 1, 9000])).any()  # one run: nothing is stray
    rules = [Decision("main", "body")] * 10
    scores = np.where(keep, 0.9, 0.1)
    assert keep_mask(rules, scores, scores, 0.5, chars=chars) == [k and i != 4 for i, k in enumerate(keep)]
    assert keep_mask(rules, scores, scores, 0.5) == keep.tolist()  # without chars: no run filter
    blocks = _blocks("\n\n".join("x" * int(c) for c in chars))
    assert [len(b.text) for b in blocks] == chars.tolist()
    out = _FixedModel(scores).decide(blocks, rules, OPTS)
    assert [(d.label, d.reason) for d in out][4] == ("boilerplate", "stray_run")
    assert [d.kept for d in out] == [k and i != 4 for i, k in enumerate(keep)]


def test_focus_moves_the_threshold():
    blocks = _blocks("a\n\nb")
    rules = [Decision("main", "body"), Decision("main", "body")]
    model = _FixedModel([0.4, 0.6])
    kept = {f: [d.kept for d in model.decide(blocks, rules, OPTS.with_(focus=f))] for f in ("precision", "recall")}
    assert kept == {"precision": [False, False], "recall": [True, True]}


shipped = pytest.mark.skipif(load_model() is None, reason="no text model shipped")


@shipped
def test_shipped_model_loads_once_and_predicts_deterministically():
    assert load_model() is load_model()
    text = (FIXTURES / "en_cookie_share_related.txt").read_text(encoding="utf-8")
    blocks = _blocks(text)
    rules = rule_decisions(blocks, OPTS, Deadline(None))
    a = load_model().predict(blocks, rules)
    b = load_model().predict(blocks, rules)
    assert a.shape == (len(blocks),) and np.array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()


@shipped
@pytest.mark.parametrize("name", ["wcxb_clean_0251.txt", "wcxb_clean_4449.txt", "en_clean_with_list.txt"])
def test_shipped_model_keeps_clean_text_whole(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    blocks = _blocks(text)
    decisions = classify_text(blocks, OPTS, Deadline(None))
    kept = sum(len(b.text) for b, d in zip(blocks, decisions, strict=True) if d.kept)
    assert kept >= 0.98 * sum(len(b.text) for b in blocks)


@shipped
def test_shipped_model_drops_a_planted_ticker_and_section_list():
    article = (FIXTURES / "wcxb_clean_4449.txt").read_text(encoding="utf-8")
    ticker = "\n".join(f"{h}:{m:02d} Stocks close higher as oil prices rally in late trading" for h, m in
                       ((14, 5), (13, 40), (12, 15), (11, 2)))
    section = "Altre notizie\nIl sindaco presenta il nuovo piano per i trasporti\nNeve sulle Alpi, strade chiuse\n" \
              "La squadra vince la finale dopo i rigori\nPrezzi delle case in calo nel nord"
    blocks = _blocks(f"{article}\n\n{ticker}\n\n{section}")
    decisions = classify_text(blocks, OPTS, Deadline(None))
    dropped = {b.text for b, d in zip(blocks, decisions, strict=True) if not d.kept}
    assert all(line in dropped for line in ticker.splitlines())
    assert sum(line in dropped for line in section.splitlines()) >= 4


def _tiny_dump(feature: int, threshold: float, n_features: int) -> str:
    """A LightGBM text dump of one stump: leaf -2 below the threshold, +2 above."""
    return (f"tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx={n_features - 1}\n"
            "objective=binary sigmoid:1\n\nTree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=" f"{feature}\n"
            f"split_gain=1\nthreshold={threshold}\ndecision_type=2\nleft_child=-1\nright_child=-2\n"
            "leaf_value=-2 2\nleaf_weight=1 1\nleaf_count=1 1\ninternal_value=0\ninternal_weight=1\n"
            "internal_count=2\nis_linear=0\nshrinkage=1\n\n\nend of trees\n")


def test_a_model_trained_on_fewer_features_reads_its_columns_by_name():
    blocks = _blocks("Short line\n\nA sentence that is long enough to count as prose in the text here.")
    rules = rule_decisions(blocks, OPTS, Deadline(None))
    names = ["n_words", "terminal"]  # a model that knew two features, in its own order
    model = TextModel({"reasons": ["body"], "features": names, "thresholds": {"balanced": 0.5},
                       "model": _tiny_dump(0, 5.0, 2)})
    scores = model.predict(blocks, rules)
    assert scores[0] < 0.5 < scores[1]  # split on n_words, whatever its column in feature_matrix
    with pytest.raises(ValueError, match="retrain"):
        TextModel({"reasons": [], "features": ["no_such_feature"], "thresholds": {}, "model": _tiny_dump(0, 0, 1)})


def test_second_stage_reads_the_scores_around_each_block():
    from thresher.classify.text_model import stage2_matrix, stage2_names

    blocks = _blocks("a\n\nb\n\nc\n\nd")
    rules = [Decision("main", "body")] * 4
    x = stage2_matrix(blocks, rules, np.array([0.1, 0.9, 0.8, 0.2]))
    names = stage2_names()
    assert x.shape == (4, len(names)) and len(set(names)) == len(names)
    assert x[0, names.index("s-1")] == -1.0 and x[0, names.index("s+1")] == pytest.approx(0.9)
    assert x[1, names.index("sw2_min")] == pytest.approx(0.1)
    assert x[3, names.index("doc_mean")] == pytest.approx(0.5)
    smoothing = TextModel({"reasons": ["body"], "features": ["n_words"], "thresholds": {"balanced": 0.5},
                           "model": _tiny_dump(0, 0.5, 1),
                           "stage2": {"features": names, "model": _tiny_dump(names.index("sw2_mean"), 0.5, len(names))}})
    assert smoothing.stage2 is not None
    assert smoothing.predict(blocks, rules).shape == (4,)


# CI builds the extension (gcc is there): a missing build fails there instead of skipping
compiled = pytest.mark.skipif(model_module._compiled is None and os.environ.get("CI") != "true",
                              reason="C extension not built")


def _fixture_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))]
    rng = random.Random(9)
    lines = [line for t in texts for line in t.splitlines()]
    for _ in range(40):  # shuffled lines: other paragraph layouts, runs and rule decisions
        texts.append("\n".join(rng.choice(lines) + ("\n" if rng.random() < 0.3 else "")
                               for _ in range(rng.randrange(1, 160))))
    return [t for t in texts if t.strip()]


@compiled
def test_matrices_in_c_and_with_numpy_are_the_same_to_the_bit(monkeypatch):
    """feature_matrix and stage2_matrix run in C when the extension is built: the float32 matrices
    must be numpy's exactly (window sums are numpy's pairwise sums), for any scores."""
    assert model_module._compiled is not None, "the C extension is not built"
    model = load_model()
    assert model is not None
    rng = np.random.default_rng(2)
    for text in _fixture_texts():
        blocks = _blocks(text)
        rules = rule_decisions(blocks, Options(), Deadline(None))
        fast = feature_matrix(blocks, rules, model.reasons)
        scores = [model.predict_first(blocks, rules), rng.random(len(blocks)), np.round(rng.random(len(blocks)), 1)]
        fast2 = [model_module.stage2_matrix(blocks, rules, s) for s in scores]
        with monkeypatch.context() as m:
            m.setattr(model_module, "_compiled", None)
            assert feature_matrix(blocks, rules, model.reasons).tobytes() == fast.tobytes()
            for s, f in zip(scores, fast2, strict=True):
                assert model_module.stage2_matrix(blocks, rules, s).tobytes() == f.tobytes()


@compiled
def test_c_matrix_rejects_columns_out_of_range():
    C = model_module._compiled
    assert C is not None, "the C extension is not built"
    blocks = _blocks("One short line\n\nAnother line that is a little longer than that.")
    rules = rule_decisions(blocks, Options(), Deadline(None))
    out = np.zeros((len(blocks), len(feature_names([]))), dtype=np.float32)
    values = np.array([list(b.features.values()) for b in blocks])
    bad_layout = model_module._LAYOUT.copy()
    bad_layout[1] = 999
    args = [model_module._BASE_COLUMNS_I32, model_module._NB_COLUMNS_I32]
    ints = [np.zeros(len(blocks), dtype=np.int32)] * 3
    floats = [np.zeros(len(blocks))] * 3
    with pytest.raises(ValueError):
        C.text_matrix(values, *args, bad_layout, *ints, *floats, out)
    with pytest.raises(ValueError):
        C.text_matrix(values, *args, model_module._LAYOUT, *ints, *floats, out[:, :10].copy())
    assert rules


class _ChosenScores(TextModel):
    """decide() with first- and second-stage scores chosen by the test."""

    def __init__(self, first, second, relative):
        self.first, self.second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
        self.thresholds = {"balanced": 0.5, "precision": 0.65, "recall": 0.3}
        self.relative = relative
        self.stage2 = object()

    def predict_first(self, blocks, rules, **shared):
        return self.first

    def _trees(self, trees, matrix):
        return self.second


def test_decide_makes_the_decisions_keep_mask_describes():
    """decide() decides in one pass what keep_mask() says is kept (the function the training script
    scores): same kept set, rule labels and reasons where the rules' verdict stands, scores attached."""
    rng = random.Random(12)
    labels = [("main", "body"), ("caption", "caption"), ("title", "title_line"), ("byline", "byline"),
              ("promo", "promo_phrase"), ("boilerplate", "outside_body"), ("navigation", "before_body"),
              ("headline_list", "headline_run"), ("legal", "legal_phrase"), ("boilerplate", "stock_phrase")]
    blocks = _blocks("\n".join(f"Line number {k} of the list" for k in range(12)))
    for _ in range(400):
        rules = [Decision(*rng.choice(labels)) for _ in blocks]
        first = [rng.choice([0.0, 0.2, 0.3, 0.5, 0.65, 0.9, rng.random()]) for _ in blocks]
        second = [rng.choice([0.0, 0.3, 0.5, 0.65, 0.9, rng.random()]) for _ in blocks]
        relative = rng.choice([None, 0.0, 0.6, 0.95])
        opts = Options(focus=rng.choice(["balanced", "precision", "recall"]))
        model = _ChosenScores(first, second, relative)
        out = model.decide(blocks, rules, opts)
        chars = np.array([len(b.text) for b in blocks], dtype=np.float64)
        keep = keep_mask(rules, model.second, model.first, model.thresholds[opts.focus], relative=relative,
                         chars=chars)
        assert [d.kept for d in out] == keep
        assert [d.score for d in out] == second
        for d, r, k in zip(out, rules, keep, strict=True):
            if k == r.kept or r.label in ("title", "byline") or r.reason in model_module.EVIDENCE_REASONS:
                assert (d.label, d.reason) == (r.label, r.reason)
            else:
                assert (d.label, d.reason) == (("main", "model") if k else ("boilerplate", "model"))


def test_second_stage_mean_is_numpys_mean_to_the_bit():
    rng = np.random.default_rng(2)
    for n in (1, 2, 7, 8, 9, 31, 88, 129, 1000):
        s = rng.random(n)
        assert float(np.add.reduce(s) / n) == float(s.mean())


def test_decisions_made_without_init_are_the_decisions_init_makes(monkeypatch):
    """decide() makes its decisions with the extension's new_slotted when it is built: equal, field
    by field and in type, to the ones Decision(...) makes."""
    rng = random.Random(13)
    labels = [("main", "body"), ("title", "title_line"), ("promo", "promo_phrase"), ("navigation", "before_body")]
    blocks = _blocks("\n".join(f"Line number {k} of the list" for k in range(9)))
    for _ in range(50):
        rules = [Decision(*rng.choice(labels)) for _ in blocks]
        model = _ChosenScores([rng.random() for _ in blocks], [rng.random() for _ in blocks], None)
        fast = model.decide(blocks, rules, Options())
        with monkeypatch.context() as m:
            m.setattr(model_module, "_new_decisions", None)
            slow = model.decide(blocks, rules, Options())
        assert fast == slow and {type(d) for d in fast} == {Decision}
        assert [d.score for d in fast] == [d.score for d in slow]


@compiled
def test_forest_walk_gives_what_the_numpy_walk_gives_to_the_bit():
    """The text model's trees walked by the extension's forest_walk (eight-byte nodes) give the
    probabilities of the numpy walk and of _speedups.c's walk exactly, NaN (read as 0) included."""
    assert model_module._forests is not None, "the C extension is not built"
    model = load_model()
    assert model is not None and model.stage2 is not None
    rng = np.random.default_rng(4)
    for trees, width in ((model.trees, len(model.names)), (model.stage2, len(model_module.stage2_names()))):
        assert model_module._forest(trees) is not None
        assert model_module._forest(trees) is model_module._forest(trees)  # packed once
        for n in (1, 3, 8, 9, 31, 700):
            x = rng.normal(0.0, 3.0, (n, width)).astype(np.float32)
            x[rng.random((n, width)) < 0.3] = 0.0
            x[rng.random((n, width)) < 0.05] = np.nan
            got = TextModel._trees(trees, x)
            assert got.tobytes() == trees._walk_paired_numpy(x).tobytes()
            assert got.tobytes() == np.asarray(trees.predict(x), dtype=np.float64).tobytes()


@compiled
def test_forest_table_refuses_bad_tables_and_does_not_pack_wide_ones():
    C = model_module._forests
    assert C is not None, "the C extension is not built"
    trees = load_model().trees
    feat, left, leaf, depth, value, roots = trees.c_table
    thr = np.ascontiguousarray(trees.p_thr32)
    wide = feat.copy()
    wide[int(np.flatnonzero(leaf == 0)[0])] = 300  # a feature past what a node's byte holds
    assert C.forest_table(thr, wide, left, leaf, depth, value, roots) is None
    bad = left.copy()
    bad[int(np.flatnonzero(leaf == 0)[0])] = len(left)  # a child out of the table
    with pytest.raises(ValueError):
        C.forest_table(thr, feat, bad, leaf, depth, value, roots)
    with pytest.raises(ValueError):
        C.forest_table(thr, feat, left, leaf, depth, value, roots[::-1].copy())
    forest = C.forest_table(thr, feat, left, leaf, depth, value, roots)
    raw = np.zeros(2)
    with pytest.raises(ValueError):  # rows narrower than the features the trees read
        C.forest_walk(forest, np.zeros((2, 3), dtype=np.float32), 3, raw)
    with pytest.raises(TypeError):
        C.forest_walk(forest, np.zeros((2, 300)), 300, raw)
