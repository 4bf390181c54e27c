"""Markdown output: the Markdown the assembler rendered, else the title as a heading over the text.

With metadata, the header is YAML front matter (the fields quoted safely, see ``frontmatter``).
"""

from __future__ import annotations

from thresher.model import Document, Result
from thresher.write.frontmatter import front_matter


def render_markdown(result: Result, *, with_metadata: bool = False) -> str | None:
    """The document as Markdown; ``None`` for failures and rejected documents."""
    if not isinstance(result, Document) or result.rejected is not None:
        return None
    body = result.markdown.strip("\n") if result.markdown is not None else _fallback(result)
    if result.comments:
        comments = _paragraphs(result.comments)
        body = f"{body}\n\n## Comments\n\n{comments}" if body else comments
    header = front_matter(result) if with_metadata else ""
    if header and body:
        header += "\n"
    return f"{header}{body}\n"


def _fallback(doc: Document) -> str:
    """Title as a level-1 heading (unless the text starts with it), then the paragraphs."""
    text = _paragraphs(doc.text)
    title = " ".join((doc.title or "").split())
    if not title or text.startswith(title):
        return text
    return f"# {title}\n\n{text}" if text else f"# {title}"


def _paragraphs(text: str) -> str:
    """Each non-empty line its own paragraph: Markdown joins single-newline lines otherwise."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
