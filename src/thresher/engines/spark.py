"""The Spark engine (the ``[spark]`` extra): the same steps as the local engine, with phase 2 as shuffles.

The only module that imports pyspark. Phases 1 and 3 run ``tasks.extract_shard`` / ``tasks.finish_shard``
on executors, one task per shard, and only the shards' small counts come back to the driver. Phase 2:

1. every kept document becomes a row ``(order, id, text, site)``, ``order = (shard number, record)``;
2. exact: rows keyed by ``exact_key(text)``; the earliest row of a key is its representative, every
   other row an exact-duplicate edge to it;
3. near: each representative's MinHash band keys become rows ``((band, key), order)``; grouped by band
   key, each bucket gives its candidate pairs (distinct over buckets); each pair is joined with both
   texts (by order) and verified on the real shingle sets;
4. groups: connected components of all edges. The edges number about one per duplicate document;
   up to ``max_driver_edges`` of them are collected and joined by union-find on the driver, beyond
   that components come from label propagation on Spark (each node takes the least label of its
   neighbours until nothing changes). In each group the survivor is the longest text, then the
   earliest order — the rule of ``dedup.deduplicate``, so both engines write the same bytes;
5. each shard's ``(member, survivor)`` pairs are written by an executor (cogroup on the shard key);
   the site boilerplate lines (counted on distinct surviving documents per site) are the one result
   collected on the driver, which is small by construction.

Nothing collects documents or candidate pairs on the driver. All files are written with plain
file I/O, so ``OUT`` must be a path every executor sees (a shared or network filesystem).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations
from operator import add
from typing import Any, TextIO

from pyspark import SparkConf, StorageLevel
from pyspark.sql import SparkSession

from thresher.corpus.config import RunConfig
from thresher.dedup.boilerplate import line_keys
from thresher.dedup.exact import exact_key
from thresher.dedup.groups import group_duplicates
from thresher.dedup.lsh import band_keys
from thresher.dedup.minhash import Permutations, shingles, signature
from thresher.dedup.options import DedupOptions
from thresher.dedup.verify import similarity
from thresher.engines.pipeline import ShardStep
from thresher.engines.shards import Shard
from thresher.engines.stories import spark_stories
from thresher.engines.tasks import boilerplate_counts, kept_documents, shard_key_of, write_duplicates_of
from thresher.engines.workdir import WorkDir, read_json, write_json
from thresher.stories.model import StoriesOptions

Order = tuple[int, int]
Row = tuple[Order, str, str, str | None]
"""A kept document in phase 2: ``(order, id, text, site)``."""
Node = tuple[Order, int, str]
"""A document in the duplicate graph: ``(order, length of its text, id)``."""

LOCAL_CONF = {
    "spark.driver.memory": "1g",
    "spark.executor.memory": "1g",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.default.parallelism": "8",
}
"""Settings of a session this engine starts itself (``spark-submit`` settings win over them)."""
MAX_LABEL_ROUNDS = 100
MAX_DRIVER_EDGES = 2_000_000
"""Up to this many duplicate edges (exact + verified: about one per duplicate document) the groups are
formed on the driver (one collect of the edges, union-find); above it by label propagation on Spark."""


class SparkEngine:
    """Runs a run on Spark: ``spark`` (an existing session), or a session built for ``master``
    (default: the one ``spark-submit`` set, else ``local[*]``)."""

    def __init__(
        self, *, spark: SparkSession | None = None, master: str | None = None,
        max_driver_edges: int = MAX_DRIVER_EDGES, progress: TextIO | None = None,
    ) -> None:
        self.spark = spark if spark is not None else build_session(master)
        self.max_driver_edges = max_driver_edges
        self.progress = progress
        """Where a line goes as each phase starts and ends (Spark's own progress bar is off)."""

    def _say(self, text: str) -> None:
        if self.progress is not None:
            self.progress.write(f"thresher run: {text}\n")
            self.progress.flush()

    def map_shards(
        self, step: ShardStep, shards: Sequence[Shard], config: RunConfig, root: str, *,
        label: str, done: Callable[[Shard], bool],
    ) -> list[dict[str, Any]]:
        results = {shard.index: step(shard, config, root) for shard in shards if done(shard)}
        todo = [shard for shard in shards if shard.index not in results]
        if todo:
            started = time.monotonic()
            self._say(f"{label} {len(todo)} shards on Spark" + (f" ({len(results)} done before)" if results else ""))
            sc = self.spark.sparkContext
            sc.setJobDescription(f"thresher {label}: {len(todo)} shards")
            rdd = sc.parallelize(todo, len(todo))
            results.update(rdd.map(lambda shard: (shard.index, step(shard, config, root))).collect())
            self._say(f"{label} {len(todo)} shards done in {time.monotonic() - started:.1f} s")
        return [results[shard.index] for shard in shards]

    def dedup(self, shards: Sequence[Shard], config: RunConfig, root: str) -> dict[str, Any]:
        work = WorkDir(root)
        if work.dedup_marker.exists():
            return dict(read_json(work.dedup_marker))
        started = time.monotonic()
        self._say("dedup on Spark")
        sc = self.spark.sparkContext
        sc.setJobDescription("thresher dedup")
        docs = (
            sc.parallelize(list(shards), max(1, len(shards)))
            .flatMap(lambda shard: _rows(shard, root))
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        counts: dict[str, Any] = {}
        duplicates = sc.emptyRDD()
        if config.dedup is not None:
            duplicates, counts = _duplicates(docs, config.dedup, self.max_driver_edges)
            duplicates.persist(StorageLevel.MEMORY_AND_DISK)
        # each shard's pairs, written by an executor; shards without duplicates get an empty file
        by_shard = duplicates.map(lambda pair: (shard_key_of(pair[0]), pair))
        shard_rdd = sc.parallelize([(shard.key, shard) for shard in shards], max(1, len(shards)))
        shard_rdd.cogroup(by_shard).foreach(
            lambda kv: write_duplicates_of(WorkDir(root), next(iter(kv[1][0])), list(kv[1][1]))
        )
        boilerplate: dict[str, set[int]] = {}
        if config.boilerplate:
            survivors = docs.map(lambda row: (row[1], row)).subtractByKey(duplicates).values()
            needed = config.boilerplate_min_documents
            lines = (
                survivors.filter(lambda row: row[3] is not None)
                .flatMap(lambda row: [((row[3], key), 1) for key in _distinct_line_keys(row[2])])
                .reduceByKey(add)
                .filter(lambda kv: kv[1] >= needed)
                .keys()
                .collect()
            )
            for site, key in lines:
                boilerplate.setdefault(str(site), set()).add(key)
        write_json(work.boilerplate, {site: sorted(keys) for site, keys in sorted(boilerplate.items())})
        counts.update(boilerplate_counts(boilerplate))
        docs.unpersist()
        duplicates.unpersist()
        write_json(work.dedup_marker, counts)
        self._say(f"dedup done in {time.monotonic() - started:.1f} s")
        return counts

    def stories(
        self, shards: Sequence[Shard], config: RunConfig, root: str, options: StoriesOptions
    ) -> dict[str, Any]:
        return spark_stories(self.spark.sparkContext, shards, config, root, options)


def build_session(master: str | None) -> SparkSession:
    """A session for ``master``; the active one when there is one; small settings when started here."""
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName("thresher")
    submitted = SparkConf()
    if master is not None:
        builder = builder.master(master)
    elif not submitted.contains("spark.master"):
        builder = builder.master("local[*]")
    for key, value in LOCAL_CONF.items():
        if not submitted.contains(key):
            builder = builder.config(key, value)
    if (master is None and not submitted.contains("spark.master")) or (master or "").startswith("local"):
        # local workers run this interpreter (the one with thresher installed), not whatever is on PATH
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _rows(shard: Shard, root: str) -> Iterator[Row]:
    for doc_id, text, site in kept_documents([shard], root):
        yield (shard.index, int(doc_id.rsplit("/", 1)[1])), doc_id, text, site


def _distinct_line_keys(text: str) -> set[int]:
    return {key for key in line_keys(text) if key is not None}


def _band_rows(rows: Iterable[Row], options: DedupOptions) -> Iterator[tuple[tuple[int, int], Order]]:
    perms = Permutations.make(options.num_perm, options.seed)
    bands, width = options.band_layout()
    for order, _, text, _ in rows:
        for band, key in enumerate(band_keys(signature(text, perms, options.ngram), bands, width).tolist()):
            yield (band, int(key)), order


def _pairs(members: Iterable[Order]) -> Iterator[tuple[Order, Order]]:
    """Candidate pairs of one LSH bucket, as ``(earlier, later)`` orders."""
    return combinations(sorted(set(members)), 2)


def _node(row: Row) -> Node:
    return row[0], len(row[2]), row[1]


def _duplicates(docs: Any, options: DedupOptions, max_driver_edges: int) -> tuple[Any, dict[str, Any]]:
    """``(RDD of (member id, survivor id), counts)`` for the kept documents ``docs``."""
    keyed = docs.map(lambda row: (exact_key(row[2]), row))
    first = keyed.mapValues(_node).reduceByKey(min)
    joined = keyed.join(first).values().persist(StorageLevel.MEMORY_AND_DISK)  # (row, representative node)
    exact_edges = joined.filter(lambda rv: rv[0][0] != rv[1][0]).map(lambda rv: (_node(rv[0]), rv[1]))
    tally = exact_edges.map(lambda _: "exact_duplicates")
    edges = exact_edges
    if options.mode == "near":
        reps = joined.filter(lambda rv: rv[0][0] == rv[1][0]).keys()
        candidates = (
            reps.mapPartitions(lambda rows: _band_rows(rows, options))
            .groupByKey()
            .flatMap(lambda kv: _pairs(kv[1]))
            .distinct()
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        texts = reps.map(lambda row: (row[0], (row[2], _node(row))))
        threshold, measure, ngram = options.threshold, options.measure, options.ngram
        verified = (
            candidates.join(texts)                                      # (a, (b, (text_a, node_a)))
            .map(lambda kv: (kv[1][0], kv[1][1]))                       # (b, (text_a, node_a))
            .join(texts)                                                # (b, ((text_a, node_a), (text_b, node_b)))
            .values()
            .filter(lambda ab: similarity(shingles(ab[0][0], ngram), shingles(ab[1][0], ngram), measure) >= threshold)
            .map(lambda ab: (ab[0][1], ab[1][1]))
        )
        tally = tally.union(candidates.map(lambda _: "candidate_pairs")).union(verified.map(lambda _: "verified_pairs"))
        edges = edges.union(verified)
    edges = edges.persist(StorageLevel.MEMORY_AND_DISK)
    found = tally.countByValue()  # one job for every count
    counts: dict[str, Any] = {key: int(found.get(key, 0))
                              for key in ("exact_duplicates", "candidate_pairs", "verified_pairs")}
    total = counts["exact_duplicates"] + counts["verified_pairs"]
    if total == 0:
        counts["groups"] = 0
        pairs = docs.context.emptyRDD()
    elif total <= max_driver_edges:
        pairs, counts["groups"] = _groups_on_driver(docs.context, edges.collect())
    else:
        pairs, counts["groups"] = _groups_distributed(edges)
    joined.unpersist()
    return pairs, counts


def _groups_on_driver(sc: Any, edges: list[tuple[Node, Node]]) -> tuple[Any, int]:
    """Few edges (about one per duplicate): union-find on the driver over the edges' nodes only."""
    nodes = sorted({node for edge in edges for node in edge})  # by order: positions follow input order
    position = {node: i for i, node in enumerate(nodes)}
    lengths = [node[1] for node in nodes]
    grouping = group_duplicates(len(nodes), [(position[a], position[b]) for a, b in edges], lengths)
    pairs = [(nodes[m][2], nodes[s][2]) for m, s in sorted(grouping.duplicate_of.items())]
    return sc.parallelize(pairs, max(1, min(len(pairs) // 10_000, 64))), len(grouping.groups)


def _groups_distributed(edges: Any) -> tuple[Any, int]:
    """Many edges: connected components by label propagation, survivors by a reduce per component."""
    members = (
        _components(edges)                                              # (node, label)
        .map(lambda kv: (kv[1], (-kv[0][1], kv[0][0], kv[0][2])))       # (label, (-length, order, id))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    survivors = members.reduceByKey(min).mapValues(lambda best: best[2]).persist(StorageLevel.MEMORY_AND_DISK)
    pairs = (
        members.join(survivors)                                         # (label, ((-length, order, id), survivor))
        .values()
        .filter(lambda ms: ms[0][2] != ms[1])
        .map(lambda ms: (ms[0][2], ms[1]))
    )
    return pairs, survivors.count()


def _components(edges: Any) -> Any:
    """``(node, label)`` for every node of ``edges``: the least node of its connected component."""
    adjacent = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])]).distinct().persist(StorageLevel.MEMORY_AND_DISK)
    labels = adjacent.keys().distinct().map(lambda node: (node, node)).persist(StorageLevel.MEMORY_AND_DISK)
    for _ in range(MAX_LABEL_ROUNDS):
        offers = adjacent.join(labels).map(lambda kv: (kv[1][0], kv[1][1]))  # (neighbour, my label)
        updated = labels.union(offers).reduceByKey(min).persist(StorageLevel.MEMORY_AND_DISK)
        changed = updated.join(labels).filter(lambda kv: kv[1][0] != kv[1][1]).count()
        labels.unpersist()
        labels = updated
        if changed == 0:
            break
    else:  # pragma: no cover - a chain longer than the round limit
        raise RuntimeError(f"duplicate groups did not settle in {MAX_LABEL_ROUNDS} rounds")
    adjacent.unpersist()
    return labels
