"""WARC and WET archives (``.warc``, ``.warc.gz``, ``.wet``, ``.wet.gz``) read with FastWARC.

- ``response`` (and ``resource``) records whose HTTP ``Content-Type`` is HTML, or missing, become a
  Page with ``kind="auto"``, the transport's media type and charset, the target URI, record id and
  WARC-Date;
- WET ``conversion`` records become a Page with ``kind="text"``;
- everything else is skipped and counted in :class:`~thresher.read.stats.ReadStats` ``skipped``:
  ``request``, ``metadata``, ``warcinfo``, ``revisit``, ..., ``non_html_response``, ``redirect``
  (HTTP 3xx), ``http_error`` (HTTP 4xx/5xx) and ``empty_record``.

A cut-off archive yields every record that could be read, then one ``truncated`` Failure.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from fastwarc.warc import ArchiveIterator, WarcRecord

from thresher.errors import ThresherError
from thresher.model import Failure, InputFormat, Page, Provenance
from thresher.read.payload import GZIP_MAGIC, gunzip_stream, gzip_tail_problem, open_source
from thresher.read.stats import ReadStats

MAX_RECORD_BYTES = 20_000_000
"""Default cap on one record's block; larger records become ``too_large`` Failures."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml"})
_HEADER_LIMIT = 1 << 16


def read_warc(
    path: str, *, stats: ReadStats | None = None, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[Page | Failure]:
    """Yield a Page per HTML response / WET conversion record, and a Failure per broken record.

    Skipped records are counted in ``stats.skipped`` by kind.
    """
    tally = stats if stats is not None else ReadStats()
    stream = open_source(path)
    if isinstance(stream, Failure):
        yield stream
        return
    with stream:
        yield from _read(stream, path, tally, max_record_bytes)


def read_warc_stream(
    stream: BinaryIO, source: str, *, stats: ReadStats | None = None, max_record_bytes: int = MAX_RECORD_BYTES
) -> Iterator[Page | Failure]:
    """Like :func:`read_warc`, for an open, seekable binary stream (standard input spooled to a
    temporary file); ``source`` names it in the provenance."""
    yield from _read(stream, source, stats if stats is not None else ReadStats(), max_record_bytes)


def read_warc_record(
    path: str, offset: int, *, record: int | None = None, max_record_bytes: int = MAX_RECORD_BYTES
) -> Page | Failure | None:
    """The record that starts at byte ``offset`` of a WARC/WET file (a Page's ``provenance.offset``) as
    :func:`read_warc` yields it, ``record`` being its number in the file; None for a record that
    ``read_warc`` skips (request, warcinfo, non-HTML...), a Failure when nothing can be read there."""
    where = Provenance(source=path, record=record, offset=offset)
    stream = open_source(path)
    if isinstance(stream, Failure):
        return stream
    with stream:
        try:
            stream.seek(offset)
            for item in ArchiveIterator(stream, parse_http=False, quirks_mode=True):
                where = Provenance(source=path, record=record, offset=offset, record_id=item.record_id or None)
                return _convert(item, where, ReadStats(), max_record_bytes)
        except OSError as err:
            return Failure(reason="read_error", message=f"no WARC record at byte {offset}: {err}", provenance=where)
    return Failure(reason="read_error", message=f"no WARC record at byte {offset}", provenance=where)


def _read(stream: BinaryIO, path: str, stats: ReadStats, max_record_bytes: int) -> Iterator[Page | Failure]:
    head = stream.read(8)
    if not head:
        yield Failure(reason="empty", message="empty file", provenance=Provenance(source=path))
        return
    compressed = head.startswith(GZIP_MAGIC)
    if compressed:
        stream.seek(0)
        head = _gunzip_head(stream.read(_HEADER_LIMIT))
    if not head.startswith(b"WARC/"):
        yield Failure(reason="read_error", message="not a WARC file", provenance=Provenance(source=path))
        return
    stream.seek(0)
    index = -1
    last_pos = 0
    try:
        for record in ArchiveIterator(stream, parse_http=False, quirks_mode=True):
            index += 1
            last_pos = record.stream_pos
            where = Provenance(
                source=path, record=index, offset=record.stream_pos, record_id=record.record_id or None
            )
            item = _convert(record, where, stats, max_record_bytes)
            if item is not None:
                yield item
            if isinstance(item, Failure) and item.reason == "truncated":
                return
    except OSError as err:
        where = Provenance(source=path, record=index + 1)
        yield Failure(reason="read_error", message=f"corrupt archive after record {index}: {err}", provenance=where)
        return
    problem = _tail_problem(stream, last_pos, compressed)
    if problem is not None:
        where = Provenance(source=path, record=max(index, 0), offset=last_pos)
        yield Failure(reason="truncated", message=f"archive is cut off: {problem}", provenance=where)
    elif index < 0:  # nothing at all came out, and nothing is said: that is a lost file
        yield Failure(reason="read_error", message="no WARC record could be read", provenance=Provenance(source=path))


def _convert(record: WarcRecord, where: Provenance, stats: ReadStats, max_record_bytes: int) -> Page | Failure | None:
    headers = record.headers
    wtype = (headers.get("WARC-Type") or "").strip().lower()
    if not wtype:
        return None  # a partial header: the tail check reports the cut
    if wtype not in ("response", "resource", "conversion"):
        stats.skip(wtype)
        return None
    block = record.reader.read(max_record_bytes + 1)
    url = headers.get("WARC-Target-URI") or None
    if len(block) > max_record_bytes:
        return Failure(
            reason="too_large", message=f"record {where.record} is over the cap of {max_record_bytes:,} bytes",
            id=where.record_id, url=url, provenance=where,
        )
    declared = _int(headers.get("Content-Length"))
    if declared is not None and len(block) < declared:
        return Failure(
            reason="truncated",
            message=f"archive is cut off inside record {where.record} ({len(block):,} of {declared:,} bytes)",
            id=where.record_id, url=url, provenance=where,
        )
    if not block.strip():
        stats.skip("empty_record")
        return None
    where = replace(where, date=headers.get("WARC-Date") or None)

    def page(data: bytes, kind: InputFormat, media: str | None, charset: str | None) -> Page:
        return Page(data=data, url=url, id=where.record_id, kind=kind, content_type=media, charset=charset,
                    provenance=where)

    warc_type, warc_charset = _media_type(headers.get("Content-Type"))
    if wtype == "conversion":
        return page(block, "text", warc_type or "text/plain", warc_charset)
    if wtype == "resource" or not block.startswith(b"HTTP/"):
        if warc_type in HTML_TYPES:
            return page(block, "auto", warc_type, warc_charset)
        stats.skip("non_html_" + wtype)
        return None
    status, http, body = split_http(block)
    if status is not None and 300 <= status < 400:
        stats.skip("redirect")
        return None
    if status is not None and status >= 400:
        stats.skip("http_error")
        return None
    media, charset = _media_type(http.get("content-type"))
    if media and media not in HTML_TYPES:
        stats.skip("non_html_response")
        return None
    try:
        body = _decode_transfer(body, http, max_record_bytes)
    except ThresherError as err:
        return Failure(reason=err.reason, message=f"record {where.record}: {err.message}",
                       id=where.record_id, url=url, provenance=where)
    if not body.strip():
        stats.skip("empty_record")
        return None
    return page(body, "auto", media, charset)


def split_http(block: bytes) -> tuple[int | None, dict[str, str], bytes]:
    """Status code, headers (lower-cased names) and body of an HTTP response block."""
    end, sep = block.find(b"\r\n\r\n", 0, _HEADER_LIMIT), 4
    if end < 0:
        end, sep = block.find(b"\n\n", 0, _HEADER_LIMIT), 2
    if end < 0:
        return None, {}, b""
    lines = block[:end].decode("latin-1").splitlines()
    parts = lines[0].split(None, 2) if lines else []
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return status, headers, block[end + sep:]


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media.strip().lower() or None, charset


def _decode_transfer(body: bytes, http: dict[str, str], max_bytes: int) -> bytes:
    """Undo chunked transfer coding and gzip/deflate content coding, when the body still has them."""
    if "chunked" in http.get("transfer-encoding", "").lower():
        body = _dechunk(body) or body
    coding = http.get("content-encoding", "").strip().lower()
    if coding in ("gzip", "x-gzip") and body.startswith(GZIP_MAGIC):
        return gunzip_stream(io.BytesIO(body), max_bytes=max_bytes)
    if coding == "deflate":
        for wbits in (15, -15):
            try:
                inflater = zlib.decompressobj(wbits=wbits)
                out = inflater.decompress(body, max_bytes + 1)
            except zlib.error:
                continue
            if len(out) > max_bytes:
                raise ThresherError("too_large", f"body inflates to more than {max_bytes:,} bytes")
            return out
    if coding in ("br", "zstd", "compress"):
        raise ThresherError("undecodable", f"content encoding {coding!r} is not supported")
    return body


def _dechunk(body: bytes) -> bytes | None:
    out = bytearray()
    pos = 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            return None
        size_text = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return None
        if size == 0:
            return bytes(out)
        out += body[eol + 2: eol + 2 + size]
        pos = eol + 2 + size + 2


def _tail_problem(stream: BinaryIO, last_pos: int, compressed: bool) -> str | None:
    """Whether the archive ends cleanly after the last record FastWARC returned."""
    stream.seek(last_pos)
    if compressed:
        if stream.read(2) != GZIP_MAGIC:
            stream.seek(0)
        else:
            stream.seek(last_pos)
        return gzip_tail_problem(stream)
    head = stream.read(_HEADER_LIMIT)
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return "the last record's header is incomplete" if head.strip() else None
    length = None
    for line in head[:end].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = _int(value.decode("latin-1"))
    if length is None:
        return "the last record has no Content-Length"
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    record_end = last_pos + end + 4 + length
    if size < record_end:
        return f"the last record needs {record_end - size:,} more bytes"
    stream.seek(record_end)
    rest = stream.read(_HEADER_LIMIT)
    if rest.strip():
        return "an incomplete record follows the last one"
    return None


def _gunzip_head(data: bytes) -> bytes:
    """The first bytes a gzip stream decompresses to (empty when it is corrupt)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, 16)
    except zlib.error:
        return b""


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
