"""One run over shards, whatever the engine: extract every shard → dedup the corpus → write every
shard's final parts → merge the counts. Each phase skips what a previous (killed) run finished."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from thresher.corpus.config import RunConfig
from thresher.corpus.stats import RunStats
from thresher.engines.shards import Shard
from thresher.engines.tasks import extract_shard, finish_shard, summarise
from thresher.engines.workdir import WorkDir, read_json

ShardStep = Callable[[Shard, RunConfig, str], dict[str, Any]]


class Engine(Protocol):
    """What runs the steps: ``map_shards`` runs a step on every shard (in any order, in parallel) and
    returns the step's counts in shard order; ``dedup`` runs phase 2 over the whole corpus."""

    def map_shards(
        self, step: ShardStep, shards: Sequence[Shard], config: RunConfig, root: str, *,
        label: str, done: Callable[[Shard], bool],
    ) -> list[dict[str, Any]]: ...

    def dedup(self, shards: Sequence[Shard], config: RunConfig, root: str) -> dict[str, Any]: ...


def run_corpus(
    shards: Sequence[Shard], config: RunConfig, root: str, engine: Engine, *, fresh: bool = False
) -> RunStats:
    """Run (or finish) the run of ``config`` over ``shards`` into ``root``; returns the merged counts.

    Raises ``workdir.RunMismatch`` when ``root`` holds a run of another configuration or other inputs.
    """
    work = WorkDir(root)
    work.prepare(config, shards, fresh=fresh)
    if work.stats.exists():
        return RunStats.from_dict(read_json(work.stats))
    phase1 = engine.map_shards(extract_shard, shards, config, root, label="extract",
                               done=lambda s: work.extract_marker(s).exists())
    dedup = engine.dedup(shards, config, root)
    phase3 = engine.map_shards(finish_shard, shards, config, root, label="write",
                               done=lambda s: work.final_marker(s).exists())
    return summarise(phase1, dedup, phase3, root)
