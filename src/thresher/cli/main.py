"""``thresher`` command: ``thresher [extract|run|stories|serve] [options] [INPUT ...]``.

Argument parsing → one ``Options`` → the library over a stream of pages → a writer. No extraction
logic lives here. ``extract`` (the default: ``thresher INPUT`` means ``thresher extract INPUT``, as
trafilatura users expect) handles a few files; ``run`` builds a corpus (cli/corpus.py); ``stories``
groups headlines (cli/stories.py); ``serve`` starts the inspector and HTTP API (cli/serve.py).
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from thresher import __version__
from thresher.cli.args import PROG, build_parser, options_from_args
from thresher.cli.corpus import run_command
from thresher.cli.inputs import InputPlan, stdin_stream
from thresher.cli.report import Progress, Tally, silence_stdout
from thresher.cli.run import run, worker_count
from thresher.cli.serve import serve_command
from thresher.cli.stories import stories_command
from thresher.model import Document, Failure, Result
from thresher.read.stats import ReadStats
from thresher.write.formats import get_format
from thresher.write.output import ERRORS as OUTPUT_ERRORS
from thresher.write.output import DirectoryOutput, Output, ParquetOutput, StreamOutput

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 some inputs failed, 2 usage error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS["extract"]
    if args and args[0] in COMMANDS:
        command = COMMANDS[args.pop(0)]
    try:
        return command(args)
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        code = exit_.code
        return EXIT_OK if code is None else code if isinstance(code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def extract_command(argv: Sequence[str]) -> int:
    """``thresher extract``: read, extract, write, summarise."""
    parser = build_parser(__version__)
    args = parser.parse_args(argv)
    if args.output == "-":  # standard output, as the inputs' - is standard input
        args.output = None
    if args.output and Path(args.output).is_dir():
        args.output_dir, args.output = args.output, None  # trafilatura's -o is a directory
    _check_paths(parser, args)
    try:
        plan = InputPlan.from_args(args.inputs, args.input_file, args.input_dir, args.urls, args.max_bytes)
    except OSError as err:
        parser.error(f"--input-file {args.input_file}: {err.strerror or err}")
    _check_stdin(parser, args, plan)
    _check_output_is_not_an_input(parser, args, plan)
    if plan.reads_stdin:
        plan.stdin = stdin_stream()

    tally = Tally()
    stats = ReadStats()
    items = plan.items(stats)
    first = list(itertools.islice(items, 2))  # one document → txt, several → jsonl
    many = len(first) > 1
    format_name = (
        args.output_format
        or _format_of_file(args.output)
        or ("jsonl" if many and not args.output_dir else "txt")
    )
    if format_name == "parquet":
        _check_parquet(parser, args)
    options = options_from_args(args, format_name)
    fmt = get_format(format_name, many=many and not args.output_dir)

    try:
        output: Output = (
            ParquetOutput(args.output, fmt) if format_name == "parquet"
            else DirectoryOutput(args.output_dir, fmt, with_metadata=args.with_metadata) if args.output_dir
            else StreamOutput.to_file(args.output, fmt, with_metadata=args.with_metadata) if args.output
            else StreamOutput(_utf8_stdout(), fmt, with_metadata=args.with_metadata)
        )
    except OSError as err:
        parser.exit(EXIT_USAGE, f"{PROG}: error: cannot write output: {err}\n")

    # a progress line only where a person watches it, and not over documents printed to the same terminal
    to_terminal = not (args.output or args.output_dir) and _isatty(sys.stdout)
    progress = Progress(sys.stderr, enabled=_isatty(sys.stderr) and not to_terminal)
    try:
        with output:
            for result in run(itertools.chain(first, items), options, workers=worker_count(args.parallel)):
                tally.add(result)
                written = output.write(result)
                if not written or args.verbose:
                    progress.clear()
                    _note(result, written, tally, args.verbose)
                progress.update(tally)
    except BrokenPipeError:  # `thresher ... | head`: the reader left, stop quietly
        silence_stdout()
        return EXIT_FAILURES
    except OSError as err:  # disk full, output directory gone...
        print(f"{PROG}: error: cannot write output: {err}", file=sys.stderr)
        return EXIT_FAILURES
    finally:
        progress.clear()
        tally.skipped.update(stats.skipped)
    print(tally.summary(fmt.name), file=sys.stderr)
    return EXIT_FAILURES if tally.n_failed else EXIT_OK


_FORMAT_BY_SUFFIX = {".txt": "txt", ".md": "markdown", ".markdown": "markdown", ".json": "json",
                     ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xml": "xml",
                     ".html": "html", ".htm": "html", ".parquet": "parquet"}


def _format_of_file(path: str | None) -> str | None:
    """``-o out.jsonl`` (or ``out.jsonl.gz``) implies ``--output-format jsonl`` when no format is given."""
    if not path:
        return None
    name = Path(path).name.lower().removesuffix(".gz")  # out.jsonl.gz: gzipped JSONL
    return _FORMAT_BY_SUFFIX.get(Path(name).suffix)


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"extract": extract_command, "serve": serve_command,
                                                    "run": run_command, "stories": stories_command}


def _check_parquet(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Parquet is one binary file (named when complete): it needs ``-o FILE.parquet`` (zstd inside, no .gz) and pyarrow."""
    if not args.output:
        parser.error("parquet output needs -o FILE.parquet (not standard output, not --output-dir)")
    if not Path(args.output).resolve().parent.is_dir():  # say it before reading any input
        parser.error(f"cannot write {args.output}: no such directory {str(Path(args.output).parent)!r}")
    if args.output.lower().endswith(".gz"):
        parser.error(f"parquet output is compressed already: name it {args.output[:-3]!r}, without .gz")
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        parser.error("parquet output needs pyarrow: pip install 'thresher[parquet]'")


def _check_paths(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.input_dir is not None and not os.path.isdir(args.input_dir):
        parser.error(f"--input-dir {args.input_dir}: not a directory")
    if args.input_file is not None and not os.path.isfile(args.input_file):
        parser.error(f"--input-file {args.input_file}: no such file")


def _check_output_is_not_an_input(parser: argparse.ArgumentParser, args: argparse.Namespace, plan: InputPlan) -> None:
    """``-o page.html page.html`` would overwrite its input; an output inside an input directory (a
    rerun's ``pages/out.jsonl``, ``--output-dir pages/clean``) is left out of the walk."""
    target = args.output or args.output_dir
    if not target:
        return
    real = os.path.realpath(target)
    for entry in plan.entries:
        if os.path.isfile(entry) and os.path.realpath(entry) == real:
            parser.error(f"the output {target} is also an input: it would be overwritten")
    plan.exclude.append(target)


def _check_stdin(parser: argparse.ArgumentParser, args: argparse.Namespace, plan: InputPlan) -> None:
    if plan.reads_stdin:
        if args.output_dir:
            parser.error("--output-dir needs named inputs (files, -i, --input-dir or -u), not stdin")
        if stdin_stream() is None:
            parser.error("no input: give files, -i FILE, --input-dir DIR or -u URL, or pipe data on stdin")


def _note(result: Result, written: bool, tally: Tally, verbose: int) -> None:
    """txt/markdown have no record for failures (reported here) or rejected documents (counted);
    with -v every failure and rejection gets a line."""
    if isinstance(result, Failure):
        if not written or verbose:
            print(f"{PROG}: failed: {_where(result)}: {result.reason}: {result.message}", file=sys.stderr)
    elif isinstance(result, Document) and result.rejected is not None:
        if not written:
            tally.not_written += 1
        if verbose:
            print(f"{PROG}: rejected: {_where(result)}: {result.rejected}", file=sys.stderr)


def _where(result: Result) -> str:
    prov = result.provenance
    where = prov.source or result.url or result.id or "?"
    if prov.record is not None:
        where += f"#{prov.record}"
    return where


def _utf8_stdout() -> TextIO:
    """Standard output as UTF-8 whatever the locale, newlines written as rendered."""
    stream = sys.stdout
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors=OUTPUT_ERRORS, newline="")
    return stream


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


if __name__ == "__main__":  # run as a file: spark-submit ".../thresher/cli/main.py" run ... (README)
    sys.exit(main())
