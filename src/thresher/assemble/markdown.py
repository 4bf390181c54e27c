"""Kept blocks → Markdown (GitHub-flavoured): headings, lists, tables, code, quotes.

Everything the page showed as text stays text: characters that CommonMark would read as syntax
(emphasis, links, raw HTML, entities, a line that would start a list, quote, heading or rule) are
escaped. Lists nest by ``Block.level``; an item is numbered when its tag path shows an ``ol`` parent
(with the page's own number, ``item_number``, when the ``ol`` sets ``start``, ``reversed`` or an item
a ``value``: CommonMark reads only the first item's, so a reversed list shows its numbers but a reader
counts up), and blocks inside one ``li`` (several paragraphs, a ``pre`` of code) stay in that item; two
lists one after the other stay two (the second with the other marker); the lists of a ``blockquote``
stay in the quote. Not every list item of the markup is a line of a list (:func:`not_a_list_line`): the
terms and definitions of a ``dl`` are paragraphs (Markdown has no definition list), and so are the
items an ``li`` sets out in layout elements (a grid of cards: ``<li><div><p>``) and the items of a list
in ``<nav>`` (a menu or table of contents kept with the text); on WCXB dev the reference writes those
as lines of text (85% to 97% of such items, against half of the items of plain ``li``). The rows of
one table become a GFM table whose first row is the header, ragged rows padded (the segmenter already
put the cells of rows with ``colspan``/``rowspan`` cells in their columns); a table the segmenter took for layout (its
cells hold paragraphs or headings) is rebuilt as a table when its cells form a grid of short texts.
Code is fenced, with the language when the markup named one (``language-xxx``, ``lang-xxx``,
``highlight-xxx``, ``brush: xxx``, ``<pre lang="xxx">``, ``data-lang="xxx"``). The title is not added:
it is metadata (front matter).

Structure the text shows is kept too (``text_shapes``): paragraphs numbered one after the other
become an ordered list, paragraphs that each open with the same bullet glyph (``•``, ``●``…) a
list, and so do the lines (``<br>``) of one block that are list lines and the rows
of a table that number themselves in their first cell; in already-scraped text, bullet and numbered
lines become list items and a headline line a heading. Structure the markup shows through another
element than the segmenter named a block by is kept as well: headings that are each all their
``li`` holds are that list's items, a list inside a ``blockquote`` keeps its items, and a ``div`` or
``span`` that is all a heading element holds is that heading.

The grouping of blocks into those units (``text_shapes``, ``units``, ``list_entries``, ``table_grid``,
``code_text``, ``code_language``) is shared with the HTML renderer (``thresher.assemble.html``), so
that the two outputs always show the same shape.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from thresher.model import Block, Metadata, Span
from thresher.options import Options
from thresher.segment.html import ITEM_NUMBER_MARK, LANGUAGE_MARK

_ESCAPE_START = re.compile(r"^(\s*)(#{1,6}|[+\-*]|\d{1,9}[.)])(\s|$)")
_QUOTE_START = re.compile(r"^(\s*)>")
_RULE_LINE = re.compile(r"^(\s*)([-=])[-=\s]*$")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
"""A line GFM reads as a table's delimiter row (``--- | ---``): the line before it becomes a header."""
_INLINE_SPECIAL = re.compile(r"([\\*_`\[\]~])")
_CLOSING_HASHES = re.compile(r"(^|\s)(#+)\s*$")
_LI_SEGMENT = re.compile(r"/(ol|ul|menu)\[\d+\]/li\[(\d+)\]|/(dl)\[\d+\]/(d[td])\[\d+\]")
"""An item in a tag path: an ``li`` of a list, or a term (``dt``) or definition (``dd``) of a ``dl``."""
_LANG_NAME = re.compile(r"^[a-z][a-z0-9+#-]{0,23}$")
_BACKTICKS = re.compile(r"`+")
_LANG_PREFIXES = ("language", "lang", "highlight")
_NOT_LANGUAGES = frozenset({"", "default", "none", "text", "plain", "plaintext", "notranslate", "nohighlight",
                            "source", "code", "block", "wrapper"})
"""Names after a language prefix that say nothing about the language."""
_SCOPES = ("source", "text")
"""The first part of a grammar scope (GitHub's ``highlight-source-js``, ``highlight-text-html-basic``)."""
_CONTAINER = {"code": "/pre[", "quote": "/blockquote[", "table_row": "/table["}
_TEXT_MARKER = re.compile(r"^\s*(?:(?:[-*•●◦▪■‣⁃·►▸»–—]|(\d{1,9})[.)])\s+|(?:[・･]|(\d{1,2})[、．）](?!\d))\s*)(?=\S)")
"""The bullet or number that starts a list line of already-scraped text; Chinese and Japanese lists
(``・項目``, ``1、项目``) put no space after theirs. Such a number has one or two digits and no digit
after its mark (``3．5倍`` is a decimal, ``2019、2020年`` a list of years), and it makes a list item only
in a run of lines numbered upwards (:func:`_glued_runs`)."""
_LINE_BULLETS = frozenset("-*•●◦▪■‣⁃·►▸・･")
"""The bullets that make the ``<br>``-separated lines of an HTML block list items (no dash or
guillemet: a line of dialogue or a quotation opens with one)."""
_PARAGRAPH_BULLETS = frozenset("•●◦▪■‣⁃")
"""The bullets that make HTML paragraphs, two or more one after the other each opening with the same
one, the items of a list (``<p>• a</p><p>• b</p>``): bullet glyphs only. A paragraph that opens with a
hyphen, an asterisk or a dash is a line of dialogue, a footnote or a quotation as often as an item
(on WCXB dev the reference writes those as text)."""
_RANK_CELL = re.compile(r"^(\d{1,9})[.)]$")
"""A table cell that only numbers its row."""
_LINE_LIST_KINDS = frozenset({"paragraph", "heading", "quote", "caption", "list_item"})
_LAST_HEADING = re.compile(r".*/h([1-6])\[\d+\]")
"""A tag path up to its innermost heading element (greedy: the last one)."""
_LAST_LI = re.compile(r".*/(?:ol|ul|menu)\[\d+\]/li\[\d+\]")
"""A tag path up to its innermost ``li`` of a list (greedy: the last one)."""
_LIST_STEP = re.compile(r"/(?:ol|ul|menu|dl)\[\d+\]")
_LAYOUT_STEP = re.compile(r"/(?:div|article|section|header|footer|aside|main)\[")
"""A layout element: inside an ``li``, it sets the item out as a card or a box, not a line of a list."""
LIST_SHAPES = frozenset({"definitions", "cards", "nav"})
"""The list items of the markup that render as paragraphs (:func:`not_a_list_line`)."""
_CELL_PATH = re.compile(
    r"^(?P<row>(?P<table>.*/table\[\d+\])(?:/t(?:head|body|foot)\[\d+\])?/tr\[\d+\])"
    r"/(?P<cell>t[dh]\[\d+\])(?:/(?:p|h[1-6]|span|strong|b|em|div|center|font)\[\d+\]){0,2}$"
)
"""A block's tag path from a cell of a table: the cell's element holds it directly or through at most
two paragraph, heading or inline elements (no list, no nested table)."""
_CELL_KINDS = frozenset({"paragraph", "heading"})
CELL_MAX_CHARS = 300
CELL_MAX_COLUMNS = 20
HEADLINE_MAX_WORDS = 12
HEADLINE_MAX_CHARS = 100
"""A text line longer than this is never taken for a headline."""
CJK_CHARS_PER_WORD = 2.5
"""Chinese and Japanese characters per English word of the same length of headline (a word of
Chinese is one to two characters, a Japanese one more with its kana)."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One list item: its nesting depth (0 = outermost), its number in an ``ol``, its paragraphs."""

    depth: int
    number: int | None
    paragraphs: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...] = field(default=())
    """Inline markup of each paragraph (offsets into it), when the blocks carry any."""
    codes: tuple[str | None, ...] = field(default=())
    """For each paragraph that is a code block of the item (a ``pre`` inside the ``li``), its
    language (``""`` when the markup names none); ``None`` for a paragraph of text."""
    parent: str | None = None
    """Tag path of the list element holding the item (``…/ol[2]``), when the page gave one."""
    new_list: bool = False
    """Whether the item opens another list of the page right after one at its depth (both with known
    list elements, different ones): two lists one right after the other stay two lists."""

    def spans_of(self, n: int) -> tuple[Span, ...]:
        return self.spans[n] if n < len(self.spans) else ()

    def code_of(self, n: int) -> str | None:
        """The language of paragraph ``n`` when it is a code block, else ``None``."""
        return self.codes[n] if n < len(self.codes) else None


def render_markdown(blocks: Sequence[Block], metadata: Metadata, opts: Options) -> str:
    """Markdown for the kept blocks, nothing else: the title is metadata (front matter); adding it
    cost word precision on WCXB dev and never gained a heading."""
    out = render_units(blocks, {"table_row": _table, "list_item": _list, "code": _code, "quote": _quote},
                       lambda unit: _block(unit[0]), tables=opts.include_tables)
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def render_units(
    blocks: Sequence[Block], renderers: Mapping[str, Callable[[Sequence[Block]], str]],
    single: Callable[[Sequence[Block]], str], *, tables: bool = True,
) -> list[str]:
    """Each unit of the blocks (``units`` of ``text_shapes``) rendered by the renderer of its kind,
    ``single`` for any other block: the one dispatch the Markdown and HTML renderers share. Without
    ``tables`` (``Options.include_tables`` off) no table is rebuilt from paragraphs in cells."""
    return [renderers.get(_unit_kind(unit), single)(unit) for unit in units(text_shapes(blocks), tables=tables)]


def _unit_kind(unit: Sequence[Block]) -> str:
    """What renders a unit: a blockquote that starts with a list is a quote."""
    first = unit[0]
    return "quote" if first.kind == "list_item" and quote_of(first) is not None else first.kind


def text_shapes(blocks: Sequence[Block]) -> list[Block]:
    """The blocks with the structure their text shows. Already-scraped text (blocks without a tag
    path): a list line's bullet or number becomes the list item's marker (numbers kept), a headline
    line — one short line without end punctuation, followed by a longer paragraph or a list — a
    level-2 heading. HTML: paragraphs numbered one after the other (``1.``, ``2.``…) become the items
    of an ordered list, paragraphs opening with one bullet glyph those of a list (:func:`_bulleted_runs`),
    and so do self-numbered table rows (:func:`_numbered_rows`) and the list lines
    of a block (:func:`_line_lists`); the text of a heading element is that heading
    (:func:`_heading_parts`), headings and quote paragraphs that are the text of an ``li`` are
    list items (:func:`_markup_item`), and list items that are no line of a list (``LIST_SHAPES``,
    :func:`not_a_list_line`) paragraphs; otherwise the markup said what the blocks are."""
    numbered = _numbered_runs(blocks)
    bulleted = _bulleted_runs(blocks)
    glued = _glued_runs(blocks)
    ranked = _numbered_rows(blocks)
    heading_items = _heading_items(blocks)
    heading_parts = _heading_parts(blocks)
    out: list[Block] = []
    n_items = 0
    for i, block in enumerate(blocks):
        if i in ranked:
            out.append(ranked[i])
            continue
        if block.path:
            place = numbered.get(i)
            step = "ol"
            if place is None:
                place = bulleted.get(i)
                step = "ul"
            if place is not None:
                text = _TEXT_MARKER.sub("", block.text, count=1)
                # one list for the run: under the path of its first paragraph
                first = blocks[i - place[1]].path
                block = replace(block, kind="list_item", level=1, text=text,
                                path=f"{first}/{step}[1]/li[{place[0]}]",
                                spans=shifted(block.spans, len(block.text) - len(text), len(text)))
                out.append(block)
                continue
            if i in heading_parts:
                block = replace(block, kind="heading", level=heading_parts[i])
            if block.kind == "list_item" and not_a_list_line(block.path, LIST_SHAPES):
                block = replace(block, kind="paragraph", level=0)
            block = _markup_item(block, i in heading_items)
            out.extend(_line_lists(block))
            continue
        if block.kind in ("list_item", "line"):
            match = _TEXT_MARKER.match(block.text)
            if match is not None and (match.group(2) is None or i in glued):
                n_items += 1
                digits = match.group(1) or match.group(2)
                # a tag path the list renderers read: an <li> of its own (never merged with the next
                # line's), its number the li's position in an <ol>
                path = f"text/ol[{n_items}]/li[{int(digits)}]" if digits else f"text/ul[{n_items}]/li[1]"
                out.append(replace(block, kind="list_item", level=1, path=path,
                                   text=block.text[match.end():]))
                continue
        if _is_headline(block, blocks[i + 1] if i + 1 < len(blocks) else None):
            out.append(replace(block, kind="heading", level=2))
            continue
        out.append(block)
    return out


def not_a_list_line(path: str, shapes: frozenset[str] = LIST_SHAPES) -> bool:
    """Whether a list item of the markup is not a line of a list in Markdown, for each shape asked:
    ``definitions``, a term or definition of a ``dl`` outside any ``li`` (Markdown has no definition
    list: they are paragraphs); ``cards``, the text of an ``li`` set out in a layout element
    (``<li><div><p>``, ``<li><a><article>``: a grid of cards or boxes, each its own paragraphs); ``nav``,
    an item of a list inside ``<nav>`` (a menu or a table of contents: its lines). A list inside a
    ``blockquote`` stays a list (the quote holds it)."""
    if "/blockquote[" in path:
        return False
    item = _li_of(path)
    if item is None:
        return "definitions" in shapes and _definition_part(_item_of(path)[0]) is not None
    return ("cards" in shapes and _LAYOUT_STEP.search(path, len(item)) is not None) or (
        "nav" in shapes and "/nav[" in item)


def _numbered_rows(blocks: Sequence[Block]) -> dict[int, Block]:
    """Rows of a table that number themselves, a cell of just ``1.``, ``2.``… first in each (a ranked
    list laid out as a table, such as a news aggregator's front page), as the items of an ordered list:
    the index of each row of such a table and its list item, the row's other cells its text. A row
    without a number after a numbered one (a line under the entry) is another paragraph of its item.
    The first row must be numbered (a header row makes it a table of data), and at least two."""
    out: dict[int, Block] = {}
    i = 0
    while i < len(blocks):
        table = container_of(blocks[i].path, "table_row") if blocks[i].kind == "table_row" else None
        if table is None:
            i += 1
            continue
        end = i + 1
        while end < len(blocks) and blocks[end].kind == "table_row" and container_of(blocks[end].path, "table_row") == table:
            end += 1
        items: dict[int, Block] = {}
        number: int | None = None
        depth = _list_depth(table) + 1  # items of a list of their own, inside the lists around the table
        for j in range(i, end):
            filled = [text for text in (" ".join(c.split()) for c in blocks[j].cells or (blocks[j].text,)) if text]
            rank = _RANK_CELL.match(filled[0]) if filled else None
            if rank is not None and (number is None or int(rank.group(1)) == number + 1):
                number = int(rank.group(1))
                filled = filled[1:]
            elif number is None or rank is not None:
                break
            items[j] = replace(blocks[j], text=" ".join(filled), kind="list_item", level=depth, cells=None,
                               spans=(), path=f"{table}/ol[1]/li[{number}]")
        if len(items) == end - i and len({b.path for b in items.values()}) >= 2:
            out.update(items)
        i = end
    return out


def _heading_parts(blocks: Sequence[Block]) -> dict[int, int]:
    """Paragraphs that are the text of a heading element (``<h2><div><span>FAQ</span></div></h2>``:
    a block element inside the heading named the block), each the only block of its heading: the
    index of each and the heading's level."""
    out: dict[int, int] = {}
    for i, block in enumerate(blocks):
        if block.kind != "paragraph" or "/h" not in block.path:
            continue
        match = _LAST_HEADING.match(block.path)
        if match is None:
            continue
        element = block.path[: match.end()]
        if not any(0 <= j < len(blocks) and (blocks[j].path == element or blocks[j].path.startswith(element + "/"))
                   for j in (i - 1, i + 1)):
            out[i] = int(match.group(1))
    return out


def _markup_item(block: Block, heading_item: bool) -> Block:
    """A block of HTML that the segmenter named by another element than the ``li`` it is the text
    of, as that list item: a heading of :func:`_heading_items`, and a paragraph of a list inside a
    quote (``<blockquote><ul><li><p>``: the quote won the block's kind; Sphinx indents a nested list
    in an item with a blockquote)."""
    if not heading_item and block.kind != "quote":
        return block
    item = _li_of(block.path)
    if item is None or not (heading_item or "/blockquote[" not in block.path[len(item):]):
        return block
    return replace(block, kind="list_item", level=max(1, _list_depth(block.path)))


def _heading_items(blocks: Sequence[Block]) -> set[int]:
    """Headings that are list items (``<li><h3>…</h3></li>``, a list of names set large): the indices
    of the blocks of a run of two or more blocks of one list that are all headings, each all its
    ``li`` holds. A heading that is all one tab or card of a list holds, its other items holding
    more, stays a heading."""
    out: set[int] = set()
    for i, block in enumerate(blocks):
        item = _li_of(block.path) if block.kind == "heading" else None
        if item is None:
            continue
        within = item[: item.rfind("/")] + "/"
        if i and blocks[i - 1].path.startswith(within):
            continue  # not the first block of the list's run
        end = i + 1
        while end < len(blocks) and blocks[end].path.startswith(within):
            end += 1
        if end - i < 2 or any(blocks[k].kind != "heading" for k in range(i, end)):
            continue
        items = [_li_of(blocks[k].path) for k in range(i, end)]
        if len(set(items)) == end - i and all(
                "/table[" not in blocks[k].path[len(li):] and "/blockquote[" not in blocks[k].path[len(li):]
                for k, li in zip(range(i, end), items, strict=True) if li is not None):
            out.update(range(i, end))
    return out


def _li_of(path: str) -> str | None:
    """The path of the innermost ``li`` holding the block."""
    if "/li[" not in path:
        return None
    match = _LAST_LI.match(path)
    return match.group() if match is not None else None


def _list_depth(path: str) -> int:
    """How many lists hold the block (``Block.level`` of a list item)."""
    return len(_LIST_STEP.findall(path))


def _line_lists(block: Block) -> list[Block]:
    """A block of HTML whose lines (``<br>``) are list lines, two or more bulleted with one bullet or
    numbered one after the other (``1. a<br>2. b``), as those list items (their numbers kept), the
    lines before and after them blocks of their own; in a list item the list lines are its nested
    list. Dashes and guillemets do not make an item here: a line of dialogue opens with one."""
    if "\n" not in block.text or block.kind not in _LINE_LIST_KINDS:
        return [block]
    lines: list[tuple[int, int, re.Match[str] | None]] = []
    at = 0
    for line in block.text.split("\n"):
        if line.strip():
            match = _TEXT_MARKER.match(line)
            if match is not None and match.group(1) is None and match.group(2) is None:
                bullet = line.lstrip()[0]
                match = match if bullet in _LINE_BULLETS else None
            lines.append((at, at + len(line), match))
        at += len(line) + 1
    runs = _list_line_runs(block.text, lines)
    if not runs or (block.kind == "list_item" and runs[0][0] == 0):
        return [block]
    out: list[Block] = []
    depth = _list_depth(block.path) + 1
    done = 0  # lines before this index are in a block already
    for n, (first, last) in enumerate(runs, start=1):
        if first > done:
            out.append(_part(block, lines[done][0], lines[first - 1][1]))
        for k in range(first, last):
            start, end, match = lines[k]
            assert match is not None
            digits = match.group(1) or match.group(2)
            step = f"ol[{n}]/li[{int(digits)}]" if digits else f"ul[{n}]/li[{k - first + 1}]"
            out.append(replace(_part(block, start + match.end(), end), kind="list_item", level=depth,
                               path=f"{block.path}/{step}"))
        done = last
    if done < len(lines):
        out.append(_part(block, lines[done][0], lines[-1][1]))
    return out


def _list_line_runs(text: str, lines: Sequence[tuple[int, int, re.Match[str] | None]]) -> list[tuple[int, int]]:
    """The runs (first, after last line) of at least two list lines: numbered one after the other, or
    bulleted with the same bullet."""
    runs: list[tuple[int, int]] = []
    k = 0
    while k < len(lines):
        match = lines[k][2]
        if match is None:
            k += 1
            continue
        end = k + 1
        while end < len(lines) and _next_in_run(text, lines[end - 1], lines[end]):
            end += 1
        if end - k >= 2:
            runs.append((k, end))
        k = end
    return runs


def _next_in_run(text: str, previous: tuple[int, int, re.Match[str] | None],
                 line: tuple[int, int, re.Match[str] | None]) -> bool:
    a, b = previous[2], line[2]
    if a is None or b is None:
        return False
    number_a, number_b = a.group(1) or a.group(2), b.group(1) or b.group(2)
    if number_a is not None or number_b is not None:
        return number_a is not None and number_b is not None and int(number_b) == int(number_a) + 1
    return text[previous[0]:previous[1]].lstrip()[0] == text[line[0]:line[1]].lstrip()[0]


def _part(block: Block, start: int, end: int) -> Block:
    """The block cut to ``text[start:end]``, its spans with it."""
    return replace(block, text=block.text[start:end], spans=shifted(block.spans, start, end - start))


def _glued_runs(blocks: Sequence[Block]) -> set[int]:
    """Lines of already-scraped text numbered without a space (``1、…``, ``2、…``), counting up from
    line to line (a dropped line may leave a gap): the indices of those in a run of at least two; a
    lone one is a sentence that starts with a number."""
    numbers: dict[int, int] = {}
    for i, block in enumerate(blocks):
        match = _TEXT_MARKER.match(block.text) if not block.path else None
        if match is not None and match.group(2) is not None:
            numbers[i] = int(match.group(2))
    return {i for i, n in numbers.items() if numbers.get(i - 1, n) < n or numbers.get(i + 1, n) > n}


def _numbered_runs(blocks: Sequence[Block]) -> dict[int, tuple[int, int]]:
    """Paragraphs of HTML that number themselves (``<p>1. …</p><p>2. …</p>``): the index of each
    block of a run of at least two, numbered one after the other, its number and its place in the run
    (from 0)."""
    out: dict[int, tuple[int, int]] = {}
    run: list[tuple[int, int]] = []
    for i, block in enumerate(blocks):
        match = _TEXT_MARKER.match(block.text) if block.kind == "paragraph" and block.path else None
        digits = match.group(1) or match.group(2) if match is not None else None
        number = int(digits) if digits else None
        if number is not None and run and number == run[-1][1] + 1:
            run.append((i, number))
            continue
        if len(run) >= 2:
            out.update((k, (n, place)) for place, (k, n) in enumerate(run))
        run = [(i, number)] if number is not None else []
    if len(run) >= 2:
        out.update((k, (n, place)) for place, (k, n) in enumerate(run))
    return out


def _bulleted_runs(blocks: Sequence[Block]) -> dict[int, tuple[int, int]]:
    """Paragraphs of HTML that open with a bullet glyph (``<p>• …</p><p>• …</p>``, ``_PARAGRAPH_BULLETS``):
    the index of each block of a run of at least two one after the other with the same bullet, each
    a single line (a block of ``<br>`` lines is :func:`_line_lists`' to read), its number in the run
    (from 1) and its place (from 0)."""
    out: dict[int, tuple[int, int]] = {}
    run: list[int] = []
    bullet = ""
    for i in range(len(blocks) + 1):
        mark = _paragraph_bullet(blocks[i]) if i < len(blocks) else ""
        if mark and mark == bullet:
            run.append(i)
            continue
        if len(run) >= 2:
            out.update((k, (place + 1, place)) for place, k in enumerate(run))
        run, bullet = ([i], mark) if mark else ([], "")
    return out


def _paragraph_bullet(block: Block) -> str:
    """The bullet glyph a one-line HTML paragraph opens with (followed by a space), else ``""``."""
    if block.kind != "paragraph" or not block.path or "\n" in block.text.strip():
        return ""
    text = block.text.lstrip()
    return text[0] if text[:1] in _PARAGRAPH_BULLETS and _TEXT_MARKER.match(text) is not None else ""


def _is_headline(block: Block, following: Block | None) -> bool:
    """One short text line, no end punctuation, no bullet, followed by a paragraph of prose twice as
    long or by a list."""
    f = block.features
    if (
        block.kind not in ("paragraph", "line")
        or following is None
        or following.path
        or "\n" in block.text
        or not 0 < len(block.text.strip()) <= HEADLINE_MAX_CHARS
        or _TEXT_MARKER.match(block.text)
        or f.get("terminal", 1.0) != 0.0
        or f.get("ends_with_colon", 1.0) != 0.0
        or f.get("leading_time", 0.0) != 0.0
        or _words(block) > HEADLINE_MAX_WORDS
    ):
        return False
    if following.kind in ("list_item", "line"):
        return _TEXT_MARKER.match(following.text) is not None
    return (
        following.kind == "paragraph"
        and len(following.text) >= 2 * len(block.text)
        and following.features.get("terminal", 0.0) == 1.0
    )


def _words(block: Block) -> float:
    """The line's words; in Chinese or Japanese, where every character counts as a word, its
    characters over ``CJK_CHARS_PER_WORD`` (a 24-character headline is not a long sentence)."""
    n_words = block.features.get("n_words", HEADLINE_MAX_WORDS + 1.0)
    if block.features.get("cjk_ratio", 0.0) >= 0.5:
        return n_words / CJK_CHARS_PER_WORD
    return n_words


def units(blocks: Sequence[Block], *, tables: bool = True) -> list[list[Block]]:
    """The blocks grouped into what renders as one unit: a run of list items, the rows of one table
    (with ``tables``, also a grid of paragraphs in cells), the lines of one ``<pre>``, the paragraphs
    and lists of one ``<blockquote>``; any other block alone."""
    out: list[list[Block]] = []
    i = 0
    not_a_grid = 0  # blocks before this index were looked at as table cells and are not a grid
    while i < len(blocks):
        kind = blocks[i].kind
        j = i + 1
        if tables and i >= not_a_grid and kind in _CELL_KINDS and "/t" in blocks[i].path:
            cell = _CELL_PATH.match(blocks[i].path)
            if cell is not None:
                end, rows = _cell_table(blocks, i, cell.group("table"))
                if rows:
                    out.append(rows)
                    i = end
                    continue
                not_a_grid = end
        quote = quote_of(blocks[i])
        if quote is not None:
            while j < len(blocks) and quote_of(blocks[j]) == quote:
                j += 1
        elif kind == "list_item":
            root = _list_root(blocks[i].path)
            while j < len(blocks) and (blocks[j].kind == kind or (
                    blocks[j].kind == "code" and root is not None and blocks[j].path.startswith(root + "/")
                    and _item_of(blocks[j].path)[0] is not None)):
                j += 1  # a pre inside an item of the list (a command between the steps) is part of it
        elif kind in _CONTAINER:
            key = container_of(blocks[i].path, kind)
            while (j < len(blocks) and blocks[j].kind == kind
                   and (kind == "table_row" or key is not None)
                   and container_of(blocks[j].path, kind) == key):
                j += 1
        out.append(list(blocks[i:j]))
        i = j
    return out


def _cell_table(blocks: Sequence[Block], start: int, table: str) -> tuple[int, list[Block]]:
    """The blocks from ``start`` on that sit in cells of ``table`` (a table the segmenter took for
    layout because its cells hold paragraphs or headings) as table rows, and the index after them;
    no rows when they do not look like a data table: a grid of short cells, each of one or two blocks,
    in at least two rows of at least two filled cells."""
    rows: dict[str, dict[str, list[str]]] = {}
    end = start
    while end < len(blocks) and blocks[end].kind in _CELL_KINDS:
        match = _CELL_PATH.match(blocks[end].path)
        if match is None or match.group("table") != table:
            break
        cells = rows.setdefault(match.group("row"), {})
        cells.setdefault(match.group("cell"), []).append(" ".join(blocks[end].text.split()))
        end += 1
    filled_rows = sum(1 for cells in rows.values() if len(cells) >= 2)
    if filled_rows < 2 or any(
        len(parts) > 2 or sum(map(len, parts)) > CELL_MAX_CHARS
        for cells in rows.values() for parts in cells.values()
    ):
        return end, []
    out: list[Block] = []
    for n, (row_path, cells) in enumerate(rows.items()):
        texts = tuple(" ".join(parts) for parts in _in_columns(cells))
        out.append(Block(index=blocks[start].index + n, text=" | ".join(t for t in texts if t),
                         kind="table_row", path=row_path, cells=texts))
    return end, out


def _in_columns(cells: dict[str, list[str]]) -> list[list[str]]:
    """Cells in their columns: by their ``td[k]`` number when the row has only ``td`` (or only ``th``),
    so that an empty cell keeps its place; in page order when it mixes the two."""
    tags = {name.split("[", 1)[0] for name in cells}
    if len(tags) > 1:
        return list(cells.values())
    width = max(int(name.split("[", 1)[1].rstrip("]")) for name in cells)
    if width > CELL_MAX_COLUMNS:
        return list(cells.values())
    columns: list[list[str]] = [[] for _ in range(width)]
    for name, parts in cells.items():
        columns[int(name.split("[", 1)[1].rstrip("]")) - 1] = parts
    return columns


def quote_of(block: Block) -> str | None:
    """Path of the ``blockquote`` a quote paragraph or a list item is in; none for a list item whose
    quote is itself inside a list item (the quote would cut that list in two)."""
    if block.kind not in ("quote", "list_item"):
        return None
    key = container_of(block.path, "quote")
    if key is None or (block.kind == "list_item" and "/li[" in key):
        return None
    return key


def quote_runs(blocks: Sequence[Block]) -> list[list[Block]]:
    """The blocks of one quote as its parts: each run of list items one part, any other block one."""
    out: list[list[Block]] = []
    for block in blocks:
        if block.kind == "list_item" and out and out[-1][-1].kind == "list_item":
            out[-1].append(block)
        else:
            out.append([block])
    return out


def container_of(path: str, kind: str) -> str | None:
    """Path of the innermost ``pre`` (code), ``blockquote`` (quote) or ``table`` (row) holding the block."""
    tag = _CONTAINER.get(kind)
    if tag is None:
        return None
    at = path.rfind(tag)
    if at < 0:
        return None
    end = path.find("]", at)
    return path[: end + 1] if end > 0 else None


def _mark_new_lists(entries: list[ListEntry]) -> list[ListEntry]:
    """The entries with :attr:`ListEntry.new_list` set: the list element differs from the one of the
    item before it at the same depth (deeper lists are forgotten when an item closes them)."""
    parents: list[str | None] = []  # the list element of the latest item at each depth
    out: list[ListEntry] = []
    for entry in entries:
        depth = entry.depth
        before = parents[depth] if depth < len(parents) else None
        new_list = None not in (entry.parent, before) and before != entry.parent
        del parents[depth:]
        parents.extend([None] * (depth - len(parents)))
        parents.append(entry.parent)
        out.append(replace(entry, new_list=True) if new_list else entry)
    return out


def list_entries(items: Sequence[Block]) -> list[ListEntry]:
    """A run of list items as entries with a depth that never skips a level; the paragraphs of one
    ``<li>`` (blocks sharing the ``li`` in their tag path, at the same level) join one entry, and so
    do its code blocks (the lines of one ``pre`` one block of code). The definitions (``dd``) of a
    term (``dt``) are items inside the term's item (when ``text_shapes`` leaves a ``dl`` a list:
    without ``definitions`` in ``LIST_SHAPES``)."""
    entries: list[ListEntry] = []
    stack: list[float] = []  # Block.level of the open items (a definition half a level below its term)
    previous_key: str | None = None
    term: tuple[str, float] | None = None  # the dl and the level of the latest term
    last_pre: str | None = None  # the pre of the item's last code paragraph
    for block in items:
        key, number = _item_of(block.path)
        if number is not None:
            number = item_number(block.hints, number)
        level: float
        if block.kind == "code":
            code = block.text.strip("\n").rstrip()
            if not code.strip():
                continue
            pre = container_of(block.path, "code")
            if not (entries and stack and key is not None and key == previous_key):
                # a pre that opens its item: an item of its own, at the depth of the list's items
                level = float(max(len(_LI_SEGMENT.findall(block.path)), 1))
                while stack and stack[-1] > level:
                    stack.pop()
                if stack and stack[-1] == level:
                    stack.pop()
                entries.append(ListEntry(len(stack), number, (code,), (), (code_language(block.hints),),
                                         _list_of(key)))
                stack.append(level)
                previous_key, last_pre = key, pre
                continue
            last = entries[-1]
            end = len(last.paragraphs) - 1
            if last.code_of(end) is not None and pre is not None and pre == last_pre:
                paragraphs = (*last.paragraphs[:end], last.paragraphs[end] + "\n" + code)
                entries[-1] = replace(last, paragraphs=paragraphs)
            else:
                codes = tuple(last.code_of(n) for n in range(len(last.paragraphs)))
                entries[-1] = replace(last, paragraphs=(*last.paragraphs, code),
                                      codes=(*codes, code_language(block.hints)))
            last_pre = pre
            continue
        text = block.text.strip()
        if not text:
            continue
        spans = shifted(block.spans, len(block.text) - len(block.text.lstrip()), len(text))
        level = max(block.level, 1)
        part = _definition_part(key)
        if part is not None:
            dl, tag = part
            if tag == "dt":
                term = (dl, level)
            elif term is not None and term[0] == dl and term[1] == level:
                level += 0.5
        if key is not None and key == previous_key and stack and stack[-1] == level and entries:
            last = entries[-1]
            all_spans = (*(last.spans_of(n) for n in range(len(last.paragraphs))), spans)
            codes = (*(last.code_of(n) for n in range(len(last.paragraphs))), None)
            entries[-1] = replace(last, paragraphs=(*last.paragraphs, text),
                                  spans=all_spans if any(all_spans) else (),
                                  codes=codes if any(c is not None for c in codes) else ())
            continue
        previous_key = key
        while stack and stack[-1] >= level:
            stack.pop()
        entries.append(ListEntry(len(stack), number, (text,), (spans,) if spans else (), (), _list_of(key)))
        stack.append(level)
    return _mark_new_lists(entries)


def _list_of(item: str | None) -> str | None:
    """The path of the list element holding an item (its ``li`` path without the last step); none
    for the items of already-scraped text, each of which has a list of its own in its path."""
    if item is None or item.startswith("text/"):
        return None
    return item[: item.rfind("/")]


def _list_root(path: str) -> str | None:
    """The path of the outermost list element in a tag path."""
    match = _LI_SEGMENT.search(path)
    return path[: path.index("]", match.start()) + 1] if match is not None else None


def table_grid(rows: Sequence[Block]) -> list[list[str]]:
    """The cells of a table's rows, whitespace collapsed, ragged rows padded to the widest."""
    cells = [[" ".join(c.split()) for c in r.cells] if r.cells else [" ".join(r.text.split())] for r in rows]
    width = max((len(c) for c in cells), default=0)
    return [row + [""] * (width - len(row)) for row in cells]


def code_text(blocks: Sequence[Block]) -> str:
    """The lines of one code block, outer blank lines and trailing spaces dropped."""
    return "\n".join(b.text.strip("\n").rstrip() for b in blocks).strip("\n")


def item_number(hints: Sequence[str], counted: int) -> int:
    """The number the page gives a block's ``ol`` item (its ITEM_NUMBER_MARK hint token, set by the
    segmenter for ``start``, ``reversed`` and ``value``), else ``counted``, its place in the list."""
    for token in reversed(hints):
        if token.startswith(ITEM_NUMBER_MARK) and token[1:].isascii() and token[1:].isdigit():
            return min(int(token[1:]), 999_999_999)
    return counted


def code_language(hints: Sequence[str]) -> str:
    """The language the markup names for a code block, ``""`` when none: ``language-python``,
    ``lang-js``, Sphinx's ``highlight-python3`` (→ ``python``), GitHub's ``highlight-source-js``
    (→ ``js``), SyntaxHighlighter's ``brush: js``, pandoc's ``sourceCode python``, and a ``lang``,
    ``data-lang`` or ``data-language`` attribute on the ``pre`` or its ``code`` (LANGUAGE_MARK)."""
    for token in hints:  # the pre's own lang/data-lang attribute says it plainest
        if token.startswith(LANGUAGE_MARK):
            name = token[len(LANGUAGE_MARK):]
            if name not in _NOT_LANGUAGES and _LANG_NAME.match(name):
                return name
    present = set(hints)
    for prefix in _LANG_PREFIXES:
        if prefix not in present:
            continue
        for token in hints:
            if not token.startswith(prefix) or token == prefix:
                continue
            name = token[len(prefix):]
            if name not in present:
                name = name.rstrip("0123456789")  # highlight-python3: the splitter kept "python"
            if name not in present:
                name = _scoped(name, present)
            if name in present and name not in _NOT_LANGUAGES and _LANG_NAME.match(name):
                return name
    for marker in ("brush", "sourcecode"):
        if marker in present:
            at = list(hints).index(marker)
            name = hints[at + 1] if at + 1 < len(hints) else ""
            if name not in _NOT_LANGUAGES and _LANG_NAME.match(name):
                return name
    return ""


def _scoped(name: str, present: set[str]) -> str:
    """The language in a grammar scope GitHub writes after ``highlight-``: ``source-js`` → ``js``,
    ``text-html-basic`` → ``html`` (the hint splitter gave the joined ``sourcejs`` and the parts)."""
    for scope in _SCOPES:
        if name.startswith(scope) and scope in present:
            rest = name[len(scope):]
            parts = [t for t in present if t and rest.startswith(t) and t not in _NOT_LANGUAGES]
            if parts:
                return max(parts, key=len)
    return ""


def _block(block: Block) -> str:
    text = block.text.strip()
    if not text:
        return ""
    spans = shifted(block.spans, len(block.text) - len(block.text.lstrip()), len(text))
    if block.kind == "heading":
        level = min(max(block.level, 1), 6)
        return "#" * level + " " + _heading_text(text, heading_spans(text, spans))
    return _lines(text, 0, spans)


def _code(blocks: Sequence[Block]) -> str:
    return _fenced(code_text(blocks), code_language(blocks[0].hints))


def _fenced(code: str, language: str) -> str:
    if not code.strip():
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"


def _quote(blocks: Sequence[Block]) -> str:
    parts = []
    for run in quote_runs(blocks):
        if run[0].kind == "list_item":
            parts.append(_list(run))
            continue
        lines = [line.strip() for line in marked(run[0].text, run[0].spans).split("\n") if line.strip()]
        parts.append("  \n".join(_line_start(line) for line in lines))
    body = "\n\n".join(part for part in parts if part)
    return "\n".join("> " + line if line else ">" for line in body.split("\n")) if body else ""


def _lines(text: str, indent: int, spans: Sequence[Span] = ()) -> str:
    """Lines of one paragraph, joined by hard breaks, continuation lines indented by ``indent``."""
    lines = [_line_start(line.strip()) for line in marked(text, spans).split("\n") if line.strip()]
    return ("  \n" + " " * indent).join(lines)


def _heading_text(text: str, spans: Sequence[Span] = ()) -> str:
    text = _line_start(" ".join(marked(text, spans).split()))
    # a trailing run of '#' would be read as the closing sequence and dropped
    return _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _list(items: Sequence[Block]) -> str:
    lines: list[str] = []
    columns: list[int] = []  # content column of the open item at each depth
    ordered: list[bool] = []  # whether the list open at each depth is numbered
    second: list[bool] = []  # whether the list open at each depth uses the second marker (``*``, ``1)``)
    for entry in list_entries(items):
        numbered = entry.number is not None
        depth = entry.depth
        same_kind = len(ordered) > depth and ordered[depth] == numbered
        # the next list of the same kind right after another: CommonMark would join the two unless
        # the marker changes
        other_list = same_kind and entry.new_list
        starts_list = not same_kind or other_list
        alternate = (not second[depth]) if other_list else (same_kind and second[depth])
        del columns[depth:], ordered[depth:], second[depth:]
        indent = columns[-1] if columns else 0
        if entry.number is not None:
            marker = f"{entry.number}{')' if alternate else '.'}"
        else:
            marker = "*" if alternate else "-"
        column = indent + len(marker) + 1
        if lines and starts_list and entry.number not in (None, 1):
            # a numbered list that does not start at 1 cannot interrupt a paragraph: it would be read
            # as more text of the item above
            lines.append("")
        lines.append(" " * indent + marker + " " + _item_body(entry, column))
        columns.append(column)
        ordered.append(numbered)
        second.append(alternate)
    return "\n".join(lines)


def _item_body(entry: ListEntry, column: int) -> str:
    """The paragraphs of a list item, every line after the first indented to the item's content
    ``column``: text paragraphs joined by hard breaks, code blocks fenced on lines of their own."""
    body = ""
    after_text = False
    for n, paragraph in enumerate(entry.paragraphs):
        language = entry.code_of(n)
        if language is None:
            part = _lines(paragraph, column, entry.spans_of(n))
            glue = "  \n" if after_text else "\n"
        else:
            fenced = _fenced(paragraph, language).split("\n")
            part = "\n".join([fenced[0], *((" " * column + line) if line else "" for line in fenced[1:])])
            glue = "\n"
        if part:
            body = body + glue + " " * column + part if body else part
            after_text = language is None
    return body


def _item_of(path: str) -> tuple[str | None, int | None]:
    """The path of the innermost ``li`` holding the block, and its number when its list is ``ol``;
    outside any ``li``, the innermost ``dt`` or ``dd`` (a ``dl`` inside a list item, such as a user
    card's label/value pairs, is that item's text)."""
    matches = list(_LI_SEGMENT.finditer(path))
    items = [m for m in matches if m.group(1) is not None]
    if items:
        matches = items
    if not matches:
        return None, None
    last = matches[-1]
    number = min(int(last.group(2)), 999_999_999) if last.group(1) == "ol" else None
    return path[: last.end()], number


def _definition_part(item: str | None) -> tuple[str, str] | None:
    """For the path of a ``dt`` or ``dd`` item: the path of its ``dl`` and the tag."""
    at = item.rfind("/dl[") if item is not None else -1
    match = _LI_SEGMENT.match(item, at) if item is not None and at >= 0 else None
    if item is None or match is None or match.group(3) is None or match.end() != len(item):
        return None
    return item[: item.index("]", at) + 1], match.group(4)


def _table(rows: Sequence[Block]) -> str:
    grid = table_grid(rows)
    if not grid or not any(any(row) for row in grid):
        return ""
    width = len(grid[0])
    lines = []
    for n, row in enumerate(grid):
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        if n == 0:
            lines.append("|" + "|".join(" --- " for _ in range(width)) + "|")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return _line_start(_escape(text).replace("|", "\\|"))


def plain_paragraphs(text: str) -> str:
    """Plain text as Markdown that shows it as it is: each non-empty line a paragraph, every
    character that Markdown would read as syntax (or raw HTML) escaped. For text that comes without
    blocks: reader comments, a document extracted without ``with_markdown``."""
    return "\n\n".join(_line_start(_escape(" ".join(line.split()))) for line in text.splitlines() if line.strip())


def plain_heading(text: str, level: int = 1) -> str:
    """A line of plain text (a title) as a Markdown heading."""
    return "#" * level + " " + _heading_text(text)


def _escape(text: str) -> str:
    """Escape the characters that would start inline syntax (emphasis, links, code, HTML, entities)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;")


def _line_start(text: str) -> str:
    """Escape what would make an (inline-escaped) line a block: rule, quote, heading, list item,
    a table's delimiter row."""
    if _RULE_LINE.match(text):
        return _RULE_LINE.sub(lambda m: m.group(1) + "\\" + m.group(0)[len(m.group(1)):], text)
    if "|" in text and _DELIMITER_ROW.match(text):
        # a paragraph's line break before it would make the paragraph a table; its start may still
        # read as a list marker ("- |")
        text = text.replace("|", "\\|")
    text = _QUOTE_START.sub(lambda m: m.group(1) + "\\>", text)
    return _ESCAPE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1] + m.group(3), text)


def heading_spans(text: str, spans: Sequence[Span]) -> tuple[Span, ...]:
    """A heading's spans without bold or italic over the whole heading (it is emphasis already)."""
    return tuple(s for s in spans if not (s.kind in ("strong", "emphasis") and s.start == 0 and s.end >= len(text)))


def shifted(spans: Sequence[Span], cut: int, length: int) -> tuple[Span, ...]:
    """Spans of a text whose first ``cut`` characters were removed, kept within ``length``."""
    if not spans:
        return ()
    out = []
    for span in spans:
        start, end = max(span.start - cut, 0), min(span.end - cut, length)
        if end < start or (end == start and span.start != span.end) or start > length:
            continue
        out.append(replace(span, start=start, end=end))
    return tuple(out)


def marked(text: str, spans: Sequence[Span]) -> str:
    """``text`` escaped as Markdown, with its inline markup: ``[links](…)``, ``**strong**``,
    ``*emphasis*``, ```code```, ``![images](…)``. Spans must nest (``thresher.segment.inline``); an
    emphasis CommonMark would not read as one (its marks not flanking) stays plain text."""
    if not spans:
        return _escape(text)
    out: list[str] = []
    pos = 0
    closers: list[tuple[int, str]] = []
    ordered = sorted(spans, key=span_order)
    for span in ordered:
        while closers and closers[-1][0] <= span.start:
            end, closing = closers.pop()
            out.append(_escape(text[pos:end]) + closing)
            pos = end
        if span.start < pos or (closers and span.end > closers[-1][0]):
            continue
        out.append(_escape(text[pos:span.start]))
        pos = span.start
        if span.kind == "image":
            image = f"![{_escape(' '.join(span.alt.split()))}]({_destination(span.target)})"
            out.append(spaced(text, span.start, image, span.alone))
        elif span.kind == "code":
            tail = _last(out)
            # right after another code span the backticks would run together: plain text then
            content = text[span.start:span.end]
            out.append(_escape(content) if tail.endswith("`") else _code_span(content))
            pos = span.end
        elif span.kind == "link":
            _no_image_mark(out)
            out.append("[")
            closers.append((span.end, f"]({_destination(span.target)})"))
        elif _flanking(text, span, ordered) and not _touches_mark(out, closers, span.end):
            mark = "**" if span.kind == "strong" else "*"
            out.append(mark)
            closers.append((span.end, mark))
    while closers:
        end, closing = closers.pop()
        out.append(_escape(text[pos:end]) + closing)
        pos = end
    out.append(_escape(text[pos:]))
    return "".join(out)


def span_order(span: Span) -> tuple[int, bool, int]:
    """The order spans open in: by start, the longer first (it encloses the other); an image that
    stood alone (a picture between paragraphs, given to the next block's first character) before any
    span opening there, which it was never inside."""
    return span.start, not (span.alone and span.start == span.end), -span.end


def spaced(text: str, at: int, markup: str, alone: bool = False) -> str:
    """An image's markup at ``at``, set off by spaces from the words on either side (by line breaks
    when the image stood alone on the page)."""
    gap = "\n" if alone else " "
    before = gap if at and not text[at - 1].isspace() else ""
    after = gap if at < len(text) and not text[at].isspace() else ""
    return before + markup + after


_NOT_URL = re.compile(r'[\x00-\x20\x7f-\x9f"<>\\^`{|}\s]')
"""What an address cannot hold as it is: controls, white space, quotes, angle brackets, backslash..."""
_NOT_DESTINATION = re.compile(rf"{_NOT_URL.pattern}|[()]")
"""... and in a Markdown link destination also parentheses (so it needs no angle brackets)."""


def url_escaped(url: str, *, markdown: bool = False) -> str:
    """A link's or image's address with what it cannot hold percent-encoded (:data:`_NOT_URL`; for a
    Markdown destination parentheses too); letters of any script stay as they are (an IRI), the same
    in the Markdown and the HTML output."""
    return (_NOT_DESTINATION if markdown else _NOT_URL).sub(lambda m: quote(m.group(), safe=""), url)


def _destination(url: str) -> str:
    return url_escaped(url, markdown=True)


def _code_span(content: str) -> str:
    content = " ".join(content.split("\n"))
    longest = max((len(m) for m in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") or (
        content.startswith(" ") and content.endswith(" ") and content.strip()) else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _last(out: list[str]) -> str:
    """The last non-empty piece written so far (what the next piece will stand next to)."""
    return next((part for part in reversed(out) if part), "")


def _no_image_mark(out: list[str]) -> None:
    """A ``!`` of the text right before a link's ``[`` would make it an image: escape it."""
    for k in range(len(out) - 1, -1, -1):
        if out[k]:
            if out[k].endswith("!") and not out[k].endswith("\\!"):
                out[k] = out[k][:-1] + "\\!"
            return


def _touches_mark(out: list[str], closers: list[tuple[int, str]], end: int) -> bool:
    """Whether an emphasis opening here would run into another ``*`` mark (one just written, or one
    closing at the same place): CommonMark would read the run differently."""
    tail = _last(out)
    return tail.endswith("*") or any(at == end and mark.endswith("*") for at, mark in closers)


def _punctuation(char: str) -> bool:
    """CommonMark's Unicode punctuation (P and S categories; NUL is read as U+FFFD, a symbol)."""
    return char == "\x00" or unicodedata.category(char)[0] in "PS"


def _space(char: str) -> bool:
    """CommonMark's Unicode whitespace: the Zs category, tab, line feed, vertical tab (as markdown-it reads it), form feed, carriage return."""
    return char in "\t\n\x0b\x0c\r" or unicodedata.category(char) == "Zs"


def _flanking(text: str, span: Span, spans: Sequence[Span]) -> bool:
    """Whether ``*`` marks around the span open and close an emphasis in CommonMark. Markup of a span
    inside it that starts (or ends) at the same place stands next to the mark: punctuation."""
    start, end = span.start, span.end
    inner = [s for s in spans if s is not span and start <= s.start and s.end <= end]
    first_punct = any(s.start == start for s in inner) or _punctuation(text[start])
    last_punct = any(s.end == end and s.start < s.end for s in inner) or _punctuation(text[end - 1])
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    opens = not _space(text[start]) and (not first_punct or _space(before) or _punctuation(before))
    closes = not _space(text[end - 1]) and (not last_punct or _space(after) or _punctuation(after))
    return opens and closes
