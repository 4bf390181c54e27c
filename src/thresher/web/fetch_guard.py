"""The server's URL fetcher, guarded against server-side request forgery (SSRF).

A client of ``thresher serve`` may ask for a URL to be fetched (only when the server was started with
``allow_fetch``). Every address the request would touch is checked before a byte is sent:

* only ``http`` and ``https``, no credentials in the URL;
* the host name is resolved once, and *every* address it resolves to must be public: loopback,
  private, link-local, multicast, reserved, unspecified, shared (CGNAT), documentation ranges and the
  cloud metadata endpoints are refused — also when hidden in IPv4-mapped, 6to4, Teredo or NAT64 form;
* the connection goes to the checked address itself (no second resolution, so DNS rebinding cannot
  swap it), with the original host name in ``Host`` and for TLS (SNI and certificate check);
* redirects are followed by hand, at most ``max_redirects``, each new location checked the same way;
* the body is read up to ``max_bytes`` and the whole fetch is bounded by ``time_limit`` seconds.

Tests inject ``resolver`` (to map a name to chosen addresses) and ``permit`` (addresses let through
although they are not public, e.g. a test server on 127.0.0.1). Production code passes neither.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

from thresher.errors import ThresherError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[IPAddress]]

METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean ... instance metadata
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "100.100.100.200",  # Alibaba Cloud metadata
        "192.0.0.192",  # Oracle Cloud metadata
        "168.63.129.16",  # Azure WireServer (a public address, so named here)
    )
)
"""Cloud metadata endpoints, refused even where they are not in a non-public range."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchRefused(ThresherError):
    """The URL or one of its addresses is not allowed (reason ``fetch_refused``)."""

    def __init__(self, message: str) -> None:
        super().__init__("fetch_refused", message)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched response body with what the transport said about it."""

    url: str
    """The final URL, after redirects."""
    data: bytes
    status: int
    content_type: str | None = None
    charset: str | None = None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why a connection to ``ip`` is refused, or ``None`` when the address is public."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: IPAddress | None = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            if inner:
                return f"{inner} (embedded in {ip})"
    for attr, what in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "the unspecified address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private address"),
    ):
        if getattr(ip, attr):
            return what
    if not ip.is_global:
        return "not a public address"
    return None


def system_resolver(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to (A and AAAA), through the system resolver."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise ThresherError("fetch_error", f"cannot resolve host {host!r}: {err}") from err
    out: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in out:
            out.append(ip)
    return out


@dataclass(frozen=True, slots=True)
class FetchGuard:
    """Fetch public http(s) URLs only; see the module docstring for every check."""

    max_bytes: int = 20_000_000
    time_limit: float = 15.0
    max_redirects: int = 5
    user_agent: str = "thresher-serve (+https://github.com/thresher)"
    resolver: Resolver = system_resolver
    """Name → addresses. Tests inject their own; the default asks the system resolver."""
    permit: Collection[IPAddress] = field(default_factory=frozenset)
    """Non-public addresses let through anyway. For tests only: production passes nothing."""

    def check_url(self, url: str) -> tuple[str, str, int, str, IPAddress]:
        """Validate ``url`` and resolve it: (scheme, host, port, path+query, the address to use)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as err:
            raise FetchRefused(f"not a valid URL: {err}") from err
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchRefused(f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}")
        if parts.username is not None or parts.password is not None:
            raise FetchRefused("URLs with credentials are not fetched")
        host = parts.hostname
        if not host:
            raise FetchRefused("the URL has no host")
        port = port or (443 if scheme == "https" else 80)
        try:
            addresses: Sequence[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            if host.rstrip(".").lower() in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
                raise FetchRefused(f"host {host!r} is the local machine") from None
            addresses = self.resolver(host, port)
        if not addresses:
            raise ThresherError("fetch_error", f"host {host!r} has no address")
        for ip in addresses:  # every address: a name must not mix a public and a private one
            reason = forbidden_reason(ip)
            if reason and ip not in self.permit:
                raise FetchRefused(f"refused to fetch {url}: {host} resolves to {ip}, {reason}")
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return scheme, host, port, target, addresses[0]

    def fetch(self, url: str) -> Fetched:
        """GET ``url``, following redirects by hand; raises ThresherError (fetch_refused/fetch_error/too_large)."""
        started = time.monotonic()
        for _hop in range(self.max_redirects + 1):
            scheme, host, port, target, ip = self.check_url(url)
            remaining = self.time_limit - (time.monotonic() - started)
            if remaining <= 0:
                raise ThresherError("timeout", f"fetching took longer than {self.time_limit:g} s")
            conn = _connection(scheme, host, port, ip, remaining)
            try:
                default_port = 443 if scheme == "https" else 80
                host_header = host if port == default_port else f"{host}:{port}"
                if ":" in host and not host.startswith("["):
                    host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
                conn.request(
                    "GET",
                    target,
                    headers={
                        "Host": host_header,
                        "User-Agent": self.user_agent,
                        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                        "Accept-Encoding": "identity",
                    },
                )
                resp = conn.getresponse()
                try:
                    if resp.status in (301, 302, 303, 307, 308):
                        location = resp.getheader("Location")
                        if not location:
                            raise ThresherError("fetch_error", f"redirect {resp.status} without a Location")
                        url = urljoin(url, location)
                        continue
                    if resp.status >= 400:
                        raise ThresherError("fetch_error", f"the server answered HTTP {resp.status} for {url}")
                    data = self._read(resp, started)
                finally:
                    resp.close()
                media, charset = _content_type(resp.getheader("Content-Type"))
                return Fetched(url=url, data=data, status=resp.status, content_type=media, charset=charset)
            except (OSError, http.client.HTTPException) as err:
                if isinstance(err, TimeoutError | socket.timeout):
                    raise ThresherError("timeout", f"fetching {url} took too long") from err
                raise ThresherError("fetch_error", f"cannot fetch {url}: {err}") from err
            finally:
                conn.close()
        raise ThresherError("fetch_error", f"more than {self.max_redirects} redirects")

    def _read(self, resp: http.client.HTTPResponse, started: float) -> bytes:
        declared = resp.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise ThresherError("too_large", f"the response is {int(declared):,} bytes, over {self.max_bytes:,}")
        chunks: list[bytes] = []
        total = 0
        while True:
            if time.monotonic() - started > self.time_limit:
                raise ThresherError("timeout", f"fetching took longer than {self.time_limit:g} s")
            chunk = resp.read(65536)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > self.max_bytes:
                raise ThresherError("too_large", f"the response is over {self.max_bytes:,} bytes")
            chunks.append(chunk)


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    msg = Message()
    msg["Content-Type"] = header
    charset = msg.get_param("charset")
    return msg.get_content_type(), charset if isinstance(charset, str) else None


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with SNI and certificate check against the host name."""

    def __init__(self, host: str, port: int, ip: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip
        self._ctx = ssl.create_default_context()

    def connect(self) -> None:
        sock = socket.create_connection((str(self._ip), self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a checked address (never re-resolves the name)."""

    def __init__(self, host: str, port: int, ip: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._ip), self.port), self.timeout)


def _connection(scheme: str, host: str, port: int, ip: IPAddress, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPSConnection(host, port, ip, timeout)
    return _PinnedHTTPConnection(host, port, ip, timeout)
