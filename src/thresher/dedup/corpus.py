"""Deduplicate a corpus in one process: exact keys, MinHash LSH, verification, groups.

``deduplicate`` is what the local engine calls. The steps are also exposed on their own
(``exact_key``, ``signature``, ``band_keys``, ``shingles``, ``similarity``, ``group_duplicates``)
so a distributed engine can run banding and grouping as shuffles with the same results.

The steps:
1. every text is tokenised and its tokens hashed once; its exact key (``exact``) is looked up, and
   a text equal to an earlier one after normalisation is an exact duplicate of it;
2. in ``near`` mode, each first occurrence gets a MinHash signature (in batches) and LSH band
   keys; documents sharing a band key are candidate pairs;
3. each candidate pair is verified on its real shingle sets (``measure >= threshold``);
4. exact and verified pairs are joined by union-find; the longest text of a group survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from thresher.dedup.exact import exact_key_of_tokens
from thresher.dedup.groups import group_duplicates
from thresher.dedup.lsh import band_keys_matrix, candidate_pairs
from thresher.dedup.minhash import U64, Permutations, shingle_hashes, signatures_of_shingles, token_hashes
from thresher.dedup.options import DedupOptions
from thresher.dedup.verify import verify_pairs
from thresher.errors import ThresherError


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupStats:
    """Counts of one deduplication run."""

    documents: int
    exact_duplicates: int
    """Documents whose normalised text equals an earlier document's."""
    candidate_pairs: int
    """Distinct pairs that shared an LSH band (between first occurrences of exact texts)."""
    verified_pairs: int
    """Candidate pairs whose real similarity reached the threshold."""
    groups: int
    """Duplicate groups (two or more members, exact and near duplicates together)."""
    duplicates: int
    """Documents that are not survivors."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupResult:
    """What survives, and what duplicates what."""

    survivors: tuple[str, ...]
    """Ids to keep, in input order: documents in no group, and each group's survivor."""
    duplicate_of: Mapping[str, str]
    """Every dropped id mapped to its group's survivor."""
    groups: tuple[tuple[str, ...], ...]
    """Each duplicate group: its survivor first, then the others in input order."""
    stats: DedupStats


def deduplicate(docs: Iterable[tuple[str, str]], options: DedupOptions | None = None) -> DedupResult:
    """Find exact (and, in ``near`` mode, near) duplicates among ``(id, text)`` pairs.

    Ids must be unique (``ThresherError("invalid_record")`` otherwise). Empty texts are exact
    duplicates of each other and near duplicates of nothing.
    """
    opts = options or DedupOptions()
    near = opts.mode == "near"
    perms = Permutations.make(opts.num_perm, opts.seed) if near else None
    bands, rows = opts.band_layout() if near else (0, 0)

    ids: list[str] = []
    texts: list[str] = []
    seen_ids: set[str] = set()
    first_by_key: dict[int, int] = {}
    exact_pairs: list[tuple[int, int]] = []
    hashed: list[int] = []  # positions of first occurrences with at least one token
    pending: list[U64] = []
    key_blocks: list[U64] = []

    def flush() -> None:
        if pending and perms is not None:
            key_blocks.append(band_keys_matrix(signatures_of_shingles(pending, perms), bands, rows))
            pending.clear()

    for doc_id, text in docs:
        if doc_id in seen_ids:
            raise ThresherError("invalid_record", f"duplicate document id {doc_id!r}")
        seen_ids.add(doc_id)
        position = len(ids)
        ids.append(doc_id)
        texts.append(text)
        hashes = token_hashes(text)
        first = first_by_key.setdefault(exact_key_of_tokens(hashes), position)
        if first != position:
            exact_pairs.append((first, position))
            continue
        if near and hashes.size:
            hashed.append(position)
            pending.append(shingle_hashes(hashes, opts.ngram, unique=False))
            if len(pending) >= opts.batch_size:
                flush()
    flush()

    verified: list[tuple[int, int, float]] = []
    candidates: set[tuple[int, int]] = set()
    if near and key_blocks:
        keys = np.concatenate(key_blocks)
        positions = np.asarray(hashed, dtype=np.int64)
        candidates = {(int(positions[i]), int(positions[j])) for i, j in candidate_pairs(keys)}
        sets: dict[int, U64] = {}

        def shingle_set(position: int) -> U64:
            if position not in sets:
                sets[position] = shingle_hashes(token_hashes(texts[position]), opts.ngram)
            return sets[position]

        verified = verify_pairs(candidates, shingle_set, opts.threshold, opts.measure)

    lengths = [len(text) for text in texts]
    pairs = exact_pairs + [(i, j) for i, j, _ in verified]
    grouping = group_duplicates(len(ids), pairs, lengths)
    duplicate_of = {ids[m]: ids[s] for m, s in sorted(grouping.duplicate_of.items())}
    return DedupResult(
        survivors=tuple(ids[p] for p in range(len(ids)) if p not in grouping.duplicate_of),
        duplicate_of=MappingProxyType(duplicate_of),
        groups=tuple(tuple(ids[m] for m in group) for group in grouping.groups),
        stats=DedupStats(
            documents=len(ids),
            exact_duplicates=len(exact_pairs),
            candidate_pairs=len(candidates),
            verified_pairs=len(verified),
            groups=len(grouping.groups),
            duplicates=len(duplicate_of),
        ),
    )
