"""Experiment: a page-level page-type classifier from the blocks' features, out of fold.

    python training/html_page_type.py --hx /tmp/hx

Per page: the mean of every block feature column (and the word-weighted mean), the page's size;
labels: the WCXB page type. Five domain-grouped folds; writes ``pagetype_oof.npy`` (per block, the
seven page-type probabilities of its page) for ``html_experiments.py train --extra pagetype_oof``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lightgbm
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_experiments import TYPES, Data


def page_matrix(d: Data) -> np.ndarray:
    rows = []
    X = np.asarray(d.X)
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        x = X[s]
        if not len(x):
            rows.append(np.full(2 * X.shape[1] + 1, np.nan))
            continue
        w = d.n_words[s] + 1.0
        mean = np.nanmean(np.where(np.isnan(x), np.nan, x), axis=0)
        wmean = np.nansum(np.nan_to_num(x) * w[:, None], axis=0) / w.sum()
        rows.append(np.concatenate([mean, wmean, [np.log1p(w.sum())]]))
    return np.array(rows, dtype=np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    a = ap.parse_args()
    d = Data(a.hx)
    P = page_matrix(d)
    y = np.array([TYPES.index(t) for t in d.types])
    folds = np.array([p["fold"] for p in d.pages])
    probs = np.zeros((len(d.pages), len(TYPES)))
    params = {"objective": "multiclass", "num_class": len(TYPES), "learning_rate": 0.05, "num_leaves": 15,
              "min_data_in_leaf": 10, "feature_fraction": 0.5, "bagging_fraction": 0.8, "bagging_freq": 1,
              "lambda_l2": 1.0, "verbose": -1, "seed": 7, "deterministic": True, "num_threads": 1}
    for k in range(5):
        tr = folds != k
        b = lightgbm.train(params, lightgbm.Dataset(P[tr], y[tr]), num_boost_round=200)
        probs[~tr] = b.predict(P[~tr])
    pred = probs.argmax(1)
    print(f"page-type accuracy (out of fold): {np.mean(pred == y):.3f}")
    for j, t in enumerate(TYPES):
        m = y == j
        print(f"  {t:14s} recall={np.mean(pred[m] == j):.3f} precision={np.mean(y[pred == j] == j) if (pred == j).any() else 0:.3f}")
    sizes = [p["n"] for p in d.pages]
    np.save(a.hx / "extra_pagetype.npy", np.repeat(probs, sizes, axis=0).astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main())
