"""Out-of-fold experiments on the HTML block classifier, on the arrays html_experiment_data.py wrote.

    python training/html_experiments.py --hx /tmp/hx folds /tmp/html_folds_pw --name base
    python training/html_experiments.py --hx /tmp/hx train --name leaves63 --leaves 63 --iters 300,500
    python training/html_experiments.py --hx /tmp/hx decide --name base
    python training/html_experiments.py --hx /tmp/hx expected --name base

``folds`` scores saved fold models (``DIR/fold-K.json``) on their own folds; ``train`` trains five
domain-grouped fold models with a variant (labels, weights, hyper-parameters, a second stage) and
saves the out-of-fold probabilities at several boosting rounds (``oof_<name>_<rounds>.npy``);
``decide`` tries decision rules (global, per-page-type thresholds, a fallback when a page keeps
nothing, smoothing) on saved probabilities; ``expected`` tries the run-time expected-F1 selection and
repeat dropping (``html_model.expected_f1_keep`` / ``drop_repeats``) on them. Scores are the WCXB word-bag F1 of the kept blocks'
text, the same number ``train_html_model.py`` prints; nothing here is scored on a page whose domain
the model was trained on.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_html_model import PARAMS

TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")


class Data:
    def __init__(self, hx: Path) -> None:
        t0 = time.time()
        self.X = np.load(hx / "X.npy", mmap_mode="r")
        with (hx / "meta.pkl").open("rb") as fh:
            self.meta = pickle.load(fh)
        with (hx / "bags.pkl").open("rb") as fh:
            self.bags = pickle.load(fh)
        self.names: list[str] = self.meta["names"]
        self.pages = self.meta["pages"]
        sizes = [p["n"] for p in self.pages]
        self.starts = np.cumsum([0, *sizes])
        self.y = np.array(self.meta["labels"], dtype=np.float32)
        self.n_words = np.array(self.meta["n_words"], dtype=np.float32)
        self.fold_of_block = np.repeat([p["fold"] for p in self.pages], sizes)
        self.page_of_block = np.repeat(np.arange(len(self.pages)), sizes)
        self.types = [p["type"] for p in self.pages]
        col = {n: j for j, n in enumerate(self.names)}
        # the page type the runtime sees (metadata.page_type), not the ground truth's
        pt = np.zeros(len(self.pages), dtype=object)
        for i, lo in enumerate(self.starts[:-1]):
            pt[i] = "other"
            if self.pages[i]["n"]:
                for t in TYPES:
                    if self.X[lo, col["page_type_" + t]] == 1.0:
                        pt[i] = t
        self.pred_type = pt
        # per page: concatenated word ids and the block of each word
        self.tok = []
        for bag in self.bags:
            blocks = bag["blocks"]
            ids = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int32)
            owner = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks]) if blocks else ids
            self.tok.append((ids, owner, bag["truth"], int(bag["truth"].sum())))
        print(f"data: {len(self.pages)} pages, {len(self.y)} blocks, {len(self.names)} features "
              f"({time.time() - t0:.0f} s)", file=sys.stderr)

    def page_slice(self, i: int) -> slice:
        return slice(int(self.starts[i]), int(self.starts[i + 1]))

    def prf(self, i: int, keep: np.ndarray) -> tuple[float, float, float]:
        ids, owner, truth, n_truth = self.tok[i]
        kept_ids = ids[keep[owner]] if len(ids) else ids
        if n_truth == 0:
            return (1.0, 1.0, 1.0) if len(kept_ids) == 0 else (0.0, 0.0, 0.0)
        if len(kept_ids) == 0:
            return 0.0, 0.0, 0.0
        pred = np.bincount(kept_ids, minlength=len(truth))
        hit = int(np.minimum(pred, truth).sum())
        if not hit:
            return 0.0, 0.0, 0.0
        p, r = hit / len(kept_ids), hit / n_truth
        return p, r, 2 * p * r / (p + r)

    def score(self, keep_all: np.ndarray) -> np.ndarray:
        return np.array([self.prf(i, keep_all[self.page_slice(i)]) for i in range(len(self.pages))])


def nested_choice(d: Data, res: dict[Any, np.ndarray]) -> np.ndarray:
    """Per-page scores when each fold takes the setting (a key of ``res``: per-page P/R/F1 rows) with
    the best mean F1 on the other four folds: an honest figure for a choice made on the data."""
    folds = np.array([p["fold"] for p in d.pages])
    chosen = np.zeros((len(d.pages), 3))
    for k in range(5):
        best = max(res, key=lambda g: float(res[g][folds != k, 2].mean()))
        print(f"  fold {k} chooses {best}")
        chosen[folds == k] = res[best][folds == k]
    return chosen


def summary(d: Data, name: str, scores: np.ndarray, show: bool = True) -> dict:
    f = scores[:, 2]
    by: dict[str, list[float]] = defaultdict(list)
    for t, v in zip(d.types, f, strict=True):
        by[t].append(v)
    out = {"F1": f.mean(), "P": scores[:, 0].mean(), "R": scores[:, 1].mean(), "p10": np.percentile(f, 10),
           "lt05": int((f < 0.5).sum()), **{t: float(np.mean(by[t])) for t in TYPES}}
    if show:
        print(f"{name:<34} F1={out['F1']:.4f} P={out['P']:.3f} R={out['R']:.3f} p10={out['p10']:.3f} "
              f"<.5={out['lt05']:3d} " + " ".join(f"{t[:4]}={out[t]:.3f}" for t in TYPES), flush=True)
    return out


def smooth_keep(paths: Sequence[str], keep: np.ndarray) -> np.ndarray:
    out = keep.copy()
    for i in range(1, len(keep) - 1):
        if not keep[i] and keep[i - 1] and keep[i + 1] and paths[i - 1] == paths[i] == paths[i + 1]:
            out[i] = True
    return out


def decide(d: Data, probs: np.ndarray, threshold: Callable[[int], float] | float, *, fallback: float = 0.0,
           smoothing: bool = False) -> np.ndarray:
    """Keep masks for every block. ``fallback`` > 0: on a page where nothing passes, keep the blocks
    scoring at least ``fallback`` × the page's best score."""
    keep = np.zeros(len(probs), dtype=bool)
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        p = probs[s]
        t = threshold(i) if callable(threshold) else threshold
        k = p >= t
        if fallback and len(p) and not k.any():
            k = p >= fallback * p.max()
        if smoothing:
            k = smooth_keep(d.meta["paths"][s], k)
        keep[s] = k
    return keep


def weights(d: Data, mode: str) -> np.ndarray:
    if mode == "words":
        w = np.sqrt(1 + d.n_words)
    elif mode == "linear":
        w = 1 + d.n_words
    elif mode == "flat":
        w = np.ones_like(d.n_words)
    else:
        raise ValueError(mode)
    w = w.astype(np.float64)
    if mode_page[0]:
        for i in range(len(d.pages)):
            s = d.page_slice(i)
            if w[s].sum() > 0:
                w[s] *= 100.0 / w[s].sum()
    return w.astype(np.float32)


mode_page = [True]


def train_oof(d: Data, X: np.ndarray, y: np.ndarray, w: np.ndarray, params: dict, rounds: int,
              iters: Sequence[int], names: list[str], save_dir: Path | None = None) -> dict[int, np.ndarray]:
    out = {k: np.zeros(len(y), dtype=np.float64) for k in iters}
    t0 = time.time()
    for k in range(5):
        tr = d.fold_of_block != k
        te = ~tr
        ds = lightgbm.Dataset(X[tr], y[tr], weight=w[tr], feature_name=names, free_raw_data=True)
        booster = lightgbm.train(params, ds, num_boost_round=rounds)
        xt = X[te]
        for it in iters:
            out[it][te] = booster.predict(xt, num_iteration=it)
        if save_dir is not None:
            save_dir.mkdir(parents=True, exist_ok=True)
            (save_dir / f"fold-{k}.txt").write_text(booster.model_to_string(), encoding="utf-8")
        print(f"  fold {k} done ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    return out


def best_global(d: Data, probs: np.ndarray, name: str) -> tuple[float, dict]:
    best = (0.5, {"F1": -1.0})
    for t in np.arange(0.25, 0.71, 0.05):
        s = summary(d, name, d.score(decide(d, probs, float(t))), show=False)
        if s["F1"] > best[1]["F1"] + 1e-5:
            best = (round(float(t), 2), s)
    summary(d, f"{name} t={best[0]:.2f}", d.score(decide(d, probs, best[0])))
    return best


def cmd_folds(d: Data, a: argparse.Namespace) -> None:
    probs = np.zeros(len(d.y))
    for k in range(5):
        payload = json.loads((a.dir / f"fold-{k}.json").read_text())
        assert payload["features"] == d.names, "feature names differ from the cache's"
        booster = lightgbm.Booster(model_str=payload["model"])
        te = d.fold_of_block == k
        probs[te] = booster.predict(d.X[te])
    np.save(a.hx / f"oof_{a.name}.npy", probs)
    summary(d, "rules", d.score(np.array(d.meta["rule_kept"])))
    best_global(d, probs, a.name)


def cmd_train(d: Data, a: argparse.Namespace) -> None:
    params = dict(PARAMS)
    params.update(num_leaves=a.leaves, learning_rate=a.lr, min_data_in_leaf=a.min_data,
                  feature_fraction=a.ff, lambda_l2=a.l2, feature_pre_filter=False)
    if a.extra:
        params.update(json.loads(a.extra))
    mode_page[0] = not a.no_page_weight
    w = weights(d, a.weight)
    if a.type_balance:  # page weights scaled toward every page type weighing the same (power a.type_balance)
        counts = {t: d.types.count(t) for t in TYPES}
        scale = np.array([(len(d.pages) / (len(TYPES) * counts[t])) ** a.type_balance for t in d.types])
        w = (w * np.repeat(scale, [p["n"] for p in d.pages])).astype(np.float32)
    y = d.y
    if a.labels:
        y = np.load(a.hx / f"labels_{a.labels}.npy").astype(np.float32)
    X = np.asarray(d.X)
    names = list(d.names)
    if a.drop_hints:
        keep_cols = [j for j, n in enumerate(names) if not n.startswith("h_")]
        X, names = X[:, keep_cols], [names[j] for j in keep_cols]
    if a.stage2:
        base = np.load(a.hx / f"oof_{a.stage2}.npy")
        extra, extra_names = stage2_features(d, base)
        X = np.hstack([X, extra]) if not a.stage2_only else np.hstack([X[:, :0], extra])
        names = names + extra_names if not a.stage2_only else extra_names
    for extra_name in (a.extra_cols or "").split(","):
        if extra_name:
            extra = np.load(a.hx / f"extra_{extra_name}.npy")
            X = np.hstack([X, extra])
            names = names + [f"x_{extra_name}_{j}" for j in range(extra.shape[1])]
    iters = sorted(int(x) for x in a.iters.split(","))
    print(f"train {a.name}: {json.dumps({k: params[k] for k in ('num_leaves', 'learning_rate', 'min_data_in_leaf', 'feature_fraction', 'lambda_l2')})} "
          f"rounds={max(iters)} weight={a.weight} page_weight={mode_page[0]} labels={a.labels or 'align'} "
          f"stage2={a.stage2} X={X.shape}", flush=True)
    out = train_oof(d, X, y, w, params, max(iters), iters, names,
                    a.hx / f"models_{a.name}" if a.save_models else None)
    for it, probs in out.items():
        np.save(a.hx / f"oof_{a.name}_{it}.npy", probs)
        best_global(d, probs, f"{a.name}@{it}")


def stage2_features(d: Data, base: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Page-level context from first-stage probabilities: the block's own score, its rank, the mean
    score of the blocks sharing its tag path, of its neighbours, and of the page."""
    n = len(base)
    cols = {k: np.zeros(n, dtype=np.float32) for k in (
        "s1_p", "s1_path_mean", "s1_path_max", "s1_win_mean", "s1_page_max", "s1_page_mean_w",
        "s1_page_kept_share", "s1_rel_max", "s1_parent_mean", "s1_path_kept_share")}
    paths = d.meta["paths"]
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        p = base[s]
        m = len(p)
        if not m:
            continue
        nw = d.n_words[s] + 1
        cols["s1_p"][s] = p
        pid: dict[str, int] = {}
        ids = np.array([pid.setdefault(x, len(pid)) for x in paths[s]])
        cnt = np.bincount(ids)
        cols["s1_path_mean"][s] = (np.bincount(ids, weights=p) / cnt)[ids]
        mx = np.zeros(len(cnt))
        np.maximum.at(mx, ids, p)
        cols["s1_path_max"][s] = mx[ids]
        kept = (p >= 0.45).astype(float)
        cols["s1_path_kept_share"][s] = (np.bincount(ids, weights=kept * nw) / np.bincount(ids, weights=nw))[ids]
        parent = [x.rsplit("/", 1)[0] for x in paths[s]]
        qid: dict[str, int] = {}
        pids = np.array([qid.setdefault(x, len(qid)) for x in parent])
        cols["s1_parent_mean"][s] = (np.bincount(pids, weights=p * nw) / np.bincount(pids, weights=nw))[pids]
        cum = np.concatenate([[0.0], np.cumsum(p)])
        idx = np.arange(m)
        lo, hi = np.maximum(0, idx - 3), np.minimum(m, idx + 4)
        size = hi - lo - 1
        cols["s1_win_mean"][s] = np.where(size > 0, (cum[hi] - cum[lo] - p) / np.maximum(size, 1), -1)
        cols["s1_page_max"][s] = p.max()
        cols["s1_page_mean_w"][s] = (p * nw).sum() / nw.sum()
        cols["s1_page_kept_share"][s] = (kept * nw).sum() / nw.sum()
        cols["s1_rel_max"][s] = p / max(p.max(), 1e-6)
    names = list(cols)
    return np.stack([cols[k] for k in names], axis=1), names


def cmd_decide(d: Data, a: argparse.Namespace) -> None:
    probs = np.load(a.hx / f"oof_{a.name}.npy")
    t0, _ = best_global(d, probs, a.name)
    summary(d, f"{a.name} t={t0} smooth", d.score(decide(d, probs, t0, smoothing=True)))
    for fb in (0.5, 0.7, 0.9):
        summary(d, f"{a.name} t={t0} fallback={fb}", d.score(decide(d, probs, t0, fallback=fb)))
    # per predicted page type: choose each type's threshold on the other folds' pages (nested, so the
    # reported number is still out-of-fold), then score each fold with its own choice
    grid = [round(float(x), 2) for x in np.arange(0.2, 0.81, 0.05)]
    per_t = {t: d.score(decide(d, probs, t)) for t in grid}
    folds = np.array([p["fold"] for p in d.pages])
    ptypes = np.array(d.pred_type)
    if a.type_from:  # page types from a page-type model's saved probabilities (extra_<NAME>.npy)
        probs_t = np.load(a.hx / f"extra_{a.type_from}.npy")
        ptypes = np.array([TYPES[int(probs_t[d.starts[i]].argmax())] if d.pages[i]["n"] else "other"
                           for i in range(len(d.pages))])
    chosen = np.zeros(len(d.pages))
    table: dict[int, dict[str, float]] = {}
    for k in range(5):
        table[k] = {}
        for pt in sorted(set(ptypes)):
            m = (folds != k) & (ptypes == pt)
            best = max(grid, key=lambda t, m=m: (per_t[t][m, 2].sum() if m.any() else 0, -abs(t - t0)))
            table[k][pt] = best
            chosen[(folds == k) & (ptypes == pt)] = best
    scores = np.stack([per_t[chosen[i]][i] for i in range(len(d.pages))])
    summary(d, f"{a.name} per-pred-type t (nested)", scores)
    print("  thresholds per fold:", {k: v for k, v in table.items()})
    full = {pt: max(grid, key=lambda t, pt=pt: (per_t[t][ptypes == pt, 2].sum(), -abs(t - t0)))
            for pt in sorted(set(ptypes))}
    print("  thresholds on all pages:", full)


def expected_keep(d: Data, probs: np.ndarray, power: float, floor: float, repeat_min_words: float | None) -> np.ndarray:
    """Keep masks from the run-time selection: ``expected_f1_keep`` (a threshold when power is 0),
    then ``drop_repeats``, with the block word counts the run time reads (the ``n_words`` column)."""
    from thresher.classify.html_model import drop_repeats, expected_f1_keep
    words = np.asarray(d.X[:, d.names.index("n_words")], dtype=np.float64)
    keep = np.zeros(len(probs), dtype=bool)
    for i in range(len(d.pages)):
        s = d.page_slice(i)
        k = expected_f1_keep(probs[s], words[s], power, floor) if power else probs[s] >= floor
        if repeat_min_words is not None:
            k = np.array(drop_repeats(d.bags[i]["texts"], list(k), list(words[s]), repeat_min_words), dtype=bool)
        keep[s] = k
    return keep


def cmd_expected(d: Data, a: argparse.Namespace) -> None:
    """The expected-F1 selection (power, floor) and repeat dropping on saved probabilities: a grid,
    then each fold scored with the setting best on the other four (nested)."""
    probs = np.load(a.hx / f"oof_{a.name}.npy")
    grid: list[tuple[float, float, float | None]] = [
        (p, f, m) for p in (1.0, 1.25, 1.5) for f in (0.2, 0.3, 0.4) for m in (3, 5, 10)]
    grid += [(0, t, m) for t in (0.35, 0.4, 0.45) for m in (None, 5)]
    grid += [(2.0, 0.45, 5), (0.75, 0.2, 5)]
    res = {}
    for g in grid:
        res[g] = d.score(expected_keep(d, probs, *g))
        summary(d, f"{a.name} power,floor,repeat={g}", res[g])
    summary(d, f"{a.name} nested choice", nested_choice(d, res))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("folds")
    f.add_argument("dir", type=Path)
    f.add_argument("--name", required=True)
    t = sub.add_parser("train")
    t.add_argument("--name", required=True)
    t.add_argument("--iters", default="300")
    t.add_argument("--leaves", type=int, default=31)
    t.add_argument("--lr", type=float, default=0.05)
    t.add_argument("--min-data", type=int, default=20)
    t.add_argument("--ff", type=float, default=0.8)
    t.add_argument("--l2", type=float, default=1.0)
    t.add_argument("--extra", help="more LightGBM params as JSON")
    t.add_argument("--weight", default="words", choices=("words", "linear", "flat"))
    t.add_argument("--no-page-weight", action="store_true")
    t.add_argument("--labels", help="labels_<NAME>.npy instead of the cache's alignment")
    t.add_argument("--drop-hints", action="store_true")
    t.add_argument("--type-balance", type=float, default=0.0,
                   help="scale each page's weight by (pages / (7 × pages of its type)) ** this")
    t.add_argument("--stage2", help="oof_<NAME>.npy: add second-stage context features from it")
    t.add_argument("--extra-cols", help="extra_<NAME>.npy (comma-separated names): more per-block columns (e.g. pagetype,struct)")
    t.add_argument("--stage2-only", action="store_true")
    t.add_argument("--save-models", action="store_true")
    e = sub.add_parser("decide")
    e.add_argument("--name", required=True)
    e.add_argument("--type-from", help="extra_<NAME>.npy: per-type thresholds by this model's page type")
    x = sub.add_parser("expected")
    x.add_argument("--name", required=True)
    a = ap.parse_args()
    d = Data(a.hx)
    {"folds": cmd_folds, "train": cmd_train, "decide": cmd_decide, "expected": cmd_expected}[a.cmd](d, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
