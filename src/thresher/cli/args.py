"""The ``extract`` command line: flags in trafilatura's spelling, turned into one ``Options``."""

from __future__ import annotations

import argparse
import re
from typing import Any

from thresher.options import Options
from thresher.write.formats import FORMAT_NAMES

PROG = "thresher"
_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*")
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def build_parser(version: str) -> argparse.ArgumentParser:
    """The parser for ``thresher [extract] [options] [INPUT ...]``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage="%(prog)s [extract] [options] [INPUT ...]\n       %(prog)s {run,stories,serve} --help",
        description=(
            "Extract the main text and metadata of web pages (HTML files, WARC/WET archives, JSONL "
            "records, scraped text). Reads standard input when no input is given."
        ),
        epilog=(
            "Other commands (each with its own --help): thresher run INPUT... -o OUT builds a corpus "
            "(WARC/WET archives, JSONL, folders: extract, filter, deduplicate, resumable; local or Spark); "
            "thresher stories groups headlines into news stories; thresher serve starts the inspector "
            "and HTTP API. "
            "Output format by default: from the -o file's extension (.jsonl, .csv, .md...), else txt "
            "for one input document and jsonl for more (with --output-dir: txt). Exit status: 0 all inputs gave a result, 1 some "
            "failed (their error records are in json/jsonl/csv/xml output, on stderr for txt, markdown and html), "
            "2 usage."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version}")
    parser.add_argument("inputs", nargs="*", metavar="INPUT", help="files, directories, globs, http(s) URLs, or - for stdin")

    src = parser.add_argument_group("input")
    src.add_argument("-i", "--input-file", metavar="FILE", help="file listing input paths or URLs, one a line")
    src.add_argument("--input-dir", metavar="DIR", help="read every file under this directory")
    src.add_argument("-u", "--URL", "--url", dest="urls", action="append", default=[], metavar="URL", type=url_arg,
                     help="download and extract this URL (repeatable)")
    src.add_argument("--input-format", choices=("auto", "html", "text"), default=None,
                     help="force the HTML or the text engine (default: look at each input)")
    src.add_argument("--max-bytes", type=size_arg, default=None, metavar="N",
                     help="skip inputs larger than N bytes (suffixes k, M, G) as too_large")

    out = parser.add_argument_group("output")
    dest = out.add_mutually_exclusive_group()
    dest.add_argument("-o", "--output", metavar="FILE",
                      help="write to FILE instead of standard output (-: standard output; FILE.gz: gzipped; an existing "
                           "directory acts as --output-dir, as in trafilatura)")
    dest.add_argument("--output-dir", metavar="DIR", help="write one file per input document into DIR")
    fmt = out.add_mutually_exclusive_group()
    fmt.add_argument("--output-format", choices=FORMAT_NAMES, default=None, help="output format")
    for name in FORMAT_NAMES:
        fmt.add_argument(f"--{name}", dest="output_format", action="store_const", const=name,
                             help=f"shorthand for --output-format {name}")
    out.add_argument("--with-metadata", action="store_true",
                     help="add a metadata header to txt, markdown and html output (records always carry it)")
    out.add_argument("--with-markdown", dest="with_markdown", action="store_const", const=True,
                     help="records (json, jsonl) also carry the Markdown of the text, in a 'markdown' field")
    out.add_argument("--with-html", dest="with_html", action="store_const", const=True,
                     help="records (json, jsonl) also carry the clean HTML of the text, in an 'html' field")
    out.add_argument("-v", "--verbose", action="count", default=0,
                     help="report each rejected document on stderr")

    ext = parser.add_argument_group("extraction")
    focus = ext.add_mutually_exclusive_group()
    focus.add_argument("--precision", dest="focus", action="store_const", const="precision",
                       help="favour precision: less noise, possibly less text")
    focus.add_argument("--recall", dest="focus", action="store_const", const="recall",
                       help="favour recall: more text, possibly more noise")
    comments = ext.add_mutually_exclusive_group()
    comments.add_argument("--with-comments", dest="include_comments", action="store_const", const=True,
                          help="keep reader comments (after the text)")
    comments.add_argument("--no-comments", dest="include_comments", action="store_const", const=False,
                          help="leave reader comments out (the default)")
    ext.add_argument("--no-tables", dest="include_tables", action="store_const", const=False,
                     help="leave table content out")
    ext.add_argument("--links", dest="include_links", action="store_const", const=True,
                     help="links as [text](url) in markdown and <a href> in html output")
    ext.add_argument("--images", dest="include_images", action="store_const", const=True,
                     help="images as ![alt](src) in markdown and <img> in html output")
    ext.add_argument("--formatting", dest="include_formatting", action="store_const", const=True,
                     help="bold, italic and inline code in markdown and html output")
    ext.add_argument("-f", "--fast", dest="fast", action="store_const", const=True,
                     help="skip the costlier steps (whole-page date search; language identification when "
                          "the page declares its language)")
    ext.add_argument("--target-language", type=language_code, default=None, metavar="LANG",
                     help="reject documents in another language (ISO 639-1 code)")

    run = parser.add_argument_group("running")
    run.add_argument("--parallel", type=worker_count_arg, default=1, metavar="N",
                     help="worker processes (0: one per CPU); output order is kept")
    run.add_argument("--time-limit", type=seconds_arg, default=None, metavar="SECONDS",
                     help="per-document time limit (0: none); over it a document is a timeout error")
    return parser


def options_from_args(args: argparse.Namespace, output_format: str) -> Options:
    """The one Options value for this run: only the flags given change a default."""
    changes: dict[str, Any] = {}
    for name in ("input_format", "focus", "include_comments", "include_tables", "include_links",
                 "include_images", "include_formatting", "fast", "target_language", "max_bytes",
                 "with_markdown", "with_html"):
        value = getattr(args, name, None)
        if value is not None:
            changes[name] = value
    if args.time_limit is not None:
        changes["time_limit"] = args.time_limit or None
    if output_format == "markdown":
        changes["with_markdown"] = True
    if output_format in ("html", "xml"):  # XML keeps the structure through the semantic HTML
        changes["with_html"] = True
    return Options(**changes)


def size_arg(text: str) -> int:
    """A byte count, with an optional suffix k, M or G (``--max-bytes``, ``serve --max-request-bytes``)."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500000, 512k, 20M)")
    value = int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 byte")
    return value


def seconds_arg(text: str) -> float:
    """``--time-limit``: finite seconds, 0 or more (0: no limit)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be a finite number of seconds, 0 or more")
    return value


def worker_count_arg(text: str) -> int:
    """``--parallel``/``--workers``: a whole number, 0 meaning one per CPU."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or more")
    return value


def url_arg(text: str) -> str:
    """``-u/--URL``: an http(s) URL (a bare ``example.org/page`` gets a hint, not a file lookup)."""
    url = text.strip()
    if re.match(r"(?i)https?://[^/\s]", url):
        return url
    if re.match(r"(?i)[a-z][a-z0-9+.-]*://", url):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r} (only http and https are fetched)")
    raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r} (did you mean https://{url}?)")


def language_code(text: str) -> str:
    """``--target-language``: an ISO 639-1 code as ``Options`` reads it (``EN``, ``en-US`` → ``en``;
    ``english`` and ``eng`` are refused)."""
    try:
        code = Options(target_language=text).target_language
    except ValueError:
        code = None
    if code is None:
        raise argparse.ArgumentTypeError(f"not an ISO 639-1 language code: {text!r}")
    return code
