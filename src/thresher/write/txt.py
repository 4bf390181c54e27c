"""Plain text output: the document's text, its comments after it, optionally a metadata header."""

from __future__ import annotations

from thresher.model import Document, Result
from thresher.write.frontmatter import front_matter


def render_txt(result: Result, *, with_metadata: bool = False) -> str | None:
    """The text of a document; ``None`` for failures and rejected documents (they have no text)."""
    if not isinstance(result, Document) or result.rejected is not None:
        return None
    body = result.text
    if result.comments:
        body = f"{body}\n\n{result.comments}" if body else result.comments
    header = front_matter(result) if with_metadata else ""
    return f"{header}{body}\n"
