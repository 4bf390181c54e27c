import pytest

from thresher.engines.shards import PlanError, plan_shards, shard_key


def test_archives_and_jsonl_are_a_shard_each_loose_pages_are_grouped(tmp_path):
    (tmp_path / "a.warc.gz").write_bytes(b"WARC/1.0\r\n")
    (tmp_path / "b.jsonl").write_text('{"text": "x"}\n')
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(5):
        (pages / f"{i}.html").write_text(f"<p>{i}</p>")
    (pages / "style.css").write_text("p{}")
    (pages / ".hidden.html").write_text("<p>no</p>")
    shards = plan_shards([str(tmp_path)], shard_size=2)
    assert [len(s.paths) for s in shards] == [1, 1, 2, 2, 1]
    assert [s.index for s in shards] == [0, 1, 2, 3, 4]
    assert shards[0].paths[0].endswith("a.warc.gz") and shards[2].paths[0].endswith("0.html")
    assert shards[4].part == "part-00004"


def test_a_file_without_extension_that_starts_like_a_warc_is_a_container(tmp_path):
    (tmp_path / "archive").write_bytes(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n")
    (tmp_path / "page").write_bytes(b"<html></html>")
    (tmp_path / "page2").write_bytes(b"<html></html>")
    shards = plan_shards([str(tmp_path / "page"), str(tmp_path / "archive"), str(tmp_path / "page2")])
    assert [s.paths for s in shards] == [(str(tmp_path / "page"),), (str(tmp_path / "archive"),),
                                         (str(tmp_path / "page2"),)]


def test_globs_and_repeats(tmp_path):
    for name in ("x1.jsonl", "x2.jsonl"):
        (tmp_path / name).write_text("{}\n")
    shards = plan_shards([str(tmp_path / "x*.jsonl"), str(tmp_path / "x1.jsonl")])
    assert [s.paths[0].rsplit("/", 1)[1] for s in shards] == ["x1.jsonl", "x2.jsonl"]
    with pytest.raises(PlanError, match="no files match"):
        plan_shards([str(tmp_path / "*.warc")])
    with pytest.raises(PlanError, match="no such file"):
        plan_shards([str(tmp_path / "missing.warc")])


def test_the_key_is_stable_and_follows_the_content(tmp_path):
    path = tmp_path / "crawl 1.warc.gz"
    path.write_bytes(b"one")
    key = shard_key([str(path)])
    assert key == shard_key([str(path)]) and key.startswith("crawl_1-")
    path.write_bytes(b"two")
    assert shard_key([str(path)]) != key


def test_the_run_output_inside_an_input_directory_is_not_an_input(tmp_path):
    """`thresher run crawl/ -o crawl/out`: the rerun planned crawl/out/data/*.jsonl as inputs too, so
    it stopped with "holds a run with other inputs"; another run's folder under an input directory
    (its parts and its _work files) is no input either."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.warc.gz").write_bytes(b"WARC/1.0\r\n")
    for run in ("out", "older"):
        (crawl / run / "data").mkdir(parents=True)
        (crawl / run / "data" / "part-00000.jsonl").write_text('{"text": "x"}\n')
        (crawl / run / "_work").mkdir()
        (crawl / run / "_work" / "run.json").write_text("{}")
    (crawl / "out" / "stats.json").write_text("{}")
    out = str(crawl / "out")
    planned = [s.paths for s in plan_shards([str(crawl)], exclude=[out])]
    assert planned == [(str(crawl / "a.warc.gz"),)]
    assert [s.paths for s in plan_shards([str(crawl / "*" / "data" / "*.jsonl")], exclude=[out])] == [
        (str(crawl / "older" / "data" / "part-00000.jsonl"),)]
    # a run folder named as an input is read (its parts), but not its _work files
    assert [s.paths for s in plan_shards([str(crawl / "older")])] == [
        (str(crawl / "older" / "data" / "part-00000.jsonl"),)]
