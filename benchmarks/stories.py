"""Story clustering, side by side: quality (pairwise and B-cubed), speed and memory on one core.

    python benchmarks/stories.py                 # stories-dev and the ticker
    python benchmarks/stories.py --grid          # also the small threshold grid
    python benchmarks/stories.py --methods       # the grid only

Methods: all singletons; exact match (the scorer's normalisation); near-duplicate collapse only;
the baseline (MiniLM cosine >= 0.6, single link); Thresher lexical; Thresher with embeddings (the
default runtime: ONNX Runtime, int8 with activations scaled per token, when installed), with the ONNX graph in float32
(``-onnx-f32``), with the torch forward pass in float32 (``-torch``, the default before ONNX
Runtime) and in int8 (``-int8``: ``EmbeddingBackend(runtime="torch", quantize=True)``); and
both Thresher backends through the incremental StoryIndex (items in time order, placed in runs of
``STREAM_RUN`` as ``thresher stories --stream`` places the items of a file), with their
agreement with the batch result (the baseline's vectors in float32). Each method runs in its own
process (peak RSS is per method) with one thread for numpy/torch/ONNX Runtime. Speed is items per
CPU second of the whole clustering call (process time, so a busy machine distorts it less; the
median of 5 runs, 3 with embeddings; model loading (and building the ONNX graph, on a machine's
first use) and a warm-up call on the other data set excluded; the word and vector caches are
emptied before each run, so no word or headline of the measured set has been seen).

    python benchmarks/stories.py --blocking      # candidate pairs of the blocking, and the gold pairs they hold
    python benchmarks/stories.py --sensitivity   # F1 around each backend's default thresholds (stories-dev)
    python benchmarks/stories.py --halves        # stories-dev in two halves by fetch time, each clustered alone
    python benchmarks/stories.py --errors        # wrong pairs of the embedding backend by cause (stories-dev, halves)
    python benchmarks/stories.py --cascade /tmp/stories/static256.npy   # static embedding / cascade
    python benchmarks/stories.py --c-loops       # lexical clustering with and without the C loops: same output?
Scores come from the shared scorer (shared/score/stories_score.py), imported as a module.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEV = SHARED / "data" / "stories-dev" / "headlines.jsonl"
TICKER = SHARED / "samples" / "seed-ticker-stories.json"
SCORER = SHARED / "score" / "stories_score.py"
METHODS = [
    "singletons", "exact", "near-duplicate", "baseline-emb-single-link",
    "thresher-lexical", "thresher-embedding", "thresher-embedding-onnx-f32", "thresher-embedding-torch",
    "thresher-embedding-int8", "incremental-lexical",
    "incremental-embedding",
]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def scorer() -> Any:
    spec = importlib.util.spec_from_file_location("stories_score", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(dataset: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Records (id, headline, outlet, timestamp) and gold story per id."""
    if dataset == "dev":
        rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows, {r["id"]: r["story"] for r in rows}
    data = json.loads(TICKER.read_text(encoding="utf-8"))
    rows = [{"id": f"t{k:03d}", "headline": it["headline"], "story": it["story"]}
            for k, it in enumerate(data["items"])]
    return rows, {r["id"]: r["story"] for r in rows}


def run_method(method: str, dataset: str) -> dict[str, Any]:
    """Run one method in this process; returns the clustering and timing."""
    from thresher.cli.stories import STREAM_RUN
    from thresher.stories import (
        EmbeddingBackend,
        LexicalBackend,
        StoryIndex,
        cluster_stories,
        item_from_record,
    )
    from thresher.stories.collapse import collapse
    from thresher.stories.text import clear_cache, fold

    score = scorer()
    rows, _ = load(dataset)
    items = [item_from_record(r, index=k) for k, r in enumerate(rows)]
    other = [item_from_record(r, index=k) for k, r in enumerate(load("ticker" if dataset == "dev" else "dev")[0])]
    extra: dict[str, Any] = {}
    if "embedding" in method or method.startswith("baseline"):
        if method.endswith(("-torch", "-int8")):
            import torch

            torch.set_num_threads(1)
            backend: Any = EmbeddingBackend(runtime="torch", quantize=method.endswith("-int8"))
        elif method.endswith("-onnx-f32") or method.startswith("baseline"):  # the baseline: MiniLM as it is
            backend = EmbeddingBackend(quantize=False, threads=1)
        else:
            backend = EmbeddingBackend(threads=1)
        backend.encode(["warm up"])  # loads the model (builds the ONNX graph on a machine's first use)
    else:
        backend = LexicalBackend()
    if method.startswith("thresher"):  # warm up on the other data set (imports, vocabularies, first calls)
        cluster_stories(other, backend=backend)

    def once() -> dict[str, str]:
        pred: dict[str, str] = {}
        if method == "singletons":
            pred = {it.id: it.id for it in items}
        elif method == "exact":
            pred = {it.id: score.normalize(it.headline) for it in items}
        elif method == "near-duplicate":
            roots = collapse([fold(it.headline) for it in items], 0.8)
            pred = {it.id: str(r) for it, r in zip(items, roots, strict=True)}
        elif method == "baseline-emb-single-link":
            vectors = backend.encode([it.headline for it in items])
            sims = vectors @ vectors.T
            parent = list(range(len(items)))

            def find(i: int) -> int:
                while parent[i] != i:
                    parent[i] = parent[parent[i]]
                    i = parent[i]
                return i

            for i in range(len(items)):
                for j in range(i + 1, len(items)):
                    if sims[i, j] >= 0.6:
                        parent[find(j)] = find(i)
            pred = {it.id: str(find(k)) for k, it in enumerate(items)}
        elif method.startswith("thresher"):
            pred = dict(cluster_stories(items, backend=backend).assignments)
        elif method.startswith("incremental"):
            index = StoryIndex(backend=backend)
            ordered = sorted(items, key=lambda i: (i.timestamp.timestamp() if i.timestamp else 0.0, i.id))
            for start in range(0, len(ordered), STREAM_RUN):  # as `thresher stories --stream` places a file's items
                index.add_many(ordered[start : start + STREAM_RUN])
            pred = dict(index.result().assignments)
        return pred

    repeats = 1 if method == "incremental-embedding" else 3 if "emb" in method else 5
    times = []
    for _ in range(repeats):  # median CPU time; caches emptied, so every run starts cold
        clear_cache()  # no word of this data set seen before
        if hasattr(backend, "_cache"):
            backend._cache.clear()  # no vector of this data set either
        start = time.process_time()
        pred = once()
        times.append(time.process_time() - start)
    seconds = sorted(times)[len(times) // 2]
    if method.startswith("incremental"):
        batch = dict(cluster_stories(items, backend=backend).assignments)
        ids = [it.id for it in items]
        extra["agreement_pairwise_f1"] = score.evaluate(ids, batch, pred)["pairwise"][2]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"pred": pred, "seconds": seconds, "rss_mb": rss, "n": len(items), **extra}


def ticker_check(gold: dict[str, str], pred: dict[str, str]) -> str:
    """Gold multi-member stories found (two or more members in one cluster), found whole (all
    members together), and predicted clusters that mix two gold stories."""
    by_gold: dict[str, set[str]] = defaultdict(set)
    by_pred: dict[str, set[str]] = defaultdict(set)
    for i, g in gold.items():
        by_gold[g].add(pred.get(i, "alone:" + i))
        by_pred[pred.get(i, "alone:" + i)].add(g)
    multi = [g for g in by_gold if sum(1 for v in gold.values() if v == g) > 1]
    whole = sum(1 for g in multi if len(by_gold[g]) == 1)
    sizes = Counter(pred.get(i, "alone:" + i) for i in gold)
    found = sum(1 for g in multi if any(sizes[c] > 1 for c in by_gold[g]))
    merges = sum(1 for gs in by_pred.values() if len(gs) > 1)
    return f"{found}/{len(multi)} found, {whole}/{len(multi)} whole, {merges} mixed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)
    ap.add_argument("--data", choices=["dev", "ticker"], default="dev", help=argparse.SUPPRESS)
    ap.add_argument("--methods", nargs="*", default=METHODS)
    ap.add_argument("--grid", action="store_true", help="also print the threshold grid on stories-dev")
    ap.add_argument("--blocking", action="store_true", help="only the candidate-pair (blocking) table")
    ap.add_argument("--cascade", type=Path, metavar="TABLE",
                    help="only the static-embedding and cascade measurement, with a table from "
                         "training/distill_static_embeddings.py")
    ap.add_argument("--sensitivity", action="store_true",
                    help="only pairwise/B-cubed F1 around each backend's default thresholds on stories-dev")
    ap.add_argument("--halves", action="store_true",
                    help="only stories-dev split in two halves by fetch time (first three snapshots, last three), "
                         "each clustered and scored on its own, for both backends")
    ap.add_argument("--errors", action="store_true",
                    help="only the embedding backend's false-merge and missed pairs on stories-dev and each half, "
                         "counted by cause, with the clusters and stories they come from")
    ap.add_argument("--c-loops", action="store_true",
                    help="only the lexical clustering with and without the C loops: identical output, and speed")
    args = ap.parse_args()
    if args.c_loops:
        os.environ.update(ONE_THREAD)
        c_loops()
        return
    if args.blocking:
        blocking()
        return
    if args.sensitivity:
        sensitivity(scorer())
        return
    if args.halves:
        os.environ.update(ONE_THREAD)
        halves(scorer())
        return
    if args.errors:
        os.environ.update(ONE_THREAD)
        errors()
        return
    if args.cascade:
        os.environ.update(ONE_THREAD)
        cascade(scorer(), args.cascade)
        return
    if args.methods == []:
        grid(scorer())
        return
    if args.one:
        print(json.dumps(run_method(args.one, args.data)))
        return
    score = scorer()
    env = {**os.environ, **ONE_THREAD}
    header = (f"{'data':<7}{'method':<27}{'pw P':>7}{'pw R':>7}{'pw F1':>7}{'b3 P':>7}{'b3 R':>7}"
              f"{'b3 F1':>7}{'items/s':>10}{'RSS MB':>8}  notes")
    print(header)
    print("-" * len(header))
    for dataset in ("dev", "ticker"):
        rows, gold = load(dataset)
        ids = [r["id"] for r in rows]
        for method in args.methods:
            out = subprocess.run([sys.executable, __file__, "--one", method, "--data", dataset],
                                 capture_output=True, text=True, env=env, check=True)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            s = score.evaluate(ids, gold, res["pred"])
            (pp, pr, pf), (bp, br, bf) = s["pairwise"], s["bcubed"]
            speed = res["n"] / res["seconds"] if res["seconds"] > 0 else float("inf")
            notes = []
            if "agreement_pairwise_f1" in res:
                notes.append(f"agrees with batch F1={res['agreement_pairwise_f1']:.3f}")
            if dataset == "ticker":
                notes.append(ticker_check(gold, res["pred"]))
            print(f"{dataset:<7}{method:<27}{pp:7.3f}{pr:7.3f}{pf:7.3f}{bp:7.3f}{br:7.3f}{bf:7.3f}"
                  f"{speed:10.0f}{res['rss_mb']:8.0f}  {'; '.join(notes)}", flush=True)
    if args.grid:
        grid(score)


def blocking() -> None:
    """Candidate pairs from blocking on shared content terms: how many, and how many same-story pairs
    they hold (pairs left out can still be joined inside a group by average link)."""
    import itertools

    from thresher.stories import item_from_record
    from thresher.stories.pairs import TermIndex, candidate_pairs
    from thresher.stories.text import terms

    print(f"{'data':<7}{'max_block':>10}{'candidates':>12}{'all pairs':>11}{'share':>8}{'gold pairs':>12}{'held':>7}")
    for dataset in ("dev", "ticker"):
        rows, gold = load(dataset)
        items = [item_from_record(r) for r in rows]
        index = TermIndex([terms(it.headline, it.lead) for it in items])
        same = {(i, j) for i, j in itertools.combinations(range(len(items)), 2)
                if gold[items[i].id] == gold[items[j].id]}
        total = len(items) * (len(items) - 1) // 2
        for max_block in (1000, 20, 10, 5):
            left, right = candidate_pairs(index, index.words.frequency(), max_block=max_block)
            found = set(zip(left.tolist(), right.tolist(), strict=True))
            held = len(same & found)
            print(f"{dataset:<7}{max_block:>10}{len(found):>12}{total:>11}{len(found) / total:>8.1%}"
                  f"{len(same):>12}{held / max(1, len(same)):>7.1%}")


def c_loops(rounds: int = 9) -> None:
    """The lexical clustering with every C loop of ``thresher._speedups`` and with its Python/numpy
    twins only, on stories-dev, the ticker and a longer stream (stories-dev eight times, each copy
    five days later, and six times, each copy twelve hours later: copies of one story meet): whether
    the stories (ids, members, headlines) are identical, and items per CPU second of each (median of
    ``rounds`` alternating runs, caches emptied before each)."""
    import statistics
    from dataclasses import replace
    from datetime import timedelta

    from thresher.stories import LexicalBackend, cluster_stories, item_from_record
    from thresher.stories import cluster as cluster_module
    from thresher.stories import collapse as collapse_module
    from thresher.stories import pairs as pairs_module
    from thresher.stories import text as text_module

    loops = [(text_module, "_terms_ascii"), (text_module, "_ascii"), (text_module, "_gather"),
             (pairs_module, "_csr"), (pairs_module, "_block_pairs"), (pairs_module, "_sparse_dot"),
             (cluster_module, "_agglomerate_c"), (cluster_module, "_groups_c"), (collapse_module, "_collapse_c"),
             (collapse_module, "_shingles")]
    compiled = {(m, name): getattr(m, name) for m, name in loops}
    twins = {"_gather": text_module._gather_python, "_shingles": collapse_module._shingles_python}

    def use_c(on: bool) -> None:
        for (m, name), found in compiled.items():
            setattr(m, name, found if on else twins.get(name))

    dev = [item_from_record(r, index=k) for k, r in enumerate(load("dev")[0])]
    sets = {
        "dev": dev,
        "ticker": [item_from_record(r, index=k) for k, r in enumerate(load("ticker")[0])],
        "dev x8, 5 days apart": [replace(it, id=f"{it.id}#{c}", timestamp=it.timestamp + timedelta(days=5 * c))
                                 for c in range(8) for it in dev if it.timestamp],
        "dev x6, 12 hours apart": [replace(it, id=f"{it.id}#{c}", timestamp=it.timestamp + timedelta(hours=12 * c))
                                   for c in range(6) for it in dev if it.timestamp],
    }
    missing = [name for (_, name), found in compiled.items() if found is None]
    print(f"C loops not built: {', '.join(missing)}" if missing else "all C loops built")
    print(f"{'data':<24}{'items':>7}{'identical':>11}{'C items/s':>11}{'Python items/s':>16}{'ratio':>7}")
    backend = LexicalBackend()
    for name, items in sets.items():
        results, times = {}, {True: [], False: []}
        for k in range(rounds * 2):
            on = k % 2 == 0
            use_c(on)
            text_module.clear_cache()
            start = time.process_time()
            results[on] = cluster_stories(items, backend=backend)
            times[on].append(time.process_time() - start)
        use_c(True)
        fast, slow = statistics.median(times[True]), statistics.median(times[False])
        print(f"{name:<24}{len(items):>7}{results[True] == results[False]!s:>11}{len(items) / fast:>11.0f}"
              f"{len(items) / slow:>16.0f}{slow / fast:>7.2f}", flush=True)


def dev_halves() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """stories-dev's records in two halves by fetch time: the items of the first half of its snapshot
    times (three of six: 1 June 02:22 to 2 June 02:22 Beijing time) and the rest. A story that spans
    the boundary is cut in two, one part in each half."""
    rows, _ = load("dev")
    stamps = sorted({r["timestamp"] for r in rows})
    early = set(stamps[: (len(stamps) + 1) // 2])
    return [r for r in rows if r["timestamp"] in early], [r for r in rows if r["timestamp"] not in early]


def halves(score: Any) -> None:
    """Both backends on each half of stories-dev (``dev_halves``), each half clustered on its own
    (its own IDF, its own groups) and scored against its gold stories: a change tuned on the whole
    set should help both halves, not one."""
    from thresher.stories import EmbeddingBackend, LexicalBackend, cluster_stories, item_from_record

    backends: list[tuple[str, Any]] = [("lexical", LexicalBackend())]
    if EmbeddingBackend.available():
        backends.append(("embedding", EmbeddingBackend(threads=1)))
    early, late = dev_halves()
    rows, _ = load("dev")
    print(f"{'backend':<11}{'half':<7}{'items':>6}{'pw P':>7}{'pw R':>7}{'pw F1':>7}{'b3 P':>7}{'b3 R':>7}{'b3 F1':>7}")
    for name, backend in backends:
        for half, part in (("first", early), ("second", late), ("all", rows)):
            items = [item_from_record(r, index=k) for k, r in enumerate(part)]
            pred = dict(cluster_stories(items, backend=backend).assignments)
            s = score.evaluate([r["id"] for r in part], {r["id"]: r["story"] for r in part}, pred)
            (pp, pr, pf), (bp, br, bf) = s["pairwise"], s["bcubed"]
            print(f"{name:<11}{half:<7}{len(part):>6}{pp:7.3f}{pr:7.3f}{pf:7.3f}{bp:7.3f}{br:7.3f}{bf:7.3f}", flush=True)


def errors(top: int = 8) -> None:
    """Where the embedding backend goes wrong, on stories-dev and on each half (``dev_halves``): every
    pair of headlines the clustering puts together that the labels keep apart (false merge) and every
    pair the labels put together that it keeps apart (missed), counted by cause. False merges: do the
    two share a name (``Terms.entities``); are they an hour or more apart (stories-dev: another snapshot);
    does the pair itself reach the link threshold or did it come in through average link. Missed:
    does the pair reach the link threshold (then average link split it); did the same-names penalty
    fire; do the two share no content term (never a candidate pair). Then the predicted clusters
    that mix stories and the stories split apart, by wrong pairs, ``top`` of each."""
    import itertools
    from dataclasses import replace

    import numpy as np

    from thresher.stories import EmbeddingBackend, StoriesOptions, cluster_stories, item_from_record
    from thresher.stories.cluster import content_headline
    from thresher.stories.pairs import TermIndex, candidate_pairs, pair_scores
    from thresher.stories.similarity import seconds
    from thresher.stories.text import terms

    backend = EmbeddingBackend(threads=1)
    opts = StoriesOptions()
    weights = backend.weights
    names_only = replace(weights, embedding=0.0, lexical=0.0, number=0.0, conflict=0.0, same_names=1.0, per_day=0.0)
    early, late = dev_halves()
    for part_name, part in (("all", load("dev")[0]), ("first", early), ("second", late)):
        items = [item_from_record(r, index=k) for k, r in enumerate(part)]
        gold = [r["story"] for r in part]
        pred = cluster_stories(items, opts, backend=backend).assignments
        index = TermIndex([terms(content_headline(it), it.lead) for it in items])
        df = index.words.frequency()
        idf = index.idf(df, len(items))
        stamps = seconds([it.timestamp for it in items])
        pairs = np.array(list(itertools.combinations(range(len(items)), 2)), dtype=np.int64)
        left, right = pairs[:, 0], pairs[:, 1]
        vectors = backend.encode([f"{it.headline}. {it.lead}" if it.lead else it.headline for it in items])
        scores = pair_scores(index, left, right, idf, weights, vectors=vectors, times=stamps)
        fired = pair_scores(index, left, right, idf, names_only) < 0
        share_name = index.entities.dot(left, right) > 0
        apart = np.nan_to_num(np.abs(stamps[left] - stamps[right])) >= 3600.0
        cl, cr = candidate_pairs(index, df, max_block=opts.max_block, times=stamps, window=opts.window_hours * 3600.0)
        candidate = set(zip(cl.tolist(), cr.tolist(), strict=True))
        same_gold = np.array([gold[i] == gold[j] for i, j in pairs.tolist()])
        same_pred = np.array([pred[items[i].id] == pred[items[j].id] for i, j in pairs.tolist()])
        causes: Counter[str] = Counter()
        mixed: Counter[str] = Counter()
        split: Counter[str] = Counter()
        for k in np.flatnonzero(same_pred & ~same_gold).tolist():
            causes["false merge"] += 1
            causes["  share a name" if share_name[k] else "  share no name"] += 1
            causes["  an hour or more apart" if apart[k] else "  one snapshot"] += 1
            causes["  pair >= link" if scores[k] >= weights.link else "  pair < link (through average link)"] += 1
            mixed[pred[items[int(left[k])].id]] += 1
        for k in np.flatnonzero(same_gold & ~same_pred).tolist():
            i, j = int(left[k]), int(right[k])
            causes["missed"] += 1
            causes["  pair >= link (split by average link)" if scores[k] >= weights.link else "  pair < link"] += 1
            causes["  same-names penalty fired"] += int(fired[k])
            causes["  no shared content term (no candidate)"] += int((i, j) not in candidate)
            causes["  an hour or more apart " if apart[k] else "  one snapshot "] += 1
            split[gold[i]] += 1
        print(f"\nstories-dev {part_name} ({len(items)} headlines), embedding backend: wrong pairs by cause")
        for cause in ("false merge", "  share a name", "  share no name", "  one snapshot", "  an hour or more apart",
                      "  pair >= link", "  pair < link (through average link)", "missed",
                      "  pair >= link (split by average link)", "  pair < link", "  same-names penalty fired",
                      "  no shared content term (no candidate)", "  one snapshot ", "  an hour or more apart "):
            print(f"  {cause:<42}{causes[cause]:>5}")
        members: dict[str, list[int]] = defaultdict(list)
        for k, it in enumerate(items):
            members[pred[it.id]].append(k)
        print(f"  clusters that mix stories (false-merge pairs), top {top}:")
        for story, count in mixed.most_common(top):
            stories = Counter(gold[k] for k in members[story])
            print(f"    {count:>3}  " + " + ".join(f"{g} x{c}" for g, c in sorted(stories.items())))
        print(f"  stories split apart (missed pairs), top {top}:")
        for story, count in split.most_common(top):
            parts = Counter(pred[items[k].id] for k in range(len(items)) if gold[k] == story)
            print(f"    {count:>3}  {story}: " + " + ".join(str(c) for c in sorted(parts.values(), reverse=True)))


def sensitivity(score: Any) -> None:
    """How stable the defaults are: pairwise F1 (B-cubed F1) of both backends on stories-dev with
    the link and merge thresholds moved off their defaults, all else unchanged."""
    from dataclasses import replace

    import numpy as np

    from thresher.stories import EmbeddingBackend, LexicalBackend, cluster_stories, item_from_record

    rows, gold = load("dev")
    ids = [r["id"] for r in rows]
    items = [item_from_record(r) for r in rows]
    emb = EmbeddingBackend()
    vectors = emb.encode([it.headline for it in items])
    assert vectors is not None
    cache = dict(zip([it.headline for it in items], vectors, strict=True))

    class Cached(EmbeddingBackend):
        def encode(self, texts: Any) -> Any:
            return np.stack([cache[t] for t in texts]) if len(texts) else np.zeros((0, 384), np.float32)

    steps = (-0.1, -0.05, -0.025, 0.0, 0.025, 0.05, 0.1)
    for name, make in (("lexical", LexicalBackend), ("embedding", Cached)):
        base = make().weights
        print(f"\n{name}: pairwise F1 (B-cubed F1); rows link = {base.link} + d, columns merge = {base.merge} + d")
        print(f"{'d link':>8} " + " ".join(f"{m:>15}" for m in (-0.05, 0.0, 0.05)))
        for dl in steps:
            cells = []
            for dm in (-0.05, 0.0, 0.05):
                w = replace(base, link=round(base.link + dl, 4), merge=round(base.merge + dm, 4))
                result = cluster_stories(items, backend=make(w))
                s = score.evaluate(ids, gold, dict(result.assignments))
                cells.append(f"{s['pairwise'][2]:.3f} ({s['bcubed'][2]:.3f})")
            print(f"{dl:>+8.3f} " + " ".join(f"{c:>15}" for c in cells))


def cascade(score: Any, table_path: Path, margins: tuple[float, ...] = (0.5, 0.4, 0.3, 0.2)) -> None:
    """A design measured, not shipped: a static token embedding distilled from MiniLM (Model2Vec
    method, ``training/distill_static_embeddings.py``) instead of the model, and a cascade that runs
    MiniLM only on the items of ambiguous candidate pairs.

    Static cosines are put on the teacher's scale by the line fitted at distillation (unlabelled
    title pairs), so the embedding backend's weights and thresholds apply unchanged. Cascade: every
    candidate pair is scored with the calibrated static cosine; the items of pairs that score at
    least ``link - margin`` are embedded with MiniLM; a pair of two embedded items gets MiniLM's
    cosine, a pair of two others the static one, a mixed pair 0 (one dot product over stacked
    vectors ``[teacher | sqrt(slope) * static, sqrt(intercept)]``). Time: CPU seconds of everything
    (static vectors, the pre-scoring, MiniLM, clustering), caches cold, median of 3."""
    from dataclasses import replace

    import numpy as np
    import torch

    from thresher.stories import EmbeddingBackend, cluster_stories, item_from_record
    from thresher.stories.pairs import TermIndex, candidate_pairs, pair_scores
    from thresher.stories.similarity import idf_table, seconds
    from thresher.stories.text import clear_cache, terms

    torch.set_num_threads(1)
    table = np.load(table_path).astype(np.float32)
    fit = json.loads(table_path.with_suffix(".json").read_text(encoding="utf-8"))
    slope, intercept = fit["slope"], max(0.0, fit["intercept"])
    teacher = EmbeddingBackend()
    teacher.encode(["warm up"])
    tokenizer = teacher._load()[0]

    def static(texts: list[str]) -> Any:
        ids = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        out = np.stack([table[i].mean(axis=0) if i else np.zeros(table.shape[1], np.float32) for i in ids])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    class Fixed(EmbeddingBackend):
        def __init__(self, vectors: dict[str, Any]) -> None:
            super().__init__()
            self.vectors = vectors

        def encode(self, texts: Any) -> Any:
            return np.stack([self.vectors[t] for t in texts]) if len(texts) else None

    def prepare(items: list[Any], margin: float | None) -> tuple[dict[str, Any], float]:
        """Per headline its stacked vector; the share of items MiniLM embedded (margin None: none)."""
        texts = [it.headline for it in items]
        s = static(texts)
        embedded = np.zeros(len(items), dtype=bool)
        if margin is not None:
            weights = teacher.weights
            all_terms = [terms(t) for t in texts]
            index = TermIndex(all_terms)
            df = index.words.frequency()
            idf = np.fromiter(idf_table(dict(zip(index.words.vocab, df.astype(int).tolist(), strict=True)),
                                        len(items)).values(), dtype=np.float64)
            stamps = seconds([it.timestamp for it in items])
            left, right = candidate_pairs(index, df, max_block=1000, times=stamps, window=72 * 3600.0)
            proxy = pair_scores(index, left, right, idf, replace(weights, embedding=0.0), times=stamps)
            proxy += weights.embedding * (intercept + slope * np.einsum("ij,ij->i", s[left], s[right]))
            ambiguous = proxy >= weights.link - margin
            embedded[left[ambiguous]] = True
            embedded[right[ambiguous]] = True
        dim = 384 + table.shape[1] + 1
        stacked = np.zeros((len(items), dim), dtype=np.float32)
        stacked[~embedded, 384:-1] = np.sqrt(slope) * s[~embedded]
        stacked[~embedded, -1] = np.sqrt(intercept)
        if embedded.any():
            stacked[embedded, :384] = teacher.encode([texts[k] for k in np.flatnonzero(embedded)])
        return dict(zip(texts, stacked, strict=False)), float(embedded.mean())

    print(f"static table {table_path} ({table.shape[0]} x {table.shape[1]}); teacher cosine ~ "
          f"{intercept:.3f} + {slope:.3f} x static cosine")
    print(f"{'data':<7}{'method':<24}{'MiniLM on':>10}{'pw P':>7}{'pw R':>7}{'pw F1':>7}{'b3 F1':>7}{'items/s':>9}  notes")
    for dataset in ("dev", "ticker"):
        rows, gold = load(dataset)
        ids = [r["id"] for r in rows]
        items = [item_from_record(r, index=k) for k, r in enumerate(rows)]
        variants: list[tuple[str, float | None]] = [("embedding (MiniLM)", -1.0), ("static only", None)]
        variants += [(f"cascade margin {m}", m) for m in margins]
        for name, margin in variants:
            times, share = [], 1.0
            for _ in range(3):
                clear_cache()
                teacher._cache.clear()
                start = time.process_time()
                if margin == -1.0:
                    pred = dict(cluster_stories(items, backend=teacher).assignments)
                else:
                    vectors, share = prepare(items, margin)
                    pred = dict(cluster_stories(items, backend=Fixed(vectors)).assignments)
                times.append(time.process_time() - start)
            s = score.evaluate(ids, gold, pred)
            (pp, pr, pf), bf = s["pairwise"], s["bcubed"][2]
            note = ticker_check(gold, pred) if dataset == "ticker" else ""
            print(f"{dataset:<7}{name:<24}{share if margin is not None else 0.0:>10.0%}{pp:7.3f}{pr:7.3f}{pf:7.3f}"
                  f"{bf:7.3f}{len(items) / sorted(times)[1]:9.0f}  {note}", flush=True)


def grid(score: Any) -> None:
    """The small grid the default thresholds were chosen from (stories-dev only)."""
    import itertools

    import numpy as np

    from thresher.stories import EmbeddingBackend, LexicalBackend, Weights, cluster_stories, item_from_record

    rows, gold = load("dev")
    ids = [r["id"] for r in rows]
    items = [item_from_record(r) for r in rows]
    cache: dict[str, Any] = {}
    emb = EmbeddingBackend()
    vectors = emb.encode([it.headline for it in items])
    assert vectors is not None
    cache.update(zip([it.headline for it in items], vectors, strict=True))

    class Cached(EmbeddingBackend):
        def encode(self, texts: Any) -> Any:
            return np.stack([cache[t] for t in texts])

    print("\ngrid (stories-dev): backend lexical number conflict same_names per_day link merge"
          " -> pairwise F1, B-cubed F1")
    results = []
    for number, conflict, same, per_day, link, merge in itertools.product(
        (0.0, 0.1), (0.0, 0.05, 0.1), (0.0, 0.1, 0.3), (0.0, 0.05, 0.1), (0.2, 0.25, 0.3), (0.14, 0.18, 0.22, 0.26)
    ):
        if merge <= link:
            w = Weights(embedding=0.0, number=number, conflict=conflict, same_names=same, per_day=per_day,
                        link=link, merge=merge)
            r = cluster_stories(items, backend=LexicalBackend(w))
            s = score.evaluate(ids, gold, dict(r.assignments))
            results.append(("lexical", 1.0, number, conflict, same, per_day, link, merge,
                            s["pairwise"][2], s["bcubed"][2]))
    for lexical, conflict, same, per_day, link, merge in itertools.product(
        (0.25, 0.5, 1.0), (0.0, 0.05), (0.1, 0.3), (0.0, 0.1, 0.2), (0.5, 0.6, 0.7), (0.25, 0.35, 0.45)
    ):
        w = Weights(embedding=1.0, lexical=lexical, number=0.0, conflict=conflict, same_names=same,
                    per_day=per_day, link=link, merge=merge)
        r = cluster_stories(items, backend=Cached(w))
        s = score.evaluate(ids, gold, dict(r.assignments))
        results.append(("embedding", lexical, 0.0, conflict, same, per_day, link, merge,
                        s["pairwise"][2], s["bcubed"][2]))
    for name in ("lexical", "embedding"):
        best = sorted((r for r in results if r[0] == name), key=lambda r: (-r[8], -r[9]))[:5]
        for r in best:
            print(f"  {r[0]:<10} " + " ".join(f"{x:.2f}" for x in r[1:8]) + f" -> {r[8]:.4f} {r[9]:.4f}")


if __name__ == "__main__":
    main()
