"""One run over shards, whatever the engine: extract every shard → dedup the corpus → write every
shard's final parts → merge the counts (→ with ``stories``, attach story ids: ``engines.stories``).
Each phase skips what a previous (killed) run finished."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from thresher.corpus.config import RunConfig
from thresher.corpus.stats import RunStats
from thresher.engines.shards import Shard
from thresher.engines.stories import check_config, stories_marker
from thresher.engines.tasks import extract_shard, finish_shard, summarise
from thresher.engines.workdir import WorkDir, read_json
from thresher.stories.model import StoriesOptions

ShardStep = Callable[[Shard, RunConfig, str], dict[str, Any]]


class Engine(Protocol):
    """What runs the steps: ``map_shards`` runs a step on every shard (in any order, in parallel) and
    returns the step's counts in shard order; ``dedup`` runs phase 2 over the whole corpus."""

    def map_shards(
        self, step: ShardStep, shards: Sequence[Shard], config: RunConfig, root: str, *,
        label: str, done: Callable[[Shard], bool],
    ) -> list[dict[str, Any]]: ...

    def dedup(self, shards: Sequence[Shard], config: RunConfig, root: str) -> dict[str, Any]: ...

    def stories(
        self, shards: Sequence[Shard], config: RunConfig, root: str, options: StoriesOptions
    ) -> dict[str, Any]: ...


def run_corpus(
    shards: Sequence[Shard], config: RunConfig, root: str, engine: Engine, *, fresh: bool = False,
    update: bool = False, stories: StoriesOptions | None = None,
) -> RunStats:
    """Run (or finish) the run of ``config`` over ``shards`` into ``root``; returns the merged counts.
    With ``stories``, then give every data record its story id (also after a finished run).

    Raises ``workdir.RunMismatch`` when ``root`` holds a run of another configuration or other inputs
    (``fresh``: discard it; ``update``: keep the extraction of the inputs it shares with this run).
    """
    work = WorkDir(root)
    work.prepare(config, shards, fresh=fresh, update=update)
    if stories is not None:
        check_config(config)
    if work.stats.exists():
        stats = RunStats.from_dict(read_json(work.stats))
    else:
        stories_marker(root).unlink(missing_ok=True)  # the data parts are (re)written now
        stats = _phases(shards, config, root, engine, work)
    if stories is not None:
        stats.stories = dict(engine.stories(shards, config, root, stories))  # also in stats.json
    return stats


def _phases(shards: Sequence[Shard], config: RunConfig, root: str, engine: Engine, work: WorkDir) -> RunStats:
    phase1 = engine.map_shards(extract_shard, shards, config, root, label="extract",
                               done=lambda s: work.extract_marker(s).exists())
    dedup = engine.dedup(shards, config, root)
    phase3 = engine.map_shards(finish_shard, shards, config, root, label="write",
                               done=lambda s: work.final_marker(s).exists())
    return summarise(phase1, dedup, phase3, root)
