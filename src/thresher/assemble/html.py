"""Kept blocks → clean semantic HTML: the same shape as the Markdown, in structural tags only.

Headings ``h1``–``h6``, paragraphs ``p`` (line breaks ``br``), nested ``ul``/``ol`` lists, tables with a
``thead`` header row, ``pre``/``code`` (``class="language-xxx"`` when the markup named one),
``blockquote`` and ``figcaption``; with the inline markup the options ask for, ``a href``, ``strong``,
``em``, ``code`` and ``img src alt`` (http(s)/mailto addresses only, see ``thresher.segment.inline``).
No other attribute of the page survives and every text is escaped, so the output carries no script,
style or event handler from the page; characters HTML cannot carry (control characters, lone
surrogates) are dropped. The grouping of blocks into lists, tables,
code and quotes is the Markdown renderer's (``thresher.assemble.markdown``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from thresher.assemble.markdown import (
    ListEntry,
    code_language,
    code_text,
    heading_spans,
    list_entries,
    quote_runs,
    render_units,
    shifted,
    spaced,
    span_order,
    table_grid,
    url_escaped,
)
from thresher.model import Block, Metadata, Span
from thresher.options import Options

_NOT_HTML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters an HTML document must not contain (controls, noncharacters, lone surrogates)."""


def render_html(blocks: Sequence[Block], metadata: Metadata, opts: Options) -> str:
    """The kept blocks as a fragment of block-level elements, one a line (the writer frames it in a
    document, the title in its head)."""
    out = render_units(blocks, {"table_row": _table, "list_item": _list, "code": _code, "quote": _quote},
                       lambda unit: _block(unit[0]), tables=opts.include_tables)
    parts = [part for part in out if part]
    return "\n".join(parts) + "\n" if parts else ""


def text_html(text: str, *, attribute: bool = False) -> str:
    """Text as HTML character data (``&``, ``<``, ``>`` escaped; quotes too in an ``attribute``
    value), characters HTML cannot carry dropped."""
    return escape(_NOT_HTML.sub("", text), quote=attribute)


def _inline(text: str) -> str:
    """One line of text, escaped, its whitespace runs collapsed."""
    return escape(" ".join(_NOT_HTML.sub("", text).split()), quote=False)


def _lines(text: str, spans: Sequence[Span] = ()) -> str:
    """Lines of one paragraph, escaped (with their inline markup), joined by ``<br>``."""
    if not spans:
        return "<br>\n".join(_inline(line) for line in text.split("\n") if _inline(line))
    lines = (" ".join(line.split()) for line in marked_html(text, spans).split("\n"))
    return "<br>\n".join(line for line in lines if line)


def marked_html(text: str, spans: Sequence[Span]) -> str:
    """``text`` escaped, with its inline markup as ``a``, ``strong``, ``em``, ``code`` and ``img``
    (spans must nest, as ``thresher.segment.inline`` gives them)."""
    out: list[str] = []
    pos = 0
    closers: list[tuple[int, str]] = []
    for span in sorted(spans, key=span_order):
        while closers and closers[-1][0] <= span.start:
            end, closing = closers.pop()
            out.append(text_html(text[pos:end]) + closing)
            pos = end
        if span.start < pos or (closers and span.end > closers[-1][0]):
            continue
        out.append(text_html(text[pos:span.start]))
        pos = span.start
        if span.kind == "image":
            image = (f'<img src="{_address(span.target)}" '
                     f'alt="{text_html(" ".join(span.alt.split()), attribute=True)}">')
            out.append(spaced(text, span.start, image, span.alone))
            continue
        tag = _TAGS[span.kind]
        out.append(f'<a href="{_address(span.target)}">' if tag == "a" else f"<{tag}>")
        closers.append((span.end, f"</{tag}>"))
    while closers:
        end, closing = closers.pop()
        out.append(text_html(text[pos:end]) + closing)
        pos = end
    out.append(text_html(text[pos:]))
    return "".join(out)


def _address(url: str) -> str:
    """A link's or image's address as an attribute value: the characters a URL cannot hold (spaces,
    controls, quotes, angle brackets) percent-encoded; letters of any script stay (an IRI)."""
    return text_html(url_escaped(url), attribute=True)


_TAGS = {"link": "a", "strong": "strong", "emphasis": "em", "code": "code"}


def _block(block: Block) -> str:
    text = block.text.strip()
    spans = shifted(block.spans, len(block.text) - len(block.text.lstrip()), len(text))
    if block.kind == "heading":
        spans = heading_spans(text, spans)
    lines = _lines(text, spans)
    if not lines:
        return ""
    if block.kind == "heading":
        level = min(max(block.level, 1), 6)
        inline = " ".join(lines.split("<br>\n"))
        return f"<h{level}>{inline}</h{level}>"
    if block.kind == "caption":
        return f"<figure><figcaption>{lines}</figcaption></figure>"
    return f"<p>{lines}</p>"


def _list(items: Sequence[Block]) -> str:
    out: list[str] = []
    open_lists: list[str] = []  # tag of each open list, outermost first
    following: list[int | None] = []  # the number the next item of each open list gets by counting
    for entry in list_entries(items):
        tag = "ol" if entry.number is not None else "ul"
        if len(open_lists) > entry.depth + 1:
            while len(open_lists) > entry.depth + 1:
                out.append(f"</li></{open_lists.pop()}>")
                following.pop()
            out.append("</li>")
        elif len(open_lists) == entry.depth + 1:
            out.append("</li>")
        if len(open_lists) == entry.depth + 1 and (open_lists[-1] != tag or entry.new_list):
            out.append(f"</{open_lists.pop()}>")
            following.pop()
        while len(open_lists) < entry.depth + 1:
            start = entry.number if tag == "ol" and entry.number not in (None, 1) else None
            out.append(f'<{tag} start="{start}">' if start is not None else f"<{tag}>")
            open_lists.append(tag)
            following.append(entry.number)
        # an item the counting would number otherwise (a reversed list, an item's value) says its number
        value = f' value="{entry.number}"' if entry.number is not None and entry.number != following[-1] else ""
        following[-1] = entry.number + 1 if entry.number is not None else None
        out.append(f"<li{value}>" + _item_body(entry))
    if open_lists:
        out.append("</li>" + "</li>".join(f"</{tag}>" for tag in reversed(open_lists)))
    # a closing tag right after an item's text goes on the item's line
    return "\n".join(out).replace("\n</li>", "</li>")


def _item_body(entry: ListEntry) -> str:
    """A list item's paragraphs: text joined by ``<br>``, its code blocks as ``pre``."""
    body = ""
    after_text = False
    for n, paragraph in enumerate(entry.paragraphs):
        language = entry.code_of(n)
        part = _lines(paragraph, entry.spans_of(n)) if language is None else _pre(paragraph, language)
        if part:
            body = body + ("<br>\n" if after_text and language is None else "\n") + part if body else part
            after_text = language is None
    return body


def _table(rows: Sequence[Block]) -> str:
    grid = table_grid(rows)
    if not any(_inline(cell) for row in grid for cell in row):
        return ""
    # the rows the page put in <thead>, else the first (as the Markdown table's header row)
    n_head = next((n for n, row in enumerate(rows) if "/thead[" not in row.path), len(rows)) or 1
    head = "".join("\n<tr>" + "".join(f"<th>{_inline(c)}</th>" for c in row) + "</tr>" for row in grid[:n_head])
    head = f"<thead>{head}\n</thead>"
    body = "".join(
        "\n<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in grid[n_head:]
    )
    return f"<table>\n{head}" + (f"\n<tbody>{body}\n</tbody>" if body else "") + "\n</table>"


def _code(blocks: Sequence[Block]) -> str:
    return _pre(code_text(blocks), code_language(blocks[0].hints))


def _pre(text: str, language: str) -> str:
    lines = _NOT_HTML.sub("", text).split("\n")
    code = "\n".join(line.rstrip() for line in lines).strip("\n")
    if not code.strip():
        return ""
    attr = f' class="language-{text_html(language, attribute=True)}"' if language else ""
    return f"<pre><code{attr}>{text_html(code)}</code></pre>"


def _quote(blocks: Sequence[Block]) -> str:
    parts = [_list(run) if run[0].kind == "list_item" else f"<p>{_lines(run[0].text, run[0].spans)}</p>"
             for run in quote_runs(blocks) if run[0].kind == "list_item" or _lines(run[0].text, run[0].spans)]
    parts = [part for part in parts if part]
    return "<blockquote>\n" + "\n".join(parts) + "\n</blockquote>" if parts else ""
