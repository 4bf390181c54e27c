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


def test_item_from_record():
    item = item_from_record({"title": "Hello world", "url": "https://www.example.com/a", "date": "2025-06-01"})
    assert item.headline == "Hello world"
    assert item.outlet == "example.com"
    assert item.timestamp == datetime(2025, 6, 1)
    assert item.id
    with pytest.raises(ValueError):
        item_from_record({"id": "x"})


def test_item_from_document():
    doc = Document(text="First paragraph.\nSecond.", title="A title", url="https://news.example.org/x",
                   date="2025-06-02", id="d1")
    item = item_from_document(doc)
    assert item is not None
    assert (item.id, item.headline, item.lead, item.outlet) == ("d1", "A title", "First paragraph.", "news.example.org")
    assert item_from_document(Document(text="x")) is None
