import dataclasses
import io
from pathlib import Path

import lxml.html

from thresher.assemble.html import render_html
from thresher.extract import extract_trace
from thresher.model import Document, Failure, Rejected
from thresher.options import Options
from thresher.write.formats import get_format
from thresher.write.html import render_html_article, render_html_page
from thresher.write.output import StreamOutput

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"


def _page(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html.encode("utf-8"))


def test_page_has_head_with_escaped_metadata_and_the_article():
    doc = Document(text="Body.", title='A "quoted" <title>', author="Ann & Bob", language="en",
                   tags=("x", "y"), html="<h2>Part</h2>\n<p>Body.</p>\n")
    out = render_html_page(doc, with_metadata=True)
    assert out is not None and out.startswith("<!DOCTYPE html>\n")
    page = _page(out)
    assert page.get("lang") == "en"
    assert page.find("head/title").text == 'A "quoted" <title>'
    metas = {m.get("name"): m.get("content") for m in page.findall("head/meta") if m.get("name")}
    assert metas["author"] == "Ann & Bob"
    assert metas["title"] == 'A "quoted" <title>'
    assert metas["tags"] == "x, y"
    assert page.find("head/meta").get("charset") == "utf-8"
    article = page.find("body/article")
    assert [el.tag for el in article] == ["h2", "p"]


def test_without_metadata_only_charset_and_title():
    out = render_html_page(Document(text="Body.", title="T", author="A", html="<p>Body.</p>\n"))
    assert out is not None
    assert [m.get("name") for m in _page(out).findall("head/meta")] == [None]


def test_fallback_without_html_makes_paragraphs_under_the_title():
    doc = Document(text="Line <1>.\nLine 2.", title="My  title")
    article = _page(render_html_page(doc) or "").find("body/article")
    assert [(el.tag, el.text) for el in article] == [("h1", "My title"), ("p", "Line <1>."), ("p", "Line 2.")]


def test_comments_follow_the_article():
    doc = Document(text="Body.", comments="First!\nSecond <b>.", html="<p>Body.</p>\n")
    body = _page(render_html_page(doc) or "").find("body")
    assert [el.tag for el in body] == ["article", "section"]
    assert [p.text for p in body.find("section")] == ["First!", "Second <b>."]


def test_failures_and_rejected_documents_have_no_page():
    assert render_html_page(Failure(reason="timeout", message="slow")) is None
    assert render_html_article(Document(text="x", rejected=Rejected(stage="filter", reason="too_short"))) is None


def test_a_stream_of_documents_is_one_page_of_articles():
    buffer = io.StringIO()
    with StreamOutput(buffer, get_format("html", many=True), with_metadata=True) as out:
        assert out.write(Document(text="One.", title="First", html="<p>One.</p>\n"))
        assert not out.write(Failure(reason="timeout", message="slow"))
        assert out.write(Document(text="Two.", title="Second & last", html="<p>Two.</p>\n"))
    page = _page(buffer.getvalue())
    articles = page.findall("body/article")
    assert len(articles) == 2
    assert [a.find("dl/dd").text for a in articles] == ["First", "Second & last"]
    assert [a.find("p").text for a in articles] == ["One.", "Two."]


def test_single_format_renders_a_whole_page():
    fmt = get_format("html")
    assert fmt.extension == ".html" and not fmt.records_failures
    out = fmt.render(Document(text="One.", html="<p>One.</p>\n"))
    assert out is not None and out.endswith("</html>\n")


def test_extracted_page_end_to_end():
    source = (FIXTURES / "article-with-nav-footer-related.html").read_text(encoding="utf-8")
    trace = extract_trace(source, url="https://example.org/otters", options=Options(time_limit=None))
    kept = [b for b, d in zip(trace.blocks, trace.decisions, strict=True) if d.kept]
    doc = dataclasses.replace(trace.document, html=render_html(kept, trace.metadata, Options()))
    page = _page(render_html_page(doc, with_metadata=True) or "")
    article = page.find("body/article")
    assert page.find("head/title").text == doc.title  # the title is metadata, not a kept block
    paragraphs = [p.text_content() for p in article.findall("p")]
    assert paragraphs and all(p in doc.text for p in paragraphs)
    assert not page.findall(".//a") and not page.findall(".//nav") and not page.findall(".//script")


def test_right_to_left_languages_are_laid_out_right_to_left():
    for language, direction in (("ar", "rtl"), ("he", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("ara", "rtl"), ("heb", "rtl"), ("ru", None),
                                ("zh", None), (None, "auto")):
        doc = Document(text="نص.", title="t", language=language, html="<p>نص.</p>\n")
        page = _page(render_html_page(doc) or "")
        assert page.get("dir") == direction and page.get("lang") == language
        article = lxml.html.fragment_fromstring(render_html_article(doc) or "")
        assert article.get("dir") == direction


def test_arabic_page_end_to_end_is_right_to_left():
    source = (FIXTURES.parent / "multilingual" / "ar-rtl-news.html").read_text(encoding="utf-8")
    doc = extract_trace(source, url="https://example.org/ar", options=Options(with_html=True, time_limit=None)).document
    page = _page(render_html_page(doc, with_metadata=True) or "")
    assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
    article = page.find("body/article")
    assert article.get("dir") == "rtl"
    assert "معرض القاهرة الدولي للكتاب" in article.text_content()
