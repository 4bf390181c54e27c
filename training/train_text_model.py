"""Train the text-mode block classifier on WET-style WCXB dev text, report domain-grouped 5-fold
scores, ship the model.

    python training/train_text_model.py             # folds + final model -> src/thresher/data/text_model.json
    python training/train_text_model.py --no-save   # folds only
    python training/train_text_model.py --stage2-only --out M.json   # keep the first stage, redo the second
    python training/train_text_model.py --folds-dir DIR             # fold models to DIR (default: the cache)

Documents (see training/wet.py): the full visible text of every WCXB dev page (``wet``), the same
with planted pollution of the *train* style (``polluted``), and the ground-truth text alone
(``clean``, every block main). Blocks are labelled by aligning them to the ground truth; planted
lines are never main. Folds split by the hash of the page's domain; every score printed is
out-of-fold; the second stage is trained on the first stage's out-of-fold scores, in the same folds.
Trees are capped at depth 8: evaluation walks them level by level, so depth is run time. The fold
models are written to /tmp/thresher_text_cache/folds/ (``--folds-dir``) for benchmarks/text_mode.py (which must not
score the shipped model on its own training pages).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import lightgbm
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wet import CACHE, Doc, align, fold_of, load_corpus, prf, tokens

from thresher.classify.text_model import (
    feature_matrix,
    feature_names,
    keep_mask,
    stage2_matrix,
    stage2_names,
)
from thresher.classify.text_rules import rule_decisions
from thresher.deadline import Deadline
from thresher.options import Options
from thresher.segment.text import feature_table, segment_text

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "src" / "thresher" / "data" / "text_model.json"
FOLDS_DIR = CACHE / "folds"
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.08,
    "num_leaves": 31,
    "max_depth": 8,  # evaluation walks every tree level by level: depth is run time
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.7,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
    "force_col_wise": True,
    "num_threads": 1,
}
ROUNDS = 200
PARAMS2 = {**PARAMS, "num_leaves": 15, "max_depth": 5, "min_data_in_leaf": 100}
"""The second stage: small trees over the first stage's scores around each block."""
ROUNDS2 = 80


def _source_hash() -> str:
    """Changes whenever the segmenter or the rules change, so cached features are rebuilt."""
    src = ROOT / "src" / "thresher"
    h = hashlib.md5()
    for rel in ("segment/text.py", "classify/text_rules.py", "data/text/phrases.json", "data/text/relative_time.txt"):
        h.update((src / rel).read_bytes())
    h.update((ROOT / "training" / "wet.py").read_bytes())
    return h.hexdigest()[:10]


def featurize(docs: list[Doc], tag: str) -> list[dict]:
    """Segment and run the rules on every document once (cached on /tmp)."""
    cache = CACHE / f"featurized-{tag}-{_source_hash()}.pkl"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    opts = Options()
    out = []
    for n, doc in enumerate(docs):
        blocks = segment_text(doc.text, opts, Deadline(None))
        rules = rule_decisions(blocks, opts, Deadline(None))
        texts = [b.text for b in blocks]
        if doc.variant == "clean":
            labels = [1] * len(blocks)
        else:
            labels = align(texts, doc.truth)
            planted = {" ".join(x.split()) for x in doc.planted}
            labels = [0 if " ".join(t.split()) in planted else lab for t, lab in zip(texts, labels, strict=True)]
        out.append({"doc": doc, "blocks": blocks, "rules": rules, "texts": texts, "labels": labels})
        if n % 500 == 0:
            print(f"  featurized {n}/{len(docs)} {tag}", file=sys.stderr)
    cache.write_bytes(pickle.dumps(out))
    return out


def reason_vocab(items: list[dict]) -> list[str]:
    return sorted({d.reason for it in items for d in it["rules"]})


def build(items: list[dict], reasons: list[str]) -> None:
    for it in items:
        it["x"] = feature_matrix(it["blocks"], it["rules"], reasons) if it["blocks"] else np.zeros((0, 0))


def train(items: list[dict], names: list[str]) -> lightgbm.Booster:
    items = [it for it in items if it["blocks"]]
    x = np.vstack([it["x"] for it in items])
    y = np.concatenate([np.asarray(it["labels"], dtype=np.float32) for it in items])
    w = np.array([np.sqrt(1 + len(tokens(t))) for it in items for t in it["texts"]], dtype=np.float32)
    return lightgbm.train(PARAMS, lightgbm.Dataset(x, y, weight=w, feature_name=names, free_raw_data=True),
                          num_boost_round=ROUNDS)


def output(it: dict, keep: list[bool] | np.ndarray) -> str:
    return "\n\n".join(t for t, k in zip(it["texts"], keep, strict=True) if k)


RELATIVE = 0.9
"""Documents whose highest score stays below this get a threshold scaled down with it (see
text_model.keep_mask)."""
MIN_CLEAN_RECALL = 0.993
"""The threshold must keep clean articles at least this whole (mean word recall, out of fold)."""


def keep_from(it: dict, scores: np.ndarray, t: float, first: np.ndarray | None = None) -> list[bool]:
    """What the stacked classifier keeps (the shipped decision, text_model.keep_mask): ``scores`` the
    final scores, ``first`` the first stage's (when there is a second)."""
    if "chars" not in it:
        it["chars"] = feature_table(it["blocks"]).column("n_chars") if it["blocks"] else np.zeros(0)
    return keep_mask(it["rules"], scores, scores if first is None else first, t, relative=RELATIVE, chars=it["chars"])


def report(name: str, items: list[dict], keeps: list[list[bool]]) -> dict[str, float]:
    """Mean word F1/P/R per variant and page type, planted-line survival, clean recall."""
    by: dict[str, dict[str, list[tuple[float, float, float]]]] = defaultdict(lambda: defaultdict(list))
    planted_total = planted_kept = 0
    for it, keep in zip(items, keeps, strict=True):
        doc = it["doc"]
        by[doc.variant][doc.type].append(prf(output(it, keep), doc.truth))
        by[doc.variant]["all"].append(by[doc.variant][doc.type][-1])
        if doc.planted:
            planted = {" ".join(x.split()) for x in doc.planted}
            for t, k in zip(it["texts"], keep, strict=True):
                if " ".join(t.split()) in planted:
                    planted_total += 1
                    planted_kept += int(k)
    res: dict[str, float] = {}
    for variant, types in by.items():
        allv = np.array(types["all"])
        res[variant] = float(allv[:, 2].mean()) if variant != "clean" else float(allv[:, 1].mean())
        per = "  ".join(f"{t}={np.mean([s[2] for s in v]):.3f}" for t, v in sorted(types.items()) if t != "all")
        print(f"  {name:<24} {variant:<9} F1={allv[:, 2].mean():.3f} P={allv[:, 0].mean():.3f} "
              f"R={allv[:, 1].mean():.3f}  {per}")
    if planted_total:
        res["planted_survive"] = planted_kept / planted_total
        print(f"  {name:<24} planted lines surviving: {planted_kept}/{planted_total} = {planted_kept / planted_total:.3f}")
    return res


class _Scorer:
    """Word P/R/F1 of a document for any keep mask, fast (a sparse block x word count matrix)."""

    def __init__(self, it: dict) -> None:
        from scipy.sparse import csr_matrix

        vocab: dict[str, int] = {}
        rows, cols = [], []
        for b, text in enumerate(it["texts"]):
            for tok in tokens(text):
                rows.append(b)
                cols.append(vocab.setdefault(tok, len(vocab)))
        truth = np.zeros(len(vocab) + 1)
        n_truth = 0
        for tok in tokens(it["doc"].truth):
            n_truth += 1
            j = vocab.get(tok)
            truth[j if j is not None else len(vocab)] += 1
        self.m = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(it["texts"]), len(vocab) + 1))
        self.truth = truth
        self.n_truth = n_truth

    def prf(self, keep: list[bool]) -> tuple[float, float, float]:
        got = np.asarray(self.m.T @ np.asarray(keep, dtype=np.float64)).ravel()
        n_got = got.sum()
        if not self.n_truth:
            return (1.0, 1.0, 1.0) if not n_got else (0.0, 0.0, 0.0)
        hit = np.minimum(got, self.truth).sum()
        if not n_got or not hit:
            return 0.0, 0.0, 0.0
        p, r = hit / n_got, hit / self.n_truth
        return p, r, 2 * p * r / (p + r)


def payload(booster: lightgbm.Booster, names: list[str], reasons: list[str], t: float, note: str) -> dict:
    return {
        "format": 1,
        "trained_on": note,
        "reasons": reasons,
        "features": names,
        "thresholds": {"balanced": t, "precision": min(t + 0.15, 0.9), "recall": max(t - 0.2, 0.05)},
        "relative": RELATIVE,
        "model": booster.model_to_string(),
    }


def choose_threshold(items: list[dict], scores: list[np.ndarray], scorers: dict[int, _Scorer],
                     wet_idx: list[int], clean_idx: list[int],
                     first: list[np.ndarray] | None = None) -> tuple[float, float]:
    """The threshold with the best mean wet F1 whose clean-article recall stays >= MIN_CLEAN_RECALL."""
    best_t, best_f = 0.5, -1.0
    firsts = first or scores
    for t in np.arange(0.2, 0.71, 0.05):
        f = float(np.mean([scorers[i].prf(keep_from(items[i], scores[i], t, firsts[i]))[2] for i in wet_idx]))
        r = float(np.mean([scorers[i].prf(keep_from(items[i], scores[i], t, firsts[i]))[1] for i in clean_idx]))
        print(f"  t={t:.2f} wet F1={f:.4f} clean-article R={r:.4f}")
        if f > best_f and r >= MIN_CLEAN_RECALL:
            best_t, best_f = float(t), f
    return best_t, best_f


def train_stage2(items: list[dict], names2: list[str]) -> lightgbm.Booster:
    items = [it for it in items if it["blocks"]]
    x = np.vstack([it["x2"] for it in items])
    y = np.concatenate([np.asarray(it["labels"], dtype=np.float32) for it in items])
    w = np.array([np.sqrt(1 + len(tokens(t))) for it in items for t in it["texts"]], dtype=np.float32)
    return lightgbm.train(PARAMS2, lightgbm.Dataset(x, y, weight=w, feature_name=names2, free_raw_data=True),
                          num_boost_round=ROUNDS2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model (default: the package's)")
    ap.add_argument("--folds-dir", type=Path, default=FOLDS_DIR,
                    help="where the fold models go (benchmarks/text_mode.py --folds-dir reads them)")
    ap.add_argument("--no-stage2", action="store_true", help="first stage only (no smoothing over neighbours' scores)")
    ap.add_argument("--stage2-only", action="store_true",
                    help="keep the first stage (the fold models in the cache and the model at --out); "
                         "train only the second stage")
    a = ap.parse_args()
    folds_dir: Path = a.folds_dir
    t0 = time.time()
    items = featurize(load_corpus("train", ("wet", "polluted", "clean")), "train")
    reasons = reason_vocab(items)
    names = feature_names(reasons)
    build(items, reasons)
    print(f"{len(items)} documents, {sum(len(it['texts']) for it in items)} blocks, {len(names)} features "
          f"({time.time() - t0:.0f} s)")
    report("rules", items, [[d.kept for d in it["rules"]] for it in items])
    oof: list[np.ndarray] = [np.zeros(0)] * len(items)
    folds_dir.mkdir(parents=True, exist_ok=True)
    folds = [fold_of(it["doc"].domain) for it in items]
    for k in range(5):
        if a.stage2_only:
            booster = lightgbm.Booster(model_str=json.loads((folds_dir / f"fold{k}.json").read_text("utf-8"))["model"])
        else:
            booster = train([it for it, f in zip(items, folds, strict=True) if f != k], names)
            (folds_dir / f"fold{k}.json").write_text(
                json.dumps(payload(booster, names, reasons, 0.5, f"fold {k} of 5")), encoding="utf-8")
        for i, f in enumerate(folds):
            if f == k and items[i]["blocks"]:
                oof[i] = booster.predict(items[i]["x"], num_threads=1)
        print(f"  fold {k} ready ({time.time() - t0:.0f} s)", file=sys.stderr)
    wet_idx = [i for i, it in enumerate(items) if it["doc"].variant == "wet"]
    clean_idx = [i for i, it in enumerate(items) if it["doc"].variant == "clean" and it["doc"].type == "article"]
    scorers = {i: _Scorer(items[i]) for i in wet_idx + clean_idx}
    best_t, best_f = choose_threshold(items, oof, scorers, wet_idx, clean_idx)
    report(f"model 5-fold t={best_t:.2f}", items, [keep_from(it, o, best_t) for it, o in zip(items, oof, strict=True)])
    stage2: dict[int, str] = {}
    if not a.no_stage2:  # the second stage learns from out-of-fold first-stage scores, in the same folds
        names2 = stage2_names()
        for it, o in zip(items, oof, strict=True):
            it["x2"] = stage2_matrix(it["blocks"], it["rules"], o) if it["blocks"] else np.zeros((0, 0))
        oof2: list[np.ndarray] = [np.zeros(0)] * len(items)
        for k in range(5):
            booster2 = train_stage2([it for it, f in zip(items, folds, strict=True) if f != k], names2)
            stage2[k] = booster2.model_to_string()
            for i, f in enumerate(folds):
                if f == k and items[i]["blocks"]:
                    oof2[i] = booster2.predict(items[i]["x2"], num_threads=1)
        print(f"  second stage folds trained ({time.time() - t0:.0f} s)", file=sys.stderr)
        best_t, best_f = choose_threshold(items, oof2, scorers, wet_idx, clean_idx, oof)
        report(f"two stages 5-fold t={best_t:.2f}", items,
               [keep_from(it, o, best_t, o1) for it, o, o1 in zip(items, oof2, oof, strict=True)])
    for k in range(5):  # the fold models carry the chosen threshold (and their second stage) too
        p = folds_dir / f"fold{k}.json"
        fold = json.loads(p.read_text(encoding="utf-8"))
        fold["thresholds"] = payload(lightgbm.Booster(model_str=fold["model"]), names, reasons, best_t, "")["thresholds"]
        fold["relative"] = RELATIVE
        fold["stage2"] = {"features": stage2_names(), "model": stage2[k]} if stage2 else None
        p.write_text(json.dumps(fold), encoding="utf-8")
    if a.no_save:
        return 0
    note = (f"WCXB dev (CC-BY-4.0), {len(wet_idx)} pages as WET-style text, planted pollution and clean text; "
            f"domain-grouped 5-fold wet F1 {best_f:.3f}")
    if a.stage2_only:
        while not a.out.exists():  # a first-stage run still writing it
            time.sleep(10)
        final = json.loads(a.out.read_text(encoding="utf-8"))
        final["thresholds"] = payload(lightgbm.Booster(model_str=final["model"]), names, reasons, best_t, "")["thresholds"]
        final["relative"] = RELATIVE
        final["trained_on"] = note
    else:
        final = payload(train(items, names), names, reasons, best_t, note)
    final["stage2"] = None
    if stage2:
        final["stage2"] = {"features": stage2_names(), "model": train_stage2(items, stage2_names()).model_to_string()}
    a.out.write_text(json.dumps(final), encoding="utf-8")
    print(f"wrote {a.out} ({a.out.stat().st_size / 1e6:.2f} MB, {time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
