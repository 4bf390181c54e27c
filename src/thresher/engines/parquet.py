"""Parquet parts of a run's ``data/`` (the ``[parquet]`` extra): one row per document, fixed schema.

The columns are the JSONL record's fields with fixed types, so every part of a corpus has the same
schema (``text`` and ``id`` for datatrove's ParquetReader; the rest is metadata). A field a JSONL
record leaves out when empty (``markdown``, ``html``, ``comments``, ``removed``, ``headlines``) is
null here.

Files are written in row groups as records come (``ParquetWriter``), so memory holds one group
however many documents a file gets, and appear under their name only when complete.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

GROUP_ROWS = 1_000
"""Rows per row group: what a streaming writer holds in memory at most (with ``GROUP_BYTES``)."""
GROUP_BYTES = 64 << 20
"""Characters of text (text, Markdown, HTML, removed blocks) that close a row group early."""

STRING_COLUMNS = ("id", "url", "hostname", "title", "author", "date", "sitename", "description", "language",
                  "image", "pagetype", "fingerprint", "text", "markdown", "comments", "mode", "rejected", "source")
LIST_COLUMNS = ("categories", "tags")


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise RuntimeError("--format parquet needs pyarrow: pip install 'thresher[parquet]'") from err
    return pyarrow


def schema() -> Any:
    pa = _pyarrow()
    fields = [pa.field(name, pa.string()) for name in STRING_COLUMNS[:12]]
    fields += [pa.field(name, pa.list_(pa.string())) for name in LIST_COLUMNS]
    fields += [pa.field(name, pa.string()) for name in STRING_COLUMNS[12:]]
    fields.append(pa.field("provenance", pa.struct([
        pa.field("source", pa.string()), pa.field("record", pa.int64()),
        pa.field("offset", pa.int64()), pa.field("record_id", pa.string()), pa.field("date", pa.string()),
    ])))
    fields.append(pa.field("headlines", pa.list_(pa.struct([  # a removed ticker's lines, as in JSONL
        pa.field("time", pa.string()), pa.field("headline", pa.string()),
    ]))))
    fields.append(pa.field("story", pa.string()))  # set by ``run --stories``, null before
    fields.append(pa.field("html", pa.string()))  # ``--with-html``
    fields.append(pa.field("removed", pa.list_(pa.struct([  # the removed blocks, labels and reasons
        pa.field("label", pa.string()), pa.field("reason", pa.string()),
        pa.field("text", pa.string()), pa.field("index", pa.int64()),
    ]))))
    return pa.schema(fields)


class ParquetWriter:
    """Records into one Parquet file (zstd), a row group at a time: at most ``group_rows`` records
    (or about ``group_bytes`` characters of text) are held in memory. The rows go to a temporary
    file beside ``path`` that becomes ``path`` (fsynced, renamed) on ``close``; ``abort`` removes
    it, so ``path`` never holds half a file."""

    def __init__(self, path: Path, *, group_rows: int = GROUP_ROWS, group_bytes: int = GROUP_BYTES) -> None:
        self._pa = _pyarrow()
        self._schema = schema()
        self.path = Path(path)
        self._tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        self._handle: IO[bytes] | None = open(self._tmp, "wb")  # noqa: SIM115 - closed in close/abort
        try:
            self._writer = self._pa.parquet.ParquetWriter(self._handle, self._schema, compression="zstd")
        except BaseException:
            self._handle.close()
            self._tmp.unlink(missing_ok=True)
            raise
        self._group_rows, self._group_bytes = group_rows, group_bytes
        self._rows: list[dict[str, Any]] = []
        self._chars = 0
        self.rows = 0
        """Records written so far."""

    def write(self, record: Mapping[str, Any]) -> None:
        if self._handle is None:
            raise ValueError("write to a closed ParquetWriter")
        self._rows.append({name: record.get(name) for name in self._schema.names})
        self._chars += _text_size(record)
        self.rows += 1
        if len(self._rows) >= self._group_rows or self._chars >= self._group_bytes:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            try:
                table = self._pa.Table.from_pylist(self._rows, schema=self._schema)
            except UnicodeEncodeError:  # a file name that is not UTF-8: its JSON escape, as in JSONL parts
                table = self._pa.Table.from_pylist([_utf8(row) for row in self._rows], schema=self._schema)
            self._writer.write_table(table)
        self._rows, self._chars = [], 0

    def close(self) -> None:
        """Write what is left, and put the file in place; safe to call twice."""
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            self._flush()
            self._writer.close()
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            handle.close()
            self._tmp.unlink(missing_ok=True)
            raise

    def abort(self) -> None:
        """Drop the file being written (``path`` is left as it was); safe after ``close``."""
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            self._writer.close()
        finally:
            handle.close()
            self._tmp.unlink(missing_ok=True)


def _text_size(record: Mapping[str, Any]) -> int:
    size = sum(len(record.get(name) or "") for name in ("text", "markdown", "html", "comments"))
    return size + sum(len(block.get("text") or "") for block in record.get("removed") or ())


def write_parquet(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    """Write ``records`` as one Parquet file (zstd), atomically, a row group at a time."""
    writer = ParquetWriter(path)
    try:
        for rec in records:
            writer.write(rec)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def read_parquet(path: Path) -> list[dict[str, Any]]:
    """The records of a Parquet part written by ``write_parquet`` (columns that are null everywhere
    in a record stay as ``None``)."""
    pa = _pyarrow()
    return list(pa.parquet.read_table(path).to_pylist())


def _utf8(value: Any) -> Any:
    """``value`` with every string UTF-8 can hold: a lone surrogate (``caf\\udce9``) becomes the text of
    its escape (``caf\\\\udce9``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _utf8(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_utf8(item) for item in value]
    return value
