"""Options of corpus deduplication: frozen values, the one home of their defaults."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from thresher.dedup.lsh import optimal_bands
from thresher.dedup.verify import Measure

DedupMode = Literal["exact", "near"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupOptions:
    """How to find duplicate documents in a corpus."""

    mode: DedupMode = "near"
    """``exact``: same normalised text only. ``near``: also texts whose shingle sets are similar."""
    threshold: float = 0.8
    """Least similarity (of ``measure``) of two shingle sets for a near-duplicate pair."""
    measure: Measure = "jaccard"
    """``jaccard`` or ``containment`` (share of the smaller text's shingles found in the other)."""
    ngram: int = 5
    """Words per shingle (texts with fewer words make one shingle of all of them)."""
    num_perm: int = 128
    """MinHash signature length: more is a finer estimate and slower hashing."""
    bands: int | None = None
    """LSH bands; with ``rows`` None, both are chosen for the threshold (``lsh.optimal_bands``)."""
    rows: int | None = None
    """Signature values per LSH band."""
    seed: int = 1
    """Seed of the MinHash permutations: signatures are comparable only under the same seed."""
    batch_size: int = 1024
    """Documents hashed together (bigger batches amortise numpy calls; memory grows with it)."""

    def __post_init__(self) -> None:
        if self.mode not in ("exact", "near"):
            raise ValueError(f"unknown dedup mode {self.mode!r}")
        if self.measure not in ("jaccard", "containment"):
            raise ValueError(f"unknown similarity measure {self.measure!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.ngram < 1 or self.num_perm < 1 or self.batch_size < 1:
            raise ValueError("ngram, num_perm and batch_size must be at least 1")
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither")
        if self.bands is not None and self.rows is not None and (
            self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm
        ):
            raise ValueError(f"{self.bands} bands of {self.rows} rows do not fit {self.num_perm} values")

    def band_layout(self) -> tuple[int, int]:
        """``(bands, rows)``: as given, or the recall-weighted optimum for the threshold."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        return optimal_bands(min(self.threshold, 0.99), self.num_perm)

    def with_(self, **changes: object) -> DedupOptions:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
