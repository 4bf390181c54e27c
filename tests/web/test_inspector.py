"""The inspector pages through the real app: traces, escaping, the sandboxed preview, the corpus."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient

import thresher
from thresher.options import Options

from .conftest import ARTICLE, founding_example

HOSTILE = (
    "<html><head><title>Hostile &lt;b&gt;</title><script>alert('x')</script></head><body>"
    "<article><p>Text with <img src=x onerror=alert(1)> an image and a "
    "&lt;script&gt;alert(2)&lt;/script&gt; literal, long enough to be kept as the main content.</p>"
    "<p>A second paragraph of ordinary words so that the page has a body worth keeping.</p></article>"
    "<iframe src='https://evil.example/'></iframe></body></html>"
)


def _blocks(page: str) -> list[tuple[str, str]]:
    """(class, label) of each rendered block."""
    return re.findall(r'<li class="block (kept|removed) label-[a-z_]+" data-label="([a-z_]+)"', page)


def test_try_page_renders_the_form(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert '<textarea id="content" name="content"' in r.text
    assert "<script" not in r.text  # the inspector runs no JavaScript


def test_try_shows_every_block_as_the_library_decides(client: TestClient) -> None:
    r = client.post("/", data={"content": ARTICLE})
    assert r.status_code == 200
    trace = thresher.extract_trace(ARTICLE, options=Options(with_markdown=True))
    shown = _blocks(r.text)
    assert shown == [("kept" if d.kept else "removed", d.label) for d in trace.decisions]
    assert any(cls == "removed" for cls, _ in shown)
    for d in trace.decisions:
        assert html.escape(d.reason, quote=False) in r.text
    # metadata with sources, and the tabs
    assert "Grain and chaff" in r.text
    for name, source in trace.metadata.sources.items():
        if getattr(trace.metadata, name, None):
            assert html.escape(source) in r.text
    for tab in ("tab-text", "tab-markdown", "tab-json", "tab-preview"):
        assert f'id="{tab}"' in r.text
    record = json.loads(html.unescape(re.search(r'<pre class="output json">(.*?)</pre>', r.text, re.S).group(1)))
    assert record["text"] == trace.document.text
    assert record["markdown"] == trace.document.markdown


def test_founding_example_ticker_is_removed_with_its_label(client: TestClient) -> None:
    path = founding_example()
    if path is None:
        pytest.skip("founding example not available")
    text = path.read_text(encoding="utf-8")
    r = client.post("/", data={"content": text})
    assert r.status_code == 200
    trace = thresher.extract_trace(text)
    ticker = [d for d in trace.decisions if d.label == "headline_list"]
    assert ticker, "the library finds the ticker run"
    shown = _blocks(r.text)
    assert shown.count(("removed", "headline_list")) == len(ticker)
    assert 'id="tab-preview"' not in r.text  # text input has no HTML preview


def test_inspected_page_is_never_live_html(client: TestClient) -> None:
    r = client.post("/", data={"content": HOSTILE})
    assert r.status_code == 200
    page = r.text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<iframe src=" not in page
    # the only iframe is the sandboxed preview, with everything inside srcdoc escaped
    frames = re.findall(r"<iframe[^>]*>", page)
    assert len(frames) == 1
    frame = frames[0]
    assert 'sandbox=""' in frame
    assert "allow-scripts" not in frame and "allow-same-origin" not in frame
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert srcdoc.startswith('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'')
    # scripts, frames and loading attributes are removed before the page reaches the preview at all
    assert "alert('x')" not in srcdoc and "onerror" not in srcdoc and "<iframe" not in srcdoc
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_upload_a_file(client: TestClient) -> None:
    r = client.post("/", files={"upload": ("page.html", ARTICLE.encode(), "text/html")}, data={"content": ""})
    assert r.status_code == 200
    assert "Grain and chaff" in r.text
    assert _blocks(r.text)


def test_empty_submission_says_what_to_do(client: TestClient) -> None:
    r = client.post("/", data={"content": "  "})
    assert r.status_code == 422
    assert "paste a page" in r.text


def test_bad_form_values_are_400(client: TestClient) -> None:
    r = client.post("/", data={"content": "x", "input_format": "pdf"})
    assert r.status_code == 400
    assert "<!doctype html>" in r.text


def test_login_guards_the_inspector_when_a_key_is_set(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_key="k3y")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/corpus", follow_redirects=False).status_code == 303
    assert client.post("/login", data={"key": "nope"}).status_code == 401
    r = client.post("/login", data={"key": "k3y"}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "k3y" not in cookie  # the key itself is never stored in the browser
    assert client.get("/").status_code == 200


def _write_corpus(folder: Path, page_file: Path) -> None:
    recs = [
        {**thresher.extract(ARTICLE, url="https://farm.example/a").to_dict(), "id": "with-html", "html": ARTICLE},
        {**thresher.extract(ARTICLE).to_dict(), "id": "with-file", "title": "From a file",
         "source": str(page_file), "hostname": "file.example"},
        {"id": "no-source", "title": "Only text", "text": "Plain stored text about oats.", "hostname": "oats.example",
         "language": "en", "rejected": None, "removed": [{"label": "navigation", "reason": "link_density>0.5",
                                                          "text": "Home | News", "index": 0}]},
        {"id": "bad", "error": "undecodable", "message": "no charset fits", "source": "<stdin>"},
    ]
    (folder / "part-0.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n")


def test_corpus_import_list_search_and_view(client: TestClient, tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text(ARTICLE)
    out = tmp_path / "out"
    out.mkdir()
    _write_corpus(out, page_file)
    r = client.post("/corpus/import", data={"path": str(out)})
    assert r.status_code == 200
    assert "Imported 4 records from 1 files" in r.text
    assert r.text.count('href="/corpus/doc/') == 4

    r = client.get("/corpus", params={"q": "oats"})
    assert "Only text" in r.text and "From a file" not in r.text
    r = client.get("/corpus", params={"status": "failed"})
    assert r.text.count('href="/corpus/doc/') == 1

    store = client.app.state.store  # type: ignore[attr-defined]
    ids = {store.get(row.rowid)["record"]["id"]: row.rowid for row in store.page(store_query()).rows}
    with_html = client.get(f"/corpus/doc/{ids['with-html']}")
    assert with_html.status_code == 200
    assert "re-extracted from the record" in with_html.text
    assert _blocks(with_html.text)
    with_file = client.get(f"/corpus/doc/{ids['with-file']}")
    assert "re-extracted from the source file" in with_file.text
    plain = client.get(f"/corpus/doc/{ids['no-source']}")
    assert "No trace" in plain.text and "link_density&gt;0.5" in plain.text
    assert client.get("/corpus/doc/99999").status_code == 404


def store_query():  # type: ignore[no-untyped-def]
    from thresher.web.store import Query

    return Query(limit=100)


def test_corpus_import_of_a_missing_path(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/corpus/import", data={"path": str(tmp_path / "missing")})
    assert "No such file or folder" in r.text


def test_corpus_given_at_start(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    page_file = tmp_path / "page.html"
    page_file.write_text(ARTICLE)
    _write_corpus(tmp_path, page_file)
    client = make_client(corpus=tmp_path / "part-0.jsonl")
    assert "4 records" in client.get("/corpus").text


def test_a_record_of_a_warc_is_traced_from_its_archive(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus view of a `thresher run` over WARC files said "No trace ... source file is not
    readable here" for every record: only .html/.txt sources were read again. The record's provenance
    (file, byte offset) is enough; a relative source is looked up beside the run folder too, as
    `thresher run crawl/ -o corpus/` writes it."""
    from thresher.cli.main import main
    from thresher.testing.corpus import warc_record

    (tmp_path / "crawl").mkdir()
    other = ("<html><head><title>Other</title></head><body><article><p>" + "Another page with words. " * 20
             + "</p></article></body></html>")
    (tmp_path / "crawl" / "a.warc.gz").write_bytes(
        warc_record("https://a.example/other", other.encode()) + warc_record("https://a.example/one", ARTICLE.encode()))
    monkeypatch.chdir(tmp_path)
    assert main(["run", "crawl/a.warc.gz", "-o", "corpus", "--workers", "1", "--no-boilerplate"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the server runs in another folder than the run did
    client.post("/corpus/import", data={"path": str(tmp_path / "corpus")})
    store = client.app.state.store  # type: ignore[attr-defined]
    rows = {store.get(row.rowid)["record"]["url"]: row.rowid for row in store.page(store_query()).rows}
    page = client.get(f"/corpus/doc/{rows['https://a.example/one']}")
    assert "No trace" not in page.text
    assert "re-extracted from record 1 of" in page.text and "a.warc.gz" in page.text
    trace = thresher.extract_trace(ARTICLE, url="https://a.example/one", options=Options(with_markdown=True))
    assert _blocks(page.text) == [("kept" if d.kept else "removed", d.label) for d in trace.decisions]


def test_a_document_links_to_the_other_documents_of_its_story(client: TestClient, tmp_path: Path) -> None:
    """After `thresher run --stories`, a document's page showed its story id nowhere but in the raw
    JSON, and the listing could not be narrowed to one story."""
    recs = [{"id": f"d{i}", "title": f"Story {i % 2} report {i}", "text": "Some words.", "story": f"s-{i % 2}"}
            for i in range(4)]
    (tmp_path / "part-0.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    client.post("/corpus/import", data={"path": str(tmp_path / "part-0.jsonl")})
    store = client.app.state.store  # type: ignore[attr-defined]
    rowid = next(row.rowid for row in store.page(store_query()).rows if row.doc_id == "d1")
    page = client.get(f"/corpus/doc/{rowid}").text
    assert 'href="/corpus?story=s-1"' in page
    listing = client.get("/corpus", params={"story": "s-1"}).text
    assert "Story 1 report 1" in listing and "Story 1 report 3" in listing and "Story 0" not in listing
    assert 'name="story" value="s-1"' in listing  # kept when the other filters change


def test_docs_page_describes_the_api_without_script(make_client) -> None:
    """FastAPI users open ``/docs``: a page listing every endpoint, its bodies and its statuses, served
    without script (the inspector's CSP) and without the API key."""
    client = make_client(api_key="k")
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for expected in ("POST", "/v1/extract", "/v1/extract/batch", "/healthz", "413", "504", "multipart/form-data",
                     "/openapi.json", "X-API-Key", "curl"):
        assert expected in page, expected
    assert "<script" not in page.lower()


def test_a_document_from_a_file_whose_name_is_not_utf8_is_shown_with_its_trace(
    client: TestClient, tmp_path: Path
) -> None:
    # the page of such a record failed with a traceback (UnicodeEncodeError in the response)
    import os

    page_file = os.fsencode(tmp_path) + b"/caf\xe9.html"
    with open(page_file, "wb") as fh:
        fh.write(ARTICLE.encode())
    source = os.fsdecode(page_file)
    rec = {**thresher.extract(ARTICLE).to_dict(), "id": "odd-name", "source": source,
           "provenance": {"source": source}}
    (tmp_path / "part-0.jsonl").write_text(json.dumps(rec) + "\n")
    assert "Imported 1 records" in client.post("/corpus/import", data={"path": str(tmp_path)}).text
    store = client.app.state.store  # type: ignore[attr-defined]
    (row,) = store.page(store_query()).rows
    r = client.get(f"/corpus/doc/{row.rowid}")
    assert r.status_code == 200
    assert "re-extracted from the source file" in r.text
    assert "caf\\udce9.html" in html.unescape(r.text)


def test_the_reason_filter_is_not_called_rejected_since_it_holds_failures_too(
    client: TestClient, tmp_path: Path
) -> None:
    # the facet listed "empty" and "not_html" (failures) under "rejected"
    page_file = tmp_path / "page.html"
    page_file.write_text(ARTICLE)
    _write_corpus(tmp_path, page_file)
    client.post("/corpus/import", data={"path": str(tmp_path)})
    text = client.get("/corpus").text
    label = re.search(r'<label>\s*(\w+)\s*<select name="rejected"', text)
    assert label is not None and label.group(1) == "reason"
