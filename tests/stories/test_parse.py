from datetime import UTC, datetime, time

import pytest

from thresher.model import Document
from thresher.stories.parse import item_from_document, item_from_record, parse_headline_line, parse_timestamp


def test_headline_line_with_and_without_time():
    assert parse_headline_line("3:19 Diamondbacks bettor four wins away") == (time(3, 19), "Diamondbacks bettor four wins away")
    assert parse_headline_line("23:59 Who is the new speaker?") == (time(23, 59), "Who is the new speaker?")
    assert parse_headline_line("2024 was a year") == (None, "2024 was a year")
    assert parse_headline_line("10.50 million people vote") == (None, "10.50 million people vote")


def test_timestamps():
    assert parse_timestamp("2025-06-01T02:22:00Z") == datetime(2025, 6, 1, 2, 22, tzinfo=UTC)
    assert parse_timestamp("2025-06-01 02:22 UTC") == datetime(2025, 6, 1, 2, 22, tzinfo=UTC)
    assert parse_timestamp("2025-06-01 02:22 Beijing Time") == datetime(2025, 6, 1, 2, 22)
    assert parse_timestamp("not a date") is None


def test_unix_times_and_feed_dates():
    when = datetime(2023, 10, 26, 2, 31, tzinfo=UTC)
    assert parse_timestamp("1698287460") == when  # seconds
    assert parse_timestamp("1698287460000") == when  # milliseconds
    assert parse_timestamp("1701010101010") == datetime(2023, 11, 26, 14, 48, 21, 10000, tzinfo=UTC)  # not 1701
    assert parse_timestamp("1698287460000.0") == when  # a JSON float
    assert parse_timestamp("Thu, 26 Oct 2023 02:31:00 -0000") == when  # unknown zone: UTC
    assert parse_timestamp("Thu, 26 Oct 2023 02:31:00 GMT") == when  # RSS pubDate
    assert parse_timestamp("26 Oct 2023 04:31:00 +0200") == when
    assert parse_timestamp("Thu, 99 Oct 2023 02:31:00 GMT") is None
    assert parse_timestamp("123") is None  # too few digits for a time
    assert item_from_record({"headline": "A", "timestamp": 1698287460}).timestamp == when  # a JSON number


def test_item_from_record():
    item = item_from_record({"title": "Hello world", "url": "https://www.example.com/a", "date": "2025-06-01"})
    assert item.headline == "Hello world"
    assert item.outlet == "example.com"
    assert item.timestamp == datetime(2025, 6, 1)
    assert item.id
    assert not item.document  # a headline item
    with pytest.raises(ValueError):
        item_from_record({"id": "x"})


def test_a_record_with_text_is_a_document():
    """Issue 9: undated documents are held to a stricter rule than undated headlines (a ticker)."""
    assert item_from_record({"title": "A page", "text": "Its body."}).document
    assert item_from_record({"title": "A page", "text": "\nIts body.\nMore."}).lead == "Its body."  # as run --stories
    assert not item_from_record({"title": "A page", "text": "Its body."}, document=False).document
    assert item_from_record({"headline": "A headline"}, document=True).document


def test_item_from_document():
    doc = Document(text="First paragraph.\nSecond.", title="A title", url="https://news.example.org/x",
                   date="2025-06-02", id="d1")
    item = item_from_document(doc)
    assert item is not None
    assert (item.id, item.headline, item.lead, item.outlet) == ("d1", "A title", "First paragraph.", "news.example.org")
    assert item.document
    assert item_from_document(Document(text="x")) is None


def test_items_from_headlines_put_clock_times_on_the_pages_date():
    from thresher.stories import items_from_headlines

    record = {"id": "p1", "url": "https://www.example.org/a", "date": "2023-10-26",
              "headlines": [{"time": "3:19", "headline": "UAW reaches deal with Ford"},
                            {"time": None, "headline": "Pandas leave the zoo"},
                            {"headline": "  "}]}
    got = items_from_headlines(record)
    assert [it.headline for it in got] == ["UAW reaches deal with Ford", "Pandas leave the zoo"]
    assert got[0].id == "p1#headline-1" and got[0].outlet == "example.org"
    assert got[0].timestamp is not None and got[0].timestamp.isoformat() == "2023-10-26T03:19:00"
    assert got[1].timestamp is None
    assert items_from_headlines({"headlines": [{"time": "3:19", "headline": "x y"}]})[0].timestamp is None


def test_surrogates_in_a_json_record_are_repaired_not_a_skipped_line():
    # json.loads('"caf\\udce9"') holds a lone surrogate: the line was skipped ("surrogates not allowed")
    from thresher.stories.parse import items_from_headlines

    item = item_from_record({"headline": "caf\udce9 opens", "outlet": "x\udce9.com", "url": "https://x.org/\udce9"})
    assert (item.headline, item.outlet, item.url) == ("café opens", "xé.com", "https://x.org/é")
    assert item.id.isascii()
    (ticker,) = items_from_headlines({"id": "d\udce9", "headlines": [{"headline": "caf\udce9 closes"}]})
    assert ticker.headline == "café closes" and ticker.id == "dé#headline-1"
