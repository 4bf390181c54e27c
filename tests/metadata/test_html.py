from pathlib import Path

import pytest

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


def test_json_ld_fields_and_og_title_without_h1():
    m = meta("""<html><head><title>Tag title - Site</title><meta property="og:title" content="OG title">
    <script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Site"},
    {"@type": "BlogPosting", "headline": "LD headline", "author": [{"name": "A. One"}, {"name": "B. Two"}],
     "datePublished": "2021-03-04T05:06:07+01:00", "keywords": "x, y"}]}</script></head><body></body></html>""")
    assert m.title == "OG title" and m.sources["title"] == "og:title"
    assert m.author == "A. One and B. Two"
    assert m.date == "2021-03-04" and m.sources["date"] == "json-ld"
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


def test_the_h1_that_agrees_with_the_stated_title_wins_over_a_logo_h1():
    m = meta('<html><head><meta property="og:title" content="Sourdough for beginners - Crumb">'
             "</head><body><h1>Crumb</h1><h1>Sourdough for beginners, step by step</h1></body></html>")
    assert m.title == "Sourdough for beginners, step by step" and m.sources["title"] == "h1"


def test_an_h1_unrelated_to_the_stated_title_is_not_the_title():
    m = meta('<html><head><meta property="og:title" content="How to Bake Bread | Crumb"></head>'
             "<body><h1>Subscribe to our newsletter</h1></body></html>")
    assert m.title == "How to Bake Bread" and m.sources["title"] == "og:title"


def test_title_keeps_the_first_part_that_does_not_name_the_site():
    m = meta("<html><head><title>Best Movers in NYC 2025 | Top 19 Companies | Supermove</title></head>"
             "<body></body></html>", "https://www.supermove.example/movers")
    assert m.title == "Best Movers in NYC 2025"


def test_no_date_is_invented_on_an_undated_page():
    m = meta((FIXTURES / "undated-page.html").read_text(encoding="utf-8"), "https://crumb.example/about")
    assert m.date is None
    assert m.language is None
    assert m.description == "Who we are and how we bake."
    assert m.title == "About our bakery"


def test_date_from_url():
    m = meta("<html><body><p>x</p></body></html>", "https://news.example/2024/05/17/story-slug/")
    assert m.date == "2024-05-17" and m.sources["date"] == "url"


def test_date_from_a_url_whose_slug_follows_an_encoded_space():
    page = "<html><body><h1>Rust GCC backend</h1><p>Why and how.</p></body></html>"
    m = meta(page, "https://blog.example/articles/2025-12-15+Rust+GCC+backend")
    assert m.date == "2025-12-15" and m.sources["date"] == "url"


def test_invalid_dates_are_rejected():
    m = meta('<html><head><meta property="article:published_time" content="2024-13-45"></head></html>')
    assert m.date is None


def test_author_urls_are_not_authors_but_bylines_are():
    m = meta('<html><head><meta property="article:author" content="https://facebook.com/someone"></head>'
             '<body><span class="byline">By Maria Lopez</span></body></html>')
    assert m.author == "Maria Lopez" and m.sources["author"] == "byline"


def test_an_organisation_as_author_gives_way_to_a_byline():
    m = meta('<html><head><script type="application/ld+json">{"@type": "Article", "headline": "Sleep",'
             ' "author": {"@type": "Organization", "name": "Health Clinic"}}</script></head>'
             '<body><h1>Sleep</h1><div class="author-name">Holly Wilgus | Author</div></body></html>')
    assert m.author == "Holly Wilgus" and m.sources["author"] == "byline"
    m = meta('<html><head><script type="application/ld+json">{"@type": "Article", "headline": "Sleep",'
             ' "author": {"@type": "Organization", "name": "Health Clinic"}}</script></head><body></body></html>')
    assert m.author == "Health Clinic"


def test_citation_authors_in_last_first_order():
    m = meta('<html><head><meta name="citation_author" content="Mahindru, Aditya">'
             '<meta name="citation_author" content="Patil, Pradeep">'
             '<meta name="citation_author" content="Agrawal, Varun"></head><body></body></html>')
    assert m.author == "Aditya Mahindru, Pradeep Patil, Varun Agrawal"


def test_page_type_from_json_ld():
    m = meta('<html><head><script type="application/ld+json">{"@type": "Product", "name": "Kettle"}</script>'
             "</head></html>")
    assert m.page_type == "product"
    m = meta('<html><head><script type="application/ld+json">[{"@type": "QAPage"}]</script></head></html>')
    assert m.page_type == "forum"


def test_broken_json_ld_is_ignored():
    m = meta('<html><head><script type="application/ld+json">{not json</script><title>T</title></head></html>')
    assert m.title == "T"


def test_date_written_beside_the_title():
    html = ('<html><body><h1>Otters</h1><div class="post-meta">Published on March 3rd, 2023 by Ann</div>'
            "<p>x</p></body></html>")
    assert meta(html).date == "2023-03-03"
    html = '<html lang="de"><body><h1>Otter</h1><span class="datum date">17. Mai 2024</span></body></html>'
    assert meta(html).date == "2024-05-17"
    assert html_metadata(parse_html(html, OPTS), None, Options(fast=True)).date is None


def test_time_element_beside_the_title():
    html = ('<html><body><article><h1>Otters</h1><time datetime="2022-02-02T10:00">Feb 2</time><p>x</p>'
            "</article></body></html>")
    m = meta(html)
    assert m.date == "2022-02-02" and m.sources["date"] == "shown"


def test_a_date_far_below_the_title_is_not_the_pages_date():
    html = "<html><body><h1>Otters</h1>" + "<p>" + "Otters swim in the river. " * 60 + "</p>" + \
        "<p>Comment posted May 17, 2024</p></body></html>"
    assert meta(html).date is None


def test_the_shown_date_confirmed_by_the_markup_wins():
    html = ('<html><head><meta property="article:published_time" content="2024-05-17T23:30:00-04:00">'
            '</head><body><h1>Otters</h1><p>May 17, 2024</p></body></html>')
    m = meta(html)
    assert m.date == "2024-05-17" and m.sources["date"] == "shown+stated"


def test_stated_publication_wins_over_a_shown_update():
    html = ('<html><head><meta property="article:published_time" content="2019-09-16">'
            '<meta property="article:modified_time" content="2026-02-28"></head>'
            "<body><h1>Coffee</h1><p>Updated Feb 28, 2026</p></body></html>")
    assert meta(html).date == "2019-09-16"


def test_a_shown_update_is_the_date_when_nothing_says_when_it_was_published():
    html = ('<html><head><meta property="article:modified_time" content="2025-07-09"></head>'
            "<body><h1>Coffee</h1><p>Updated July 9, 2025</p></body></html>")
    m = meta(html)
    assert m.date == "2025-07-09" and m.sources["date"] == "shown+modified"


def test_copyright_and_offer_dates_are_not_the_pages_date():
    html = ("<html><body><h1>Standing desks</h1><p>Sale ends 03/31/2026. While supplies last.</p>"
            "<p>© 2024-01-01 Desk Co</p></body></html>")
    assert meta(html).date is None


def test_a_list_of_dated_items_has_no_date_of_its_own():
    items = "".join(f"<h2>Story {d}</h2><p>Dec {d}, 2025</p><p>Summary.</p>" for d in (1, 3, 5, 7, 9))
    assert meta(f"<html><body><h1>Latest news</h1>{items}</body></html>").date is None


def test_a_product_pages_stated_date_counts_only_when_shown():
    head = ('<head><script type="application/ld+json">{"@type": "Product", "name": "Kettle"}</script>'
            '<meta property="article:published_time" content="2018-12-21"></head>')
    assert meta(f"<html>{head}<body><h1>Kettle</h1><p>Boils fast.</p></body></html>").date is None
    m = meta(f"<html>{head}<body><h1>Kettle</h1><p>Added 21 December 2018</p></body></html>")
    assert m.date == "2018-12-21"


def test_a_generic_webpage_records_date_counts_only_when_shown():
    head = ('<head><script type="application/ld+json">{"@graph": [{"@type": "WebPage", "name": "Tuition",'
            ' "datePublished": "2018-05-18", "dateModified": "2025-11-19"}]}</script></head>')
    assert meta(f"<html>{head}<body><h1>Tuition</h1><p>Fees.</p></body></html>").date is None


def test_character_references_in_json_ld_are_decoded():
    from thresher.metadata.html import html_metadata
    from thresher.options import Options
    from thresher.parse.html import parse_html

    page = ('<html><head><script type="application/ld+json">{"@type": "Article", '
            '"headline": "The Actuary&#8217;s Guide &amp; More"}</script></head>'
            "<body><p>Body text of the page.</p></body></html>")
    meta = html_metadata(parse_html(page, Options()), None, Options())
    assert meta.title == "The Actuary\u2019s Guide & More"


def test_byline_written_beside_the_title():
    m = meta("<html><body><h1>Pizza in Memorial City</h1><p>A new pizza place opens.</p>"
             "<span>By Sofia Gonzalez</span> <span>December 2, 2025</span><p>Text.</p></body></html>")
    assert m.author == "Sofia Gonzalez" and m.sources["author"] == "byline-text"
    assert m.date == "2025-12-02"
    m = meta("<html><body><h1>Sleep</h1><p>Written by: Shelby Loos, DVM</p></body></html>")
    assert m.author == "Shelby Loos, DVM"
    fast = html_metadata(parse_html("<html><body><h1>Sleep</h1><p>By Ann Lee</p></body></html>", OPTS), None,
                         Options(fast=True))
    assert fast.author is None


def test_a_label_inside_a_sentence_is_not_a_byline():
    m = meta("<html><body><h1>Aviation</h1><p>Planes fly by Night Owl Airways every day.</p></body></html>")
    assert m.author is None


def test_a_sites_front_page_has_no_date_of_its_own():
    stated = ("<html><head><meta property='article:published_time' content='2026-03-08'></head>"
              "<body><h1>Technology</h1><h2>Chips</h2><p>Chips are small.</p></body></html>")
    shown = "<html><body><h1>Technology</h1><h2>Chips</h2><p>March 8, 2026</p></body></html>"
    for page in (stated, shown):
        assert meta(page, "https://news.example/").date is None
        assert meta(page, "https://news.example/technology/").date is None
        assert meta(page, "https://news.example/chips/2026-story").date == "2026-03-08"


def test_a_front_page_takes_no_date_from_the_items_it_lists():
    # a labelled date in the list, or the markup's date repeated by an item far below the title
    labelled = ("<html><body><h1>Economy</h1>" + "<p>Markets and money.</p>" * 3
                + "<h2>Oil rises</h2><p>Published On 6 Mar 2026</p></body></html>")
    repeated = ("<html><head><meta property='article:published_time' content='2026-03-06'></head><body>"
                "<h1>Science</h1>" + "<p>Stories about the world we live in, told well.</p>" * 20
                + "<h2>Sleep</h2><p>March 6, 2026</p></body></html>")
    for page in (labelled, repeated):
        assert meta(page, "https://news.example/economy/").date is None
        assert meta(page, "https://news.example/2026/03/06/oil").date == "2026-03-06"


def test_a_taxonomy_page_has_no_date_of_its_own():
    stated = ("<html><head><meta property='article:published_time' content='2026-03-08'></head>"
              "<body><h1>Chips</h1><h2>Small chips</h2><p>Chips are small.</p></body></html>")
    for url in ("https://news.example/category/chips/", "https://news.example/topic/Car%20Rental",
                "https://news.example/de/themen/chips", "https://news.example/rubrique/puces/"):
        assert meta(stated, url).date is None, url
    # a story filed under a category keeps its date (the term is not the last segment)
    assert meta(stated, "https://news.example/category/chips/2026-story").date == "2026-03-08"
    # a forum thread's address names its topic by number
    assert meta(stated, "https://forum.example/topic/1234-small-chips/").date == "2026-03-08"


def test_a_date_written_out_in_a_meta_tag_confirms_the_shown_date():
    # Drupal writes its dates for people; still a statement of the markup (weak: only when shown)
    html = ('<html><head><meta property="article:published_time" content="Thu, 09/25/2025 - 11:38">'
            "</head><body><h1>Otters</h1><p>09/25/2025</p></body></html>")
    m = meta(html)
    assert m.date == "2025-09-25" and m.sources["date"] == "shown+stated"


def test_a_json_ld_date_written_out_counts_only_when_shown():
    # a template's placeholder ("Jun 24, 2025" on every post) is no publication date
    head = ('<html><head><script type="application/ld+json">{"@type": "BlogPosting", "headline": "Otters",'
            ' "datePublished": "Jun 24, 2025"}</script></head><body><h1>Otters</h1>')
    assert meta(head + "<p>x</p></body></html>").date is None
    assert meta(head + "<p>June 24, 2025</p></body></html>").date == "2025-06-24"
    shown_other = head + "<p>August 25, 2024</p></body></html>"
    assert meta(shown_other).date == "2024-08-25"


def test_indentation_between_the_title_and_its_date_does_not_count_as_distance():
    gap = "<div>" + "\n" + " " * 2000 + "</div>"
    html = f'<html lang="de"><body><h1>Otter</h1>{gap}<p>12.12.2025</p></body></html>'
    assert meta(html).date == "2025-12-12"


def test_a_site_name_after_the_h1_is_dropped():
    html = ('<html><head><title>Art Exhibitions 2025 – Artlyst</title><meta property="og:site_name" '
            'content="Artlyst"></head><body><h1>Art Exhibitions 2025 – Artlyst</h1></body></html>')
    assert meta(html).title == "Art Exhibitions 2025"
    html = ('<html><head><title>Consulting - is it worth it?</title></head>'
            "<body><h1>Consulting - is it worth it?</h1></body></html>")
    assert meta(html).title == "Consulting - is it worth it?"


def test_an_early_utc_publication_time_takes_the_urls_day():
    html = ('<html><head><meta property="article:published_time" content="2025-12-19T02:41:41+00:00">'
            '</head><body><h1>Comfort watches</h1><p>Text.</p></body></html>')
    url = "https://blog.example/2025/12/18/comfort-watches"
    got = html_metadata(parse_html(html, Options()), url, Options())
    assert got.date == "2025-12-18" and got.sources["date"] == "url-local"
    late = html.replace("T02:41:41", "T14:41:41")
    assert html_metadata(parse_html(late, Options()), url, Options()).date == "2025-12-19"


def test_soft_hyphens_in_a_heading_do_not_split_its_words():
    html = ("<html><head><title>Home Repair Assistance Program | City of Marion</title></head><body>"
            "<h1>Home Repair Assis\u00adtance Program</h1><p>Apply for help with repairs.</p></body></html>")
    meta = html_metadata(parse_html(html, Options()), None, Options(title_model="none"))
    assert meta.title == "Home Repair Assistance Program"


def test_a_number_alone_is_not_the_title_part_kept():
    html = ("<html><head><meta property='og:title' content='2024 - Pros and cons of a travel agent'>"
            "</head><body><p>Text.</p></body></html>")
    meta = html_metadata(parse_html(html, Options()), None, Options(title_model="none"))
    assert meta.title == "Pros and cons of a travel agent"


MULTILINGUAL = Path(__file__).resolve().parents[1] / "fixtures" / "multilingual"


@pytest.mark.parametrize(("name", "author", "date"), [
    ("ar-rtl-news.html", "أحمد محمد", "2024-01-24"),
    ("ar-arabic-indic-digits.html", "سارة خالد", "2024-01-24"),
    ("fa-persian-digits.html", "علی رضایی", "2024-01-24"),
    ("he-month-with-prefix.html", "דנה לוי", "2024-01-12"),
    ("hi-devanagari-month.html", "राहुल शर्मा", "2024-07-15"),
    ("ja-author-label-bun.html", "佐藤花子", "2024-11-20"),
    ("ko-reporter-after-name.html", "김민지", "2024-03-05"),
    ("ru-author-label.html", "Иван Петров", "2024-03-05"),
    ("th-buddhist-era-year.html", "สมชาย ใจดี", "2024-04-10"),
    ("vi-date-with-words.html", "Nguyễn Văn An", "2024-03-05"),
    ("zh-byline-fullwidth-colon.html", "王小明", "2024-03-05"),
])
def test_bylines_and_dates_of_pages_in_other_languages(name, author, date):
    m = meta((MULTILINGUAL / name).read_text(encoding="utf-8"))
    assert (m.author, m.date) == (author, date)


def test_a_solar_hijri_date_beside_the_title():
    m = meta("""<html lang="fa" dir="rtl"><body><article><h1>گشایش نمایشگاه کتاب تهران</h1>
    <p class="author">به قلم: مریم احمدی</p><p>۵ اسفند ۱۴۰۲</p>
    <p>نمایشگاه کتاب تهران امروز با حضور ناشران داخلی و خارجی کار خود را آغاز کرد و تا دو هفته ادامه دارد.</p>
    </article></body></html>""")
    assert (m.author, m.date) == ("مریم احمدی", "2024-02-24")


def test_numbers_in_other_scripts_are_not_dates():
    m = meta("""<html lang="th"><body><article><h1>ราคาข้าวสารวันนี้</h1>
    <p>ข้าวหอมมะลิ 10 กิโลกรัม ราคา 2567 บาท ส่วนข้าวเหนียว 5 กิโลกรัม ราคา ๑๔๐๒ บาท</p>
    <p>ผู้ค้าคาดว่าราคาจะคงที่ไปอีกระยะหนึ่ง เนื่องจากผลผลิตในปีนี้อยู่ในเกณฑ์ดี</p>
    </article></body></html>""")
    assert m.date is None
