"""The local engine (default): shards as units of work in a pool of worker processes on this machine.

Workers are started with ``spawn`` (no inherited locks or threads), one per core unless told; with one
worker everything runs in this process. Phase 2 (dedup) runs in this process over all kept documents
(``dedup.deduplicate``), holding their texts in memory: about the size of the extracted text, a few
GB for a few million documents; beyond one machine, use the Spark engine. A progress line with an
ETA goes to stderr when it is a terminal.
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


class WorkerDied(RuntimeError):
    """A worker process died (killed, out of memory, crashed) while working on a shard."""


class ShardProgress:
    """``thresher run: extract 5/12 shards, 3.1 shards/s, ETA 0:00:02`` redrawn on one line."""

    def __init__(self, stream: TextIO | None, label: str, total: int) -> None:
        self.stream, self.label, self.total = stream, label, total
        self.started = time.monotonic()
        self.done = 0
        self.fresh = 0

    def step(self, *, skipped: bool = False) -> None:
        self.done += 1
        self.fresh += not skipped
        if self.stream is None:
            return
        elapsed = time.monotonic() - self.started
        rate = self.fresh / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = time.strftime("%H:%M:%S", time.gmtime(left / rate)) if rate > 0 else "?"
        self.stream.write(f"\r\x1b[Kthresher run: {self.label} {self.done}/{self.total} shards, "
                          f"{rate:.2f} shards/s, ETA {eta}")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class LocalEngine:
    """Shards in ``workers`` processes (0: one per core)."""

    def __init__(self, *, workers: int = 0, progress: TextIO | None = None) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.progress = progress if progress is not None and _isatty(progress) else None

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
