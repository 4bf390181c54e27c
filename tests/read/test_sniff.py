import codecs
import gzip
import random

import pytest

from thresher.errors import ThresherError
from thresher.read.sniff import binary_kind, looks_like_markup, sniff

from .conftest import FRENCH, RUSSIAN

PAGE = "<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>Hello</p></body></html>"


@pytest.mark.parametrize(
    "data",
    [
        PAGE,
        PAGE.encode(),
        b"\n\n   " + PAGE.encode(),
        codecs.BOM_UTF8 + PAGE.encode(),
        codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"),
        PAGE.encode("utf-16-le"),
        "<html lang='en'><body>x</body></html>",
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">\n<html>',
        "<!-- saved from url=(0014)about:internet -->\n<!doctype html><html>",
        "<div class='post'><p>A fragment of a page.</p></div>",
        "<p>Hello</p>",
    ],
)
def test_markup_is_html(data):
    assert sniff(data) == "html"


@pytest.mark.parametrize(
    "data",
    [
        FRENCH,
        RUSSIAN.encode("utf-8"),
        "Title\n\nA sentence with 3 < 4 and 5 > 2 in it.\n",
        "Use the <p> tag for paragraphs, as every tutorial says.\n\n" + FRENCH * 3,
    ],
)
def test_prose_is_text(data):
    assert sniff(data) == "text"


def test_stray_doctype_line_in_prose_is_text():
    text = FRENCH + "\n<!DOCTYPE html>\n" + FRENCH + "\n" + RUSSIAN
    assert sniff(text) == "text"
    assert sniff(text.encode("utf-8")) == "text"


def test_forced_wins_over_hint_and_payload():
    assert sniff(PAGE, forced="text") == "text"
    assert sniff(FRENCH, hint="text", forced="html") == "html"


def test_hint_wins_over_payload():
    assert sniff(PAGE, hint="text") == "text"
    assert sniff(FRENCH, hint="html") == "html"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
        (gzip.compress(PAGE.encode()), "gzip"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF"),
        (b"\x00\x00\x00\x20ftypisom", "MP4"),
        (b"\x01\x02\x03\x04\x05\x06" * 100, "control bytes"),
    ],
)
def test_binary_payloads_are_refused_even_when_forced(data, what):
    for forced in ("auto", "html", "text"):
        with pytest.raises(ThresherError) as err:
            sniff(data, forced=forced)
        assert err.value.reason == "not_html"
        assert what in err.value.message


def test_pdf_message_is_clear():
    with pytest.raises(ThresherError, match="looks like a PDF document"):
        sniff(b"%PDF-1.4 ...")


def test_random_bytes_are_binary():
    rng = random.Random(3)
    assert binary_kind(bytes(rng.randrange(256) for _ in range(2000))) is not None


def test_text_that_starts_like_a_magic_word_is_not_binary():
    assert binary_kind(b"ID3 tags store the artist of a song.") is None
    assert binary_kind(b"MZ is the start of the word MZ-Wallace.") is None


def test_utf16_text_is_not_binary():
    assert binary_kind(FRENCH.encode("utf-16-le")) is None
    assert binary_kind(codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be")) is None


def test_looks_like_markup_on_dense_tags_only():
    assert looks_like_markup("Some intro\n<p>one</p><p>two</p><br><a href='/x'>x</a>")
    assert not looks_like_markup("A line.\n<br>\n" + "More prose without markup. " * 100)


def test_a_short_png_signature_is_binary_not_text():
    # b"\x89PNG..." (the README's example): 0x89 never starts text, and "PNG" after it is an image
    assert binary_kind(b"\x89PNG...") == "a PNG image"
    with pytest.raises(ThresherError) as err:
        sniff(b"\x89PNG...")
    assert err.value.reason == "not_html"


@pytest.mark.parametrize(
    "data",
    [
        '<?xml version="1.0"?><catalog><book><title>a</title><description>'
        + "A long description of the book, plain words and nothing else. " * 12
        + "</description></book></catalog>",
        "<!-- x -->",
        "  <!-- a saved page with nothing but comments -->\n<!-- and another -->\n",
    ],
)
def test_xml_documents_and_bare_comments_are_markup_never_text_with_tags(data):
    # as text their tags would come out as the document's words
    assert sniff(data) == "html"


@pytest.mark.parametrize(
    "data",
    [
        '<?xml version="1.0"?><rss><channel><item><title>a</title><description>'
        + "A long description of the item, plain words and nothing else. " * 12
        + "</description></item></channel></rss>",
        b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry>x</entry></feed>',
    ],
)
def test_feeds_are_refused_with_where_to_send_them_unless_forced(data):
    with pytest.raises(ThresherError, match=r"RSS or Atom feed.*thresher stories") as err:
        sniff(data, hint="html")
    assert err.value.reason == "not_html"
    assert sniff(data, forced="html") == "html"


def test_a_png_decoded_into_a_str_is_still_refused():
    with pytest.raises(ThresherError, match="PNG") as err:
        sniff("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert err.value.reason == "not_html"
