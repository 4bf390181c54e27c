"""Train the HTML block classifier on WCXB dev, report domain-grouped 5-fold scores, ship the model.

    python training/train_html_model.py --data ../shared/data/wcxb-dev            # folds + final model
    python training/train_html_model.py --data ../shared/data/wcxb-dev --no-save  # folds only

Blocks are labelled by aligning them to the ground-truth main text: a block is main content when its
word sequence occurs in the ground truth, or when nearly all of its words do. Scores are reported on
out-of-fold predictions only (folds split by domain), never on pages the model was trained on.
The final model (trained on every page) is written to src/thresher/data/html_model.json.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import pickle
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import lightgbm
import numpy as np

from thresher.classify.html_model import (
    CARD_FEATURES,
    HINT_PREFIX,
    SHAPE_FEATURES,
    STRUCT_FEATURES,
    TITLE_FIT_FEATURES,
    context_features,
    smooth,
    to_matrix,
)
from thresher.classify.html_rules import classify_html
from thresher.deadline import Deadline
from thresher.metadata.html import html_metadata
from thresher.options import Options
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from label_refine import refine
from wcxb_folds import fold_of, page_domain_and_type
from wcxb_metric import prf, tokens

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "src" / "thresher" / "data" / "html_model.json"
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
}
ROUNDS = 300
HINT_TOKENS = 300
HINT_MIN_DOMAINS = 20
PAGE_WEIGHT = True
SEEDS: list[int] = [PARAMS["seed"]]
"""Seeds of the boosters averaged into one model (``--seeds``). Out of fold (benchmarks/wcxb.py
--folds-dir, 2026-11-27, one cache): seed 7 alone F1 0.869 (product 0.679, collection 0.685, listing
0.742), seed 11 alone 0.870 (0.688, 0.689, 0.733), both averaged 0.871 (0.682, 0.691, 0.745): within
retraining noise per type, but the averaged model varies less between retrains; the compiled tree
walk makes the second booster nearly free (35.0 vs 34.4 ms/page, same process)."""
TYPE_WEIGHT: dict[str, float] = {}
"""Per WCXB page type, a factor on its pages' weight (``--type-weight``; a type not named: 1)."""
SHAPE = False
"""Whether the model reads the page-shape columns (``html_model.SHAPE_FEATURES``, ``--shape``). Out of
fold (benchmarks/wcxb.py --folds-dir, 2026-11-27), with ``--type-weight
product=2,collection=2,listing=2,forum=1.5,service=1.5``: F1 0.867 against 0.869 for the same cache
without either (product 0.665 vs 0.679, collection 0.685 vs 0.685, listing 0.739 vs 0.742): no gain,
so the shipped model does without."""
LABEL_GAIN = {"align": None, "refined": 0.001, "refined0": 0.0}
"""Training labels: the alignment alone, or refined against the page's F1 (see label_refine.py) with
a flip needing at least this gain."""





def align(block_texts: list[str], truth: str) -> list[int]:
    """1 for blocks whose words are (nearly all) in the ground truth, in sequence or as a bag."""
    joined = " " + " ".join(tokens(truth)) + " "
    bag = Counter(tokens(truth))
    labels = []
    for text in block_texts:
        toks = tokens(text)
        if not toks:
            labels.append(0)
            continue
        if " " + " ".join(toks) + " " in joined:
            labels.append(1)
            continue
        have = Counter(toks)
        covered = sum(min(c, bag[t]) for t, c in have.items()) / len(toks)
        labels.append(1 if covered >= 0.8 and len(toks) >= 4 else 0)
    return labels


def load_pages(data: Path, limit: int | None, cache: Path | None) -> list[dict]:
    """Segment every page once (cached): blocks' context features, labels, rule decisions."""
    if cache and cache.exists():
        with cache.open("rb") as fh:
            pages = pickle.load(fh)
        pages = pages[:limit] if limit else pages
        for page in pages:  # features are recomputed, so context-feature work needs no re-segmenting
            page["rows"] = context_features(page["blocks"], page["metadata"], page["rules"])
        return pages
    opts = Options()
    pages = []
    ids = sorted(p.stem for p in (data / "ground-truth").glob("*.json"))
    ids = ids[:limit] if limit else ids
    for n, pid in enumerate(ids):
        html = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        gt = json.loads((data / "ground-truth" / f"{pid}.json").read_text(encoding="utf-8"))
        domain, page_type = page_domain_and_type(gt)
        truth = gt["ground_truth"].get("main_content") or ""
        tree = parse_html(html, opts)
        blocks = segment_html(tree, opts, Deadline(None))
        metadata = html_metadata(tree, gt.get("url"), opts)
        rules = classify_html(blocks, metadata, opts, Deadline(None))
        rows = context_features(blocks, metadata, rules)
        pages.append({
            "id": pid,
            "domain": domain,
            "type": page_type,
            "truth": truth,
            "texts": [b.text for b in blocks],
            "rows": rows,
            "blocks": blocks,
            "metadata": metadata,
            "rules": rules,
            "rule_kept": [d.kept for d in rules],
            "labels": align([b.text for b in blocks], truth),
        })
        if n % 200 == 0:
            print(f"  segmented {n}/{len(ids)}", file=sys.stderr)
    if cache:
        with cache.open("wb") as fh:
            pickle.dump(pages, fh)
    return pages


CARDS = True
"""Whether the model reads the card-group columns (``html_model.CARD_FEATURES``, ``--cards``: prices,
how alike the items of a repeated group and of its records are, where the group sits against the
text the rules kept). Out of fold (benchmarks/wcxb.py --folds-dir, 2026-11-28, one cache), seed 7:
F1 0.8705 -> 0.8724, halves (folds 0-1 / 2-4) 0.8719 / 0.8694 -> 0.8750 / 0.8706, article 0.947 ->
0.951, product 0.704 -> 0.702, collection 0.703 -> 0.698, listing 0.737 -> 0.739; seeds 7 and 11
averaged: 0.8715 -> 0.8737, halves 0.8735 / 0.8701 -> 0.8761 / 0.8720, article 0.948 -> 0.951,
product 0.707 -> 0.702, collection 0.706 -> 0.702, listing 0.739 -> 0.745. The gain is on article
(related-card grids beside the text) and documentation pages, not on the grid pages it was meant
for. On in the shipped model since 2026-11-28 (about +2.5 ms a page for the columns)."""
TITLE_FIT = False
"""Whether the model reads the title-fit columns (``html_model.TITLE_FIT_FEATURES``, ``--title-fit``).
Out of fold, seed 7, with the card columns: F1 0.870 against 0.871 without either (collection 0.674
vs 0.703, listing 0.718 vs 0.737): they cost the grid pages, so they stay out."""
DROP: list[str] = []
"""Dense columns the model does without (``--drop``): exact names, or prefixes ending in ``*``."""


def _dropped(name: str) -> bool:
    return any(name.startswith(d[:-1]) if d.endswith("*") else name == d for d in DROP)


def feature_names(pages: list[dict], n_hints: int = HINT_TOKENS, min_domains: int = HINT_MIN_DOMAINS,
                  structure: bool = False) -> list[str]:
    """Every dense feature, plus the hint tokens seen on the most domains (never a single site's).
    The structure columns (``html_model.STRUCT_FEATURES``) only with ``structure``: out of fold they
    gave nothing (0.857 with them and without), so the shipped model does without."""
    names: set[str] = set()
    hint_domains: dict[str, set[str]] = defaultdict(set)
    skip = set() if structure else set(STRUCT_FEATURES)
    if not SHAPE:
        skip |= set(SHAPE_FEATURES)
    if not CARDS:
        skip |= set(CARD_FEATURES)
    if not TITLE_FIT:
        skip |= set(TITLE_FIT_FEATURES)
    for page in pages:
        for row in page["rows"]:
            for name in row:
                if name.startswith(HINT_PREFIX):
                    hint_domains[name].add(page["domain"])
                elif name not in skip and not _dropped(name):
                    names.add(name)
    common = sorted((name for name, d in hint_domains.items() if len(d) >= min_domains),
                    key=lambda name: (-len(hint_domains[name]), name))
    return sorted(names) + sorted(common[:n_hints])


def matrix(pages: list[dict], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = [row for p in pages for row in p["rows"]]
    x = to_matrix(rows, names)
    y = np.array([lab for p in pages for lab in p["labels"]], dtype=np.float32)
    w = np.array([np.sqrt(1 + len(tokens(t))) for p in pages for t in p["texts"]], dtype=np.float32)
    if PAGE_WEIGHT:  # every page weighs the same, as in the page-averaged F1
        sizes = [len(p["texts"]) for p in pages]
        starts = np.cumsum([0, *sizes])
        for lo, hi in itertools.pairwise(starts):
            if hi > lo:
                w[lo:hi] *= 100.0 / w[lo:hi].sum()
    if TYPE_WEIGHT:
        factors = np.repeat([TYPE_WEIGHT.get(p["type"], 1.0) for p in pages], [len(p["texts"]) for p in pages])
        w *= factors.astype(np.float32)
    return x, y, w


def train(pages: list[dict], names: list[str], rounds: int = ROUNDS) -> list[lightgbm.Booster]:
    """One booster per seed in SEEDS (the first is PARAMS' own seed), same data: the run-time model
    averages their probabilities (``HtmlModel.seed_trees``)."""
    x, y, w = matrix(pages, names)
    data = lightgbm.Dataset(x, y, weight=w, feature_name=names, free_raw_data=False)
    return [lightgbm.train({**PARAMS, "seed": seed}, data, num_boost_round=rounds) for seed in SEEDS]


def predict(boosters: list[lightgbm.Booster], x: np.ndarray) -> np.ndarray:
    return np.mean([b.predict(x) for b in boosters], axis=0)


def decide(page: dict, probs: np.ndarray, threshold: float, smoothing: bool) -> list[bool]:
    keep = [bool(p >= threshold) for p in probs]
    return smooth([b.path for b in page["blocks"]], keep) if smoothing else keep


def page_text(page: dict, keep: list[bool]) -> str:
    return "\n\n".join(t for t, k in zip(page["texts"], keep, strict=True) if k)


def summarise(name: str, pages: list[dict], keeps: list[list[bool]]) -> float:
    by_type: dict[str, list[float]] = defaultdict(list)
    scores = []
    for page, keep in zip(pages, keeps, strict=True):
        f = prf(page_text(page, keep), page["truth"])[2]
        scores.append(f)
        by_type[page["type"]].append(f)
    arr = np.array(scores)
    print(f"{name:<22} F1={arr.mean():.3f}  p10={np.percentile(arr, 10):.3f}  below0.5={int((arr < 0.5).sum())}  "
          + "  ".join(f"{t}={np.mean(v):.3f}" for t, v in sorted(by_type.items())))
    return float(arr.mean())


EXPECTED_F1 = {"balanced": [1.25, 0.3], "precision": [2.0, 0.45], "recall": [0.75, 0.2]}
"""Per focus, (power, floor) of ``html_model.expected_f1_keep``, the run-time block selection, chosen on
the five fold models' out-of-fold probabilities (``html_experiments.py folds DIR --name N`` then
``html_experiments.py expected --name N``): balanced (1.25, 0.3) with repeats dropped gives OOF F1
0.865 against 0.857 for the 0.40 threshold; choosing it in each fold from the other four, 0.863."""
REPEAT_MIN_WORDS = 5
"""``html_model.drop_repeats``: a kept text of at least this many words is kept once."""
REGION_MIX = 0.2
"""``HtmlModel.region_mix``: a block's probability is mixed with the mean of its sibling-path group
before the selection. On the fold models' out-of-fold probabilities (``html_stack.py mix``): 0.8648
without, 0.8661 with 0.2, 0.8675 with 0.6 (0.8674 when each fold chooses it on the other four).
0.2 ships because the in-sample quality gate (tests/quality/test_wcxb_gate.py, pages the model was
trained on) puts service at 0.878 < its floor 0.88 from 0.3 up; with 0.6 it is 0.873. Out of fold
(benchmarks/wcxb.py --folds-dir, with the product-review rule): 0.865 → 0.867 (0.2), 0.868 (0.6)."""
PRODUCT_COMMENT_TOKENS = ["review"]
"""``html_model.product_comments``: on a product page (metadata's page type), kept blocks whose
class/id tokens contain one of these become comments, unless they are half of the kept words or
more. Out of fold, with the mix: product 0.653 → 0.661 (benchmarks/wcxb.py), other types unchanged."""
PRODUCT_COMMENT_MAX_SHARE = 0.5


def payload_of(boosters: list[lightgbm.Booster], names: list[str], threshold: float, smoothing: bool,
               trained_on: str) -> dict:
    extra = {"seed_models": [b.model_to_string() for b in boosters[1:]]} if len(boosters) > 1 else {}
    return {
        "format": 1,
        "trained_on": trained_on,
        "features": names,
        "smooth": smoothing,
        "thresholds": {"balanced": threshold, "precision": round(min(threshold + 0.15, 0.9), 2),
                       "recall": round(max(threshold - 0.15, 0.1), 2)},
        "expected_f1": EXPECTED_F1,
        "repeat_min_words": REPEAT_MIN_WORDS,
        "region_mix": REGION_MIX,
        "product_comment_tokens": PRODUCT_COMMENT_TOKENS,
        "product_comment_max_share": PRODUCT_COMMENT_MAX_SHARE,
        "model": boosters[0].model_to_string(),
        **extra,
    }


def main() -> int:
    global PAGE_WEIGHT, SHAPE, CARDS, TITLE_FIT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "wcxb-dev")
    ap.add_argument("--limit", type=int)
    ap.add_argument("--cache", type=Path, help="pickle of segmented pages, reused when present")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--folds-dir", type=Path,
                    help="also write the five fold models here (fold-K.json, K = fold_of(domain)) so that "
                         "benchmarks/wcxb.py --folds-dir scores every page with a model that never saw its domain")
    ap.add_argument("--model-out", type=Path, default=MODEL_PATH, help="where the final model goes")
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--leaves", type=int, default=PARAMS["num_leaves"])
    ap.add_argument("--lr", type=float, default=PARAMS["learning_rate"])
    ap.add_argument("--min-data", type=int, default=PARAMS["min_data_in_leaf"])
    ap.add_argument("--ff", type=float, default=PARAMS["feature_fraction"], help="feature_fraction")
    ap.add_argument("--labels", choices=sorted(LABEL_GAIN), default="align",
                    help="align: blocks whose words are in the ground truth; refined: then flipped one at a "
                         "time while the page's F1 rises by > 0.001 (refined0: by > 0)")
    ap.add_argument("--final-only", type=float, metavar="THRESHOLD",
                    help="skip the folds: train only the final model, with this balanced threshold (the one "
                         "an earlier fold run chose for the same settings)")
    ap.add_argument("--hints", type=int, default=HINT_TOKENS, help="hint-token bag size (0: none)")
    ap.add_argument("--no-page-weight", dest="page_weight", action="store_false",
                    help="weigh blocks by size only (default: every page weighs the same; OOF 0.846 → 0.852)")
    ap.add_argument("--type-weight", default="",
                    help="factors on the weight of pages of some WCXB page types, e.g. 'product=2,listing=2'")
    ap.add_argument("--shape", action=argparse.BooleanOptionalAction, default=SHAPE,
                    help="read the page-shape columns (html_model.SHAPE_FEATURES)")
    ap.add_argument("--seed", type=int, default=PARAMS["seed"])
    ap.add_argument("--seeds", default="",
                    help="comma-separated seeds: one booster per seed, averaged (overrides --seed)")
    ap.add_argument("--cards", action=argparse.BooleanOptionalAction, default=CARDS,
                    help="read the card-group columns (html_model.CARD_FEATURES)")
    ap.add_argument("--title-fit", action=argparse.BooleanOptionalAction, default=TITLE_FIT,
                    help="read the title-fit columns (html_model.TITLE_FIT_FEATURES)")
    ap.add_argument("--drop", default="",
                    help="comma-separated dense columns to leave out: names, or prefixes ending in '*'")
    a = ap.parse_args()
    DROP[:] = [d for d in a.drop.split(",") if d]
    PAGE_WEIGHT = a.page_weight
    SHAPE = a.shape
    CARDS = a.cards
    TITLE_FIT = a.title_fit
    TYPE_WEIGHT.update({k: float(v) for k, v in (item.split("=") for item in a.type_weight.split(",") if item)})
    PARAMS["seed"] = a.seed
    SEEDS[:] = [int(x) for x in a.seeds.split(",")] if a.seeds else [a.seed]
    PARAMS.update(num_leaves=a.leaves, learning_rate=a.lr, min_data_in_leaf=a.min_data, feature_fraction=a.ff)
    t0 = time.time()
    pages = load_pages(a.data, a.limit, a.cache)
    gain = LABEL_GAIN[a.labels]
    if gain is not None:
        for page in pages:
            page["labels"] = refine(page["texts"], page["truth"], page["labels"], gain)
    names = feature_names(pages, a.hints)
    print(f"params: rounds={a.rounds} leaves={a.leaves} lr={a.lr} min_data={a.min_data} ff={a.ff} "
          f"hints={a.hints} page_weight={a.page_weight} labels={a.labels} type_weight={TYPE_WEIGHT} "
          f"shape={a.shape} cards={a.cards} title_fit={a.title_fit} seeds={SEEDS} drop={DROP}")
    print(f"{len(pages)} pages, {sum(len(p['texts']) for p in pages)} blocks, {len(names)} features "
          f"({time.time() - t0:.0f} s)")
    if a.final_only is not None:
        boosters = train(pages, names, a.rounds)
        payload = payload_of(boosters, names, a.final_only, False, f"WCXB dev, {len(pages)} pages (CC-BY-4.0)")
        a.model_out.write_text(json.dumps(payload), encoding="utf-8")
        print(f"wrote {a.model_out} ({a.model_out.stat().st_size / 1e6:.1f} MB)")
        return 0
    summarise("rules", pages, [p["rule_kept"] for p in pages])
    oof: list[np.ndarray] = [np.zeros(0)] * len(pages)
    fold_payloads: list[tuple[Path, list[lightgbm.Booster]]] = []
    for k in range(5):
        train_pages = [p for p in pages if fold_of(p["domain"]) != k]
        test_idx = [i for i, p in enumerate(pages) if fold_of(p["domain"]) == k]
        boosters = train(train_pages, names, a.rounds)
        print(f"  fold {k}: {len(train_pages)} training pages ({time.time() - t0:.0f} s)", file=sys.stderr)
        if a.folds_dir:
            a.folds_dir.mkdir(parents=True, exist_ok=True)
            fold_payloads.append((a.folds_dir / f"fold-{k}.json", boosters))
        for i in test_idx:
            x = to_matrix(pages[i]["rows"], names)
            oof[i] = predict(boosters, x) if len(x) else np.zeros(0)
    best_t, best_s, best_f = 0.5, False, -1.0
    for smoothing in (False, True):
        for t in np.arange(0.3, 0.65, 0.05):
            t = round(float(t), 2)
            keeps = [decide(p, o, t, smoothing) for p, o in zip(pages, oof, strict=True)]
            f = float(np.mean([prf(page_text(p, k), p["truth"])[2] for p, k in zip(pages, keeps, strict=True)]))
            if f > best_f + 1e-4:
                best_t, best_s, best_f = t, smoothing, f
        summarise(f"model 5-fold t={best_t:.2f}{' +smooth' if smoothing else ''}", pages,
                  [decide(p, o, best_t, smoothing) for p, o in zip(pages, oof, strict=True)])
    print(f"chosen: threshold {best_t:.2f}, smoothing {best_s}, OOF F1 {best_f:.3f}")
    for path, fold_booster in fold_payloads:
        path.write_text(json.dumps(payload_of(fold_booster, names, best_t, best_s, "a WCXB dev fold")),
                        encoding="utf-8")
    if a.no_save:
        return 0
    boosters = train(pages, names, a.rounds)
    payload = payload_of(boosters, names, best_t, best_s, f"WCXB dev, {len(pages)} pages (CC-BY-4.0)")
    a.model_out.write_text(json.dumps(payload), encoding="utf-8")
    print(f"wrote {a.model_out} ({a.model_out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
