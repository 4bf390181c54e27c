"""Stage 3: groups of near-identical items -> stories, in one batch.

Clustering is average-link agglomeration with a link gate: two clusters merge only if the mean score
over all their cross pairs is at least ``merge`` and at least one cross pair scores ``link`` or more.
The gate means every story is connected by strong pairs, so the work splits into the connected
components of the strong-pair graph, each clustered on its own (small) score matrix. Unlike
single-link at a loose threshold, a chain of weak resemblances never joins two events.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from thresher.dedup.groups import UnionFind
from thresher.stories.collapse import collapse
from thresher.stories.model import Item, StoriesOptions, StoriesResult, Story
from thresher.stories.similarity import F32, Backend, Weights, idf_table, make_backend, score_matrix
from thresher.stories.text import Terms, terms


def cluster_stories(
    items: Iterable[Item], options: StoriesOptions | None = None, *, backend: Backend | None = None
) -> StoriesResult:
    """Group items into stories (batch: every item is compared with every other in its window)."""
    opts = options or StoriesOptions()
    items = list(items)
    _check_ids(items)
    chosen = backend or make_backend(opts.backend)
    if len(items) > opts.max_batch:
        from thresher.stories.incremental import StoryIndex

        index = StoryIndex(opts, backend=chosen)
        for item in sorted(items, key=_time_key):
            index.add(item)
        return index.result()
    weights = _weights(chosen.weights, opts)
    all_terms = [terms(it.headline, it.lead) for it in items]
    keys = [t.key + (" " + it.lead if it.lead else "") for t, it in zip(all_terms, items, strict=True)]
    stamps = [it.timestamp.timestamp() if it.timestamp is not None else None for it in items]
    roots = collapse(keys, opts.collapse_threshold, times=stamps, window=opts.window_hours * 3600.0)
    reps = sorted(set(roots))
    rep_pos = {r: k for k, r in enumerate(reps)}
    rep_terms = [all_terms[r] for r in reps]
    vectors = chosen.encode([_text(items[r]) for r in reps])
    times = [items[r].timestamp for r in reps]
    idf = idf_table(Counter(w for t in all_terms for w in set(t.words)), len(items))
    scores = score_matrix(
        rep_terms, rep_terms, idf, weights, row_vectors=vectors, col_vectors=vectors,
        row_times=times, col_times=times, window_hours=opts.window_hours,
    )
    labels = agglomerate(scores, link=weights.link, merge=weights.merge)
    groups: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        groups.setdefault(int(labels[rep_pos[root]]), []).append(i)
    stories = [build_story([items[i] for i in g], [all_terms[i] for i in g], _sub(scores, g, roots, rep_pos))
               for g in groups.values()]
    return _result(stories, chosen.name, items=len(items), groups=len(reps))


def agglomerate(scores: F32, *, link: float, merge: float) -> list[int]:
    """Cluster label (index of a member) per row of a symmetric score matrix."""
    n = scores.shape[0]
    strong = UnionFind(n)
    for i, j in np.argwhere(np.triu(scores >= link, 1)):
        strong.union(int(i), int(j))
    labels = list(range(n))
    for members in strong.components():
        sub = scores[np.ix_(members, members)].astype(np.float64)
        for group in _average_link(sub, link=link, merge=merge):
            first = members[group[0]]
            for k in group:
                labels[members[k]] = first
    return labels


def _average_link(scores: np.ndarray, *, link: float, merge: float) -> list[list[int]]:
    n = scores.shape[0]
    sums = np.where(np.isfinite(scores), scores, -1e6)
    best = sums.copy()
    np.fill_diagonal(sums, 0.0)
    np.fill_diagonal(best, -np.inf)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    groups = [[i] for i in range(n)]
    while True:
        mean = sums / np.outer(size, size)
        allowed = (best >= link) & alive[:, None] & alive[None, :]
        np.fill_diagonal(allowed, False)
        mean = np.where(allowed, mean, -np.inf)
        k = int(np.argmax(mean))
        i, j = divmod(k, n)
        if not mean[i, j] >= merge:
            break
        i, j = min(i, j), max(i, j)
        sums[i] += sums[j]
        sums[:, i] = sums[i]
        sums[i, i] = 0.0
        best[i] = np.maximum(best[i], best[j])
        best[:, i] = best[i]
        best[i, i] = -np.inf
        size[i] += size[j]
        alive[j] = False
        groups[i].extend(groups[j])
        groups[j] = []
    return [sorted(g) for g in groups if g]


def build_story(items: Sequence[Item], item_terms: Sequence[Terms], scores: F32 | None) -> Story:
    """A Story from its members (``scores``: their pair scores, for picking the central headline)."""
    order = sorted(range(len(items)), key=lambda k: _member_key(items[k], item_terms[k]))
    earliest = order[0]
    central = earliest
    if scores is not None and len(items) > 2:
        finite = np.where(np.isfinite(scores), scores, 0.0)
        np.fill_diagonal(finite, 0.0)
        mean = finite.sum(axis=1) / (len(items) - 1)
        central = max(order, key=lambda k: (round(float(mean[k]), 6), -order.index(k)))
    outlets = tuple(sorted({it.outlet for it in items if it.outlet}))
    stamps = [it.timestamp for it in items if it.timestamp is not None]
    return Story(
        id=story_id(item_terms[earliest].key),
        headline=items[central].headline,
        members=tuple(items[k].id for k in order),
        outlets=outlets,
        first_seen=min(stamps) if stamps else None,
        last_seen=max(stamps) if stamps else None,
    )


def story_id(key: str) -> str:
    """The stable id of a story whose earliest member has this folded headline."""
    return "s-" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _member_key(item: Item, t: Terms) -> tuple[float, str, str]:
    stamp = item.timestamp.timestamp() if item.timestamp is not None else float("inf")
    return (stamp, t.key, item.id)


def _time_key(item: Item) -> tuple[float, str]:
    return (item.timestamp.timestamp() if item.timestamp is not None else float("-inf"), item.id)


def _text(item: Item) -> str:
    return f"{item.headline}. {item.lead}" if item.lead else item.headline


def _weights(base: Weights, opts: StoriesOptions) -> Weights:
    return replace(
        base,
        link=base.link if opts.link_threshold is None else opts.link_threshold,
        merge=base.merge if opts.merge_threshold is None else opts.merge_threshold,
    )


def _sub(scores: F32, group: Sequence[int], roots: Sequence[int], rep_pos: dict[int, int]) -> F32 | None:
    if len(group) < 3:
        return None
    pos = [rep_pos[roots[i]] for i in group]
    sub = scores[np.ix_(pos, pos)].copy()
    same = np.equal.outer(pos, pos)
    sub[same] = 2.0  # near-identical members: as close as can be
    return sub


def _check_ids(items: Sequence[Item]) -> None:
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            raise ValueError(f"item id {it.id!r} appears twice")
        seen.add(it.id)


def _result(stories: Sequence[Story], backend: str, *, items: int, groups: int) -> StoriesResult:
    ordered = sorted(stories, key=lambda s: (-s.size, _first(s.first_seen), s.id))
    # Two stories opened by the same headline (days apart): the later ones get their first member in the id.
    by_age = sorted(range(len(ordered)), key=lambda k: (_first(ordered[k].first_seen), ordered[k].members))
    taken: set[str] = set()
    for k in by_age:
        story = ordered[k]
        if story.id in taken:
            ordered[k] = replace(story, id=story_id(f"{story.id}|{story.members[0]}"))
        taken.add(ordered[k].id)
    assignments = {m: s.id for s in ordered for m in s.members}
    counts = {
        "items": items,
        "collapsed": items - groups,
        "groups": groups,
        "stories": len(ordered),
        "multi_member": sum(1 for s in ordered if s.size > 1),
    }
    return StoriesResult(stories=tuple(ordered), assignments=assignments, backend=backend, counts=counts)


def _first(stamp: datetime | None) -> float:
    return stamp.timestamp() if stamp is not None else float("inf")
