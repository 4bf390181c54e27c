"""Site boilerplate across a corpus: lines that recur on many different pages of one site.

A line (paragraph) is boilerplate for a site when its normalised text appears on at least
``min_documents`` *distinct stories* of that site, and on at least ``min_share`` of them. Stories
are duplicate groups: the syndicated or re-crawled copies of one article count once, so the
paragraphs of a story that was published five times are not mistaken for boilerplate (CCNet
instead drops every paragraph seen twice in a shard). Counting is per site: a line shared by
different sites is no single site's boilerplate.

Line keys are ``exact`` keys of each line (normalised: case, punctuation and spacing do not matter);
lines without any word have no key, are never counted and never removed. A text is tokenised once
for all its lines.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Set

import numpy as np

from thresher.dedup.minhash import hash_tokens
from thresher.dedup.normalise import tokenise

BoilerplateRecord = tuple[str, str, str, str | None]
"""``(doc_id, site, text, duplicate_group)``; a group of None means the document is alone."""

_BLANK_RUN = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")


def line_keys(text: str) -> list[int | None]:
    """The key of every line of ``text.split("\\n")``: None for a line without words."""
    tok = tokenise(text)
    breaks = np.flatnonzero(tok.chars == ord("\n"))
    keys: list[int | None] = [None] * (breaks.size + 1)
    if len(tok) == 0:
        return keys
    hashes = hash_tokens(tok).astype("<u8")
    line_of_token = np.searchsorted(breaks, tok.starts)
    lines, first = np.unique(line_of_token, return_index=True)
    bounds = [*first.tolist(), len(tok)]
    for k, line in enumerate(lines.tolist()):
        chunk = hashes[bounds[k] : bounds[k + 1]].tobytes()
        keys[line] = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little")
    return keys


def find_boilerplate(
    records: Iterable[BoilerplateRecord],
    *,
    min_documents: int = 3,
    min_share: float = 0.0,
) -> dict[str, frozenset[int]]:
    """Per site, the keys of lines found on at least ``max(min_documents, ceil(min_share * stories))``
    distinct stories (duplicate groups) of that site; every site seen gets an entry.

    ``min_share`` (0 to 1) makes the bar grow with the site: 0.05 means "on 5 % of its stories".
    """
    if min_documents < 1 or not 0.0 <= min_share <= 1.0:
        raise ValueError("min_documents must be at least 1 and min_share within [0, 1]")
    cap = min_documents if min_share == 0.0 else None  # without a share, counting can stop early
    stories: dict[str, set[str]] = {}
    seen_on: dict[str, dict[int, set[str]]] = {}
    for doc_id, site, text, group in records:
        story = doc_id if group is None else group
        stories.setdefault(site, set()).add(story)
        lines = seen_on.setdefault(site, {})
        for key in {k for k in line_keys(text) if k is not None}:
            holders = lines.setdefault(key, set())
            if cap is None or len(holders) < cap:
                holders.add(story)
    result = {}
    for site, lines in seen_on.items():
        needed = max(min_documents, math.ceil(min_share * len(stories[site])))
        result[site] = frozenset(key for key, holders in lines.items() if len(holders) >= needed)
    return result


def strip_boilerplate(text: str, boilerplate: Set[int] | Mapping[int, object]) -> str:
    """The text without its boilerplate lines; blank lines left behind collapse into one."""
    if not boilerplate:
        return text
    lines = text.split("\n")
    kept = [line for line, key in zip(lines, line_keys(text), strict=True) if key is None or key not in boilerplate]
    if len(kept) == len(lines):
        return text
    return _BLANK_RUN.sub("\n\n", "\n".join(kept)).strip("\n")
