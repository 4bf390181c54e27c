"""text_metadata: title from the title line, author from bylines (contact lines as a fallback)."""

from pathlib import Path

import pytest

from thresher.classify.text_rules import byline_names, classify_text
from thresher.deadline import NO_DEADLINE
from thresher.metadata.text import text_metadata
from thresher.model import Block, Decision, Metadata
from thresher.options import Options
from thresher.segment.text import segment_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "text"
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "000_86b9fa81df510c64.txt"
OPTS = Options()


def meta(text: str, url: str | None = None) -> Metadata:
    blocks = segment_text(text, OPTS, NO_DEADLINE)
    return text_metadata(blocks, classify_text(blocks, OPTS, NO_DEADLINE), url, OPTS)


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared samples are not next to the repository")
def test_founding_example_title_and_author_from_the_contact_line():
    m = meta(SAMPLE.read_text(encoding="utf-8"), "https://time.com/6216838/russia-mobilization/")
    assert m.title == "Why Thousands of People Are Fleeing Russia Now"
    assert m.author == "Charlie Campbell"
    assert m.hostname == "time.com"
    assert m.sources == {"title": "text:title-line", "author": "text:contact-line", "hostname": "url"}


@pytest.mark.parametrize(
    ("fixture", "title", "author"),
    [
        ("de_promo_and_ticker.txt", "Stadtrat beschließt neues Radwegenetz für die Innenstadt", "Anna Müller"),
        ("en_cookie_share_related.txt", "Community Garden Turns Vacant Lot Into Neighbourhood Hub",
         "Maria Lopez; James Chen"),
        ("zh_headline_list.txt", "城市公园改造工程正式完工", "李明"),
    ],
)
def test_polluted_fixtures(fixture, title, author):
    m = meta((FIXTURES / fixture).read_text(encoding="utf-8"))
    assert (m.title, m.author) == (title, author)
    assert m.sources["author"] == "text:byline-line"
    assert m.hostname is None


MULTILINGUAL = Path(__file__).resolve().parents[1] / "fixtures" / "multilingual"


@pytest.mark.parametrize(
    ("fixture", "title", "author"),
    [
        ("ar-byline-after-title.txt", "افتتاح مكتبة عامة جديدة في وسط المدينة", "أحمد محمد"),
        ("hi-danda-byline.txt", "शहर के बीचों-बीच नए सार्वजनिक पुस्तकालय का उद्घाटन", "राहुल शर्मा"),
        ("th-no-sentence-punctuation.txt", "เปิดห้องสมุดประชาชนแห่งใหม่กลางเมือง", "สมชาย ใจดี"),
        ("ur-full-stop-body.txt", "شہر میں نئی عوامی لائبریری کا افتتاح", None),
    ],
)
def test_title_and_author_in_scripts_without_capitals(fixture, title, author):
    """The byline (بقلم, लेखक, โดย) is a byline with its name, not the title; the title line above it is
    the title, also in Thai (no sentence punctuation) and Urdu (its own full stop ۔)."""
    m = meta((MULTILINGUAL / fixture).read_text(encoding="utf-8"))
    assert (m.title, m.author) == (title, author)


def test_clean_text_has_no_title_or_author():
    m = meta((FIXTURES / "en_clean_with_list.txt").read_text(encoding="utf-8"))
    assert (m.title, m.author) == (None, None)
    assert m.sources == {}


def test_byline_wins_over_contact_line():
    blocks = [Block(index=0, text="Write to Sam Lee at sam@example.com"), Block(index=1, text="By Ana Ruiz")]
    decisions = [Decision("byline", "contact_line"), Decision("byline", "byline")]
    m = text_metadata(blocks, decisions, "http://www.example.org/a", OPTS)
    assert m.author == "Ana Ruiz"
    assert m.hostname == "example.org"


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
        ("By Jane Doe, John Roe & Ann Poe", ["Jane Doe", "John Roe", "Ann Poe"]),
        ("BY JANE DOE | Updated 3 hours ago", ["JANE DOE"]),
        ("Write to Charlie Campbell at charlie.campbell@time.com.", ["Charlie Campbell"]),
        ("Write to Ann Lee at ann@x.com and Bo Kim at bo@x.com", ["Ann Lee", "Bo Kim"]),
        ("Von Hans-Peter von der Heide", ["Hans-Peter von der Heide"]),
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("By the numbers", []),
        ("Contact: press@example.com", []),
    ],
)
def test_byline_names(line, names):
    assert byline_names(line) == names


@pytest.mark.parametrize("url", [None, "", "not a url at all", "http://[broken"])
def test_hostname_tolerates_bad_urls(url):
    m = text_metadata([], [], url, OPTS)
    assert m.hostname is None
    assert m.title is None


def test_byline_glued_to_a_date_by_scraping():
    assert byline_names("By Rebecca NorrisPublished: Jun 25, 2025") == ["Rebecca Norris"]
