from pathlib import Path

from thresher.metadata.html import html_metadata
from thresher.options import Options
from thresher.parse.html import parse_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
OPTS = Options()


def meta(html, url=None):
    return html_metadata(parse_html(html, OPTS), url, OPTS)


def test_fixture_article_metadata():
    m = meta((FIXTURES / "article-with-nav-footer-related.html").read_text(encoding="utf-8"),
             "https://www.valley.example/news/otters")
    assert m.title == "River Otters Return to the Valley"
    assert m.author == "Jane Miller"
    assert m.date == "2024-05-17"
    assert m.sitename == "Valley Gazette"
    assert m.hostname == "valley.example"
    assert m.page_type == "article"
    assert m.language == "en"
    assert m.sources["author"] == "json-ld" and m.sources["date"] == "json-ld"


def test_json_ld_wins_over_og_and_title():
    m = meta("""<html><head><title>Tag title - Site</title><meta property="og:title" content="OG title">
    <script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Site"},
    {"@type": "BlogPosting", "headline": "LD headline", "author": [{"name": "A. One"}, {"name": "B. Two"}],
     "datePublished": "2021-03-04T05:06:07+01:00", "keywords": "x, y"}]}</script></head><body></body></html>""")
    assert m.title == "LD headline" and m.sources["title"] == "json-ld"
    assert m.author == "A. One; B. Two"
    assert m.date == "2021-03-04"
    assert m.tags == ("x", "y")
    assert m.page_type == "article"


def test_og_title_when_no_json_ld():
    m = meta('<html><head><title>Other | Site</title><meta property="og:title" content="OG title">'
             "</head><body></body></html>")
    assert m.title == "OG title" and m.sources["title"] == "og:title"


def test_title_site_suffix_is_stripped():
    m = meta('<html><head><title>How to Bake Bread | Crumb Magazine</title>'
             '<meta property="og:site_name" content="Crumb Magazine"></head><body></body></html>')
    assert m.title == "How to Bake Bread"
    m = meta("<html><head><title>How to Bake Bread - Crumb</title></head><body></body></html>",
             "https://crumb.example/bread")
    assert m.title == "How to Bake Bread"


def test_h1_preferred_when_it_matches():
    m = meta("<html><head><title>Bread: a guide | Site</title></head><body><h1>Bread: a guide</h1></body></html>")
    assert m.title == "Bread: a guide" and m.sources["title"] == "h1"


def test_no_date_is_invented_on_an_undated_page():
    m = meta((FIXTURES / "undated-page.html").read_text(encoding="utf-8"), "https://crumb.example/about")
    assert m.date is None
    assert m.language is None
    assert m.description == "Who we are and how we bake."
    assert m.title == "About our bakery"


def test_date_from_url():
    m = meta("<html><body><p>x</p></body></html>", "https://news.example/2024/05/17/story-slug/")
    assert m.date == "2024-05-17" and m.sources["date"] == "url"


def test_invalid_dates_are_rejected():
    m = meta('<html><head><meta property="article:published_time" content="2024-13-45"></head></html>')
    assert m.date is None


def test_author_urls_are_not_authors_but_bylines_are():
    m = meta('<html><head><meta property="article:author" content="https://facebook.com/someone"></head>'
             '<body><span class="byline">By Maria Lopez</span></body></html>')
    assert m.author == "Maria Lopez" and m.sources["author"] == "byline"


def test_page_type_from_json_ld():
    m = meta('<html><head><script type="application/ld+json">{"@type": "Product", "name": "Kettle"}</script>'
             "</head></html>")
    assert m.page_type == "product"
    m = meta('<html><head><script type="application/ld+json">[{"@type": "QAPage"}]</script></head></html>')
    assert m.page_type == "forum"


def test_broken_json_ld_is_ignored():
    m = meta('<html><head><script type="application/ld+json">{not json</script><title>T</title></head></html>')
    assert m.title == "T"


def test_date_written_in_a_byline_element():
    html = '<html><body><div class="post-meta">Published on March 3rd, 2023 by Ann</div><p>x</p></body></html>'
    assert meta(html).date == "2023-03-03"
    html = '<html lang="de"><body><span class="datum date">17. Mai 2024</span></body></html>'
    assert meta(html).date == "2024-05-17"
    assert html_metadata(parse_html(html, OPTS), None, Options(fast=True)).date is None


def test_time_element_in_article():
    html = '<html><body><article><time datetime="2022-02-02T10:00">Feb 2</time><p>x</p></article></body></html>'
    m = meta(html)
    assert m.date == "2022-02-02" and m.sources["date"] == "time"


def test_character_references_in_json_ld_are_decoded():
    from thresher.metadata.html import html_metadata
    from thresher.options import Options
    from thresher.parse.html import parse_html

    page = ('<html><head><script type="application/ld+json">{"@type": "Article", '
            '"headline": "The Actuary&#8217;s Guide &amp; More"}</script></head>'
            "<body><p>Body text of the page.</p></body></html>")
    meta = html_metadata(parse_html(page, Options()), None, Options())
    assert meta.title == "The Actuary\u2019s Guide & More"
