"""The counts of a run: per shard, merged into one summary (``OUT/stats.json``).

Accounting: every record the readers yielded is counted once in ``records`` and ends in exactly one
of ``output``, ``rejected``, ``failed`` or ``duplicates``; ``check()`` says whether that holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_INTS = ("shards", "files", "records", "extracted", "output", "duplicates", "boilerplate_lines_removed",
         "boilerplate_documents_changed")
_COUNTERS = ("rejected", "failed", "skipped")


@dataclass(slots=True)
class RunStats:
    """Counts of one shard or of a whole run; ``merge`` adds another's counts to this one."""

    shards: int = 0
    files: int = 0
    records: int = 0
    """Records the readers yielded (pages and read failures)."""
    extracted: int = 0
    """Documents the extraction accepted (before deduplication and boilerplate removal)."""
    output: int = 0
    """Documents written to ``data/``."""
    duplicates: int = 0
    boilerplate_lines_removed: int = 0
    boilerplate_documents_changed: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    """Records the readers passed over on purpose (WARC requests, metadata, non-HTML...)."""
    dedup: dict[str, Any] = field(default_factory=dict)
    """Corpus-level counts of the dedup phase (pairs, groups, boilerplate lines per site)."""
    stories: dict[str, Any] = field(default_factory=dict)
    """Counts of ``run --stories`` (items, stories, multi_member, in_multi_member); empty without it."""

    def merge(self, other: RunStats) -> RunStats:
        for name in _INTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _COUNTERS:
            getattr(self, name).update(getattr(other, name))
        self.dedup.update(other.dedup)
        self.stories.update(other.stories)
        return self

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def n_failed(self) -> int:
        return sum(self.failed.values())

    def check(self) -> bool:
        """Whether every record is accounted for (output + rejected + failed + duplicates)."""
        return self.records == self.output + self.n_rejected + self.n_failed + self.duplicates

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in _INTS}
        for name in _COUNTERS:
            out[name] = dict(sorted(getattr(self, name).items()))
        out["dedup"] = dict(sorted(self.dedup.items()))
        if self.stories:
            out["stories"] = dict(sorted(self.stories.items()))
        out["accounted"] = self.check()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunStats:
        stats = cls()
        for name in _INTS:
            setattr(stats, name, int(data.get(name, 0)))
        for name in _COUNTERS:
            getattr(stats, name).update(data.get(name, {}))
        stats.dedup.update(data.get("dedup", {}))
        stats.stories.update(data.get("stories", {}))
        return stats

    def summary(self) -> str:
        """One line for stderr."""
        def reasons(counts: Counter[str], most: int | None = None) -> str:
            if not counts:
                return ""
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            shown = ", ".join(f"{k} {v}" for k, v in top[:most])
            return f" ({shown}{', ...' if most is not None and len(top) > most else ''})"

        skipped = sum(self.skipped.values())
        return (
            f"thresher run: {self.shards} shards, {self.records} records: {self.output} written, "
            f"{self.n_rejected} rejected{reasons(self.rejected)}, {self.n_failed} failed{reasons(self.failed)}, "
            f"{self.duplicates} duplicates; {self.boilerplate_lines_removed} boilerplate lines removed"
            + (f"; {skipped} archive records skipped{reasons(self.skipped, 3)}" if skipped else "")
        )
