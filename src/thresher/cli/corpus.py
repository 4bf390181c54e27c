"""``thresher run``: a corpus from input shards, resumable, deduplicated, on the local engine or Spark.

Argument parsing → one ``RunConfig`` → ``engines.pipeline.run_corpus``. Exit status: 0 the run is
complete (failed and rejected records are part of a complete run: see ``OUT/failed/``), 1 the run
stopped (a worker died, the disk filled up: rerun the same command to continue), 2 usage error,
130 interrupted (Ctrl-C; finished shards are kept).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from thresher import __version__
from thresher.cli.args import language_code, seconds_arg, worker_count_arg
from thresher.corpus.config import RunConfig
from thresher.dedup.options import DedupOptions
from thresher.engines.local import LocalEngine, WorkerDied
from thresher.engines.pipeline import Engine, run_corpus
from thresher.engines.shards import PlanError, plan_shards
from thresher.engines.stories import stories_marker
from thresher.engines.workdir import RunMismatch, WorkDir, read_json
from thresher.options import Options
from thresher.stories.model import StoriesOptions

PROG = "thresher run"
EXIT_OK, EXIT_STOPPED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FILE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".parquet", ".gz", ".csv", ".txt", ".zst")
"""``-o`` names ending so mean a file, which ``thresher run`` does not write."""


def build_run_parser() -> argparse.ArgumentParser:
    """The parser for ``thresher run INPUT... --output-dir OUT [options]``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Build a corpus: read input shards (WARC/WET archives, JSONL files, directories of HTML or "
            "text files), extract every record, filter, deduplicate across the corpus, remove site "
            "boilerplate, and write data/, rejected/, failed/ and duplicates/ parts plus stats.json. "
            "A rerun of the same command continues where a killed run stopped."
        ),
        epilog="Exit status: 0 the run is complete (failed records are in OUT/failed/), 1 it stopped (rerun to "
               "continue), 2 usage error, 130 interrupted by Ctrl-C (rerun to continue).",
    )
    parser.add_argument("--version", action="version", version=f"thresher {__version__}")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories or globs")
    parser.add_argument("-o", "--output-dir", required=True, metavar="OUT", help="the run's directory")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--fresh", action="store_true",
                       help="discard a previous run in OUT that had another configuration or inputs")
    again.add_argument("--update", action="store_true",
                       help="OUT holds a run of the same options over other inputs (files added, changed or "
                            "removed): keep the extraction of the inputs still there, redo the rest")

    run = parser.add_argument_group("engine")
    run.add_argument("--engine", choices=("local", "spark"), default="local",
                     help="local worker processes (default) or Spark (needs the [spark] extra)")
    run.add_argument("--workers", "--parallel", type=worker_count_arg, default=0, metavar="N",
                     help="local engine: worker processes (default: one per core)")
    run.add_argument("--spark-master", default=None, metavar="URL",
                     help="Spark master when not set by spark-submit (default: local[*])")
    run.add_argument("--shard-size", type=_positive, default=1000, metavar="N",
                     help="single-page files (HTML, text) per shard; archives and JSONL files are a shard each")

    ext = parser.add_argument_group("extraction and filters")
    ext.add_argument("--input-format", choices=("auto", "html", "text"), default="auto",
                     help="force the HTML or the text engine (default: look at each record)")
    focus = ext.add_mutually_exclusive_group()
    focus.add_argument("--precision", dest="focus", action="store_const", const="precision",
                       help="favour precision: less noise, possibly less text")
    focus.add_argument("--recall", dest="focus", action="store_const", const="recall",
                       help="favour recall: more text, possibly more noise")
    ext.add_argument("-f", "--fast", action="store_true", help="skip the costlier metadata steps")
    ext.add_argument("--no-tables", dest="include_tables", action="store_false",
                     help="leave table content out (reason tables_off)")
    comments = ext.add_mutually_exclusive_group()
    comments.add_argument("--with-comments", action="store_true",
                          help="keep reader comments (a 'comments' field)")
    comments.add_argument("--no-comments", dest="with_comments", action="store_false",
                          help="leave reader comments out (the default)")
    ext.add_argument("--with-markdown", action="store_true",
                     help="records also carry the Markdown of the text, in a 'markdown' field")
    ext.add_argument("--min-length", type=_non_negative, default=0, metavar="N",
                     help="reject documents shorter than N characters, also after boilerplate removal "
                          "(default: 0)")
    ext.add_argument("--target-language", type=language_code, default=None, metavar="xx",
                     help="reject documents in another language (ISO 639-1)")
    ext.add_argument("--time-limit", type=seconds_arg, default=10.0, metavar="SECONDS",
                     help="per record (0: none); slower records become timeout failures (default: 10)")

    dup = parser.add_argument_group("deduplication")
    dup.add_argument("--dedup", choices=("near", "exact", "none"), default="near",
                     help="near (MinHash LSH, verified; default), exact (normalised text) or none")
    dup.add_argument("--dedup-threshold", type=_threshold, default=0.8, metavar="J",
                     help="least Jaccard similarity of word 5-gram sets for near duplicates (default: 0.8)")
    dup.add_argument("--boilerplate", action=argparse.BooleanOptionalAction, default=True,
                     help="remove lines repeated across many distinct documents of one site (default: on)")
    dup.add_argument("--boilerplate-min-docs", type=_positive, default=5, metavar="N",
                     help="a line is site boilerplate when on at least N distinct non-duplicate documents "
                          "(default: 5)")

    sto = parser.add_argument_group("stories")
    sto.add_argument("--stories", action="store_true",
                     help="give every document the id of its news story (a 'story' field; OUT/stories.jsonl "
                          "lists the stories of several documents; JSONL or Parquet output); also on a finished run. "
                          "A document without a date joins only a near-identical copy, never pages on its topic")
    sto.add_argument("--stories-backend", choices=("lexical", "embedding", "auto"), default="lexical",
                     help="lexical (default: fast) or MiniLM embeddings (the [stories] extra)")

    out = parser.add_argument_group("output")
    out.add_argument("--format", "--output-format", dest="format", choices=("jsonl", "parquet"), default="jsonl",
                     help="format of data/ parts (default: jsonl; parquet needs the [parquet] extra)")
    out.add_argument("--compress", action="store_true",
                     help="gzip the JSONL parts (.jsonl.gz; with --format parquet, those of rejected/, failed/ "
                          "and duplicates/)")
    return parser


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """The run's configuration from parsed arguments (ValueError for values out of range)."""
    options = Options(
        input_format=args.input_format,
        focus=args.focus or "balanced",
        fast=args.fast,
        include_tables=args.include_tables,
        include_comments=args.with_comments,
        with_markdown=args.with_markdown,
        min_text_length=args.min_length,
        target_language=args.target_language,
        time_limit=args.time_limit if args.time_limit > 0 else None,
    )
    dedup = None if args.dedup == "none" else DedupOptions(mode=args.dedup, threshold=args.dedup_threshold)
    return RunConfig(
        options=options, dedup=dedup, boilerplate=args.boilerplate,
        boilerplate_min_documents=args.boilerplate_min_docs, output_format=args.format,
        compress=args.compress, shard_size=args.shard_size,
    )


def run_command(argv: Sequence[str]) -> int:
    """``thresher run``: plan shards, run the phases on the chosen engine, print the summary."""
    parser = build_run_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as err:
        parser.error(str(err))
    if Path(args.output_dir).exists() and not Path(args.output_dir).is_dir():
        parser.error(f"-o {args.output_dir}: not a directory (thresher run writes a folder of parts; "
                     "for one JSONL file use thresher extract)")
    if not Path(args.output_dir).exists() and args.output_dir.lower().endswith(FILE_SUFFIXES):
        parser.error(f"-o {args.output_dir}: thresher run writes a folder (data/, rejected/, failed/, "
                     "duplicates/, stats.json), not one file: name a folder, e.g. -o corpus/ "
                     "(for one JSONL file use thresher extract -o FILE)")
    if args.format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            parser.error("--format parquet needs pyarrow: pip install 'thresher[parquet]'")
    try:
        shards = plan_shards(args.inputs, shard_size=config.shard_size, exclude=[args.output_dir])
    except PlanError as err:
        parser.error(str(err))
    if not shards:
        parser.error(f"no input files in {', '.join(args.inputs)}")
    stories = StoriesOptions(backend=args.stories_backend) if args.stories else None
    started = time.monotonic()
    engine: Engine
    try:
        work = WorkDir(args.output_dir)
        work.prepare(config, shards, fresh=args.fresh, update=args.update)  # RunMismatch before any engine
        complete = work.stats.exists()
        done = 0 if complete else sum(1 for shard in shards if work.extract_marker(shard).exists())
        if done:  # a rerun after a kill or Ctrl-C: say so, the counts at the end are the whole run's
            print(f"{PROG}: continuing the run in {args.output_dir}: {done} of {len(shards)} shards extracted already",
                  file=sys.stderr)
        if args.engine == "spark":
            try:
                from thresher.engines.spark import SparkEngine
            except ImportError:
                parser.error("--engine spark needs pyspark: pip install 'thresher[spark]'")
            engine = SparkEngine(master=args.spark_master, progress=sys.stderr)
        else:
            engine = LocalEngine(workers=args.workers, progress=sys.stderr)
        stats = run_corpus(shards, config, args.output_dir, engine, stories=stories)  # prepared above
    except RunMismatch as err:
        parser.error(str(err))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; finished shards are kept, rerun the same command to continue",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except WorkerDied as err:
        print(f"{PROG}: stopped: {err}", file=sys.stderr)
        return EXIT_STOPPED
    except OSError as err:
        print(f"{PROG}: stopped: {err}; rerun the same command to continue", file=sys.stderr)
        return EXIT_STOPPED
    elapsed = time.monotonic() - started
    if complete:
        print(f"{PROG}: {args.output_dir} is already complete (its stats.json); the finished run's counts:",
              file=sys.stderr)
    print(f"{stats.summary()}; {elapsed:.1f} s", file=sys.stderr)
    if stories is not None:
        found = read_json(stories_marker(args.output_dir))
        print(f"{PROG}: stories: {found['items']} documents with a title, {found['multi_member']} stories of "
              f"several documents ({found['in_multi_member']} documents)", file=sys.stderr)
    internal = stats.failed.get("internal_error", 0)
    if internal:
        print(f"{PROG}: {internal} internal_error records: a fault in Thresher, not in the input; please report one "
              f"with its record (see {args.output_dir}/failed/)", file=sys.stderr)
    if stats.n_failed and stats.n_failed >= stats.records:  # rejected documents were read fine: not this
        print(f"{PROG}: nothing extracted: every record that was read failed (see {args.output_dir}/failed/)",
              file=sys.stderr)
        return EXIT_STOPPED
    return EXIT_OK


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 < number <= 1.0:
        raise argparse.ArgumentTypeError("must be in (0, 1]")
    return number
