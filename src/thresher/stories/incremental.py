"""Stories from a stream: each item, in time order, joins an open story or opens a new one.

The rule is the batch rule seen from one side: an item joins the open story with the highest mean
score over its members, if that mean is at least ``merge`` and one member scores ``link`` or more.
After a join, the grown story is checked against the other stories the item linked to and merged
with one when the batch rule would have merged them. Stories whose last item is older than the
window are retired (moved out of the working set), so memory stays bounded by the window; document
frequencies for the IDF weights are counted over the working set only. An undated document
(``Item.document`` without a timestamp) joins only a story with a near-identical item, and no item
joins a story through its similarity to one (``cluster.UndatedGate`` in batch).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from thresher.stories.cluster import _result, _text, _weights, build_story, content_headline
from thresher.stories.collapse import jaccard, shingles
from thresher.stories.model import Item, StoriesOptions, StoriesResult, Story
from thresher.stories.similarity import F32, Backend, idf_table, make_backend, score_matrix
from thresher.stories.text import Terms, terms


@dataclass(slots=True)
class _Entry:
    item: Item
    terms: Terms
    shingles: frozenset[str]
    vector: F32 | None
    story: int


@dataclass(slots=True)
class _Open:
    entries: list[_Entry] = field(default_factory=list)
    last: float = float("-inf")


class StoryIndex:
    """Incremental story clustering with a time window (see the module docstring)."""

    def __init__(self, options: StoriesOptions | None = None, *, backend: Backend | None = None) -> None:
        self.options = options or StoriesOptions()
        self.backend = backend or make_backend(self.options.backend)
        self.weights = _weights(self.backend.weights, self.options)
        self._open: dict[int, _Open] = {}
        self._done: list[Story] = []
        self._df: Counter[str] = Counter()
        self._postings: dict[str, set[int]] = {}
        self._keys: dict[str, int] = {}
        self._next = 0
        self._items = 0
        self._collapsed = 0
        self._size = 0  # entries of the open stories
        self._oldest = float("inf")  # at most the oldest ``last`` of an open story: none retires before it

    def __len__(self) -> int:
        """Items in the working set."""
        return self._size

    def add(self, item: Item) -> str:
        """Place one item and return the id of the story it is in now (a later merge may change it)."""
        vectors = self.backend.encode([_text(item)])
        return self._place(item, None if vectors is None else vectors[0])

    def add_many(self, items: Sequence[Item]) -> list[str]:
        """Place items in their order, as ``add`` one after the other would, with their sentence
        vectors computed in one batch (several times faster per item than one at a time); each
        item's story id as ``add`` returns it."""
        vectors = self.backend.encode([_text(item) for item in items]) if items else None
        return [self._place(item, None if vectors is None else vectors[k]) for k, item in enumerate(items)]

    def _place(self, item: Item, vector: F32 | None) -> str:
        self._items += 1
        t = terms(content_headline(item), item.lead)
        now = item.timestamp.timestamp() if item.timestamp is not None else None
        if now is not None:
            self._retire(now - self.options.window_hours * 3600.0)
        sh = shingles(t.key + (" " + item.lead if item.lead else ""))
        strict = _undated_document(item)
        target = self._near_identical(t, sh, exact=not strict)
        linked: list[int] = []
        if target is None and not strict:  # an undated document joins only a near-identical item
            target, linked = self._best_story(t, vector, item)
        else:
            self._collapsed += 1
        if target is None:
            target = self._next
            self._next += 1
            self._open[target] = _Open()
        entry = _Entry(item=item, terms=t, shingles=sh, vector=vector, story=target)
        self._join(entry, target, now)
        for other in linked:
            if other != target and other in self._open and self._should_merge(target, other):
                target = self._merge(target, other)
        return build_story([e.item for e in self._open[target].entries],
                           [e.terms for e in self._open[target].entries], None).id

    def retire_before(self, seconds: float) -> None:
        """Retire stories whose newest item is older than this POSIX time."""
        self._retire(seconds)

    def pop_retired(self) -> list[Story]:
        """Stories retired so far (and forget them): for streaming output with bounded memory."""
        done, self._done = self._done, []
        return done

    def result(self) -> StoriesResult:
        """All stories: retired ones not yet popped, then the open ones."""
        stories = list(self._done) + [self._story(s) for s in self._open.values()]
        groups = self._items - self._collapsed
        return _result(stories, self.backend.name, items=self._items, groups=groups)

    # -- internals ---------------------------------------------------------------------------------

    def _near_identical(self, t: Terms, sh: frozenset[str], *, exact: bool = True) -> int | None:
        same = self._keys.get(t.key) if exact else None
        if same is not None and same in self._open:
            return same
        threshold = self.options.collapse_threshold
        for sid in self._candidates(t):
            for e in self._open[sid].entries:
                if jaccard(sh, e.shingles) >= threshold:
                    return sid
        return None

    def _candidates(self, t: Terms) -> set[int]:
        found: set[int] = set()
        for w in set(t.words):
            found |= self._postings.get(w, set())
        return {sid for sid in found if sid in self._open}

    def _best_story(self, t: Terms, vector: F32 | None, item: Item) -> tuple[int | None, list[int]]:
        sids = self._candidates(t)
        if vector is not None:
            sids = set(self._open)
        if not sids:
            return None, []
        entries = [e for sid in sorted(sids) for e in self._open[sid].entries if not _undated_document(e.item)]
        if not entries:
            return None, []
        # IDF of the words the scores read: the item's and those of the entries sharing one with it
        # (the stories of its words' postings); every other entry's lexical cosine is 0
        lexical = entries if vector is None else [e for sid in sorted(self._candidates(t)) for e in self._open[sid].entries]
        idf = self._idf(len(self) + 1, [t.words, *(e.terms.words for e in lexical)], added=frozenset(t.words))
        col_vectors = None if vector is None else np.stack([e.vector for e in entries])  # type: ignore[misc]
        row = score_matrix(
            [t], [e.terms for e in entries], idf, self.weights,
            row_vectors=None if vector is None else vector[None, :], col_vectors=col_vectors,
            row_times=[item.timestamp], col_times=[e.item.timestamp for e in entries],
            window_hours=self.options.window_hours,
        )[0]
        per_story: dict[int, list[float]] = {}
        for e, s in zip(entries, row.tolist(), strict=True):
            per_story.setdefault(e.story, []).append(s)
        best, best_mean, linked = None, -np.inf, []
        for sid, values in per_story.items():
            if max(values) >= self.weights.link:
                linked.append(sid)
                mean = sum(values) / len(values)
                if mean >= self.weights.merge and mean > best_mean:
                    best, best_mean = sid, mean
        return best, linked

    def _should_merge(self, a: int, b: int) -> bool:
        ea, eb = self._open[a].entries, self._open[b].entries
        idf = self._idf(max(1, len(self)), [e.terms.words for e in (*ea, *eb)])
        va = None if ea[0].vector is None else np.stack([e.vector for e in ea])  # type: ignore[misc]
        vb = None if eb[0].vector is None else np.stack([e.vector for e in eb])  # type: ignore[misc]
        scores = score_matrix(
            [e.terms for e in ea], [e.terms for e in eb], idf, self.weights, row_vectors=va, col_vectors=vb,
            row_times=[e.item.timestamp for e in ea], col_times=[e.item.timestamp for e in eb],
            window_hours=self.options.window_hours,
        )
        threshold = self.options.collapse_threshold
        undated_a = [_undated_document(e.item) for e in ea]
        undated_b = [_undated_document(e.item) for e in eb]
        if any(undated_a) or any(undated_b):  # pairs with an undated document count only between near-copies
            for i, left in enumerate(ea):
                for j, right in enumerate(eb):
                    if (undated_a[i] or undated_b[j]) and jaccard(left.shingles, right.shingles) < threshold:
                        scores[i, j] = -np.inf
        finite = np.where(np.isfinite(scores), scores, -1e6)
        return bool(finite.max() >= self.weights.link and finite.mean() >= self.weights.merge)

    def _idf(self, n: int, rows: Iterable[Iterable[str]], *, added: frozenset[str] = frozenset()) -> dict[str, float]:
        """``idf_table`` of the working set's document frequencies (``added``: words counted once
        more, the item being placed) among ``n`` items, for the words of ``rows`` only: the entries
        that the scores read, the same numbers as the whole table's."""
        df = self._df
        counts: dict[str, int] = {}
        for row in rows:
            for w in row:
                if w not in counts:
                    counts[w] = df.get(w, 0) + (w in added)
        return idf_table({w: c for w, c in counts.items() if c}, n)

    def _join(self, entry: _Entry, sid: int, now: float | None) -> None:
        story = self._open[sid]
        story.entries.append(entry)
        self._size += 1
        if now is not None:
            story.last = max(story.last, now)
            self._oldest = min(self._oldest, story.last)
        for w in set(entry.terms.words):
            self._df[w] += 1
            self._postings.setdefault(w, set()).add(sid)
        self._keys[entry.terms.key] = sid

    def _merge(self, a: int, b: int) -> int:
        keep, gone = min(a, b), max(a, b)
        moved = self._open.pop(gone)
        story = self._open[keep]
        for e in moved.entries:
            e.story = keep
            story.entries.append(e)
            for w in set(e.terms.words):
                posting = self._postings.setdefault(w, set())
                posting.discard(gone)
                posting.add(keep)
            self._keys[e.terms.key] = keep
        story.last = max(story.last, moved.last)
        return keep

    def _retire(self, before: float) -> None:
        if before <= self._oldest:  # no open story is older
            return
        old = [sid for sid, s in self._open.items() if s.last != float("-inf") and s.last < before]
        self._oldest = min((s.last for s in self._open.values() if s.last != float("-inf") and s.last >= before),
                           default=float("inf"))
        for sid in old:
            story = self._open.pop(sid)
            self._size -= len(story.entries)
            self._done.append(self._story(story))
            for e in story.entries:
                for w in set(e.terms.words):
                    self._df[w] -= 1
                    if self._df[w] <= 0:
                        del self._df[w]
                    posting = self._postings.get(w)
                    if posting is not None:
                        posting.discard(sid)
                        if not posting:
                            del self._postings[w]
                if self._keys.get(e.terms.key) == sid:
                    del self._keys[e.terms.key]

    def _story(self, story: _Open) -> Story:
        return build_story([e.item for e in story.entries], [e.terms for e in story.entries], None)


def _undated_document(item: Item) -> bool:
    """``cluster.UndatedGate``'s items: documents without a timestamp."""
    return item.document and item.timestamp is None
