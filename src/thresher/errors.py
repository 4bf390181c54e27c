"""The one exception type Thresher raises for broken input, with a stable reason code."""

from __future__ import annotations


class ThresherError(Exception):
    """Broken or unacceptable input: ``reason`` is a stable code, the message says what happened.

    Reason codes: ``too_large``, ``timeout``, ``undecodable``, ``not_html``, ``empty``,
    ``truncated``, ``invalid_record``, ``fetch_error``, ``read_error``, ``not_a_feed``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


class DeadlineExceeded(ThresherError):
    """The per-document time limit ran out."""

    def __init__(self, seconds: float) -> None:
        super().__init__("timeout", f"extraction took longer than the limit of {seconds:g} s")
