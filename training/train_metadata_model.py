#!/usr/bin/env python3
"""Train the metadata rankers (``src/thresher/data/title_model.json``: title, and date under ``date``)
on WCXB dev.

    OMP_NUM_THREADS=1 python training/train_metadata_model.py [--data DIR] [--cache FILE] [--folds 5]
                          [--margin 0] [--out src/thresher/data/title_model.json] [--folds-out DIR]
                          [--date-cache FILE] [--date-threshold 0.8] [--date-margin 0.3]
                          [--no-dates] [--dates-only] [--ensemble 3] [--domain-weight 0.5]

Titles: every page with a true title gives its candidates (``thresher.metadata.html.title_candidates``,
the same function the library runs); a candidate is positive when it reads the same as the truth (the
reference scorer's ``same``). Dates: every page gives its candidate days
(``thresher.metadata.dates.ranker_candidates`` on the evidence ``thresher.metadata.html`` gathers); a
day is positive when it is the true day; pages without a true date give only negatives. LightGBM (one
thread) is trained with domain-grouped folds (``wcxb_folds.fold_of(domain, k)``): each page is scored
by the model of the folds that do not hold its domain. The out-of-fold accuracy is printed beside the
rules' on both halves of ``benchmarks/metadata.py`` (``fold_of(domain, 2)``): titles for several
margins (how much a candidate must beat the rule's choice), dates for several (threshold, margin)
pairs (``thresher.metadata.dates.DateModel``) with the dates invented on pages without one, and the
oracle (how often the true day is among the candidates). The model is written only with ``--out``,
trained on every page, and the fold models with ``--folds-out`` (for ``benchmarks/metadata.py
--title-folds DIR``). Each model file holds ``--ensemble`` title rankers and as many date rankers (seeds
7, 8, 9 by default) whose scores are averaged: one seed's bagging alone moves the out-of-fold accuracy
by about ±0.005. In the title rankers' training a page weighs ``n ** -0.5`` (``--domain-weight``), ``n``
the training pages of its domain: WCXB dev holds up to 12 pages of one site, whose shared convention
(the ``<h1>`` or the ``<title>``) otherwise counts twelve times (out of fold .823 / .828 -> .829 / .830
on the halves; the gain held for four seeds, +4 to +10 pages; exponent 0.35: .827 / .832, 1: .832 /
.825). The date rankers weigh every page alike (weighed, the date score moved by one page).
The shipped model: ``--margin 0`` (date threshold 0.8, margin 0.3: since rules 1 and 2 of
``thresher.metadata.dates.choose`` read a thread's opening post, update labels and hidden publication
dates against the days shown beside the title (2026-11-28), the ranker at margin 0.1 undid more rules'
days than it mended: out of fold 0.881 / 0.844 on the halves against 0.884 / 0.846 for the rules; at
0.3 0.884 / 0.849), about a minute.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import pickle
import sys
from collections import Counter
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
ENSEMBLE = 3
"""Title (and date) rankers per model file, seeds 7, 8, 9; their scores are averaged."""
DATE_PARAMS: dict[str, Any] = {**PARAMS, "num_leaves": 7, "min_data_in_leaf": 10}
DATE_ROUNDS = 300
DATE_POLICIES = ((0.5, 0.0), (0.6, 0.0), (0.7, 0.0), (0.7, 0.1), (0.8, 0.1), (0.8, 0.2), (0.8, 0.3), (0.9, 0.3))
"""(threshold, margin) pairs reported: see ``thresher.metadata.dates.DateModel``."""
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
        ctx = mh.page_context(tree, d.get("url"), {})
        rule = ctx.rule_title
        cands, x = mh.title_candidates(tree, ctx.main, ctx.site, ctx.hostname, rule, ctx.page_type, ctx.text,
                                       ctx.headings, ctx.address)
        pages.append({
            "pid": f.stem, "domain": domain, "truth": truth, "rule": rule, "x": x,
            "texts": [c.text for c in cands], "y": np.array([scorer.same(c.text, truth) for c in cands], dtype=float),
            "rule_ok": bool(scorer.same(rule or "", truth)),
        })
    if cache is not None:
        with cache.open("wb") as fh:
            pickle.dump(pages, fh)
    return pages


def load_date_pages(data: Path, cache: Path | None) -> list[dict[str, Any]]:
    """Every page's date candidates (``thresher.metadata.dates.ranker_candidates``, as the library
    builds them) and whether each is the true day; pages without a true date have only negatives
    (they teach the ranker to abstain)."""
    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            return pickle.load(fh)  # our own cache
    from thresher.metadata import dates
    from thresher.metadata import html as mh
    from thresher.options import Options
    from thresher.parse.html import parse_html

    opts = Options(title_model="none")
    pages = []
    for f in sorted((data / "ground-truth").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        truth = (d["ground_truth"].get("publish_date") or "")[:10]
        domain, _ = wcxb_folds.page_domain_and_type(d)
        raw = gzip.decompress((data / "html" / f"{f.stem}.html.gz").read_bytes())
        tree = parse_html(raw.decode("utf-8", errors="replace"), opts)
        url = d.get("url")
        ev = date_evidence_of(mh, tree, url)
        days, rows = dates.ranker_candidates(ev) if ev is not None else ([], [])
        pages.append({
            "pid": f.stem, "domain": domain, "truth": truth, "rule": ev.rule if ev else None,
            "x": np.array(rows, dtype=np.float64).reshape(len(rows), len(dates.RANKER_FEATURES)),
            "days": days, "y": np.array([day == truth for day in days], dtype=float),
        })
    if cache is not None:
        with cache.open("wb") as fh:
            pickle.dump(pages, fh)
    return pages


def date_evidence_of(mh: Any, tree: Any, url: str | None) -> Any:
    """The date evidence ``thresher.metadata.html.html_metadata`` gives the ranker (``rule_date``; the
    header found from the rules' title)."""
    c = mh.page_context(tree, url, {})
    if not c.text:
        return None
    header = mh._header_span(c.headings.first_line, c.text, c.rule_title)
    _, evidence = mh.rule_date(tree, c.main, c.items, url, c.text, header, c.page_type,
                               with_evidence=True)
    return evidence


def date_pick(page: dict[str, Any], probs: np.ndarray, threshold: float, margin: float) -> str | None:
    from thresher.metadata.dates import pick

    if not len(probs):
        return page["rule"]
    return pick(page["days"], page["x"], list(probs), threshold, margin)


def date_report(pages: list[dict[str, Any]], oof: list[np.ndarray]) -> None:
    """Out-of-fold date accuracy and invented dates per half, for the rules and for thresholds."""
    halves = [wcxb_folds.fold_of(p["domain"], 2) for p in pages]
    for h in (0, 1, None):
        idx = [i for i in range(len(pages)) if h is None or halves[i] == h]
        dated = [i for i in idx if pages[i]["truth"]]
        undated = [i for i in idx if not pages[i]["truth"]]
        oracle = sum(bool(pages[i]["y"].any()) for i in dated) / len(dated)
        rules = sum(pages[i]["rule"] == pages[i]["truth"] for i in dated) / len(dated)
        rules_inv = sum(pages[i]["rule"] is not None for i in undated)
        line = f"date {'all' if h is None else f'half {h}'} (/{len(dated)}, undated {len(undated)}) oracle {oracle:.3f}" \
               f" rules {rules:.3f}/{rules_inv}"
        for t, m in DATE_POLICIES:
            picks = {i: date_pick(pages[i], oof[i], t, m) for i in idx}
            acc = sum(picks[i] == pages[i]["truth"] for i in dated) / len(dated)
            inv = sum(picks[i] is not None for i in undated)
            line += f"  t={t:g},m={m:g}: {acc:.3f}/{inv}"
        print(line)


DOMAIN_WEIGHT = 0.5
"""Each page's candidates weigh ``n ** -DOMAIN_WEIGHT`` where ``n`` is the number of training pages of
its domain (0: every page alike), so that a site with many pages (12 of one shop, 9 of one
documentation site) does not teach its own convention as everyone's: the models meet other sites."""


def stacked(pages: list[dict[str, Any]], domain_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate rows, labels and weights (:data:`DOMAIN_WEIGHT`) of ``pages``, weights of mean 1."""
    pages = [p for p in pages if len(p["x"])]
    per_domain = Counter(p["domain"] for p in pages)
    x = np.vstack([p["x"] for p in pages])
    y = np.concatenate([p["y"] for p in pages])
    w = np.concatenate([np.full(len(p["y"]), per_domain[p["domain"]] ** -domain_weight) for p in pages])
    return x, y, w / w.mean()


def train_dates(pages: list[dict[str, Any]], ensemble: int = ENSEMBLE) -> list[lightgbm.Booster]:
    """``ensemble`` date rankers that differ only by their seed (their scores are averaged, as for
    titles); every page weighs alike (weighing by domain, :data:`DOMAIN_WEIGHT`, moved the date score
    by one page)."""
    x, y, w = stacked(pages, 0.0)
    return [lightgbm.train({**DATE_PARAMS, "seed": DATE_PARAMS["seed"] + e}, lightgbm.Dataset(x, y, weight=w),
                           num_boost_round=DATE_ROUNDS) for e in range(ensemble)]


def train(pages: list[dict[str, Any]], ensemble: int = ENSEMBLE,
          domain_weight: float = DOMAIN_WEIGHT) -> list[lightgbm.Booster]:
    """``ensemble`` title rankers that differ only by their seed (their scores are averaged: one
    seed's bagging alone moves out-of-fold accuracy by about ±0.005)."""
    x, y, w = stacked(pages, domain_weight)
    return [lightgbm.train({**PARAMS, "seed": PARAMS["seed"] + e}, lightgbm.Dataset(x, y, weight=w),
                           num_boost_round=ROUNDS) for e in range(ensemble)]


def predict(models: list[lightgbm.Booster], x: np.ndarray) -> np.ndarray:
    """The mean score of ``models`` (as ``thresher.metadata.titles.TitleModel.scores``)."""
    return np.mean([np.asarray(m.predict(x)) for m in models], axis=0)


def payload_of(models: list[lightgbm.Booster], margin: float, folds: int,
               date_models: list[lightgbm.Booster] | None = None,
               threshold: float = 0.8, date_margin: float = 0.3) -> dict[str, Any]:
    from thresher.metadata.dates import RANKER_FEATURES
    from thresher.metadata.titles import FEATURES

    payload: dict[str, Any] = {
        "about": "Title ranker for thresher.metadata.titles and date ranker (key 'date') for "
                 "thresher.metadata.dates, trained by training/train_metadata_model.py "
                 "on WCXB dev (CC-BY-4.0, Foley 2026). Apache-2.0.",
        "features": list(FEATURES), "margin": margin, "folds": folds,
        "models": [m.model_to_string() for m in models],
    }
    if date_models:
        payload["date"] = {"features": list(RANKER_FEATURES), "threshold": threshold, "margin": date_margin,
                           "models": [m.model_to_string() for m in date_models]}
    return payload


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
    ap.add_argument("--date-cache", type=Path, default=None, help="cache of the date candidates (pickle)")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--ensemble", type=int, default=ENSEMBLE, help="title and date rankers (seeds) averaged per model file")
    ap.add_argument("--margin", type=float, default=0.1, help="margin written into the shipped model")
    ap.add_argument("--date-threshold", type=float, default=0.8,
                    help="score a day needs to date a page the rules leave undated")
    ap.add_argument("--date-margin", type=float, default=0.3,
                    help="margin by which a day must beat the rules' day to replace it")
    ap.add_argument("--no-dates", action="store_true", help="title ranker only (no 'date' section)")
    ap.add_argument("--dates-only", action="store_true", help="report the date ranker only; write nothing")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--folds-out", type=Path, default=None,
                    help="write fold models here (foldK.json: trained without fold K), for benchmarks/metadata.py "
                         "--title-folds")
    ap.add_argument("--domain-weight", type=float, default=DOMAIN_WEIGHT,
                    help="in the title ranker's training a page weighs (pages of its domain) ** -this; 0: every page "
                         "alike")
    a = ap.parse_args()

    from thresher.metadata.titles import FEATURES

    date_pages = [] if a.no_dates else load_date_pages(a.data, a.date_cache)
    date_models: list[list[lightgbm.Booster] | None] = [None] * a.folds
    if date_pages:
        date_oof: list[np.ndarray] = [np.zeros(0)] * len(date_pages)
        for k in range(a.folds):
            held_dates = {i for i, p in enumerate(date_pages) if wcxb_folds.fold_of(p["domain"], a.folds) == k}
            date_models[k] = dm = train_dates([p for i, p in enumerate(date_pages) if i not in held_dates],
                                              a.ensemble)
            for i in held_dates:
                if len(date_pages[i]["x"]):
                    date_oof[i] = predict(dm, date_pages[i]["x"])
        date_report(date_pages, date_oof)
    if a.dates_only:
        return 0
    pages = load_pages(a.data, load_scorer(a.scorer), a.cache)
    is_rule = FEATURES.index("is_rule")
    oof: list[np.ndarray] = [np.zeros(0)] * len(pages)
    for k in range(a.folds):
        held = [i for i, p in enumerate(pages) if wcxb_folds.fold_of(p["domain"], a.folds) == k]
        models = train([p for i, p in enumerate(pages) if i not in set(held)], a.ensemble, a.domain_weight)
        if a.folds_out is not None:
            a.folds_out.mkdir(parents=True, exist_ok=True)
            payload = payload_of(models, a.margin, a.folds, date_models[k], a.date_threshold, a.date_margin)
            (a.folds_out / f"fold{k}.json").write_text(json.dumps(payload), encoding="utf-8")
        for i in held:
            if len(pages[i]["x"]):
                oof[i] = predict(models, pages[i]["x"])
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
        final_dates = train_dates(date_pages, a.ensemble) if date_pages else None
        payload = payload_of(train(pages, a.ensemble, a.domain_weight), a.margin, a.folds, final_dates, a.date_threshold,
                             a.date_margin)
        a.out.write_text(json.dumps(payload), encoding="utf-8")
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
