"""A second stage for the HTML block model: region-level decisions from first-stage probabilities.

    python training/html_stack.py --hx HX inner                   # cross-fitted first-stage probabilities
    python training/html_stack.py --hx HX outer FOLDS_DIR         # out-of-fold first-stage probabilities
    python training/html_stack.py --hx HX stack                   # second stage, out of fold
    python training/html_stack.py --hx HX mix                     # region_mix alone, nested choice

``HX`` holds the arrays ``html_experiment_data.py`` writes (plus ``labels_refined.npy``). The first
stage is ``train_html_model.py``'s block model (same features, labels, weights and parameters).

Cross-fitting, so that no number is optimistic: for outer fold K, the second stage is trained on the
other four folds' pages with first-stage probabilities that are themselves out of fold *inside*
those four (``inner``: for every K and every J != K, a first-stage model trained on the three folds
other than K and J predicts fold J: twenty fits), and fold K is scored with the first-stage model
of fold K (trained on the four other folds: ``outer``) followed by the second stage of fold K.

    python training/html_stack.py --hx HX ship --folds-in FOLDS_DIR --folds-out DIR [--model-out M]

writes fold models with their second stage (and ``region_mix`` 0.3, balanced floor 0.4, the setting
the nested choice picked) for ``benchmarks/wcxb.py --folds-dir DIR``, and optionally a shipped model.

Measured (2026-11-27, WCXB dev, domain folds, out of fold; benchmarks/wcxb.py): first stage 0.865;
the first stage with ``region_mix`` 0.6, 0.867 (0.2 ships, see train_html_model.REGION_MIX); second stage with
``region_mix`` 0.3, 0.869 (article .954 service .840 product .652 collection .682 forum .812
listing .732 documentation .922) for about 1 ms a page more and twenty more first-stage fits per
training run, so it is not shipped. Page means of type-telling columns (``--page``) did not help.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import lightgbm
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_experiments import Data, nested_choice, summary, weights
from train_html_model import MODEL_PATH, PARAMS, ROUNDS

from thresher.classify.html_model import (
    REGION_FEATURES,
    drop_repeats,
    expected_f1_keep,
    group_mean,
    region_columns,
)

STAGE2_BLOCK = ("n_words", "link_density", "is_heading", "is_list_item", "is_table_row", "position",
                "page_n_blocks", "page_log_chars", "rule_main", "rule_navigation", "in_nav", "in_footer",
                "page_type_article", "page_type_collection", "page_type_documentation", "page_type_forum",
                "page_type_listing", "page_type_product", "page_type_service")
"""First-stage columns the second stage reads besides :data:`html_model.REGION_FEATURES`."""
STAGE2_PAGE = ("h_product", "h_products", "h_cart", "h_card", "h_grid", "h_item", "h_items", "h_comment",
               "h_comments", "h_post", "h_posts", "h_article", "h_entrycontent", "h_category",
               "h_list", "h_author", "h_date", "h_sidebar", "h_related", "link_density",
               "is_list_item", "is_heading", "is_table_row", "in_nav", "stopword_rate", "sentence_end",
               "n_words")
"""First-stage columns whose page means (NaN as 0) the second stage reads: what kind of page it is."""
STAGE2_PARAMS = {**PARAMS, "num_leaves": 15, "min_data_in_leaf": 50, "learning_rate": 0.05}
STAGE2_ROUNDS = 100


def cmd_inner(d: Data, a: argparse.Namespace) -> None:
    """``inner_K.npy``: per block of the folds other than K, the probability from a first-stage
    model trained on neither K nor the block's own fold (NaN on fold K)."""
    y = np.load(a.hx / "labels_refined.npy").astype(np.float32)
    w = weights(d, "words")
    params = dict(PARAMS)
    t0 = time.time()
    for k in range(5):
        path = a.hx / f"inner_{k}.npy"
        if path.exists():
            continue
        out = np.full(len(y), np.nan)
        for j in range(5):
            if j == k:
                continue
            tr = np.flatnonzero((d.fold_of_block != k) & (d.fold_of_block != j))
            te = np.flatnonzero(d.fold_of_block == j)
            ds = lightgbm.Dataset(np.asarray(d.X[tr]), y[tr], weight=w[tr], feature_name=d.names,
                                  free_raw_data=True)
            booster = lightgbm.train(params, ds, num_boost_round=a.rounds)
            out[te] = booster.predict(np.asarray(d.X[te]))
            print(f"  outer {k} inner {j} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
        np.save(path, out)


def cmd_outer(d: Data, a: argparse.Namespace) -> None:
    """``outer.npy``: every block's probability from the fold model that never saw its domain."""
    probs = np.zeros(len(d.y))
    for k in range(5):
        payload = json.loads((a.dir / f"fold-{k}.json").read_text())
        assert payload["features"] == d.names, "feature names differ from the arrays'"
        te = d.fold_of_block == k
        probs[te] = lightgbm.Booster(model_str=payload["model"]).predict(np.asarray(d.X[te]))
    np.save(a.hx / "outer.npy", probs)


def stage2_matrix(d: Data, probs: np.ndarray, cols: list[int], page_cols: list[int] | None = None) -> np.ndarray:
    """Region columns from ``probs`` (per page) next to the chosen first-stage columns."""
    words = np.asarray(d.X[:, d.names.index("n_words")], dtype=np.float64)
    paths = d.meta["paths"]
    region = np.zeros((len(probs), len(REGION_FEATURES)), dtype=np.float32)
    page = np.zeros((len(probs), len(page_cols or [])), dtype=np.float32)
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        if s.stop > s.start and not np.isnan(probs[s.start]):
            region[s] = region_columns(paths[s], probs[s], words[s])
            if page_cols:
                page[s] = np.nan_to_num(np.asarray(d.X[s][:, page_cols], dtype=np.float32)).mean(axis=0)
    return np.hstack([region, np.asarray(d.X[:, cols], dtype=np.float32), page])


def keep_masks(d: Data, probs: np.ndarray, power: float, floor: float) -> np.ndarray:
    words = np.asarray(d.X[:, d.names.index("n_words")], dtype=np.float64)
    keep = np.zeros(len(probs), dtype=bool)
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        k = expected_f1_keep(probs[s], words[s], power, floor)
        keep[s] = drop_repeats(d.bags[i]["texts"], list(k), list(words[s]), 5)
    return keep


def cmd_stack(d: Data, a: argparse.Namespace) -> None:
    """Second stage per outer fold K: trained on the other folds' cross-fitted probabilities
    (``inner_K.npy``, or with ``--proxy`` the outer ones), applied to fold K's outer probabilities."""
    y = np.load(a.hx / "labels_refined.npy").astype(np.float32)
    w = weights(d, "words")
    cols = [d.names.index(name) for name in STAGE2_BLOCK]
    names = [*REGION_FEATURES, *STAGE2_BLOCK]
    page_cols = None
    if a.page:
        page_cols = [d.names.index(name) for name in STAGE2_PAGE if name in d.names]
        names += ["pm_" + d.names[j] for j in page_cols]
    outer = np.load(a.hx / "outer.npy")
    x_test = stage2_matrix(d, outer, cols, page_cols)
    params = {**STAGE2_PARAMS, "num_leaves": a.leaves, "min_data_in_leaf": a.min_data}
    iters = sorted(int(x) for x in a.iters.split(","))
    out = {it: np.zeros(len(y)) for it in iters}
    t0 = time.time()
    x_proxy = x_test if a.proxy else None
    for k in range(5):
        tr = d.fold_of_block != k
        te = ~tr
        if x_proxy is not None:
            x_train = x_proxy[tr]
        else:
            x_train = stage2_matrix(d, np.load(a.hx / f"inner_{k}.npy"), cols, page_cols)[tr]
        booster = lightgbm.train(params, lightgbm.Dataset(x_train, y[tr], weight=w[tr], feature_name=names),
                                 num_boost_round=max(iters))
        for it in iters:
            out[it][te] = booster.predict(x_test[te], num_iteration=it)
        if k == 0:
            gain = booster.feature_importance("gain")
            print("  top:", ", ".join(f"{names[j]}={gain[j] / gain.sum():.2f}" for j in np.argsort(-gain)[:12]))
        print(f"  fold {k} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    tag = a.name + ("_proxy" if a.proxy else "")
    summary(d, "first stage (1.25, 0.3)", d.score(keep_masks(d, outer, 1.25, 0.3)))
    for it, probs in out.items():
        np.save(a.hx / f"stack_{tag}_{it}.npy", probs)
        for power, floor in ((1.25, 0.3), (1.25, 0.4), (1.5, 0.4), (1.25, 0.45)):
            summary(d, f"{tag}@{it} ({power}, {floor})", d.score(keep_masks(d, probs, power, floor)))


def cmd_mix(d: Data, a: argparse.Namespace) -> None:
    """``region_mix`` with the expected-F1 selection on saved probabilities (``PROBS``, default the
    outer ones): a grid, then each fold scored with the setting best on the other four (nested)."""
    probs = np.load(a.hx / a.probs)
    words = np.asarray(d.X[:, d.names.index("n_words")], dtype=np.float64)
    paths = d.meta["paths"]
    group = np.zeros(len(probs))
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        group[s] = group_mean(paths[s], probs[s], words[s])
    grid = [(mix, power, floor) for mix in (0.0, 0.3, 0.6, 0.8) for power, floor in
            ((1.0, 0.3), (1.25, 0.25), (1.25, 0.3), (1.5, 0.3))]
    res = {}
    for mix, power, floor in grid:
        res[mix, power, floor] = d.score(keep_masks(d, (1 - mix) * probs + mix * group, power, floor))
        summary(d, f"mix={mix} power={power} floor={floor}", res[mix, power, floor])
    summary(d, "nested choice (mix, power, floor)", nested_choice(d, res))


def fit_stage2(x: np.ndarray, y: np.ndarray, w: np.ndarray, rounds: int = STAGE2_ROUNDS) -> lightgbm.Booster:
    names = [*REGION_FEATURES, *STAGE2_BLOCK]
    return lightgbm.train(STAGE2_PARAMS, lightgbm.Dataset(x, y, weight=w, feature_name=names),
                          num_boost_round=rounds)


def stage2_payload(booster: lightgbm.Booster) -> dict:
    return {"region_features": list(REGION_FEATURES), "block_columns": list(STAGE2_BLOCK),
            "model": booster.model_to_string()}


def cmd_ship(d: Data, a: argparse.Namespace) -> None:
    """Fold models with their second stage (``FOLDS_OUT/fold-K.json``: the first stage of
    ``FOLDS_IN/fold-K.json`` plus a second stage trained on ``inner_K.npy``), and the shipped model
    with a second stage trained on every page's out-of-fold probabilities (``outer.npy``)."""
    y = np.load(a.hx / "labels_refined.npy").astype(np.float32)
    w = weights(d, "words")
    cols = [d.names.index(name) for name in STAGE2_BLOCK]
    a.folds_out.mkdir(parents=True, exist_ok=True)
    for k in range(5):
        payload = json.loads((a.folds_in / f"fold-{k}.json").read_text(encoding="utf-8"))
        assert payload["features"] == d.names, "feature names differ from the arrays'"
        tr = d.fold_of_block != k
        booster = fit_stage2(stage2_matrix(d, np.load(a.hx / f"inner_{k}.npy"), cols)[tr], y[tr], w[tr])
        payload["stage2"] = stage2_payload(booster)
        payload["region_mix"] = a.mix
        payload["expected_f1"]["balanced"] = [a.power, a.floor]
        (a.folds_out / f"fold-{k}.json").write_text(json.dumps(payload), encoding="utf-8")
        print(f"  wrote {a.folds_out / f'fold-{k}.json'}", file=sys.stderr, flush=True)
    if a.model_out is None:
        return
    payload = json.loads(a.model_in.read_text(encoding="utf-8"))
    assert payload["features"] == d.names, "feature names differ from the arrays'"
    payload["stage2"] = stage2_payload(fit_stage2(stage2_matrix(d, np.load(a.hx / "outer.npy"), cols), y, w))
    payload["region_mix"] = a.mix
    payload["expected_f1"]["balanced"] = [a.power, a.floor]
    a.model_out.write_text(json.dumps(payload), encoding="utf-8")
    print(f"wrote {a.model_out} ({a.model_out.stat().st_size / 1e6:.1f} MB)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hx", type=Path, required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("inner")
    i.add_argument("--rounds", type=int, default=ROUNDS)
    o = sub.add_parser("outer")
    o.add_argument("dir", type=Path)
    s = sub.add_parser("stack")
    s.add_argument("--name", default="s2")
    s.add_argument("--proxy", action="store_true",
                   help="train on the outer probabilities (standard stacking, slightly optimistic)")
    s.add_argument("--iters", default="100,200")
    s.add_argument("--leaves", type=int, default=STAGE2_PARAMS["num_leaves"])
    s.add_argument("--min-data", type=int, default=STAGE2_PARAMS["min_data_in_leaf"])
    s.add_argument("--page", action="store_true", help="also the page means of STAGE2_PAGE columns")
    h = sub.add_parser("ship")
    h.add_argument("--folds-in", type=Path, required=True, help="first-stage fold models (fold-K.json)")
    h.add_argument("--folds-out", type=Path, required=True)
    h.add_argument("--model-in", type=Path, default=MODEL_PATH, help="the first-stage model trained on every page")
    h.add_argument("--model-out", type=Path, help="where the two-stage model goes (default: nowhere)")
    h.add_argument("--mix", type=float, default=0.3, help="region_mix of the two-stage model")
    h.add_argument("--power", type=float, default=1.25, help="balanced expected-F1 power")
    h.add_argument("--floor", type=float, default=0.4, help="balanced expected-F1 floor")
    m = sub.add_parser("mix")
    m.add_argument("--probs", default="outer.npy")
    a = ap.parse_args()
    d = Data(a.hx)
    {"inner": cmd_inner, "outer": cmd_outer, "stack": cmd_stack, "ship": cmd_ship, "mix": cmd_mix}[a.cmd](d, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
