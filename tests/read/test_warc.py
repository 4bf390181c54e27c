import gzip
import zlib
from pathlib import Path

import pytest

from thresher.model import Failure, Page
from thresher.read.stats import ReadStats
from thresher.read.warc import read_warc, read_warc_record, split_http

from .conftest import http_response, warc_file, warc_record

HTML = "<!DOCTYPE html><html><head><title>Café</title></head><body><p>Grüße aus Köln.</p></body></html>"


def build_warc(*, gz: bool = True) -> bytes:
    """warcinfo, request, 2 HTML responses, a PDF, an image, a redirect, a 404, metadata, a bare HTML response."""
    html = "text/html; charset=UTF-8"
    http = "application/http; msgtype=response"
    records = [
        warc_record("warcinfo", None, b"software: thresher-tests\r\n", number=0,
                    content_type="application/warc-fields"),
        warc_record("request", "https://example.org/a", b"GET /a HTTP/1.1\r\nHost: example.org\r\n\r\n",
                    number=1, content_type="application/http; msgtype=request"),
        warc_record("response", "https://example.org/a",
                    http_response(HTML.encode("utf-8"), [("Content-Type", html)]), number=2, content_type=http),
        warc_record("response", "https://example.org/b",
                    http_response(HTML.encode("cp1252"), [("Content-Type", "text/html; charset=iso-8859-1")]),
                    number=3, content_type=http),
        warc_record("response", "https://example.org/c.pdf",
                    http_response(b"%PDF-1.4 fake", [("Content-Type", "application/pdf")]), number=4,
                    content_type=http),
        warc_record("response", "https://example.org/d.png",
                    http_response(b"\x89PNG\r\n\x1a\n", [("Content-Type", "image/png")]), number=5,
                    content_type=http),
        warc_record("response", "https://example.org/old",
                    http_response(b"", [("Location", "/a")], status="301 Moved Permanently"), number=6,
                    content_type=http),
        warc_record("response", "https://example.org/gone",
                    http_response(b"<p>Not found</p>", [("Content-Type", "text/html")], status="404 Not Found"),
                    number=7, content_type=http),
        warc_record("metadata", "https://example.org/a", b"fetchTimeMs: 12\r\n", number=8,
                    content_type="application/warc-fields"),
        warc_record("response", "https://example.org/e", http_response(b"<p>no content type</p>", []),
                    number=9, content_type=http),
    ]
    return warc_file(records, gz=gz)


def build_wet() -> bytes:
    records = [warc_record("warcinfo", None, b"software: thresher-tests\r\n", number=0,
                           content_type="application/warc-fields")]
    for i, text in enumerate(["Erste Zeile\nZweite Zeile", "Second page text"], start=1):
        records.append(warc_record("conversion", f"https://example.org/{i}", text.encode(), number=i,
                                   content_type="text/plain"))
    return warc_file(records, gz=True)


@pytest.fixture
def warc_path(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(build_warc())
    return str(path)


def test_html_responses_become_pages(warc_path):
    stats = ReadStats()
    items = list(read_warc(warc_path, stats=stats))
    assert all(isinstance(i, Page) for i in items)
    assert [p.url for p in items] == ["https://example.org/a", "https://example.org/b", "https://example.org/e"]
    first, second, bare = items
    assert first.data == HTML.encode("utf-8")
    assert (first.kind, first.content_type, first.charset) == ("auto", "text/html", "UTF-8")
    assert second.charset == "iso-8859-1"
    assert (bare.content_type, bare.charset) == (None, None)
    assert first.id is not None and first.id.startswith("<urn:uuid:")
    assert first.provenance.record_id == first.id
    assert first.provenance.date is not None and first.provenance.date.endswith("Z")  # WARC-Date
    assert first.provenance.to_dict()["date"] == first.provenance.date
    assert [p.provenance.record for p in items] == [2, 3, 9]
    assert first.provenance.source == warc_path


def test_skipped_records_are_counted(warc_path):
    stats = ReadStats()
    list(read_warc(warc_path, stats=stats))
    assert stats.skipped == {
        "warcinfo": 1, "request": 1, "metadata": 1, "non_html_response": 2, "redirect": 1, "http_error": 1,
    }


def test_offsets_point_at_the_gzip_member_of_the_record(warc_path):
    with open(warc_path, "rb") as handle:
        raw = handle.read()
    for page in read_warc(warc_path):
        member = zlib.decompressobj(wbits=31).decompress(raw[page.provenance.offset:])
        assert member.startswith(b"WARC/1.")
        assert page.url.encode() in member


def test_uncompressed_warc(tmp_path):
    path = tmp_path / "crawl.warc"
    path.write_bytes(build_warc(gz=False))
    pages = list(read_warc(str(path)))
    assert len(pages) == 3
    with open(path, "rb") as handle:
        handle.seek(pages[0].provenance.offset)
        assert handle.read(7) == b"WARC/1."


def test_wet_conversion_records_are_text_pages(tmp_path):
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(build_wet())
    stats = ReadStats()
    pages = list(read_warc(str(path), stats=stats))
    assert [(p.kind, p.data) for p in pages] == [("text", b"Erste Zeile\nZweite Zeile"), ("text", b"Second page text")]
    assert pages[0].content_type == "text/plain"
    assert stats.skipped == {"warcinfo": 1}


def test_truncated_gzip_archive_yields_what_was_readable_then_one_failure(tmp_path):
    data = build_warc()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[:-25])  # inside the last member
    items = list(read_warc(str(path)))
    assert [type(i).__name__ for i in items] == ["Page", "Page", "Failure"]
    assert items[-1].reason == "truncated"
    assert items[-1].provenance.source == str(path)


def test_archive_cut_inside_a_record_body(tmp_path):
    data = build_warc(gz=False)
    cut = data.index("Köln".encode("cp1252"))  # inside the body of record 3 (https://example.org/b)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:cut])
    items = list(read_warc(str(path)))
    assert [type(i).__name__ for i in items] == ["Page", "Failure"]
    assert items[-1].reason == "truncated"
    assert "inside record 3" in items[-1].message


def test_archive_cut_inside_a_record_header(tmp_path):
    data = build_warc(gz=False)
    cut = data.index(b"WARC-Target-URI: https://example.org/e")
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:cut])
    items = list(read_warc(str(path)))
    assert [type(i).__name__ for i in items] == ["Page", "Page", "Failure"]
    assert items[-1].reason == "truncated"


def test_gzip_archive_cut_between_members(tmp_path):
    data = build_warc()
    tail = gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n")[:-8]  # a member without its trailer
    path = tmp_path / "cut2.warc.gz"
    path.write_bytes(data + tail)
    items = list(read_warc(str(path)))
    assert len([i for i in items if isinstance(i, Page)]) == 3
    assert items[-1].reason == "truncated"


def test_lying_content_length_does_not_stop_the_reading(tmp_path):
    data = build_warc(gz=False)
    start = data.index(b"WARC-Target-URI: https://example.org/b")
    length_at = data.index(b"Content-Length: ", start)
    end = data.index(b"\r\n", length_at)
    declared = int(data[length_at + 16:end])
    lying = data[:length_at] + f"Content-Length: {declared - 40}".encode() + data[end:]
    path = tmp_path / "lying.warc"
    path.write_bytes(lying)
    items = list(read_warc(str(path)))
    urls = [i.url for i in items if isinstance(i, Page)]
    assert urls[0] == "https://example.org/a"
    assert "https://example.org/e" in urls  # records after the broken one are still read


def test_zero_length_record_is_skipped_and_counted(tmp_path):
    records = [
        warc_record("response", "https://example.org/z", b"", number=1, content_type="application/http"),
        warc_record("response", "https://example.org/a", http_response(HTML.encode(), [("Content-Type", "text/html")]),
                    number=2, content_type="application/http"),
    ]
    path = tmp_path / "zero.warc"
    path.write_bytes(warc_file(records, gz=False))
    stats = ReadStats()
    pages = list(read_warc(str(path), stats=stats))
    assert [p.url for p in pages] == ["https://example.org/a"]
    assert stats.skipped == {"empty_record": 1}


def test_chunked_and_gzip_encoded_bodies_are_decoded(tmp_path):
    body = HTML.encode()
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (20, body[:20], len(body) - 20, body[20:])
    records = [
        warc_record("response", "https://example.org/chunked",
                    http_response(chunked, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]),
                    number=1),
        warc_record("response", "https://example.org/gzipped",
                    http_response(gzip.compress(body), [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]),
                    number=2),
    ]
    path = tmp_path / "coded.warc.gz"
    path.write_bytes(warc_file(records, gz=True))
    assert [p.data for p in read_warc(str(path))] == [body, body]


def test_record_over_the_cap_is_a_failure_and_reading_goes_on(warc_path):
    items = list(read_warc(warc_path, max_record_bytes=120))
    assert [i.reason for i in items if isinstance(i, Failure)] == ["too_large"] * 2
    assert [i.url for i in items if isinstance(i, Page)] == ["https://example.org/e"]  # the small one
    assert "over the cap of 120 bytes" in items[0].message


def test_empty_missing_and_foreign_files(tmp_path):
    (tmp_path / "empty.warc").touch()
    [empty] = list(read_warc(str(tmp_path / "empty.warc")))
    assert empty.reason == "empty"
    [missing] = list(read_warc(str(tmp_path / "nope.warc.gz")))
    assert missing.reason == "read_error"
    (tmp_path / "not.warc").write_bytes(b"<html>not an archive</html>")
    [foreign] = list(read_warc(str(tmp_path / "not.warc")))
    assert (foreign.reason, foreign.message) == ("read_error", "not a WARC file")


def test_corrupt_gzip_archive_is_a_failure(tmp_path):
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage " * 50)
    items = list(read_warc(str(path)))
    assert len(items) == 1
    assert items[0].reason in ("read_error", "truncated")


def test_split_http():
    status, headers, body = split_http(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-A: b\r\n\r\n<p>x</p>")
    assert (status, headers, body) == (200, {"content-type": "text/html", "x-a": "b"}, b"<p>x</p>")
    assert split_http(b"HTTP/1.0 404 Not Found\n\nbody") == (404, {}, b"body")


def test_fixture_truncated_member():
    path = str(Path(__file__).resolve().parents[1] / "fixtures" / "read" / "truncated-member.warc.gz")
    stats = ReadStats()
    kept, cut = list(read_warc(path, stats=stats))
    assert isinstance(kept, Page)
    assert kept.url == "https://example.org/kept"
    assert isinstance(cut, Failure)
    assert (cut.reason, cut.url, cut.provenance.record) == ("truncated", "https://example.org/lost", 2)
    assert stats.skipped == {"warcinfo": 1}


@pytest.mark.parametrize("gz", [True, False])
def test_one_record_is_read_again_at_its_offset(tmp_path, gz):
    """The corpus view of `thresher serve` could show no trace for a record of a WARC: its provenance
    (source file, byte offset) named the record, but nothing read one record at an offset."""
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(build_warc(gz=gz))
    pages = list(read_warc(str(path)))
    for page in pages:
        again = read_warc_record(str(path), page.provenance.offset, record=page.provenance.record)
        assert again == page
    assert read_warc_record(str(path), 0) is None  # warcinfo: a record read_warc skips
    assert isinstance(read_warc_record(str(path), 10**9), Failure)
    assert isinstance(read_warc_record(str(tmp_path / "missing.warc"), 0), Failure)
