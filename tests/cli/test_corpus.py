import json

import pytest

from thresher.cli.corpus import build_run_parser, config_from_args
from thresher.cli.main import main
from thresher.testing import corpus as factory


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-corpus")
    factory.make_corpus(root, shards=2, pages=3)
    return root


def test_defaults():
    args = build_run_parser().parse_args(["in.warc", "-o", "out"])
    config = config_from_args(args)
    assert args.engine == "local" and args.workers == 0
    assert config.dedup is not None and config.dedup.mode == "near" and config.dedup.threshold == 0.8
    assert config.boilerplate is True and config.output_format == "jsonl" and not config.compress
    args = build_run_parser().parse_args(["x", "-o", "y", "--dedup", "none", "--no-boilerplate", "--min-length", "50",
                                          "--target-language", "de", "--input-format", "text"])
    config = config_from_args(args)
    assert config.dedup is None and not config.boilerplate
    assert config.options.min_text_length == 50 and config.options.target_language == "de"
    assert config.options.input_format == "text"


def test_target_language_and_workers_are_checked_like_extract(capsys):
    """`thresher run ... --target-language EN` rejected every English document (extract lower-cases
    it); `--workers -3` was taken silently; `--time-limit inf` made every record an internal_error."""
    args = build_run_parser().parse_args(["x", "-o", "y", "--target-language", "EN"])
    assert config_from_args(args).options.target_language == "en"
    for bad in (["--target-language", "english"], ["--workers", "-3"], ["--time-limit", "inf"],
                ["--time-limit", "nan"], ["--time-limit", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            build_run_parser().parse_args(["x", "-o", "y", *bad])
        assert exit_.value.code == 2
    assert "ISO 639-1" in capsys.readouterr().err
    args = build_run_parser().parse_args(["x", "-o", "y", "--time-limit", "0"])
    assert config_from_args(args).options.time_limit is None


def test_run_writes_parquet_and_gzipped_side_files_and_a_summary(small, tmp_path, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out"
    code = main(["run", str(small / "*.warc.gz"), str(small / "texts.jsonl"), "-o", str(out), "--workers", "1",
                 "--format", "parquet", "--compress"])
    assert code == 0
    err = capsys.readouterr().err
    assert err.startswith("thresher run: 3 shards, 9 records: 8 written, 0 rejected, 1 failed (invalid_record 1)")
    table = pq.read_table(out / "data" / "part-00000.parquet")
    assert table.num_rows == 3 and {"id", "text", "url", "provenance"} <= set(table.column_names)
    assert (out / "failed" / "part-00002.jsonl.gz").exists()
    stats = json.loads((out / "stats.json").read_text())
    assert stats["output"] == 8 and stats["accounted"]


def test_usage_errors_exit_2(small, tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing.warc"), "-o", str(tmp_path / "o")]) == 2
    assert "no such file" in capsys.readouterr().err
    out = tmp_path / "again"
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--workers", "1"]) == 0
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--dedup", "exact"]) == 2
    assert "--fresh" in capsys.readouterr().err
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--dedup", "exact", "--fresh"]) == 0
    assert main(["run", "x", "-o", str(out), "--shard-size", "0"]) == 2


def test_an_output_that_is_a_file_is_a_usage_error_not_a_stop(small, tmp_path, capsys):
    """``-o out.jsonl`` (an existing file) cannot be the run's directory; rerunning would not help."""
    existing = tmp_path / "out.jsonl"
    existing.write_text("{}\n")
    assert main(["run", str(small / "texts.jsonl"), "-o", str(existing), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "not a directory" in err and "rerun" not in err
    assert existing.read_text() == "{}\n"


def test_a_rerun_with_the_output_inside_the_input_directory_is_complete(tmp_path, capsys):
    """`thresher run crawl/ -o crawl/out` twice: the rerun read crawl/out's parts as new inputs and
    stopped with "holds a run with other inputs"."""
    crawl = tmp_path / "crawl"
    factory.make_corpus(crawl, shards=1, pages=2)
    out = crawl / "out"
    assert main(["run", str(crawl), "-o", str(out), "--workers", "1"]) == 0
    first = capsys.readouterr().err
    assert main(["run", str(crawl), "-o", str(out), "--workers", "1"]) == 0
    again = capsys.readouterr().err
    assert "other inputs" not in again and "already complete" in again
    assert first.split(";")[0] == again.splitlines()[-1].split(";")[0]


def test_help_explains_every_flag_and_its_default(capsys):
    """`thresher run --help` listed --precision and --recall without a word, and no defaults."""
    with pytest.raises(SystemExit):
        build_run_parser().parse_args(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--precision favour precision" in out and "--recall favour recall" in out
    assert "(default: 0.8)" in out and "(default: 10)" in out


def test_flags_spelled_as_in_extract_and_trafilatura():
    """`thresher run ... --output-format parquet` (the extract spelling) was an unknown flag;
    --no-tables, --with-comments and --with-markdown (trafilatura's) did not exist for run."""
    args = build_run_parser().parse_args(["x", "-o", "y", "--output-format", "parquet", "--no-tables",
                                          "--with-comments", "--with-markdown"])
    config = config_from_args(args)
    assert config.output_format == "parquet"
    assert not config.options.include_tables and config.options.include_comments
    assert config.options.with_markdown
    plain = config_from_args(build_run_parser().parse_args(["x", "-o", "y"])).options
    assert plain.include_tables and not plain.include_comments and not plain.with_markdown


@pytest.mark.parametrize("bad", [["--min-length", "-5"], ["--dedup-threshold", "1.5"], ["--dedup-threshold", "x"]])
def test_out_of_range_values_name_their_flag(bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_run_parser().parse_args(["x", "-o", "y", *bad])
    assert exit_.value.code == 2
    assert f"argument {bad[0]}" in capsys.readouterr().err


def test_an_output_named_like_a_file_is_a_usage_error(small, tmp_path, capsys):
    """`thresher run crawl/*.warc.gz -o corpus.jsonl` made a folder named corpus.jsonl."""
    target = tmp_path / "corpus.jsonl"
    assert main(["run", str(small / "texts.jsonl"), "-o", str(target), "--workers", "1"]) == 2
    assert "a folder" in capsys.readouterr().err and not target.exists()


def test_a_finished_run_says_so_on_a_rerun(small, tmp_path, capsys):
    out = tmp_path / "done"
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--workers", "1"]) == 0
    assert "already complete" not in capsys.readouterr().err
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--workers", "1"]) == 0
    assert "already complete" in capsys.readouterr().err


def test_a_rerun_with_other_options_says_which(small, tmp_path, capsys):
    """"holds a run with other configuration" did not say what differed."""
    out = tmp_path / "other"
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["run", str(small / "texts.jsonl"), "-o", str(out), "--min-length", "200"]) == 2
    err = capsys.readouterr().err
    assert "min_text_length" in err and "0 → 200" in err


def test_an_interrupted_run_says_how_to_continue(small, tmp_path, capsys, monkeypatch):
    import thresher.cli.corpus as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_corpus", interrupted)
    assert main(["run", str(small / "texts.jsonl"), "-o", str(tmp_path / "int"), "--workers", "1"]) == 130
    assert "rerun the same command to continue" in capsys.readouterr().err


def test_update_adds_inputs_without_extracting_the_old_ones_again(tmp_path, capsys):
    """Next month's archives beside this month's: `--update` extracts only the new ones, and writes
    what a fresh run over all of them writes."""
    import shutil

    src = tmp_path / "src"
    factory.make_corpus(src, shards=2, pages=3)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    first, second = sorted(src.glob("*.warc.gz"))
    shutil.copy(first, crawl / first.name)
    out = tmp_path / "out"
    assert main(["run", str(crawl), "-o", str(out), "--workers", "1"]) == 0
    marker = next((out / "_work" / "extract").glob("*.done"))
    before = marker.stat().st_mtime_ns
    shutil.copy(second, crawl / second.name)
    capsys.readouterr()
    assert main(["run", str(crawl), "-o", str(out), "--workers", "1"]) == 2
    assert "--update" in capsys.readouterr().err
    assert main(["run", str(crawl), "-o", str(out), "--workers", "1", "--update"]) == 0
    assert marker.stat().st_mtime_ns == before
    fresh = tmp_path / "fresh"
    assert main(["run", str(crawl), "-o", str(fresh), "--workers", "1"]) == 0
    def parts(root):
        files = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.glob("[!_]*/*"))}
        return {**files, "stats.json": (root / "stats.json").read_bytes()}

    assert parts(out) == parts(fresh)


def test_a_run_where_every_record_failed_exits_1_and_says_so(tmp_path, capsys):
    """A run whose every record failed used to exit 0, as if it had built a corpus."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"neither": 1}\n{"html": 5}\n')
    code = main(["run", str(bad), "-o", str(tmp_path / "out"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "2 failed" in err and "nothing extracted" in err


def test_a_run_with_some_failed_records_still_exits_0(small, tmp_path, capsys):
    code = main(["run", str(small / "texts.jsonl"), "-o", str(tmp_path / "out"), "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 0 and "failed (invalid_record 1)" in err and "nothing extracted" not in err


def test_the_extract_spellings_of_workers_and_fast_work_for_run_too():
    # `thresher extract` says --parallel N and -f; a user moving to `run` types the same
    args = build_run_parser().parse_args(["x", "-o", "y", "--parallel", "2", "-f", "--no-comments"])
    assert (args.workers, args.fast, args.with_comments) == (2, True, False)


def test_an_empty_folder_is_named_in_the_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", str(tmp_path / "empty"), "-o", str(tmp_path / "o")]) == 2
    assert f"no input files in {tmp_path / 'empty'}" in capsys.readouterr().err


def test_a_rerun_after_a_stop_says_it_continues(small, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(small / "texts.jsonl"), str(small / "*.warc.gz"), "-o", str(out), "--workers", "1"]) == 0
    assert "continuing" not in capsys.readouterr().err
    (out / "stats.json").unlink()  # as if killed after the extraction of every shard
    assert main(["run", str(small / "texts.jsonl"), str(small / "*.warc.gz"), "-o", str(out), "--workers", "1"]) == 0
    assert f"continuing the run in {out}: 3 of 3 shards extracted already" in capsys.readouterr().err
