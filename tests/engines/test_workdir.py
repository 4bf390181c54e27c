import gzip
import json

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


def test_a_mismatch_says_what_differs(tmp_path):
    """"holds a run with other configuration" left the user to guess which flag changed."""
    work = WorkDir(tmp_path)
    work.prepare(RunConfig(), SHARDS)
    with pytest.raises(RunMismatch, match=r"boilerplate: True → False"):
        work.prepare(RunConfig(boilerplate=False), SHARDS)
    with pytest.raises(RunMismatch, match=r"1 input added, 1 gone or changed"):
        work.prepare(RunConfig(), [Shard(index=0, key="b-2", paths=("b",))])


def test_a_run_made_by_another_version_is_refused_unless_fresh(tmp_path, monkeypatch):
    """After an upgrade, a rerun of a finished run returned the old version's results silently (and a
    resumed one mixed both versions' records)."""
    import thresher.engines.workdir as workdir

    work = WorkDir(tmp_path)
    work.prepare(RunConfig(), SHARDS)
    monkeypatch.setattr(workdir, "__version__", "99.0")
    with pytest.raises(RunMismatch, match="made by thresher"):
        work.prepare(RunConfig(), SHARDS)
    work.prepare(RunConfig(), SHARDS, fresh=True)
    work.prepare(RunConfig(), SHARDS)


def _finished_run(tmp_path, shards):
    work = WorkDir(tmp_path)
    work.prepare(RunConfig(), shards)
    for shard in shards:
        work.extracted(shard).write_bytes(b"x")
        work.extract_marker(shard).write_text("{}")
        work.final_marker(shard).write_text("{}")
    work.dedup_marker.write_text("{}")
    (tmp_path / "data" / "part-00000.jsonl").write_text("{}\n")
    work.stats.write_text("{}")
    (tmp_path / "stories.jsonl").write_text("{}\n")
    (tmp_path / "_work" / "stories").mkdir()
    (tmp_path / "_work" / "stories" / "_DONE").write_text("{}")
    return work


def test_fresh_discards_the_story_list_too(tmp_path):
    """`--fresh` without `--stories` left the discarded run's stories.jsonl beside the new data."""
    work = _finished_run(tmp_path, SHARDS)
    work.prepare(RunConfig(boilerplate=False), SHARDS, fresh=True)
    assert not (tmp_path / "stories.jsonl").exists() and not (tmp_path / "_work" / "stories" / "_DONE").exists()


def test_update_keeps_the_extraction_of_unchanged_inputs(tmp_path):
    """A corpus grows (next month's WARCs): rerunning over more inputs was refused, and --fresh
    extracted every old archive again."""
    work = _finished_run(tmp_path, SHARDS)
    more = [*SHARDS, Shard(index=1, key="b-2", paths=("b",))]
    with pytest.raises(RunMismatch, match="--update"):
        work.prepare(RunConfig(), more)
    with pytest.raises(RunMismatch, match="configuration"):
        work.prepare(RunConfig(boilerplate=False), more, update=True)
    work.prepare(RunConfig(), more, update=True)
    assert work.extracted(SHARDS[0]).exists() and work.extract_marker(SHARDS[0]).exists()
    assert not work.final_marker(SHARDS[0]).exists() and not work.dedup_marker.exists()
    assert not work.stats.exists() and not (tmp_path / "data" / "part-00000.jsonl").exists()
    assert not (tmp_path / "stories.jsonl").exists()
    work.prepare(RunConfig(), more)  # now the run of these inputs
    # an input gone: its extraction goes too
    work.extracted(more[1]).write_bytes(b"y")
    work.prepare(RunConfig(), SHARDS, update=True)
    assert not work.extracted(more[1]).exists() and work.extracted(SHARDS[0]).exists()


def test_a_file_name_that_is_not_utf8_is_written_as_its_json_escape(tmp_path):
    # `thresher run` on a folder holding b"caf\xe9.html" died in json_line (UnicodeEncodeError)
    from thresher.engines.workdir import json_line

    line = json_line({"source": "pages/caf\udce9.html"})
    assert line == b'{"source":"pages/caf\\udce9.html"}\n'
    assert json.loads(line)["source"] == "pages/caf\udce9.html"  # the path opens again
