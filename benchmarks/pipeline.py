#!/usr/bin/env python3
"""End-to-end corpus pipeline speed: ``thresher run`` against a datatrove pipeline on the same WARC shards.

    python benchmarks/pipeline.py [--data DIR] [--pages N] [--shard-size 50] [--copies 0.15]
                                  [--work DIR] [--seed 0]

Corpus: the first ``--pages`` WCXB dev pages (default: all 1,497; a few hundred pages measure start-up
more than throughput) (``html/*.html.gz``, CC-BY-4.0) as HTTP 200 responses in
gzipped WARC shards of ``--shard-size`` records, plus planted near-duplicates of a random
``--copies`` share of them (one kind each, in turn): ``exact`` (same page, another URL), ``edited``
(a few words changed in one text node), ``truncated`` (the page cut at 90 % of its bytes) and
``boilerplate`` (a footer paragraph appended), spread over other shards.

Contenders, each in a fresh subprocess with one worker (documents/s = input records / wall seconds;
documents per CPU-second counts the CPU time of the process and its children, which holds up better
on a busy machine; peak RSS of the process and of any child it waited for):

* ``thresher run --engine local --workers 1`` (extraction, filters, near dedup, boilerplate, writers);
* datatrove ``WarcReader → Trafilatura → JsonlWriter`` (``LocalPipelineExecutor``, 1 task, 1 worker;
  its extractor runs in a sandbox subprocess). datatrove's MinHash stages need nltk with downloaded
  tokenizer data (network), so the datatrove row has no dedup; thresher is also timed with
  ``--dedup none --no-boilerplate`` for the like-for-like row.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
_TEXT_NODE = re.compile(rb">([^<>]{80,})<")


def warc_record(url: str, body: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>\r\n"
        "WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Identified-Payload-Type: text/html\r\n"
        f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0, compresslevel=6)


def _edited(body: bytes, rng: random.Random) -> bytes:
    nodes = list(_TEXT_NODE.finditer(body))
    if not nodes:
        return body + b"<!-- edited -->"
    node = rng.choice(nodes)
    words = node.group(1).split(b" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = b"changed"
    return body[: node.start(1)] + b" ".join(words) + body[node.end(1):]


def build_corpus(data: Path, out: Path, *, pages: int | None, shard_size: int, copies: float, seed: int) -> int:
    """Write the WARC shards; returns the number of records."""
    rng = random.Random(seed)
    meta = json.loads((data / "metadata.json").read_text())["files"]
    files = sorted((data / "html").glob("*.html.gz"))[:pages]  # None: all
    records: list[tuple[str, bytes]] = []
    for path in files:
        page_id = path.name.split(".")[0]
        records.append((f"https://{meta.get(page_id, {}).get('domain', 'wcxb.example')}/wcxb/{page_id}",
                        gzip.decompress(path.read_bytes())))
    kinds = ("exact", "edited", "truncated", "boilerplate")
    planted = []
    for k, (url, body) in enumerate(rng.sample(records, int(len(records) * copies))):
        kind = kinds[k % len(kinds)]
        if kind == "edited":
            body = _edited(body, rng)
        elif kind == "truncated":
            body = body[: int(len(body) * 0.9)]
        elif kind == "boilerplate":
            body = body.replace(b"</body>", b"<p>Copyright notice: all rights reserved by the mirror site, "
                                b"republished with permission of the original publisher.</p></body>")
        planted.append((f"{url}?copy={kind}", body))
    for item in planted:
        records.insert(rng.randrange(len(records) + 1), item)
    out.mkdir(parents=True, exist_ok=True)
    for s in range(0, len(records), shard_size):
        shard = records[s : s + shard_size]
        (out / f"bench-{s // shard_size:04d}.warc.gz").write_bytes(b"".join(warc_record(u, b) for u, b in shard))
    return len(records)


def _peak_rss_mb() -> float:
    """This process's peak RSS (``VmHWM``: it starts afresh at exec, where ``ru_maxrss`` keeps the
    peak of the parent that forked it — here the one that built the corpus)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_thresher(shards: Path, out: Path, extra: list[str]) -> None:
    from thresher.cli.main import main

    code = main(["run", str(shards), "-o", str(out), "--engine", "local", "--workers", "1", *extra])
    if code != 0:
        raise SystemExit(code)


def _child_datatrove(shards: Path, out: Path) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    LocalPipelineExecutor(
        pipeline=[WarcReader(str(shards), glob_pattern="*.warc.gz"), Trafilatura(favour_precision=True, timeout=10),
                  JsonlWriter(str(out / "data"))],
        tasks=1, workers=1, logging_dir=str(out / "logs"),
    ).run()


def _measure(argv: list[str]) -> dict[str, float]:
    """Run a child contender; wall time and peak RSS (its own and its children's) in MB."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, *argv], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[1]} failed:\n{proc.stderr[-3000:]}")
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    stats["wall"] = wall
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--pages", type=int, default=None, help="the first N dev pages (default: all)")
    parser.add_argument("--shard-size", type=int, default=50)
    parser.add_argument("--copies", type=float, default=0.15)
    parser.add_argument("--work", type=Path, default=Path("/tmp/thresher-bench-pipeline"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, shards, out, *extra = json.loads(args.child)
        started = time.process_time()
        if name == "datatrove":
            _child_datatrove(Path(shards), Path(out))
        else:
            _child_thresher(Path(shards), Path(out), extra)
        own = _peak_rss_mb()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = time.process_time() - started + children.ru_utime + children.ru_stime
        print(json.dumps({"cpu": cpu, "rss": own, "child_rss": children.ru_maxrss / 1024}))
        return

    shutil.rmtree(args.work, ignore_errors=True)
    shards = args.work / "shards"
    records = build_corpus(args.data, shards, pages=args.pages, shard_size=args.shard_size, copies=args.copies,
                           seed=args.seed)
    print(f"corpus: {records} records ({args.pages or 'all'} pages + planted copies) in "
          f"{len(list(shards.glob('*.warc.gz')))} WARC shards")
    rows = []
    for label, argv in [
        ("thresher run (near dedup + boilerplate)", ["thresher", str(shards), str(args.work / "t1")]),
        ("thresher run --dedup none --no-boilerplate", ["thresher", str(shards), str(args.work / "t2"),
                                                        "--dedup", "none", "--no-boilerplate"]),
        ("datatrove WarcReader → Trafilatura → JsonlWriter", ["datatrove", str(shards), str(args.work / "dt")]),
    ]:
        rows.append((label, _measure(["--child", json.dumps(argv)])))
    t1 = json.loads((args.work / "t1" / "stats.json").read_text())
    dt_docs = sum(gzip.decompress(path.read_bytes()).count(b"\n") for path in (args.work / "dt" / "data").glob("*.jsonl.gz"))
    print(f"thresher: {t1['output']} written, {t1['duplicates']} duplicates, {sum(t1['rejected'].values())} rejected, "
          f"{sum(t1['failed'].values())} failed, {t1['boilerplate_lines_removed']} boilerplate lines removed; "
          f"datatrove: {dt_docs} written")
    print("\n| pipeline (1 worker) | wall s | docs/s | CPU s | docs/CPU-s | peak RSS MB (process / sandbox child) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, stats in rows:
        print(f"| {label} | {stats['wall']:.1f} | {records / stats['wall']:.1f} | {stats['cpu']:.1f} | "
              f"{records / stats['cpu']:.1f} | {stats['rss']:.0f} / {stats['child_rss']:.0f} |")


if __name__ == "__main__":
    main()
