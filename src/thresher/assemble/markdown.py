"""Kept blocks → Markdown (GitHub-flavoured): headings, lists, tables, code, quotes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from thresher.model import Block, Metadata
from thresher.options import Options

_ESCAPE_START = re.compile(r"^(\s*)([#>+\-*]|\d+[.)])(\s)")


def render_markdown(blocks: Sequence[Block], metadata: Metadata, opts: Options) -> str:
    """Markdown for the kept blocks; the title becomes a level-1 heading unless a block holds it."""
    out: list[str] = []
    title = (metadata.title or "").strip()
    if title and not any(b.kind == "heading" and b.text.strip() == title for b in blocks):
        out.append(f"# {_inline(title)}")
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "table_row":
            j = i
            while j < len(blocks) and blocks[j].kind == "table_row":
                j += 1
            out.append(_table(blocks[i:j]))
            i = j
            continue
        if block.kind == "list_item":
            j = i
            items = []
            while j < len(blocks) and blocks[j].kind == "list_item":
                depth = max(blocks[j].level - 1, 0)
                items.append("  " * depth + "- " + _inline(blocks[j].text))
                j += 1
            out.append("\n".join(items))
            i = j
            continue
        out.append(_block(block))
        i += 1
    return "\n\n".join(part for part in out if part.strip()) + "\n"


def _block(block: Block) -> str:
    text = block.text.strip()
    if block.kind == "heading":
        level = min(max(block.level, 1), 6)
        return "#" * level + " " + _inline(" ".join(text.split()))
    if block.kind == "code":
        fence = "````" if "```" in text else "```"
        return f"{fence}\n{block.text.rstrip()}\n{fence}"
    if block.kind == "quote":
        return "\n".join("> " + _inline(line) if line.strip() else ">" for line in text.split("\n"))
    lines = [_inline(line) for line in text.split("\n")]
    return "  \n".join(lines)


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
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _inline(text: str) -> str:
    """Escape what would otherwise turn a plain line into Markdown syntax."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
    text = text.replace("[", "\\[").replace("<", "&lt;")
    return _ESCAPE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1] + m.group(3), text)
