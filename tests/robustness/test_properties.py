"""Property tests: random markup and random text through the stages never raise anything but ThresherError.

The markup comes from a small grammar of tags, attributes, text, entities and broken bits (unclosed
comments, stray end tags, ``<![CDATA[``, NULs, lone surrogates...), so that it reaches the parser's
odd corners far more often than random characters would.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher import Document, Failure, Options, ThresherError, extract_result
from thresher.classify import classify_html, classify_text
from thresher.deadline import Deadline
from thresher.metadata.html import html_metadata
from thresher.metadata.text import text_metadata
from thresher.parse.html import parse_html
from thresher.segment.html import segment_html
from thresher.segment.text import segment_text

OPTS = Options(time_limit=None)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)

TAGS = ["p", "div", "span", "a", "table", "tr", "td", "th", "ul", "ol", "li", "h1", "h2", "pre", "code",
        "article", "nav", "header", "footer", "aside", "main", "section", "blockquote", "br", "img", "form",
        "script", "style", "noscript", "template", "svg", "math", "frameset", "frame", "iframe", "title",
        "head", "body", "html", "figure", "figcaption", "caption", "dl", "dt", "dd", "button", "select",
        "option", "textarea", "b", "i", "em", "strong", "x-custom", "dc:creator", "svg:text"]
ATTRS = ["class", "id", "role", "style", "hidden", "aria-hidden", "href", "src", "itemprop", "lang",
         "content", "name", "property", "type", "rel", "xmlns", "xml:lang", "colspan", "data-x"]
VALUES = ["", "nav", "menu footer", "display:none", "visibility: hidden", "true", "main", "articleBody",
          "application/ld+json", "canonical", "x" * 300, "\"quoted'", "javascript:void(0)", "\u0000", "é",
          "sidebar share comment", "http://example.com/a?b=c&d=e"]
BROKEN = ["<!--", "-->", "<![CDATA[", "]]>", "</", "<", ">", "&", "&amp", "&#", "&#x110000;", "&#0;",
          "&#xD800;", "&nbsp;", "&lt;script&gt;", "<!DOCTYPE html>", "<?xml version='1.0'?>", "\x00",
          "\ud800", "\ufeff", "\r", "\u2028", "<br/>", "</br>", "<p/>", "<a href=", "=\"", "'", "\"",
          "<script>", "</script>", "<style>", "</div></div></div>", "<table><tr><td>", "<!-- x --",
          "{\"@type\": \"NewsArticle\"}", "<meta name=author content=x>", "<title>t</title>"]
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(" .,\n\t東京Москва"),
    max_size=40,
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attr = st.builds(lambda n, v, q: f" {n}={q}{v}{q}" if v else f" {n}", st.sampled_from(ATTRS),
                     st.sampled_from(VALUES), st.sampled_from(["", "'", '"']))
    return st.builds(
        lambda tag, attrs, inner, close: f"<{tag}{''.join(attrs)}>{''.join(inner)}" + (f"</{tag}>" if close else ""),
        st.sampled_from(TAGS), st.lists(attr, max_size=4), st.lists(children, max_size=5), st.booleans(),
    )


markup = st.recursive(words | st.sampled_from(BROKEN), _element, max_leaves=60) | st.lists(st.recursive(words | st.sampled_from(BROKEN), _element, max_leaves=30), max_size=6).map("".join)


def _html_stages(text: str) -> None:
    tree = parse_html(text, OPTS)
    blocks = segment_html(tree, OPTS, Deadline(None))
    metadata = html_metadata(tree, "http://example.com/a", OPTS)
    decisions = classify_html(blocks, metadata, OPTS, Deadline(None))
    assert len(decisions) == len(blocks)
    for block in blocks:
        assert isinstance(block.text, str) and block.text.strip()


def _text_stages(text: str) -> None:
    blocks = segment_text(text, OPTS, Deadline(None))
    decisions = classify_text(blocks, OPTS, Deadline(None))
    assert len(decisions) == len(blocks)
    text_metadata(blocks, decisions, None, OPTS)


@SETTINGS
@given(markup)
def test_random_markup_through_parse_segment_classify(text: str) -> None:
    with contextlib.suppress(ThresherError):
        _html_stages(text)


@SETTINGS
@given(st.text(max_size=2000))
def test_random_unicode_through_segment_text_and_classify(text: str) -> None:
    with contextlib.suppress(ThresherError):
        _text_stages(text)


@SETTINGS
@given(st.lists(words | st.sampled_from(["", "   ", "- item", "12:30 News", "<div>", "a" * 300, "\x00"]),
                max_size=40).map("\n".join))
def test_random_lines_through_segment_text_and_classify(text: str) -> None:
    with contextlib.suppress(ThresherError):
        _text_stages(text)


@SETTINGS
@given(st.binary(max_size=3000) | markup.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_random_bytes_through_extract_give_a_result(data: bytes) -> None:
    result = extract_result(data, options=OPTS)
    assert isinstance(result, Document | Failure)
    if isinstance(result, Failure):
        assert result.reason != "internal_error", result.message
