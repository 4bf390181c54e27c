"""HTML text → a cleaned tree, plus the facts metadata needs that cleaning would throw away.

This is the only module that imports the HTML parser (selectolax's Lexbor backend). Other stages
use the parsed nodes through their methods (``tag``, ``attributes``, ``child``, ``next``, ``css``)
without importing the parser.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from thresher.compiled import function
from thresher.options import Options

DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "iframe", "input", "select", "button",
    "textarea", "option", "datalist", "object", "embed", "canvas", "link", "meta", "head",
)
"""Elements that never carry readable page text (``form`` itself is kept: some pages wrap
everything in one)."""

MAX_DEPTH = 2500
"""Markup nested deeper than this is cut before parsing: the parser slows down quadratically with
depth, and no readable page nests that deep."""

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*?(/?)>")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen", "command"]
)
_CHUNK = 65_536
MAX_ATTRIBUTES = 512
"""Attributes kept on one start tag; the rest of an overlong tag is cut before parsing."""
_LONG_TAG_MIN = 16_384
_STREAMED_SEGMENT = re.compile(r"S:\d+")
_STREAM_PLACEHOLDER = '<template id="B:'
"""React's placeholder of a streamed segment; a page without one keeps its hidden ``S:n`` divs hidden."""
_LONG_TAG = re.compile(r"<[a-zA-Z][^<>]{16384,}>")
_ASCII_LETTER = re.compile(r"[a-zA-Z]")
_ATTRIBUTE = re.compile(r"""\s+[^\s/>=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


@dataclass(frozen=True, slots=True)
class Tree:
    """A parsed and cleaned page, and what was gathered before cleaning."""

    document: Any
    """The parsed document (parser object); ``document.body`` is the root the segmenter walks."""
    title: str | None = None
    """Text of ``<title>``."""
    lang: str | None = None
    """``<html lang>`` (or ``xml:lang``), as written."""
    canonical: str | None = None
    """``<link rel=canonical href>``."""
    base: str | None = None
    """``<base href>``: what the page's relative links and images are relative to (with the page URL)."""
    json_ld: tuple[str, ...] = ()
    """Raw contents of ``<script type="application/ld+json">`` elements."""
    meta: tuple[tuple[str, str], ...] = ()
    """``<meta>`` pairs (lower-cased ``name``/``property``/``itemprop`` → ``content``), in page order."""
    n_elements: int = 0
    """Elements in the body after cleaning (counted up to ``max_elements + 1``)."""
    max_elements: int = 500_000
    """Walkers stop after this many elements."""
    truncated: bool = False
    """True when the markup was cut (too deep or too many elements)."""

    @property
    def body(self) -> Any:
        return self.document.body

    def meta_values(self, *keys: str) -> list[str]:
        """Non-empty contents of the meta pairs whose key is one of ``keys``, in page order."""
        wanted = set(keys)
        return [v for k, v in self.meta if k in wanted and v]


def parse_html(text: str, opts: Options, *, utf8: bytes | None = None) -> Tree:
    """Parse ``text`` and clean it: scripts, styles, form controls and hidden elements go.

    ``utf8``: ``text`` encoded as UTF-8, when the caller has it (the page's own bytes, see
    :func:`thresher.read.encoding.decode_page`): the parser reads those instead of encoding the text
    again, a copy the size of the page.

    A page whose readable text is all inside ``<noscript>`` (a script-rendered app with a
    crawler fallback) is parsed again with the ``<noscript>`` tags unwrapped.
    """
    tree, noscript_chars = _parse(text, opts, utf8)
    if noscript_chars > 500 and tree.body is not None:
        visible = len(tree.body.text(deep=True).strip())
        if visible < 1000 and noscript_chars > 2 * visible:
            tree, _ = _parse(_NOSCRIPT.sub("", text), opts)
    return tree


def _parse(text: str, opts: Options, utf8: bytes | None = None) -> tuple[Tree, int]:
    limited, cut = _limit(text)
    # the parser encodes a str as UTF-8 itself: the same bytes as ``utf8`` when nothing was cut
    doc = _parse_markup(utf8 if utf8 is not None and limited is text else limited)
    text = limited
    noscript_chars = 0
    if doc.body is not None:
        for node in doc.body.css("noscript"):
            noscript_chars += len(node.text(deep=True))
    json_ld: list[str] = []
    for node in doc.css('script[type="application/ld+json"]'):
        content = node.text(deep=True)
        if content and content.strip():
            json_ld.append(content.strip())
    meta: list[tuple[str, str]] = []
    for node in doc.css("meta"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        value = attrs.get("content")
        if key and value:
            meta.append((key.strip().lower(), " ".join(value.split())))
    title_node = doc.css_first("title")
    title = " ".join(title_node.text(deep=True).split()) if title_node is not None else None
    html_node = doc.css_first("html")
    lang = None
    if html_node is not None:
        lang = html_node.attributes.get("lang") or html_node.attributes.get("xml:lang")
    canonical = None
    for node in doc.css("link[rel]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rel and node.attributes.get("href"):
            canonical = (node.attributes.get("href") or "").strip() or None
            break
    base_node = doc.css_first("base[href]")
    base = (base_node.attributes.get("href") or "").strip() or None if base_node is not None else None

    doc.strip_tags(list(DROP_TAGS))
    body = doc.body
    if body is not None:
        _drop_hidden(body, streamed=_STREAM_PLACEHOLDER in text)
    n_elements = -1  # the body itself is not counted
    limit = opts.max_elements
    if body is not None:
        for _node in body.traverse(include_text=False):
            n_elements += 1
            if n_elements > limit:
                cut = True
                break
    tree = Tree(
        document=doc,
        title=title or None,
        lang=(lang or "").strip() or None,
        canonical=canonical,
        base=base,
        json_ld=tuple(json_ld),
        meta=tuple(meta),
        n_elements=n_elements,
        max_elements=limit,
        truncated=cut,
    )
    return tree, noscript_chars


LONG_STYLE_MIN = 32_768
"""``<style>`` contents of this many bytes or more are left out of UTF-8 markup before parsing (see
:func:`_parse_markup`)."""


def _parse_markup(markup: str | bytes) -> Any:
    """The parsed document. From UTF-8 bytes, the contents of long ``<style>`` elements
    (LONG_STYLE_MIN bytes or more with no ``<``, found by the C extension) are left out: the parser
    would tokenize them and copy them into a text node only for ``strip_tags`` to drop it (40 % of
    the parser's work on a page with 1.2 MB of inlined CSS in 1.8 MB). Each is replaced by a marker
    the page does not hold, and the cut is kept only when the tree shows every marker as the whole
    text of a style element outside any ``<noscript>`` (whose text ``_parse`` counts): then each cut
    was all of one style element's text (not a comment's, a script's, an attribute's), and the trees
    differ in that text alone, which nothing reads before it is stripped. Otherwise the markup is
    parsed as it is. Without the extension nothing is cut."""
    find = _compiled_long_styles()
    if find is None or not isinstance(markup, bytes) or len(markup) < LONG_STYLE_MIN:
        return LexborHTMLParser(markup)
    cuts = find(markup, LONG_STYLE_MIN)
    if not cuts or _CUT_MARKER in markup:
        return LexborHTMLParser(markup)
    pieces: list[bytes] = []
    markers: set[str] = set()
    done = 0
    for k, (start, end) in enumerate(zip(cuts[::2], cuts[1::2], strict=True)):
        marker = b"%s%d." % (_CUT_MARKER, k)
        pieces += (markup[done:start], marker)
        markers.add(marker.decode("ascii"))
        done = end
    pieces.append(markup[done:])
    doc = LexborHTMLParser(b"".join(pieces))
    found = {text for node in doc.css("style") if (text := node.text(deep=True)) in markers}
    if found == markers and not any(node.text(deep=True) in markers for node in doc.css("noscript style")):
        return doc
    return LexborHTMLParser(markup)


_CUT_MARKER = b"thresher-cut-style-"
"""The text a cut ``<style>`` content is replaced with (then its number and a full stop)."""


@lru_cache(maxsize=1)
def _compiled_long_styles() -> Any:
    """``lexbor_long_styles`` of the compiled extension (thresher/_speedups_lexbor.c), None when not built."""
    return function("lexbor_long_styles")


NATIVE_PARSER_RELEASES = ("1.0.",)
"""selectolax releases whose lexbor node layout the C walk was checked against (others: Python walk)."""


def native_parser() -> tuple[str, tuple[int, int, int, int]] | None:
    """Where the parser's compiled library lives, and the tag ids it gives text, comment, doctype and
    document nodes: what thresher._speedups needs to walk a parsed tree in C (segment/html.py checks
    that walk against its Python one before using it). None when the parser does not look as expected."""
    import selectolax
    import selectolax.lexbor as module

    # the C walk reads lexbor's node structs: only on parser releases whose layout was checked
    if not str(getattr(selectolax, "__version__", "")).startswith(NATIVE_PARSER_RELEASES):
        return None
    path = getattr(module, "__file__", None)
    if not path:
        return None
    doc = LexborHTMLParser("<!DOCTYPE html><html><body><p>a<!--b--></p></body></html>")
    para = doc.css_first("p")
    root = doc.root
    text = para.child if para is not None else None
    comment = text.next if text is not None else None
    doctype = root.prev if root is not None else None
    document = root.parent if root is not None else None
    nodes = [n for n in (text, comment, doctype, document) if n is not None]
    if [n.tag for n in nodes] != ["-text", "-comment", "-doctype", "-document"]:
        return None
    ids = [int(n.tag_id) for n in nodes]
    return str(path), (ids[0], ids[1], ids[2], ids[3])


def _drop_hidden(body: Any, *, streamed: bool = False) -> None:
    """Remove elements marked hidden, unless one holds most of the page (a modal-open wrapper) or is
    a segment of React's streamed server rendering (``<div hidden id="S:3">``: the page's content,
    sent after its placeholder ``<template id="B:3">``, which a script swaps in) on a page that has
    such placeholders (``streamed``), or is content a script shows (``_shown_by_script``: collapsed
    sections, tab panels, "read more" text — a reader sees them after a click, and so does a corpus).

    Every decision is taken before anything is removed, and an element inside one that is removed is
    not touched again: its memory goes with its ancestor.
    """
    candidates = body.css('[hidden], [aria-hidden="true"], [style*="none"], [style*="hidden"]')
    if not candidates:
        return
    total = None
    doomed: list[Any] = []
    for node in candidates:
        attrs = node.attributes
        if (
            "hidden" not in attrs
            and attrs.get("aria-hidden") != "true"
            and not _HIDDEN_STYLE.search(attrs.get("style") or "")
        ):
            continue
        if node.tag in ("body", "html"):
            continue
        if streamed and node.tag == "div" and "hidden" in attrs and _STREAMED_SEGMENT.fullmatch(attrs.get("id") or ""):
            continue  # React's streamed server rendering: a script moves this content into place
        text = node.text(deep=True)
        if len(text) > 2000:
            if total is None:
                total = len(body.text(deep=True))
            if len(text) > 0.5 * total:
                continue
        if _shown_by_script(node, attrs, text):
            continue
        doomed.append(node)
    doomed_ids = {node.mem_id for node in doomed}
    for node in doomed:
        parent = node.parent
        inside_doomed = False
        while parent is not None:
            if parent.mem_id in doomed_ids:
                inside_doomed = True
                break
            parent = parent.parent
        if not inside_doomed:
            node.decompose()


HIDDEN_PROSE_MIN_CHARS = 200
"""A hidden element with at least this much text (whitespace collapsed) and few links is kept."""
HIDDEN_PROSE_MAX_LINK_SHARE = 0.2
_NOT_HIDDEN_PROSE = frozenset({"nav", "header", "footer", "aside", "form", "dialog", "menu"})


def _shown_by_script(node: Any, attrs: Any, text: str) -> bool:
    """Whether a hidden element is content a script shows rather than an overlay. Never a
    navigation/header/footer/aside/form/dialog/menu element, nor one named as an overlay (a dialog,
    a menu, a carousel); then yes when named as collapsed content (an accordion, a tab panel, a
    "read more" expander, a deferred block), or, unless ``aria-hidden``, when it is prose: enough
    text, few links, and no form inside (a hidden form's labels and messages are a widget)."""
    if node.tag in _NOT_HIDDEN_PROSE:  # a hidden <nav class="collapse"> is a menu
        return False
    collapsed, overlay = _hidden_vocabulary()
    names = _name_words(" ".join((attrs.get("class") or "", attrs.get("id") or "", attrs.get("role") or "")))
    if any(" " + word in names for word in overlay):
        return False
    if any(" " + word in names for word in collapsed):
        return True
    if attrs.get("aria-hidden") == "true" or node.css_first("form") is not None:
        return False
    prose = " ".join(text.split())
    if len(prose) < HIDDEN_PROSE_MIN_CHARS:
        return False
    links = sum(len(" ".join(a.text(deep=True).split())) for a in node.css("a"))
    return links < HIDDEN_PROSE_MAX_LINK_SHARE * len(prose)


_NAME_WORD = re.compile(r"[a-z0-9]+|[A-Z][a-z0-9]*")


def _name_words(names: str) -> str:
    """Class/id/role words, camelCase split, lower-cased, each after a space (" main nav"): a
    vocabulary word matches at the start of a word, so "research" is no "search" and "omega" no
    "mega", while "navbar" and "mainNav" are "nav"."""
    return "".join(" " + word.lower() for word in _NAME_WORD.findall(names))


@lru_cache(maxsize=1)
def _hidden_vocabulary() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(collapsed, overlay) name beginnings of data/hidden_content.json, a hyphen as a word break."""
    raw = json.loads(resources.files("thresher").joinpath("data/hidden_content.json").read_text("utf-8"))
    return (tuple(word.replace("-", " ") for word in raw["collapsed"]),
            tuple(word.replace("-", " ") for word in raw["overlay"]))


def _limit(text: str) -> tuple[str, bool]:
    """``_limit_depth(_limit_attributes(text))``: the markup with overlong start tags cut, then cut
    where it nests too deep, and whether it was cut. The cheap checks that clear almost every page
    run in C when the extension is built (the same answers); they also say where an overlong tag may
    start, so only those places are matched, and the depth is counted again only when a tag was cut."""
    prescan = _compiled_prescan()
    if prescan is None:
        return _limit_depth(_limit_attributes(text))
    deep, starts = prescan(text, _CHUNK, MAX_DEPTH, _LONG_TAG_MIN)
    if starts:
        cut = _cut_long_tags(text, starts)
        if cut is not text:
            text = cut
            deep, _ = prescan(text, _CHUNK, MAX_DEPTH, _LONG_TAG_MIN)
    return _cut_deep(text) if deep else (text, False)


def _cut_long_tags(text: str, starts: list[int]) -> str:
    """``_LONG_TAG.sub(_cut_attributes, text)`` given ``starts``, offsets in order that include the
    start of every match (see :func:`_long_stretch_starts`): a match holds no other ``<``, so matching
    at those offsets alone finds the same ones. ``text`` itself when no tag is cut."""
    pieces: list[str] = []
    done = 0
    for start in starts:
        end = _long_tag_end(text, start)
        if end < 0 or start < done:
            continue
        tag = text[start:end]
        cut = _cut_tag(tag)
        if len(cut) != len(tag):  # attributes were cut (a cut tag is shorter)
            pieces += (text[done:start], cut)
            done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _long_tag_end(text: str, start: int) -> int:
    """Where ``_LONG_TAG.match(text, start)`` ends, -1 when it does not match: ``<``, an ASCII letter,
    then at least _LONG_TAG_MIN characters that are neither ``<`` nor ``>``, then ``>``. Two string
    searches instead of the pattern's character class over a long tag."""
    if text[start:start + 1] != "<" or not _ASCII_LETTER.fullmatch(text[start + 1:start + 2]):
        return -1
    close = text.find(">", start + 1)
    if close < 0 or close - start - 2 < _LONG_TAG_MIN or text.find("<", start + 1, close) >= 0:
        return -1
    return close + 1


@lru_cache(maxsize=1)
def _compiled_prescan() -> Any:
    """``lexbor_prescan`` of the compiled extension (thresher/_speedups_lexbor.c), None when not built."""
    return function("lexbor_prescan")


def _limit_attributes(text: str) -> str:
    """Cut start tags with thousands of attributes: the parser is quadratic in their number, in C,
    where no time limit can stop it; no real page needs more than a few dozen."""
    if len(text) < _LONG_TAG_MIN or not _has_long_stretch(text):
        return text
    return _LONG_TAG.sub(_cut_attributes, text)


def _cut_attributes(m: re.Match[str]) -> str:
    return _cut_tag(m.group(0))


def _cut_tag(tag: str) -> str:
    """The start tag with its attributes after the first MAX_ATTRIBUTES cut."""
    # each attribute starts a run of white space of its own (``\s`` is str.split's white space), so a
    # tag with few runs keeps all its attributes (str.split is quicker than the pattern on a long value)
    if len(tag.split(maxsplit=MAX_ATTRIBUTES + 1)) <= MAX_ATTRIBUTES + 1:
        return tag
    for i, attr in enumerate(_ATTRIBUTE.finditer(tag)):
        if i == MAX_ATTRIBUTES:
            return tag[: attr.start()] + ">"
    return tag


def _has_long_stretch(text: str) -> bool:
    """Whether ``text`` may hold a match of _LONG_TAG: ``<``, a letter, then more than _LONG_TAG_MIN
    characters before the next ``<`` or ``>``, which must be ``>``. A cheap test first, counted in
    UTF-8 bytes (never fewer than characters), so a page it clears has no match."""
    return bool(len(_long_stretches(text)[0]))


def _long_stretch_starts(text: str) -> list[int]:
    """The character offsets of the stretches :func:`_has_long_stretch` looks for (their ``<``), in
    order: every match of _LONG_TAG starts at one (the Python twin of the C prescan's list; empty for
    a text shorter than _LONG_TAG_MIN)."""
    if len(text) < _LONG_TAG_MIN:
        return []
    at, data = _long_stretches(text)
    if not len(at):
        return []
    chars = np.cumsum((data & 0xC0) != 0x80)  # UTF-8 lead bytes up to each byte: one per character
    out: list[int] = (chars[at] - 1).tolist()
    return out


def _long_stretches(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 byte offsets of the long stretches' ``<`` (see :func:`_has_long_stretch`), and the bytes."""
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    none = np.zeros(0, dtype=np.intp)
    marks = np.flatnonzero((data == 60) | (data == 62))
    if len(marks) < 2:
        return none, data
    left, right = marks[:-1], marks[1:]
    long = (right - left > _LONG_TAG_MIN + 1) & (data[left] == 60) & (data[right] == 62)
    if not long.any():
        return none, data
    starts = left[long]
    after = data[starts + 1] | 0x20  # ASCII letters, either case
    return starts[(after >= 97) & (after <= 122)], data


def _limit_depth(text: str) -> tuple[str, bool]:
    """Cut the markup where elements nest deeper than MAX_DEPTH (cheap check first)."""
    rough = 0
    deep = False
    for start in range(0, len(text), _CHUNK):
        end = start + _CHUNK  # counted in place: the same counts as on a slice, without the copy
        rough += text.count("<", start, end) - 2 * text.count("</", start, end) - text.count("<!", start, end)
        if rough > MAX_DEPTH:
            deep = True
            break
    if not deep:
        return text, False
    return _cut_deep(text)


def _cut_deep(text: str) -> tuple[str, bool]:
    """The markup up to the start tag that nests deeper than MAX_DEPTH, and whether there was one."""
    depth = 0
    for m in _TAG.finditer(text):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            depth = max(0, depth - 1)
        elif not selfclosing and name not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                return text[: m.start()], True
    return text, False


_ACTIVE_TAGS = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "link",
                "meta", "base", "video", "audio", "source", "track", "portal", "template")
_LOADING_ATTRIBUTES = ("src", "srcset", "poster", "background", "data", "action", "formaction", "ping",
                       "lowsrc", "dynsrc", "longdesc", "manifest", "codebase", "archive", "xlink:href")


def inert_html(text: str) -> str:
    """The page with everything that runs or loads removed: scripts, frames, embeds, links, event
    handlers, URL-bearing attributes and CSS. For previews, behind a no-network CSP as a second wall."""
    doc = LexborHTMLParser(_limit(text)[0])
    doc.strip_tags(list(_ACTIVE_TAGS))
    for node in doc.css("style"):
        node.decompose()
    root = doc.root
    if root is not None:
        for node in root.traverse(include_text=False):
            attrs = node.attributes
            if not attrs:
                continue
            for name in list(attrs):
                lowered = name.lower()
                value = (attrs.get(name) or "").strip().lower()
                if (lowered.startswith("on") or lowered in _LOADING_ATTRIBUTES or lowered == "style"
                        or (lowered == "href" and value.startswith(("javascript:", "data:", "vbscript:")))):
                    del node.attrs[name]
    return doc.html or ""
