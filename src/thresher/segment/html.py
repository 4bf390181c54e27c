"""Cleaned HTML tree → ordered blocks, each with numeric features a rule set or a model can use.

One iterative walk over the body (no recursion: pages nest very deep). Block-level elements start
and end blocks; inline text accumulates into the innermost open block element. Table rows of data
tables become ``table_row`` blocks with their cells; tables used for layout act like ``div``.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from thresher.deadline import Deadline
from thresher.model import Block, BlockKind
from thresher.options import Options
from thresher.parse.html import Tree
from thresher.segment.features import CATEGORIES, block_features, hint_tokens

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
    raws = _walk(body, tree.max_elements, deadline)
    return block_features(raws, tree.lang, FLAG_FEATURES, deadline)


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
