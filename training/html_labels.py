"""Alternative block labels for the HTML classifier, and how well each could score at best.

    python training/html_labels.py --hx /tmp/hx

A label set is a 0/1 per block; its *oracle* score is the WCXB F1 of keeping exactly the blocks
labelled 1. ``train_html_model.align`` labels a block 1 when its words occur in sequence in the
ground truth, or when >= 80 % of them are in the truth's word bag (and it has >= 4 words). Variants
written here as ``labels_<name>.npy`` (for ``html_experiments.py train --labels NAME``):

- ``opt``: start from the alignment and flip blocks one at a time while the page's F1 rises (a
  coordinate ascent on the metric itself, so duplicated blocks and mixed blocks get the label that
  helps the page's score);
- ``optw``: the same, but a flip must gain at least 0.001 F1, so near-neutral short blocks keep
  their alignment label.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from html_experiments import TYPES, Data, summary
from label_refine import ascend


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    a = ap.parse_args()
    d = Data(a.hx)
    base = d.y.astype(bool)
    summary(d, "align (current)", d.score(base))
    for name, gain in (("opt", 0.0), ("optw", 0.001)):
        out = np.zeros(len(base), dtype=bool)
        for i, bag in enumerate(d.bags):
            s = d.page_slice(i)
            out[s] = ascend(bag["blocks"], bag["truth"], base[s], gain)
        np.save(a.hx / f"labels_{name}.npy", out)
        summary(d, name, d.score(out))
        flips = defaultdict(lambda: [0, 0])
        kinds = np.array(d.meta["kinds"])
        for k in set(kinds):
            m = kinds == k
            flips[k] = [int((out & ~base & m).sum()), int((~out & base & m).sum())]
        print("  flips (0->1, 1->0) by kind:", dict(flips))
        ptype = np.repeat(np.array(d.types), [p["n"] for p in d.pages])
        print("  flips by page type:", {t: [int((out & ~base & (ptype == t)).sum()),
                                           int((~out & base & (ptype == t)).sum())] for t in TYPES})
    return 0


if __name__ == "__main__":
    sys.exit(main())
