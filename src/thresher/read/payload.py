"""Whole-file payloads: read one file's bytes under a size cap, gunzipping on the fly.

Gzip members are decompressed as a stream and the output is cut at the cap, so a gzip bomb costs
at most the cap in memory. Problems raise :class:`ThresherError` with a stable reason code
(``read_error``, ``empty``, ``too_large``, ``truncated``) for the reader to turn into a Failure.
"""

from __future__ import annotations

import zlib
from typing import BinaryIO

from thresher.errors import ThresherError
from thresher.model import Failure, Provenance

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


def read_payload(path: str, *, max_bytes: int) -> bytes:
    """The (decompressed, when gzip) bytes of a file; raises ThresherError for broken files."""
    try:
        with open(path, "rb") as stream:
            return read_stream(stream, max_bytes=max_bytes)
    except FileNotFoundError:
        raise ThresherError("read_error", f"no such file: {path}") from None
    except IsADirectoryError:
        raise ThresherError("read_error", f"is a directory: {path}") from None
    except OSError as err:
        raise ThresherError("read_error", f"cannot read {path}: {err.strerror or err}") from None


def open_source(path: str) -> BinaryIO | Failure:
    """The file opened for binary reading (the caller closes it), or the Failure that says why not."""
    try:
        return open(path, "rb")
    except FileNotFoundError:
        message = f"no such file: {path}"
    except OSError as err:
        message = f"cannot read {path}: {err.strerror or err}"
    return Failure(reason="read_error", message=message, provenance=Provenance(source=path))


def read_stream(stream: BinaryIO, *, max_bytes: int) -> bytes:
    """Like :func:`read_payload`, for an open binary stream."""
    head = stream.read(2)
    if head == GZIP_MAGIC:
        data = gunzip_stream(stream, max_bytes=max_bytes, prefix=head)
    else:
        data = head + stream.read(max(max_bytes + 1 - len(head), 0))
        if len(data) > max_bytes:
            raise ThresherError("too_large", f"file is over the cap of {max_bytes:,} bytes")
    if not data:
        raise ThresherError("empty", "empty file")
    return data


def gunzip_stream(stream: BinaryIO, *, max_bytes: int, prefix: bytes = b"") -> bytes:
    """Decompress every gzip member of a stream, stopping with ``too_large`` past ``max_bytes``."""
    out = bytearray()
    inflater = zlib.decompressobj(wbits=31)
    in_member = False
    chunk = prefix
    while True:
        if not chunk:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
        if not in_member:
            if not chunk.strip(b"\x00"):  # zero padding after the last member
                chunk = b""
                continue
            inflater = zlib.decompressobj(wbits=31)
            in_member = True
        try:
            out += inflater.decompress(chunk, max_bytes + 1 - len(out))
        except zlib.error as err:
            raise ThresherError("read_error", f"corrupt gzip data: {err}") from None
        if len(out) > max_bytes:
            raise ThresherError(
                "too_large", f"decompresses to more than the cap of {max_bytes:,} bytes"
            )
        if inflater.eof:
            in_member = False
            chunk = inflater.unused_data
        else:
            chunk = inflater.unconsumed_tail
    if in_member:
        raise ThresherError(
            "truncated", f"gzip stream ends in the middle of a member after {len(out):,} bytes"
        )
    return bytes(out)


def gzip_tail_problem(stream: BinaryIO) -> str | None:
    """Read gzip members from the stream's position to its end, discarding the output.

    Returns None when every member is complete, else what is wrong (cut off, or corrupt).
    """
    inflater = zlib.decompressobj(wbits=31)
    in_member = False
    chunk = b""
    while True:
        if not chunk:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
        if not in_member:
            if not chunk.strip(b"\x00"):
                chunk = b""
                continue
            inflater = zlib.decompressobj(wbits=31)
            in_member = True
        try:
            inflater.decompress(chunk, _CHUNK)
        except zlib.error as err:
            return f"corrupt gzip data ({err})"
        if inflater.eof:
            in_member = False
            chunk = inflater.unused_data
        else:
            chunk = inflater.unconsumed_tail
    return "the last gzip member is cut off" if in_member else None
