"""Flatten the HTML training cache into arrays for fast out-of-fold experiments.

    python training/html_experiment_data.py --cache /tmp/html_train_cache.pkl --out /tmp/hx

Reads the pickle ``train_html_model.py --cache`` writes (segmented WCXB dev pages), computes the
model's feature matrix once with the same feature names as ``train_html_model.py`` and saves
``X.npy`` (float32), ``meta.pkl`` (per page: id, domain, type, fold, block offsets; per block:
labels, tag paths, kinds, rule decisions, word counts) and ``bags.pkl`` (per page: each block's
word ids and the ground truth's word counts, so a page's WCXB F1 is computed from a keep mask
without re-tokenising). ``html_experiments.py`` reads them.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_html_model import feature_names, load_pages
from wcxb_folds import fold_of
from wcxb_metric import tokens

from thresher.classify.html_model import to_matrix


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev")
    a = ap.parse_args()
    t0 = time.time()
    pages = load_pages(a.data, None, a.cache)
    print(f"loaded {len(pages)} pages ({time.time() - t0:.0f} s)", file=sys.stderr)
    names = feature_names(pages)
    a.out.mkdir(parents=True, exist_ok=True)
    xs = []
    meta: dict = {"names": names, "pages": [], "labels": [], "paths": [], "kinds": [], "rule_label": [],
                  "rule_kept": [], "n_words": [], "levels": []}
    bags = []
    for page in pages:
        xs.append(to_matrix(page["rows"], names))
        blocks = page["blocks"]
        meta["pages"].append({"id": page["id"], "domain": page["domain"], "type": page["type"],
                              "fold": fold_of(page["domain"]), "n": len(blocks)})
        meta["labels"] += page["labels"]
        meta["paths"] += [b.path for b in blocks]
        meta["kinds"] += [b.kind for b in blocks]
        meta["levels"] += [b.level for b in blocks]
        meta["rule_label"] += [d.label for d in page["rules"]]
        meta["rule_kept"] += [d.kept for d in page["rules"]]
        vocab: dict[str, int] = {}
        block_ids = []
        for text in page["texts"]:
            toks = tokens(text)
            block_ids.append(np.array([vocab.setdefault(t, len(vocab)) for t in toks], dtype=np.int32))
        meta["n_words"] += [len(ids) for ids in block_ids]
        truth = Counter(tokens(page["truth"]))
        truth_ids = {vocab.setdefault(t, len(vocab)): c for t, c in truth.items()}
        truth_vec = np.zeros(len(vocab), dtype=np.int32)
        for k, c in truth_ids.items():
            truth_vec[k] = c
        bags.append({"blocks": block_ids, "truth": truth_vec, "texts": page["texts"],
                     "truth_text": page["truth"]})
    np.save(a.out / "X.npy", np.concatenate(xs))
    with (a.out / "meta.pkl").open("wb") as fh:
        pickle.dump(meta, fh)
    with (a.out / "bags.pkl").open("wb") as fh:
        pickle.dump(bags, fh)
    print(f"wrote {a.out} ({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
