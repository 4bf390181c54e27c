"""Load test of ``thresher serve`` on loopback, next to the CLI's speed on the same pages.

Starts the real server (``thresher.web.server.serve``, worker processes) in a subprocess, then sends
``POST /v1/extract`` with real pages (text/html bodies) from a pool of client threads over keep-alive
``http.client`` connections, at each concurrency level in turn. Every level walks the same cycle of
pages from its start, so each level sees the same mix; every level is bounded twice:
``--requests`` requests at most and ``--max-seconds`` seconds at most.

    python benchmarks/serve_load.py                       # 10,000 requests per level, c = 1, 2, 8
    python benchmarks/serve_load.py --requests 500 --concurrency 1,4

Memory: the server's RSS is the sum over its process tree (the server, its extraction workers and
multiprocessing's resource tracker). It is measured after a warm-up (``--warmup-passes`` passes over
the pages at the server's concurrency, so every worker has loaded its models and seen the large
pages) and again after each level; the growth is reported from the warm-up's end to the end.

Latency: the client's median and p99 per level, and from the server's ``Server-Timing`` header the
time spent queued for a slot and extracting inside the worker. Because the pages differ in size, a
p99/median ratio > 1 is inherent to the mix; ``mix p99/med`` is the same ratio over the library's
own in-process time per page for the same request sequence (what the mix alone gives, with no
server at all); ``extract p99/med`` is the ratio of the in-worker extraction times; ``overhead`` is
each request's latency minus its in-worker extraction time (HTTP, queueing, hand-over to the worker
and back, JSON), median and p99.

The CLI (``thresher --jsonl --parallel N``, N = the server's concurrency) runs on the same pages
(``--cli-rounds`` copies of the cycle), and the library in this process on one thread.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PAGES = REPO.parent / "shared" / "data" / "wcxb-dev" / "html"


def load_pages(folder: Path, count: int) -> list[bytes]:
    files = sorted(folder.glob("*.html.gz"))[:count]
    if not files:
        raise SystemExit(f"no *.html.gz pages in {folder}")
    return [gzip.decompress(f.read_bytes()) for f in files]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_field(pid: int, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/*/stat parent ids)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(parents.get(p, []))
    return tree


def rss_kib(pid: int) -> tuple[int, int]:
    """(RSS of the whole process tree, RSS of ``pid`` alone), in KiB."""
    own = _status_field(pid, "VmRSS")
    return own + sum(_status_field(p, "VmRSS") for p in process_tree(pid) if p != pid), own


def start_server(port: int, concurrency: int | None, workers: str) -> subprocess.Popen[bytes]:
    slots = "" if concurrency is None else f"concurrency={concurrency}, "
    code = (
        "from thresher.web.server import serve;"
        f"serve('127.0.0.1', {port}, {slots}workers={workers!r}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def _server_timing(header: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if dur:
            out[name] = float(dur)
    return out


def _pct(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank rule (p99 of 10,000 values = the 9,900th smallest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def run_level(
    port: int, pages: list[bytes], concurrency: int, requests: int, max_seconds: float,
    library_ms: list[float] | None = None, progress: tuple[int, float] | None = None,
) -> dict[str, Any]:
    """One level; ``progress`` = (server pid, seconds): print a line to stderr that often (RSS included)."""
    lock = threading.Lock()
    state = {"next": 0}
    samples: list[tuple[int, float, dict[str, float]]] = []  # (page index, client ms, server timing)
    errors: list[str] = []
    stop_at = time.monotonic() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= requests or time.monotonic() > stop_at:
                        return
                    state["next"] = i + 1
                page = i % len(pages)
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/v1/extract", body=pages[page], headers={"Content-Type": "text/html"})
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as err:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    with lock:
                        errors.append(type(err).__name__)
                    continue
                elapsed = (time.perf_counter() - t0) * 1000
                timing = _server_timing(resp.getheader("Server-Timing"))
                with lock:
                    samples.append((page, elapsed, timing))
                    if status != 200:
                        errors.append(str(status))
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    while progress is not None and (alive := [t for t in threads if t.is_alive()]):
        alive[0].join(timeout=progress[1])  # a thread still running: one that has ended returns at once
        with lock:
            lat = [ms for _, ms, _ in samples]
        spent = time.perf_counter() - started
        print(f"  c={concurrency}: {len(lat)} requests in {spent:.0f} s ({len(lat) / spent:.2f}/s), median "
              f"{_pct(lat, 0.5):.0f} ms, p99 {_pct(lat, 0.99):.0f} ms, errors {len(errors)}, "
              f"RSS {rss_kib(progress[0])[0] / 1024:.0f} MiB", file=sys.stderr, flush=True)
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    lat = [ms for _, ms, _ in samples]
    extract = [t["extract"] for _, _, t in samples if "extract" in t]
    queue = [t["queue"] for _, _, t in samples if "queue" in t]
    median = _pct(lat, 0.5)
    res: dict[str, Any] = {
        "concurrency": concurrency,
        "requests": len(lat),
        "seconds": wall,
        "rps": len(lat) / wall if wall else 0.0,
        "median_ms": median,
        "p99_ms": _pct(lat, 0.99),
        "p99_over_median": _pct(lat, 0.99) / median if median else 0.0,
        "server_extract_median_ms": _pct(extract, 0.5),
        "server_extract_p99_ms": _pct(extract, 0.99),
        "server_queue_median_ms": _pct(queue, 0.5),
        "server_queue_p99_ms": _pct(queue, 0.99),
        "errors": len(errors),
        "error_kinds": ",".join(sorted(set(errors))[:5]),
    }
    overhead = [ms - t["extract"] for _, ms, t in samples if "extract" in t]
    res["server_extract_p99_over_median"] = res["server_extract_p99_ms"] / res["server_extract_median_ms"] if extract else 0.0
    res["overhead_median_ms"] = _pct(overhead, 0.5)
    res["overhead_p99_ms"] = _pct(overhead, 0.99)
    if library_ms:
        mix = [library_ms[page] for page, _, _ in samples]
        res["mix_p99_over_median"] = _pct(mix, 0.99) / _pct(mix, 0.5) if mix else 0.0
    return res


def library_times(pages: list[bytes], rounds: int) -> tuple[float, list[float]]:
    """(pages/s of ``thresher.extract_result`` on one thread, median ms per page over the rounds)."""
    import thresher

    thresher.extract_result(pages[0])  # load the models outside the timing
    per_page: list[list[float]] = [[] for _ in pages]
    started = time.perf_counter()
    for _ in range(rounds):
        for i, page in enumerate(pages):
            t0 = time.perf_counter()
            thresher.extract_result(page)
            per_page[i].append((time.perf_counter() - t0) * 1000)
    pps = len(pages) * rounds / (time.perf_counter() - started)
    return pps, [statistics.median(t) for t in per_page]


def cli_speed(pages: list[bytes], rounds: int, parallel: int) -> float:
    """Pages/s of ``thresher --jsonl --parallel N`` over ``rounds`` copies of the pages (wall clock, start-up included)."""
    tmp = Path(tempfile.mkdtemp(prefix="serve-load-"))
    try:
        src = tmp / "pages"
        src.mkdir()
        n = 0
        for r in range(rounds):
            for i, page in enumerate(pages):
                (src / f"{r:03d}-{i:03d}.html").write_bytes(page)
                n += 1
        cmd = [sys.executable, "-m", "thresher", "--jsonl", "--parallel", str(parallel), "--input-dir", str(src),
               "-o", str(tmp / "out.jsonl")]
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return n / (time.perf_counter() - started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages-dir", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--pages", type=int, default=36, help="how many pages to cycle through")
    ap.add_argument("--requests", default="10000",
                    help="requests per concurrency level (at most): one number, or one per level, comma-separated")
    ap.add_argument("--max-seconds", type=float, default=3600.0, help="seconds per concurrency level (at most)")
    ap.add_argument("--concurrency", default="1,2,8", help="client concurrency levels, comma-separated")
    ap.add_argument("--server-concurrency", type=int, default=None,
                    help="the server's extraction slots (default: the server's own, one per core up to 4)")
    ap.add_argument("--workers", choices=("process", "thread"), default="process", help="the server's workers")
    ap.add_argument("--warmup-passes", type=int, default=3,
                    help="passes over the pages before the 'before' RSS is read")
    ap.add_argument("--library-rounds", type=int, default=3)
    ap.add_argument("--cli-rounds", type=int, default=5, help="copies of the pages the CLI extracts (0: skip)")
    ap.add_argument("--progress-seconds", type=float, default=60.0, help="a progress line on stderr this often")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    pages = load_pages(args.pages_dir, args.pages)
    slots = args.server_concurrency or max(1, min(4, os.cpu_count() or 1))  # the server's default
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    counts = [int(n) for n in args.requests.split(",") if n.strip()]
    if len(counts) == 1:
        counts *= len(levels)
    if len(counts) != len(levels):
        raise SystemExit("--requests: give one number, or one per concurrency level")
    lib_pps, lib_ms = library_times(pages, rounds=args.library_rounds)
    port = free_port()
    proc = start_server(port, args.server_concurrency, args.workers)
    results = []
    try:
        rss_start, _ = rss_kib(proc.pid)
        warm = run_level(port, pages, slots, len(pages) * args.warmup_passes, args.max_seconds)
        rss_warm, main_warm = rss_kib(proc.pid)
        for c, n in zip(levels, counts, strict=True):
            before, _ = rss_kib(proc.pid)
            res = run_level(port, pages, c, n, args.max_seconds, lib_ms, (proc.pid, args.progress_seconds))
            after, _ = rss_kib(proc.pid)
            res["rss_before_mib"] = before / 1024
            res["rss_after_mib"] = after / 1024
            results.append(res)
        rss_end, main_end = rss_kib(proc.pid)
        tree = len(process_tree(proc.pid))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    cli_parallel = slots
    cli_pps = cli_speed(pages, args.cli_rounds, cli_parallel) if args.cli_rounds else 0.0

    summary = {
        "pages": len(pages),
        "mean_page_kib": sum(map(len, pages)) / len(pages) / 1024,
        "library_ms_per_page_min_median_max": [min(lib_ms), statistics.median(lib_ms), max(lib_ms)],
        "library_pages_per_s": lib_pps,
        "cli_pages_per_s": cli_pps,
        "cli_parallel": cli_parallel,
        "server_workers": args.workers,
        "server_concurrency": slots,
        "server_processes": tree,
        "warmup_requests": warm["requests"],
        "warmup_errors": warm["errors"],
        "rss_at_start_mib": rss_start / 1024,
        "rss_after_warmup_mib": rss_warm / 1024,
        "rss_at_end_mib": rss_end / 1024,
        "rss_growth_pct": (rss_end - rss_warm) / rss_warm * 100 if rss_warm else 0.0,
        "main_process_rss_after_warmup_mib": main_warm / 1024,
        "main_process_rss_at_end_mib": main_end / 1024,
        "levels": results,
        "cpus": os.cpu_count(),
        "loadavg_at_end": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    lo, med, hi = summary["library_ms_per_page_min_median_max"]
    print(f"{len(pages)} WCXB pages, mean {summary['mean_page_kib']:.0f} KiB, library time per page "
          f"{lo:.0f} / {med:.0f} / {hi:.0f} ms (min / median / max); {os.cpu_count()} CPUs, "
          f"load average at end {summary['loadavg_at_end']:.1f}")
    print(f"library (thresher.extract_result, 1 thread, in process): {lib_pps:.1f} pages/s; "
          f"CLI (thresher --jsonl --parallel {cli_parallel}, {args.cli_rounds} x {len(pages)} pages, "
          f"start-up included): {cli_pps:.1f} pages/s")
    print(f"server: {args.workers} workers, {slots} slots, {tree} processes; RSS "
          f"(process tree) {rss_start / 1024:.0f} MiB at start, {rss_warm / 1024:.0f} MiB after the warm-up "
          f"({warm['requests']} requests, {warm['errors']} errors), {rss_end / 1024:.0f} MiB at the end: "
          f"growth {summary['rss_growth_pct']:+.1f} % (server process alone {main_warm / 1024:.0f} -> "
          f"{main_end / 1024:.0f} MiB)")
    print(f"{'conc':>4} {'requests':>8} {'seconds':>8} {'req/s':>6} {'median':>7} {'p99':>7} {'p99/med':>7} "
          f"{'mix p99/med':>11} {'extract med/p99':>16} {'extract p99/med':>15} {'overhead med/p99':>16} "
          f"{'queue med/p99':>13} {'errors':>6} {'RSS before':>10} {'RSS after':>9}")
    for r in results:
        print(f"{r['concurrency']:>4} {r['requests']:>8} {r['seconds']:>8.1f} {r['rps']:>6.2f} "
              f"{r['median_ms']:>5.0f}ms {r['p99_ms']:>5.0f}ms {r['p99_over_median']:>7.2f} "
              f"{r.get('mix_p99_over_median', 0):>11.2f} "
              f"{r['server_extract_median_ms']:>7.0f}/{r['server_extract_p99_ms']:<6.0f}ms "
              f"{r['server_extract_p99_over_median']:>15.2f} "
              f"{r['overhead_median_ms']:>7.0f}/{r['overhead_p99_ms']:<6.0f}ms "
              f"{r['server_queue_median_ms']:>6.0f}/{r['server_queue_p99_ms']:<4.0f}ms "
              f"{r['errors']:>6} {r['rss_before_mib']:>8.0f}Mi {r['rss_after_mib']:>7.0f}Mi"
              + (f"  ({r['error_kinds']})" if r["errors"] else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
