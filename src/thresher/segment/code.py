"""The language of a code block when the markup names it on the ``<code>`` inside the ``<pre>``.

highlight.js, Prism and most Markdown-to-HTML tools write ``<pre><code class="language-python">``: the
class sits on the inner element, so the ``<pre>`` block's own hints (its element and ancestors) do
not carry it. This adds the inner element's class tokens to the hints of the code blocks they belong
to, for the renderers (``thresher.assemble.markdown.code_language``), after classification: the
model and the rules never see them, so the choice of blocks is the same with or without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from thresher.model import Block
from thresher.parse.html import Tree
from thresher.segment.features import split_hint_tokens

_NAMING = ("language", "lang", "highlight", "brush")
"""Hint tokens that name a language after them (see ``assemble.markdown.code_language``)."""


def with_code_languages(tree: Tree, blocks: Sequence[Block]) -> list[Block]:
    """The blocks, code blocks without a language hint given their inner ``<code>`` element's class
    tokens (matched by their text); all others unchanged."""
    wanting = [i for i, b in enumerate(blocks) if b.kind == "code" and not any(t in _NAMING for t in b.hints)]
    body = tree.body
    if not wanting or body is None:
        return list(blocks)
    named: dict[str, tuple[str, ...]] = {}
    for node in body.css("pre > code[class]"):
        tokens = split_hint_tokens(node.attributes.get("class") or "")
        if any(t in _NAMING for t in tokens):
            named.setdefault(_key(node.text(deep=True)), tokens)
    if not named:
        return list(blocks)
    out = list(blocks)
    for i in wanting:
        found = named.get(_key(blocks[i].text))
        if found:
            out[i] = replace(blocks[i], hints=blocks[i].hints + found)
    return out


def _key(text: str) -> str:
    return " ".join(text.split())
