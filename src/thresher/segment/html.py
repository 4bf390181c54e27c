"""Cleaned HTML tree → ordered blocks, each with numeric features a rule set or a model can use.

One iterative walk over the body (no recursion: pages nest very deep). Block-level elements start
and end blocks; inline text accumulates into the innermost open block element. Table rows of data
tables become ``table_row`` blocks with their cells; tables used for layout act like ``div``.

The walk runs in C when the extension is built (thresher/_speedups_lexbor.c, a port of :func:`_walk`
over the parser's own tree); :func:`_walk` stays the reference: the C walk is only used once it gave
the same raw blocks on :func:`check_pages`, and a page it cannot mirror is walked here.

Markup that only a few blocks need is read afterwards, on the tree, for whichever walk ran (blocks
found by their tag paths): the columns of rows with ``colspan``/``rowspan`` cells, the permalink
``¶`` after Sphinx/MkDocs headings, and, for the Markdown and HTML renderers, the numbers of
``<ol start/reversed>`` items and the language a ``<pre lang/data-lang>`` names (as hint tokens no
markup token can be: ITEM_NUMBER_MARK, LANGUAGE_MARK).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from thresher.compiled import function
from thresher.deadline import NO_DEADLINE, Deadline
from thresher.model import Block, BlockKind
from thresher.options import Options
from thresher.parse.html import Tree, native_parser, parse_html
from thresher.segment.features import CATEGORIES, RawBlocks, block_features, hint_tokens, hint_vocabulary

BLOCK_TAGS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "div", "section", "article", "main", "aside", "header", "footer", "nav", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "dl", "dt", "dd", "ul", "ol", "figure", "figcaption", "form", "fieldset", "legend", "address", "center", "details", "summary", "body", "menu", "dialog", "hgroup", "search", "noscript"]
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LAYOUT_MARKERS = "p, h1, h2, h3, h4, h5, h6, ul, ol, pre, blockquote, article, section"
PATH_MAX_DEPTH = 64
"""Tag paths stop growing past this depth (deeper blocks share their ancestor's path)."""
MAX_HINTS = 40
"""Hint tokens kept per block (nearest elements first)."""
_BR = "\x00"

# Frame flags (bit set), inherited from ancestors.
F_ARTICLE = 1
F_MAIN = 2
F_NAV = 4
F_HEADER = 8
F_FOOTER = 16
F_ASIDE = 32
F_FORM = 64
F_LIST = 128
F_TABLE = 256
F_QUOTE = 512
F_LINK = 1024
F_PRE = 2048
F_LI = 4096
F_FIGURE = 8192
F_ROW = 16384

FLAG_FEATURES = (
    ("in_article", F_ARTICLE | F_MAIN),
    ("in_main", F_MAIN),
    ("in_nav", F_NAV),
    ("in_header", F_HEADER),
    ("in_footer", F_FOOTER),
    ("in_aside", F_ASIDE),
    ("in_form", F_FORM),
    ("in_list", F_LIST),
    ("in_table", F_TABLE),
    ("in_quote", F_QUOTE),
    ("in_figure", F_FIGURE),
)
_TAG_FLAGS = {
    "article": F_ARTICLE,
    "main": F_MAIN,
    "nav": F_NAV,
    "header": F_HEADER,
    "footer": F_FOOTER,
    "aside": F_ASIDE,
    "form": F_FORM,
    "ul": F_LIST,
    "ol": F_LIST,
    "dl": F_LIST,
    "menu": F_LIST,
    "table": F_TABLE,
    "blockquote": F_QUOTE,
    "a": F_LINK,
    "pre": F_PRE,
    "li": F_LI,
    "figure": F_FIGURE,
}
_DEPTH_TAGS = ("nav", "header", "footer", "aside", "article")
"""Tags whose nearest depth is recorded (``d_tag_nav`` ...): relative to a region, they tell
whether a ``<header>`` is the page's or the article's own."""
_SKIPPED = ("br", "hr", "img", "wbr", "area", "source", "track", "col", "param", "embed")
"""Void elements: no frame (``br`` still breaks the line)."""
_HINT_ATTRIBUTES = ("class", "id", "role", "aria-label", "itemprop")
"""Attributes whose values give an element's hint tokens, in this order."""


class _TagInfo(NamedTuple):
    """What the walker needs to know of a tag name, looked up once per element."""

    flag: int = 0
    block: bool = False
    depth_slot: int = -1
    """Index into _DEPTH_TAGS, or -1."""
    list_step: int = 0
    """1 for list containers: nesting depth of list items."""
    special: bool = False
    """``table``, ``tr`` and ``a`` have their own handling."""
    skip: bool = False


_PLAIN = _TagInfo()
_TAG_INFO = {
    tag: _TagInfo(
        flag=_TAG_FLAGS.get(tag, 0),
        block=tag in BLOCK_TAGS,
        depth_slot=_DEPTH_TAGS.index(tag) if tag in _DEPTH_TAGS else -1,
        list_step=1 if tag in ("ul", "ol", "dl", "menu") else 0,
        special=tag in ("table", "tr", "a"),
        skip=tag in _SKIPPED,
    )
    for tag in {*BLOCK_TAGS, *_TAG_FLAGS, *_DEPTH_TAGS, *_SKIPPED}
}


class _Frame:
    __slots__ = (
        "_hints", "_unique", "block", "cats", "counts", "depth", "flags", "list_depth", "node", "own",
        "parent", "path", "tag", "tagdepths",
    )

    def __init__(
        self, node: Any, tag: str, depth: int, path: str, flags: int, own: tuple[str, ...],
        parent: _Frame | None, cats: tuple[int, ...], tagdepths: tuple[int, ...], list_depth: int,
        block: bool,
    ) -> None:
        self.node = node
        self.tag = tag
        self.depth = depth
        self.path = path
        self.flags = flags
        self.own = own
        self.parent = parent
        self.cats = cats
        self.tagdepths = tagdepths
        self.list_depth = list_depth
        self.block = block
        self.counts: dict[str, int] | None = None
        self._hints: tuple[str, ...] | None = None
        self._unique: tuple[str, ...] | None = None

    @property
    def hints(self) -> tuple[str, ...]:
        """Hint tokens of this element and its ancestors, nearest first, possibly repeated (computed
        when asked; the outermost are left out once MAX_HINTS are gathered)."""
        if self._hints is not None:
            return self._hints
        chain: list[_Frame] = []
        frame: _Frame | None = self
        while frame is not None and frame._hints is None:
            chain.append(frame)
            frame = frame.parent
        hints = frame._hints if frame is not None and frame._hints is not None else ()
        for f in reversed(chain):
            if f.own and len(hints) < MAX_HINTS:
                hints = f.own + hints
            f._hints = hints
        return hints

    @property
    def unique_hints(self) -> tuple[str, ...]:
        """:attr:`hints` without repeats, at most MAX_HINTS (what a block keeps). An element with
        no hint tokens of its own has its parent's hints, so it shares its parent's answer."""
        if self._unique is not None:
            return self._unique
        chain: list[_Frame] = []
        frame: _Frame | None = self
        while frame is not None and frame._unique is None and not frame.own and frame.parent is not None:
            chain.append(frame)
            frame = frame.parent
        if frame is None:  # pragma: no cover - the loop stops at the root, which has no parent
            return ()
        unique = frame._unique
        if unique is None:
            unique = frame._unique = tuple(dict.fromkeys(frame.hints))[:MAX_HINTS]
        for f in chain:
            f._unique = unique
        return unique


class _Raw:
    """A block before its features are computed."""

    __slots__ = ("cats", "cells", "depth", "flags", "hints", "kind", "level", "link_chars", "n_links",
                 "parent", "path", "tagdepths", "text")

    def __init__(self, text: str, kind: BlockKind, level: int, frame: _Frame, parent: str,
                 link_chars: int, n_links: int, cells: tuple[str, ...] | None) -> None:
        self.text = text
        self.kind = kind
        self.level = level
        self.depth = frame.depth
        self.path = frame.path
        self.parent = parent
        self.flags = frame.flags
        self.hints = frame.unique_hints
        self.cats = frame.cats
        self.tagdepths = frame.tagdepths
        self.link_chars = link_chars
        self.n_links = n_links
        self.cells = cells


def segment_html(tree: Tree, opts: Options, deadline: Deadline) -> list[Block]:
    """Walk the cleaned tree once and return its blocks in reading order, with features."""
    body = tree.body
    if body is None:
        return []
    raws = raw_blocks(body, tree.max_elements, deadline)
    blocks = block_features(raws, tree.lang, FLAG_FEATURES, deadline)
    # markup the walk does not read, looked for on the tree only when a block may need it (cheap
    # tests on the columns first), the same whichever walk ran
    if "table_row" in raws.kinds:
        _place_spanned_cells(body, blocks)
    if _ANCHOR_MARK + "\n" in "\n".join(raws.texts) + "\n":
        _drop_header_anchors(body, blocks)
    if opts.with_markdown or opts.with_html:
        if "/ol[" in "\n".join(raws.paths):
            _number_list_items(body, blocks)
        if "code" in raws.kinds:
            _name_code_languages(body, blocks)
    return blocks


ITEM_NUMBER_MARK = "#"
"""A hint token ``#5``: the block belongs to an ``ol`` item the page numbers 5 (no class or id
token has a ``#``: the markup's tokens are letters and digits only, so the model and the rules
never take it for one; the renderers read it, ``thresher.assemble.markdown.item_number``)."""
LANGUAGE_MARK = "lang="
"""A hint token ``lang=rust``: the code block's ``pre`` (or its ``code``) names its language in a
``lang``, ``data-lang`` or ``data-language`` attribute (read by ``assemble.markdown.code_language``)."""
_LANGUAGE_ATTRIBUTES = ("data-lang", "data-language", "lang")
_NAMED_CODE = ", ".join(f"pre[{a}], pre > code[{a}]" for a in _LANGUAGE_ATTRIBUTES)


def _name_code_languages(body: Any, blocks: list[Block]) -> None:
    """Add a LANGUAGE_MARK hint token to the code blocks of a ``pre`` whose element (or inner
    ``code``) names a language in an attribute (``<pre lang="rust">``, ``data-lang="…"``), in place."""
    named = body.css(_NAMED_CODE)
    if not named:
        return
    languages: dict[str, str] = {}
    paths = _TreePaths(body)
    for node in named:
        pre = node if node.tag == "pre" else node.parent
        value = next((v for v in map(node.attributes.get, _LANGUAGE_ATTRIBUTES) if v and v.strip()), None)
        path = paths.of(pre) if pre is not None and value is not None else None
        if path is not None and value is not None:
            languages.setdefault(path, value.strip().lower())  # the pre's own before its code's
    for i, block in enumerate(blocks):
        at = block.path.rfind("/pre[") if block.kind == "code" else -1
        found = languages.get(block.path[: block.path.index("]", at) + 1]) if at >= 0 else None
        if found is not None:
            blocks[i] = replace(block, hints=(*block.hints, LANGUAGE_MARK + found))


MAX_SPAN = 1000
"""The most columns a ``colspan`` (and rows a ``rowspan``) may take, and the widest a row may grow
(the HTML standard's own cap on ``colspan``); a larger or unreadable value counts as 1."""
_CELL_TAGS = ("td", "th")
_ROW_GROUPS = ("thead", "tbody", "tfoot")


def _place_spanned_cells(body: Any, blocks: list[Block]) -> None:
    """Put the cells of each data-table row in their columns when cells of the table span several
    (``colspan``, ``rowspan``): a cell that spans N columns is followed by N-1 empty cells, and a
    column taken by a cell from a row above gets an empty cell (GFM has no spans: the value is not
    repeated, so the padding adds no words), up to the row's last own cell (short rows are padded
    by the renderers). Only ``Block.cells`` changes, in place, after the features
    are computed: the row's text, its features and its classification are the same either way.
    Done here, on the tree, for both walks (the paths of the rows say which block is which row)."""
    spanning = body.css("td[rowspan], th[rowspan], td[colspan], th[colspan]")
    if not spanning:
        return
    tables: dict[int, Any] = {}
    for cell in spanning:
        node = cell.parent
        while node is not None and node.tag != "table":
            node = node.parent
        if node is not None:
            tables.setdefault(node.mem_id, node)
    rows = {b.path: i for i, b in enumerate(blocks) if b.kind == "table_row"}
    paths = _TreePaths(body)
    for table in tables.values():
        below: dict[int, int] = {}  # column → rows still taken by a cell of a row above
        group = None
        for path, tr, parent in _table_rows(paths, table):
            if parent is not group:  # a rowspan ends with its row group
                group, below = parent, {}
            cells = [c for c in _element_children(tr) if c.tag in _CELL_TAGS]
            i = rows.get(path) if path is not None else None
            texts = blocks[i].cells if i is not None else None
            if texts is not None and len(texts) != len(cells):  # not the walk's cells: leave the row be
                i = texts = None
            placed, below = _placed(texts if texts is not None else [""] * len(cells),
                                    [(_span(c, "colspan"), _span(c, "rowspan")) for c in cells], below)
            if i is not None and tuple(placed) != texts:
                blocks[i] = replace(blocks[i], cells=tuple(placed))


_ITEM_STEP = re.compile(r"/(ol|ul|menu)\[\d+\]/li\[\d+\]")
"""A list item in a tag path (the renderers take the innermost as the item a block belongs to)."""
_INTEGER = re.compile(r"\s*[-+]?\d{1,10}")
MAX_ITEM_NUMBER = 999_999_999
"""The largest number a Markdown list item can carry (CommonMark allows nine digits)."""


def _number_list_items(body: Any, blocks: list[Block]) -> None:
    """Give the blocks of the items of an ``ol`` that does not count 1, 2, 3 … their item's number
    (an ITEM_NUMBER_MARK hint token, in place): ``start``, ``reversed`` (counting down from ``start`` or from the
    number of items) and an item's ``value`` (the items after it count on from there). Numbers
    outside 0 … MAX_ITEM_NUMBER are left out (the renderers count the item's place then)."""
    lists = body.css("ol[start], ol[reversed], ol > li[value]")
    if not lists:
        return
    numbers: dict[str, int] = {}
    seen: set[int] = set()
    paths = _TreePaths(body)
    for node in lists:
        ol = node if node.tag == "ol" else node.parent
        if ol is None or ol.mem_id in seen:
            continue
        seen.add(ol.mem_id)
        if paths.of(ol) is None:
            continue
        items = [(paths.of(child), child) for child in _element_children(ol) if child.tag == "li"]
        attrs = ol.attributes
        down = "reversed" in attrs
        start = _integer(attrs.get("start"))
        number = start if start is not None else (len(items) if down else 1)
        for path, li in items:
            value = _integer(li.attributes.get("value"))
            if value is not None:
                number = value
            if path is not None and 0 <= number <= MAX_ITEM_NUMBER:
                numbers[path] = number
            number += -1 if down else 1
    if not numbers:
        return
    for i, block in enumerate(blocks):
        if "/ol[" not in block.path:
            continue
        steps = list(_ITEM_STEP.finditer(block.path))
        last = steps[-1] if steps else None
        if last is not None and last.group(1) == "ol":
            found = numbers.get(block.path[: last.end()])
            if found is not None:
                blocks[i] = replace(block, hints=(*block.hints, f"{ITEM_NUMBER_MARK}{found}"))


def _integer(value: str | None) -> int | None:
    """An HTML integer attribute (``start``, ``value``): optional sign, then digits (what follows them
    ignored); None when there are none."""
    match = _INTEGER.match(value or "")
    return int(match.group()) if match is not None else None


_ANCHOR_MARK = "\u00b6"
"""The pilcrow Sphinx and MkDocs put in the permalink after a heading (``<a class="headerlink">¶</a>``)."""
_ANCHOR_LINKS = "a.headerlink, a.header-anchor, a.anchor-link"


def _drop_header_anchors(body: Any, blocks: list[Block]) -> None:
    """Take the permalink mark (``¶``) off the end of the blocks (headings, Sphinx's API terms) whose
    text ends with it, in place, when the page has such permalinks: it is no part of the heading.
    Only the text changes (after the features are computed), for both walks."""
    marked = [i for i, b in enumerate(blocks) if b.text.endswith(_ANCHOR_MARK)]
    if not marked or body.css_first(_ANCHOR_LINKS) is None:
        return
    for i in marked:
        text = blocks[i].text.rstrip(_ANCHOR_MARK).rstrip()
        if text:
            blocks[i] = replace(blocks[i], text=text)


def _placed(texts: Sequence[str], spans: Sequence[tuple[int, int]],
            below: dict[int, int]) -> tuple[list[str], dict[int, int]]:
    """A row's cell texts in their columns, given each cell's (colspan, rowspan) and the columns
    taken by cells of the rows above (up to its last own cell); and the columns taken for the rows
    below."""
    out: list[str] = []
    after: dict[int, int] = {c: n - 1 for c, n in below.items() if n > 1}
    end = 0  # past the column of the row's last own cell
    for text, (colspan, rowspan) in zip(texts, spans, strict=True):
        while len(out) in below and len(out) < MAX_SPAN:
            out.append("")
        if len(out) >= MAX_SPAN:
            break
        column = len(out)
        out.append(text)
        end = len(out)
        out.extend([""] * min(colspan - 1, MAX_SPAN - len(out)))
        if rowspan > 1:
            for c in range(column, len(out)):
                after[c] = rowspan - 1
    # no padding after the last cell: the renderers pad short rows, and the text shows no empty cells
    return out[:end], after


def _span(cell: Any, name: str) -> int:
    """A cell's ``colspan`` or ``rowspan``: 1 when absent, unreadable, below 1 or above MAX_SPAN."""
    value = (cell.attributes.get(name) or "").strip()
    digits = value[: len(value) - len(value.lstrip("0123456789"))] if value else ""
    number = int(digits) if digits and len(digits) <= 6 else 1
    return number if 1 <= number <= MAX_SPAN else 1


def _element_children(node: Any) -> Iterator[Any]:
    child = node.child
    while child is not None:
        tag = child.tag
        if tag is not None and tag[0] not in "-_!#":
            yield child
        child = child.next


def _table_rows(paths: _TreePaths, table: Any) -> Iterator[tuple[str | None, Any, Any]]:
    """The rows of a table (its own ``tr``, directly or in a ``thead``/``tbody``/``tfoot``), each with
    the tag path the walk gives it (None when too deep to tell) and its parent element."""
    base = paths.of(table)
    counts: dict[str, int] = {}
    for child in _element_children(table):
        tag = child.tag
        counts[tag] = counts.get(tag, 0) + 1
        path = _extend(base, tag, counts[tag])
        if tag == "tr":
            yield path, child, table
        elif tag in _ROW_GROUPS:
            inner: dict[str, int] = {}
            for row in _element_children(child):
                inner[row.tag] = inner.get(row.tag, 0) + 1
                if row.tag == "tr":
                    yield _extend(path, "tr", inner["tr"]), row, child


def _extend(path: str | None, tag: str, k: int) -> str | None:
    if path is None or path.count("/") + 2 > PATH_MAX_DEPTH:
        return None
    return f"{path}/{tag}[{k}]"


class _TreePaths:
    """The tag paths the walk gives elements of the tree under ``body`` (``body/div[2]/table[1]``),
    each element's place among its siblings counted once per parent (a page of many lists or tables
    costs one pass over their siblings, not one per element)."""

    def __init__(self, body: Any) -> None:
        self.body_id = body.mem_id
        self.paths: dict[int, str | None] = {body.mem_id: "body"}
        self.places: dict[int, dict[int, int]] = {}

    def of(self, node: Any) -> str | None:
        """The element's path; None when it lies deeper than PATH_MAX_DEPTH (paths stop growing
        there) or outside ``body``."""
        chain = []
        while node is not None and node.mem_id not in self.paths:
            chain.append(node)
            node = node.parent
        if node is None:
            return None
        path = self.paths[node.mem_id]
        for element in reversed(chain):
            parent = element.parent
            places = self.places.get(parent.mem_id)
            if places is None:
                places = self.places[parent.mem_id] = _places(parent)
            path = _extend(path, element.tag, places.get(element.mem_id, 0))
            self.paths[element.mem_id] = path
        return path


def _places(parent: Any) -> dict[int, int]:
    """Each child element's place among its siblings of the same tag (from 1), by ``mem_id``."""
    counts: dict[str, int] = {}
    out: dict[int, int] = {}
    for child in _element_children(parent):
        k = counts[child.tag] = counts.get(child.tag, 0) + 1
        out[child.mem_id] = k
    return out


def raw_blocks(body: Any, max_elements: int, deadline: Deadline) -> RawBlocks:
    """The blocks of the tree under ``body`` before their features: walked in C when the compiled
    walk is there and passed its check (see _compiled_walk), else by :func:`_walk`; the same either way."""
    walk = _compiled_walk()
    if walk is not None:
        got = walk(body, max_elements, deadline)
        if got is not None:
            return got
    return _columns(_walk(body, max_elements, deadline))


def _columns(raws: list[_Raw]) -> RawBlocks:
    """The Python walk's blocks as the columns block_features reads."""
    n = len(raws)

    def ints(values: Any, width: int = 0) -> np.ndarray:
        out = np.array(values, dtype=np.int64)
        return out.reshape(n, width) if width else out.reshape(n)

    return RawBlocks(
        texts=[r.text for r in raws],
        kinds=[r.kind for r in raws],
        levels=[r.level for r in raws],
        paths=[r.path for r in raws],
        parents=[r.parent for r in raws],
        hints=[r.hints for r in raws],
        cells=[r.cells for r in raws],
        depths=ints([r.depth for r in raws]),
        flags=ints([r.flags for r in raws]),
        cats=ints([r.cats for r in raws], len(CATEGORIES)),
        tagdepths=ints([r.tagdepths for r in raws], len(_DEPTH_TAGS)),
        link_chars=ints([r.link_chars for r in raws]),
        n_links=ints([r.n_links for r in raws]),
    )


def _layout_tables(body: Any) -> set[int]:
    """``mem_id`` of the tables under ``body`` (itself included) that lay out the page: the test
    :func:`_walk` makes on each table it meets."""
    return {t.mem_id for t in body.css("table")
            if t.css_first(_LAYOUT_MARKERS) is not None or len(t.css("table")) > 1}


_WalkFunction = Callable[[Any, int, Deadline], "RawBlocks | None"]


@lru_cache(maxsize=1)
def _compiled_walk() -> _WalkFunction | None:
    """The C walk (thresher/_speedups_lexbor.c) bound to the parser's library, once it gave the same
    blocks as :func:`_walk` on the check page; None when the extension is not built, the parser's
    library cannot be found, or the check disagrees (the Python walk is used then)."""
    bind, check, walk_c = function("lexbor_bind"), function("lexbor_check"), function("lexbor_walk")
    native = native_parser()
    if bind is None or check is None or walk_c is None or native is None or not bind(native[0], *native[1]):
        return None
    # the struct layout first, on a tiny tree, before any walk follows a pointer
    probe = parse_html('<body><p class="c" id="i">a<!--b--></p></body>', Options())
    para = probe.body.child if probe.body is not None else None
    text = para.child if para is not None else None
    comment = text.next if text is not None else None
    if para is None or text is None or comment is None or not check(para.mem_id, text.mem_id, comment.mem_id):
        return None
    n_cat = len(CATEGORIES)
    vocab = {token: sum(1 << i for i in cats) for token, cats in hint_vocabulary().items()}

    def walk(body: Any, max_elements: int, deadline: Deadline) -> RawBlocks | None:
        layout: set[int] | None = None

        def is_layout(mem_id: int) -> bool:
            nonlocal layout
            if layout is None:
                layout = _layout_tables(body)
            return mem_id in layout

        got = walk_c(body.mem_id, max_elements, n_cat, vocab, deadline.check, is_layout)
        if got is None:
            return None
        texts, kinds, levels, paths, parents, hints, cells, depths, flags, cats, tagdepths, links, n_links = got
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        hints = [shared.setdefault(h, h) for h in hints]  # one object per distinct tuple (later stages look them up by id)
        return RawBlocks(
            texts=texts, kinds=kinds, levels=levels, paths=paths, parents=parents, hints=hints, cells=cells,
            depths=np.frombuffer(depths, dtype=np.int64),
            flags=np.frombuffer(flags, dtype=np.int64),
            cats=np.frombuffer(cats, dtype=np.int64).reshape(len(texts), n_cat),
            tagdepths=np.frombuffer(tagdepths, dtype=np.int64).reshape(len(texts), len(_DEPTH_TAGS)),
            link_chars=np.frombuffer(links, dtype=np.int64),
            n_links=np.frombuffer(n_links, dtype=np.int64),
        )

    for html in check_pages():
        tree = parse_html(html, Options())
        if tree.body is None or not same_blocks(walk(tree.body, tree.max_elements, NO_DEADLINE),
                                                _columns(_walk(tree.body, tree.max_elements, NO_DEADLINE))):
            return None
    return walk


def same_blocks(a: RawBlocks | None, b: RawBlocks | None) -> bool:
    """Whether two walks found the same raw blocks (every column equal)."""
    if a is None or b is None:
        return a is b
    for name in RawBlocks._fields:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray):
            if not (isinstance(y, np.ndarray) and x.shape == y.shape and np.array_equal(x, y)):
                return False
        elif x != y:
            return False
    return True


def check_pages() -> list[str]:
    """Pages the C walk must segment exactly as the Python walk before it is used: every tag the
    walk knows, data and layout tables (nested), custom elements, ``<br>`` in ``<pre>``, nesting
    past PATH_MAX_DEPTH, hint attributes (non-ASCII, repeated, more than MAX_HINTS tokens),
    landmark roles, comments and white space of every kind."""
    known = sorted(_TAG_INFO)
    every = "".join(
        f'<{t} class="c-{t} shareBox" id="i{i}">{t} text {i}<b>bold</b> tail<a href="#">l{i}</a></{t}>'
        for i, t in enumerate(known)
    )
    deep = "".join(f'<div class="d{i} item">' for i in range(PATH_MAX_DEPTH + 8)) + "deep text<p>para</p>" + \
        "</div>" * (PATH_MAX_DEPTH + 8)
    many = " ".join(f"tok{i}x word{i}" for i in range(30))
    first = f"""<!DOCTYPE html><html lang="en"><body class="page">
<header role="banner"><nav class="mainMenu"><ul><li><a href="/">Home</a></li><li><a href="/n">News <b>now</b></a>
</li></ul></nav></header>
<main><article class="post post-body" itemprop="articleBody"><h1>Title\u00a0here</h1>
<p class="byline">By <a href="/a">Ann</a>, 2 May</p><!-- a comment --><p>  Some   text,\twith\n spaces\u3000and
\u2003 others\u200b here.<br>After break.<br><br></p>
<pre>  code line 1\n\n    indented<br>after br\n\n</pre>
<div>loose <span>inline</span> text<p>inner para</p>tail <em></em><i> </i></div>
<table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann <br>B</td><td></td></tr><tr><td> </td><td> </td></tr>
<tr><td><table><tr><td>nested</td><td>cell</td></tr></table></td><td>x</td></tr></table>
<table class="layout"><tr><td><p>Layout paragraph.</p></td><td><ul><li>item <a href="#">link</a></li></ul></td></tr>
</table>
<my-widget data-x="1" class="Ünïcode naïve-class">custom <x-y>inner custom</x-y></my-widget>
<div role="navigation" aria-label="Breadcrumb trail">crumbs</div><div role="contentinfo">info</div>
<div role="complementary">side</div><div role="main">main role</div><section class="{many}">many hints</section>
<figure><img src="x"><figcaption>A caption</figcaption></figure><blockquote>quoted <p>para in quote</p></blockquote>
<dl><dt>term</dt><dd>definition</dd></dl><ol><li>one<ol><li>nested</li></ol></li></ol>
<div class="a a a" id="a">repeated tokens<div class="b">x</div></div><p></p><p> \x1c </p><p>\u2028</p>
{deep}{every}</article></main><aside class="related">Related</aside><footer>Footer text</footer>
<div>end <a href="#">with</a> <a href="#"><b>links</b> x</a></div></body></html>"""
    second = "<html><body>just text <br> in body<td>stray cell</td><tr><td>stray row</td></tr></body></html>"
    return [first, second]


def _walk(body: Any, max_elements: int, deadline: Deadline) -> list[_Raw]:
    n_cat = len(CATEGORIES)
    root = _Frame(body, "body", 1, "body", 0, (), None, (0,) * n_cat, (0,) * len(_DEPTH_TAGS), 0, True)
    frames: list[_Frame] = [root]
    raws: list[_Raw] = []
    tag_info = _TAG_INFO
    plain = _PLAIN

    parts: list[str] = []
    link_chars = 0
    n_links = 0
    cells: list[str] | None = None  # open data-table row
    layout_tables: list[bool] = []

    def flush(owner: _Frame, parent: _Frame | None) -> None:
        nonlocal parts, link_chars, n_links
        if parts:
            joined = "".join(parts)
            # white space only (as str.isspace sees it) normalises to nothing: skip the work
            text = "" if joined.isspace() else _normalise(joined, bool(owner.flags & F_PRE))
            if text:
                kind, level = _kind(owner)
                raws.append(_Raw(text, kind, level, owner, parent.path if parent else "", link_chars,
                                 n_links, None))
        parts = []
        link_chars = 0
        n_links = 0

    def block_owner() -> tuple[_Frame, _Frame | None]:
        for i in range(len(frames) - 1, -1, -1):
            if frames[i].block:
                return frames[i], (frames[i - 1] if i else None)
        return root, None

    n_elements = 0
    node = body.child
    while True:
        if node is None:
            if len(frames) == 1:
                break
            frame = frames.pop()
            if frame.block:
                tag = frame.tag
                if frame.flags & F_ROW and tag in ("td", "th") and cells is not None:
                    cells.append(_normalise("".join(parts), False))
                    parts = []
                elif tag == "tr" and cells is not None and not (frames[-1].flags & F_ROW):
                    cell_texts = tuple(cells)
                    if any(cell_texts):
                        text = " | ".join(c for c in cell_texts if c)
                        raws.append(_Raw(text, "table_row", 0, frame, frames[-1].path, link_chars, n_links,
                                         cell_texts))
                    parts = []
                    link_chars = 0
                    n_links = 0
                    cells = None
                elif tag == "table":
                    if layout_tables:
                        layout_tables.pop()
                    if frame.block and cells is None:
                        flush(frame, frames[-1])
                elif frame.block and cells is None:
                    if parts:
                        flush(frame, frames[-1])
                    else:
                        n_links = 0
                elif frame.block and cells is not None:
                    parts.append(" ")
            node = frame.node.next
            continue
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value:
                parts.append(value)
                if frames[-1].flags & F_LINK:
                    link_chars += len(value.strip())
            node = node.next
            continue
        if tag is None or tag[0] == "-":
            node = node.next
            continue
        n_elements += 1
        if n_elements > max_elements:
            break
        if n_elements & 1023 == 0:
            deadline.check()
        info = tag_info.get(tag, plain)
        if info.skip:
            if tag == "br":
                parts.append(_BR if cells is None else " ")
            node = node.next
            continue
        parent = frames[-1]
        depth = parent.depth + 1
        child = node.child
        if not info.block and tag != "table" and (
            child is None or (child.tag == "-text" and child.next is None)
        ):
            # an inline element holding at most one text: no block can start inside, so no
            # frame is needed; its text, link and place among its siblings still count
            if depth <= PATH_MAX_DEPTH:
                counts = parent.counts
                if counts is None:
                    counts = parent.counts = {}
                counts[tag] = counts.get(tag, 0) + 1
            if tag == "a":
                n_links += 1
            if child is not None:
                value = child.text_content
                if value:
                    parts.append(value)
                    if (parent.flags | info.flag) & F_LINK:
                        link_chars += len(value.strip())
            node = node.next
            continue
        if depth <= PATH_MAX_DEPTH:
            counts = parent.counts
            if counts is None:
                counts = parent.counts = {}
            k = counts.get(tag, 0) + 1
            counts[tag] = k
            path = f"{parent.path}/{tag}[{k}]"
        else:
            path = parent.path
        flags = parent.flags | info.flag
        cats = parent.cats
        own: tuple[str, ...] = ()
        attrs = node.attributes
        if attrs:
            role = attrs.get("role")
            if role == "main" or attrs.get("itemprop") == "articleBody":
                flags |= F_ARTICLE
            elif role == "navigation":
                flags |= F_NAV
            elif role == "contentinfo":
                flags |= F_FOOTER
            elif role == "complementary":
                flags |= F_ASIDE
            values = [v for v in map(attrs.get, _HINT_ATTRIBUTES) if v]
            if values:
                own, found = hint_tokens(" ".join(values))
                if found:
                    updated = list(cats)
                    for i in found:
                        updated[i] = depth
                    cats = tuple(updated)
        tagdepths = parent.tagdepths
        if info.depth_slot >= 0:
            i = info.depth_slot
            tagdepths = (*tagdepths[:i], depth, *tagdepths[i + 1:])
        is_block = info.block
        if info.special:
            if tag == "table":
                # a table holding paragraphs, headings, lists or other tables lays out a page
                layout = node.css_first(_LAYOUT_MARKERS) is not None or len(node.css("table")) > 1
                layout_tables.append(layout)
            elif tag == "tr" and layout_tables and not layout_tables[-1] and cells is None:
                owner, grand = block_owner()
                flush(owner, grand)
                cells = []
                flags |= F_ROW
                is_block = True
            elif tag == "a":
                n_links += 1
        if is_block:
            if cells is None:
                if parts:
                    owner, grand = block_owner()
                    flush(owner, grand)
                else:
                    n_links = 0
            else:
                flags |= F_ROW
                parts.append(" ")
        frames.append(_Frame(node, tag, depth, path, flags, own, parent, cats, tagdepths,
                             parent.list_depth + info.list_step, is_block))
        node = child
    # close whatever is still open (element cap reached, or the loop ended)
    while len(frames) > 1:
        frame = frames.pop()
        if frame.block and cells is None:
            flush(frame, frames[-1])
    flush(root, None)
    return raws


def _kind(frame: _Frame) -> tuple[BlockKind, int]:
    tag = frame.tag
    if tag in _HEADINGS:
        return "heading", _HEADINGS[tag]
    if tag == "li" or tag in ("dt", "dd"):
        return "list_item", max(1, frame.list_depth)
    if tag == "pre" or frame.flags & F_PRE:
        return "code", 0
    if tag in ("figcaption", "caption"):
        return "caption", 0
    if tag == "blockquote" or frame.flags & F_QUOTE:
        return "quote", 0
    if frame.flags & F_LI:
        return "list_item", max(1, frame.list_depth)
    return "paragraph", 0


_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u2028\u2029\u3000]+")


def _normalise(text: str, pre: bool) -> str:
    if pre:
        text = text.replace(_BR, "\n")
        lines = [line.rstrip() for line in text.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)
    if _BR not in text:
        return _collapse(text)
    out = [_collapse(line) for line in text.split(_BR)]
    return "\n".join(line for line in out if line)


_OTHER_SPACE = re.compile("[\x1c-\x1f\x85\u1680\u2000-\u200a\u202f\u205f]")
"""Characters ``str.split()`` and ``str.strip()`` take for white space that _SPACE does not."""
_ASCII_OTHER_SPACE = ("\x1c", "\x1d", "\x1e", "\x1f")


def _collapse(text: str) -> str:
    """``_SPACE.sub(" ", text).strip()``: runs of _SPACE characters become one space, and the ends
    are stripped. ``" ".join(text.split())`` says the same, faster, whenever the text holds none of
    the white space only ``str.split`` knows (and the zero-width space, which only _SPACE knows,
    is made a plain space first)."""
    if text.isascii():
        if any(c in text for c in _ASCII_OTHER_SPACE):
            return _SPACE.sub(" ", text).strip()
        return " ".join(text.split())
    if _OTHER_SPACE.search(text):
        return _SPACE.sub(" ", text).strip()
    if "\u200b" in text:
        text = text.replace("\u200b", " ")
    return " ".join(text.split())
