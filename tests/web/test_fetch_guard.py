"""The SSRF guard: only public http(s) addresses, after DNS and after every redirect."""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient

from thresher.errors import ThresherError
from thresher.web.fetch_guard import FetchGuard, FetchRefused, forbidden_reason

from .conftest import ARTICLE

ip = ipaddress.ip_address

PROBES = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://172.16.5.4/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fd00:ec2::254]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number: not an IP literal to urllib, so resolved
]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.31.0.1", "192.168.0.10", "169.254.169.254", "169.254.1.1", "100.100.100.200",
     "::1", "fe80::1", "fd00:ec2::254", "fc00::5", "::ffff:10.0.0.1", "2002:7f00:1::1", "64:ff9b::7f00:1",
     "0.0.0.0", "::", "224.0.0.251", "ff02::1", "240.0.0.1", "255.255.255.255", "100.64.1.1", "192.0.2.1",
     "198.18.0.1", "168.63.129.16"],
)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert forbidden_reason(ip(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert forbidden_reason(ip(address)) is None


def _no_dns(host: str, port: int) -> list[ipaddress.IPv4Address]:
    raise AssertionError(f"unexpected resolution of {host}")


@pytest.mark.parametrize("url", [p for p in PROBES if "2130706433" not in p])
def test_probes_are_refused_before_any_connection(url: str) -> None:
    guard = FetchGuard(resolver=_no_dns)
    with pytest.raises(FetchRefused) as info:
        guard.fetch(url)
    assert info.value.reason == "fetch_refused"
    assert "refused" in info.value.message or "local machine" in info.value.message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/", "//example.org/",
                                 "http://user:pw@example.org/", "http:///nohost", "http://[::1"])
def test_bad_schemes_and_shapes_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused):
        FetchGuard(resolver=_no_dns).fetch(url)


def test_a_name_resolving_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchRefused, match=r"innocent\.example resolves to 127\.0\.0\.1, a loopback address"):
        FetchGuard().fetch("http://innocent.example/page")


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80)),
                (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(FetchRefused, match="::1"):
        FetchGuard().fetch("http://mixed.example/")


# -- a real server on loopback, let through by the test-only permit ------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    redirects: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<p>" + b"x" * 50_000 + b"</p>" if self.path == "/big" else ARTICLE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def origin() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"hits": [], "redirects": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _test_resolver(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    table = {"origin.test": "127.0.0.1", "internal.test": "10.0.0.7"}
    if host not in table:
        raise ThresherError("fetch_error", f"cannot resolve host {host!r}")
    return [ip(table[host])]


def _guard(**kw: object) -> FetchGuard:
    return FetchGuard(resolver=_test_resolver, permit=frozenset({ip("127.0.0.1")}), time_limit=5, **kw)  # type: ignore[arg-type]


def test_permitted_test_server_is_fetched(origin: tuple[str, type[_Handler]]) -> None:
    hostport, handler = origin
    port = hostport.split(":")[1]
    got = _guard().fetch(f"http://origin.test:{port}/page")
    assert got.status == 200
    assert got.charset == "utf-8"
    assert got.content_type == "text/html"
    assert b"Grain and chaff" in got.data
    assert handler.hits == ["/page"]


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.2:{port}/secret", "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/",
     "http://internal.test/", "http://localhost:{port}/", "file:///etc/passwd"],
)
def test_redirect_to_a_forbidden_address_is_refused(origin: tuple[str, type[_Handler]], target: str) -> None:
    hostport, handler = origin
    port = hostport.split(":")[1]
    handler.redirects["/go"] = target.format(port=port)
    with pytest.raises(FetchRefused):
        _guard().fetch(f"http://origin.test:{port}/go")
    assert handler.hits == ["/go"]  # the first hop was made, the second never


def test_redirects_are_followed_and_bounded(origin: tuple[str, type[_Handler]]) -> None:
    hostport, handler = origin
    port = hostport.split(":")[1]
    handler.redirects.update({"/a": "/b", "/b": f"http://origin.test:{port}/page"})
    got = _guard().fetch(f"http://origin.test:{port}/a")
    assert got.url.endswith("/page")
    handler.redirects.update({"/loop": "/loop"})
    with pytest.raises(ThresherError, match="redirects"):
        _guard(max_redirects=3).fetch(f"http://origin.test:{port}/loop")


def test_response_size_is_capped(origin: tuple[str, type[_Handler]]) -> None:
    port = origin[0].split(":")[1]
    with pytest.raises(ThresherError) as info:
        _guard(max_bytes=10_000).fetch(f"http://origin.test:{port}/big")
    assert info.value.reason == "too_large"


# -- through the API -----------------------------------------------------------------------------
def test_fetching_is_off_by_default(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"url": "https://example.org/"})
    assert r.status_code == 400
    assert r.json()["error"] == "fetch_disabled"
    r = client.get("/v1/extract", params={"url": "https://example.org/", "format": "markdown"})
    assert r.status_code == 400
    assert r.json()["error"] == "fetch_disabled"


@pytest.mark.parametrize("url", PROBES)
def test_api_refuses_every_probe(make_client: Callable[..., TestClient], url: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    client = make_client(allow_fetch=True)
    for r in (client.post("/v1/extract", json={"url": url}), client.get("/v1/extract", params={"url": url})):
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "fetch_refused"
        assert body["message"]
        assert "Traceback" not in r.text


def test_api_fetches_through_the_guard(make_client: Callable[..., TestClient],
                                       origin: tuple[str, type[_Handler]]) -> None:
    port = origin[0].split(":")[1]
    client = make_client(allow_fetch=True, fetch_guard=_guard())
    r = client.post("/v1/extract", json={"url": f"http://origin.test:{port}/page"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Grain and chaff"
    assert r.json()["url"] == f"http://origin.test:{port}/page"
    r = client.get("/v1/extract", params={"url": f"http://origin.test:{port}/page", "format": "markdown"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "the harvest was threshed" in r.text and not r.text.lstrip().startswith("{")
    origin[1].redirects["/go"] = "http://169.254.169.254/"
    for r in (client.post("/v1/extract", json={"url": f"http://origin.test:{port}/go"}),
              client.get("/v1/extract", params={"url": f"http://origin.test:{port}/go"})):
        assert r.status_code == 400
        assert "169.254.169.254" in r.json()["message"]
