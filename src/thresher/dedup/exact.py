"""Exact duplicates: texts whose normalised form (see ``normalise``) is the same.

The key of a text is a 64-bit blake2b digest of its token-hash sequence (``minhash.token_hashes``,
little-endian bytes). Two texts have equal token sequences exactly when their normalised strings
are equal, so this is the hash of the normalised text, without building that string: the same
tokenisation pass then serves both exact and near-duplicate detection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from thresher.dedup.minhash import U64, token_hashes

Key = TypeVar("Key", bound=Hashable)


def exact_key_of_tokens(hashes: U64) -> int:
    """The exact-duplicate key of a token-hash array (see the module notes)."""
    digest = hashlib.blake2b(hashes.astype("<u8").tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def exact_key(text: str) -> int:
    """The exact-duplicate key of a text: equal for texts that normalise alike."""
    return exact_key_of_tokens(token_hashes(text))


def exact_groups(keys: Iterable[Key]) -> list[list[int]]:
    """Positions of equal keys, grouped: one list (ascending) per key seen more than once,
    ordered by first occurrence."""
    first: dict[Key, list[int]] = {}
    for position, key in enumerate(keys):
        first.setdefault(key, []).append(position)
    return [members for members in first.values() if len(members) > 1]


def exact_duplicates(texts: Sequence[str]) -> list[list[int]]:
    """Positions of exact duplicate texts, grouped (see ``exact_groups``)."""
    return exact_groups(exact_key(text) for text in texts)
