"""JSON and JSON Lines output: one record per document or error, in trafilatura's field names.

Documents are ``Document.to_dict()`` (text, metadata, ``removed`` blocks with labels and reasons, and
``rejected``); failures are ``Failure.to_dict()`` with ``error`` and ``message``. Non-ASCII text is
written as is (UTF-8), so records stay readable and compact.
"""

from __future__ import annotations

import json
from typing import Any

from thresher.model import Document, Result


def record(result: Result) -> dict[str, Any]:
    """The JSON-ready record of a result."""
    if isinstance(result, Document):
        return result.to_dict()
    return result.to_dict()


def render_jsonl(result: Result, *, with_metadata: bool = False) -> str:
    """One compact line (newline-terminated); ``with_metadata`` is accepted for symmetry, records are whole."""
    return json.dumps(record(result), ensure_ascii=False, separators=(",", ":")) + "\n"


def render_json(result: Result, *, with_metadata: bool = False, indent: int | None = 2) -> str:
    """One JSON object, pretty-printed unless ``indent`` is None (no trailing newline)."""
    if indent is None:
        return json.dumps(record(result), ensure_ascii=False, separators=(",", ":"))
    return json.dumps(record(result), ensure_ascii=False, indent=indent)
