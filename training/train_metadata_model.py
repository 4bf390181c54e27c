#!/usr/bin/env python3
"""Train the title ranker (``src/thresher/data/title_model.json``) on WCXB dev.

    OMP_NUM_THREADS=1 python training/train_metadata_model.py [--data DIR] [--cache FILE] [--folds 5]
                          [--margin 0] [--out src/thresher/data/title_model.json] [--folds-out DIR]

Every page with a true title gives its candidates (``thresher.metadata.html.title_candidates``, the
same function the library runs); a candidate is positive when it reads the same as the truth (the
reference scorer's ``same``). LightGBM (one thread) is trained with domain-grouped folds
(``wcxb_folds.fold_of(domain, k)``): each page is scored by the model of the folds that do not hold
its domain. The out-of-fold accuracy is printed beside the rules' on both halves of
``benchmarks/metadata.py`` (``fold_of(domain, 2)``) for several margins (how much a candidate must
beat the rule's choice); the model is written only with ``--out``, trained on every page, and the
fold models with ``--folds-out`` (for ``benchmarks/metadata.py --title-folds DIR``). The shipped
model: ``--margin 0``, seed 7, about 30 s.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wcxb-dev"
DEFAULT_SCORER = ROOT.parent / "shared" / "score" / "wcxb_score.py"
sys.path.insert(0, str(ROOT / "training"))

import wcxb_folds  # noqa: E402

PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 10,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "num_threads": 1, "verbose": -1, "seed": 7,
}
ROUNDS = 200
MARGINS = (0.0, 0.05, 0.1, 0.2, 0.3)


def load_scorer(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("wcxb_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(data: Path, scorer: Any, cache: Path | None) -> list[dict[str, Any]]:
    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)  # our own cache
    from thresher.metadata import html as mh
    from thresher.options import Options
    from thresher.parse.html import parse_html

    opts = Options()
    pages = []
    for f in sorted((data / "ground-truth").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        truth = d["ground_truth"].get("title")
        if not truth:
            continue
        domain, _ = wcxb_folds.page_domain_and_type(d)
        raw = gzip.decompress((data / "html" / f"{f.stem}.html.gz").read_bytes())
        tree = parse_html(raw.decode("utf-8", errors="replace"), opts)
        url = d.get("url")
        items = list(mh._json_ld_items(tree.json_ld))
        main = mh._main_item(items)
        site = mh._meta(tree, "og:site_name") or (mh._name(main.get("publisher")) if main else None) \
            or mh._meta(tree, "application-name")
        hostname = mh._hostname(url or tree.canonical or mh._meta(tree, "og:url"))
        page_type = mh._page_type(tree, items, main, {})
        headings = mh._headings(tree)
        rule = mh._title(tree, main, site, hostname, headings.h1, {})
        text = mh._page_text(tree)
        cands, x = mh.title_candidates(tree, main, site, hostname, rule, page_type, text, headings)
        pages.append({
            "pid": f.stem, "domain": domain, "truth": truth, "rule": rule, "x": x,
            "texts": [c.text for c in cands], "y": np.array([scorer.same(c.text, truth) for c in cands], dtype=float),
            "rule_ok": bool(scorer.same(rule or "", truth)),
        })
    if cache is not None:
        with cache.open("wb") as fh:
            pickle.dump(pages, fh)
    return pages


def train(pages: list[dict[str, Any]]) -> lightgbm.Booster:
    x = np.vstack([p["x"] for p in pages if len(p["x"])])
    y = np.concatenate([p["y"] for p in pages if len(p["x"])])
    return lightgbm.train(PARAMS, lightgbm.Dataset(x, y), num_boost_round=ROUNDS)


def payload_of(model: lightgbm.Booster, margin: float, folds: int) -> dict[str, Any]:
    from thresher.metadata.titles import FEATURES

    return {
        "about": "Title ranker for thresher.metadata.titles, trained by training/train_metadata_model.py "
                 "on WCXB dev (CC-BY-4.0, Foley 2026). Apache-2.0.",
        "features": list(FEATURES), "margin": margin, "folds": folds, "model": model.model_to_string(),
    }


def pick(page: dict[str, Any], probs: np.ndarray, margin: float, is_rule: int) -> bool:
    """Whether the page's title is right when its candidates score ``probs``."""
    if not len(probs) or not page["rule"]:  # the ranker re-ranks; it never names an untitled page
        return page["rule_ok"]
    best = int(np.argmax(probs))
    rule = page["x"][:, is_rule] > 0
    if rule.any() and probs[best] < probs[rule].max() + margin:
        return page["rule_ok"]
    return bool(page["y"][best])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--margin", type=float, default=0.1, help="margin written into the shipped model")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--folds-out", type=Path, default=None,
                    help="write fold models here (foldK.json: trained without fold K), for benchmarks/metadata.py "
                         "--title-folds")
    a = ap.parse_args()

    from thresher.metadata.titles import FEATURES

    pages = load_pages(a.data, load_scorer(a.scorer), a.cache)
    is_rule = FEATURES.index("is_rule")
    oof: list[np.ndarray] = [np.zeros(0)] * len(pages)
    for k in range(a.folds):
        held = [i for i, p in enumerate(pages) if wcxb_folds.fold_of(p["domain"], a.folds) == k]
        model = train([p for i, p in enumerate(pages) if i not in set(held)])
        if a.folds_out is not None:
            a.folds_out.mkdir(parents=True, exist_ok=True)
            (a.folds_out / f"fold{k}.json").write_text(json.dumps(payload_of(model, a.margin, a.folds)), encoding="utf-8")
        for i in held:
            if len(pages[i]["x"]):
                oof[i] = model.predict(pages[i]["x"])
    halves = [wcxb_folds.fold_of(p["domain"], 2) for p in pages]
    for h in (0, 1):
        idx = [i for i in range(len(pages)) if halves[i] == h]
        rules = sum(pages[i]["rule_ok"] for i in idx) / len(idx)
        line = f"half {h} (/{len(idx)}) rules {rules:.3f}"
        for margin in MARGINS:
            acc = sum(pick(pages[i], oof[i], margin, is_rule) for i in idx) / len(idx)
            line += f"  m={margin:g}: {acc:.3f}"
        print(line)
    if a.out is not None:
        a.out.write_text(json.dumps(payload_of(train(pages), a.margin, a.folds)), encoding="utf-8")
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
