"""The dispatcher the CLI uses: paths, directories, globs, URLs and ``-`` (stdin) to Page records.

Files are routed by extension, and by content when the extension says nothing:

============================================  ==========================
``.html .htm .xhtml .shtml`` (+ ``.gz``)       :func:`~thresher.read.html.read_html`
``.txt .text`` (+ ``.gz``)                     :func:`~thresher.read.text.read_text`
``.jsonl .ndjson .json`` (+ ``.gz``)           :func:`~thresher.read.jsonl.read_jsonl`
``.warc .wet .arc`` (+ ``.gz``)                :func:`~thresher.read.warc.read_warc`
anything else                                  WARC if it starts like one (gzipped or not), else HTML
============================================  ==========================

Nothing here raises for one bad input: a missing file, an empty file or a broken record becomes a
Failure record, and the iteration goes on.
"""

from __future__ import annotations

import glob
import os
import re
import sys
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence

from thresher.model import Failure, Page, Provenance
from thresher.read.fetch import fetch
from thresher.read.html import read_html
from thresher.read.jsonl import read_jsonl
from thresher.read.payload import GZIP_MAGIC
from thresher.read.stats import ReadStats
from thresher.read.stdin import read_stdin
from thresher.read.text import read_text
from thresher.read.warc import read_warc

Reader = Callable[[str, ReadStats], Iterator[Page | Failure]]
Fetcher = Callable[[str], Page | Failure]

HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml")
TEXT_EXTENSIONS = (".txt", ".text")
JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json")
WARC_EXTENSIONS = (".warc", ".wet", ".arc")
NOT_INPUT_EXTENSIONS = frozenset(
    [".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pdf", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".mp3", ".mp4", ".m4a", ".webm", ".ogg", ".wav", ".avi", ".mov", ".exe", ".dll", ".so", ".py", ".pyc", ".md", ".rst", ".csv", ".tsv", ".parquet", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".lock", ".sh", ".bat"]
)
"""Files a directory walk leaves out (assets, code, docs); named explicitly, they are still read."""
_GLOB_CHARS = frozenset("*?[")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
"""A URL of a scheme the fetcher does not speak (``ftp://``, ``s3://``...)."""


def iter_inputs(
    paths: Sequence[str],
    *,
    recursive: bool = True,
    stats: ReadStats | None = None,
    fetcher: Fetcher = fetch,
    exclude: Collection[str] = (),
) -> Iterator[Page | Failure]:
    """Yield every page (or failure) found in ``paths``, in order.

    An entry may be a file, a directory (walked in sorted order, sub-directories only when
    ``recursive``; hidden entries are left out, and so are assets, code and docs by extension, counted
    as ``other_file``), a glob pattern, an ``http(s)://`` URL (through
    ``fetcher``) or ``-`` for standard input. ``stats`` collects the counts, skipped records included.
    Files and directories in ``exclude`` (real paths: the run's own output) are left out of directory
    walks and glob matches.
    """
    tally = stats if stats is not None else ReadStats()
    skip = frozenset(os.path.realpath(path) for path in exclude)
    for entry in paths:
        for item in _entry(entry, recursive, tally, fetcher, skip):
            if isinstance(item, Failure):
                tally.failures += 1
            else:
                tally.pages += 1
            yield item


def read_input_list(path: str) -> list[str]:
    """The entries of an input list file (``-i/--input-file``): one path or URL per line.

    Blank lines and lines starting with ``#`` are skipped; surrounding whitespace is stripped.
    Raises ``OSError`` when the list itself cannot be read (the CLI reports that and stops).
    """
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        return [line.strip() for line in handle if line.strip() and not line.lstrip().startswith("#")]


def is_url(entry: str) -> bool:
    """True for ``http://`` and ``https://`` entries."""
    return entry[:8].lower().startswith(("http://", "https://"))


def reader_for(path: str) -> Reader:
    """The reader a file goes to, from its extension or (for other names) its first bytes."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(WARC_EXTENSIONS):
        return _warc
    if name.endswith(HTML_EXTENSIONS):
        return _html
    if name.endswith(TEXT_EXTENSIONS):
        return _text
    if name.endswith(JSONL_EXTENSIONS):
        return _jsonl
    return _warc if _starts_like_warc(path) else _html


def _entry(
    entry: str, recursive: bool, stats: ReadStats, fetcher: Fetcher, skip: frozenset[str]
) -> Iterator[Page | Failure]:
    if entry == "-":
        stats.files += 1
        yield from read_stdin(sys.stdin.buffer, stats=stats)
        return
    if is_url(entry):
        stats.files += 1
        yield fetcher(entry)
        return
    if os.path.isdir(entry):
        yield from _directory(entry, recursive, stats, skip)
        return
    scheme = _SCHEME.match(entry)
    if scheme and not os.path.exists(entry):
        yield Failure(reason="read_error", message=f"cannot read {entry}: {scheme.group(1)} URLs are not "
                      "supported (http and https only)", url=entry, provenance=Provenance(source=entry))
        return
    if os.path.exists(entry) or not _GLOB_CHARS & set(entry):
        yield from _file(entry, stats)
        return
    matches = sorted(glob.glob(entry, recursive=True))
    if not matches:
        yield Failure(reason="read_error", message=f"no files match {entry}", provenance=Provenance(source=entry))
    found = False
    for match in matches:
        if skip and os.path.realpath(match) in skip:
            continue
        # a folder among a pattern's matches may hold only assets: an error only if all of them do
        for got in _directory(match, recursive, stats, skip, named=False) if os.path.isdir(match) else _file(match, stats):
            found = True
            yield got
    if matches and not found:
        yield Failure(reason="read_error", message=f"no input files in what {entry} matches",
                      provenance=Provenance(source=entry))


def _directory(
    root: str, recursive: bool, stats: ReadStats, skip: frozenset[str] = frozenset(), *, named: bool = True
) -> Iterator[Page | Failure]:
    """The input files under ``root``; a ``read_error`` when there are none and the user ``named``
    the folder itself (not when a glob pattern matched it)."""
    read = left_out = 0
    for path in _walk(root, recursive, skip=skip):
        if os.path.splitext(path)[1].lower() in NOT_INPUT_EXTENSIONS:
            stats.skip("other_file")
            left_out += 1
        else:
            read += 1
            yield from _file(path, stats)
    if not read and named:  # an empty folder (or a wrong one) is said, not a silent run of nothing
        other = f" ({left_out} other file{'s' if left_out > 1 else ''} left out: assets, code, docs)" if left_out else ""
        yield Failure(reason="read_error", message=f"no input files in {root}{other}", provenance=Provenance(source=root))


def _file(path: str, stats: ReadStats) -> Iterator[Page | Failure]:
    where = Provenance(source=path)
    if not os.path.exists(path):
        yield Failure(reason="read_error", message=f"no such file: {path}", provenance=where)
        return
    if not os.path.isfile(path):
        yield Failure(reason="read_error", message=f"not a regular file: {path}", provenance=where)
        return
    stats.files += 1
    try:
        empty = os.path.getsize(path) == 0
    except OSError as err:
        yield Failure(reason="read_error", message=f"cannot read {path}: {err.strerror or err}", provenance=where)
        return
    if empty:
        yield Failure(reason="empty", message="empty file", provenance=where)
        return
    yield from reader_for(path)(path, stats)


def _walk(
    root: str, recursive: bool, seen: set[str] | None = None, skip: frozenset[str] = frozenset()
) -> Iterator[str]:
    """Files under ``root`` depth first, entries in name order, hidden entries and ``skip`` (real
    paths) left out.

    Directory symlinks are followed once (a link back up the tree is not walked again).
    """
    seen = set() if seen is None else seen
    real = os.path.realpath(root)
    if real in seen:
        return
    seen.add(real)
    try:
        with os.scandir(root) as scan:
            entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if skip and os.path.realpath(entry.path) in skip:
            continue
        if entry.is_dir():
            if recursive:
                yield from _walk(entry.path, recursive, seen, skip)
        else:
            yield entry.path


def _starts_like_warc(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(b"WARC/")


def _html(path: str, stats: ReadStats) -> Iterator[Page | Failure]:
    return read_html(path)


def _text(path: str, stats: ReadStats) -> Iterator[Page | Failure]:
    return read_text(path)


def _jsonl(path: str, stats: ReadStats) -> Iterator[Page | Failure]:
    return read_jsonl(path)


def _warc(path: str, stats: ReadStats) -> Iterator[Page | Failure]:
    return read_warc(path, stats=stats)
