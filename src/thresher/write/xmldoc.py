"""XML output in the shape of trafilatura's: ``<doc title=… url=…><main>…</main></doc>``.

With the document's semantic HTML (``Document.html``, which the CLI asks for when writing XML) the
content keeps its structure in trafilatura's XML vocabulary: ``<head rend="h2">`` for headings,
``<p>`` paragraphs with ``<lb/>`` line breaks, ``<list rend="ul|ol">`` of ``<item>`` (nested lists
inside their item), ``<table>`` of ``<row>`` of ``<cell>`` (``role="head"`` for header cells),
``<code>`` blocks (``lang`` when the page named one), ``<quote>``, and, when the options kept inline
markup, ``<ref target>``, ``<hi rend="#b|#i">`` and ``<graphic src alt>``. Without it, each line of
the text is a ``<p>``. Comments are always paragraphs. Characters XML 1.0 cannot carry are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from thresher.model import Document, Result

_ATTRIBUTES: tuple[str, ...] = (
    "sitename", "title", "author", "date", "url", "hostname", "description", "categories", "tags",
    "fingerprint", "id", "language",
)
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (control characters, lone surrogates); they are dropped."""


def render_xml(result: Result, *, with_metadata: bool = True) -> str:
    """One ``<doc>`` element (or ``<error>`` for a failure), newline-terminated.

    A record format, like JSON and CSV: the metadata attributes are always there (as in trafilatura's
    XML); ``with_metadata`` is accepted for symmetry with the other renderers."""
    if not isinstance(result, Document):
        error = ET.Element("error", _clean_attrs({
            "reason": result.reason, "message": result.message, "url": result.url, "id": result.id,
            "source": result.provenance.source,
        }))
        return ET.tostring(error, encoding="unicode") + "\n"
    attrs: dict[str, str | None] = {}
    for name in _ATTRIBUTES:
        value = getattr(result, name)
        attrs[name] = ";".join(value) if isinstance(value, tuple) else value
    if result.rejected is not None:
        attrs["rejected"] = str(result.rejected)
    doc = ET.Element("doc", _clean_attrs(attrs))
    main = ET.SubElement(doc, "main")
    if result.html is not None:
        _Structure(main).convert(result.html)
    else:
        _paragraphs(main, result.text)
    if result.comments:
        _paragraphs(ET.SubElement(doc, "comments"), result.comments)
    return ET.tostring(doc, encoding="unicode") + "\n"


def _clean_attrs(attrs: dict[str, str | None]) -> dict[str, str]:
    return {k: _NOT_XML.sub("", v) for k, v in attrs.items() if v}


def _paragraphs(parent: ET.Element, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            ET.SubElement(parent, "p").text = _NOT_XML.sub("", line.strip())


_BLOCKS: dict[str, tuple[str, dict[str, str]]] = {
    "p": ("p", {}), "ul": ("list", {"rend": "ul"}), "ol": ("list", {"rend": "ol"}), "li": ("item", {}),
    "table": ("table", {}), "tr": ("row", {}), "td": ("cell", {}), "th": ("cell", {"role": "head"}),
    "blockquote": ("quote", {}), "pre": ("code", {}), "figure": ("figure", {}),
    "figcaption": ("p", {"rend": "caption"}),
    **{f"h{level}": ("head", {"rend": f"h{level}"}) for level in range(1, 7)},
}
"""Block elements of ``Document.html`` and their XML element; ``thead``/``tbody`` have none."""
_INLINE: dict[str, tuple[str, dict[str, str]]] = {
    "strong": ("hi", {"rend": "#b"}), "b": ("hi", {"rend": "#b"}),
    "em": ("hi", {"rend": "#i"}), "i": ("hi", {"rend": "#i"}), "code": ("code", {}),
}
_TRANSPARENT = frozenset({"thead", "tbody", "html", "body", "article", "section", "div"})


class _Structure(HTMLParser):
    """Document.html (our own clean fragment: structural tags only) → the XML elements above.

    Whitespace between block elements is layout, not content, and is dropped; inside ``<pre>`` every
    character is kept."""

    def __init__(self, root: ET.Element) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, ET.Element]] = [("", root)]
        self._pre = 0

    def convert(self, fragment: str) -> None:
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        parent = self._stack[-1][1]
        if tag == "br":
            ET.SubElement(parent, "lb")
            return
        if tag == "img":
            ET.SubElement(parent, "graphic", _clean_attrs({"src": values.get("src"), "alt": values.get("alt")}))
            return
        if tag in _TRANSPARENT:
            return
        if tag == "a":
            name, extra = "ref", _clean_attrs({"target": values.get("href")})
        elif tag == "code" and self._stack[-1][0] == "pre":
            language = (values.get("class") or "").removeprefix("language-")
            if language:
                parent.set("lang", _NOT_XML.sub("", language))
            self._stack.append((tag, parent))  # the <pre>'s <code> is the pre itself
            return
        elif tag in _BLOCKS:
            name, extra = _BLOCKS[tag]
        elif tag in _INLINE:
            name, extra = _INLINE[tag]
        else:
            name, extra = "hi", {}
        if tag == "pre":
            self._pre += 1
        self._stack.append((tag, ET.SubElement(parent, name, dict(extra))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img") or tag in _TRANSPARENT:
            return
        for depth in range(len(self._stack) - 1, 0, -1):  # close up to the matching open tag
            if self._stack[depth][0] == tag:
                closed = self._stack[depth:]
                del self._stack[depth:]
                if tag in _BLOCKS and not self._pre:
                    _strip_end(closed[0][1])
                self._pre -= sum(1 for name, _ in closed if name == "pre")
                return

    def handle_data(self, data: str) -> None:
        if not self._pre:
            if not data.strip():
                return
            data = re.sub(r"\s+", " ", data)
        data = _NOT_XML.sub("", data)
        element = self._stack[-1][1]
        children = list(element)
        if children:
            last = children[-1]
            if last.tag == "lb" and not last.tail and not self._pre:
                data = data.lstrip()
            last.tail = (last.tail or "") + data
        else:
            if not element.text and not self._pre and self._stack[-1][0] in _BLOCKS:
                data = data.lstrip()
            element.text = (element.text or "") + data


def _strip_end(element: ET.Element) -> None:
    """Drop the trailing layout space of a block element's last text."""
    children = list(element)
    if children:
        if children[-1].tail:
            children[-1].tail = children[-1].tail.rstrip() or None
    elif element.text:
        element.text = element.text.rstrip() or None
