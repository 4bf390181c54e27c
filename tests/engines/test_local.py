import json
from pathlib import Path

from thresher.cli.main import main
from thresher.corpus.config import RunConfig
from thresher.engines.local import LocalEngine
from thresher.engines.pipeline import run_corpus
from thresher.engines.shards import plan_shards

from .conftest import output_files


def _records(root: Path, kind: str) -> list[dict]:
    out = []
    for path in sorted((root / kind).glob("part-*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def test_every_record_is_accounted_for(local_run):
    stats = json.loads((local_run / "stats.json").read_text())
    assert stats["accounted"] is True
    counted = sum(len(_records(local_run, k)) for k in ("data", "rejected", "failed", "duplicates"))
    assert counted == stats["records"] == 12 * 4 + 3 + 3  # pages, planted copies, JSONL lines
    assert stats["output"] == len(_records(local_run, "data"))
    assert stats["failed"] == {"invalid_record": 1}


def test_planted_duplicates_point_at_the_survivor(local_run, corpus):
    planted = corpus[1]
    by_url = {r["url"]: r for k in ("data", "duplicates") for r in _records(local_run, k)}
    duplicates = {r["url"]: r["duplicate_of"] for r in _records(local_run, "duplicates")}
    # exact copy: equal texts, the earlier (original, shard 0) survives
    original, copy = planted["exact"]
    assert duplicates[copy] == by_url[original]["id"]
    # near copy with four words more: the longer one survives, the original is the duplicate
    original, edited = planted["near"]
    assert duplicates[original] == by_url[edited]["id"]
    original, longer = planted["longer"]
    assert duplicates[original] == by_url[longer]["id"]
    assert len(duplicates) == 3
    stats = json.loads((local_run / "stats.json").read_text())
    assert stats["dedup"]["exact_duplicates"] == 1 and stats["dedup"]["verified_pairs"] == 2


def test_site_boilerplate_lines_are_removed_from_kept_documents(local_run):
    data = _records(local_run, "data")
    pages = [r for r in data if r["url"].startswith("https://") and ".example/" in r["url"] and "delta" not in r["url"]]
    assert pages and all("community newsroom fund" not in r["text"] for r in pages)
    stats = json.loads((local_run / "stats.json").read_text())
    assert stats["boilerplate_lines_removed"] == len(pages)
    assert stats["dedup"]["boilerplate_sites"] == 3


def test_records_carry_id_text_metadata_and_provenance(local_run):
    record = _records(local_run, "data")[0]
    assert record["id"].endswith("/0") and record["text"] and record["hostname"]
    prov = record["provenance"]
    assert prov["source"].endswith("crawl-000.warc.gz") and prov["record"] == 0 and prov["offset"] == 0
    assert prov["record_id"].startswith("<urn:uuid:")
    assert prov["date"] and prov["date"][:2] in ("19", "20")  # the record's WARC-Date: when it was captured
    assert "removed" not in record


def test_a_rerun_is_a_no_op_and_one_worker_writes_the_same_bytes(local_run, corpus, tmp_path):
    before = output_files(local_run)
    assert main(["run", str(corpus[0]), "-o", str(local_run), "--workers", "2"]) == 0
    assert output_files(local_run) == before
    assert main(["run", str(corpus[0]), "-o", str(tmp_path), "--workers", "1"]) == 0
    assert output_files(tmp_path) == before


def test_a_crash_while_writing_final_parts_is_recovered(local_run, corpus, tmp_path):
    import shutil

    shutil.copytree(local_run, tmp_path / "run")
    out = tmp_path / "run"
    (out / "stats.json").unlink()
    for marker in sorted((out / "_work" / "final").glob("*.done"))[:5]:
        marker.unlink()
    (out / "data" / "part-00003.jsonl").unlink()
    (out / "data" / "part-00004.jsonl").write_text("half a line")  # a torn write cannot happen, but still
    (out / "data" / "part-00001.jsonl.tmp-1-abc").write_text("left over")
    assert main(["run", str(corpus[0]), "-o", str(out)]) == 0
    assert output_files(out) == output_files(local_run)
    assert not list((out / "data").glob("*.tmp-*"))


def test_language_and_length_filters_reject_with_reasons(corpus, tmp_path):
    texts = corpus[0] / "texts.jsonl"
    assert main(["run", str(texts), "-o", str(tmp_path), "--target-language", "en", "--no-boilerplate"]) == 0
    rejected = _records(tmp_path, "rejected")
    assert [r["rejected"] for r in rejected] == ["filter:language_de"]
    assert [r["provenance"]["record_id"] for r in _records(tmp_path, "data")] == ["en-1"]
    out2 = tmp_path / "long"
    assert main(["run", str(texts), "-o", str(out2), "--min-length", "5000", "--dedup", "none"]) == 0
    assert sorted(r["rejected"] for r in _records(out2, "rejected")) == ["assemble:too_short"] * 2


def test_engine_api_runs_without_the_cli(corpus, tmp_path):
    shards = plan_shards([str(corpus[0] / "crawl-000.warc.gz"), str(corpus[0] / "texts.jsonl")])
    stats = run_corpus(shards, RunConfig(), str(tmp_path), LocalEngine(workers=1))
    assert stats.shards == 2 and stats.check()
    assert (tmp_path / "data" / "part-00000.jsonl").exists()


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_progress_on_a_terminal_shows_from_the_start_and_in_a_log_every_interval():
    """A run whose stderr went to a log file (nohup, a scheduler) printed nothing until its end, and on a
    terminal nothing either until the first shard was done (a Common Crawl WARC takes minutes)."""
    from thresher.engines.local import ShardProgress

    now = [0.0]
    term = _Stream(tty=True)
    progress = ShardProgress(term, "extract", 3, clock=lambda: now[0])
    assert "extract 0/3 shards" in term.text
    progress.close()

    log = _Stream(tty=False)
    progress = ShardProgress(log, "extract", 3, clock=lambda: now[0], interval=60.0)
    now[0] = 10.0
    progress.step()
    assert log.text == ""  # not yet: short runs print only their summary
    now[0] = 61.0
    progress.step()
    assert log.text == "thresher run: extract 2/3 shards, 0.03 shards/s, ETA 00:00:30\n"
    now[0] = 70.0
    progress.step()
    progress.close()
    # the phase's end is told too, in a log that already had a line of it
    assert log.text.count("\n") == 2 and "\r" not in log.text and "extract 3/3 shards" in log.text
