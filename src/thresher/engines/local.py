"""The local engine (default): shards as units of work in a pool of worker processes on this machine.

Workers are started with ``spawn`` (no inherited locks or threads), one per core unless told; with one
worker everything runs in this process. Phase 2 (dedup) runs in this process over all kept documents
(``dedup.deduplicate``), holding their texts in memory: about the size of the extracted text, a few
GB for a few million documents; beyond one machine, use the Spark engine. A progress line with an
ETA goes to stderr: redrawn on a terminal, a line a minute in a log file.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TextIO

from thresher.corpus.config import RunConfig
from thresher.engines.pipeline import ShardStep
from thresher.engines.shards import Shard
from thresher.engines.stories import local_stories
from thresher.engines.tasks import dedup_corpus
from thresher.stories.model import StoriesOptions

LOG_INTERVAL = 60.0
"""Seconds between progress lines when stderr is a log file, not a terminal."""


class WorkerDied(RuntimeError):
    """A worker process died (killed, out of memory, crashed) while working on a shard."""


class ShardProgress:
    """``thresher run: extract 5/12 shards, 3.1 shards/s, ETA 0:00:02``: on a terminal redrawn on one
    line from the start; in a log (stderr not a terminal) a line every ``interval`` seconds, and one at
    the end of a phase that printed one (a short run prints only its summary)."""

    def __init__(self, stream: TextIO | None, label: str, total: int, *,
                 clock: Callable[[], float] = time.monotonic, interval: float = LOG_INTERVAL) -> None:
        self.stream, self.label, self.total = stream, label, total
        self.tty = stream is not None and _isatty(stream)
        self.clock, self.interval = clock, interval
        self.started = self.last = clock()
        self.done = 0
        self.fresh = 0
        self.logged = False
        if self.tty:
            self._draw()

    def step(self, *, skipped: bool = False) -> None:
        self.done += 1
        self.fresh += not skipped
        if self.stream is None:
            return
        if self.tty:
            self._draw()
            return
        now = self.clock()
        if now - self.last >= self.interval or (self.logged and self.done == self.total):
            self.last, self.logged = now, True
            self.stream.write(self._line() + "\n")
            self.stream.flush()

    def _line(self) -> str:
        elapsed = self.clock() - self.started
        rate = self.fresh / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = time.strftime("%H:%M:%S", time.gmtime(left / rate)) if rate > 0 else "?"
        return f"thresher run: {self.label} {self.done}/{self.total} shards, {rate:.2f} shards/s, ETA {eta}"

    def _draw(self) -> None:
        assert self.stream is not None
        self.stream.write("\r\x1b[K" + self._line())
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class LocalEngine:
    """Shards in ``workers`` processes (0: one per core)."""

    def __init__(self, *, workers: int = 0, progress: TextIO | None = None) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.progress = progress

    def map_shards(
        self, step: ShardStep, shards: Sequence[Shard], config: RunConfig, root: str, *,
        label: str, done: Callable[[Shard], bool],
    ) -> list[dict[str, Any]]:
        results: dict[int, dict[str, Any]] = {}
        progress = ShardProgress(self.progress, label, len(shards))
        todo = []
        for shard in shards:
            if done(shard):
                results[shard.index] = step(shard, config, root)  # reads the marker
                progress.step(skipped=True)
            else:
                todo.append(shard)
        try:
            if self.workers == 1 or len(todo) <= 1:
                for shard in todo:
                    results[shard.index] = step(shard, config, root)
                    progress.step()
            else:
                self._pool(step, todo, config, root, results, progress)
        finally:
            progress.close()
        return [results[shard.index] for shard in shards]

    def _pool(
        self, step: ShardStep, todo: Sequence[Shard], config: RunConfig, root: str,
        results: dict[int, dict[str, Any]], progress: ShardProgress,
    ) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self.workers, len(todo)), mp_context=context) as pool:
            futures: dict[Future[dict[str, Any]], Shard] = {
                pool.submit(step, shard, config, root): shard for shard in todo
            }
            pending = set(futures)
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        shard = futures[future]
                        try:
                            results[shard.index] = future.result()
                        except BrokenProcessPool as err:
                            raise WorkerDied(
                                f"a worker process died during {shard.paths[0]} (shard {shard.index}); "
                                "finished shards are kept, rerun the same command to continue"
                            ) from err
                        progress.step()
            finally:
                for future in pending:
                    future.cancel()

    def dedup(self, shards: Sequence[Shard], config: RunConfig, root: str) -> dict[str, Any]:
        return dedup_corpus(shards, config, root)

    def stories(
        self, shards: Sequence[Shard], config: RunConfig, root: str, options: StoriesOptions
    ) -> dict[str, Any]:
        return local_stories(shards, config, root, options)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
