"""``thresher stories INPUT... -o stories.jsonl``: group headlines or documents into stories.

Inputs: JSONL records from ``thresher extract``/``thresher run`` (title, text, date, hostname: one
item per document, as ``thresher run --stories`` groups them; with ``--headlines`` the ticker or
headline-list lines removed from a page, its ``headlines``, become items too) or headline items
(``headline``, optional ``outlet``, ``url``, ``timestamp``); RSS and Atom feeds (``read.feeds``: an
entry's title, summary, link, source and date); plain text files with one headline per
line and an optional leading clock time (a news ticker); ``-`` for stdin. A document without a date
joins only a near-identical document (pages on one topic are not one event); undated headlines
(a ticker) group as usual.
Output: one JSON line per story (id, headline, members with their sources, first/last seen, outlet
count), then, with ``--assignments FILE``, one line per item with its story id.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import glob
import itertools
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from thresher.cli.args import PROG
from thresher.cli.report import silence_stdout
from thresher.engines.shards import RUN_RECORD
from thresher.errors import ThresherError
from thresher.read.encoding import decode
from thresher.read.feeds import FEED_SUFFIXES, feed_records, looks_like_feed
from thresher.read.payload import read_payload
from thresher.read.sniff import binary_kind
from thresher.stories import (
    Item,
    StoriesOptions,
    StoriesResult,
    Story,
    StoryIndex,
    cluster_stories,
    item_from_record,
    items_from_headlines,
    parse_headline_line,
)

EPILOG = (
    "Documents (records with a text, from thresher extract or run) are one item each, their title, as "
    "`thresher run --stories` groups them; --headlines adds the lines of their `headlines` field. A document "
    "without a date joins only a near-identical document: pages on one topic are not one news event. "
    "Headlines without a time (a ticker) group as usual."
)


DESCRIPTION = "thresher stories INPUT... -o stories.jsonl: group headlines or documents into news stories."
EXIT_STATUS = (" Exit status: 0 every line was read, 1 some lines or files were skipped (each named on stderr), "
               "2 usage error.")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz", ".parquet")
"""Inputs whose every line is a JSON record: a line that is not one is skipped, never read as a headline."""


def build_stories_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"{PROG} stories", description=DESCRIPTION, epilog=EPILOG + EXIT_STATUS)
    p.add_argument("inputs", nargs="*", help="JSONL (also .jsonl.gz), Parquet, RSS/Atom or text files, folders of them "
                   "(a thresher run folder: its data/ parts), globs (default: stdin)")
    p.add_argument("-o", "--output", help="write the stories here (default, or -: stdout)")
    p.add_argument("--assignments", help="also write each item's story id to this JSONL file")
    p.add_argument("--backend", choices=("auto", "lexical", "embedding"), default="auto",
                   help="embedding needs the [stories] extra; auto uses it when installed")
    p.add_argument("--window-hours", type=_hours, default=72.0,
                   help="items further apart in time never share a story (default: 72)")
    p.add_argument("--stream", action="store_true",
                   help="place each item as it is read, for a feed or `tail -f`: its story id is written at once "
                   "(stdout, or --assignments; a later merge may still join two stories), the stories as they "
                   "close (-o; those with no item for --window-hours, then the rest at the end); memory is "
                   "bounded by the window. Items should come in time order")
    p.add_argument("--headlines", action="store_true",
                   help="also group the lines a document carries in its `headlines` field (the ticker or "
                   "headline lists removed from its page: a scraped news ticker); by default a document is one "
                   "item, its title, as `thresher run --stories` groups them")
    return p


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of hours")
    return value


@dataclasses.dataclass
class _Tally:
    """What reading the inputs passed over, for the closing line on stderr and the exit status."""

    unreadable: list[str] = dataclasses.field(default_factory=list)
    bad_lines: int = 0
    errors: int = 0  # error records of `thresher extract` output: no document, nothing wrong with the line
    untitled: int = 0  # documents without a title (and no ticker): nothing to group, nothing wrong either
    left_out: list[int] = dataclasses.field(default_factory=lambda: [0])  # `headlines` lines not grouped
    unread_times: list[str] = dataclasses.field(default_factory=list)  # timestamps not understood: no window
    more_unread: int = 0  # beyond the first of them, whose text is kept as the example (bounded in a stream)

    def line(self, items: int, stories: int, multi: int, backend: str) -> str:
        return (f"{PROG}: {items} items, {stories} stories ({multi} with several items), "
                f"backend {backend}, {self.bad_lines} lines skipped"
                + (f", {len(self.unreadable)} files skipped" if self.unreadable else "")
                + (f", {self.errors} error records passed over" if self.errors else "")
                + (f", {self.untitled} documents without a title passed over" if self.untitled else "")
                + (f", {self.left_out[0]} headline-list lines of documents not grouped (--headlines groups them)"
                   if self.left_out[0] else "")
                + (f", {len(self.unread_times) + self.more_unread} timestamps not understood "
                   f"(e.g. {self.unread_times[0][:40]!r}): those items have no time" if self.unread_times else ""))

    def status(self) -> int:
        return 1 if self.bad_lines + len(self.unreadable) else 0


def stories_command(argv: Sequence[str]) -> int:
    parser = build_stories_parser()
    args = parser.parse_args(argv)
    args.output, args.assignments = _stdout_dash(args.output), _stdout_dash(args.assignments)
    for path in (args.output, args.assignments):
        if path and not Path(path).parent.is_dir():
            parser.error(f"cannot write {path}: no such directory {str(Path(path).parent)!r}")
    tally = _Tally()
    if args.stream:
        if not (args.output or args.assignments):
            parser.error("--stream writes each item's story id as it comes and the stories as they close: "
                         "give -o FILE for the stories (ids on stdout) or --assignments FILE (stories on stdout)")
        return _stream(args, parser, tally)
    seen: set[str] = set()
    unique = []
    for item in _read_items(args, parser, tally):  # an id given twice names one item
        if item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    result = (  # nothing to group (empty input): no stories, and no call into the clusterer
        cluster_stories(unique, StoriesOptions(backend=args.backend, window_hours=args.window_hours))
        if unique else StoriesResult(stories=(), backend=args.backend)
    )
    by_id = {it.id: it for it in unique}
    try:
        if args.assignments:  # first: a reader of the stories on stdout may leave early (`| head`)
            with open(args.assignments, "w", encoding="utf-8") as fh:
                for it in unique:
                    fh.write(_assignment(it, result.story_of(it.id)))
        with _open_out(args.output) as out:
            for story in result.stories:
                out.write(json.dumps(_story_record(story, by_id), ensure_ascii=False) + "\n")
    except BrokenPipeError:  # `thresher stories ... | head`: the reader left, stop quietly
        silence_stdout()
        return 1
    except OSError as err:
        parser.exit(2, f"{PROG} stories: error: cannot write output: {err}\n")
    print(tally.line(len(unique), len(result.stories), sum(1 for story in result.stories if story.size > 1),
                     result.backend), file=sys.stderr)
    return tally.status()


def _stream(args: argparse.Namespace, parser: argparse.ArgumentParser, tally: _Tally) -> int:
    """``--stream``: each item of standard input is placed as it is read (``StoryIndex``) and its story
    id written at once, one JSON line flushed per item (stdout, or ``--assignments``); the items of files
    are placed and written in runs of ``STREAM_RUN`` (``StoryIndex.add_many``: one batch of sentence
    vectors, the same stories as one at a time); stories retired by the time window go
    to ``-o`` as they retire and the rest at the end, so memory is bounded by the window, not the input."""
    index = StoryIndex(StoriesOptions(backend=args.backend, window_hours=args.window_hours))
    by_id: dict[str, Item] = {}  # the items of the open stories
    placed = 0
    sizes = [0, 0]  # stories written, and those with several items
    try:
        with _open_out(args.assignments) as ids, _open_out(args.output) as out:
            def flush(stories: Sequence[Story]) -> None:
                for story in stories:
                    out.write(json.dumps(_story_record(story, by_id), ensure_ascii=False) + "\n")
                    for member in story.members:  # retired: forgotten, memory stays bounded
                        by_id.pop(member, None)
                    sizes[0] += 1
                    sizes[1] += story.size > 1
                out.flush()

            # items of files are placed in runs (their vectors computed together, several times
            # faster); standard input's one by one as they come, so a live feed is never held back
            def place(fresh: list[Item]) -> None:
                for item, story in zip(fresh, index.add_many(fresh), strict=True):
                    ids.write(_assignment(item, story))
                ids.flush()
                flush(index.pop_retired())

            live = not args.inputs or "-" in args.inputs
            for run in _runs(_read_items(args, parser, tally), 1 if live else STREAM_RUN):
                fresh: list[Item] = []
                for item in run:
                    if item.id in by_id and fresh:  # placing the run so far may retire its story
                        place(fresh)
                        fresh = []
                    if item.id in by_id:  # an id given twice (while its story is open) names one item
                        continue
                    by_id[item.id] = item
                    fresh.append(item)
                    placed += 1
                place(fresh)
            flush(index.result().stories)
            backend = index.backend.name
    except BrokenPipeError:
        silence_stdout()
        return 1
    except OSError as err:
        parser.exit(2, f"{PROG} stories: error: cannot write output: {err}\n")
    print(tally.line(placed, sizes[0], sizes[1], backend), file=sys.stderr)
    return tally.status()


STREAM_RUN = 64
"""Items of input files that ``--stream`` places together (one batch of sentence vectors)."""


def _runs(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive runs of at most ``size`` items."""
    iterator = iter(items)
    while run := list(itertools.islice(iterator, size)):
        yield run


def _assignment(item: Item, story: str | None) -> str:
    return json.dumps({"id": item.id, "headline": item.headline, "story": story}, ensure_ascii=False) + "\n"


def _read_items(args: argparse.Namespace, parser: argparse.ArgumentParser, tally: _Tally) -> Iterator[Item]:
    """The items of every input line, in input order; what is passed over is counted in ``tally``."""
    count = 0
    for source, lines in _sources(args.inputs, parser, tally.unreadable, stream=args.stream):
        for n, line in enumerate(lines):
            if not line.strip():
                continue
            if _is_error_record(line):
                tally.errors += 1
                continue
            try:
                found = _items(source, n, line, count, headlines=args.headlines, left_out=tally.left_out,
                               records_only=source.lower().endswith(JSONL_SUFFIXES),
                               unread_times=tally.unread_times)
            except Untitled:
                tally.untitled += 1
                continue
            except ValueError as err:
                tally.bad_lines += 1
                print(f"{PROG}: {source}:{n + 1}: skipped: {err}", file=sys.stderr)
                continue
            if len(tally.unread_times) > 1:
                tally.more_unread += len(tally.unread_times) - 1
                del tally.unread_times[1:]
            count += len(found)
            yield from found


def _sources(
    paths: Sequence[str], parser: argparse.ArgumentParser, unreadable: list[str], *, stream: bool = False
) -> Iterator[tuple[str, Iterable[str]]]:
    """(source, lines) per input; an empty, binary or unreadable file is reported on stderr and
    noted in ``unreadable`` instead. ``stream``: standard input is read line by line as it comes
    (JSON Lines or headlines; a feed or a JSON document needs the whole input, so not there)."""
    if not paths:
        if sys.stdin is None or sys.stdin.isatty():
            parser.error("no input: give JSONL or text files, or pipe headlines on stdin")
        yield from _stdin_source(unreadable, stream)
        return
    for path in _expand(paths, parser):
        if path == "-":
            yield from _stdin_source(unreadable, stream)
            continue
        if not Path(path).is_file():
            parser.error(f"{path}: no such file")
        if path.endswith(".parquet"):
            yield path, _parquet_lines(path, parser)
            continue
        try:
            data = read_payload(path, max_bytes=200_000_000)
            kind = binary_kind(data)
            if kind is not None:
                raise ThresherError("not_text", f"looks like {kind}")
            if not looks_like_feed(data) and path.lower().endswith(FEED_SUFFIXES):
                raise ThresherError("not_a_feed", "XML, but not an RSS or Atom feed")
            lines = _lines(data)
        except ThresherError as err:
            unreadable.append(path)
            print(f"{PROG}: {path}: skipped: {err.message}", file=sys.stderr)
            continue
        yield path, lines


def _stdin_source(unreadable: list[str], stream: bool = False) -> Iterator[tuple[str, Iterable[str]]]:
    if stream:
        yield "<stdin>", sys.stdin
        return
    try:
        lines = _stdin_lines()
    except ThresherError as err:
        unreadable.append("<stdin>")
        print(f"{PROG}: <stdin>: skipped: {err.message}", file=sys.stderr)
        return
    yield "<stdin>", lines


INPUT_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz", ".parquet", ".txt", ".txt.gz",
                  *FEED_SUFFIXES)
"""Files read from a folder given as an input."""


def _expand(paths: Sequence[str], parser: argparse.ArgumentParser) -> Iterator[str]:
    """The input files: a folder gives its JSONL, Parquet and text files (a ``thresher run`` folder
    its ``data/`` parts only: duplicates, rejected and failed records are no stories), a glob its
    matches (quoted globs too)."""
    for path in paths:
        folder = Path(path)
        if folder.is_dir():
            found = sorted(
                str(f) for f in folder.rglob("*")
                if f.is_file() and f.name.lower().endswith(INPUT_SUFFIXES)
                and not any(part.startswith((".", "_")) for part in f.relative_to(folder).parts)
                and _story_part(f, folder)
            )
            if not found:
                parser.error(f"{path}: no JSONL, Parquet, feed or text files in this folder")
            yield from found
        elif not folder.exists() and any(c in path for c in "*?["):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                parser.error(f"{path}: no files match")
            yield from matches
        else:
            yield path


def _story_part(file: Path, top: Path) -> bool:
    """Whether ``file`` (found under the folder ``top``) holds story inputs: inside the output folder
    of a ``thresher run`` (at ``top`` or below it), only the parts under its ``data/`` count."""
    for folder in (file.parent, *file.parent.parents):
        if (folder / RUN_RECORD).is_file() or ((folder / "stats.json").is_file() and (folder / "data").is_dir()):
            return (folder / "data") in file.parents
        if folder == top:
            return True
    return True


def _stdin_lines() -> list[str]:
    """Standard input's lines (its records, when it holds a JSON document or a feed); ``ThresherError``
    for a feed without entries."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (an embedding program's StringIO)
        text = sys.stdin.read()
        return _json_document_lines(text) or text.splitlines()
    return _lines(buffer.read())


def _lines(data: bytes) -> list[str]:
    """An input's lines: a feed's entries or a JSON document's records as one JSON line each, else
    the text's lines (JSON Lines, headlines); ``ThresherError`` for a feed without entries."""
    if looks_like_feed(data):
        return [json.dumps(record, ensure_ascii=False) for record in feed_records(data)]
    text = _text(data)
    return _json_document_lines(text) or text.splitlines()


def _json_document_lines(text: str) -> list[str] | None:
    """The records of one JSON document (``thresher extract --json`` output: an array, or one
    pretty-printed object) as one JSON line each; None for JSON Lines and plain text."""
    if not text.lstrip().startswith(("[", "{")):
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:  # JSON Lines: "Extra data" after the first record
        return None
    records = document if isinstance(document, list) else [document]
    return [json.dumps(record, ensure_ascii=False) for record in records]


def _text(data: bytes) -> str:
    """UTF-8 (JSONL, most tickers), else the detected encoding (a cp1252 or Shift-JIS ticker)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode(data)


def _parquet_lines(path: str, parser: argparse.ArgumentParser) -> list[str]:
    """The records of a ``thresher run --format parquet`` part, one JSON line each (read as bytes, a
    Parquet file's lines are garbage headlines)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        parser.error(f"{path}: reading Parquet needs pyarrow: pip install 'thresher[parquet]'")
    return [json.dumps(rec, ensure_ascii=False, default=str) for rec in pq.read_table(path).to_pylist()]


def _is_error_record(line: str) -> bool:
    """An error record of ``thresher extract``/``run`` (``error`` and ``message``, no title)."""
    stripped = line.strip()
    if not (stripped.startswith("{") and '"error"' in stripped):
        return False
    try:
        record = json.loads(stripped)
    except json.JSONDecodeError:
        return False
    return isinstance(record, dict) and bool(record.get("error")) and not record.get("title")


class Untitled(ValueError):
    """A document record (``thresher extract``/``run`` output) without a title: no item, no error."""


def _items(source: str, n: int, line: str, index: int, *, headlines: bool = False,
           left_out: list[int] | None = None, records_only: bool = False,
           unread_times: list[str] | None = None) -> list[Item]:
    """The items of one input line: a headline, or a record (plus, with ``headlines``, the ticker
    lines it carries; else their number is added to ``left_out[0]``). In a JSONL file
    (``records_only``) a line that is no JSON object is an error, not a headline."""
    stripped = line.strip()
    if records_only and not stripped.startswith("{"):
        raise ValueError("not a JSON object (a JSONL file holds one record a line)")
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped)
        except json.JSONDecodeError as err:
            raise ValueError(f"invalid JSON ({err.msg})") from None
        if not isinstance(record, dict):
            raise ValueError("a JSON line must be an object")
        ticker = items_from_headlines(record, index=index)
        if not headlines:
            if left_out is not None:
                left_out[0] += len(ticker)
            ticker = []
        if not (record.get("headline") or record.get("title")):
            if ticker:
                return ticker  # a page with no title of its own: only its ticker's items
            if "text" in record:
                raise Untitled(f"record {index} is a document without a title")
        item = item_from_record(record, index=index)
        given = record.get("timestamp") or record.get("date")
        if given and item.timestamp is None and unread_times is not None:
            unread_times.append(str(given))
        return [item, *ticker]
    _clock, headline = parse_headline_line(stripped)  # a ticker's clock time has no date: not a timestamp
    return [Item(id=f"{Path(source).name}:{n + 1}", headline=headline)]


def _story_record(story: Story, by_id: dict[str, Item]) -> dict[str, Any]:
    return {
        "id": story.id,
        "headline": story.headline,
        "size": story.size,
        "outlet_count": story.outlet_count,
        "outlets": list(story.outlets),
        "first_seen": story.first_seen.isoformat() if story.first_seen else None,
        "last_seen": story.last_seen.isoformat() if story.last_seen else None,
        "members": [_member(by_id[m]) for m in story.members],
    }


def _member(item: Item) -> dict[str, Any]:
    stamp = item.timestamp
    return {"id": item.id, "headline": item.headline, "outlet": item.outlet, "url": item.url,
            "timestamp": stamp.isoformat() if stamp else None}


def _stdout_dash(path: str | None) -> str | None:
    """``-o -`` names standard output, as the inputs' ``-`` names standard input."""
    return None if path == "-" else path


@contextlib.contextmanager
def _open_out(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file that is closed afterwards."""
    if not path:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8") as fh:
        yield fh
