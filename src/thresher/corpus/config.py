"""The configuration of one ``thresher run``: frozen, and fingerprinted so a rerun can check it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from thresher.dedup.options import DedupOptions
from thresher.options import Options

OutputFormat = Literal["jsonl", "parquet"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunConfig:
    """Everything that decides the bytes of a run's output (and nothing that does not: workers,
    engine and progress display are left out, so either engine continues the other's run)."""

    options: Options = field(default_factory=Options)
    """Extraction options; ``min_text_length`` and ``target_language`` are the run's filters."""
    dedup: DedupOptions | None = field(default_factory=DedupOptions)
    """Duplicate detection (``exact`` or ``near``); None turns deduplication off."""
    boilerplate: bool = True
    """Remove lines repeated on many distinct stories of one site (``dedup.boilerplate``)."""
    boilerplate_min_documents: int = 5
    """A line is site boilerplate when found on at least this many distinct non-duplicate
    documents of the site."""
    output_format: OutputFormat = "jsonl"
    compress: bool = False
    """gzip the JSONL files (``.jsonl.gz``)."""
    shard_size: int = 1000
    """Single-page files (HTML, text) per shard; archives and JSONL files are one shard each."""

    def __post_init__(self) -> None:
        if self.output_format not in ("jsonl", "parquet"):
            raise ValueError(f"unknown output format {self.output_format!r}")
        if self.boilerplate_min_documents < 1 or self.shard_size < 1:
            raise ValueError("boilerplate_min_documents and shard_size must be at least 1")

    @property
    def min_length(self) -> int:
        return self.options.min_text_length

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for the work directory's record of the run)."""
        return {
            "options": asdict(self.options),
            "dedup": asdict(self.dedup) if self.dedup is not None else None,
            "boilerplate": self.boilerplate,
            "boilerplate_min_documents": self.boilerplate_min_documents,
            "output_format": self.output_format,
            "compress": self.compress,
            "shard_size": self.shard_size,
        }

    def fingerprint(self) -> str:
        """A short stable hash of ``to_dict()``: equal configurations give equal outputs."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hashlib.blake2b(blob, digest_size=8).hexdigest()
