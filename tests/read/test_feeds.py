"""RSS and Atom feeds read as headline records (thresher.read.feeds)."""

import pytest

from thresher.errors import ThresherError
from thresher.read.feeds import feed_records, looks_like_feed
from thresher.stories import item_from_record

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="feed.xsl"?>
<rss version="2.0"><channel><title>Top stories</title><link>https://news.example.org/</link>
<item><title>UAW reaches tentative deal with Ford</title>
<link>https://news.example.org/rss/articles/1?oc=5</link>
<guid isPermaLink="false">abc-1</guid>
<pubDate>Thu, 26 Oct 2023 02:31:00 GMT</pubDate>
<description>&lt;a href="https://news.example.org/rss/articles/1"&gt;UAW reaches tentative deal with Ford&lt;/a&gt;&amp;nbsp;&amp;nbsp;&lt;font color="#6f6f6f"&gt;CNN&lt;/font&gt;</description>
<source url="https://www.cnn.com">CNN</source></item>
<item><title>Ford and UAW &amp;amp; the end of a six-week strike</title>
<link>https://www.reuters.com/business/autos/ford-uaw/</link>
<pubDate>Thu, 26 Oct 2023 04:45:10 +0200</pubDate>
<description>&lt;p&gt;The union's members still have to ratify the &lt;b&gt;four-year&lt;/b&gt; contract.&lt;/p&gt;</description></item>
<item><description>An entry without a title is no headline</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Новости</title>
<link href="https://lenta.example.ru/"/>
<entry><title>Центробанк снизил ключевую ставку</title><id>tag:lenta.example.ru,2023:1</id>
<link rel="alternate" href="https://lenta.example.ru/news/1"/>
<updated>2023-10-27T10:30:00+03:00</updated>
<summary type="html">&lt;p&gt;Решение принято на заседании совета директоров.&lt;/p&gt;</summary></entry>
</feed>
"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://blog.example.jp/"><title>ブログ</title><link>https://blog.example.jp/</link></channel>
<item rdf:about="https://blog.example.jp/2"><title>東京で初雪を観測</title><link>https://blog.example.jp/2</link>
<dc:date>2023-11-20T08:00:00+09:00</dc:date></item>
</rdf:RDF>
"""


def test_rss_entries_become_headline_records_with_publisher_time_and_lead():
    records = feed_records(RSS.encode("utf-8"))
    assert len(records) == 2  # the entry without a title is left out
    first, second = records
    assert first["headline"] == "UAW reaches tentative deal with Ford"
    assert first["outlet"] == "cnn.com"  # the publisher named in <source>, not the aggregator linked to
    assert first["id"] == "abc-1"
    assert first["timestamp"] == "2023-10-26T02:31:00+00:00"
    assert "lead" not in first  # the aggregator's summary only repeats the headline and the source name
    assert second["headline"] == "Ford and UAW & the end of a six-week strike"
    assert second["outlet"] == "reuters.com"
    assert second["id"] == second["url"] == "https://www.reuters.com/business/autos/ford-uaw/"
    assert second["timestamp"] == "2023-10-26T02:45:10+00:00"  # in UTC
    assert second["lead"] == "The union's members still have to ratify the four-year contract."
    item = item_from_record(second)
    assert item.outlet == "reuters.com" and item.lead and item.timestamp and item.timestamp.hour == 2


def test_atom_and_rss_1_feeds_in_other_scripts():
    (atom,) = feed_records(ATOM.encode("utf-8"))
    assert atom["headline"] == "Центробанк снизил ключевую ставку"
    assert atom["outlet"] == "lenta.example.ru"
    assert atom["timestamp"] == "2023-10-27T07:30:00+00:00"
    assert atom["lead"] == "Решение принято на заседании совета директоров."
    (rdf,) = feed_records(RDF.encode("utf-8"))
    assert rdf["headline"] == "東京で初雪を観測" and rdf["outlet"] == "blog.example.jp"
    assert rdf["timestamp"] == "2023-11-19T23:00:00+00:00"


def test_a_feed_in_a_legacy_encoding_is_read_by_its_declaration():
    latin = RSS.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("six-week", "six-semaines à Détroit")
    records = feed_records(latin.encode("iso-8859-1"))
    assert records[1]["headline"].endswith("six-semaines à Détroit strike")


@pytest.mark.parametrize("data, expected", [
    (RSS.encode(), True), (ATOM.encode(), True), (RDF.encode(), True),
    (b"\xef\xbb\xbf<!-- generator -->\n<rss version='0.91'><channel></channel></rss>", True),
    (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'></urlset>", False),
    (b"<!DOCTYPE html><html><head><title>feed</title></head></html>", False),
    (b"3:19 Headline about a feed", False),
])
def test_feeds_are_told_from_other_xml_html_and_text(data, expected):
    assert looks_like_feed(data) is expected


def test_a_feed_without_entries_is_an_error_with_its_reason():
    with pytest.raises(ThresherError) as err:
        feed_records(b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title></channel></rss>")
    assert err.value.reason == "not_a_feed" and "no feed entries" in err.value.message
    with pytest.raises(ThresherError) as err:
        feed_records(b"<rss><channel><item><description>no title</description></item></channel></rss>")
    assert "has a title" in err.value.message


def test_entries_come_in_time_order_when_all_are_dated():
    items = "".join(f"<item><title>Entry {k}</title><pubDate>Thu, 26 Oct 2023 0{k}:00:00 GMT</pubDate></item>"
                    for k in (5, 3, 4))  # newest first, with one out of place
    records = feed_records(f"<rss version='2.0'><channel>{items}</channel></rss>".encode())
    assert [r["headline"] for r in records] == ["Entry 3", "Entry 4", "Entry 5"]
    undated = feed_records(b"<rss version='2.0'><channel><item><title>B</title></item>"
                           b"<item><title>A</title><pubDate>Thu, 26 Oct 2023 01:00:00 GMT</pubDate></item>"
                           b"</channel></rss>")
    assert [r["headline"] for r in undated] == ["B", "A"]  # not all dated: the feed's order


def test_a_truncated_feed_keeps_its_complete_entries_and_says_when_none_is_left():
    whole = "<item><title>Pandas leave the National Zoo</title></item>"
    records = feed_records(f"<?xml version='1.0'?><rss version='2.0'><channel>{whole}<item><title>Cut off".encode())
    assert records[0]["headline"] == "Pandas leave the National Zoo"
    with pytest.raises(ThresherError, match="broken XML"):
        feed_records(b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>Cut off in the mid")
