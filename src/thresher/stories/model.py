"""The vocabulary of story clustering: items in, stories out, and the options in between."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

BackendName = Literal["auto", "lexical", "embedding"]


@dataclass(frozen=True, slots=True)
class Item:
    """One headline to be grouped: what a news page or a feed line says about itself."""

    id: str
    headline: str
    lead: str | None = None
    """First paragraph or description; adds words to compare, never named entities."""
    outlet: str | None = None
    """Host name of the publisher (``nytimes.com``)."""
    url: str | None = None
    timestamp: datetime | None = None
    """Publication (or fetch) time; items further apart than the window never share a story."""
    document: bool = False
    """Made from a document record (an extracted page: ``thresher extract``/``run`` output), not from a
    headline. A document without a timestamp has no time window, and pages on one topic (evergreen
    guides, product and service pages) resemble each other without reporting one event: such an item
    joins a story only with a near-identical item (``StoriesOptions.collapse_threshold`` on headline
    plus lead, a copy of the same article). Headlines without a timestamp (a ticker) cluster as usual."""


@dataclass(frozen=True, slots=True)
class Story:
    """A group of items that report the same real-world event."""

    id: str
    """Stable: a hash of the earliest member's folded headline, so re-runs and input order agree."""
    headline: str
    """The most central member's headline (highest mean similarity to the other members)."""
    members: tuple[str, ...]
    """Item ids, earliest first."""
    outlets: tuple[str, ...] = ()
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class StoriesResult:
    """Stories, largest first, and the story id of every item."""

    stories: tuple[Story, ...]
    assignments: Mapping[str, str] = field(default_factory=dict)
    """Item id -> story id."""
    backend: str = "lexical"
    counts: Mapping[str, int] = field(default_factory=dict)
    """Per-stage counters: ``items``, ``collapsed`` (items folded into a near-identical one),
    ``groups`` (after collapse), ``stories``, ``multi_member``."""

    def story_of(self, item_id: str) -> str:
        return self.assignments[item_id]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoriesOptions:
    """How to group items into stories. ``None`` thresholds take the chosen backend's tuned values."""

    backend: BackendName = "auto"
    """``embedding`` needs the ``[stories]`` extra; ``auto`` uses it when installed, else ``lexical``."""
    collapse_threshold: float = 0.8
    """Jaccard of character 4-gram shingles at or above which two items are the same headline."""
    link_threshold: float | None = None
    """A story's members are connected by pair scores at or above this (no chaining through weak pairs)."""
    merge_threshold: float | None = None
    """Two groups merge only if their mean pair score is at or above this (average link)."""
    window_hours: float = 72.0
    """Items with timestamps further apart than this never share a story; the incremental index
    also retires stories not seen for this long."""
    max_block: int = 1000
    """Blocking: a content term shared by more items than this makes no candidate pairs (``pairs``)."""
    max_component: int = 2000
    """A group of strongly linked items larger than this is split at a stricter link threshold
    (average link is cubic in the group's size)."""
    max_batch: int = 1_000_000
    """Larger inputs go through the incremental index in time order (bounded memory)."""
