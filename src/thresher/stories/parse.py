"""Items from what users have at hand (pure functions: no files, no clock).

- ticker lines with an optional leading clock time: ``"3:19 Diamondbacks World Series bettor ..."``;
- JSONL-style dicts with ``headline`` (or ``title``), ``id``, ``lead``/``description``, ``outlet``/
  ``hostname``, ``url``, ``timestamp``/``date``;
- Thresher documents: title, first paragraph as lead, date, host name as outlet (``Item.document``:
  undated documents join only near-identical items).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from thresher.model import Document
from thresher.read.encoding import repair_surrogates
from thresher.stories.model import Item

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?:\s*([ap])\.?m\.?)?(?=\s)\s*(.*\S)\s*$", re.IGNORECASE)
_EPOCH = re.compile(r"(\d{9,10}(?:\.\d+)?)|(\d{12,13}(?:\.0+)?)")
"""Unix time: seconds (9-10 digits: 1973-2286, a fraction allowed) or milliseconds (12-13 digits;
a JSON float such as ``1698287460123.0`` too)."""
_RFC2822_START = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
"""``[Thu, ]26 Oct 2023 02:31``: an RFC 2822 date (email.utils reads the rest)."""
_OFFSET = re.compile(r"^(.*?\d)\s*(?:(z|utc|gmt)|([+-]\d{2}):?(\d{2}))?(?:\s+\D.*)?$", re.IGNORECASE)


def parse_headline_line(line: str) -> tuple[time | None, str]:
    """``"3:19 Headline"`` -> (03:19, "Headline"); a line without a leading clock time -> (None, line)."""
    match = _CLOCK.match(line)
    if match:
        hour, minute, half, rest = int(match[1]), int(match[2]), match[3], match[4]
        if half:
            hour = hour % 12 + (12 if half.lower() == "p" else 0)
        if hour < 24 and minute < 60:
            return time(hour, minute), rest
    return None, line.strip()


def parse_timestamp(text: str | None) -> datetime | None:
    """ISO 8601 and ``YYYY-MM-DD HH:MM[:SS] [Z|UTC|GMT|+hh:mm]`` (unknown trailing words are ignored;
    the time is then naive); Unix time in seconds (9-10 digits, a fraction allowed) or milliseconds
    (12-13 digits), in UTC; RFC 2822 as feeds write it (``Thu, 26 Oct 2023 02:31:00 GMT``, RSS's
    ``pubDate``; its unknown zone ``-0000`` is read as UTC). ``None`` when nothing parses."""
    if not text:
        return None
    text = text.strip()
    epoch = _EPOCH.fullmatch(text)  # before ISO 8601: Python reads 13 digits as 'YYYYMMDD?hhmm'
    if epoch:
        seconds = float(text) / (1000.0 if epoch[2] else 1.0)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    if _RFC2822_START.match(text):
        try:
            stamp = parsedate_to_datetime(text)
            return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            return None
    match = _OFFSET.match(text)
    if not match:
        return None
    try:
        stamp = datetime.fromisoformat(match[1].replace("/", "-"))
    except ValueError:
        return None
    if match[2]:
        return stamp.replace(tzinfo=UTC)
    if match[3]:
        return datetime.fromisoformat(f"{stamp.isoformat()}{match[3]}:{match[4]}")
    return stamp


def item_from_record(record: Mapping[str, Any], *, index: int = 0, document: bool | None = None) -> Item:
    """An Item from a JSON record; an id is made from the headline when the record has none; the lead
    is ``lead``, else ``description``, else the first paragraph of ``text`` (a document).
    ``document``: whether the record is a document (``Item.document``); by default, whether it has a
    ``text`` field (``thresher extract``/``run`` output) rather than being a headline item."""
    record = _without_surrogates(record)
    headline = str(record.get("headline") or record.get("title") or "").strip()
    if not headline:
        raise ValueError(f"record {index} has no headline or title")
    url = record.get("url")
    outlet = record.get("outlet") or record.get("hostname") or (_host(url) if url else None)
    stamp = record.get("timestamp") or record.get("date")
    lead = record.get("lead") or record.get("description") or _first_paragraph(record.get("text"))
    ident = record.get("id")
    return Item(
        id=str(ident) if ident is not None else _made_id(headline, index),
        headline=headline,
        lead=str(lead) if lead else None,
        outlet=str(outlet) if outlet else None,
        url=str(url) if url else None,
        timestamp=stamp if isinstance(stamp, datetime) else parse_timestamp(str(stamp) if stamp else None),
        document="text" in record if document is None else document,
    )


def items_from_headlines(record: Mapping[str, Any], *, index: int = 0) -> list[Item]:
    """Items from the ``headlines`` a document record carries (the ticker or headline list removed
    from its page), each with the page's outlet; a clock time becomes a timestamp only when the
    record has a date to put it on."""
    record = _without_surrogates(record)
    headlines = record.get("headlines") or []
    if not isinstance(headlines, list):
        raise ValueError(f"record {index}: headlines must be a list")
    headlines = [_without_surrogates(entry) if isinstance(entry, Mapping) else entry for entry in headlines]
    url = record.get("url")
    outlet = record.get("hostname") or (_host(url) if url else None)
    day = parse_timestamp(str(record["date"])) if record.get("date") else None
    base = str(record.get("id") or url or _made_id(str(record.get("title") or ""), index))
    out: list[Item] = []
    for n, entry in enumerate(headlines):
        if not isinstance(entry, Mapping) or not str(entry.get("headline") or "").strip():
            continue
        clock, _ = parse_headline_line(f"{entry.get('time')} x") if entry.get("time") else (None, "")
        stamp = datetime.combine(day.date(), clock) if day is not None and clock is not None else None
        out.append(Item(id=f"{base}#headline-{n + 1}", headline=str(entry["headline"]).strip(),
                        outlet=str(outlet) if outlet else None, timestamp=stamp))
    return out


def item_from_document(doc: Document, *, index: int = 0) -> Item | None:
    """An Item from an extracted document (None when it has no title)."""
    if not doc.title:
        return None
    first = _first_paragraph(doc.text)
    return Item(
        id=doc.id or doc.url or _made_id(doc.title, index),
        headline=doc.title,
        lead=first,
        outlet=doc.hostname or (_host(doc.url) if doc.url else None),
        url=doc.url,
        timestamp=parse_timestamp(doc.date),
        document=True,
    )


def _first_paragraph(text: Any) -> str | None:
    """A document's first non-empty line (its lead when it has no description)."""
    return next((p.strip() for p in str(text or "").split("\n") if p.strip()), None)


def _without_surrogates(record: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record with its strings free of surrogates (``json.loads`` keeps ``"caf\\udce9"``), which
    no id could be hashed from nor any output written with."""
    if all(not isinstance(v, str) or v.isascii() for v in record.values()):
        return record
    return {k: repair_surrogates(v) if isinstance(v, str) else v for k, v in record.items()}


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    if host and host.startswith("www."):
        host = host[4:]
    return host


def _made_id(headline: str, index: int) -> str:
    return f"{index}-" + hashlib.blake2b(headline.encode("utf-8"), digest_size=6).hexdigest()
