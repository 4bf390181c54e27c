"""Already-scraped text files (``.txt``, ``.txt.gz``): one Page per file, read by the text engine."""

from __future__ import annotations

from collections.abc import Iterator

from thresher.errors import ThresherError
from thresher.model import Failure, Page, Provenance
from thresher.read.html import MAX_FILE_BYTES
from thresher.read.payload import read_payload


def read_text(path: str, *, max_bytes: int = MAX_FILE_BYTES) -> Iterator[Page | Failure]:
    """Yield the file as one Page with ``kind="text"``, or one Failure (empty, too large, ...)."""
    provenance = Provenance(source=path)
    try:
        data = read_payload(path, max_bytes=max_bytes)
    except ThresherError as err:
        yield Failure(reason=err.reason, message=err.message, provenance=provenance)
        return
    yield Page(data=data, kind="text", provenance=provenance)
