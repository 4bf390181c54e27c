import gzip
import io

from thresher.model import Failure, Page
from thresher.read.stdin import read_stdin
from thresher.read.text import read_text

TEXT = b"A headline\n\nThe first paragraph of an already scraped page.\n"


def test_text_file_is_a_text_page(tmp_path):
    path = tmp_path / "doc.txt"
    path.write_bytes(TEXT)
    [page] = list(read_text(str(path)))
    assert isinstance(page, Page)
    assert (page.data, page.kind, page.provenance.source) == (TEXT, "text", str(path))


def test_gzipped_text_file(tmp_path):
    path = tmp_path / "doc.txt.gz"
    path.write_bytes(gzip.compress(TEXT))
    [page] = list(read_text(str(path)))
    assert page.data == TEXT


def test_empty_text_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.touch()
    [failure] = list(read_text(str(path)))
    assert isinstance(failure, Failure)
    assert failure.reason == "empty"


def test_missing_text_file(tmp_path):
    [failure] = list(read_text(str(tmp_path / "missing.txt")))
    assert failure.reason == "read_error"


def test_stdin_is_one_auto_page():
    [page] = list(read_stdin(io.BytesIO(b"<p>piped</p>")))
    assert isinstance(page, Page)
    assert (page.data, page.kind, page.provenance.source) == (b"<p>piped</p>", "auto", "<stdin>")


def test_stdin_gzip_and_empty():
    [page] = list(read_stdin(io.BytesIO(gzip.compress(TEXT))))
    assert page.data == TEXT
    [failure] = list(read_stdin(io.BytesIO(b"")))
    assert isinstance(failure, Failure)
    assert failure.reason == "empty"


def test_stdin_over_the_cap():
    [failure] = list(read_stdin(io.BytesIO(b"x" * 100), max_bytes=10))
    assert failure.reason == "too_large"


def _warc(*pages: bytes) -> bytes:
    from thresher.testing.adversarial import warc_record

    out = warc_record("warcinfo", None, b"software: test\r\n", number=0, content_type="application/warc-fields")
    for n, body in enumerate(pages, 1):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        out += warc_record("response", f"http://example.com/{n}", http, number=n,
                           content_type="application/http; msgtype=response")
    return out


def test_stdin_warc_gives_every_record():
    """``cat crawl.warc.gz | thresher``: the records, not the whole archive as one page."""
    from thresher.read.stats import ReadStats

    archive = _warc(b"<p>first page</p>", b"<p>second page</p>")
    for data in (archive, gzip.compress(archive)):
        stats = ReadStats()
        pages = list(read_stdin(io.BytesIO(data), stats=stats))
        assert [p.url for p in pages if isinstance(p, Page)] == ["http://example.com/1", "http://example.com/2"]
        assert all(p.provenance.source == "<stdin>" for p in pages)
        assert stats.skipped["warcinfo"] == 1


def test_stdin_jsonl_gives_every_record():
    data = b'{"html": "<p>one</p>", "url": "https://a.example/1"}\n{"text": "two"}\n{"nothing": 1}\n'
    for payload in (data, gzip.compress(data)):
        items = list(read_stdin(io.BytesIO(payload)))
        assert [type(i).__name__ for i in items] == ["Page", "Page", "Failure"]
        assert items[0].url == "https://a.example/1" and items[1].kind == "text"
        assert items[2].reason == "invalid_record"


def test_stdin_page_that_is_not_an_archive_stays_one_page():
    for data in (b"WARCS are fun\n", b"{not json at all} text", b"  <html><p>x</p></html>"):
        [page] = list(read_stdin(io.BytesIO(data)))
        assert isinstance(page, Page) and page.data == data


def test_stdin_json_document_gives_its_records():
    """``thresher a.html --json | thresher``: a pretty-printed object, or an array of records."""
    import json

    one = json.dumps({"text": "a record", "url": "https://a.example/"}, indent=2).encode()
    [page] = list(read_stdin(io.BytesIO(one)))
    assert isinstance(page, Page) and (page.data, page.url) == ("a record", "https://a.example/")
    many = json.dumps([{"text": "one"}, {"html": "<p>two</p>"}], indent=2).encode()
    assert [p.data for p in read_stdin(io.BytesIO(many))] == ["one", "<p>two</p>"]
