"""JSON Lines (``.jsonl``, ``.ndjson``, ``.json`` lines, and their ``.gz`` forms): one Page per record.

Each record is an object with an ``html`` or a ``text`` string, and optionally ``url``, ``id`` and
``date``. A bad line (invalid JSON, missing or mistyped fields, too long) becomes one
``invalid_record`` / ``too_large`` Failure naming its line number; the other lines are still read.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import IO, Any, Protocol, cast

from thresher.errors import ThresherError
from thresher.model import Failure, InputFormat, Page, Provenance
from thresher.read.payload import GZIP_MAGIC

MAX_RECORD_BYTES = 50_000_000
"""Default cap on one line's length."""
_CHUNK = 1 << 16
_INFLATE = 1 << 20


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class GzipLines:
    """Lines of a (multi-member) gzip stream, inflated a MiB at a time.

    ``gzip.GzipFile`` inflates 8 KB per call, which makes skipping an over-long line of a gzip bomb
    take minutes; this reader skips a GB in a second or two. Raises ``EOFError`` when the last member
    is cut off and ``zlib.error`` for corrupt data, as GzipFile does.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._inflater = zlib.decompressobj(wbits=31)
        self._in_member = False
        self._pending = b""
        self._buf = bytearray()
        self._pos = 0

    def readline(self, size: int = -1, /) -> bytes:
        limit = size if size >= 0 else 1 << 62
        scanned = self._pos
        while True:
            newline = self._buf.find(b"\n", scanned, self._pos + limit)
            if newline >= 0:
                end = newline + 1
                break
            if len(self._buf) - self._pos >= limit:
                end = self._pos + limit
                break
            scanned = len(self._buf)
            if not self._fill():
                end = len(self._buf)
                break
        line = bytes(self._buf[self._pos:end])
        self._pos = end
        if self._pos >= _INFLATE:
            del self._buf[: self._pos]
            self._pos = 0
        return line

    def _fill(self) -> bool:
        """Inflate some more into the buffer; False at the end of the stream."""
        while True:
            if not self._pending:
                self._pending = self._raw.read(_CHUNK)
                if not self._pending:
                    if self._in_member:
                        raise EOFError("compressed file ended before the end-of-stream marker was reached")
                    return False
            if not self._in_member:
                if not self._pending.strip(b"\x00"):  # zero padding after the last member
                    self._pending = b""
                    continue
                self._inflater = zlib.decompressobj(wbits=31)
                self._in_member = True
            out = self._inflater.decompress(self._pending, _INFLATE)
            if self._inflater.eof:
                self._in_member = False
                self._pending = self._inflater.unused_data
            else:
                self._pending = self._inflater.unconsumed_tail
            if out:
                self._buf += out
                return True


def read_jsonl(path: str, *, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Page | Failure]:
    """Yield a Page or a Failure per non-blank line; a broken or empty file gives one Failure."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the generator is done
    except FileNotFoundError:
        yield Failure(reason="read_error", message=f"no such file: {path}", provenance=Provenance(source=path))
        return
    except OSError as err:
        yield Failure(
            reason="read_error", message=f"cannot read {path}: {err.strerror or err}",
            provenance=Provenance(source=path),
        )
        return
    with raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        stream: _Lines = GzipLines(raw) if compressed else raw
        yield from _records(stream, path, compressed=compressed, max_record_bytes=max_record_bytes)


def _records(
    stream: _Lines, path: str, *, compressed: bool, max_record_bytes: int
) -> Iterator[Page | Failure]:
    index = -1
    offset = 0
    seen_any = False
    while True:
        index += 1
        where = Provenance(source=path, record=index, offset=None if compressed else offset)
        try:
            line = stream.readline(max_record_bytes + 1)
        except EOFError:
            yield Failure(
                reason="truncated", message=f"gzip stream ends in the middle, at line {index + 1}",
                provenance=where,
            )
            return
        except (OSError, zlib.error) as err:
            yield Failure(reason="read_error", message=f"line {index + 1}: {err}", provenance=where)
            return
        if not line:
            break
        offset += len(line)
        if len(line) > max_record_bytes and not line.endswith(b"\n"):
            seen_any = True
            offset += _skip_rest_of_line(stream)
            yield Failure(
                reason="too_large",
                message=f"line {index + 1}: record is over the cap of {max_record_bytes:,} bytes",
                provenance=where,
            )
            continue
        if index == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        seen_any = True
        try:
            yield _page(json.loads(line), where)
        except ThresherError as err:
            yield Failure(reason=err.reason, message=f"line {index + 1}: {err.message}", provenance=where)
        except ValueError as err:
            yield Failure(
                reason="invalid_record", message=f"line {index + 1}: invalid JSON ({err})", provenance=where
            )
    if not seen_any:
        yield Failure(reason="empty", message="empty file", provenance=Provenance(source=path))


def _skip_rest_of_line(stream: _Lines) -> int:
    skipped = 0
    while True:
        piece = stream.readline(1 << 20)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped


def _page(record: Any, where: Provenance) -> Page:
    if not isinstance(record, dict):
        raise ThresherError("invalid_record", f"expected a JSON object, got {type(record).__name__}")
    if isinstance(record.get("html"), str):
        data, kind = record["html"], cast(InputFormat, "html")
    elif isinstance(record.get("text"), str):
        data, kind = record["text"], cast(InputFormat, "text")
    elif "html" in record or "text" in record:
        field = "html" if "html" in record else "text"
        raise ThresherError(
            "invalid_record", f"field {field!r} must be a string, got {type(record[field]).__name__}"
        )
    else:
        raise ThresherError("invalid_record", "record has neither an 'html' nor a 'text' field")
    url = record.get("url")
    if url is not None and not isinstance(url, str):
        raise ThresherError("invalid_record", f"field 'url' must be a string, got {type(url).__name__}")
    rid = record.get("id")
    if rid is not None and not isinstance(rid, str | int):
        raise ThresherError("invalid_record", f"field 'id' must be a string or number, got {type(rid).__name__}")
    date = record.get("date")
    record_id = None if rid is None else str(rid)
    return Page(
        data=data,
        url=url,
        id=record_id,
        kind=kind,
        date=date if isinstance(date, str) else None,
        provenance=Provenance(
            source=where.source, record=where.record, offset=where.offset, record_id=record_id
        ),
    )
