"""News feeds (RSS 0.9x/1.0/2.0, Atom) as headline records: what people who follow news hold.

``feed_records(data)`` reads a feed's bytes with feedparser (the well-kept reader of every feed
dialect, its dates and its encodings; it is given bytes, never a name, so it reads nothing from the
network) and gives one record per entry in the shape ``thresher stories`` reads
(``stories.parse.item_from_record``): ``headline``, ``lead``, ``url``, ``outlet``, ``timestamp``
and ``id``.

- ``outlet``: the host of the entry's ``<source url=...>`` (aggregators such as Google News name the
  publisher there and link to themselves), else of its link, else of the feed's own link.
- ``lead``: the entry's summary as text, unless it only repeats the headline and the source's name
  (an aggregator's summary is often just that).
- ``timestamp``: published, else updated, in UTC (ISO 8601); none when the feed gives neither.
- ``id``: the entry's id (``<guid>``, Atom ``<id>``), else its link; else none (one is made from the
  headline).

Entries come oldest first when every one has a date (feeds list the newest first; ``thresher stories
--stream`` places items in time order), else in the feed's order.

``looks_like_feed(data)`` tells a feed from other XML and from HTML by its root element.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from lxml import html as lxml_html

from thresher.errors import ThresherError
from thresher.metadata.html import host_of

FEED_SUFFIXES = (".rss", ".atom", ".xml", ".rss.gz", ".atom.gz", ".xml.gz")
"""File names that may hold a feed (read as one when :func:`looks_like_feed`)."""

_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?[^>]*\?>|<!DOCTYPE[^>]*>)\s*)*"
    rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]",
    re.DOTALL,
)
"""A feed's root element after the prolog, comments, processing instructions (a stylesheet) and a
doctype: ``<rss``, ``<feed`` (Atom) or ``<rdf:RDF`` (RSS 1.0)."""

_HEAD = 4096
"""Bytes read to find the root element."""

_SEPARATORS = " \t\r\n\u00a0-\u2013\u2014|\u00b7:,"


def looks_like_feed(data: bytes) -> bool:
    """Whether ``data`` (UTF-8 or an ASCII-compatible encoding) starts like an RSS or Atom feed."""
    return _ROOT.match(data[:_HEAD]) is not None


def feed_records(data: bytes) -> list[dict[str, Any]]:
    """One record per entry with a title (see the module's docstring); ``ThresherError``
    ``not_a_feed`` when the bytes hold no entry with a title."""
    import feedparser  # imported here: only feed inputs need it

    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    channel = parsed.get("feed", {})
    entries = parsed.get("entries", [])
    reason = parsed.get("bozo_exception")
    broken = f" (broken XML: {reason})" if parsed.get("bozo") and reason else ""
    if not entries:
        raise ThresherError("not_a_feed", f"no feed entries found{broken}")
    records = []
    for entry in entries:
        headline = _text(entry.get("title") or "")
        if not headline:
            continue
        source = entry.get("source") or {}
        url = entry.get("link") or None
        outlet = host_of(source.get("href")) or host_of(url) or host_of(channel.get("link"))
        record: dict[str, Any] = {"headline": headline, "url": url, "outlet": outlet}
        lead = _lead(entry, headline, str(source.get("title") or ""))
        if lead:
            record["lead"] = lead
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            record["timestamp"] = datetime.fromtimestamp(calendar.timegm(stamp), tz=UTC).isoformat()
        ident = entry.get("id") or url
        if ident:
            record["id"] = str(ident)
        records.append(record)
    if not records:
        raise ThresherError("not_a_feed", f"none of the feed's {len(entries)} entries has a title{broken}")
    if all("timestamp" in record for record in records):  # feeds list the newest first: put them in time order
        records.sort(key=lambda record: record["timestamp"])
    return records


def _lead(entry: Any, headline: str, source_title: str) -> str | None:
    """The entry's summary as plain text; None when it adds nothing to the headline and source name."""
    summary = entry.get("summary") or ""
    if not summary:
        return None
    text = _text(summary)
    rest = text
    for known in (headline, source_title):
        if known:
            rest = rest.replace(known, " ")
    return text if rest.strip(_SEPARATORS) else None


def _text(markup: str) -> str:
    """Markup (a summary, a title with entities or tags) as one line of text."""
    if "<" in markup or "&" in markup:
        with contextlib.suppress(ValueError, TypeError):  # lxml refuses some strings (control characters)
            markup = lxml_html.fragment_fromstring(markup, create_parent="div").text_content()
    return " ".join(markup.split())
