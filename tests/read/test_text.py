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
