"""Corpus records: one extraction result as a record of the run, and a kept record's last step.

Every input record ends in exactly one of four places: ``data`` (kept documents), ``rejected``
(filtered, with the reason), ``failed`` (broken input, with the reason) or ``duplicates`` (with
``duplicate_of``, the id of the survivor). Records are the JSON-ready dicts of
``Document.to_dict`` / ``Failure.to_dict`` (trafilatura's field names, read unchanged by datatrove's
JsonlReader), without the per-block ``removed`` list, and with a corpus id that is stable across
reruns and engines: ``<shard key>/<record number in the shard>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from thresher.dedup.boilerplate import line_keys, strip_boilerplate
from thresher.model import Document, Result

Kind = Literal["doc", "rejected", "failed"]

BOILERPLATE_REJECTED = "boilerplate:too_short"
"""The ``rejected`` value of a document that is too short once its site boilerplate is removed."""


@dataclass(frozen=True, slots=True)
class ShardRecord:
    """One result of a shard's extraction phase, in the shard's intermediate file."""

    n: int
    """Position of the record in its shard (the order the readers yielded it), from 0."""
    kind: Kind
    record: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "kind": self.kind, "record": self.record}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShardRecord:
        return cls(n=int(data["n"]), kind=data["kind"], record=dict(data["record"]))


def doc_id(shard_key: str, n: int) -> str:
    """The corpus id of record ``n`` of a shard."""
    return f"{shard_key}/{n}"


def shard_record(result: Result, *, shard_key: str, n: int) -> ShardRecord:
    """The run's record of one extraction result: a kept document, a rejected one, or a failure."""
    rid = doc_id(shard_key, n)
    if isinstance(result, Document):
        rec = result.to_dict(with_removed=False)
        rec["id"] = rid
        return ShardRecord(n=n, kind="doc" if result.rejected is None else "rejected", record=rec)
    rec = result.to_dict()
    rec["id"] = rid
    return ShardRecord(n=n, kind="failed", record=rec)


def site_of(record: Mapping[str, Any]) -> str | None:
    """The site a record belongs to for boilerplate counting: its hostname, else its URL's host."""
    host = record.get("hostname")
    if not host and isinstance(record.get("url"), str):
        host = urlsplit(record["url"]).hostname
    return host.lower() if isinstance(host, str) and host else None


def boilerplate_lines(text: str, keys: Set[int]) -> int:
    """How many lines of ``text`` are boilerplate (their key is in ``keys``)."""
    if not keys:
        return 0
    return sum(1 for key in line_keys(text) if key is not None and key in keys)


def finish_record(
    record: Mapping[str, Any], boilerplate: Set[int], *, min_length: int
) -> tuple[Kind, dict[str, Any], int]:
    """A kept document after its site's boilerplate lines are removed: ``(kind, record, lines removed)``.

    The text (and the Markdown, when the record carries it: line keys ignore punctuation, so Markdown
    marks do not matter) loses its boilerplate lines (and the fingerprint follows the new text); a document left
    shorter than ``min_length`` characters (or empty) becomes ``rejected`` as
    ``boilerplate:too_short``.
    """
    out = dict(record)
    text = out.get("text") or ""
    removed = boilerplate_lines(text, boilerplate)
    if removed:
        text = strip_boilerplate(text, boilerplate)
        out["text"] = text
        out["fingerprint"] = Document(text=text).fingerprint
        if isinstance(out.get("markdown"), str):  # the same lines, with their Markdown marks
            out["markdown"] = strip_boilerplate(out["markdown"], boilerplate)
    if removed and len(text.strip()) < max(1, min_length):
        out["rejected"] = BOILERPLATE_REJECTED
        return "rejected", out, removed
    return "doc", out, removed
