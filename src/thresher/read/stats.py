"""Counts kept while reading: what was yielded, and what was skipped on purpose (and why)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class ReadStats:
    """A tally the readers add to as they go; pass one in, read it after iterating.

    ``skipped`` counts records left out on purpose, by kind: WARC ``request``, ``metadata``,
    ``warcinfo``, ``revisit``... records, ``non_html_response``, ``redirect``, ``http_error``,
    ``empty_record``; and ``other_file`` for files a directory walk leaves out (images, scripts,
    docs). Broken input is not skipped silently: it becomes a Failure record, counted in
    ``failures``.
    """

    files: int = 0
    """Input files (and URLs, and stdin) opened."""
    pages: int = 0
    """Page records yielded."""
    failures: int = 0
    """Failure records yielded."""
    skipped: Counter[str] = field(default_factory=Counter)

    def skip(self, kind: str) -> None:
        self.skipped[kind] += 1

    def to_dict(self) -> dict[str, object]:
        return {
            "files": self.files,
            "pages": self.pages,
            "failures": self.failures,
            "skipped": dict(sorted(self.skipped.items())),
        }
