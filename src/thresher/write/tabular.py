"""CSV output: one row per document or error, RFC 4180 quoting by the ``csv`` module.

Columns follow trafilatura's CSV (url, id, fingerprint, hostname, title, image, date, text, comments,
pagetype) plus the fields a corpus pipeline needs to filter on (author, sitename, language, rejected,
description, and categories and tags joined with ``;``) and, for failures, ``error`` and ``message``.
Missing values are empty cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from thresher.model import Document, Result

CSV_COLUMNS: tuple[str, ...] = (
    "url", "id", "fingerprint", "hostname", "title", "author", "sitename", "date", "language",
    "image", "pagetype", "text", "comments", "rejected", "error", "message", "source", "description",
    "categories", "tags",
)


def csv_header(columns: Sequence[str] = CSV_COLUMNS) -> str:
    """The header row."""
    return _row(list(columns))


def render_csv(result: Result, *, with_metadata: bool = False) -> str:
    """One row (newline-terminated; fields with commas, quotes or line breaks are quoted)."""
    if isinstance(result, Document):
        values: dict[str, str | None] = {
            "url": result.url,
            "id": result.id,
            "fingerprint": result.fingerprint,
            "hostname": result.hostname,
            "title": result.title,
            "author": result.author,
            "sitename": result.sitename,
            "date": result.date,
            "language": result.language,
            "image": result.image,
            "pagetype": result.page_type,
            "text": result.text,
            "comments": result.comments,
            "rejected": str(result.rejected) if result.rejected else None,
            "source": result.provenance.source,
            "description": result.description,
            "categories": ";".join(result.categories),
            "tags": ";".join(result.tags),
        }
    else:
        values = {
            "url": result.url,
            "id": result.id,
            "error": result.reason,
            "message": result.message,
            "source": result.provenance.source,
        }
    return _row([values.get(c) or "" for c in CSV_COLUMNS])


def _row(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()
