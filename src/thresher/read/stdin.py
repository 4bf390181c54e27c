"""Standard input: a WARC/WET archive (``cat crawl.warc.gz | thresher``), JSON Lines records (or one
JSON document of them), or else the whole stream as one page. Gzip is recognised and decompressed
in every case.

An archive or JSON stream is spooled to a temporary file (in memory while small) and read record by
record like a file; one page is read under the size cap.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO, cast

from thresher.errors import ThresherError
from thresher.model import Failure, Page, Provenance
from thresher.read.html import MAX_FILE_BYTES
from thresher.read.jsonl import read_json_stream
from thresher.read.payload import GZIP_MAGIC, read_stream
from thresher.read.stats import ReadStats
from thresher.read.warc import read_warc_stream

STDIN_SOURCE = "<stdin>"
_HEAD_BYTES = 1 << 16
_SPOOL_BYTES = 32 << 20
_JSON_OBJECT = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*(?:\[\s*)?\{\s*"')
"""A JSON object with a first key, maybe in an array: JSONL records or one JSON document of them
(never the start of HTML or plain prose)."""


def read_stdin(
    stream: BinaryIO, *, max_bytes: int = MAX_FILE_BYTES, stats: ReadStats | None = None
) -> Iterator[Page | Failure]:
    """Yield the records of a WARC/WET archive or of JSONL on the stream, else one Page
    (``kind="auto"``) holding everything on it, or one Failure."""
    head = stream.read(_HEAD_BYTES)
    inner = _gunzip_head(head) if head.startswith(GZIP_MAGIC) else head
    if inner.startswith(b"WARC/") or _JSON_OBJECT.match(inner):
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as spool:
            spool.write(head)
            shutil.copyfileobj(stream, spool)
            spool.seek(0)
            spooled = cast(BinaryIO, spool)
            if inner.startswith(b"WARC/"):
                yield from read_warc_stream(spooled, STDIN_SOURCE, stats=stats)
            else:
                yield from read_json_stream(spooled, STDIN_SOURCE)
        return
    provenance = Provenance(source=STDIN_SOURCE)
    try:
        data = read_stream(cast(BinaryIO, _Prefixed(head, stream)), max_bytes=max_bytes)
    except ThresherError as err:
        message = "nothing on standard input" if err.reason == "empty" else err.message
        yield Failure(reason=err.reason, message=message, provenance=provenance)
        return
    yield Page(data=data, kind="auto", provenance=provenance)


def _gunzip_head(data: bytes) -> bytes:
    """The first bytes the gzip data decompresses to (what is there when it is corrupt or cut)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, 256)
    except zlib.error:
        return b""


class _Prefixed:
    """A read-only stream: ``head`` (already read), then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            if len(data) < size:
                data += self._stream.read(size - len(data))
            return data
        return self._stream.read(size)
