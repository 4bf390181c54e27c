"""What the user sees on stderr: a progress line (only on a terminal) and the closing summary."""

from __future__ import annotations

import io
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from thresher.model import Document, Result

_REFRESH_SECONDS = 0.2


@dataclass(slots=True)
class Tally:
    """Counts of one run, by outcome and reason."""

    read: int = 0
    extracted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    not_written: int = 0
    """Rejected documents the output format had no place for (txt, markdown)."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Records the readers passed over on purpose, by kind (WARC requests, metadata, non-HTML...)."""
    started: float = field(default_factory=time.monotonic)

    def add(self, result: Result) -> None:
        self.read += 1
        if isinstance(result, Document):
            if result.rejected is None:
                self.extracted += 1
            else:
                self.rejected[result.rejected.reason] += 1
        else:
            self.failed[result.reason] += 1

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    def rate(self, now: float | None = None) -> float:
        elapsed = (time.monotonic() if now is None else now) - self.started
        return self.read / elapsed if elapsed > 0 else 0.0

    def summary(self, output_format: str) -> str:
        """One line: ``thresher: 12 read, 8 extracted, 2 rejected (too_short 2), 2 failed (...), ...``."""
        parts = [f"{self.read} read", f"{self.extracted} extracted",
                 f"{self.n_rejected} rejected{_reasons(self.rejected)}",
                 f"{self.n_failed} failed{_reasons(self.failed)}"]
        if self.skipped:
            parts.append(f"{sum(self.skipped.values())} skipped records{_reasons(self.skipped)}")
        parts.append(f"{self.rate():.1f} pages/s")
        line = "thresher: " + ", ".join(parts)
        if self.not_written:
            line += f"; {self.not_written} rejected not written to {output_format} output (see --jsonl)"
        return line


def _reasons(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items(), key=_by_count)) + ")"


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


class Progress:
    """A one-line progress display, redrawn at most five times a second; silent when not a terminal."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self._last = 0.0
        self._drawn = False

    def update(self, tally: Tally) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < _REFRESH_SECONDS:
            return
        self._last = now
        self.stream.write(
            f"\rthresher: {tally.read} done, {tally.extracted} extracted, {tally.n_rejected} rejected, "
            f"{tally.n_failed} failed, {tally.rate(now):.1f} pages/s\x1b[K"
        )
        self.stream.flush()
        self._drawn = True

    def clear(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
