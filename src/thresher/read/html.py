"""HTML files (``.html``, ``.htm``, ``.xhtml``, and their ``.gz`` forms): one Page per file."""

from __future__ import annotations

from collections.abc import Iterator

from thresher.errors import ThresherError
from thresher.model import Failure, Page, Provenance
from thresher.read.payload import read_payload

MAX_FILE_BYTES = 50_000_000
"""Default cap on a file's (decompressed) size."""


def read_html(path: str, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Page | Failure]:
    """Yield the file as one Page (``kind="auto"``: the payload decides), or one Failure.

    Gzip is recognised by its magic bytes and decompressed as a stream, stopping at ``max_bytes``
    (``too_large``); a cut-off gzip file gives ``truncated``, an empty one ``empty``.
    """
    provenance = Provenance(source=path)
    try:
        data = read_payload(path, max_bytes=max_bytes)
    except ThresherError as err:
        yield Failure(reason=err.reason, message=err.message, provenance=provenance)
        return
    yield Page(data=data, kind="auto", provenance=provenance)
