import pytest

from thresher.corpus.config import RunConfig
from thresher.dedup.options import DedupOptions
from thresher.options import Options


def test_fingerprint_follows_everything_that_changes_the_output():
    base = RunConfig()
    assert base.fingerprint() == RunConfig().fingerprint()
    variants = [RunConfig(options=Options(min_text_length=10)), RunConfig(dedup=None),
                RunConfig(dedup=DedupOptions(threshold=0.7)), RunConfig(boilerplate=False),
                RunConfig(output_format="parquet"), RunConfig(compress=True)]
    assert len({base.fingerprint(), *(v.fingerprint() for v in variants)}) == len(variants) + 1


def test_bad_values_are_refused():
    with pytest.raises(ValueError):
        RunConfig(output_format="csv")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RunConfig(shard_size=0)
