"""Page metadata from the HTML tree: JSON-LD, OpenGraph/meta tags, ``<title>``, ``<h1>``, bylines,
dates written beside the title, the URL.

Each field is chosen from candidates; ``Metadata.sources`` records which candidate won. Nothing is
invented: a field without a candidate stays None. Dates: ``thresher.metadata.dates``; author names:
``thresher.metadata.authors``; the title: rules (:func:`_title`), then a learned ranker over every
title candidate (``thresher.metadata.titles``, source ``ranker`` when it overrules them; not in fast
mode, which reads no page text); the date: rules, then a learned ranker over every day the page
offers (source ``ranker`` when it overrules them; also not in fast mode). Both rankers live in the
file ``Options.title_model`` names (``"none"``: rules alone). Measured with ``benchmarks/metadata.py``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

from thresher.metadata import authors, dates, titles
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
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified",
    "modified", "article:modified", "lastmod",
)
_AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
                "sailthru.author", "citation_author", "byl", "twitter:creator")
_TITLE_SEP = re.compile(r"\s+[|\-–—·•»/]\s+|\s*[|·•»]\s*")


@dataclass(frozen=True)
class PageContext:
    """What the title and date steps start from: the page's JSON-LD items (and the main one), site
    name, hostname (and the address it came from), page type, headings, visible text (empty in fast
    mode) and the rules' title. Built once by :func:`page_context`, for the library and for the
    rankers' training alike."""

    items: list[dict[str, Any]]
    main: dict[str, Any] | None
    site: str | None
    hostname: str | None
    address: str | None
    page_type: str | None
    headings: Headings
    text: str
    rule_title: str | None


def page_context(tree: Tree, url: str | None, sources: dict[str, str], *, with_text: bool = True) -> PageContext:
    """The :class:`PageContext` of a parsed page; ``sources`` gets where its fields came from."""
    items = list(_json_ld_items(tree.json_ld))
    main = _main_item(items)
    sitename = _first(
        ("og:site_name", _meta(tree, "og:site_name")),
        ("json-ld", _name(main.get("publisher")) if main else None),
        ("application-name", _meta(tree, "application-name")),
    )
    if sitename:
        sources["sitename"] = sitename[0]
    site = sitename[1] if sitename else None
    address = url or tree.canonical or _meta(tree, "og:url")
    hostname = host_of(address)
    if hostname:
        sources["hostname"] = "url" if url else "canonical"
    page_type = _page_type(tree, items, main, sources)
    headings = _headings(tree)
    rule_title = _title(tree, main, site, hostname, headings.h1, sources)
    return PageContext(items=items, main=main, site=site, hostname=hostname, address=address,
                       page_type=page_type, headings=headings, text=_page_text(tree) if with_text else "",
                       rule_title=rule_title)


def html_metadata(tree: Tree, url: str | None, opts: Options) -> Metadata:
    """Fuse the metadata candidates of a parsed page."""
    sources: dict[str, str] = {}
    c = page_context(tree, url, sources, with_text=not opts.fast)
    items, main, site, hostname, page_type, headings, text = (
        c.items, c.main, c.site, c.hostname, c.page_type, c.headings, c.text)
    title = rule_title = c.rule_title
    model = titles.load_model(opts.title_model) if text and title else None  # re-ranks; never names an untitled page
    if model is not None:
        cands, x = title_candidates(tree, main, site, hostname, title, page_type, text, headings, c.address)
        better = model.choose(cands, x)
        if better is not None:
            title = better.text
            sources["title"] = "ranker"
    if title:
        title = titles.repair(title)
    # the rules' title places the header, as in the date ranker's training (``rule_date``)
    header = _header_span(headings.first_line, text, rule_title) if text else None
    author = _author(tree, main, site, text[header[0]: header[1]] if header else "", sources)
    date = _date(tree, main, items, url, text, header, page_type, sources, opts.title_model)

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
           headings: Sequence[str], sources: dict[str, str]) -> str | None:
    """The headline the page shows: the ``<h1>`` that agrees best with what the markup calls the
    title (``og:title``, ``<title>``, JSON-LD ``headline``, each without the site name); when no
    ``<h1>`` agrees, the markup's title."""
    stated: list[tuple[str, str]] = []
    for key in ("og:title", "twitter:title"):
        value = _meta(tree, key)
        if value:
            stated.append((key, _strip_site(_clean(value), site, hostname)))
    if tree.title:
        stated.insert(1 if stated and stated[0][0] == "og:title" else 0,
                      ("title", _strip_site(_clean(tree.title), site, hostname)))
    if main:
        for key in ("headline", "name"):
            value = main.get(key)
            if isinstance(value, str) and value.strip():
                stated.insert(min(2, len(stated)), ("json-ld", _strip_site(_clean(value), site, hostname)))
                break
    stated = [(src, value) for src, value in stated if value]
    if headings and stated:
        scored = [(max(_overlap(h, value) for _, value in stated), -i, h) for i, h in enumerate(headings)]
        agreement, _, best = max(scored)
        if agreement >= TITLE_AGREEMENT:
            sources["title"] = "h1"
            return _drop_site(best, site, hostname)
    if stated:
        sources["title"] = stated[0][0]
        return stated[0][1]
    if headings:
        sources["title"] = "h1"
        return headings[0]
    return None


def title_candidates(
    tree: Tree, main: dict[str, Any] | None, site: str | None, hostname: str | None, rule: str | None,
    page_type: str | None, text: str, headings: Headings, url: str | None = None,
) -> tuple[list[titles.Candidate], Any]:
    """The title candidates of the page and their feature rows (``thresher.metadata.titles``); ``rule``
    is the title :func:`_title` chose, ``text`` the page text, ``url`` the page's address (or its
    canonical one)."""
    stated: list[tuple[str, str]] = []
    for key, source in (("og:title", "og"), ("twitter:title", "twitter")):
        value = _meta(tree, key)
        if value:
            stated.append((source, _clean(value)))
    if tree.title:
        stated.append(("title", _clean(tree.title)))
    if main:
        for key in ("headline", "name"):
            value = main.get(key)
            if isinstance(value, str) and value.strip():
                stated.append((f"jsonld_{key}", _clean(value)))
    second = None
    body = tree.body
    if body is not None:
        node = body.css_first("h2")
        if node is not None:
            second = " ".join(node.text(deep=True, separator=" ").split()) or None
    return titles.candidates(stated, headings.h1, second, rule, _site_matcher(site, hostname), site, page_type,
                             text, url, _shows_date)


def _shows_date(text: str) -> bool:
    """Whether ``text`` holds a written date (``thresher.metadata.dates.mentions``)."""
    return bool(dates.mentions(text))


TITLE_AGREEMENT = 0.2
"""Share of words (Jaccard) an ``<h1>`` must have in common with a stated title to be the title."""


@dataclass(frozen=True, slots=True)
class Headings:
    """The page's ``<h1>`` elements, read once."""

    h1: tuple[str, ...] = ()
    """Texts of the first six ``<h1>`` (those with text, at most 300 characters)."""
    first_line: str | None = None
    """The first line of the first ``<h1>`` with text, as the page text shows it."""


def _headings(tree: Tree) -> Headings:
    body = tree.body
    if body is None:
        return Headings()
    out = []
    first_line = None
    for i, node in enumerate(body.css("h1")):
        if i < 6:
            text = _clean(node.text(deep=True, separator=" "))
            if text and len(text) <= 300:
                out.append(text)
        if first_line is None:
            lines = [ln.strip() for ln in node.text(deep=True, separator="\n").split("\n") if ln.strip()]
            if lines:
                first_line = lines[0]
        if i >= 5 and first_line is not None:
            break
    return Headings(h1=tuple(out), first_line=first_line)


def _overlap(a: str, b: str) -> float:
    wa, wb = set(_fold(a).split()), set(_fold(b).split())
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _author(tree: Tree, main: dict[str, Any] | None, site: str | None, header_text: str,
            sources: dict[str, str]) -> str | None:
    """JSON-LD ``author`` → author ``<meta>`` tags → a byline written beside the title → a byline
    element; an organisation (or the site itself) named as the author gives way to a person named in
    a byline."""
    fallback: tuple[str, str] | None = None
    if main:
        names, organisations = authors.json_ld_authors(main.get("author"))
        if names:
            if not organisations and not _names_site(names, site):
                sources["author"] = "json-ld"
                return authors.join(names)
            fallback = ("json-ld", authors.join(names))
    for key in _AUTHOR_META:
        raw = tree.meta_values(key)
        if key.startswith("citation_"):
            raw = [authors.from_citation(v) for v in raw]
        values = [v for v in (authors.clean(v) for v in raw) if v]
        if values:
            names = _dedupe(values)
            if _names_site(names, site):
                fallback = fallback or (key, authors.join(names))
                continue
            sources["author"] = key
            return ", ".join(names) if len(names) > 2 else authors.join(names)
    got = authors.written_byline(header_text) if header_text else None
    if got and not _names_site([got], site):
        sources["author"] = "byline-text"
        return got
    body = tree.body
    if body is not None:
        got = authors.byline(body)
        if got and not _names_site([got], site):
            sources["author"] = "byline"
            return got
    if fallback:
        sources["author"] = fallback[0]
        return fallback[1]
    return None


def _names_site(names: list[str], site: str | None) -> bool:
    return bool(site) and all(_fold(n) == _fold(site or "") for n in names)


def _page_text(tree: Tree) -> str:
    """The page text, one line per text node."""
    body = tree.body
    return _collapse_line_breaks(body.text(deep=True, separator="\n")) if body is not None else ""


def _collapse_line_breaks(text: str) -> str:
    r"""Every run of white space holding a line break becomes one line break (indentation, empty text
    nodes), so that distances in the page text count what the page shows; white space without a
    line break stays. The same as ``re.sub(r"[^\S\n]*\n\s*", "\n", text)``, in linear time."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    out = [lines[0].rstrip()]
    out += [s for s in map(str.strip, lines[1:-1]) if s]
    out.append(lines[-1].lstrip())
    return "\n".join(out)


def _date(
    tree: Tree, main: dict[str, Any] | None, items: list[dict[str, Any]], url: str | None,
    text: str, header: tuple[int, int] | None, page_type: str | None, sources: dict[str, str],
    model_path: str | None = None,
) -> str | None:
    """The page's own publication date (see ``thresher.metadata.dates``). ``text`` is the page text
    (empty in fast mode: no dates written beside the title, no ``<time>`` elements)."""
    model = dates.load_model(model_path) if text else None
    got, evidence = rule_date(tree, main, items, url, text, header, page_type, with_evidence=model is not None)
    if model is not None and evidence is not None:
        better = model.choose(*dates.ranker_candidates(evidence))
        if better != (got[0] if got else None):
            got = (better, "ranker") if better else None
    if got is None:
        return None
    early = evidence.early_utc if evidence is not None else early_utc_days(tree, main)
    local = dates.local_day(got[0], url, early)
    if local is not None:
        got = (local, "url-local")
    sources["date"] = got[1]
    return got[0]


def rule_date(
    tree: Tree, main: dict[str, Any] | None, items: list[dict[str, Any]], url: str | None,
    text: str, header: tuple[int, int] | None, page_type: str | None, *, with_evidence: bool,
) -> tuple[tuple[str, str] | None, dates.Evidence | None]:
    """The rules' date (day and source, or None) and, with ``with_evidence``, what the date ranker
    sees of the page (:func:`date_evidence`); the ranker's training builds it with this same call."""
    body = tree.body
    article = main if main is not None and "webpage" not in _types(main) else None
    structured = dates.structured_dates(
        article, items, tree.meta, body, published_keys=_DATE_META, modified_keys=_MODIFIED_META
    )
    written: list[dates.Mention] = []
    times: set[str] = set()
    if text:
        written = dates.mentions(text, day_first=_day_first(tree.lang))
        placed, times = dates.time_mentions(body, text)
        written = sorted(written + placed, key=lambda m: m.start)
    undated_kind = _undated_kind(page_type, url)
    front_page = bool(url) and _front_page(url or "")
    got = dates.choose(structured, written, times, header, url, undated_kind=undated_kind, front_page=front_page)
    if not with_evidence:
        return got, None
    return got, date_evidence(tree, main, structured, written, times, header, url, text,
                              got[0] if got else None, page_type, undated_kind, front_page)


_EARLY_UTC = re.compile(r"T(\d\d):\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]00:?00)$")
EARLY_UTC_HOUR = 10
"""A publication time stated in UTC before this hour is still the day before in the Americas."""


def early_utc_days(tree: Tree, main: dict[str, Any] | None) -> frozenset[str]:
    """The publication days the markup (JSON-LD ``datePublished``, publication ``<meta>``) states
    with a UTC time before :data:`EARLY_UTC_HOUR`."""
    raw = [str(main.get("datePublished") or "")] if main else []
    raw += [v for k, v in tree.meta if k in _DATE_META or "publish" in k or "pubdate" in k]
    early: set[str] = set()
    for value in raw:
        m = _EARLY_UTC.search(value.strip())
        day = dates.machine_date(value) if m else None
        if m and day and int(m.group(1)) < EARLY_UTC_HOUR:
            early.add(day)
    return frozenset(early)


def date_evidence(
    tree: Tree, main: dict[str, Any] | None, structured: dates.Structured, written: Sequence[dates.Mention],
    times: set[str], header: tuple[int, int] | None, url: str | None, text: str, rule: str | None,
    page_type: str | None, undated_kind: bool, front_page: bool,
) -> dates.Evidence:
    """What the date ranker (``thresher.metadata.dates.ranker_candidates``) sees of the page."""
    known = set(_DATE_META) | set(_MODIFIED_META)
    other: list[tuple[str, str]] = []
    for key, value in tree.meta:
        if key in known or "publish" in key or "pubdate" in key:
            continue
        if value.startswith(("http:", "https:", "/")):
            continue
        got = dates.machine_date(value)
        if got:
            kind = "updated" if any(w in key for w in ("modif", "updat", "last", "revis")) else "dated"
            other.append((got, kind))
    return dates.Evidence(
        structured=structured, written=written, times=frozenset(times), header=header, url=url,
        text=text, rule=rule, other_meta=tuple(other), early_utc=early_utc_days(tree, main),
        page_kind=page_type, undated_kind=undated_kind, front_page=front_page,
    )


_UNDATED_KINDS = ("product", "collection", "listing", "service", "documentation")
_DOCS_PATH = re.compile(r"/docs?/", re.IGNORECASE)


def _undated_kind(page_type: str | None, url: str | None) -> bool:
    """A product, listing, service or documentation page (by its JSON-LD, ``og:type`` or a ``/docs/``
    path): a living page whose markup dates are build or stock dates, not publication dates."""
    if page_type in _UNDATED_KINDS:
        return True
    return bool(url and _DOCS_PATH.search(urlsplit(url).path))


_SECTION_SEGMENT = re.compile(r"[^\W\d_]+", re.UNICODE)


def _front_page(url: str) -> bool:
    """A site's home page (``/``), a section under it named by one word (``/technology/``) or a
    taxonomy page (``/category/science/``, ``/topic/Car%20Rental``: a term, not a number, under a
    segment of :func:`_listing_paths`): pages that list dated items and have no date of their own (on WCXB dev:
    3 of 75 home pages and 1 of 46 section pages have one)."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return False
    segments = [s for s in path.split("/") if s]
    if not segments or (len(segments) == 1 and bool(_SECTION_SEGMENT.fullmatch(segments[0]))):
        return True
    # a term, not an id ("/topic/123-title" is a forum thread, "/tag/2024" still a tag but rare)
    return (len(segments) >= 2 and not segments[-1][:1].isdigit()
            and unquote(segments[-2]).lower() in _listing_paths())


@lru_cache(maxsize=1)
def _listing_paths() -> frozenset[str]:
    """URL path segments that name a taxonomy, in every language of ``data/date_words.json``."""
    raw = json.loads(resources.files("thresher").joinpath("data/date_words.json").read_text("utf-8"))
    return frozenset(w for lang, words in raw["listing_paths"].items() if not lang.startswith("_") for w in words)


def _page_type(
    tree: Tree, items: list[dict[str, Any]], main: dict[str, Any] | None, sources: dict[str, str]
) -> str | None:
    """The page type its JSON-LD or ``og:type`` declares."""
    for item in ([main] if main else []) + items:
        for t in _types(item):
            if t in _ARTICLE_TYPES:
                sources["page_type"] = "json-ld"
                return _ARTICLE_TYPES[t]
    og_type = (_meta(tree, "og:type") or "").lower()
    page_type = None
    if og_type in ("article", "blog", "news"):
        page_type = "article"
    elif og_type in ("product", "og:product", "product.item"):
        page_type = "product"
    if page_type:
        sources["page_type"] = "og:type"
    return page_type


def _day_first(lang: str | None) -> bool:
    """Whether ``03/05/2024`` means 3 May on a page in this language (not in US English)."""
    code = (lang or "").strip().lower().replace("_", "-")
    return not (code in ("", "en", "en-us") or code.startswith("en-us"))


def _header_span(first_h1_line: str | None, text: str, title: str | None) -> tuple[int, int] | None:
    """The span of page text around the title, where a page shows its own date: around the first
    ``<h1>`` with text (its first line), else around the chosen title where the page text shows it."""
    candidates: list[str] = [first_h1_line] if first_h1_line else []
    if title:
        candidates.append(title)
    for line in candidates:
        at = text.find(line)
        if at >= 0:
            return max(0, at - dates.HEADER_BEFORE), at + len(line) + dates.HEADER_AFTER
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


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
"""Soft hyphens and zero-width characters: invisible on the page, but they split a word in two."""


def _clean(value: str) -> str:
    """Whitespace collapsed, character references decoded (JSON-LD often carries ``&#8217;``) and
    invisible characters (:data:`_INVISIBLE`) dropped."""
    if "&" in value:
        value = html.unescape(value)
    return " ".join(value.translate(_INVISIBLE).split())


def _fold(value: str) -> str:
    return " ".join(re.findall(r"\w+", value.lower()))


def _strip_site(title: str, site: str | None, hostname: str | None) -> str:
    """``"Story | Section | Site"`` → ``"Story"``: drop the parts that name the site, keep the first
    of the rest (the page's own name comes first far more often than last)."""
    parts = [p.strip() for p in _TITLE_SEP.split(title) if p.strip()]
    if len(parts) < 2:
        return title.strip()
    names_site = _site_matcher(site, hostname)
    kept = [p for p in parts if not names_site(p) and any(ch.isalpha() for ch in p)]  # not "2024 - Story"
    return kept[0] if kept else parts[0]


def _site_matcher(site: str | None, hostname: str | None) -> Callable[[str], bool]:
    """Whether a part of a title names the site (its name, the host or the host's first label)."""
    names = {_fold(site)} if site else set()
    if hostname:
        names.add(_fold(hostname.split(".")[0]))
        names.add(_fold(hostname))
    site_fold = _fold(site) if site else ""

    def names_site(part: str) -> bool:
        f = _fold(part)
        return f in names or f.replace(" ", "") in names or (len(f) > 3 and f in site_fold)

    return names_site


def _drop_site(heading: str, site: str | None, hostname: str | None) -> str:
    """``"Story | Site"`` → ``"Story"`` for a heading: only a last part that names the site goes (a
    heading's other parts are its own)."""
    parts = _TITLE_SEP.split(heading)
    if len(parts) < 2 or not _site_matcher(site, hostname)(parts[-1]):
        return heading
    return heading[: heading.rfind(parts[-1])].rstrip(" |-–—·•»/").strip() or heading


def host_of(url: str | None) -> str | None:
    """The host of ``url`` without a leading ``www.``; None when there is none or it does not parse."""
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
