"""XML output in the shape of trafilatura's: ``<doc title=… url=…><main><p>…</p></main></doc>``."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

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
    _paragraphs(ET.SubElement(doc, "main"), result.text)
    if result.comments:
        _paragraphs(ET.SubElement(doc, "comments"), result.comments)
    return ET.tostring(doc, encoding="unicode") + "\n"


def _clean_attrs(attrs: dict[str, str | None]) -> dict[str, str]:
    return {k: _NOT_XML.sub("", v) for k, v in attrs.items() if v}


def _paragraphs(parent: ET.Element, text: str) -> None:
    for line in text.splitlines():
        if line.strip():
            ET.SubElement(parent, "p").text = _NOT_XML.sub("", line.strip())
