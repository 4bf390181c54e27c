import gzip
import io
import tracemalloc

import pytest

from thresher.errors import ThresherError
from thresher.model import Failure, Page
from thresher.read.html import read_html
from thresher.read.payload import gunzip_stream

PAGE = b"<!DOCTYPE html><html><head><title>t</title></head><body><p>Hello, world.</p></body></html>"


def only(items):
    items = list(items)
    assert len(items) == 1
    return items[0]


def test_html_file(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE)
    page = only(read_html(str(path)))
    assert isinstance(page, Page)
    assert page.data == PAGE
    assert page.kind == "auto"
    assert page.provenance.source == str(path)


def test_gzipped_html_file(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE))
    assert only(read_html(str(path))).data == PAGE


def test_multi_member_gzip_is_read_whole(tmp_path):
    path = tmp_path / "page.htm.gz"
    path.write_bytes(gzip.compress(PAGE[:20]) + gzip.compress(PAGE[20:]))
    assert only(read_html(str(path))).data == PAGE


def test_truncated_gzip_is_a_failure(tmp_path):
    path = tmp_path / "cut.html.gz"
    path.write_bytes(gzip.compress(PAGE * 50)[:-30])
    failure = only(read_html(str(path)))
    assert isinstance(failure, Failure)
    assert failure.reason == "truncated"
    assert failure.provenance.source == str(path)


def test_corrupt_gzip_is_a_read_error(tmp_path):
    path = tmp_path / "bad.html.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"not deflate data at all" * 5)
    failure = only(read_html(str(path)))
    assert isinstance(failure, Failure)
    assert failure.reason == "read_error"


def _bomb(path, megabytes: int) -> None:
    """``megabytes`` MB of zeros: one 8 MB gzip member (a few KB), written over and over."""
    member = gzip.compress(bytes(8 << 20), mtime=0)
    with open(path, "wb") as handle:
        for _ in range(megabytes // 8):
            handle.write(member)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("bomb") / "bomb.html.gz"
    _bomb(path, 200)
    return path


def test_gzip_bomb_stops_at_the_cap(bomb):
    path = bomb
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        failure = only(read_html(str(path), max_bytes=2_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # bounded by the cap, not by the 200 MB the file inflates to
    assert isinstance(failure, Failure)
    assert failure.reason == "too_large"
    assert "2,000,000" in failure.message


def test_gzip_bomb_with_the_default_cap(bomb):
    failure = only(read_html(str(bomb)))
    assert isinstance(failure, Failure)
    assert failure.reason == "too_large"


def test_plain_file_over_the_cap(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(PAGE * 100)
    assert only(read_html(str(path), max_bytes=1000)).reason == "too_large"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"")
    failure = only(read_html(str(path)))
    assert (failure.reason, failure.message) == ("empty", "empty file")


def test_missing_file(tmp_path):
    failure = only(read_html(str(tmp_path / "nope.html")))
    assert failure.reason == "read_error"
    assert "no such file" in failure.message


def test_gunzip_stream_ignores_zero_padding():
    data = gzip.compress(PAGE) + bytes(512)
    assert gunzip_stream(io.BytesIO(data), max_bytes=10_000) == PAGE


def test_gunzip_stream_exact_cap_is_allowed():
    assert gunzip_stream(io.BytesIO(gzip.compress(PAGE)), max_bytes=len(PAGE)) == PAGE
    with pytest.raises(ThresherError):
        gunzip_stream(io.BytesIO(gzip.compress(PAGE)), max_bytes=len(PAGE) - 1)
