"""Corpus stages: what ``thresher run`` does to extracted documents between reading and writing.

Pure functions and values over records (no I/O): the run's configuration (``config``), turning one
extraction result into a corpus record and filtering it (``records``), boilerplate stripping of a
kept document (``records``), and the counts of a run (``stats``). The engines (``thresher.engines``)
run these over shards, in local processes or on Spark.
"""

from thresher.corpus.config import OutputFormat, RunConfig
from thresher.corpus.records import (
    Kind,
    ShardRecord,
    doc_id,
    finish_record,
    shard_record,
    site_of,
)
from thresher.corpus.stats import RunStats

__all__ = [
    "Kind",
    "OutputFormat",
    "RunConfig",
    "RunStats",
    "ShardRecord",
    "doc_id",
    "finish_record",
    "shard_record",
    "site_of",
]
