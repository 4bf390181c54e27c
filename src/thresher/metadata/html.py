"""Page metadata from the HTML tree: JSON-LD, OpenGraph/meta tags, ``<title>``, bylines, the URL.

Each field is chosen from candidates in a fixed order of trust; ``Metadata.sources`` records which
candidate won. Nothing is invented: a field without a candidate stays None.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from thresher.model import Metadata
from thresher.options import Options
from thresher.parse.html import Tree

_ARTICLE_TYPES = {
    "article": "article", "newsarticle": "article", "blogposting": "article", "report": "article",
    "scholarlyarticle": "article", "techarticle": "documentation", "analysisnewsarticle": "article",
    "opinionnewsarticle": "article", "reportagenewsarticle": "article", "reviewnewsarticle": "article",
    "liveblogposting": "article", "socialmediaposting": "forum", "posting": "article",
    "product": "product", "productgroup": "product", "individualproduct": "product",
    "discussionforumposting": "forum", "qapage": "forum", "question": "forum",
    "recipe": "article", "review": "article", "howto": "article", "apireference": "documentation",
    "collectionpage": "collection", "itemlist": "listing", "searchresultspage": "listing",
    "service": "service", "localbusiness": "service", "organization": "service",
    "event": "article", "course": "service", "jobposting": "article", "videoobject": "article",
    "faqpage": "service", "profilepage": "service", "aboutpage": "service", "contactpage": "service",
}
"""JSON-LD ``@type`` (lower-cased) → page type."""
_MAIN_TYPES = (
    "article", "newsarticle", "blogposting", "report", "scholarlyarticle", "techarticle",
    "analysisnewsarticle", "opinionnewsarticle", "reportagenewsarticle", "reviewnewsarticle",
    "liveblogposting", "socialmediaposting", "discussionforumposting", "qapage", "question",
    "product", "recipe", "howto", "review", "posting", "event", "jobposting",
)
_DATE_META = (
    "article:published_time", "og:published_time", "published_time", "datepublished",
    "article.published", "pubdate", "publishdate", "publish-date", "publish_date", "date",
    "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "citation_date",
    "release_date", "original-publish-date", "cxenseparse:recs:publishtime", "article_date_original",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                "sailthru.author", "citation_author", "byl", "twitter:creator")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\D|$)")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|[-_]|$)")
_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|·•»]\s*")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|przez|av|af|от|автор:?)\s+", re.IGNORECASE)
_AUTHOR_JUNK = re.compile(r"https?://|www\.|@|\d{4}", re.IGNORECASE)


def html_metadata(tree: Tree, url: str | None, opts: Options) -> Metadata:
    """Fuse the metadata candidates of a parsed page."""
    items = list(_json_ld_items(tree.json_ld))
    main = _main_item(items)
    sources: dict[str, str] = {}

    sitename = _first(
        ("og:site_name", _meta(tree, "og:site_name")),
        ("json-ld", _name(main.get("publisher")) if main else None),
        ("application-name", _meta(tree, "application-name")),
    )
    if sitename:
        sources["sitename"] = sitename[0]
    site = sitename[1] if sitename else None

    hostname_src = url or tree.canonical or _meta(tree, "og:url")
    hostname = _hostname(hostname_src)
    if hostname:
        sources["hostname"] = "url" if url else "canonical"

    title = _title(tree, main, site, hostname, sources)
    author = _author(tree, main, sources)
    date = _date(tree, main, url, sources, search_page=not opts.fast)

    description = _meta(tree, "description") or _meta(tree, "og:description") or _meta(
        tree, "twitter:description"
    )
    if description:
        sources["description"] = "meta"
    image = _meta(tree, "og:image") or _meta(tree, "twitter:image")
    if image:
        sources["image"] = "og:image"

    categories = _dedupe(tree.meta_values("article:section") + _strings(main.get("articleSection") if main else None))
    tags = _dedupe(tree.meta_values("article:tag") + _keywords(main.get("keywords") if main else None))

    page_type = None
    for item in ([main] if main else []) + items:
        for t in _types(item):
            if t in _ARTICLE_TYPES:
                page_type = _ARTICLE_TYPES[t]
                break
        if page_type:
            sources["page_type"] = "json-ld"
            break
    if page_type is None:
        og_type = (_meta(tree, "og:type") or "").lower()
        if og_type in ("article", "blog", "news"):
            page_type = "article"
        elif og_type in ("product", "og:product", "product.item"):
            page_type = "product"
        if page_type:
            sources["page_type"] = "og:type"

    language = _language(tree.lang)
    if language:
        sources["language"] = "html-lang"
    return Metadata(
        title=title,
        author=author,
        date=date,
        sitename=site,
        hostname=hostname,
        language=language,
        description=description,
        image=image,
        categories=tuple(categories),
        tags=tuple(tags),
        page_type=page_type,
        sources=sources,
    )


# -- candidates -------------------------------------------------------------------------------


def _title(tree: Tree, main: dict[str, Any] | None, site: str | None, hostname: str | None,
           sources: dict[str, str]) -> str | None:
    h1 = _first_text(tree, "h1")
    candidates: list[tuple[str, str]] = []
    if main:
        for key in ("headline", "name"):
            value = main.get(key)
            if isinstance(value, str) and value.strip():
                candidates.append(("json-ld", _clean(value)))
                break
    for key in ("og:title", "twitter:title"):
        value = _meta(tree, key)
        if value:
            candidates.append((key, value))
    if tree.title:
        candidates.append(("title", _strip_site(tree.title, site, hostname)))
    if h1:
        fh1 = _fold(h1)
        for _src, value in candidates:
            fv = _fold(value)
            if fv == fh1 or (fh1 and (fv.startswith(fh1) or fh1.startswith(fv))):
                sources["title"] = "h1"
                return h1
    for src, value in candidates:
        if src in ("og:title", "twitter:title"):
            value = _strip_site(value, site, hostname)
        if value:
            sources["title"] = src
            return value
    if h1:
        sources["title"] = "h1"
        return h1
    return None


def _author(tree: Tree, main: dict[str, Any] | None, sources: dict[str, str]) -> str | None:
    if main:
        names = [n for n in (_name(a) for a in _as_list(main.get("author"))) if n and _plausible_author(n)]
        if names:
            sources["author"] = "json-ld"
            return "; ".join(_dedupe(names))
    for key in _AUTHOR_META:
        for value in tree.meta_values(key):
            if _plausible_author(value):
                sources["author"] = key
                return _clean_author(value)
    body = tree.body
    if body is None:
        return None
    for selector in ('[rel="author"]', '[itemprop="author"]', '[class*="author"]', '[class*="byline"]'):
        for node in body.css(selector)[:5]:
            text = " ".join(node.text(deep=True).split())
            text = _clean_author(text)
            if text and len(text) <= 60 and _plausible_author(text):
                sources["author"] = "byline"
                return text
    return None


def _date(
    tree: Tree, main: dict[str, Any] | None, url: str | None, sources: dict[str, str], *, search_page: bool
) -> str | None:
    """JSON-LD → meta tags → ``<time>`` → a date written in a date/byline element → the URL.
    ``search_page`` False skips the page-wide searches (``<time>`` outside the article, text)."""
    if main:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = main.get(key)
            got = _iso_date(value) if isinstance(value, str) else None
            if got:
                sources["date"] = "json-ld"
                return got
    for key in _DATE_META:
        for value in tree.meta_values(key):
            got = _iso_date(value)
            if got:
                sources["date"] = key
                return got
    for key, value in tree.meta:
        if ("publish" in key or "pubdate" in key) and "modif" not in key and "update" not in key:
            got = _iso_date(value)
            if got:
                sources["date"] = key
                return got
    body = tree.body
    if body is not None:
        selectors = ['[itemprop="datePublished"]', "article time[datetime]", "main time[datetime]"]
        if search_page:
            selectors.append("time[datetime]")
        for selector in selectors:
            node = body.css_first(selector)
            if node is not None:
                value = node.attributes.get("datetime") or node.attributes.get("content") or ""
                got = _iso_date(value)
                if got:
                    sources["date"] = "time"
                    return got
    if body is not None and search_page:
        got = _text_date(body)
        if got:
            sources["date"] = "text"
            return got
    if url:
        m = _URL_DATE.search(url)
        if m:
            got = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if got:
                sources["date"] = "url"
                return got
    return None


# -- helpers ----------------------------------------------------------------------------------


def _json_ld_items(blobs: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    for blob in blobs:
        try:
            data = json.loads(blob)
        except ValueError:
            try:
                data = json.loads(blob.replace("\n", " ").replace("\t", " "), strict=False)
            except ValueError:
                continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(_as_list(item["@graph"]))
                if "@type" in item:
                    yield item
                main_entity = item.get("mainEntity")
                if isinstance(main_entity, dict | list):
                    stack.extend(_as_list(main_entity))


def _types(item: dict[str, Any]) -> list[str]:
    return [str(t).lower().rsplit("/", 1)[-1] for t in _as_list(item.get("@type"))]


def _main_item(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    for wanted in _MAIN_TYPES:
        for item in items:
            if wanted in _types(item):
                return item
    for item in items:
        if "webpage" in _types(item) and (item.get("headline") or item.get("datePublished")):
            return item
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return _clean(value) or None
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, str):
            return _clean(name) or None
        if isinstance(name, list) and name and isinstance(name[0], str):
            return _clean(name[0]) or None
    if isinstance(value, list) and value:
        return _name(value[0])
    return None


def _strings(value: Any) -> list[str]:
    return [_clean(v) for v in _as_list(value) if isinstance(v, str) and v.strip()]


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return _strings(value)


def _meta(tree: Tree, key: str) -> str | None:
    values = tree.meta_values(key)
    return values[0] if values else None


def _first(*pairs: tuple[str, str | None]) -> tuple[str, str] | None:
    for src, value in pairs:
        if value:
            return src, value
    return None


def _first_text(tree: Tree, selector: str) -> str | None:
    body = tree.body
    if body is None:
        return None
    node = body.css_first(selector)
    if node is None:
        return None
    text = " ".join(node.text(deep=True).split())
    return text or None


def _clean(value: str) -> str:
    """Whitespace collapsed and character references decoded (JSON-LD often carries ``&#8217;``)."""
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.split())


def _fold(value: str) -> str:
    return " ".join(re.findall(r"\w+", value.lower()))


def _strip_site(title: str, site: str | None, hostname: str | None) -> str:
    """``"Story | Site"`` → ``"Story"``: drop the parts that name the site, else keep the longest."""
    parts = [p.strip() for p in _TITLE_SEP.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    names = {_fold(site)} if site else set()
    if hostname:
        names.add(_fold(hostname.split(".")[0]))
        names.add(_fold(hostname))
    kept = [p for p in parts if _fold(p) not in names and _fold(p).replace(" ", "") not in names]
    if not kept:
        return parts[0]
    if len(kept) == 1:
        return kept[0]
    # several parts remain: the site name is usually last; keep everything before it
    if site is None:
        return max(kept, key=len) if len(parts) > 2 else kept[0]
    return " - ".join(kept)


_DATE_SELECTOR = (
    '[class*="date"], [class*="publish"], [class*="posted"], [class*="byline"], [class*="time"], '
    '[class*="meta"]'
)
_NUMERIC_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
_WORDY_DATE = re.compile(
    r"\b(?:(\d{1,2})(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?([^\W\d_]{3,10})\.?,?\s+(?:de\s+)?(\d{4})"
    r"|([^\W\d_]{3,10})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))\b"
)


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    raw = json.loads(resources.files("thresher").joinpath("data/month_names.json").read_text("utf-8"))
    out: dict[str, int] = {}
    for lang, names in raw.items():
        if not lang.startswith("_"):
            out.update(names)
    return out


def _text_date(body: Any) -> str | None:
    """A date written in a short date/byline element (``Published May 17, 2024``), the first one."""
    months = _months()
    for node in body.css(_DATE_SELECTOR)[:40]:
        text = " ".join(node.text(deep=True).split())
        if not text or len(text) > 120:
            continue
        m = _WORDY_DATE.search(text)
        if m:
            if m.group(1):
                day, month, year = m.group(1), months.get(m.group(2).lower()), m.group(3)
            else:
                day, month, year = m.group(5), months.get(m.group(4).lower()), m.group(6)
            if month:
                got = _valid(int(year), month, int(day))
                if got:
                    return got
        m = _NUMERIC_DATE.search(text)
        if m:
            if m.group(1):
                got = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            else:
                got = _valid(int(m.group(6)), int(m.group(5)), int(m.group(4)))
            if got:
                return got
    return None


def _plausible_author(value: str) -> bool:
    value = value.strip()
    return 2 <= len(value) <= 100 and not _AUTHOR_JUNK.search(value)


def _clean_author(value: str) -> str:
    value = _BY.sub("", _clean(value))
    return value.strip(" ,|-–—:")


def _iso_date(value: str) -> str | None:
    value = value.strip()
    for pattern in (_ISO, _SLASHED):
        m = pattern.search(value[:40])
        if m:
            return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _COMPACT.match(value)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _language(lang: str | None) -> str | None:
    if not lang:
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) in (2, 3) and code.isalpha() else None


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for v in values:
        key = v.lower()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return out
