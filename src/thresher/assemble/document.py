"""Labelled blocks → the Document: kept text, removed blocks with reasons, acceptance checks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import overload
from urllib.parse import urlsplit

from thresher.assemble.html import render_html
from thresher.assemble.markdown import render_markdown
from thresher.compiled import function, slotted_maker
from thresher.metadata.language import identify
from thresher.model import (
    KEPT_LABELS,
    Block,
    Decision,
    Document,
    Headline,
    Metadata,
    Page,
    Rejected,
    RemovedBlock,
)
from thresher.options import Options

_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Control characters (C0 but tab and line breaks, DEL, C1), lone surrogates and noncharacters: never
text a reader sees; vertical tab and form feed become a space, the others are dropped."""
_unprintable_in = function("has_unprintable")
"""The C twin of ``_UNPRINTABLE.search(text) is not None`` (None without the extension)."""
_new_removed = slotted_maker(RemovedBlock, {})
"""The extension's ``new_slotted`` for removed blocks (see :func:`thresher.compiled.slotted_maker`)."""
_LINE_KINDS = frozenset({"list_item", "table_row", "line"})
"""Consecutive blocks of these kinds are joined by a single newline, everything else by a blank line."""


def assemble(
    blocks: Sequence[Block],
    decisions: Sequence[Decision],
    metadata: Metadata,
    page: Page,
    mode: str,
    opts: Options,
) -> Document:
    """Join the kept blocks into text (and Markdown when asked) and fill the Document."""
    if len(blocks) != len(decisions):
        raise ValueError(f"{len(blocks)} blocks but {len(decisions)} decisions")
    kept: list[Block] = []
    comments: list[Block] = []
    # the removed blocks' fields, one list each (made into RemovedBlocks at once below)
    labels: list[str] = []
    reasons: list[str] = []
    texts: list[str] = []
    indexes: list[int] = []
    tables, with_comments = opts.include_tables, opts.include_comments
    for block, decision in zip(blocks, decisions, strict=True):
        label = decision.label
        if label in KEPT_LABELS:  # decision.kept
            if block.kind == "table_row" and not tables:
                labels.append("boilerplate")
                reasons.append("tables_off")
                texts.append(block.text)
                indexes.append(block.index)
            else:
                kept.append(block)
        elif label == "comment" and with_comments:
            comments.append(block)
        elif block.text and not block.text.isspace():  # block.text.strip(), without the copy
            labels.append(label)
            reasons.append(decision.reason)
            texts.append(block.text)
            indexes.append(block.index)
    removed: list[RemovedBlock]
    if _new_removed is not None:  # the same objects, without a frozen dataclass's __init__ each
        removed = _new_removed(RemovedBlock, len(labels),
                               {"label": labels, "reason": reasons, "text": texts, "index": indexes}, {})
    else:
        removed = list(map(RemovedBlock, labels, reasons, texts, indexes))
    text = printable(join_blocks(kept))
    language = metadata.language
    if not opts.fast or language is None:
        language = identify(text) or language
    hostname = metadata.hostname or _hostname(page.url)
    rejected = _acceptance(text, language, opts)
    return Document(
        text=text,
        id=page.id or _content_id(page),
        url=page.url,
        title=printable(metadata.title),
        author=printable(metadata.author),
        date=metadata.date,
        sitename=printable(metadata.sitename),
        hostname=hostname,
        language=language,
        description=printable(metadata.description),
        image=metadata.image,
        categories=metadata.categories,
        tags=metadata.tags,
        page_type=metadata.page_type,
        markdown=printable(render_markdown(kept, metadata, opts)) if opts.with_markdown else None,
        html=render_html(kept, metadata, opts) if opts.with_html else None,
        comments=printable(join_blocks(comments)) or None,
        removed=tuple(removed),
        headlines=headlines(removed),
        mode="text" if mode == "text" else "html",
        rejected=rejected,
        provenance=page.provenance,
    )


def headlines(removed: Sequence[RemovedBlock]) -> tuple[Headline, ...]:
    """The removed ticker / headline-list lines as items: the leading clock time as written, then
    the headline (``thresher stories`` groups them)."""
    out: list[Headline] = []
    lists = [block for block in removed if block.label == "headline_list"]
    if not lists:
        return ()
    # imported here: the stories package (clustering, its numpy tables) is not needed to extract
    from thresher.stories.parse import parse_headline_line

    for block in lists:
        for line in block.text.splitlines():
            line = line.strip()
            if not line:
                continue
            clock, headline = parse_headline_line(line)
            written = line[: len(line) - len(headline)].strip() if clock is not None else None
            out.append(Headline(headline=headline, time=written or None))
    return tuple(out)


def join_blocks(blocks: Sequence[Block]) -> str:
    """Text of the blocks: list-like runs one per line, paragraphs separated by a blank line."""
    parts: list[str] = []
    previous: Block | None = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if previous is not None:
            same_run = block.kind in _LINE_KINDS and previous.kind == block.kind
            parts.append("\n" if same_run else "\n\n")
        if block.kind == "table_row" and block.cells:
            text = " | ".join(c.strip() for c in block.cells)
        parts.append(text)
        previous = block
    return "".join(parts)


@overload
def printable(text: str) -> str: ...


@overload
def printable(text: None) -> None: ...


def printable(text: str | None) -> str | None:
    """``text`` without :data:`_UNPRINTABLE` characters (the same string when it has none)."""
    if not text or not (_unprintable_in(text) if _unprintable_in is not None else _UNPRINTABLE.search(text)):
        return text
    return _UNPRINTABLE.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


def _acceptance(text: str, language: str | None, opts: Options) -> Rejected | None:
    if not text.strip():
        return Rejected(stage="assemble", reason="no_main_content")
    if len(text) < opts.min_text_length:
        return Rejected(stage="assemble", reason="too_short")
    if opts.target_language and language and language != opts.target_language:
        return Rejected(stage="filter", reason=f"language_{language}")
    return None


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host or None


def _content_id(page: Page) -> str:
    """A stable id for pages that bring none: a hash of the URL and the payload."""
    digest = hashlib.blake2b(digest_size=10)
    digest.update((page.url or "").encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    data = page.data if isinstance(page.data, bytes) else page.data.encode("utf-8", "surrogatepass")
    digest.update(data)
    return digest.hexdigest()
