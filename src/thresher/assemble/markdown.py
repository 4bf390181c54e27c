"""Kept blocks → Markdown (GitHub-flavoured): headings, lists, tables, code, quotes.

Everything the page showed as text stays text: characters that CommonMark would read as syntax
(emphasis, links, raw HTML, entities, a line that would start a list, quote, heading or rule) are
escaped. Lists nest by ``Block.level``; an item is numbered when its tag path shows an ``ol`` parent,
and blocks inside one ``li`` (several paragraphs) stay in that item. A run of table rows becomes a
GFM table whose first row is the header, ragged rows padded. Code is fenced, with the language
when the markup named one (``class="language-xxx"`` / ``lang-xxx``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from thresher.model import Block, Metadata
from thresher.options import Options

_ESCAPE_START = re.compile(r"^(\s*)([#+\-*]|\d{1,9}[.)])(\s|$)")
_QUOTE_START = re.compile(r"^(\s*)>")
_RULE_LINE = re.compile(r"^(\s*)([-=])[-=\s]*$")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_INLINE_SPECIAL = re.compile(r"([\\*_`\[\]~])")
_CLOSING_HASHES = re.compile(r"(^|\s)(#+)\s*$")
_LI_SEGMENT = re.compile(r"/(ol|ul|menu)\[\d+\]/li\[(\d+)\]")
_LANG_NAME = re.compile(r"^[a-z][a-z0-9+#-]{0,23}$")
_BACKTICKS = re.compile(r"`+")


def render_markdown(blocks: Sequence[Block], metadata: Metadata, opts: Options) -> str:
    """Markdown for the kept blocks; the title becomes a level-1 heading unless a block holds it."""
    out: list[str] = []
    title = (metadata.title or "").strip()
    if title and not any(b.kind == "heading" and b.text.strip() == title for b in blocks):
        out.append(f"# {_heading_text(title)}")
    i = 0
    while i < len(blocks):
        kind = blocks[i].kind
        if kind in ("table_row", "list_item"):
            j = i
            while j < len(blocks) and blocks[j].kind == kind:
                j += 1
            out.append(_table(blocks[i:j]) if kind == "table_row" else _list(blocks[i:j]))
            i = j
            continue
        if kind in ("code", "quote"):
            # the lines of one <pre>, the paragraphs of one <blockquote>, stay one block
            key = _container_of(blocks[i].path, kind)
            j = i + 1
            while (key is not None and j < len(blocks) and blocks[j].kind == kind
                   and _container_of(blocks[j].path, kind) == key):
                j += 1
            out.append(_code(blocks[i:j]) if kind == "code" else _quote(blocks[i:j]))
            i = j
            continue
        out.append(_block(blocks[i]))
        i += 1
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def _block(block: Block) -> str:
    text = block.text.strip()
    if not text:
        return ""
    if block.kind == "heading":
        level = min(max(block.level, 1), 6)
        return "#" * level + " " + _heading_text(text)
    return _lines(text, 0)


def _container_of(path: str, kind: str) -> str | None:
    """Path of the innermost ``pre`` (code) or ``blockquote`` (quote) holding the block."""
    tag = "/pre[" if kind == "code" else "/blockquote["
    at = path.rfind(tag)
    if at < 0:
        return None
    end = path.find("]", at)
    return path[: end + 1] if end > 0 else None


def _code(blocks: Sequence[Block]) -> str:
    code = "\n".join(b.text.strip("\n").rstrip() for b in blocks).strip("\n")
    if not code.strip():
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{_language(blocks[0].hints)}\n{code}\n{fence}"


def _quote(blocks: Sequence[Block]) -> str:
    paragraphs = []
    for block in blocks:
        lines = [line.strip() for line in block.text.strip().split("\n") if line.strip()]
        if lines:
            paragraphs.append("  \n".join("> " + _inline(line) for line in lines))
    return "\n>\n".join(paragraphs)


def _lines(text: str, indent: int) -> str:
    """Lines of one paragraph, joined by hard breaks, continuation lines indented by ``indent``."""
    lines = [_inline(line.strip()) for line in text.split("\n") if line.strip()]
    return ("  \n" + " " * indent).join(lines)


def _heading_text(text: str) -> str:
    text = _inline(" ".join(text.split()))
    # a trailing run of '#' would be read as the closing sequence and dropped
    return _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _list(items: Sequence[Block]) -> str:
    lines: list[str] = []
    stack: list[tuple[int, int]] = []  # (level, content column) of the open items
    previous_key: str | None = None
    for block in items:
        text = block.text.strip()
        if not text:
            continue
        level = max(block.level, 1)
        key, number = _item_of(block.path)
        if key is not None and key == previous_key and stack and stack[-1][0] == level:
            # another paragraph of the same <li>: stays in the item
            column = stack[-1][1]
            lines[-1] += "  \n" + " " * column + _lines(text, column)
            continue
        previous_key = key
        while stack and stack[-1][0] >= level:
            stack.pop()
        indent = stack[-1][1] if stack else 0
        marker = f"{number}." if number is not None else "-"
        column = indent + len(marker) + 1
        lines.append(" " * indent + marker + " " + _lines(text, column))
        stack.append((level, column))
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
    cells = [list(r.cells) if r.cells else [r.text] for r in rows]
    width = max(len(c) for c in cells)
    lines = []
    for n, row in enumerate(cells):
        padded = [_cell(c) for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(padded) + " |")
        if n == 0:
            lines.append("|" + "|".join(" --- " for _ in range(width)) + "|")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return _inline(" ".join(text.split())).replace("|", "\\|")


def _language(hints: Sequence[str]) -> str:
    """``language-python`` / ``lang-js`` in the markup → the fence's info string."""
    present = set(hints)
    for prefix in ("language", "lang"):
        if prefix not in present:
            continue
        for token in hints:
            name = token[len(prefix):]
            if token.startswith(prefix) and name in present and _LANG_NAME.match(name):
                return name
    return ""


def _inline(text: str) -> str:
    """Escape what would otherwise turn a plain line into Markdown syntax."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    if _RULE_LINE.match(text):
        return _RULE_LINE.sub(lambda m: m.group(1) + "\\" + m.group(0)[len(m.group(1)):], text)
    text = _QUOTE_START.sub(lambda m: m.group(1) + "\\>", text)
    return _ESCAPE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1] + m.group(3), text)
