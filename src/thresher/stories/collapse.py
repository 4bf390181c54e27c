"""Stage 1: fold near-identical headlines into one group before any similarity is computed.

Shingles are the character 4-grams of the folded text (headline, plus lead when given). Up to
``SMALL`` texts (a group of linked items) every pair is compared; for more, candidate pairs come
from prefix filtering (a pair with Jaccard >= t must share one of the rarest
``|s| - ceil(t*|s|) + 1`` shingles of each side), and every candidate is verified with the exact
Jaccard, so the result is exact, not a sketch. "officials says" / "officials say" meet at about 0.95.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from thresher.compiled import extension
from thresher.dedup.groups import UnionFind

SHINGLE = 4


def shingles(text: str) -> frozenset[str]:
    """Character 4-grams of a folded text (the whole text when it is shorter)."""
    return _shingles(f" {text} ", SHINGLE)


def _shingles_python(padded: str, size: int) -> frozenset[str]:
    """``stories_shingles`` of ``_speedups_stories.c``: the substrings of ``size`` characters."""
    if len(padded) <= size:
        return frozenset({padded})
    return frozenset({padded[i : i + size] for i in range(len(padded) - size + 1)})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def collapse(
    keys: Sequence[str], threshold: float, *, times: Sequence[float | None] | None = None, window: float = 0.0
) -> list[int]:
    """For each text, the index of its group's first member (texts with Jaccard >= threshold join).

    With ``times`` (POSIX seconds or None), two texts further apart than ``window`` seconds never join."""
    n = len(keys)
    if n <= SMALL and _collapse_c is not None:
        found = _collapse_c(list(keys), SHINGLE, threshold, None if times is None else list(times), window)
        if found is not None:
            return found
    groups = UnionFind(n)
    sets = [shingles(k) for k in keys]
    if n <= SMALL:
        _all_pairs(sets, threshold, groups, times, window)
    else:
        _prefix_filter(sets, threshold, groups, times, window)
    first: dict[int, int] = {}
    for i in range(n):  # ascending, so each group is named by its smallest member
        first.setdefault(groups.find(i), i)
    return [first[groups.find(i)] for i in range(n)]


SMALL = 40
"""Up to this many texts every pair is compared (cheaper than building the prefix index)."""


def _all_pairs(sets: Sequence[frozenset[str]], threshold: float, groups: UnionFind,
               times: Sequence[float | None] | None, window: float) -> None:
    for i, a in enumerate(sets):
        for j in range(i):
            if times is not None and _far(times[i], times[j], window):
                continue
            if groups.find(i) != groups.find(j) and jaccard(a, sets[j]) >= threshold:
                groups.union(i, j)


def _prefix_filter(sets: Sequence[frozenset[str]], threshold: float, groups: UnionFind,
                   times: Sequence[float | None] | None, window: float) -> None:
    df = Counter(s for st in sets for s in st)
    rank = {s: r for r, s in enumerate(sorted(df, key=lambda s: (df[s], s)))}
    index: dict[str, list[int]] = defaultdict(list)
    for i, st in enumerate(sets):
        ordered = sorted(st, key=rank.__getitem__)
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        seen: set[int] = set()
        for s in prefix:
            for j in index[s]:
                if j in seen:
                    continue
                seen.add(j)
                if times is not None and _far(times[i], times[j], window):
                    continue
                if groups.find(i) != groups.find(j) and jaccard(st, sets[j]) >= threshold:
                    groups.union(i, j)
            index[s].append(i)


def _far(a: float | None, b: float | None, window: float) -> bool:
    return a is not None and b is not None and abs(a - b) > window


_compiled = extension()
_shingles: Callable[[str, int], frozenset[str]] = getattr(_compiled, "stories_shingles", None) or _shingles_python
_collapse_c: Callable[[list[str], int, float, list[float | None] | None, float], list[int] | None] | None = getattr(
    _compiled, "stories_collapse", None)
"""``collapse`` for up to ``SMALL`` texts in C (``stories_collapse`` of ``_speedups_stories.c``; None for
keys it leaves to Python)."""
