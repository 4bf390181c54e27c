"""JSON Lines (``.jsonl``, ``.ndjson``, ``.json`` lines, and their ``.gz`` forms): one Page per record.

Each record is an object with an ``html`` or a ``text`` string, and optionally ``url``, ``id`` and
``date`` (or, as datatrove writes them, ``url`` and ``date`` inside ``metadata``). A ``text`` that
starts like a whole HTML document (``<!DOCTYPE html``, ``<html``: datatrove's WarcReader keeps the raw
page in ``text``) is read as HTML. A bad line (invalid JSON, missing or mistyped fields, too long) becomes one
``invalid_record`` / ``too_large`` Failure naming its line number; the other lines are still read.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO, Protocol, cast

from thresher.errors import ThresherError
from thresher.model import Failure, InputFormat, Page, Provenance
from thresher.read.payload import GZIP_MAGIC, open_source

MAX_RECORD_BYTES = 50_000_000
"""Default cap on one line's length."""
_HTML_DOCUMENT = re.compile(r"\ufeff?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html)[\s>]",
                            re.IGNORECASE | re.DOTALL)
"""A ``text`` field that starts like a whole HTML document holds a page, not scraped text."""
SKIP_BYTES = 50_000_000
"""How far past the cap an over-long line is skipped, looking for its end, before the rest of the file
is given up (a gzip bomb is one endless line: skipping it all would take minutes)."""


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def read_jsonl(path: str, *, max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[Page | Failure]:
    """Yield a Page or a Failure per non-blank line; a broken or empty file gives one Failure."""
    raw = open_source(path)
    if isinstance(raw, Failure):
        yield raw
        return
    with raw:
        if path.lower().removesuffix(".gz").endswith(".json"):
            yield from read_json_stream(raw, path, max_record_bytes=max_record_bytes)
        else:
            yield from read_jsonl_stream(raw, path, max_record_bytes=max_record_bytes)


def read_json_stream(
    raw: BinaryIO, source: str, *, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[Page | Failure]:
    """A seekable stream holding one JSON document (an array of records, or one record, however it
    is laid out over lines), else JSON Lines."""
    document = _json_document(raw, max_record_bytes)
    if document is not None:
        yield from _document_records(document, source)
        return
    raw.seek(0)
    yield from read_jsonl_stream(raw, source, max_record_bytes=max_record_bytes)


def _json_document(raw: BinaryIO, max_bytes: int) -> list[Any] | dict[str, Any] | None:
    """A ``.json`` file read as one JSON document (an array of records, or one record over several
    lines), or ``None`` when it is not one (JSON Lines, broken, or over the cap): read it as lines."""
    compressed = raw.read(2) == GZIP_MAGIC
    raw.seek(0)
    try:
        data = gzip.GzipFile(fileobj=raw, mode="rb").read(max_bytes + 1) if compressed else raw.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error):
        return None
    if len(data) > max_bytes or not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"[", b"{")):
        return None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return None
    return document if isinstance(document, list | dict) else None


def _document_records(document: list[Any] | dict[str, Any], path: str) -> Iterator[Page | Failure]:
    if not document:
        yield Failure(reason="empty", message="no records (an empty JSON document)", provenance=Provenance(source=path))
        return
    for index, record in enumerate(document if isinstance(document, list) else [document]):
        where = Provenance(source=path, record=index)
        try:
            yield _page(record, where)
        except ThresherError as err:
            yield Failure(reason=err.reason, message=f"item {index + 1}: {err.message}", provenance=where)


def read_jsonl_stream(
    raw: BinaryIO, source: str, *, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[Page | Failure]:
    """Like :func:`read_jsonl`, for an open, seekable binary stream; ``source`` names it."""
    compressed = raw.read(2) == GZIP_MAGIC
    raw.seek(0)
    stream: _Lines = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
    yield from _records(stream, source, compressed=compressed, max_record_bytes=max_record_bytes)


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
            skipped, ended = _skip_rest_of_line(stream, SKIP_BYTES)
            offset += skipped
            message = f"line {index + 1}: record is over the cap of {max_record_bytes:,} bytes"
            if not ended:
                message += f"; no line break in the next {SKIP_BYTES:,} bytes either, the rest is not read"
            yield Failure(reason="too_large", message=message, provenance=where)
            if not ended:
                return
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


def _skip_rest_of_line(stream: _Lines, budget: int) -> tuple[int, bool]:
    """Bytes skipped up to the next line break, and whether it was found within ``budget`` bytes
    (or the stream ended)."""
    skipped = 0
    while skipped <= budget:
        piece = stream.readline(1 << 20)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped, True
    return skipped, False


def _page(record: Any, where: Provenance) -> Page:
    if not isinstance(record, dict):
        raise ThresherError("invalid_record", f"expected a JSON object, got {type(record).__name__}")
    if isinstance(record.get("html"), str):
        data, kind = record["html"], cast(InputFormat, "html")
    elif isinstance(record.get("text"), str):  # scraped text; or a whole HTML page (datatrove's WarcReader)
        data = record["text"]
        kind = cast(InputFormat, "auto" if _HTML_DOCUMENT.match(data) else "text")
    elif "html" in record or "text" in record:
        field = "html" if "html" in record else "text"
        raise ThresherError(
            "invalid_record", f"field {field!r} must be a string, got {type(record[field]).__name__}"
        )
    else:
        raise ThresherError("invalid_record", "record has neither an 'html' nor a 'text' field")
    given = record.get("metadata")
    meta: dict[str, Any] = given if isinstance(given, dict) else {}
    url = record.get("url", meta.get("url"))
    if url is not None and not isinstance(url, str):
        raise ThresherError("invalid_record", f"field 'url' must be a string, got {type(url).__name__}")
    rid = record.get("id")
    if rid is not None and not isinstance(rid, str | int):
        raise ThresherError("invalid_record", f"field 'id' must be a string or number, got {type(rid).__name__}")
    date = record.get("date", meta.get("date"))
    record_id = None if rid is None else str(rid)
    return Page(
        data=data,
        url=url,
        id=record_id,
        kind=kind,
        provenance=Provenance(
            source=where.source, record=where.record, offset=where.offset, record_id=record_id,
            date=date if isinstance(date, str) else None,
        ),
    )
