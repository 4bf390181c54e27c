"""A per-document time budget that every stage can check, from any engine or thread."""

from __future__ import annotations

import time

from thresher.errors import DeadlineExceeded


class Deadline:
    """Cooperative time limit: long loops call :meth:`check`, which raises ``DeadlineExceeded``."""

    __slots__ = ("_at", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._at = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self._at is not None and time.monotonic() > self._at:
            raise DeadlineExceeded(self.seconds or 0.0)

    @property
    def remaining(self) -> float | None:
        return None if self._at is None else self._at - time.monotonic()


NO_DEADLINE = Deadline(None)
