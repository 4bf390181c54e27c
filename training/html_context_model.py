"""Train the HTML block model with page context: structure columns and page-type probabilities.

    python training/train_html_model.py --cache C.pkl --no-save          # segment once (the cache)
    python training/html_experiment_data.py --cache C.pkl --out HX        # flatten it into arrays
    python training/html_struct_features.py --cache C.pkl --hx HX         # structure columns
    python training/html_context_model.py --hx HX --folds-dir DIR         # folds, then the shipped model

On top of the features ``train_html_model.py`` uses, every block gets its structure columns
(``html_model.structure_columns``) and its page's type probabilities (``pt_<type>``) from a
page-level model (``html_model.PageTypeModel``: one-vs-rest LightGBM over ``page_vector``).

Everything reported is out of fold, the page-type probabilities included: for the block model of
fold K, the training pages' probabilities come from page-type models that never saw their fold nor
fold K (nested), and fold K's pages get them from a page-type model trained on the other four folds,
as at run time. ``DIR/fold-K.json`` carries both models, so ``benchmarks/wcxb.py --folds-dir DIR``
scores every page with models that never saw its domain. The shipped model (``--model-out``,
default ``src/thresher/data/html_model.json``) is trained on every page, on five-fold page-type
probabilities, with the threshold the folds chose. Labels: the alignment refined against the page's
F1 (``label_refine.py``, gain 0.001), as ``train_html_model.py --labels refined``.

Status (2026-11-27): the nested page-type models reached 0.804 accuracy on fold 0 (metadata's page
type: 0.49), but a full run was stopped for time: 35 LightGBM page-type fits per run are slow on a
shared machine. Cross-fitted (not nested) page-type columns and the structure columns were each
measured with ``html_experiments.py train --extra-cols``: out-of-fold F1 0.857 and 0.857, the same
as without them, so the shipped model reads neither.
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
from html_experiments import TYPES, Data, best_global, summary, weights
from label_refine import refine
from train_html_model import MODEL_PATH, PARAMS

from thresher.classify.html_model import PAGE_TYPE_PREFIX, STRUCT_FEATURES, page_vector

PT_PARAMS = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 10,
             "feature_fraction": 0.5, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
             "verbose": -1, "seed": 7, "deterministic": True, "num_threads": 1, "force_row_wise": True}
PT_ROUNDS = 150


def refined_labels(d: Data, hx: Path) -> np.ndarray:
    path = hx / "labels_refined.npy"
    if path.exists():
        return np.load(path)
    out = np.zeros(len(d.y), dtype=np.float32)
    for i, bag in enumerate(d.bags):
        s = d.page_slice(i)
        out[s] = refine(bag["texts"], bag["truth_text"], [int(v) for v in d.y[s]], 0.001)
    np.save(path, out)
    return out


def fit_page_types(P: np.ndarray, y: np.ndarray) -> list[lightgbm.Booster]:
    return [lightgbm.train(PT_PARAMS, lightgbm.Dataset(P, (y == c).astype(np.float32)), num_boost_round=PT_ROUNDS)
            for c in range(len(TYPES))]


def predict_page_types(models: list[lightgbm.Booster], P: np.ndarray) -> np.ndarray:
    return np.stack([m.predict(P) for m in models], axis=1) if len(P) else np.zeros((0, len(TYPES)))


def cross_fit(P: np.ndarray, y: np.ndarray, folds: np.ndarray, which: list[int]) -> np.ndarray:
    """Out-of-fold page-type probabilities for the pages of folds ``which``, each fold predicted by
    models trained on the others among ``which``."""
    out = np.full((len(P), len(TYPES)), np.nan)
    for j in which:
        tr = np.isin(folds, [f for f in which if f != j])
        te = folds == j
        out[te] = predict_page_types(fit_page_types(P[tr], y[tr]), P[te])
    return out


def payload(booster: lightgbm.Booster, names: list[str], threshold: float, pt_models: list[lightgbm.Booster] | None,
            pt_inputs: list[str], trained_on: str) -> dict:
    out = {
        "format": 1,
        "trained_on": trained_on,
        "features": names,
        "smooth": False,
        "thresholds": {"balanced": threshold, "precision": round(min(threshold + 0.15, 0.9), 2),
                       "recall": round(max(threshold - 0.15, 0.1), 2)},
        "model": booster.model_to_string(),
    }
    if pt_models is not None:
        out["page_type"] = {"features": pt_inputs, "classes": list(TYPES),
                            "models": [m.model_to_string() for m in pt_models]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    ap.add_argument("--folds-dir", type=Path, help="write the five fold models here (fold-K.json)")
    ap.add_argument("--model-out", type=Path, default=MODEL_PATH)
    ap.add_argument("--no-save", action="store_true", help="folds only: no shipped model")
    ap.add_argument("--no-struct", action="store_true")
    ap.add_argument("--no-page-type", action="store_true")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--name", default="ctx", help="saves the out-of-fold probabilities as HX/oof_NAME.npy")
    a = ap.parse_args()
    t0 = time.time()
    d = Data(a.hx)
    y = refined_labels(d, a.hx)
    X = np.asarray(d.X)
    names = list(d.names)
    if not a.no_struct:
        X = np.hstack([X, np.load(a.hx / "extra_struct.npy")])
        names += list(STRUCT_FEATURES)
    pt_inputs = list(names)
    folds = np.array([p["fold"] for p in d.pages])
    y_type = np.array([TYPES.index(t) for t in d.types])
    sizes = np.array([p["n"] for p in d.pages])
    words = X[:, names.index("n_words")]
    P = np.stack([page_vector(X[d.page_slice(i)], words[d.page_slice(i)]) for i in range(len(d.pages))])
    print(f"{len(d.pages)} pages, {len(y)} blocks, {len(names)} block features, page vector {P.shape[1]} "
          f"({time.time() - t0:.0f} s)", flush=True)
    params = dict(PARAMS)
    w = weights(d, "words")
    oof = np.zeros(len(y))
    boosters = []
    pt_fold_models: list[list[lightgbm.Booster] | None] = []
    pt_names = [PAGE_TYPE_PREFIX + t for t in TYPES]
    all_names = names + ([] if a.no_page_type else pt_names)
    for k in range(5):
        tr_pages = folds != k
        if a.no_page_type:
            Xk = X
            pt_fold_models.append(None)
        else:
            pt = cross_fit(P, y_type, folds, [f for f in range(5) if f != k])
            models = fit_page_types(P[tr_pages], y_type[tr_pages])
            pt[~tr_pages] = predict_page_types(models, P[~tr_pages])
            pt_fold_models.append(models)
            acc = float(np.mean(pt[~tr_pages].argmax(1) == y_type[~tr_pages]))
            print(f"  fold {k}: page-type accuracy {acc:.3f} ({time.time() - t0:.0f} s)", flush=True)
            Xk = np.hstack([X, np.repeat(pt, sizes, axis=0).astype(np.float32)])
        tr = d.fold_of_block != k
        ds = lightgbm.Dataset(Xk[tr], y[tr], weight=w[tr], feature_name=all_names, free_raw_data=True)
        booster = lightgbm.train(params, ds, num_boost_round=a.rounds)
        oof[~tr] = booster.predict(Xk[~tr])
        boosters.append(booster)
        print(f"  fold {k} done ({time.time() - t0:.0f} s)", flush=True)
        del Xk, ds
    np.save(a.hx / f"oof_{a.name}.npy", oof)
    summary(d, "rules", d.score(np.array(d.meta["rule_kept"])))
    threshold, _ = best_global(d, oof, a.name)
    if a.folds_dir:
        a.folds_dir.mkdir(parents=True, exist_ok=True)
        for k, booster in enumerate(boosters):
            (a.folds_dir / f"fold-{k}.json").write_text(json.dumps(payload(
                booster, all_names, threshold, pt_fold_models[k], pt_inputs, "a WCXB dev fold")), encoding="utf-8")
        print(f"wrote {a.folds_dir}/fold-K.json")
    if a.no_save:
        return 0
    pt_models = None
    Xf = X
    if not a.no_page_type:
        pt = cross_fit(P, y_type, folds, list(range(5)))
        pt_models = fit_page_types(P, y_type)
        Xf = np.hstack([X, np.repeat(pt, sizes, axis=0).astype(np.float32)])
    booster = lightgbm.train(params, lightgbm.Dataset(Xf, y, weight=w, feature_name=all_names), num_boost_round=a.rounds)
    a.model_out.write_text(json.dumps(payload(booster, all_names, threshold, pt_models, pt_inputs,
                                              f"WCXB dev, {len(d.pages)} pages (CC-BY-4.0)")), encoding="utf-8")
    print(f"wrote {a.model_out} ({a.model_out.stat().st_size / 1e6:.1f} MB, {time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
