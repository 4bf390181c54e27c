"""The steps of a run with their I/O, shared by every engine: each is a plain module-level function of
picklable arguments, safe to run twice (a finished step returns its recorded counts), so a local
process pool and Spark executors run exactly the same code.

1. ``extract_shard``: read a shard, extract every record, write all results to the shard's
   intermediate file, then its marker (with the shard's counts);
2. ``dedup_corpus`` (local engine; the Spark engine runs the same steps as shuffles): duplicate
   groups over all kept documents, site boilerplate over the survivors; writes each shard's
   duplicates and the boilerplate lines, then the phase's marker;
3. ``finish_shard``: the shard's final parts (data, rejected, failed, duplicates), then its marker.

Survivor rule: in a group of duplicates the longest text (in characters) survives; among equally long
texts the earliest in input order (shard number, then record number in the shard: the order the
files were named and their records read). The others go to ``duplicates/`` with ``duplicate_of``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence, Set
from typing import Any

from thresher.allocator import return_big_blocks
from thresher.corpus.config import RunConfig
from thresher.corpus.records import ShardRecord, finish_record, shard_record, site_of
from thresher.corpus.stats import RunStats
from thresher.dedup.boilerplate import find_boilerplate
from thresher.dedup.corpus import deduplicate
from thresher.engines.parquet import write_parquet
from thresher.engines.shards import Shard
from thresher.engines.workdir import (
    WorkDir,
    json_line,
    jsonl_writer,
    read_json,
    read_jsonl,
    write_json,
    write_jsonl,
)
from thresher.extract import extract_result
from thresher.read.sources import iter_inputs
from thresher.read.stats import ReadStats

NO_KEYS: frozenset[int] = frozenset()


def extract_shard(shard: Shard, config: RunConfig, root: str) -> dict[str, Any]:
    """Phase 1 for one shard; returns its counts (``RunStats.to_dict``)."""
    return_big_blocks()
    work = WorkDir(root)
    marker = work.extract_marker(shard)
    if marker.exists():
        return dict(read_json(marker))
    stats = RunStats(shards=1)
    read = ReadStats()
    with jsonl_writer(work.extracted(shard), compress=True) as handle:
        for n, item in enumerate(iter_inputs(list(shard.paths), stats=read)):
            rec = shard_record(extract_result(item, config.options), shard_key=shard.key, n=n)
            if rec.kind == "doc":
                stats.extracted += 1
            elif rec.kind == "rejected":
                stats.rejected[rec.record.get("rejected") or "rejected"] += 1
            else:
                stats.failed[rec.record.get("error") or "failed"] += 1
            handle.write(json_line(rec.to_dict()))
    stats.files = read.files
    stats.records = read.pages + read.failures
    stats.skipped.update(read.skipped)
    counts = stats.to_dict()
    write_json(marker, counts)
    return counts


def shard_records(shard: Shard, root: str) -> Iterator[ShardRecord]:
    """The intermediate records of a shard whose phase 1 is done, in reader order."""
    for data in read_jsonl(WorkDir(root).extracted(shard)):
        yield ShardRecord.from_dict(data)


def kept_documents(shards: Sequence[Shard], root: str) -> Iterator[tuple[str, str, str | None]]:
    """``(id, text, site)`` of every document phase 1 kept, in input order."""
    for shard in shards:
        for rec in shard_records(shard, root):
            if rec.kind == "doc":
                yield rec.record["id"], rec.record.get("text") or "", site_of(rec.record)


def shard_key_of(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[0]


def dedup_corpus(shards: Sequence[Shard], config: RunConfig, root: str) -> dict[str, Any]:
    """Phase 2 in this process (``dedup.deduplicate``, ``dedup.find_boilerplate``); returns its counts."""
    work = WorkDir(root)
    if work.dedup_marker.exists():
        return dict(read_json(work.dedup_marker))
    counts: dict[str, Any] = {}
    duplicate_of: Mapping[str, str] = {}
    if config.dedup is not None:
        result = deduplicate(((i, t) for i, t, _ in kept_documents(shards, root)), config.dedup)
        duplicate_of = result.duplicate_of
        counts.update(exact_duplicates=result.stats.exact_duplicates, candidate_pairs=result.stats.candidate_pairs,
                      verified_pairs=result.stats.verified_pairs, groups=result.stats.groups)
    boilerplate: dict[str, frozenset[int]] = {}
    if config.boilerplate:
        survivors = (
            (i, site, t, None) for i, t, site in kept_documents(shards, root)
            if site is not None and i not in duplicate_of
        )
        boilerplate = find_boilerplate(survivors, min_documents=config.boilerplate_min_documents)
    by_shard: dict[str, list[tuple[str, str]]] = {}
    for member, kept in duplicate_of.items():
        by_shard.setdefault(shard_key_of(member), []).append((member, kept))
    write_dedup_results(work, shards, by_shard, boilerplate)
    counts.update(boilerplate_counts(boilerplate))
    write_json(work.dedup_marker, counts)
    return counts


def boilerplate_counts(boilerplate: Mapping[str, Set[int]]) -> dict[str, int]:
    return {"boilerplate_sites": sum(1 for keys in boilerplate.values() if keys),
            "boilerplate_line_keys": sum(len(keys) for keys in boilerplate.values())}


def write_dedup_results(
    work: WorkDir,
    shards: Sequence[Shard],
    duplicates: Mapping[str, Sequence[tuple[str, str]]],
    boilerplate: Mapping[str, Set[int]],
) -> None:
    """Each shard's ``(member, survivor)`` pairs (sorted by record number) and the boilerplate keys."""
    for shard in shards:
        write_duplicates_of(work, shard, duplicates.get(shard.key, ()))
    write_json(work.boilerplate, {site: sorted(keys) for site, keys in sorted(boilerplate.items()) if keys})


def write_duplicates_of(work: WorkDir, shard: Shard, pairs: Sequence[tuple[str, str]]) -> None:
    ordered = sorted(pairs, key=lambda pair: int(pair[0].rsplit("/", 1)[1]))
    write_jsonl(work.duplicates_of(shard), ({"id": m, "duplicate_of": s} for m, s in ordered), compress=True)


def finish_shard(shard: Shard, config: RunConfig, root: str) -> dict[str, Any]:
    """Phase 3 for one shard; returns its counts (``RunStats.to_dict``, phase-3 fields only)."""
    work = WorkDir(root)
    marker = work.final_marker(shard)
    if marker.exists():
        return dict(read_json(marker))
    duplicate_of = {rec["id"]: rec["duplicate_of"] for rec in read_jsonl(work.duplicates_of(shard))}
    sites = {site: frozenset(keys) for site, keys in read_json(work.boilerplate).items()}
    stats = RunStats()
    parts: dict[str, list[dict[str, Any]]] = {"data": [], "rejected": [], "failed": [], "duplicates": []}
    for rec in shard_records(shard, root):
        if rec.kind == "rejected":
            parts["rejected"].append(rec.record)
        elif rec.kind == "failed":
            parts["failed"].append(rec.record)
        elif rec.record["id"] in duplicate_of:
            parts["duplicates"].append({**rec.record, "duplicate_of": duplicate_of[rec.record["id"]]})
            stats.duplicates += 1
        else:
            site = site_of(rec.record)
            outcome, out, removed = finish_record(
                rec.record, sites.get(site, NO_KEYS) if site else NO_KEYS, min_length=config.min_length
            )
            stats.boilerplate_lines_removed += removed
            stats.boilerplate_documents_changed += bool(removed)
            if outcome == "doc":
                parts["data"].append(out)
                stats.output += 1
            else:
                parts["rejected"].append(out)
                stats.rejected[out["rejected"]] += 1
    for kind, records in parts.items():
        if not records:
            continue
        path = work.part(kind, shard, config)
        if kind == "data" and config.output_format == "parquet":
            write_parquet(path, records)
        else:
            write_jsonl(path, records, compress=config.compress)
    counts = stats.to_dict()
    write_json(marker, counts)
    return counts


def summarise(phase1: Sequence[Mapping[str, Any]], dedup: Mapping[str, Any],
              phase3: Sequence[Mapping[str, Any]], root: str) -> RunStats:
    """Merge the counts of every shard and the dedup phase; write ``stats.json`` (last, atomically)."""
    total = RunStats()
    for counts in [*phase1, *phase3]:
        total.merge(RunStats.from_dict(counts))
    total.dedup.update(dedup)
    write_json(WorkDir(root).stats, total.to_dict())
    return total
