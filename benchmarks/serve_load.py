"""Load test of ``thresher serve`` on loopback, next to the library's own speed on the same pages.

Starts the real server in a subprocess (so its RSS can be read from /proc and its GIL is its own),
then sends ``POST /v1/extract`` with real pages (text/html bodies) from a bounded pool of client
threads over keep-alive ``http.client`` connections, at each concurrency level in turn. Every level
is bounded twice: ``--requests`` requests at most and ``--max-seconds`` seconds at most.

    python benchmarks/serve_load.py                       # 10,000 requests per level, c = 1, 2, 8
    python benchmarks/serve_load.py --requests 500 --concurrency 1,4

Reports requests/s, median and p99 latency, errors (non-200 answers and connection failures), the
server's RSS before and after each level, and the library's pages/s (``thresher.extract`` in this
process, one thread) over the same pages.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

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


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(port: int, concurrency: int) -> subprocess.Popen[bytes]:
    code = (
        "from thresher.web.server import serve;"
        f"serve('127.0.0.1', {port}, concurrency={concurrency}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
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


def run_level(port: int, pages: list[bytes], concurrency: int, requests: int, max_seconds: float) -> dict[str, float]:
    lock = threading.Lock()
    state = {"next": 0}
    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.monotonic() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while True:
                with lock:
                    i = state["next"]
                    if i >= requests or time.monotonic() > stop_at:
                        return
                    state["next"] = i + 1
                body = pages[i % len(pages)]
                t0 = time.perf_counter()
                try:
                    conn.request("POST", "/v1/extract", body=body, headers={"Content-Type": "text/html"})
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                except (OSError, http.client.HTTPException) as err:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    with lock:
                        errors.append(type(err).__name__)
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        errors.append(str(status))
        finally:
            conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    lat = sorted(latencies)
    return {
        "concurrency": concurrency,
        "requests": len(lat),
        "seconds": wall,
        "rps": len(lat) / wall if wall else 0.0,
        "median_ms": statistics.median(lat) * 1000 if lat else 0.0,
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0,
        "errors": len(errors),
        "error_kinds": ",".join(sorted(set(errors))[:5]),
    }


def library_speed(pages: list[bytes], rounds: int) -> float:
    import thresher

    started = time.perf_counter()
    n = 0
    for _ in range(rounds):
        for page in pages:
            thresher.extract_result(page)
            n += 1
    return n / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages-dir", type=Path, default=DEFAULT_PAGES)
    ap.add_argument("--pages", type=int, default=36, help="how many pages to cycle through")
    ap.add_argument("--requests", type=int, default=10_000, help="requests per concurrency level (at most)")
    ap.add_argument("--max-seconds", type=float, default=120.0, help="seconds per concurrency level (at most)")
    ap.add_argument("--concurrency", default="1,2,8", help="client concurrency levels, comma-separated")
    ap.add_argument("--server-concurrency", type=int, default=8, help="the server's extraction slots")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    pages = load_pages(args.pages_dir, args.pages)
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    lib_pps = library_speed(pages, rounds=3)
    port = free_port()
    proc = start_server(port, args.server_concurrency)
    results = []
    try:
        rss_start = rss_kib(proc.pid)
        for c in levels:
            before = rss_kib(proc.pid)
            res = run_level(port, pages, c, args.requests, args.max_seconds)
            res["rss_before_mib"] = before / 1024
            res["rss_after_mib"] = rss_kib(proc.pid) / 1024
            results.append(res)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    summary = {
        "pages": len(pages),
        "mean_page_kib": sum(map(len, pages)) / len(pages) / 1024,
        "library_pages_per_s": lib_pps,
        "server_concurrency": args.server_concurrency,
        "server_rss_at_start_mib": rss_start / 1024,
        "levels": results,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{len(pages)} WCXB pages, mean {summary['mean_page_kib']:.0f} KiB; {os.cpu_count()} CPUs; "
          f"server: {args.server_concurrency} extraction slots, RSS at start {rss_start / 1024:.0f} MiB")
    print(f"library (thresher.extract, 1 thread, in process): {lib_pps:.1f} pages/s")
    print(f"{'conc':>4} {'requests':>8} {'seconds':>8} {'req/s':>7} {'median ms':>9} {'p99 ms':>8} {'errors':>6} "
          f"{'RSS before':>10} {'RSS after':>9}")
    for r in results:
        print(f"{r['concurrency']:>4} {r['requests']:>8} {r['seconds']:>8.1f} {r['rps']:>7.1f} {r['median_ms']:>9.1f} "
              f"{r['p99_ms']:>8.1f} {r['errors']:>6} {r['rss_before_mib']:>8.0f}Mi {r['rss_after_mib']:>7.0f}Mi"
              + (f"  ({r['error_kinds']})" if r["errors"] else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
