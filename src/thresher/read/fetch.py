"""Fetch one page over HTTP(S) with the standard library: a size cap while streaming, a timeout.

Only ``http`` and ``https`` URLs are fetched. Every problem comes back as a ``fetch_error`` Failure
whose message says what happened (HTTP status, time-out, size), never as an exception.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import urlsplit

from thresher.model import Failure, Page, Provenance

DEFAULT_USER_AGENT = "thresher/0.1 (+https://github.com/thresher)"
_CHUNK = 1 << 16


def fetch(
    url: str,
    *,
    timeout: float = 10.0,
    max_bytes: int = 20_000_000,
    user_agent: str = DEFAULT_USER_AGENT,
) -> Page | Failure:
    """Download ``url``; the Page carries the final URL, Content-Type and its charset."""
    where = Provenance(source=url)

    def failed(message: str) -> Failure:
        return Failure(reason="fetch_error", message=message, url=url, provenance=where)

    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        return failed(f"only http and https URLs can be fetched, not {scheme or 'a relative path'}: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Encoding": "identity"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                return failed(f"response over {max_bytes:,} bytes ({int(length):,} announced) for {url}")
            body = bytearray()
            while True:
                if time.monotonic() - started > timeout:
                    return failed(f"timed out after {timeout:g} s for {url}")
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                body += chunk
                if len(body) > max_bytes:
                    return failed(f"response over {max_bytes:,} bytes for {url}")
            headers: Message = response.headers
            final_url = response.geturl()
    except urllib.error.HTTPError as err:
        err.close()
        return failed(f"HTTP {err.code} {err.reason} for {url}")
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            return failed(f"timed out after {timeout:g} s for {url}")
        return failed(f"cannot fetch {url}: {err.reason}")
    except TimeoutError:
        return failed(f"timed out after {timeout:g} s for {url}")
    except (OSError, ValueError) as err:  # connection reset, bad URL, invalid HTTP ...
        return failed(f"cannot fetch {url}: {err}")
    if not body:
        return Failure(reason="empty", message=f"empty response from {url}", url=url, provenance=where)
    content_type = headers.get_content_type() if headers.get("Content-Type") else None
    return Page(
        data=bytes(body),
        url=final_url or url,
        kind="auto",
        content_type=content_type,
        charset=headers.get_content_charset(),
        provenance=where,
    )
