"""Markdown output: the Markdown the assembler rendered, else the title as a heading over the text;
reader comments after it. Text that did not come through the assembler is escaped, so that a comment's
``<img onerror=…>``, ``#1`` or ``---`` shows as the reader typed it instead of becoming markup.

With metadata, the header is YAML front matter (the fields quoted safely, see ``frontmatter``).
"""

from __future__ import annotations

from thresher.assemble.markdown import plain_heading, plain_paragraphs
from thresher.model import Document, Result
from thresher.write.frontmatter import front_matter


def render_markdown(result: Result, *, with_metadata: bool = False) -> str | None:
    """The document as Markdown; ``None`` for failures and rejected documents."""
    if not isinstance(result, Document) or result.rejected is not None:
        return None
    body = result.markdown.strip("\n") if result.markdown is not None else _fallback(result)
    if result.comments:
        comments = plain_paragraphs(result.comments)
        body = f"{body}\n\n## Comments\n\n{comments}" if body else comments
    header = front_matter(result) if with_metadata else ""
    if header and body:
        header += "\n"
    return f"{header}{body}\n"


def _fallback(doc: Document) -> str:
    """Title as a level-1 heading (unless the text starts with it), then each line of the text a
    paragraph (Markdown joins single-newline lines otherwise), escaped."""
    text = plain_paragraphs(doc.text)
    title = " ".join((doc.title or "").split())
    if not title or doc.text.lstrip().startswith(title):
        return text
    return f"{plain_heading(title)}\n\n{text}" if text else plain_heading(title)
