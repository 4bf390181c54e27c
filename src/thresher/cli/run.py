"""Run extraction over a stream of pages, in this process or in worker processes, keeping input order.

Workers are started with ``spawn`` (safe everywhere, no inherited locks or threads) and get pages in
chunks; only a bounded number of chunks is in flight, so a large archive never sits in memory whole.
``extract_result`` never raises, so one bad page costs one record; a worker that dies turns its chunk
into ``internal_error`` records and the pool is restarted for the rest.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from thresher.allocator import return_big_blocks
from thresher.extract import extract_result
from thresher.model import Failure, Page, Result
from thresher.options import Options

Item = Page | Failure

CHUNK_SIZE = 8
"""Most pages per task sent to a worker: enough to amortise pickling, small enough to balance load.
The first tasks are smaller (1, then 2, 4...), so that a short run still spreads over the workers."""
CHUNKS_IN_FLIGHT_PER_WORKER = 4


def run(items: Iterable[Item], options: Options, *, workers: int = 1) -> Iterator[Result]:
    """One result per item, in input order."""
    return_big_blocks()
    if workers <= 1:
        for item in items:
            yield extract_result(item, options)
        return
    yield from _run_parallel(items, options, workers)


def worker_count(requested: int) -> int:
    """``--parallel``: 0 means one worker per CPU."""
    return requested if requested > 0 else (os.cpu_count() or 1)


def extract_chunk(items: list[Item], options: Options) -> list[Result]:
    """The worker's task (module level, so that spawned processes can import it)."""
    return_big_blocks()
    return [extract_result(item, options) for item in items]


def _run_parallel(items: Iterable[Item], options: Options, workers: int) -> Iterator[Result]:
    chunks = _chunked(items, CHUNK_SIZE, ramp=workers)
    limit = workers * CHUNKS_IN_FLIGHT_PER_WORKER
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    # (chunk, tries so far, future); a chunk that breaks the pool twice is reported, not retried
    pending: deque[tuple[list[Item], int, Future[list[Result]]]] = deque()
    try:
        for chunk in itertools.islice(chunks, limit):
            pending.append((chunk, 1, pool.submit(extract_chunk, chunk, options)))
        while pending:
            chunk, tries, future = pending.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
                retry = [(c, t, pool.submit(extract_chunk, c, options)) for c, t, _ in pending]
                if tries < 2:
                    retry.insert(0, (chunk, tries + 1, pool.submit(extract_chunk, chunk, options)))
                    pending = deque(retry)
                    continue
                pending = deque(retry)
                results = [_died(item) for item in chunk]
            yield from results
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append((nxt, 1, pool.submit(extract_chunk, nxt, options)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunked(items: Iterable[Item], size: int, *, ramp: int = 0) -> Iterator[list[Item]]:
    """Lists of ``size`` items; with ``ramp``, ``ramp`` lists of 1 item first, then of 2, 4... up to size."""
    iterator = iter(items)
    current, made = (1, 0) if ramp else (size, 0)
    while chunk := list(itertools.islice(iterator, current)):
        yield chunk
        made += 1
        if ramp and made % ramp == 0:
            current = min(size, current * 2)


def _died(item: Item) -> Result:
    if isinstance(item, Failure):
        return item
    return Failure(
        reason="internal_error", message="the worker process extracting this page died",
        id=item.id, url=item.url, provenance=item.provenance,
    )
