"""Metadata of already-scraped text: what the text classifier found, plus the URL's host name.

The title is the block labelled ``title``; the author comes from ``byline`` blocks — a real byline
("By A and B") wins over a contact line ("Write to A at a@example.com"). Several names are joined
with "; " as trafilatura does. ``sources`` records where each field came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import attrgetter
from urllib.parse import urlsplit

from thresher.classify.text_rules import byline_names
from thresher.model import Block, Decision, Metadata
from thresher.options import Options

_HOST_RE = re.compile(r"[\w-]+(?:\.[\w-]+)*")
_LABEL_OF = attrgetter("label")


def text_metadata(
    blocks: Sequence[Block], decisions: Sequence[Decision], url: str | None, opts: Options
) -> Metadata:
    """Title, author and host name of a text document from its labelled blocks."""
    del opts
    if len(blocks) != len(decisions):
        raise ValueError(f"{len(blocks)} blocks but {len(decisions)} decisions")
    labels = list(map(_LABEL_OF, decisions))  # most documents have no title line and no byline: no loop
    title = " ".join(blocks[labels.index("title")].text.split()) if "title" in labels else None
    by_reason: dict[str, list[str]] = {}
    if "byline" in labels:
        for block, decision, label in zip(blocks, decisions, labels, strict=True):
            if label == "byline":
                names = by_reason.setdefault(decision.reason, [])
                names.extend(n for n in byline_names(block.text) if n not in names)
    sources: dict[str, str] = {}
    if title:
        sources["title"] = "text:title-line"
    author = None
    for reason, source in (("byline", "text:byline-line"), ("contact_line", "text:contact-line")):
        if by_reason.get(reason):
            author = "; ".join(by_reason[reason])
            sources["author"] = source
            break
    hostname = _hostname(url)
    if hostname:
        sources["hostname"] = "url"
    return Metadata(title=title, author=author, hostname=hostname, sources=sources)


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    if not host or not _HOST_RE.fullmatch(host):
        return None
    return host[4:] if host.startswith("www.") else host
