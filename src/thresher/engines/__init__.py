"""Engines: what runs a corpus run (``thresher run``) over shards of input files.

``local`` (default) runs shards in worker processes on this machine; ``spark`` runs the same steps
on a Spark cluster and is the only module that imports pyspark. Both go through
``pipeline.run_corpus``: phase 1 extracts each shard (``tasks.extract_shard``), phase 2 finds
duplicates and site boilerplate across the corpus, phase 3 writes each shard's final parts
(``tasks.finish_shard``). Every step leaves a completion marker (``workdir``), so a rerun continues
a killed run, and both engines write the same bytes.
"""

from thresher.engines.local import LocalEngine
from thresher.engines.pipeline import Engine, run_corpus
from thresher.engines.shards import Shard, plan_shards

__all__ = ["Engine", "LocalEngine", "Shard", "plan_shards", "run_corpus"]
