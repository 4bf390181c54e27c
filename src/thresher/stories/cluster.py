"""Stage 3: items -> stories, in one batch.

Candidate pairs come from blocking on shared content terms (``pairs``); the pairs that score at
least ``link`` connect items into groups; each group (small) is clustered on its own: near-identical
items are folded (``collapse``), then average-link agglomeration with a link gate runs on the
group's full score matrix (all groups' pairs scored in one vectorised ``pair_scores`` call): two
clusters merge only if the mean score over all their cross pairs is at least ``merge`` and at
least one cross pair scores ``link`` or more. The gate is why groups can
be clustered apart: every story is connected by strong pairs. Unlike single-link at a loose
threshold, a chain of weak resemblances never joins two events.

Undated documents (``Item.document`` without a timestamp: pages, not headlines) have no time window;
pages on one topic resemble each other without reporting one event. A pair with such an item scores
``-inf`` unless the two are near-identical (``UndatedGate``: Jaccard of the character shingles of
headline plus lead at least ``collapse_threshold``, the test that folds syndicated copies), so an
undated page joins only a copy of itself. Headlines without a timestamp (a ticker) are not affected.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from thresher.compiled import extension
from thresher.dedup.groups import UnionFind
from thresher.stories.collapse import collapse, jaccard, shingles
from thresher.stories.model import Item, StoriesOptions, StoriesResult, Story
from thresher.stories.pairs import F64, TermIndex, candidate_pairs, pair_scores
from thresher.stories.similarity import F32, Backend, Weights, make_backend, seconds
from thresher.stories.text import Terms, terms, without_outlet


def cluster_stories(
    items: Iterable[Item], options: StoriesOptions | None = None, *, backend: Backend | None = None
) -> StoriesResult:
    """Group items into stories in one batch: blocking, pair scores, components, average link."""
    opts = options or StoriesOptions()
    items = list(items)
    _check_ids(items)
    chosen = backend or make_backend(opts.backend)
    if not items:
        return _result([], chosen.name, items=0, groups=0)
    if len(items) > opts.max_batch:
        from thresher.stories.incremental import StoryIndex

        stream = StoryIndex(opts, backend=chosen)
        for item in sorted(items, key=_time_key):
            stream.add(item)
        return stream.result()
    weights = _weights(chosen.weights, opts)
    all_terms = [terms(content_headline(it), it.lead) for it in items]
    index = TermIndex(all_terms)
    df = index.words.frequency()
    idf_ids = index.idf(df, len(items))  # similarity.idf_table's values, one per word id
    stamps = seconds([it.timestamp for it in items])
    left, right = candidate_pairs(index, df, max_block=opts.max_block, times=stamps,
                                  window=opts.window_hours * 3600.0)
    vectors = _vectors(chosen, items, left, right)
    gate = UndatedGate(items, all_terms, opts.collapse_threshold)
    scores = gate.apply(left, right, pair_scores(index, left, right, idf_ids, weights, vectors=vectors, times=stamps),
                        above=weights.link)
    strong = scores >= weights.link
    stories: list[Story] = []
    collapsed = 0
    groups = linked_groups(len(items), left[strong], right[strong])
    matrices = group_scores(index, [g for g in groups if 2 < len(g) <= opts.max_component], idf_ids, weights,
                            vectors=vectors, times=stamps, window=opts.window_hours * 3600.0, gate=gate)
    # by word, for the groups that score their pairs themselves (none, with the default options)
    unscored = any(len(g) > opts.max_component or (len(g) == 2 and weights.merge > weights.link) for g in groups)
    idf = dict(zip(index.words.vocab, idf_ids.tolist(), strict=True)) if unscored else {}
    for members in groups:
        if len(members) == 1:
            stories.append(single_story(items[members[0]], all_terms[members[0]]))
            continue
        found, folded = cluster_component(
            [items[i] for i in members], [all_terms[i] for i in members], idf, weights, opts,
            vectors=None if vectors is None else vectors[members], scores=matrices.get(members[0]),
        )
        stories.extend(found)
        collapsed += folded
    return _result(stories, chosen.name, items=len(items), groups=len(items) - collapsed)


def linked_groups(n: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]) -> list[list[int]]:
    """Connected components of the strong pairs over ``n`` items (each sorted; singletons included):
    those of two or more items first, ordered by their first item, then each lone item."""
    if _groups_c is not None:
        return _groups_c(n, np.ascontiguousarray(left, dtype=np.int64), np.ascontiguousarray(right, dtype=np.int64))
    groups = UnionFind(n)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        groups.union(i, j)
    linked = groups.components()
    alone = np.ones(n, dtype=bool)
    for members in linked:
        alone[members] = False
    return linked + [[i] for i in np.flatnonzero(alone).tolist()]


def group_scores(
    index: TermIndex, groups: Sequence[Sequence[int]], idf: F64, weights: Weights, *,
    vectors: F32 | None, times: F64, window: float, gate: UndatedGate | None = None,
) -> dict[int, F32]:
    """The score matrix of every group of items of ``index`` (keyed by the group's first item): all
    pairs of all groups scored in one ``pair_scores`` call; ``-inf`` for pairs further apart than
    ``window`` seconds and for the pairs ``gate`` (over the same items) refuses; the diagonal is 0
    (no one reads it)."""
    if not groups:
        return {}
    sizes = [len(g) for g in groups]
    # per size: the upper triangle's (row, column) and its cells in the flat matrix and its mirror
    shapes = {}
    for n in set(sizes):
        i, j = np.triu_indices(n, 1)
        shapes[n] = (i, j, i * n + j, j * n + i)
    members = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64, count=sum(sizes))
    starts = np.cumsum([0, *sizes]).tolist()  # of each group in ``members``
    bases = np.cumsum([0, *(n * n for n in sizes)]).tolist()  # of each matrix in ``cells``
    left = members[np.concatenate([shapes[n][0] + s for n, s in zip(sizes, starts, strict=False)])]
    right = members[np.concatenate([shapes[n][1] + s for n, s in zip(sizes, starts, strict=False)])]
    scores = pair_scores(index, left, right, idf, weights, vectors=vectors, times=times)
    if gate is not None:
        scores = gate.apply(left, right, scores)
    with np.errstate(invalid="ignore"):
        scores[np.abs(times[left] - times[right]) > window] = -np.inf
    cells = np.zeros(bases[-1], dtype=np.float32)  # every group's matrix, one after the other
    cells[np.concatenate([shapes[n][2] + b for n, b in zip(sizes, bases, strict=False)])] = scores
    cells[np.concatenate([shapes[n][3] + b for n, b in zip(sizes, bases, strict=False)])] = scores
    return {group[0]: cells[b : b + n * n].reshape(n, n) for group, n, b in zip(groups, sizes, bases, strict=False)}


def cluster_component(
    items: Sequence[Item],
    item_terms: Sequence[Terms],
    idf: Mapping[str, float],
    weights: Weights,
    options: StoriesOptions,
    *,
    vectors: F32 | None = None,
    scores: F32 | None = None,
) -> tuple[list[Story], int]:
    """The stories of one group of linked items, and how many items collapse folded away.

    Near-identical items are folded first; then average link with the gate over all pairs of the
    group. A group larger than ``options.max_component`` is first split at a stricter link.
    ``scores``: the group's score matrix (``group_scores``) when the caller has it; computed here
    otherwise (the same values: each pair is scored on its own)."""
    n = len(items)
    stamps = [it.timestamp.timestamp() if it.timestamp is not None else None for it in items]
    keys = [t.key + (" " + it.lead if it.lead else "") for t, it in zip(item_terms, items, strict=True)]
    if n == 2 and weights.merge <= weights.link:  # linked, so one story; the mean is their score
        roots = collapse(keys, options.collapse_threshold)
        return [build_story(items, item_terms, None)], int(roots[1] == roots[0])
    if n > options.max_component:
        return _split(items, item_terms, idf, weights, options, vectors)
    roots = collapse(keys, options.collapse_threshold, times=stamps, window=options.window_hours * 3600.0)
    reps = sorted(set(roots))
    rep_pos = {r: k for k, r in enumerate(reps)}
    if scores is None:
        index = TermIndex(item_terms)
        idf_ids = np.array([idf.get(w, 1.0) for w in index.words.vocab], dtype=np.float64)
        scores = group_scores(index, [list(range(n))], idf_ids, weights, vectors=vectors,
                              times=seconds([it.timestamp for it in items]),
                              window=options.window_hours * 3600.0,
                              gate=UndatedGate(items, item_terms, options.collapse_threshold))[0]
    if len(reps) < n:
        scores = scores.take(reps, 0).take(reps, 1)
    labels = agglomerate(scores, link=weights.link, merge=weights.merge)
    groups: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        groups.setdefault(int(labels[rep_pos[root]]), []).append(i)
    stories = [build_story([items[i] for i in g], [item_terms[i] for i in g], _sub(scores, g, roots, rep_pos))
               for g in groups.values()]
    return stories, n - len(reps)


def _split(
    items: Sequence[Item], item_terms: Sequence[Terms], idf: Mapping[str, float], weights: Weights,
    options: StoriesOptions, vectors: F32 | None,
) -> tuple[list[Story], int]:
    stricter = replace(weights, link=weights.link + 0.05)
    stamps = seconds([it.timestamp for it in items])
    index = TermIndex(item_terms)
    left, right = candidate_pairs(index, index.words.frequency(), max_block=options.max_block, times=stamps,
                                  window=options.window_hours * 3600.0)
    idf_ids = np.array([idf.get(w, 1.0) for w in index.words.vocab], dtype=np.float64)
    gate = UndatedGate(items, item_terms, options.collapse_threshold)
    scores = gate.apply(left, right, pair_scores(index, left, right, idf_ids, stricter, vectors=vectors, times=stamps),
                        above=stricter.link)
    strong = scores >= stricter.link
    stories: list[Story] = []
    folded = 0
    for members in linked_groups(len(items), left[strong], right[strong]):
        found, k = cluster_component(
            [items[i] for i in members], [item_terms[i] for i in members], idf, stricter, options,
            vectors=None if vectors is None else vectors[members],
        )
        stories.extend(found)
        folded += k
    return stories, folded


class UndatedGate:
    """Pairs with an undated document (``Item.document`` without a timestamp) keep their score only
    when the two items are near-identical (Jaccard of the character shingles of folded headline plus
    lead at least ``threshold``, as ``collapse`` compares them); the others score ``-inf``."""

    def __init__(self, items: Sequence[Item], item_terms: Sequence[Terms], threshold: float) -> None:
        self.strict = np.array([it.document and it.timestamp is None for it in items], dtype=bool)
        self.threshold = threshold
        self._items = items
        self._terms = item_terms
        self._shingles: dict[int, frozenset[str]] = {}

    def apply(self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], scores: F64, *,
              above: float = -math.inf) -> F64:
        """``scores`` of the pairs ``(left[k], right[k])`` with the refused ones at ``-inf``. ``above``:
        pairs scoring less are refused without a look at their text (the caller only asks which
        pairs reach it; the answer is the same)."""
        if not len(left) or not self.strict.any():
            return scores
        pick = self.strict[left] | self.strict[right]
        if not pick.any():
            return scores
        out = scores.copy()
        with np.errstate(invalid="ignore"):
            look = pick & (scores >= above)
        out[pick & ~look] = -np.inf
        for k in np.flatnonzero(look).tolist():
            if jaccard(self._shingle(int(left[k])), self._shingle(int(right[k]))) < self.threshold:
                out[k] = -np.inf
        return out

    def _shingle(self, i: int) -> frozenset[str]:
        found = self._shingles.get(i)
        if found is None:
            lead = self._items[i].lead
            found = self._shingles[i] = shingles(self._terms[i].key + (" " + lead if lead else ""))
        return found


def _vectors(backend: Backend, items: Sequence[Item], left: npt.NDArray[np.int64],
             right: npt.NDArray[np.int64]) -> F32 | None:
    """Embeddings of the items in a pair (rows of the others are zero); None for words only."""
    if not backend.weights.embedding:
        return None
    needed = np.union1d(left, right)
    texts = [_text(items[i]) for i in needed.tolist()]
    unique = sorted(set(texts))
    encoded = backend.encode(unique)
    if encoded is None:
        return None
    row = {t: k for k, t in enumerate(unique)}
    out = np.zeros((len(items), encoded.shape[1] if encoded.ndim == 2 else 0), dtype=np.float32)
    if len(needed):
        out[needed] = encoded[[row[t] for t in texts]]
    return out


def agglomerate(scores: F32, *, link: float, merge: float) -> list[int]:
    """Cluster label (index of a member) per row of a symmetric score matrix."""
    n = scores.shape[0]
    if _agglomerate_c is not None and scores.dtype == np.float32:
        # numpy compares a float32 matrix with the threshold in float32: so does the gate
        return _agglomerate_c(np.ascontiguousarray(scores), float(np.float32(link)), link, merge)
    if n <= SMALL and scores.dtype.kind == "f":
        # numpy compares the matrix with the threshold in the matrix's precision: so does the gate
        return _agglomerate_small(scores.tolist(), n, gate=float(scores.dtype.type(link)), link=link, merge=merge)
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


SMALL = 24
"""Up to this many items average link runs on Python lists (numpy's per-call cost dominates there)."""


def _agglomerate_small(rows: list[list[float]], n: int, *, gate: float, link: float, merge: float) -> list[int]:
    """``agglomerate`` on lists (the scores as Python floats; ``gate``: ``link`` rounded to the scores'
    precision): the same components, the same float64 average link (``_average_link_small``)."""
    strong = UnionFind(n)
    for i in range(n):
        row = rows[i]
        for j in range(i + 1, n):
            if row[j] >= gate:
                strong.union(i, j)
    labels = list(range(n))
    for members in strong.components():
        sub = [[_finite(rows[a][b]) for b in members] for a in members]
        for group in _average_link_lists(sub, link=link, merge=merge):
            first = members[group[0]]
            for k in group:
                labels[members[k]] = first
    return labels


def _finite(x: float) -> float:
    return x if math.isfinite(x) else -1e6


def _average_link(scores: np.ndarray, *, link: float, merge: float) -> list[list[int]]:
    """Average link with the gate; ``_average_link_small`` is the same for small groups."""
    if scores.shape[0] <= SMALL:
        return _average_link_small(scores, link=link, merge=merge)
    return _average_link_numpy(scores, link=link, merge=merge)


def _average_link_small(scores: np.ndarray, *, link: float, merge: float) -> list[list[int]]:
    """``_average_link_numpy`` on lists: the same float64 sums, means and tie order (the first pair
    ``i < j`` in row order with the highest mean)."""
    return _average_link_lists(np.where(np.isfinite(scores), scores, -1e6).tolist(), link=link, merge=merge)


def _average_link_lists(sums: list[list[float]], *, link: float, merge: float) -> list[list[int]]:
    """``_average_link_small`` on a list of rows with no infinities left (modified in place)."""
    n = len(sums)
    best = [row[:] for row in sums]
    for i in range(n):
        sums[i][i] = 0.0
        best[i][i] = -math.inf
    size = [1.0] * n
    alive = [True] * n
    groups = [[i] for i in range(n)]
    while True:
        top, pick = -math.inf, (0, 0)
        for i in range(n):
            if not alive[i]:
                continue
            row, gate, si = sums[i], best[i], size[i]
            for j in range(i + 1, n):
                if alive[j] and gate[j] >= link:
                    mean = row[j] / (si * size[j])
                    if mean > top:
                        top, pick = mean, (i, j)
        if not top >= merge:
            break
        i, j = pick
        row_i, row_j, gate_i, gate_j = sums[i], sums[j], best[i], best[j]
        for k in range(n):
            row_i[k] += row_j[k]
            gate_i[k] = max(gate_i[k], gate_j[k])
        for k in range(n):
            sums[k][i] = row_i[k]
            best[k][i] = gate_i[k]
        row_i[i] = 0.0
        gate_i[i] = -math.inf
        size[i] += size[j]
        alive[j] = False
        groups[i].extend(groups[j])
        groups[j] = []
    return [sorted(g) for g in groups if g]


def _average_link_numpy(scores: np.ndarray, *, link: float, merge: float) -> list[list[int]]:
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
        finite.flat[:: len(items) + 1] = 0.0  # the diagonal
        mean = (finite.sum(axis=1) / (len(items) - 1)).tolist()
        central = max(order, key=lambda k: (round(mean[k], 6), -order.index(k)))
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


def single_story(item: Item, t: Terms) -> Story:
    """``build_story`` of one item."""
    return Story(id=story_id(t.key), headline=item.headline, members=(item.id,),
                 outlets=(item.outlet,) if item.outlet else (), first_seen=item.timestamp, last_seen=item.timestamp)


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


def content_headline(item: Item) -> str:
    """The headline whose terms are compared: without a last part that names the item's outlet
    (" : NPR", which would be a name shared by all that outlet's headlines). The embedding reads the
    headline as published (on stories-dev, stripping it there too changed no clustering)."""
    return without_outlet(item.headline, item.outlet)


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
    if len(set(pos)) == len(pos):  # no near-identical members (build_story reads no diagonal)
        return scores if pos == list(range(scores.shape[0])) else scores.take(pos, 0).take(pos, 1)
    sub = scores.take(pos, 0).take(pos, 1)
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
    unique = distinct_ids(stories)
    order = sorted(range(len(unique)), key=[(-s.size, _first(s.first_seen), s.id) for s in unique].__getitem__)
    ordered = [unique[k] for k in order]
    assignments = {m: s.id for s in ordered for m in s.members}
    counts = {
        "items": items,
        "collapsed": items - groups,
        "groups": groups,
        "stories": len(ordered),
        "multi_member": sum(1 for s in ordered if s.size > 1),
    }
    return StoriesResult(stories=tuple(ordered), assignments=assignments, backend=backend, counts=counts)


def distinct_ids(stories: Sequence[Story]) -> list[Story]:
    """Two stories opened by the same headline (days apart): the later ones get their first member
    in the id. Only stories with equal ids affect each other, so an engine may apply this per id."""
    out = list(stories)
    if len({s.id for s in out}) == len(out):
        return out
    by_age = sorted(range(len(out)), key=lambda k: (_first(out[k].first_seen), out[k].members))
    taken: set[str] = set()
    for k in by_age:
        story = out[k]
        if story.id in taken:
            out[k] = replace(story, id=story_id(f"{story.id}|{story.members[0]}"))
        taken.add(out[k].id)
    return out


def _first(stamp: datetime | None) -> float:
    return stamp.timestamp() if stamp is not None else float("inf")


_agglomerate_c: Callable[[F32, float, float, float], list[int]] | None = getattr(
    extension(), "stories_agglomerate", None)
"""``agglomerate`` in C for float32 matrices (``stories_agglomerate`` of ``_speedups_stories.c``)."""
_groups_c: Callable[[int, npt.NDArray[np.int64], npt.NDArray[np.int64]], list[list[int]]] | None = getattr(
    extension(), "stories_groups", None)
"""``linked_groups`` in C (``stories_groups`` of ``_speedups_stories.c``)."""
