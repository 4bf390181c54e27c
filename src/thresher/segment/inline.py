"""Inline markup of the page (links, bold/italic, inline code, images) placed on the blocks' text.

The segmenter keeps text only; when the options ask for links, formatting or images, this second
walk over the same cleaned tree finds those elements and gives each block the ``Span`` s that cover
its text. Elements are located by their place in the page's text: both the tree's text nodes and
the blocks' texts are reduced to their non-space characters, the two strings are aligned (they
differ only where the segmenter added separators, e.g. `` | `` between table cells, or cut text),
and every element's range in the tree's text is carried over to the blocks. An element that spans
several blocks (a link around a whole card) marks its part of each; an image is a point before the
text that follows it. What cannot be placed is left out: the text never changes.

Only addresses a reader can follow are kept: ``http(s)``/``mailto`` links and ``http(s)`` images,
resolved against the page's URL (relative ones stay relative when the URL is unknown); in-page
anchors, ``javascript:`` and ``data:`` addresses are not.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from thresher.model import Block, Span, SpanKind
from thresher.options import Options
from thresher.parse.html import Tree
from thresher.segment.html import BLOCK_TAGS

_FORMATTING: dict[str, SpanKind] = {
    "strong": "strong", "b": "strong", "em": "emphasis", "i": "emphasis", "cite": "emphasis",
    "code": "code", "kbd": "code", "samp": "code", "tt": "code",
}
_SPACE = re.compile(r"[\s\u200b\u2028\u2029\u3000\ufeff]+")
_CHAR = re.compile(r"[^\s\u200b\u2028\u2029\u3000\ufeff]")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original")
"""Where lazy loaders keep the real image (``src`` then holds a placeholder until it scrolls into view)."""
_SRCSETS = ("data-srcset", "srcset")
RESYNC_PROBE = 12
"""Characters of the tree's text looked up in the blocks' text after a mismatch."""
RESYNC_WINDOW = 4096
"""How far ahead a mismatch is looked for (extra characters the segmenter wrote, text it cut)."""


def wants_spans(opts: Options) -> bool:
    """Whether the options ask for any inline markup (and something renders it)."""
    return (opts.include_links or opts.include_images or opts.include_formatting) and (
        opts.with_markdown or opts.with_html
    )


def with_spans(tree: Tree, blocks: Sequence[Block], url: str | None, opts: Options) -> list[Block]:
    """The blocks with the inline markup the options ask for (others unchanged)."""
    body = tree.body
    if body is None or not blocks:
        return list(blocks)
    found = _elements(body, document_base(tree.base, url), opts, tree.max_elements)
    if not found:
        return list(blocks)
    tree_text, marks, alone = found
    block_text, starts, offsets = _block_chars(blocks)
    segments = _align(tree_text, block_text)
    if not segments:
        return list(blocks)
    seg_d = [s[0] for s in segments]
    per_block: dict[int, list[Span]] = {}
    for n, (kind, d_start, d_end, target, alt) in enumerate(marks):
        if kind == "image":
            at = _to_blocks(d_start, segments, seg_d, len(block_text))
            if at is None:
                continue
            if at == len(block_text):  # after the last character: the end of the last block
                k = len(blocks) - 1
                spot = len(blocks[k].text)
            else:
                k = bisect_right(starts, at) - 1
                spot = offsets[at]
            per_block.setdefault(k, []).append(Span(spot, spot, kind, target, alt, alone=n in alone))
            continue
        first = _to_blocks(d_start, segments, seg_d, len(block_text))
        last = _to_blocks(d_end - 1, segments, seg_d, len(block_text), before=True)
        if first is None or last is None or last < first or last >= len(block_text):
            continue
        k_first = bisect_right(starts, first) - 1
        k_last = bisect_right(starts, last) - 1
        if kind == "code" and k_first != k_last:
            continue
        for k in range(k_first, k_last + 1):
            lo = offsets[first] if k == k_first else offsets[starts[k]]
            end_char = last if k == k_last else (starts[k + 1] - 1)
            if end_char < starts[k]:
                continue  # a block without characters
            per_block.setdefault(k, []).append(Span(lo, offsets[end_char] + 1, kind, target, alt))
    out = list(blocks)
    for k, spans in per_block.items():
        out[k] = replace(out[k], spans=_nested(spans))
    return out


def _elements(
    body: Any, url: str | None, opts: Options, max_elements: int
) -> tuple[str, list[tuple[SpanKind, int, int, str, str]], set[int]] | None:
    """The tree's text without spaces; each wanted element: (kind, start, end, target, alt) with
    start/end offsets into that text; the indices of the images that stand alone in their block
    element (no text before or after them inside it)."""
    parts: list[str] = []
    at = 0
    marks: list[tuple[SpanKind, int, int, str, str]] = []
    open_marks: list[int] = []  # per open element: its index into marks, or -1
    # per open block element: where its text starts, and its images with "text came before" flags
    block_frames: list[tuple[Any, int, list[tuple[int, bool]]]] = [(body, 0, [])]
    alone: set[int] = set()

    def close_block(images: list[tuple[int, bool]]) -> None:
        for index, before in images:
            if not before and at == marks[index][1]:
                alone.add(index)
    pre_depth = 0
    n_elements = 0
    node = body.child
    stack: list[Any] = []
    while True:
        if node is None:
            if not stack:
                break
            node = stack.pop()
            index = open_marks.pop()
            if block_frames[-1][0] is node:
                close_block(block_frames.pop()[2])
            if index >= 0:
                kind, start, _, target, alt = marks[index]
                marks[index] = (kind, start, at, target, alt)
            if node.tag == "pre":
                pre_depth -= 1
            node = node.next
            continue
        tag = node.tag
        if tag == "-text":
            value = node.text_content
            if value:
                chars = _SPACE.sub("", value)
                parts.append(chars)
                at += len(chars)
            node = node.next
            continue
        if tag is None or tag[0] == "-":
            node = node.next
            continue
        n_elements += 1
        if n_elements > max_elements:
            break
        if tag == "img":
            if opts.include_images:
                attrs = node.attributes
                source = _image_source(attrs, url)
                if source:
                    alt = " ".join((attrs.get("alt") or "").split())
                    block_frames[-1][2].append((len(marks), at > block_frames[-1][1]))
                    marks.append(("image", at, at, source, alt))
            node = node.next
            continue
        index = -1
        if pre_depth == 0:
            if tag == "a" and opts.include_links:
                target = _address(node.attributes.get("href"), url, _LINK_SCHEMES)
                if target:
                    index = len(marks)
                    marks.append(("link", at, at, target, ""))
            elif opts.include_formatting and tag in _FORMATTING:
                index = len(marks)
                marks.append((_FORMATTING[tag], at, at, "", ""))
        if tag == "pre":
            pre_depth += 1
        if node.child is None:
            if tag == "pre":
                pre_depth -= 1
            node = node.next
            continue
        stack.append(node)
        open_marks.append(index)
        if tag in BLOCK_TAGS:
            block_frames.append((node, at, []))
        node = node.child
    # elements left open when the element cap stopped the walk end where the walk stopped
    for index in open_marks:
        if index >= 0:
            kind, start, _, target, alt = marks[index]
            marks[index] = (kind, start, at, target, alt)
    while block_frames:
        close_block(block_frames.pop()[2])
    kept = [i for i, m in enumerate(marks) if m[0] == "image" or m[2] > m[1]]
    if not kept:
        return None
    return "".join(parts), [marks[i] for i in kept], {n for n, i in enumerate(kept) if i in alone}


def document_base(base: str | None, url: str | None) -> str | None:
    """What relative addresses resolve against: the page's ``<base href>`` (itself resolved against the
    page URL) when it is an http(s) address, else the page URL."""
    if base:
        resolved = urljoin(url, base) if url else base
        if urlsplit(resolved).scheme.lower() in ("http", "https"):
            return resolved
    return url


def _image_source(attrs: Any, base: str | None) -> str:
    """The address of an ``<img>``'s picture: a lazy loader's attribute first (its ``src`` is a
    placeholder), then ``src``, then the widest candidate of ``srcset`` (images given only that way)."""
    for name in (*_LAZY_SOURCES, "src"):
        found = _address(attrs.get(name), base, _IMAGE_SCHEMES)
        if found:
            return found
    for name in _SRCSETS:
        found = _address(_widest(attrs.get(name) or ""), base, _IMAGE_SCHEMES)
        if found:
            return found
    return ""


def _widest(srcset: str) -> str:
    """The candidate of a ``srcset`` with the largest width (``640w``) or density (``2x``); the first
    on ties and when none says. Split as the HTML standard does: an address runs to the next white
    space (commas inside it, as in ``w_400,c_fill`` or a ``data:`` address, belong to it; trailing
    commas end the candidate), its descriptors to the next comma."""
    best, best_size = "", -1.0
    pos, n = 0, len(srcset)
    while pos < n:
        while pos < n and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not srcset[pos].isspace():
            pos += 1
        address, descriptor = srcset[start:pos], ""
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            comma = srcset.find(",", pos)
            comma = n if comma < 0 else comma
            descriptor, pos = srcset[pos:comma].strip(), comma + 1
        if not address:
            continue
        size = 0.0
        if descriptor[-1:] in ("w", "x"):
            try:
                size = float(descriptor[:-1])
            except ValueError:
                size = 0.0
        if size > best_size:
            best, best_size = address, size
    return best


def _address(value: str | None, base: str | None, schemes: frozenset[str]) -> str:
    """An address a reader can follow, resolved against the page's URL; ``""`` otherwise."""
    if not value:
        return ""
    value = value.strip()
    if not value or value.startswith("#"):
        return ""
    try:
        resolved = urljoin(base, value) if base else value
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:
        return ""
    if scheme in schemes or (not scheme and base is None):  # no page URL: relative stays relative
        return resolved
    return ""


def _block_chars(blocks: Sequence[Block]) -> tuple[str, list[int], list[int]]:
    """The blocks' text without spaces; where each block starts in it; for every character of it,
    its offset in its block's text."""
    parts: list[str] = []
    starts: list[int] = []
    offsets: list[int] = []
    for block in blocks:
        starts.append(len(offsets))
        positions = [m.start() for m in _CHAR.finditer(block.text)]
        offsets.extend(positions)
        parts.append(_SPACE.sub("", block.text))
    return "".join(parts), starts, offsets


def _align(a: str, b: str) -> list[tuple[int, int, int]]:
    """Runs of equal characters of ``a`` (the tree's text) and ``b`` (the blocks' text), in order:
    (start in a, start in b, length). Characters only one side has are stepped over."""
    out: list[tuple[int, int, int]] = []
    i = j = 0
    na, nb = len(a), len(b)
    while i < na and j < nb:
        k = _common(a, i, b, j)
        if k:
            out.append((i, j, k))
            i += k
            j += k
            continue
        probe = a[i:i + RESYNC_PROBE]
        found = b.find(probe, j, j + RESYNC_WINDOW + len(probe))
        if found > j:  # the blocks have characters the tree's text has not here (cell separators)
            j = found
            continue
        found = a.find(b[j:j + RESYNC_PROBE], i, i + RESYNC_WINDOW + RESYNC_PROBE)
        if found > i:  # the tree has text the blocks left out
            i = found
            continue
        i += 1
        j += 1
    return out


def _common(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of a[i:] and b[j:] (galloping, then halving)."""
    n = min(len(a) - i, len(b) - j)
    step = 64
    lo = 0
    while step < n and a[i:i + step] == b[j:j + step]:
        lo = step
        step *= 2
    hi = min(step, n)
    if a[i:i + hi] == b[j:j + hi]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[i:i + mid] == b[j:j + mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _to_blocks(
    pos: int, segments: list[tuple[int, int, int]], seg_a: list[int], n_b: int, *, before: bool = False
) -> int | None:
    """Where a position of the tree's text lies in the blocks' text. A position the blocks do not
    have goes to the next aligned character (or, ``before``, to the previous one)."""
    k = bisect_right(seg_a, pos) - 1
    if k >= 0:
        a_start, b_start, length = segments[k]
        if pos < a_start + length:
            return b_start + pos - a_start
        if before:
            return b_start + length - 1
    if before:
        return None
    if k + 1 < len(segments):
        return segments[k + 1][1]
    return n_b if segments else None


def _nested(spans: list[Span]) -> tuple[Span, ...]:
    """The spans in order, those that would cross an enclosing one left out (markup must nest);
    no link inside a link, nothing inside inline code."""
    spans.sort(key=lambda s: (s.start, -s.end, s.kind != "link"))
    spans = _merged(spans)
    out: list[Span] = []
    open_: list[Span] = []
    for span in spans:
        while open_ and open_[-1].end <= span.start:
            open_.pop()
        if span.start == span.end:
            if not any(o.kind == "code" for o in open_):
                out.append(span)
            continue
        if open_ and (span.end > open_[-1].end or any(o.kind in ("code", span.kind) for o in open_)):
            continue
        out.append(span)
        open_.append(span)
    return tuple(out)


def _merged(spans: list[Span]) -> list[Span]:
    """Formatting spans of one kind that touch (``<b>a</b><b>b</b>``) as one span."""
    out: list[Span] = []
    last: dict[str, int] = {}  # kind → index in out of its latest span
    for span in spans:
        k = last.get(span.kind)
        if k is not None and span.kind in ("strong", "emphasis", "code") and out[k].end == span.start < span.end:
            out[k] = replace(out[k], end=span.end)
            continue
        last[span.kind] = len(out)
        out.append(span)
    return out
