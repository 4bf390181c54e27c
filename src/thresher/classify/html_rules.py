"""Hand-written rules that label HTML blocks (to be replaced by a learned model).

1. Every block gets a content weight: long text, few links, sentence punctuation; much less when it
   sits in a container hinted as navigation, sharing, promotion, comments and so on.
2. The main region is the deepest element (a tag-path prefix) holding most of that weight: the
   article body on a news page, the thread on a forum, the list of cards on a listing.
3. Blocks outside the region are dropped; inside, blocks under a boilerplate container that is
   itself inside the region, link lists and furniture phrases are dropped with their reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

import numpy as np

from thresher.compiled import function
from thresher.deadline import Deadline
from thresher.model import Block, Decision, Label, Metadata
from thresher.options import Options
from thresher.segment.features import feature_values

_BOILER_LABELS: dict[str, Label] = {
    "comment": "comment",
    "navigation": "navigation",
    "share": "share",
    "promo": "promo",
    "related": "headline_list",
    "legal": "legal",
    "sidebar": "boilerplate",
}
_TAG_LABELS: dict[str, Label] = {"nav": "navigation", "aside": "boilerplate", "footer": "legal"}
_CATEGORIES = (*_BOILER_LABELS, "meta", "tag_nav", "tag_aside", "tag_footer")
_CATEGORY_KEYS = tuple("d_" + cat for cat in _CATEGORIES)

COVERAGE = {"precision": 0.5, "balanced": 0.6, "recall": 0.75}
"""Share of the page's content weight the main region must hold, per focus."""
MAX_LINK_DENSITY = {"precision": 0.35, "balanced": 0.5, "recall": 0.7}
"""Blocks with more of their text inside links are link lists, per focus."""
MIN_KEPT_CHARS = 200
"""When the rules keep less text than this from a region that holds much more, hints are ignored."""
MIN_REPEAT_CHARS = 15
"""Kept blocks at least this long are dropped when their exact text was kept before."""
_WORD = re.compile(r"\w+")
_ASCII_DIGIT = re.compile(r"[0-9]")
_CODE_TOKEN = re.compile(r"(?=[a-z]*[0-9])(?=[0-9]*[a-z])[0-9a-z]{4,}", re.ASCII)
"""A token mixing ASCII letters and digits (hex ids, GUIDs, SKUs)."""
CODE_SHARE = 0.7
"""``sure_boilerplate``: a block of at least ``CODE_MIN_WORDS`` words, this share of them
letter-and-digit codes, is markup residue (obfuscated "sponsored" strings, id dumps)."""
CODE_MIN_WORDS = 5
_BARE_URL = re.compile(r"\s*(?:https?://|www\.)\S+\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _phrases() -> dict[str, str]:
    raw = json.loads(
        resources.files("thresher").joinpath("data/html_boilerplate_phrases.json").read_text("utf-8")
    )
    out: dict[str, str] = {}
    for label, phrases in raw.items():
        if label.startswith("_"):
            continue
        for phrase in phrases:
            out[_fold(phrase)] = label
    return out


def classify_html(
    blocks: Sequence[Block], metadata: Metadata, opts: Options, deadline: Deadline
) -> list[Decision]:
    """One decision per block, in order, each with a short reason."""
    if not blocks:
        return []
    cols = _Columns(blocks)
    raw = _weights(cols, links_count=False)
    if sum(raw) < 150:  # a page of links and snippets (listing): count the linked text too
        raw = _weights(cols, links_count=True)
    deadline.check()
    paths = _Paths([b.path for b in blocks])
    hints = _effective_hints(cols, raw, paths, metadata.page_type == "forum")
    weights = [_contextual(w, f, h) for w, f, h in zip(raw, _article_column(cols), hints, strict=True)]
    region, region_depth = _region(paths, weights, COVERAGE[opts.focus])
    regions = [region, *_siblings(paths, blocks, cols, raw, hints, region, region_depth, opts.focus)]
    max_ld = MAX_LINK_DENSITY[opts.focus]
    listing = _region_link_density(paths, cols, region) > 0.5  # the content itself is made of links
    title_key = _fold(metadata.title) if metadata.title else ""
    title_done = False
    phrases = _phrases()
    under = paths.under(regions)
    n_chars, link_density, sentence_end = cols.n_chars, cols.link_density, cols.sentence_end
    out: list[Decision] = []
    inside: list[int] = []
    for i, (b, h) in enumerate(zip(blocks, hints, strict=True)):
        n = n_chars[i]
        if title_key and not title_done and (b.kind == "heading" or n < 300) and (
            _fold(b.text) == title_key
        ):
            title_done = True
            out.append(Decision("title", "matches_title"))
            continue
        if not under[i]:
            out.append(_outside(link_density[i], h))
            continue
        inside.append(i)
        out.append(_inside(b, n, link_density[i], sentence_end[i], h, region_depth, max_ld, listing, phrases))
    kept = sum(len(blocks[i].text) for i in inside if out[i].kept)
    if kept < MIN_KEPT_CHARS and sum(len(blocks[i].text) for i in inside) > 3 * MIN_KEPT_CHARS:
        # the hints emptied the region (a news feed named "latest", a product in a "promo" drawer):
        # trust the region over the class names
        for i in inside:
            d = _inside(blocks[i], n_chars[i], link_density[i], sentence_end[i], {}, region_depth, max_ld,
                        listing, phrases)
            out[i] = Decision(d.label, "hints_ignored," + d.reason) if d.kept else d
    return _drop_repeats(blocks, out)


class _Columns:
    """The features the rules read, one list per feature in block order: from the page's feature
    matrix when the blocks carry it (see :func:`thresher.segment.features.feature_values`), else
    from each block's mapping (a missing feature reads 0.0)."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self._blocks = blocks
        self._values = feature_values(blocks)

    def column(self, name: str) -> list[float]:
        if self._values is not None:
            matrix, column_of = self._values
            j = column_of.get(name)
            if j is not None:
                out: list[float] = matrix[:, j].tolist()
                return out
            return [0.0] * len(self._blocks)
        return [b.features.get(name, 0.0) for b in self._blocks]

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """The columns of ``names`` side by side (float64, a row per block)."""
        if self._values is not None:
            matrix, column_of = self._values
            if all(name in column_of for name in names):
                return matrix[:, [column_of[name] for name in names]]
        return np.array([self.column(name) for name in names], dtype=np.float64).reshape(len(names), -1).T

    @cached_property
    def n_chars(self) -> list[float]:
        return self.column("n_chars")

    @cached_property
    def link_density(self) -> list[float]:
        return self.column("link_density")

    @cached_property
    def sentence_end(self) -> list[float]:
        return self.column("sentence_end")


def _article_column(cols: _Columns) -> list[bool]:
    """Per block, whether it sits in an article container (``in_article``, or a content hint
    deeper than the page's outer wrappers)."""
    return [bool(a) or c > 2 for a, c in zip(cols.column("in_article"), cols.column("d_content"), strict=True)]


def _weights(cols: _Columns, *, links_count: bool) -> list[float]:
    """How much each block looks like running text, before its context is considered: long text,
    few links (unless ``links_count``), sentence punctuation, commas."""
    out: list[float] = []
    for n, ld, end, commas in zip(cols.n_chars, cols.link_density, cols.sentence_end, cols.column("n_commas"),
                                  strict=True):
        if not links_count:
            if ld > 0.5:
                out.append(0.0)
                continue
            n *= (1.0 - ld) ** 2
        w = n * min(1.0, n / 120.0)
        if end:
            w *= 1.5
        out.append(w * (1.0 + min(commas, 5.0) * 0.1))
    return out


def _drop_repeats(blocks: Sequence[Block], decisions: list[Decision]) -> list[Decision]:
    """A kept block whose text was already kept is a copy (mobile and desktop variants, sliders)."""
    seen: set[str] = set()
    for i, (b, d) in enumerate(zip(blocks, decisions, strict=True)):
        if not d.kept or len(b.text) < MIN_REPEAT_CHARS:
            continue
        if b.text in seen:
            decisions[i] = Decision("boilerplate", "repeated_block")
        else:
            seen.add(b.text)
    return decisions


def _prefixes(path: str) -> list[str]:
    """``a/b/c`` → ``["a", "a/b", "a/b/c"]``: the block's element and its ancestors."""
    if not path:
        return []
    out = []
    i = path.find("/")
    while i != -1:
        out.append(path[:i])
        i = path.find("/", i + 1)
    out.append(path)
    return out


def _all_prefixes(paths: Sequence[str]) -> list[list[str]]:
    """:func:`_prefixes` of every path (what :class:`_Paths` numbers)."""
    index = _Paths(paths)
    return [[index.names[k] for k in ids] for ids in index.chains]


class _Paths:
    """The blocks' tag paths and all their prefixes (the block's element and its ancestors),
    numbered: per block the chain of prefix ids, root first, so sums over prefixes are bincounts.
    Blocks share ancestors, so each prefix is numbered once, with its parent's id; the chains are
    read off those parent links for all blocks at once."""

    def __init__(self, paths: Sequence[str]) -> None:
        number = _compiled_chains()
        if number is not None:
            ids, parent_bytes, steps_bytes, leaf_bytes = number(list(paths))
            parent = np.frombuffer(parent_bytes, dtype=np.int64).astype(np.intp)
            steps = np.frombuffer(steps_bytes, dtype=np.int64).astype(np.intp)
            leaf = np.frombuffer(leaf_bytes, dtype=np.int64).astype(np.intp)
        else:
            ids, parent_list, steps_list, leaf_list = _path_chains(paths)
            parent = np.array(parent_list, dtype=np.intp)
            steps = np.array(steps_list, dtype=np.intp)
            leaf = np.array(leaf_list, dtype=np.intp)
        self.ids: dict[str, int] = ids
        self.names = list(ids)
        m = len(parent)
        up = np.append(parent, m)  # id m: "no prefix", its own parent
        up[up < 0] = m
        ends = leaf.copy()
        ends[ends < 0] = m
        lengths = np.append(steps, 0)[ends]
        width = int(lengths.max()) if len(lengths) else 0
        chains = np.full((len(leaf), width), -1, dtype=np.intp)
        rows = np.arange(len(leaf))
        node = ends
        for step in range(width):  # the chains filled from their last prefix back to the root
            live = lengths > step
            chains[rows[live], lengths[live] - 1 - step] = node[live]
            node = up[node]
        self._matrix = chains
        self.flat = chains[chains >= 0]
        """Every (block, prefix) pair's prefix id, block by block, root first."""
        self.owner = np.repeat(rows, lengths)
        """Every pair's block."""
        self.lengths = lengths
        """Per block, the length of its chain (its path's number of steps)."""

    @property
    def chains(self) -> list[list[int]]:
        """Per block, its chain of prefix ids, root first."""
        return [[k for k in row if k >= 0] for row in self._matrix.tolist()]

    def ancestors(self) -> np.ndarray:
        """The chains as a matrix: row = block, column j = the id of its prefix of j + 1 steps
        (-1 past the chain's end)."""
        return self._matrix.copy()

    def under(self, regions: Sequence[str]) -> list[bool]:
        """Per block, whether it is one of ``regions`` (path prefixes; "" is the whole page) or
        inside one."""
        if "" in regions:
            return [True] * len(self.lengths)
        mask = np.zeros(len(self.lengths), dtype=np.bool_)
        for region in regions:
            k = self.ids.get(region)
            if k is not None:
                mask[self.owner[self.flat == k]] = True
        out: list[bool] = mask.tolist()
        return out

    def accumulate(self, weights: Sequence[float]) -> np.ndarray:
        """Per prefix id, the sum of the weights of the blocks under it, added in block order
        (the same float sums as a loop over the blocks)."""
        w = np.asarray(weights, dtype=np.float64)
        return np.bincount(self.flat, weights=w[self.owner], minlength=len(self.names))


def _path_chains(paths: Sequence[str]) -> tuple[dict[str, int], list[int], list[int], list[int]]:
    """The numbering of the paths' prefixes (the reference of the C ``path_chains``): prefix -> id in
    the order first reached; per id, the id of the prefix one step shorter (-1: none) and its chain's
    length; per path, the id ending its chain (-1: the empty path). Blocks share ancestors, so a
    path usually finds its parent numbered already."""
    ids: dict[str, int] = {}
    known: dict[str, int] = {}  # path -> id of its last prefix (-1: the empty path, no prefix)
    parent: list[int] = []
    steps: list[int] = []
    leaf: list[int] = []
    for path in paths:
        got = known.get(path)
        if got is None:
            cut = path.rfind("/")
            above = known.get(path[:cut]) if cut != -1 else None
            if above is not None:  # the usual case: the parent element was seen
                got = known[path] = ids[path] = len(parent)
                parent.append(above)
                steps.append(steps[above] + 1 if above >= 0 else 1)
            elif not path:
                got = known[path] = -1
            else:  # up to the nearest ancestor already seen, then down again
                todo = [path]
                got = -1
                while cut != -1:
                    prefix = path[:cut]
                    above = known.get(prefix)
                    if above is not None:
                        got = above
                        break
                    todo.append(prefix)
                    cut = path.rfind("/", 0, cut)
                for prefix in reversed(todo):
                    new = known[prefix] = ids[prefix] = len(parent)
                    parent.append(got)
                    steps.append(steps[got] + 1 if got >= 0 else 1)
                    got = new
        leaf.append(got)
    return ids, parent, steps, leaf


@lru_cache(maxsize=1)
def _compiled_chains() -> Any:
    """``path_chains`` of the compiled extension (thresher/_speedups.c), None when not built."""
    return function("path_chains")


def _effective_hints(
    cols: _Columns, raw: Sequence[float], paths: _Paths, forum: bool
) -> list[dict[str, int]]:
    """Per block, boilerplate category → depth of the hinted container, leaving out containers that
    hold half the page's text (a page-wide wrapper named ``with-sidebar`` is not a sidebar), and
    comments when they are the page's content (a forum thread)."""
    total = sum(raw) or 1.0
    half = 0.5 * total
    depths = cols.matrix(_CATEGORY_KEYS).astype(np.int64)  # int(): depths are whole, never negative
    hinted = depths > 0
    ancestors = paths.ancestors()
    n, width = ancestors.shape
    if width:
        # the hinted container is the block's ancestor with that many path steps; it is too big when
        # it holds half the page's weight
        reach = hinted & (depths <= paths.lengths[:, None])
        container = ancestors[np.arange(n)[:, None], np.clip(depths - 1, 0, width - 1)]
        too_big = reach & (paths.accumulate(raw)[container] >= half)
        hinted &= ~too_big
    kept = np.where(hinted, depths, 0)
    out: list[dict[str, int]] = [{} for _ in range(n)]
    rows = np.flatnonzero(hinted.any(axis=1)).tolist()
    comment_w = 0.0
    comment = _CATEGORIES.index("comment")
    for i, row in zip(rows, kept[rows].tolist(), strict=True):
        out[i] = {cat: d for cat, d in zip(_CATEGORIES, row, strict=True) if d}
        if row[comment] > 2:
            comment_w += raw[i]
    if forum or comment_w > 0.5 * total:
        for found in out:
            found.pop("comment", None)
    return out


def _contextual(w: float, article: bool, hints: Mapping[str, int]) -> float:
    if w <= 0:
        return 0.0
    if any(d > 2 for cat, d in hints.items() if cat in _BOILER_LABELS) or any(
        d > 2 for cat, d in hints.items() if cat.startswith("tag_") and cat != "tag_footer"
    ):
        return w * 0.15
    if article:
        return w * 1.5
    return w


def _region(paths: _Paths, weights: Sequence[float], coverage: float) -> tuple[str, int]:
    """The deepest path prefix holding at least ``coverage`` of the total weight."""
    total = sum(weights)
    if total <= 0:
        return "", 0
    acc_array = paths.accumulate(weights)
    need = coverage * total
    names = paths.names
    best = ""
    candidates = np.flatnonzero(acc_array >= need).tolist()
    if candidates:
        depth_of = [names[k].count("/") + 1 for k in candidates]
        deepest = max(depth_of)
        tied = [k for k, d in zip(candidates, depth_of, strict=True) if d == deepest]
        if len(tied) > 1:  # the first reached in block order (blocks of positive weight)
            positive = np.asarray(weights, dtype=np.float64)[paths.owner] > 0
            tied.sort(key=lambda k: int(np.flatnonzero((paths.flat == k) & positive)[0]))
        best = names[tied[0]]
    # climb the chain of wrappers that hold nothing else of weight, so that sibling sections are
    # found at the right level; a region that is a single block widens to its parent
    if best:
        acc: list[float] = acc_array.tolist()
        counts: list[int] = np.bincount(paths.flat, minlength=len(names)).tolist()
        ids = paths.ids
        while best and "/" in best:
            parent = best.rsplit("/", 1)[0]
            single = counts[ids[best]] == 1
            if not single and acc[ids[parent]] > 1.05 * acc[ids[best]] + 1.0:
                break
            best = parent
    best_depth = best.count("/") + 1 if best else 0
    return best, best_depth


def _under(path: str, region: str) -> bool:
    return region == "" or path == region or path.startswith(region + "/")


def _siblings(
    paths: _Paths,
    blocks: Sequence[Block],
    cols: _Columns,
    raw: Sequence[float],
    hints: Sequence[Mapping[str, int]],
    region: str,
    depth: int,
    focus: str,
) -> list[str]:
    """Sibling containers of the region that also hold running text (a page in several sections).

    Each sum runs over the blocks in order (bincounts), as a loop over the blocks would add."""
    if not region or "/" not in region or focus == "precision":
        return []
    parent = region.rsplit("/", 1)[0]
    if parent not in paths.ids or region not in paths.ids or depth != region.count("/") + 1:
        return _siblings_by_path(blocks, cols, raw, hints, region, depth, focus)
    chains, lengths = paths._matrix, paths.lengths
    top = paths.ids[parent]  # the region's chain holds its parent at step depth - 1
    inside = (lengths >= depth) & (chains[:, depth - 1] == paths.ids[region])
    below = (lengths >= depth) & (chains[:, depth - 2] == top) & ~inside
    w = np.asarray(raw, dtype=np.float64)
    own = float(np.bincount(np.zeros(int(inside.sum()), dtype=np.intp), weights=w[inside], minlength=1)[0])
    rows = np.flatnonzero(below)
    if not len(rows):
        return []
    child, slot = np.unique(chains[rows, depth - 1], return_inverse=True)
    n = np.asarray(cols.n_chars, dtype=np.float64)[rows]
    ld = np.asarray(cols.link_density, dtype=np.float64)[rows]
    boiler_rows = [i for i in rows.tolist() if hints[i] and any(
        d >= depth for cat, d in hints[i].items() if cat in _BOILER_LABELS or cat.startswith("tag_"))]
    boiler_w = np.where(np.isin(rows, boiler_rows), w[rows], 0.0)
    size = len(child)
    weight = np.bincount(slot, weights=w[rows], minlength=size).tolist()
    chars = np.bincount(slot, weights=n, minlength=size).tolist()
    links = np.bincount(slot, weights=n * ld, minlength=size).tolist()
    boiler = np.bincount(slot, weights=boiler_w, minlength=size).tolist()
    floor = 0.05 if focus == "recall" else 0.1
    first = np.full(size, len(lengths), dtype=np.intp)
    np.minimum.at(first, slot, rows)
    out = []
    for k in np.argsort(first, kind="stable").tolist():  # in the order the blocks reach them
        wk, nk = weight[k], chars[k]
        if wk >= max(200.0, floor * own) and nk and links[k] / nk < 0.3 and boiler[k] < 0.5 * wk:
            out.append(paths.names[int(child[k])])
    return out


def _siblings_by_path(
    blocks: Sequence[Block],
    cols: _Columns,
    raw: Sequence[float],
    hints: Sequence[Mapping[str, int]],
    region: str,
    depth: int,
    focus: str,
) -> list[str]:
    """:func:`_siblings` block by block, from the path strings (the reference, and the way for a region
    whose parent is not numbered: a path starting with "/")."""
    if not region or "/" not in region or focus == "precision":
        return []
    parent = region.rsplit("/", 1)[0]
    own = 0.0
    cand: dict[str, list[float]] = {}
    for b, w, h, n, ld in zip(blocks, raw, hints, cols.n_chars, cols.link_density, strict=True):
        if _under(b.path, region):
            own += w
            continue
        if not b.path.startswith(parent + "/"):
            continue
        child = "/".join(b.path.split("/")[:depth])
        acc = cand.setdefault(child, [0.0, 0.0, 0.0, 0.0])  # weight, chars, link chars, boiler weight
        acc[0] += w
        acc[1] += n
        acc[2] += n * ld
        if any(d >= depth for cat, d in h.items() if cat in _BOILER_LABELS or cat.startswith("tag_")):
            acc[3] += w
    floor = 0.05 if focus == "recall" else 0.1
    out = []
    for child, (w, n, links, boiler) in cand.items():
        if w >= max(200.0, floor * own) and n and links / n < 0.3 and boiler < 0.5 * w:
            out.append(child)
    return out


def _region_link_density(paths: _Paths, cols: _Columns, region: str) -> float:
    inside = np.asarray(paths.under([region]), dtype=np.bool_)
    n = np.asarray(cols.n_chars, dtype=np.float64)[inside]
    ld = np.asarray(cols.link_density, dtype=np.float64)[inside]
    one = np.zeros(len(n), dtype=np.intp)  # one bin: the sums in block order, as a loop adds
    chars = float(np.bincount(one, weights=n, minlength=1)[0])
    links = float(np.bincount(one, weights=n * ld, minlength=1)[0])
    return links / chars if chars else 0.0


_OUTSIDE_HINT = {cat: Decision(label, f"outside_region,hint:{cat}") for cat, label in _BOILER_LABELS.items()}
_OUTSIDE_TAG = {"tag_" + tag: Decision(label, f"outside_region,tag:{tag}") for tag, label in _TAG_LABELS.items()}
_OUTSIDE_LINKS = Decision("navigation", "outside_region,link_density>0.5")
_OUTSIDE = Decision("boilerplate", "outside_region")


def _outside(ld: float, hints: Mapping[str, int]) -> Decision:
    """The decision for a block outside the main region (shared objects: a Decision is frozen)."""
    if hints:
        for cat, decision in _OUTSIDE_HINT.items():
            if cat in hints:
                return decision
        for key, decision in _OUTSIDE_TAG.items():
            if key in hints:
                return decision
    if ld > 0.5:
        return _OUTSIDE_LINKS
    return _OUTSIDE


def _inside(
    b: Block,
    n: float,
    ld: float,
    sentence_end: float,
    hints: Mapping[str, int],
    region_depth: int,
    max_ld: float,
    listing: bool,
    phrases: Mapping[str, str],
) -> Decision:
    if hints and max(hints.values()) > region_depth:
        strong = n >= 250 and sentence_end > 0 and ld < 0.2
        for cat, label in _BOILER_LABELS.items():
            if hints.get(cat, 0) > region_depth:
                if strong and cat in ("related", "sidebar", "navigation", "promo"):
                    continue
                return Decision(label, f"hint:{cat}")
        for tag, label in _TAG_LABELS.items():
            if hints.get("tag_" + tag, 0) > region_depth and not strong:
                return Decision(label, f"tag:{tag}")
        if hints.get("meta", 0) > region_depth and n < 200 and b.kind != "heading":
            return Decision("byline", "hint:meta")
    if ld > max_ld and n < 1000:
        if listing and (n >= 30 or b.kind == "heading"):
            pass  # a card of a listing: its title and teaser are the content
        elif b.kind in ("heading", "list_item") and n > 25:
            return Decision("headline_list", f"link_density>{max_ld:g}")
        else:
            return Decision("navigation", f"link_density>{max_ld:g}")
    if n < 40:
        key = _fold(b.text)
        if key in phrases:
            return Decision(phrases[key], "furniture_phrase")  # type: ignore[arg-type]
    if b.kind == "caption":
        return Decision("caption", "caption")
    return Decision("main", "main_region")


@lru_cache(maxsize=1)
def _rule_tokens() -> dict[str, tuple[str, ...]]:
    """The token lists of data/html_hint_tokens.json that only the rules read (not features)."""
    raw = json.loads(resources.files("thresher").joinpath("data/html_hint_tokens.json").read_text("utf-8"))
    return {key: tuple(raw.get(key, ())) for key in ("customer_review", "consent_dialog")}


def _hinted(blocks: Sequence[Block], needles: Sequence[str]) -> list[bool]:
    """Per block, whether one of its hint tokens contains one of ``needles``."""
    return hints_containing([b.hints for b in blocks], needles)


def hints_containing(hints: Sequence[tuple[str, ...]], needles: Sequence[str]) -> list[bool]:
    """Per tuple of hint tokens, whether one of its tokens contains one of ``needles``. Blocks share
    their tuples (siblings in one container), so each distinct tuple is looked at once, with one
    search over its tokens joined by a character no token holds."""
    if not needles:
        return [False] * len(hints)
    search = _needle_pattern(tuple(needles)).search
    found: dict[tuple[str, ...], bool] = {}
    known: dict[int, bool] = {}  # by the tuple's id first: the segmenter shares equal tuples
    out = []
    for h in hints:
        hit = known.get(id(h))
        if hit is None:
            hit = found.get(h)
            if hit is None:
                hit = found[h] = search("\n".join(h)) is not None
            known[id(h)] = hit
        out.append(hit)
    return out


@lru_cache(maxsize=16)
def _needle_pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in needles if "\n" not in n) or "(?!)")


def _footer_footnotes(blocks: Sequence[Block]) -> list[bool]:
    """Per block, whether it sits in a footnote (a ``footnote`` hint token) of the site footer (a
    ``footer`` token or the ``contentinfo`` role), each distinct tuple of tokens looked at once."""
    found: dict[tuple[str, ...], bool] = {}
    known: dict[int, bool] = {}  # by the tuple's id first: the segmenter shares equal tuples
    out = []
    for b in blocks:
        h = b.hints
        hit = known.get(id(h))
        if hit is None:
            hit = found.get(h)
            if hit is None:
                hit = found[h] = any("footnote" in t for t in h) and any(
                    "footer" in t or t == "contentinfo" for t in h)
            known[id(h)] = hit
        out.append(hit)
    return out


def customer_review_tokens() -> tuple[str, ...]:
    """Hint tokens of a shop's customer-review widget (``customer-reviews``, ``product-reviews``, a
    review vendor's prefix; the ``customer_review`` list of data/html_hint_tokens.json). WCXB's main
    text of a shop page leaves the reviews out, as an article's leaves its comments."""
    return _rule_tokens()["customer_review"]


def sure_boilerplate(blocks: Sequence[Block], only: Sequence[bool] | None = None) -> list[Decision | None]:
    """Per block, a label the model may not overrule, for the few blocks that are never main text
    whatever their page; None for every other block:

    - a bare URL, or a run of letter-and-digit codes (obfuscated "sponsored" strings, id dumps);
    - a footnote of the site footer (a shop's fine print: financing terms, testing conditions);
    - a cookie-consent dialog (a ``consent_dialog`` token of data/html_hint_tokens.json).

    A container hint counts only when under half the page's blocks carry it (a page-wide wrapper
    named ``has-consent`` is no dialog). With ``only``, blocks where it is false are not looked at
    (None)."""
    footnote = _footer_footnotes(blocks)
    consent = _hinted(blocks, _rule_tokens()["consent_dialog"])
    use_footnote = sum(footnote) < 0.5 * len(blocks)
    use_consent = sum(consent) < 0.5 * len(blocks)
    out: list[Decision | None] = []
    for i, (b, foot, dialog) in enumerate(zip(blocks, footnote, consent, strict=True)):
        if only is not None and not only[i]:
            out.append(None)
            continue
        text = b.text
        if _BARE_URL.fullmatch(text):
            out.append(Decision("residue", "bare_url"))
        elif _code_run(text):
            out.append(Decision("residue", "code_tokens"))
        elif use_footnote and foot:
            out.append(Decision("legal", "footer_footnote"))
        elif use_consent and dialog:
            out.append(Decision("legal", "consent_dialog"))
        else:
            out.append(None)
    return out


def _code_run(text: str) -> bool:
    """Whether ``text`` is a run of letter-and-digit codes: at least ``CODE_MIN_WORDS`` words, of
    which ``CODE_SHARE`` or more are such codes (a text without an ASCII digit has none)."""
    if not _ASCII_DIGIT.search(text):
        return False
    words = _WORD.findall(text.lower())
    return len(words) >= CODE_MIN_WORDS and sum(
        1 for w in words if _CODE_TOKEN.fullmatch(w)) >= CODE_SHARE * len(words)


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))
