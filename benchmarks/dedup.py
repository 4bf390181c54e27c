#!/usr/bin/env python3
"""Thresher's deduplication on a planted corpus: quality against exact Jaccard, and MinHash speed
against datasketch (and rensa, when installed) on the same texts, in the same process.

    python benchmarks/dedup.py [--data DIR] [--limit 1000] [--threshold 0.8] [--num-perm 128]
                               [--repeat 3] [--seed 0]

Corpus: the ``main_content`` of the first ``--limit`` WCXB ground-truth files with at least 50
words, plus planted copies of a random 60 % of them, one kind each (in turn): ``edited`` (5 % of the
words replaced or deleted), ``medium`` (2 %, near the threshold), ``light`` (1 %), ``shuffled`` (paragraphs in another order),
``truncated`` (first 90 % of the words), ``boilerplate`` (a site footer appended) and ``exact``
(case and punctuation changed only).

Quality: truth is every pair whose word-5-gram shingle sets have Jaccard >= threshold, computed
exactly through an inverted index of shingles (no sampling). Thresher's pairs are the LSH
candidates that pass verification; precision and recall are over pairs. ``deduplicate()`` is run
first, on its own, and its counts and the peak RSS after it are printed.

Speed: signatures of all texts, tokenising included (datasketch and rensa get the usual
``re.findall(r"\\w+")`` words joined into 5-gram strings), best of ``--repeat`` interleaved rounds,
CPU time of this process; MB is UTF-8 bytes of the input texts. Peak RSS is the process's.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from thresher.dedup import (
    DedupOptions,
    Permutations,
    deduplicate,
    shingles,
    signature,
    signatures,
    verify_pairs,
)
from thresher.dedup.lsh import band_keys_matrix, candidate_pairs, is_empty

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
FOOTER = (
    "Football news\nLatest scores, fixtures and transfer gossip from around the league.\n"
    "Subscribe to our newsletter for the best stories every morning. Follow us on social media.\n"
    "Copyright 2025 Example Media Group. All rights reserved. Privacy policy. Terms of use."
)
WORD = re.compile(r"\w+")


def load_texts(data: Path, limit: int) -> list[str]:
    texts = []
    for path in sorted((data / "ground-truth").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        text = (record.get("ground_truth") or {}).get("main_content") or ""
        if len(text.split()) >= 50:
            texts.append(text)
        if len(texts) >= limit:
            break
    return texts


def edit(text: str, share: float, rng: random.Random) -> str:
    words = text.split(" ")
    out = []
    for word in words:
        roll = rng.random()
        if roll < share / 2:
            continue  # deleted
        out.append(f"x{rng.randrange(10**6)}" if roll < share else word)
    return " ".join(out)


def plant(texts: Sequence[str], seed: int) -> list[tuple[str, str, str]]:
    """``(id, kind, text)``: the originals, then one planted copy of 60 % of them."""
    rng = random.Random(seed)
    docs = [(f"o{k}", "original", text) for k, text in enumerate(texts)]
    kinds = ["edited", "medium", "light", "shuffled", "truncated", "boilerplate", "exact"]
    chosen = sorted(rng.sample(range(len(texts)), k=int(0.6 * len(texts))))
    for n, k in enumerate(chosen):
        kind, text = kinds[n % len(kinds)], texts[k]
        if kind == "edited":
            copy = edit(text, 0.05, rng)
        elif kind == "medium":
            copy = edit(text, 0.02, rng)
        elif kind == "light":
            copy = edit(text, 0.01, rng)
        elif kind == "shuffled":
            paragraphs = text.split("\n")
            rng.shuffle(paragraphs)
            copy = "\n".join(paragraphs)
        elif kind == "truncated":
            words = text.split(" ")
            copy = " ".join(words[: int(len(words) * 0.9)])
        elif kind == "boilerplate":
            copy = f"{text}\n{FOOTER}"
        else:
            copy = text.upper().replace(".", " .").replace(",", "")
        docs.append((f"{kind}-{k}", kind, copy))
    return docs


def true_pairs(sets: Sequence[np.ndarray], threshold: float) -> dict[tuple[int, int], float]:
    """Exact Jaccard of every pair sharing a shingle, through an inverted index."""
    holders: dict[int, list[int]] = defaultdict(list)
    for doc, shingle_set in enumerate(sets):
        for shingle in shingle_set.tolist():
            holders[shingle].append(doc)
    shared: Counter[tuple[int, int]] = Counter()
    for docs in holders.values():
        if len(docs) > 1:
            shared.update(combinations(docs, 2))
    truth = {}
    for (i, j), common in shared.items():
        score = common / (sets[i].size + sets[j].size - common)
        if score >= threshold:
            truth[(i, j)] = score
    return truth


def python_shingles(text: str) -> list[str]:
    words = WORD.findall(text.lower())
    return [" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))]


def engines(num_perm: int) -> dict[str, Callable[[Sequence[str]], object]]:
    perms = Permutations.make(num_perm, seed=1)
    found: dict[str, Callable[[Sequence[str]], object]] = {
        "thresher (batch)": lambda texts: signatures(texts, perms),
        "thresher (per doc)": lambda texts: [signature(text, perms) for text in texts],
    }
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch not installed (pip install 'thresher[bench]'): skipped", file=sys.stderr)
    else:

        def run_datasketch(texts: Sequence[str]) -> object:
            out = []
            for text in texts:
                sketch = MinHash(num_perm=num_perm, seed=1)
                sketch.update_batch([s.encode("utf-8") for s in python_shingles(text)])
                out.append(sketch.hashvalues)
            return out

        found["datasketch"] = run_datasketch
    try:
        from rensa import RMinHash
    except ImportError:
        print("rensa not installed: skipped", file=sys.stderr)
    else:

        def run_rensa(texts: Sequence[str]) -> object:
            out = []
            for text in texts:
                sketch = RMinHash(num_perm=num_perm, seed=1)
                sketch.update(python_shingles(text))
                out.append(sketch.digest())
            return out

        found["rensa"] = run_rensa
    return found


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    docs = plant(load_texts(args.data, args.limit), args.seed)
    texts = [text for _, _, text in docs]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(docs)} documents ({args.limit} originals max, {len(docs) - sum(k == 'original' for _, k, _ in docs)} planted), {megabytes:.1f} MB")

    loaded_rss = rss_mb()
    opts = DedupOptions(threshold=args.threshold, num_perm=args.num_perm)
    started = time.perf_counter()
    result = deduplicate(((doc_id, text) for doc_id, _, text in docs), opts)
    stats = result.stats
    print(f"deduplicate(): {time.perf_counter() - started:.2f} s wall, {stats.exact_duplicates} exact, "
          f"{stats.candidate_pairs} candidates, {stats.verified_pairs} verified, {stats.groups} groups, "
          f"{stats.duplicates} dropped; peak RSS {loaded_rss:.0f} MB after loading, {rss_mb():.0f} MB after")

    # Quality, pair by pair: LSH candidates that pass verification against exact Jaccard.
    bands, rows = opts.band_layout()
    sets = [shingles(text) for text in texts]
    sigs = signatures(texts, Permutations.make(args.num_perm, opts.seed))
    candidates = candidate_pairs(band_keys_matrix(sigs, bands, rows), skip=is_empty(sigs))
    verified = {(i, j) for i, j, _ in verify_pairs(candidates, sets.__getitem__, args.threshold)}
    truth = true_pairs(sets, args.threshold)
    hits = verified & set(truth)
    precision = len(hits) / len(verified) if verified else 1.0
    recall = len(hits) / len(truth) if truth else 1.0
    kind_of = [kind for _, kind, _ in docs]
    missed = Counter(kind_of[j] for i, j in set(truth) - verified)
    border = sum(1 for score in truth.values() if score < args.threshold + 0.05)
    print(f"\nLSH {bands} bands x {rows} rows, threshold {args.threshold}: {len(truth)} true pairs "
          f"({border} below {args.threshold + 0.05:.2f}), {len(candidates)} candidates, {len(verified)} verified")
    print(f"precision {precision:.3f}  recall {recall:.3f}  missed by kind: {dict(missed) or '-'}")
    per_kind = Counter(kind_of[j] for i, j in truth if kind_of[i] == "original" and kind_of[j] != "original")
    print(f"true original-copy pairs by kind: {dict(sorted(per_kind.items()))}")

    # Speed, interleaved rounds.
    runners = engines(args.num_perm)
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, run in runners.items():
            started = time.process_time()
            run(texts)
            best[name] = min(best.get(name, float("inf")), time.process_time() - started)
    baseline = best.get("datasketch")
    print(f"\nMinHash signatures, {args.num_perm} permutations, tokenising included (best of {args.repeat}, CPU time)")
    print(f"{'engine':<20} {'seconds':>8} {'MB/s':>8} {'docs/s':>9} {'vs datasketch':>14}")
    for name, seconds in best.items():
        ratio = f"{baseline / seconds:.1f}x" if baseline else "-"
        print(f"{name:<20} {seconds:8.2f} {megabytes / seconds:8.1f} {len(texts) / seconds:9.0f} {ratio:>14}")
    print(f"\npeak RSS {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
