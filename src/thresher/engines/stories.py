"""Phase 4 of ``thresher run --stories``: every output document gets the id of its news story.

An item per data record: title as headline, description (else the first paragraph) as lead, host
name as outlet, date as timestamp; records without a title get ``"story": null``. Items are
documents (``Item.document``): one without a date joins only a near-identical item, never a story of
pages on the same topic. Both engines run
the steps of ``stories.cluster_stories`` over the whole corpus, never comparing all pairs:

1. content terms per item; each term's document frequency over the corpus; IDF (``idf_table``);
2. candidate pairs by blocking: items that share a term held by 2 to ``max_block`` items, within
   the time window (``stories.pairs``);
3. pair scores; the pairs scoring ``link`` or more (about one per item that has a story) give the
   connected groups (union-find on the driver: the edges are few);
4. each group is clustered on its own (``cluster_component``); the rest are single-item stories;
   equal story ids are told apart (``distinct_ids``).

Then each shard's data part is rewritten with a ``story`` field per record, and ``stories.jsonl``
lists the stories of two or more documents (id, headline, size, members, outlets, first and last
seen), sorted by id. Local: everything in this process (the items' terms held in memory). Spark:
``spark_stories`` runs steps 1-4 as shuffles and writes the parts on executors; only the term
frequencies, the strong pairs and the multi-document stories reach the driver. With the lexical
backend (default) both engines write the same bytes. JSONL and Parquet data parts (Parquet parts
have a ``story`` column, null until this phase fills it). The counts go to ``stats.json`` under
``stories`` (items, stories, multi_member, in_multi_member).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from thresher.corpus.config import RunConfig
from thresher.corpus.stats import RunStats
from thresher.dedup.groups import UnionFind
from thresher.engines.parquet import read_parquet, write_parquet
from thresher.engines.shards import Shard
from thresher.engines.tasks import shard_key_of
from thresher.engines.workdir import STORIES_FILE, WorkDir, read_json, write_json, write_jsonl
from thresher.stories import Item, StoriesOptions, Story, cluster_stories, item_from_record, make_backend
from thresher.stories.cluster import UndatedGate, _weights, cluster_component, distinct_ids, single_story
from thresher.stories.pairs import TermIndex, pair_scores
from thresher.stories.similarity import Backend, idf_table, seconds
from thresher.stories.text import Terms, terms

Order = tuple[int, int]
"""An item's place in the corpus: (shard number, record number in the shard's data part)."""


def stories_dir(root: str) -> Path:
    return WorkDir(root).work / "stories"


def stories_marker(root: str) -> Path:
    return stories_dir(root) / "_DONE"


def check_config(config: RunConfig) -> None:
    """``--stories`` rewrites JSONL or Parquet data parts (ValueError for any other format)."""
    if config.output_format not in ("jsonl", "parquet"):
        raise ValueError(f"--stories cannot rewrite {config.output_format} data parts (jsonl or parquet)")


def data_part(shard: Shard, config: RunConfig, root: str) -> Path:
    return WorkDir(root).part("data", shard, config)


def shard_items(shard: Shard, config: RunConfig, root: str) -> Iterator[tuple[Order, Item]]:
    """The items of a shard's data part, with their order."""
    path = data_part(shard, config, root)
    if not path.exists():
        return
    for n, record in enumerate(read_records(path)):
        item = item_of(record)
        if item is not None:
            yield (shard.index, n), item


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a data part: JSONL, gzipped or not, or Parquet (read whole: a part is one
    shard's output)."""
    if path.suffix == ".parquet":
        return read_parquet(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def item_of(record: Mapping[str, Any]) -> Item | None:
    """The story item of a data record (None without a title)."""
    return item_from_record(record, document=True) if record.get("title") else None


def write_shard_stories(shard: Shard, config: RunConfig, root: str, assignments: Mapping[str, str]) -> None:
    """Rewrite the shard's data part with each record's story id (idempotent)."""
    path = data_part(shard, config, root)
    if not path.exists():
        return
    records = [{**rec, "story": assignments.get(rec["id"])} for rec in read_records(path)]
    if path.suffix == ".parquet":
        write_parquet(path, records)
    else:
        write_jsonl(path, records, compress=config.compress)


def story_record(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "headline": story.headline,
        "size": story.size,
        "members": list(story.members),
        "outlets": list(story.outlets),
        "first_seen": story.first_seen.isoformat() if story.first_seen else None,
        "last_seen": story.last_seen.isoformat() if story.last_seen else None,
    }


def write_story_list(root: str, stories: Iterable[Story], counts: Mapping[str, int]) -> dict[str, int]:
    multi = sorted((s for s in stories if s.size > 1), key=lambda s: s.id)
    write_jsonl(Path(root) / STORIES_FILE, (story_record(s) for s in multi), compress=False)
    done = {**counts, "multi_member": len(multi), "in_multi_member": sum(s.size for s in multi)}
    write_json(stories_marker(root), done)
    return record_counts(root, done)


def record_counts(root: str, counts: Mapping[str, int]) -> dict[str, int]:
    """Put the counts of the stories phase into the run's ``stats.json`` (under ``stories``)."""
    stats_path = WorkDir(root).stats
    if stats_path.exists():
        stats = RunStats.from_dict(read_json(stats_path))
        if stats.stories != dict(counts):
            stats.stories = dict(counts)
            write_json(stats_path, stats.to_dict())
    return dict(counts)


def local_stories(shards: Sequence[Shard], config: RunConfig, root: str, options: StoriesOptions) -> dict[str, int]:
    """Phase 4 in this process; returns its counts."""
    marker = stories_marker(root)
    if marker.exists():
        return record_counts(root, read_json(marker))
    stories_dir(root).mkdir(parents=True, exist_ok=True)
    items = [item for shard in shards for _, item in shard_items(shard, config, root)]
    batch = replace(options, max_batch=max(options.max_batch, len(items)))  # the steps Spark runs, at any size
    result = cluster_stories(items, batch, backend=make_backend(options.backend))
    for shard in shards:
        write_shard_stories(shard, config, root, result.assignments)
    return write_story_list(root, result.stories, {"items": len(items), "stories": len(result.stories)})


# -- Spark ---------------------------------------------------------------------------------------------


def spark_stories(
    sc: Any, shards: Sequence[Shard], config: RunConfig, root: str, options: StoriesOptions
) -> dict[str, int]:
    """Phase 4 on Spark (``sc``: a SparkContext); the same stories as ``local_stories``."""
    marker = stories_marker(root)
    if marker.exists():
        return record_counts(root, read_json(marker))
    stories_dir(root).mkdir(parents=True, exist_ok=True)
    sc.setJobDescription("thresher stories")
    rows = (
        sc.parallelize(list(shards), max(1, len(shards)))
        .flatMap(lambda shard: shard_items(shard, config, root))
        .map(lambda kv: (kv[0], (kv[1], terms(kv[1].headline, kv[1].lead))))
        .cache()
    )
    n = rows.count()
    frequency = rows.flatMap(lambda kv: [(w, 1) for w in set(kv[1][1].words)]).reduceByKey(add).collectAsMap()
    idf = sc.broadcast(idf_table(frequency, n))
    df = sc.broadcast({w: c for w, c in frequency.items() if 2 <= c <= options.max_block})
    candidates = (
        rows.flatMap(lambda kv: [(w, kv[0]) for w in set(kv[1][1].words) if w in df.value])
        .groupByKey()
        .flatMap(lambda kv: combinations(sorted(set(kv[1])), 2))
        .distinct()
    )
    with_items = (
        candidates.join(rows)                                  # (a, (b, row_a))
        .map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))         # (b, (a, row_a))
        .join(rows)                                            # (b, ((a, row_a), row_b))
        .map(lambda kv: (kv[1][0][0], kv[0], kv[1][0][1], kv[1][1]))
    )
    strong = with_items.mapPartitions(lambda part: _strong_pairs(part, idf.value, options)).collect()
    label = _labels(strong)
    labels = sc.broadcast(label)
    stories = rows.map(lambda kv: (labels.value.get(kv[0], kv[0]), (kv[0], kv[1]))).groupByKey().flatMap(
        lambda kv: _group_stories(kv[1], idf.value, options)
    )
    named = stories.map(lambda s: (s.id, s)).groupByKey().flatMap(lambda kv: distinct_ids(list(kv[1]))).cache()
    assignments = named.flatMap(lambda s: [(shard_key_of(m), (m, s.id)) for m in s.members])
    shard_rdd = sc.parallelize([(shard.key, shard) for shard in shards], max(1, len(shards)))
    shard_rdd.cogroup(assignments).foreach(
        lambda kv: write_shard_stories(next(iter(kv[1][0])), config, root, dict(kv[1][1]))
    )
    multi = named.filter(lambda s: s.size > 1).collect()
    total = named.count()
    rows.unpersist()
    named.unpersist()
    return write_story_list(root, multi, {"items": n, "stories": total})


Row = tuple[Item, Terms]


def _strong_pairs(
    part: Iterable[tuple[Order, Order, Row, Row]], idf: Mapping[str, float], options: StoriesOptions
) -> Iterator[tuple[Order, Order]]:
    """The candidate pairs of one partition that score ``link`` or more (and are within the window)."""
    pairs = list(part)
    if not pairs:
        return
    backend = make_backend(options.backend)
    weights = _weights(backend.weights, options)
    place: dict[Order, int] = {}
    rows: list[Row] = []
    for a, b, row_a, row_b in pairs:
        for order, row in ((a, row_a), (b, row_b)):
            if order not in place:
                place[order] = len(rows)
                rows.append(row)
    left = np.array([place[p[0]] for p in pairs], dtype=np.int64)
    right = np.array([place[p[1]] for p in pairs], dtype=np.int64)
    stamps = seconds([item.timestamp for item, _ in rows])
    with np.errstate(invalid="ignore"):
        near = ~(np.abs(stamps[left] - stamps[right]) > options.window_hours * 3600.0)
    left, right = left[near], right[near]
    index = TermIndex([t for _, t in rows])
    idf_ids = np.array([idf.get(w, 1.0) for w in index.words.vocab], dtype=np.float64)
    vectors = _encode(backend, [item for item, _ in rows])
    gate = UndatedGate([item for item, _ in rows], [t for _, t in rows], options.collapse_threshold)
    scores = gate.apply(left, right, pair_scores(index, left, right, idf_ids, weights, vectors=vectors, times=stamps),
                        above=weights.link)
    orders = list(place)
    for i, j in zip(left[scores >= weights.link].tolist(), right[scores >= weights.link].tolist(), strict=True):
        yield orders[i], orders[j]


def _encode(backend: Backend, items: Sequence[Item]) -> Any:
    if not backend.weights.embedding:
        return None
    return backend.encode([f"{it.headline}. {it.lead}" if it.lead else it.headline for it in items])


def _labels(edges: Sequence[tuple[Order, Order]]) -> dict[Order, Order]:
    """Each item of a strong pair -> the least item of its connected group."""
    nodes = sorted({node for edge in edges for node in edge})
    position = {node: k for k, node in enumerate(nodes)}
    groups = UnionFind(len(nodes))
    for a, b in edges:
        groups.union(position[a], position[b])
    return {nodes[k]: nodes[members[0]] for members in groups.components() for k in members}


def _group_stories(
    members: Iterable[tuple[Order, Row]], idf: Mapping[str, float], options: StoriesOptions
) -> list[Story]:
    ordered = sorted(members, key=lambda m: m[0])
    if len(ordered) == 1:
        item, t = ordered[0][1]
        return [single_story(item, t)]
    backend = make_backend(options.backend)
    weights = _weights(backend.weights, options)
    items = [row[0] for _, row in ordered]
    stories, _ = cluster_component(items, [row[1] for _, row in ordered], idf, weights, options,
                                   vectors=_encode(backend, items))
    return stories
