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
