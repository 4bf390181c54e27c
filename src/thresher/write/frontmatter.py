"""YAML front matter for txt and Markdown output: ``---`` blocks of ``key: value`` lines.

Values are written as plain YAML scalars when that is safe and as double-quoted scalars otherwise.
A JSON string is a valid YAML double-quoted scalar that reads back exactly, so quoting needs no YAML
library: colons, quotes, ``#``, leading indicators, reserved words and line breaks all survive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from thresher.model import Document

FRONT_MATTER_FIELDS: tuple[str, ...] = (
    "title", "author", "url", "hostname", "description", "sitename", "date",
    "categories", "tags", "fingerprint", "id", "language",
)
"""Fields of the header, in trafilatura's order (without ``license``, which Thresher does not extract)."""

_RESERVED = frozenset(
    {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "none", "~", ".nan", ".inf", "-.inf"}
)
_PLAIN_SAFE = re.compile(r"[^\W\d_][^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]*")
"""Starts with a letter (no YAML indicator, no number), no control characters or line breaks."""
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
"""Characters JSON leaves raw that YAML rejects (C1 controls) or reads as line breaks; escaped."""


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string."""
    if (
        _PLAIN_SAFE.fullmatch(value)
        and value == value.strip()
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value.lower() not in _RESERVED
    ):
        return value
    return _double_quoted(value)


def yaml_sequence(values: Iterable[str]) -> str:
    """A flow sequence (``["a", "b: c"]``) of YAML-safe scalars."""
    return "[" + ", ".join(_double_quoted(v) for v in values) + "]"


def _double_quoted(value: str) -> str:
    quoted = json.dumps(value, ensure_ascii=False)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def front_matter(doc: Document, fields: Sequence[str] = FRONT_MATTER_FIELDS) -> str:
    """The ``---`` header with the document's non-empty fields, or ``""`` when all are empty."""
    lines: list[str] = []
    for name in fields:
        value = getattr(doc, name)
        if not value:
            continue
        if isinstance(value, tuple | list):
            lines.append(f"{name}: {yaml_sequence(str(v) for v in value)}")
        else:
            lines.append(f"{name}: {yaml_scalar(str(value))}")
    if not lines:
        return ""
    return "---\n" + "\n".join(lines) + "\n---\n"
