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

import numpy as np

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
    regions = [region, *_siblings(blocks, cols, raw, hints, region, region_depth, opts.focus)]
    max_ld = MAX_LINK_DENSITY[opts.focus]
    listing = _region_link_density(blocks, cols, region) > 0.5  # the content itself is made of links
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
    Blocks share ancestors, so each chain extends its parent's."""

    def __init__(self, paths: Sequence[str]) -> None:
        ids: dict[str, int] = {}
        known: dict[str, list[int]] = {}
        chains: list[list[int]] = []
        flat: list[int] = []
        for path in paths:
            got = known.get(path)
            if got is None:
                cut = path.rfind("/")
                above = known.get(path[:cut]) if cut != -1 else None
                if above is not None:  # the usual case: the parent element was seen
                    got = known[path] = [*above, ids.setdefault(path, len(ids))]
                elif not path:
                    got = known[path] = []
                else:  # up to the nearest ancestor already seen, then down again
                    todo = [path]
                    got = []
                    while cut != -1:
                        parent = path[:cut]
                        above = known.get(parent)
                        if above is not None:
                            got = above
                            break
                        todo.append(parent)
                        cut = path.rfind("/", 0, cut)
                    for prefix in reversed(todo):
                        got = known[prefix] = [*got, ids.setdefault(prefix, len(ids))]
            chains.append(got)
            flat += got
        self.ids = ids
        self.names = list(ids)
        self.chains = chains
        lengths = list(map(len, chains))
        self.flat = np.array(flat, dtype=np.intp)
        """Every (block, prefix) pair's prefix id, block by block, root first."""
        self.owner = np.repeat(np.arange(len(chains)), lengths)
        """Every pair's block."""
        self.lengths = np.asarray(lengths, dtype=np.intp)
        """Per block, the length of its chain (its path's number of steps)."""

    def ancestors(self) -> np.ndarray:
        """The chains as a matrix: row = block, column j = the id of its prefix of j + 1 steps
        (-1 past the chain's end)."""
        width = int(self.lengths.max()) if len(self.lengths) else 0
        out = np.full((len(self.chains), width), -1, dtype=np.intp)
        if len(self.flat):
            starts = np.cumsum(self.lengths) - self.lengths
            out[self.owner, np.arange(len(self.flat)) - starts[self.owner]] = self.flat
        return out

    def under(self, regions: Sequence[str]) -> list[bool]:
        """Per block, whether it is one of ``regions`` (path prefixes; "" is the whole page) or
        inside one."""
        if "" in regions:
            return [True] * len(self.chains)
        mask = np.zeros(len(self.chains), dtype=np.bool_)
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
    blocks: Sequence[Block],
    cols: _Columns,
    raw: Sequence[float],
    hints: Sequence[Mapping[str, int]],
    region: str,
    depth: int,
    focus: str,
) -> list[str]:
    """Sibling containers of the region that also hold running text (a page in several sections)."""
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


def _region_link_density(blocks: Sequence[Block], cols: _Columns, region: str) -> float:
    chars = 0.0
    links = 0.0
    for b, n, ld in zip(blocks, cols.n_chars, cols.link_density, strict=True):
        if region == "" or b.path == region or b.path.startswith(region + "/"):
            chars += n
            links += n * ld
    return links / chars if chars else 0.0


def _outside(ld: float, hints: Mapping[str, int]) -> Decision:
    if hints:
        for cat, label in _BOILER_LABELS.items():
            if cat in hints:
                return Decision(label, f"outside_region,hint:{cat}")
        for tag, label in _TAG_LABELS.items():
            if "tag_" + tag in hints:
                return Decision(label, f"outside_region,tag:{tag}")
    if ld > 0.5:
        return Decision("navigation", "outside_region,link_density>0.5")
    return Decision("boilerplate", "outside_region")


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
    out = []
    for h in hints:
        hit = found.get(h)
        if hit is None:
            hit = found[h] = search("\n".join(h)) is not None
        out.append(hit)
    return out


@lru_cache(maxsize=16)
def _needle_pattern(needles: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(n) for n in needles if "\n" not in n) or "(?!)")


def _footer_footnotes(blocks: Sequence[Block]) -> list[bool]:
    """Per block, whether it sits in a footnote (a ``footnote`` hint token) of the site footer (a
    ``footer`` token or the ``contentinfo`` role), each distinct tuple of tokens looked at once."""
    found: dict[tuple[str, ...], bool] = {}
    out = []
    for b in blocks:
        h = b.hints
        hit = found.get(h)
        if hit is None:
            hit = found[h] = any("footnote" in t for t in h) and any(
                "footer" in t or t == "contentinfo" for t in h)
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
