"""Experiment data: the structure columns (``html_model.structure_columns``) of every cached page.

    python training/html_struct_features.py --cache /tmp/html_train_cache.pkl --hx /tmp/hx

Reads the pickle ``train_html_model.py --cache`` writes and computes, with the same function the
runtime uses, each block's structure columns; saves ``extra_struct.npy`` (float32, one row per block,
in the block order of ``html_experiment_data.py``'s arrays) for
``html_experiments.py train --extra-cols struct``.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from thresher.classify.html_model import STRUCT_FEATURES, structure_columns


def page_struct(blocks, rules) -> np.ndarray:  # type: ignore[no-untyped-def]
    cols = structure_columns(
        [b.path for b in blocks], np.array([len(b.text) for b in blocks], dtype=np.float64),
        np.array([b.features.get("link_density", 0.0) for b in blocks], dtype=np.float64),
        np.array([d.kept for d in rules], dtype=np.float64))
    return np.stack([cols[name] for name in STRUCT_FEATURES], axis=1).astype(np.float32) if len(blocks) \
        else np.zeros((0, len(STRUCT_FEATURES)), dtype=np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--hx", type=Path, default=Path("/tmp/hx"))
    a = ap.parse_args()
    t0 = time.time()
    with a.cache.open("rb") as fh:
        pages = pickle.load(fh)
    with (a.hx / "meta.pkl").open("rb") as fh:
        meta = pickle.load(fh)
    print(f"loaded ({time.time() - t0:.0f} s)", file=sys.stderr)
    assert [p["id"] for p in pages] == [p["id"] for p in meta["pages"]]
    out = [page_struct(p["blocks"], p["rules"]) for p in pages]
    np.save(a.hx / "extra_struct.npy", np.concatenate(out))
    print(f"wrote {a.hx / 'extra_struct.npy'} ({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
