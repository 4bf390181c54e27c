"""The inputs of a run, from the command line to one stream of pages: INPUT arguments, the ``-i``
list, ``--input-dir``, ``-u`` URLs, or standard input. Reading is the readers' job (``thresher.read``)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from thresher.model import Failure, Page
from thresher.read.fetch import fetch
from thresher.read.sources import iter_inputs, read_input_list
from thresher.read.stats import ReadStats
from thresher.read.stdin import read_stdin

Item = Page | Failure


@dataclass(slots=True)
class InputPlan:
    """What to read, in order; standard input when no input is named."""

    entries: list[str] = field(default_factory=list)
    """Files, directories, globs, ``http(s)://`` URLs, or ``-`` for standard input."""
    stdin: BinaryIO | None = None
    reads_stdin: bool = False
    """No input was named: read standard input (an empty ``-i`` list is not this case)."""
    max_bytes: int | None = None
    """Download cap for URLs (``--max-bytes``); the fetcher's own default otherwise."""
    exclude: list[str] = field(default_factory=list)
    """The run's own output (``-o`` file, ``--output-dir``): never read back as an input."""

    @classmethod
    def from_args(
        cls, inputs: list[str], input_file: str | None, input_dir: str | None, urls: list[str],
        max_bytes: int | None = None,
    ) -> InputPlan:
        """INPUT arguments, then the ``-i`` list (read now: ``OSError`` if it cannot be), the
        ``--input-dir`` tree, then the ``-u`` URLs."""
        entries = list(inputs)
        if input_file is not None:
            entries += read_input_list(input_file)
        if input_dir is not None:
            entries.append(input_dir)
        entries += urls
        named = bool(inputs or input_file is not None or input_dir is not None or urls)
        return cls(entries=entries, reads_stdin=not named, max_bytes=max_bytes)

    def items(self, stats: ReadStats) -> Iterator[Item]:
        """Pages and read failures, lazily, in order; ``stats`` counts what the readers skipped."""
        if self.reads_stdin:
            if self.stdin is not None:
                stats.files += 1
                yield from read_stdin(self.stdin, stats=stats)
            return
        fetcher = fetch if self.max_bytes is None else functools.partial(fetch, max_bytes=self.max_bytes)
        yield from iter_inputs(self.entries, stats=stats, fetcher=fetcher, exclude=self.exclude)


def stdin_stream() -> BinaryIO | None:
    """Standard input when it is piped (not a terminal, not closed)."""
    stream = sys.stdin
    if stream is None or stream.closed:
        return None
    try:
        if stream.isatty():
            return None
    except ValueError:
        return None
    return stream.buffer
