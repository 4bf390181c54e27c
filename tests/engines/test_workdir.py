import gzip

import pytest

from thresher.corpus.config import RunConfig
from thresher.engines.shards import Shard
from thresher.engines.workdir import RunMismatch, WorkDir, atomic_file, read_jsonl, write_jsonl

SHARDS = [Shard(index=0, key="a-1", paths=("a",))]


def test_atomic_file_leaves_nothing_behind_on_error(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with atomic_file(target) as handle:
        handle.write(b"whole")
    assert target.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [target]


def test_gzip_jsonl_is_reproducible_and_readable(tmp_path):
    records = [{"id": "a/0", "text": "é"}, {"id": "a/1", "text": "x"}]
    write_jsonl(tmp_path / "one.jsonl.gz", records, compress=True)
    write_jsonl(tmp_path / "two.jsonl.gz", records, compress=True)
    assert (tmp_path / "one.jsonl.gz").read_bytes() == (tmp_path / "two.jsonl.gz").read_bytes()
    assert gzip.decompress((tmp_path / "one.jsonl.gz").read_bytes()).decode().count("\n") == 2
    assert list(read_jsonl(tmp_path / "one.jsonl.gz")) == records


def test_a_run_with_another_configuration_is_refused_unless_fresh(tmp_path):
    work = WorkDir(tmp_path)
    work.prepare(RunConfig(), SHARDS)
    (tmp_path / "data" / "part-00000.jsonl").write_text("{}\n")
    work.prepare(RunConfig(), SHARDS)  # same run: fine
    with pytest.raises(RunMismatch, match="configuration"):
        work.prepare(RunConfig(boilerplate=False), SHARDS)
    with pytest.raises(RunMismatch, match="inputs"):
        work.prepare(RunConfig(), [Shard(index=0, key="b-2", paths=("b",))])
    work.prepare(RunConfig(boilerplate=False), SHARDS, fresh=True)
    assert not (tmp_path / "data" / "part-00000.jsonl").exists()


@pytest.mark.parametrize("compressed", [False, True])
def test_read_jsonl_left_half_read_closes_its_file(tmp_path, compressed):
    import gc
    import warnings

    body = b'{"a": 1}\n{"a": 2}\n'
    path = tmp_path / ("r.jsonl.gz" if compressed else "r.jsonl")
    path.write_bytes(gzip.compress(body) if compressed else body)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        records = read_jsonl(path)
        assert next(records) == {"a": 1}
        records.close()  # what a consumer that stops early causes
        del records
        gc.collect()
    assert list(read_jsonl(path)) == [{"a": 1}, {"a": 2}]
