"""The /v1 API through the real app: records, statuses and error bodies."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
import httpx
from fastapi.testclient import TestClient

import thresher
from thresher.options import Options

from .conftest import ARTICLE


def _no_traceback(body: str) -> None:
    assert "Traceback" not in body
    assert 'File "' not in body


def test_extract_raw_html_is_the_librarys_record(client: TestClient) -> None:
    r = client.post("/v1/extract", content=ARTICLE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    assert r.status_code == 200
    rec = r.json()
    lib = thresher.extract(ARTICLE).to_dict()
    assert rec["text"] == lib["text"]
    assert rec["title"] == lib["title"] == "Grain and chaff"
    assert rec["mode"] == "html"
    assert "threshed on the farm" in rec["text"]
    assert "All rights reserved" not in rec["text"]
    assert {b["label"] for b in rec["removed"]} - {"main"}


def test_extract_raw_text_uses_the_text_engine(client: TestClient) -> None:
    body = "A title line\n\nThe first paragraph of plain text, long enough to count as content here.\n"
    r = client.post("/v1/extract", content=body.encode(), headers={"Content-Type": "text/plain"},
                    params={"url": "https://example.org/a", "id": "doc-1"})
    assert r.status_code == 200
    rec = r.json()
    assert rec["mode"] == "text"
    assert rec["id"] == "doc-1"
    assert rec["hostname"] == "example.org"
    assert "first paragraph of plain text" in rec["text"]


def test_extract_json_with_options(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE, "url": "https://example.org/x",
                                         "options": {"with_markdown": True}})
    assert r.status_code == 200
    rec = r.json()
    assert rec["url"] == "https://example.org/x"
    assert "markdown" in rec
    assert rec == {**thresher.extract(ARTICLE, url="https://example.org/x",
                                      options=Options(with_markdown=True)).to_dict(),
                   "source": "<http>", "provenance": rec["provenance"]}


def test_extract_json_text(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"text": "Some text.\n\nAnother paragraph that is long enough to keep."})
    assert r.status_code == 200
    assert r.json()["mode"] == "text"


def test_batch_answers_one_record_per_item_in_order(client: TestClient) -> None:
    items = [{"html": ARTICLE, "id": "a"}, {"text": "  \n ", "id": "b"}, {"text": "Plain words here, enough.", "id": "c"}]
    r = client.post("/v1/extract/batch", json=items)
    assert r.status_code == 200
    recs = r.json()
    assert [rec["id"] for rec in recs] == ["a", "b", "c"]
    assert recs[0]["title"] == "Grain and chaff"
    assert recs[1]["error"] == "empty"
    assert "error" not in recs[2]


def test_answers_are_the_bytes_jsonresponse_would_send(client: TestClient) -> None:
    """The worker renders each answer (service.Answer): the same compact UTF-8 JSON starlette's
    JSONResponse sends, for one page and for a batch."""
    from fastapi.responses import JSONResponse

    page = ARTICLE.replace("Paragraph 0:", "Paragraph 0 (Ähren, 麦, \"quoted\"):")
    r = client.post("/v1/extract", content=page.encode(), headers={"Content-Type": "text/html"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "Ähren, 麦".encode() in r.content  # UTF-8 as is, not escaped
    assert r.content == JSONResponse(r.json()).body
    r = client.post("/v1/extract/batch", json=[{"html": page, "id": "a"}, {"text": " ", "id": "b"}, {"id": "c"}])
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert [rec.get("error") for rec in r.json()] == [None, "empty", "invalid_record"]
    assert r.content == JSONResponse(r.json()).body


def test_batch_over_the_item_cap_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_batch=3)
    r = client.post("/v1/extract/batch", json=[{"text": "x"}] * 4)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


def test_body_over_the_size_cap_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_request_bytes=10_000)
    r = client.post("/v1/extract", content=b"<p>" + b"a" * 20_000, headers={"Content-Type": "text/html"})
    assert r.status_code == 413
    assert r.json() == {"error": "too_large", "message": "the request body is over 10,000 bytes"}


def test_chunked_body_over_the_size_cap_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_request_bytes=10_000)

    def chunks():  # no Content-Length: the cap counts bytes as they arrive
        for _ in range(5):
            yield b"a" * 4000

    r = client.post("/v1/extract", content=chunks(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 413


def test_page_over_the_librarys_cap_is_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(options=Options(max_bytes=1000))
    r = client.post("/v1/extract", json={"text": "word " * 1000})
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


@pytest.mark.parametrize(
    ("body", "content_type", "fragment"),
    [
        (b"{not json", "application/json", "Invalid JSON"),
        (b'{"text": "x", "options": {"bogus": 1}}', "application/json", "options.bogus"),
        (b'{"text": "x", "options": {"focus": "everything"}}', "application/json", "options.focus"),
        (b'{"text": "x", "options": {"time_limit": -1}}', "application/json", "options.time_limit"),
        (b'{"text": "x", "html": "<p>y</p>"}', "application/json", "only one"),
        (b"{}", "application/json", "one of html, text or url"),
        (b"[1, 2]", "application/json", "body"),
        (b"", "text/html", "empty"),
    ],
)
def test_bad_requests_are_422_with_a_clear_message(
    client: TestClient, body: bytes, content_type: str, fragment: str
) -> None:
    r = client.post("/v1/extract", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 422, r.text
    data = r.json()
    assert set(data) == {"error", "message"}
    assert data["error"] == "invalid_request"
    assert fragment in data["message"]
    _no_traceback(r.text)


@pytest.mark.parametrize("body", [b"not json", b'{"a": 1}', b'[{"text": 5}]'])
def test_bad_batches_are_422(client: TestClient, body: bytes) -> None:
    r = client.post("/v1/extract/batch", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request"


def test_unreadable_page_is_422_with_the_error_record(client: TestClient) -> None:
    r = client.post("/v1/extract", content=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", headers={"Content-Type": "text/html"})
    assert r.status_code == 422
    assert r.json()["error"] == "not_html"


def test_api_key_is_required_when_set(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_key="s3cret")
    page = {"text": "Some words that make a page."}
    assert client.post("/v1/extract", json=page).status_code == 401
    bad = client.post("/v1/extract", json=page, headers={"X-API-Key": "wrong"})
    assert bad.status_code == 401
    assert bad.json()["error"] == "unauthorized"
    assert client.post("/v1/extract/batch", json=[page]).status_code == 401
    assert client.post("/v1/extract", json=page, headers={"X-API-Key": "s3cret"}).status_code == 200
    assert client.post("/v1/extract", json=page, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/healthz").status_code == 200  # liveness needs no key


def test_tiny_time_limit_on_a_big_page_is_504(client: TestClient) -> None:
    big = "<html><body>" + "".join(
        f"<div class='c{i}'><p>Paragraph {i} with some words in it, and a <a href='/l{i}'>link</a>.</p></div>"
        for i in range(20_000)
    ) + "</body></html>"
    r = client.post("/v1/extract", json={"html": big, "options": {"time_limit": 0.001}})
    assert r.status_code == 504
    assert r.json()["error"] == "timeout"
    _no_traceback(r.text)


def test_request_cannot_raise_the_servers_time_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(options=Options(time_limit=0.001))
    big = "<html><body>" + "<p>words and more words, and more.</p>" * 20_000 + "</body></html>"
    r = client.post("/v1/extract", json={"html": big, "options": {"time_limit": 3600}})
    assert r.status_code == 504


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    r = client.get("/v1/nothing")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    r = client.get("/v1/extract")  # GET fetches ?url=; without one it says what to send
    assert r.status_code == 422
    assert "url=" in r.json()["message"]
    r = client.put("/v1/extract", content=b"<p>x</p>")
    assert r.status_code == 405
    assert r.json()["error"] == "method_not_allowed"
    assert r.headers["allow"] == "GET, HEAD, POST"  # both routes of the path


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": thresher.__version__}
    schema = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/extract/batch", "/healthz"} <= set(schema["paths"])
    assert {p["name"] for p in schema["paths"]["/v1/extract"]["get"]["parameters"]} >= {"url", "format"}
    assert "ExtractRequest" in schema["components"]["schemas"]
    content = schema["paths"]["/v1/extract"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/html", "text/plain"} <= set(content)


def test_internal_errors_are_json_without_traceback(
    make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(raise_server_exceptions=False)
    from thresher.web import service

    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service.Runner, "answer_timed", boom)
    r = client.post("/v1/extract", json={"text": "x y z"})
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "message": "the server failed on this request; see its log"}
    assert "secret internals" not in r.text
    _no_traceback(r.text)


def test_responses_carry_security_headers(client: TestClient) -> None:
    r = client.get("/healthz")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_cross_origin_posts_are_refused(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"text": "x y"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/v1/extract", json={"text": "x y"}, headers={"Origin": "http://testserver"})
    assert r.status_code == 200


def test_unknown_host_header_is_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client(allowed_hosts=("127.0.0.1", "localhost"))
    assert client.get("/healthz").status_code == 400  # TestClient sends Host: testserver
    assert client.get("/healthz", headers={"Host": "localhost:8000"}).status_code == 200


def test_error_bodies_are_small_json(client: TestClient) -> None:
    r = client.post("/v1/extract", content=b"{", headers={"Content-Type": "application/json"})
    assert json.loads(r.text).keys() == {"error", "message"}


def test_multipart_upload_is_the_uploaded_page_not_the_form(client: TestClient) -> None:
    """``curl -F file=@page.html`` (or ``-F html=@...``): the page is the file, never the multipart
    envelope with its boundaries and part headers."""
    lib = thresher.extract(ARTICLE, url="https://example.org/x").to_dict()
    for field in ("file", "html"):
        r = client.post("/v1/extract", files={field: ("page.html", ARTICLE.encode(), "text/html")},
                        data={"url": "https://example.org/x", "id": "up-1"})
        assert r.status_code == 200, r.text
        rec = r.json()
        assert rec["text"] == lib["text"] and rec["title"] == "Grain and chaff"
        assert rec["url"] == "https://example.org/x" and rec["id"] == "up-1"
        assert "Content-Disposition" not in rec["text"] and "--" not in rec["text"][:5]


def test_a_gzipped_upload_is_the_page_it_holds(make_client: Callable[..., TestClient]) -> None:
    """``curl -F file=@page.html.gz``: the upload is decompressed as a raw ``page.html.gz`` body is,
    within the page cap (it came back as ``not_html: looks like gzip-compressed data``)."""
    import gzip

    client = make_client()
    lib = thresher.extract(ARTICLE).to_dict()
    r = client.post("/v1/extract", files={"file": ("page.html.gz", gzip.compress(ARTICLE.encode()),
                                                   "application/gzip")})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == lib["text"]
    small = make_client(options=Options(max_bytes=1000))
    r = small.post("/v1/extract", files={"file": ("big.html.gz", gzip.compress(b"<p>" + b"a" * 100_000),
                                                  "application/gzip")})
    assert r.status_code == 413 and r.json()["error"] == "too_large"


def test_form_fields_are_read_as_fields(client: TestClient) -> None:
    """``curl -d html=...`` / ``-F text=...``: the field's value is the page; the field name is not text."""
    r = client.post("/v1/extract", data={"html": ARTICLE, "url": "https://example.org/x"})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == thresher.extract(ARTICLE).text and r.json()["url"] == "https://example.org/x"
    r = client.post("/v1/extract", files={"text": (None, "Plain words here.\n\nA second paragraph of them.")})
    assert r.status_code == 200, r.text
    assert r.json()["mode"] == "text" and not r.json()["text"].startswith("text=")


def test_raw_page_sent_as_a_form_is_still_the_page(client: TestClient) -> None:
    """``curl -d @page.html`` labels a raw page as a form: it is not a form, so it is the page."""
    r = client.post("/v1/extract", content=ARTICLE.encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert r.json()["title"] == "Grain and chaff"


@pytest.mark.parametrize("files", [{"other": ("a.bin", b"x", "text/plain")}, {}])
def test_form_without_a_page_is_422(client: TestClient, files: dict) -> None:
    r = client.post("/v1/extract", files=files or None, data={"id": "x"} if not files else None)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request" and "html" in r.json()["message"]


def test_form_with_only_a_url_asks_for_a_fetch(client: TestClient) -> None:
    r = client.post("/v1/extract", data={"url": "https://example.org/x"})
    assert r.status_code == 400 and r.json()["error"] == "fetch_disabled"


def test_an_empty_page_in_a_batch_is_its_own_error_record(client: TestClient) -> None:
    """A scraped page can be empty: one such item gets an ``empty`` record, the rest of the batch is
    still extracted (as with a page of blanks)."""
    r = client.post("/v1/extract/batch", json=[{"html": ARTICLE, "id": "a"}, {"text": "", "id": "b"},
                                               {"html": "", "id": "c"}])
    assert r.status_code == 200, r.text
    recs = r.json()
    assert [rec["id"] for rec in recs] == ["a", "b", "c"]
    assert recs[0]["title"] == "Grain and chaff"
    assert recs[1]["error"] == recs[2]["error"] == "empty"


def test_an_empty_page_alone_is_422_empty(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"html": ""})
    assert r.status_code == 422 and r.json()["error"] == "empty"


# -- answers as Markdown, text or HTML (?format= or Accept) ------------------------------------------

_ARTICLE_URL = "https://example.org/x"


def _lib(fmt: str, *, with_metadata: bool = False, **opts: bool) -> str:
    """What the CLI writes for ARTICLE in this output format (the writers in thresher.write)."""
    from thresher.write.formats import get_format

    doc = thresher.extract(ARTICLE, url=_ARTICLE_URL, options=Options(**opts))
    out = get_format(fmt).render(doc, with_metadata=with_metadata)
    assert out is not None
    return out


@pytest.mark.parametrize(
    ("how", "fmt", "media", "cli"),
    [
        ({"params": {"format": "markdown"}}, "markdown", "text/markdown", ("markdown", {"with_markdown": True})),
        ({"headers": {"Accept": "text/markdown"}}, "markdown", "text/markdown", ("markdown", {"with_markdown": True})),
        ({"params": {"format": "text"}}, "text", "text/plain", ("txt", {})),
        ({"headers": {"Accept": "text/plain"}}, "text", "text/plain", ("txt", {})),
        ({"params": {"format": "html"}}, "html", "text/html", ("html", {"with_html": True})),
        ({"headers": {"Accept": "text/html"}}, "html", "text/html", ("html", {"with_html": True})),
    ],
)
def test_extract_answers_in_the_format_asked(
    client: TestClient, how: dict, fmt: str, media: str, cli: tuple[str, dict[str, bool]]
) -> None:
    params = {"url": _ARTICLE_URL, **how.get("params", {})}
    headers = {"Content-Type": "text/html", **how.get("headers", {})}
    r = client.post("/v1/extract", content=ARTICLE.encode(), params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"{media}; charset=utf-8"
    assert "server-timing" in r.headers
    assert r.text == _lib(cli[0], **cli[1])
    assert not r.text.lstrip().startswith("{")
    if fmt == "markdown":
        assert r.text.startswith("Paragraph 0: the harvest") and "fields.\n\nParagraph 1:" in r.text
        assert "All rights reserved" not in r.text
    elif fmt == "text":
        assert r.text == thresher.extract(ARTICLE).text + "\n"
    else:
        assert r.text.startswith("<!DOCTYPE html>") and "<article" in r.text and "<p>" in r.text and "All rights reserved" not in r.text


def test_markdown_with_metadata_has_the_clis_front_matter(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE, "url": _ARTICLE_URL},
                    params={"format": "markdown", "with_metadata": "true"})
    assert r.status_code == 200, r.text
    assert r.text == _lib("markdown", with_metadata=True, with_markdown=True)
    assert r.text.startswith("---\ntitle: Grain and chaff\n")
    assert "\nauthor: " in r.text and "\nhostname: example.org\n" in r.text
    r = client.post("/v1/extract", json={"html": ARTICLE, "url": _ARTICLE_URL},
                    params={"format": "text", "with_metadata": "1"})
    assert r.text == _lib("txt", with_metadata=True)


def test_explicit_format_wins_over_accept(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE}, params={"format": "text"},
                    headers={"Accept": "text/markdown"})
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    r = client.post("/v1/extract", json={"html": ARTICLE}, params={"format": "json"},
                    headers={"Accept": "text/markdown"})
    assert r.headers["content-type"] == "application/json" and r.json()["title"] == "Grain and chaff"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/markdown;q=0.5, text/plain", "text/plain"),
        ("application/json, text/markdown;q=0.9", "application/json"),
        ("text/x-markdown", "text/markdown"),
        ("*/*", "application/json"),
        ("text/*", "text/plain"),
        ("application/xml", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ],
)
def test_accept_negotiation(client: TestClient, accept: str, media: str) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media


def test_json_stays_the_default_record(client: TestClient) -> None:
    for headers in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        r = client.post("/v1/extract", json={"html": ARTICLE, "url": _ARTICLE_URL}, headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        lib = thresher.extract(ARTICLE, url=_ARTICLE_URL).to_dict()
        assert r.json() == {**lib, "source": "<http>", "provenance": r.json()["provenance"]}
        assert "markdown" not in r.json() and "html" not in r.json()


@pytest.mark.parametrize("how", [{"params": {"format": "markdown"}}, {"headers": {"Accept": "text/plain"}},
                                 {"params": {"format": "html"}}])
def test_errors_stay_json_in_every_format(client: TestClient, how: dict) -> None:
    def post(headers: dict[str, str] | None = None, **kwargs: object) -> httpx.Response:
        return client.post("/v1/extract", params=how.get("params"), headers={**how.get("headers", {}), **(headers or {})},
                           **kwargs)  # type: ignore[arg-type]

    r = post(content=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", headers={"Content-Type": "text/html"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert r.json()["error"] == "not_html"
    r = post(content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"
    r = post(data={"url": "https://example.org/x"})
    assert r.status_code == 400 and r.json()["error"] == "fetch_disabled"
    big = "<html><body>" + "<p>words and more words, and more.</p>" * 20_000 + "</body></html>"
    r = post(json={"html": big, "options": {"time_limit": 0.001}})
    assert r.status_code == 504 and r.headers["content-type"] == "application/json"
    assert r.json()["error"] == "timeout"


def test_errors_stay_json_for_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(options=Options(max_bytes=1000))
    r = client.post("/v1/extract", json={"text": "word " * 1000}, params={"format": "markdown"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"


@pytest.mark.parametrize("params", [{"format": "pdf"}, {"format": "markdown", "with_metadata": "maybe"}])
def test_unknown_format_or_flag_is_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE}, params=params)
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request"
    assert ("format" if "pdf" in params.values() else "with_metadata") in r.json()["message"]


def test_a_rejected_document_is_an_empty_answer_that_says_why(client: TestClient) -> None:
    r = client.post("/v1/extract", json={"html": ARTICLE, "options": {"min_text_length": 1_000_000}},
                    params={"format": "markdown"})
    assert r.status_code == 200
    assert r.text == ""
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert r.headers["x-thresher-rejected"]


def test_batch_answers_json_and_refuses_other_formats(client: TestClient) -> None:
    items = [{"html": ARTICLE, "id": "a"}]
    r = client.post("/v1/extract/batch", json=items, headers={"Accept": "text/markdown"})
    assert r.status_code == 200 and r.json()[0]["title"] == "Grain and chaff"  # Accept is not an order
    assert client.post("/v1/extract/batch", json=items, params={"format": "json"}).status_code == 200
    r = client.post("/v1/extract/batch", json=items, params={"format": "markdown"})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request" and "format" in r.json()["message"]
    assert "/v1/extract" in r.json()["message"]


def test_answer_formats_are_in_the_schema_and_on_the_docs_page(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/v1/extract"]["post"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["format"]["schema"]["enum"] == ["json", "markdown", "text", "html"]
    assert params["with_metadata"]["schema"]["type"] == "boolean"
    assert {"application/json", "text/markdown", "text/plain", "text/html"} <= set(op["responses"]["200"]["content"])
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Record"}
    docs = client.get("/docs").text
    assert "format=markdown" in docs and "text/markdown" in docs and "X-Thresher-Rejected" in docs


def test_a_gzipped_body_is_the_page_it_holds(client: TestClient) -> None:
    import gzip

    plain = client.post("/v1/extract", content=ARTICLE.encode(), headers={"Content-Type": "text/html"}).json()
    packed = gzip.compress(ARTICLE.encode())
    encoded = client.post("/v1/extract", content=packed,  # Content-Encoding: gzip, as HTTP clients send it
                          headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    raw = client.post("/v1/extract", content=packed,  # a page.html.gz file posted as is
                      headers={"Content-Type": "application/octet-stream"})
    as_json = client.post("/v1/extract", content=gzip.compress(json.dumps({"html": ARTICLE}).encode()),
                          headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    for r in (encoded, raw, as_json):
        assert r.status_code == 200, r.text
        assert r.json()["text"] == plain["text"]


def test_a_gzipped_body_is_bounded_after_decompression(make_client: Callable[..., TestClient]) -> None:
    import gzip

    client = make_client(options=Options(max_bytes=1000))
    r = client.post("/v1/extract", content=gzip.compress(b"<p>" + b"a" * 100_000 + b"</p>"),
                    headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"
    r = client.post("/v1/extract", content=b"\x1f\x8b\x08\x00broken", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 422
    r = client.post("/v1/extract", content=b"<p>x</p>", headers={"Content-Encoding": "br"})
    assert r.status_code == 415
    assert r.json()["error"] == "unsupported_media_type"


def test_a_gzipped_json_or_batch_body_is_capped_as_a_request_not_as_a_page(
    make_client: Callable[..., TestClient],
) -> None:
    import gzip

    # JSON escapes a page (\uXXXX for each CJK character) and a batch holds several: sent plain
    # they are accepted up to the request cap, so gzipped they must be too
    client = make_client(options=Options(max_bytes=20_000), max_request_bytes=200_000)
    page = "<p>" + "中文文本。" * 2_000 + "</p>"  # 30 kB of UTF-8, 60 kB as JSON: over max_bytes as a body
    body = json.dumps({"html": page}).encode()
    assert len(body) > 20_000
    plain = client.post("/v1/extract", content=body, headers={"Content-Type": "application/json"})
    packed = client.post("/v1/extract", content=gzip.compress(body),
                         headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert plain.status_code == packed.status_code
    batch = json.dumps([{"html": f"<p>Short page number {k}.</p>" + " " * 5_000} for k in range(6)]).encode()
    assert len(batch) > 20_000
    r = client.post("/v1/extract/batch", content=gzip.compress(batch),
                    headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200 and len(r.json()) == 6


def test_a_compressed_multipart_body_is_refused_clearly(client: TestClient) -> None:
    import gzip

    boundary = "XyZ"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"html\"\r\n\r\n<p>Hello there.</p>\r\n"
            f"--{boundary}--\r\n").encode()
    r = client.post("/v1/extract", content=gzip.compress(form),
                    headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Encoding": "gzip"})
    assert r.status_code == 415
    assert "multipart" in r.json()["message"]


def test_a_lone_surrogate_escape_in_json_is_read_as_the_batch_reads_it(client: TestClient) -> None:
    # Python's json.dumps writes "caf\udce9" for a str holding surrogateescape'd bytes: the batch read
    # it, one page sent alone got 422 "lone leading surrogate"
    body = '{"text": "caf\\udce9 au lait and more words here, caf\\udce9 noir"}'
    r = client.post("/v1/extract", content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert "café au lait" in r.json()["text"]
    batch = client.post("/v1/extract/batch", content=f"[{body}]".encode(), headers={"Content-Type": "application/json"})
    assert batch.json()[0]["text"] == r.json()["text"]
