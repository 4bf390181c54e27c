"""HTML output: the document's semantic HTML (``Document.html``) in a small, clean page.

One document is a whole page: ``<!DOCTYPE html>``, a ``<head>`` with the charset, the title and, with
metadata, one ``<meta name=… content=…>`` per field; the content in ``<article>``, reader comments
after it in ``<section class="comments">``. A stream of several documents is one page too
(``STREAM_HEAD`` … ``STREAM_TAIL``) with an ``<article>`` per document, its metadata in a ``<dl>``
at the top. Without ``Document.html`` (not asked for when extracting) the text's lines become
paragraphs under the title. Every value is escaped; nothing of the source page's markup survives.
"""

from __future__ import annotations

from thresher.assemble.html import text_html
from thresher.model import Document, Result
from thresher.write.frontmatter import FRONT_MATTER_FIELDS

STREAM_HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>thresher</title>\n</head>\n<body>\n'
)
STREAM_TAIL = "</body>\n</html>\n"


def render_html_page(result: Result, *, with_metadata: bool = False) -> str | None:
    """One document as a whole HTML page; ``None`` for failures and rejected documents."""
    if not isinstance(result, Document) or result.rejected is not None:
        return None
    lang = _language(result.language)
    title = " ".join((result.title or result.url or result.id or "document").split())
    head = ['<meta charset="utf-8">', f"<title>{text_html(title)}</title>"]
    if with_metadata:
        head.extend(f'<meta name="{name}" content="{text_html(value, attribute=True)}">' for name, value in _fields(result))
    return (
        f"<!DOCTYPE html>\n<html{lang}>\n<head>\n" + "\n".join(head) + "\n</head>\n<body>\n"
        + _article(result, "") + STREAM_TAIL
    )


def render_html_article(result: Result, *, with_metadata: bool = False) -> str | None:
    """One document as an ``<article>`` of a stream (between ``STREAM_HEAD`` and ``STREAM_TAIL``)."""
    if not isinstance(result, Document) or result.rejected is not None:
        return None
    header = ""
    if with_metadata:
        items = "".join(f"<dt>{name}</dt><dd>{text_html(value)}</dd>\n" for name, value in _fields(result))
        header = f"<dl>\n{items}</dl>\n" if items else ""
    return _article(result, header)


def _article(doc: Document, header: str) -> str:
    lang = _language(doc.language)
    body = doc.html if doc.html is not None else _fallback(doc)
    out = f"<article{lang}>\n{header}{body.strip(chr(10))}\n</article>\n"
    if doc.comments:
        out += f'<section class="comments">\n{_paragraphs(doc.comments)}\n</section>\n'
    return out


def _language(language: str | None) -> str:
    """The ``lang`` attribute, with ``dir="rtl"`` for a language written right to left (without it a
    browser lays Arabic or Hebrew out left to right: punctuation and list markers on the wrong side);
    ``dir="auto"`` when the language is unknown (the text's first letters decide)."""
    if not language:
        return ' dir="auto"'
    direction = ' dir="rtl"' if language.split("-")[0].lower() in RTL_LANGUAGES else ""
    return f' lang="{text_html(language, attribute=True)}"{direction}'


RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug",
                           "ur", "yi", "ara", "heb", "fas", "per", "urd", "pus", "snd", "uig", "yid", "div",
                           "kas", "syc"})
"""Languages written right to left (CLDR): ISO 639-1 codes as language identification gives them,
and the 639-2/3 codes a page's ``lang`` may use."""


def _fields(doc: Document) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in FRONT_MATTER_FIELDS:
        value = getattr(doc, name)
        if value:
            out.append((name, ", ".join(value) if isinstance(value, tuple | list) else str(value)))
    return out


def _fallback(doc: Document) -> str:
    """Title as ``h1`` (unless the text starts with it), then each line of the text a paragraph."""
    text = _paragraphs(doc.text)
    title = " ".join((doc.title or "").split())
    if not title or doc.text.lstrip().startswith(title):
        return text
    return f"<h1>{text_html(title)}</h1>\n{text}" if text else f"<h1>{text_html(title)}</h1>"


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{text_html(line.strip())}</p>" for line in text.splitlines() if line.strip())
