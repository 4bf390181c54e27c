"""Kept blocks → Markdown (GitHub-flavoured): headings, lists, tables, code, quotes.

Everything the page showed as text stays text: characters that CommonMark would read as syntax
(emphasis, links, raw HTML, entities, a line that would start a list, quote, heading or rule) are
escaped. Lists nest by ``Block.level``; an item is numbered when its tag path shows an ``ol`` parent,
and blocks inside one ``li`` (several paragraphs) stay in that item. The rows of one table become a
GFM table whose first row is the header, ragged rows padded; a table the segmenter took for layout
(its cells hold paragraphs or headings) is rebuilt as a table when its cells form a grid of short
texts. Code is fenced, with the language when the markup named one (``language-xxx``, ``lang-xxx``,
``highlight-xxx``, ``brush: xxx``). The title is not added: it is metadata (front matter).

Structure the text shows is kept too (``text_shapes``): paragraphs numbered one after the other
become an ordered list; in already-scraped text, bullet and numbered lines become list items and a
headline line a heading.

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

_ESCAPE_START = re.compile(r"^(\s*)(#{1,6}|[+\-*]|\d{1,9}[.)])(\s|$)")
_QUOTE_START = re.compile(r"^(\s*)>")
_RULE_LINE = re.compile(r"^(\s*)([-=])[-=\s]*$")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_INLINE_SPECIAL = re.compile(r"([\\*_`\[\]~])")
_CLOSING_HASHES = re.compile(r"(^|\s)(#+)\s*$")
_LI_SEGMENT = re.compile(r"/(ol|ul|menu)\[\d+\]/li\[(\d+)\]")
_LANG_NAME = re.compile(r"^[a-z][a-z0-9+#-]{0,23}$")
_BACKTICKS = re.compile(r"`+")
_LANG_PREFIXES = ("language", "lang", "highlight")
_NOT_LANGUAGES = frozenset({"", "default", "none", "text", "plain", "plaintext", "notranslate", "nohighlight",
                            "source", "code", "block", "wrapper"})
"""Names after a language prefix that say nothing about the language."""
_CONTAINER = {"code": "/pre[", "quote": "/blockquote[", "table_row": "/table["}
_TEXT_MARKER = re.compile(r"^\s*(?:([-*•·▪►▸»–—])|(\d{1,9})[.)])\s+(?=\S)")
"""The bullet or number that starts a list line of already-scraped text."""
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


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One list item: its nesting depth (0 = outermost), its number in an ``ol``, its paragraphs."""

    depth: int
    number: int | None
    paragraphs: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...] = field(default=())
    """Inline markup of each paragraph (offsets into it), when the blocks carry any."""

    def spans_of(self, n: int) -> tuple[Span, ...]:
        return self.spans[n] if n < len(self.spans) else ()


def render_markdown(blocks: Sequence[Block], metadata: Metadata, opts: Options) -> str:
    """Markdown for the kept blocks, nothing else: the title is metadata (front matter); adding it
    cost word precision on WCXB dev and never gained a heading."""
    out = render_units(blocks, {"table_row": _table, "list_item": _list, "code": _code, "quote": _quote},
                       lambda unit: _block(unit[0]))
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def render_units(
    blocks: Sequence[Block], renderers: Mapping[str, Callable[[Sequence[Block]], str]],
    single: Callable[[Sequence[Block]], str],
) -> list[str]:
    """Each unit of the blocks (``units`` of ``text_shapes``) rendered by the renderer of its kind,
    ``single`` for any other block: the one dispatch the Markdown and HTML renderers share."""
    return [renderers.get(unit[0].kind, single)(unit) for unit in units(text_shapes(blocks))]


def text_shapes(blocks: Sequence[Block]) -> list[Block]:
    """The blocks with the structure their text shows. Already-scraped text (blocks without a tag
    path): a list line's bullet or number becomes the list item's marker (numbers kept), a headline
    line — one short line without end punctuation, followed by a longer paragraph or a list — a
    level-2 heading. HTML: paragraphs numbered one after the other (``1.``, ``2.``…) become the items
    of an ordered list; otherwise the markup said what the blocks are."""
    numbered = _numbered_runs(blocks)
    out: list[Block] = []
    n_items = 0
    for i, block in enumerate(blocks):
        if block.path:
            place = numbered.get(i)
            if place is not None:
                text = _TEXT_MARKER.sub("", block.text, count=1)
                block = replace(block, kind="list_item", level=1, text=text,
                                path=f"{block.path}/ol[1]/li[{place}]",
                                spans=shifted(block.spans, len(block.text) - len(text), len(text)))
            out.append(block)
            continue
        if block.kind in ("list_item", "line"):
            match = _TEXT_MARKER.match(block.text)
            if match is not None:
                n_items += 1
                digits = match.group(2)
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


def _numbered_runs(blocks: Sequence[Block]) -> dict[int, int]:
    """Paragraphs of HTML that number themselves (``<p>1. …</p><p>2. …</p>``): the index of each
    block of a run of at least two, numbered one after the other, and its number."""
    out: dict[int, int] = {}
    run: list[tuple[int, int]] = []
    for i, block in enumerate(blocks):
        match = _TEXT_MARKER.match(block.text) if block.kind == "paragraph" and block.path else None
        number = int(match.group(2)) if match is not None and match.group(2) else None
        if number is not None and run and number == run[-1][1] + 1:
            run.append((i, number))
            continue
        if len(run) >= 2:
            out.update(run)
        run = [(i, number)] if number is not None else []
    if len(run) >= 2:
        out.update(run)
    return out


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
        or f.get("n_words", HEADLINE_MAX_WORDS + 1.0) > HEADLINE_MAX_WORDS
    ):
        return False
    if following.kind in ("list_item", "line"):
        return _TEXT_MARKER.match(following.text) is not None
    return (
        following.kind == "paragraph"
        and len(following.text) >= 2 * len(block.text)
        and following.features.get("terminal", 0.0) == 1.0
    )


def units(blocks: Sequence[Block]) -> list[list[Block]]:
    """The blocks grouped into what renders as one unit: a run of list items, the rows of one table,
    the lines of one ``<pre>``, the paragraphs of one ``<blockquote>``; any other block alone."""
    out: list[list[Block]] = []
    i = 0
    not_a_grid = 0  # blocks before this index were looked at as table cells and are not a grid
    while i < len(blocks):
        kind = blocks[i].kind
        j = i + 1
        if i >= not_a_grid and kind in _CELL_KINDS and "/t" in blocks[i].path:
            cell = _CELL_PATH.match(blocks[i].path)
            if cell is not None:
                end, rows = _cell_table(blocks, i, cell.group("table"))
                if rows:
                    out.append(rows)
                    i = end
                    continue
                not_a_grid = end
        if kind == "list_item":
            while j < len(blocks) and blocks[j].kind == kind:
                j += 1
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


def list_entries(items: Sequence[Block]) -> list[ListEntry]:
    """A run of list items as entries with a depth that never skips a level; the paragraphs of one
    ``<li>`` (blocks sharing the ``li`` in their tag path, at the same level) join one entry."""
    entries: list[ListEntry] = []
    stack: list[int] = []  # Block.level of the open items
    previous_key: str | None = None
    for block in items:
        text = block.text.strip()
        if not text:
            continue
        spans = shifted(block.spans, len(block.text) - len(block.text.lstrip()), len(text))
        level = max(block.level, 1)
        key, number = _item_of(block.path)
        if key is not None and key == previous_key and stack and stack[-1] == level and entries:
            last = entries[-1]
            all_spans = (*(last.spans_of(n) for n in range(len(last.paragraphs))), spans)
            entries[-1] = ListEntry(last.depth, last.number, (*last.paragraphs, text),
                                    all_spans if any(all_spans) else ())
            continue
        previous_key = key
        while stack and stack[-1] >= level:
            stack.pop()
        entries.append(ListEntry(len(stack), number, (text,), (spans,) if spans else ()))
        stack.append(level)
    return entries


def table_grid(rows: Sequence[Block]) -> list[list[str]]:
    """The cells of a table's rows, whitespace collapsed, ragged rows padded to the widest."""
    cells = [[" ".join(c.split()) for c in r.cells] if r.cells else [" ".join(r.text.split())] for r in rows]
    width = max((len(c) for c in cells), default=0)
    return [row + [""] * (width - len(row)) for row in cells]


def code_text(blocks: Sequence[Block]) -> str:
    """The lines of one code block, outer blank lines and trailing spaces dropped."""
    return "\n".join(b.text.strip("\n").rstrip() for b in blocks).strip("\n")


def code_language(hints: Sequence[str]) -> str:
    """The language the markup names for a code block, ``""`` when none: ``language-python``,
    ``lang-js``, Sphinx's ``highlight-python3`` (→ ``python``), SyntaxHighlighter's ``brush: js``."""
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
            if name in present and name not in _NOT_LANGUAGES and _LANG_NAME.match(name):
                return name
    if "brush" in present:
        at = list(hints).index("brush")
        name = hints[at + 1] if at + 1 < len(hints) else ""
        if name not in _NOT_LANGUAGES and _LANG_NAME.match(name):
            return name
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
    code = code_text(blocks)
    if not code.strip():
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{code_language(blocks[0].hints)}\n{code}\n{fence}"


def _quote(blocks: Sequence[Block]) -> str:
    paragraphs = []
    for block in blocks:
        lines = [line.strip() for line in marked(block.text, block.spans).split("\n") if line.strip()]
        if lines:
            paragraphs.append("  \n".join("> " + _line_start(line) for line in lines))
    return "\n>\n".join(paragraphs)


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
    for entry in list_entries(items):
        numbered = entry.number is not None
        starts_list = len(ordered) <= entry.depth or ordered[entry.depth] != numbered
        del columns[entry.depth:]
        del ordered[entry.depth:]
        indent = columns[-1] if columns else 0
        marker = f"{entry.number}." if entry.number is not None else "-"
        column = indent + len(marker) + 1
        body = ("  \n" + " " * column).join(
            _lines(p, column, entry.spans_of(n)) for n, p in enumerate(entry.paragraphs)
        )
        if lines and starts_list and entry.number not in (None, 1):
            # a numbered list that does not start at 1 cannot interrupt a paragraph: it would be read
            # as more text of the item above
            lines.append("")
        lines.append(" " * indent + marker + " " + body)
        columns.append(column)
        ordered.append(numbered)
    return "\n".join(lines)


def _item_of(path: str) -> tuple[str | None, int | None]:
    """The path of the innermost ``li`` holding the block, and its number when its list is ``ol``."""
    matches = list(_LI_SEGMENT.finditer(path))
    if not matches:
        return None, None
    last = matches[-1]
    number = min(int(last.group(2)), 999_999_999) if last.group(1) == "ol" else None
    return path[: last.end()], number


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
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """Escape what would otherwise turn a plain line into Markdown syntax."""
    return _line_start(_escape(text))


def _escape(text: str) -> str:
    """Escape the characters that would start inline syntax (emphasis, links, code, HTML, entities)."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _ENTITY.sub("&amp;", text).replace("<", "&lt;")


def _line_start(text: str) -> str:
    """Escape what would make an (inline-escaped) line a block: rule, quote, heading, list item."""
    if _RULE_LINE.match(text):
        return _RULE_LINE.sub(lambda m: m.group(1) + "\\" + m.group(0)[len(m.group(1)):], text)
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
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
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


def spaced(text: str, at: int, markup: str, alone: bool = False) -> str:
    """An image's markup at ``at``, set off by spaces from the words on either side (by line breaks
    when the image stood alone on the page)."""
    gap = "\n" if alone else " "
    before = gap if at and not text[at - 1].isspace() else ""
    after = gap if at < len(text) and not text[at].isspace() else ""
    return before + markup + after


_URL_SAFE = "!#$%&'*+,/:;=?@[]~-._"
"""Characters left as they are in a link destination; spaces, parentheses and angle brackets are
percent-encoded so the destination needs no brackets."""


def _destination(url: str) -> str:
    return quote(url, safe=_URL_SAFE)


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
