"""Experiment data: more hint tokens than ``train_html_model.py`` keeps, as extra columns.

    python training/html_hint_features.py --cache /tmp/html_train_cache.pkl --hx /tmp/hx --top 700 --min-domains 10

Ranks every class/id/role token by the number of domains it appears on (as ``feature_names`` does),
skips those already among the experiment arrays' columns, and writes the next ones as 0/1 columns
(``extra_hints.npy``) with their names (``extra_hints.json``: ``h_<token>``, the names the run-time
matrix reads them by) for ``html_experiments.py train --extra-cols hints``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from thresher.classify.html_model import HINT_PREFIX


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    ap.add_argument("--top", type=int, default=700, help="hint tokens in all, those already there included")
    ap.add_argument("--min-domains", type=int, default=10)
    a = ap.parse_args()
    t0 = time.time()
    with a.cache.open("rb") as fh:
        pages = pickle.load(fh)
    with (a.hx / "meta.pkl").open("rb") as fh:
        meta = pickle.load(fh)
    assert [p["id"] for p in pages] == [p["id"] for p in meta["pages"]]
    have = {n for n in meta["names"] if n.startswith(HINT_PREFIX)}
    domains: dict[str, set[str]] = defaultdict(set)
    for page in pages:
        for b in page["blocks"]:
            for token in b.hints:
                domains[HINT_PREFIX + token].add(page["domain"])
    ranked = sorted((n for n, d in domains.items() if len(d) >= a.min_domains), key=lambda n: (-len(domains[n]), n))
    new = [n for n in ranked[: a.top] if n not in have]
    col = {n: j for j, n in enumerate(new)}
    rows = []
    for page in pages:
        x = np.zeros((len(page["blocks"]), len(new)), dtype=np.float32)
        for i, b in enumerate(page["blocks"]):
            for token in b.hints:
                j = col.get(HINT_PREFIX + token)
                if j is not None:
                    x[i, j] = 1.0
        rows.append(x)
    np.save(a.hx / "extra_hints.npy", np.concatenate(rows))
    (a.hx / "extra_hints.json").write_text(json.dumps(new), encoding="utf-8")
    print(f"{len(new)} more hint tokens ({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
