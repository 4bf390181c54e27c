import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from thresher.model import Failure, Page
from thresher.read.fetch import fetch

PAGE = "<!DOCTYPE html><html><body><p>Привет, мир.</p></body></html>".encode("cp1251")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/page":
            self._send(200, PAGE, "text/html; charset=windows-1251")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(1.0)
            self._send(200, b"<p>late</p>", "text/html")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"<p>drip</p>" * 2000)
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif self.path == "/announced":
            self._send(200, b"<p>small</p>", "text/html", length=10**9)
        elif self.path == "/empty":
            self._send(200, b"", "text/html")
        elif self.path == "/ua":
            self._send(200, self.headers.get("User-Agent", "").encode(), "text/plain")
        else:
            self._send(404, b"<p>nothing here</p>", "text/html")

    def _send(self, status: int, body: bytes, content_type: str, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_page(server):
    page = fetch(f"{server}/page")
    assert isinstance(page, Page)
    assert page.data == PAGE
    assert (page.content_type, page.charset, page.kind) == ("text/html", "windows-1251", "auto")
    assert page.url == f"{server}/page"
    assert page.provenance.source == f"{server}/page"


def test_redirect_is_followed_and_the_final_url_kept(server):
    page = fetch(f"{server}/redirect")
    assert isinstance(page, Page)
    assert page.url == f"{server}/page"
    assert page.provenance.source == f"{server}/redirect"


def test_404(server):
    failure = fetch(f"{server}/missing")
    assert isinstance(failure, Failure)
    assert failure.reason == "fetch_error"
    assert failure.message.startswith("HTTP 404 Not Found for http://127.0.0.1:")
    assert failure.url == f"{server}/missing"


def test_slow_server_times_out(server):
    started = time.monotonic()
    failure = fetch(f"{server}/slow", timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert isinstance(failure, Failure)
    assert failure.reason == "fetch_error"
    assert failure.message.startswith("timed out after 0.2 s")


def test_trickling_server_hits_the_total_timeout(server):
    started = time.monotonic()
    failure = fetch(f"{server}/trickle", timeout=0.4)
    assert time.monotonic() - started < 1.5
    assert isinstance(failure, Failure)
    assert failure.message.startswith("timed out after 0.4 s")


def test_huge_body_is_cut_while_streaming(server):
    failure = fetch(f"{server}/huge", max_bytes=50_000)
    assert isinstance(failure, Failure)
    assert failure.message.startswith("response over 50,000 bytes")


def test_announced_size_over_the_cap_is_refused_before_reading(server):
    failure = fetch(f"{server}/announced", max_bytes=1000)
    assert isinstance(failure, Failure)
    assert "response over 1,000 bytes" in failure.message


def test_empty_response(server):
    failure = fetch(f"{server}/empty")
    assert isinstance(failure, Failure)
    assert failure.reason == "empty"


def test_user_agent_is_sent(server):
    page = fetch(f"{server}/ua", user_agent="thresher-test/1")
    assert isinstance(page, Page)
    assert page.data == b"thresher-test/1"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "/local/path.html", "javascript:x"])
def test_non_http_schemes_are_refused(url):
    failure = fetch(url)
    assert isinstance(failure, Failure)
    assert failure.reason == "fetch_error"
    assert "only http and https" in failure.message


def test_connection_refused():
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    failure = fetch(f"http://127.0.0.1:{port}/", timeout=2)
    assert isinstance(failure, Failure)
    assert failure.reason == "fetch_error"
    assert failure.message.startswith("cannot fetch")
