"""Parquet parts of a run's ``data/`` (the ``[parquet]`` extra): one row per document, fixed schema.

The columns are the JSONL record's fields with fixed types, so every part of a corpus has the same
schema (``text`` and ``id`` for datatrove's ParquetReader; the rest is metadata). A field a JSONL
record leaves out when empty (``markdown``, ``comments``, ``headlines``) is null here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from thresher.engines.workdir import atomic_file

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
    return pa.schema(fields)


def write_parquet(path: Path, records: Sequence[Mapping[str, Any]]) -> None:
    """Write ``records`` as one Parquet file (zstd), atomically."""
    pa = _pyarrow()
    sch = schema()
    rows = [{name: rec.get(name) for name in sch.names} for rec in records]
    table = pa.Table.from_pylist(rows, schema=sch)
    with atomic_file(path) as handle:
        pa.parquet.write_table(table, handle, compression="zstd")


def read_parquet(path: Path) -> list[dict[str, Any]]:
    """The records of a Parquet part written by ``write_parquet`` (columns that are null everywhere
    in a record stay as ``None``)."""
    pa = _pyarrow()
    return list(pa.parquet.read_table(path).to_pylist())
