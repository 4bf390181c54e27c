"""Standard input: the whole stream as one page (gzip is recognised and decompressed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from thresher.errors import ThresherError
from thresher.model import Failure, Page, Provenance
from thresher.read.html import MAX_FILE_BYTES
from thresher.read.payload import read_stream

STDIN_SOURCE = "<stdin>"


def read_stdin(stream: BinaryIO, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Page | Failure]:
    """Yield one Page (``kind="auto"``) holding everything on the stream, or one Failure."""
    provenance = Provenance(source=STDIN_SOURCE)
    try:
        data = read_stream(stream, max_bytes=max_bytes)
    except ThresherError as err:
        message = "nothing on standard input" if err.reason == "empty" else err.message
        yield Failure(reason=err.reason, message=message, provenance=provenance)
        return
    yield Page(data=data, kind="auto", provenance=provenance)
