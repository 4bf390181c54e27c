"""Duplicate groups: union-find over verified pairs, one deterministic survivor per group.

Survivor rule: the member with the longest text (in characters of the original text) survives;
among equally long texts the earliest in input order. Every other member maps to the survivor.
Groups are connected components, so a chain A~B~C puts A and C in one group even when A and C alone
fall below the threshold (each link was verified).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class UnionFind:
    """Disjoint sets over ``0..size-1`` with path halving and union by size."""

    __slots__ = ("_parent", "_size")

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))
        self._size = [1] * size

    def find(self, item: int) -> int:
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> bool:
        """Join the sets of ``a`` and ``b``; False when they already were one."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
        return True

    def components(self) -> list[list[int]]:
        """All sets of two or more members, each ascending, ordered by their smallest member."""
        members: dict[int, list[int]] = {}
        for item in range(len(self._parent)):
            members.setdefault(self.find(item), []).append(item)
        return [group for group in members.values() if len(group) > 1]


def survivor(members: Sequence[int], lengths: Sequence[int]) -> int:
    """The member that survives: the longest text, ties broken by the earliest position."""
    return min(members, key=lambda m: (-lengths[m], m))


@dataclass(frozen=True, slots=True)
class Grouping:
    """Duplicate groups over document positions."""

    groups: tuple[tuple[int, ...], ...]
    """Each group with its survivor first, then the other members in input order; groups are
    ordered by their smallest member."""
    duplicate_of: Mapping[int, int]
    """Every non-survivor position mapped to its group's survivor."""


def group_duplicates(count: int, pairs: Iterable[tuple[int, int]], lengths: Sequence[int]) -> Grouping:
    """Connected components of ``pairs`` over ``count`` documents, with survivors chosen."""
    sets = UnionFind(count)
    for a, b in pairs:
        sets.union(a, b)
    groups = []
    duplicate_of: dict[int, int] = {}
    for members in sets.components():
        kept = survivor(members, lengths)
        others = [m for m in members if m != kept]
        groups.append((kept, *others))
        duplicate_of.update((m, kept) for m in others)
    return Grouping(groups=tuple(groups), duplicate_of=duplicate_of)
