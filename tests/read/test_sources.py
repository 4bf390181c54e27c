import gzip
import io
import json
import sys
from pathlib import Path

from thresher.model import Failure, Page, Provenance
from thresher.read.sources import is_url, iter_inputs, read_input_list, reader_for
from thresher.read.stats import ReadStats

from .conftest import http_response, warc_file, warc_record

HTML = b"<!DOCTYPE html><html><body><p>A page.</p></body></html>"


def _warc(gz: bool) -> bytes:
    return warc_file(
        [
            warc_record("warcinfo", None, b"software: t\r\n", number=0),
            warc_record("request", "https://example.org/", b"GET / HTTP/1.1\r\n\r\n", number=1),
            warc_record("response", "https://example.org/", http_response(HTML, [("Content-Type", "text/html")]),
                        number=2),
        ],
        gz=gz,
    )


def make_tree(root):
    (root / "b").mkdir()
    (root / "b" / "deep").mkdir()
    (root / ".hidden").mkdir()
    (root / "a.html").write_bytes(HTML)
    (root / "b" / "c.txt").write_bytes(b"Some text.\n")
    (root / "b" / "deep" / "d.htm.gz").write_bytes(gzip.compress(HTML))
    (root / "e.jsonl").write_text(json.dumps({"text": "t", "id": "e1"}) + "\n" + json.dumps({"html": "<p>h</p>"}) + "\n")
    (root / "f.warc.gz").write_bytes(_warc(gz=True))
    (root / ".hidden" / "x.html").write_bytes(HTML)
    (root / ".dotfile.html").write_bytes(HTML)
    return root


def sources(items):
    return [(i.provenance.source, i.provenance.record) for i in items]


def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    root = make_tree(tmp_path)
    stats = ReadStats()
    items = list(iter_inputs([str(root)], stats=stats))
    assert all(isinstance(i, Page) for i in items)
    assert sources(items) == [
        (str(root / "a.html"), None),
        (str(root / "b" / "c.txt"), None),
        (str(root / "b" / "deep" / "d.htm.gz"), None),
        (str(root / "e.jsonl"), 0),
        (str(root / "e.jsonl"), 1),
        (str(root / "f.warc.gz"), 2),
    ]
    assert [i.kind for i in items] == ["auto", "text", "auto", "text", "html", "auto"]
    assert items[2].data == HTML
    assert (stats.files, stats.pages, stats.failures) == (5, 6, 0)
    assert stats.skipped == {"warcinfo": 1, "request": 1}


def test_not_recursive(tmp_path):
    root = make_tree(tmp_path)
    items = list(iter_inputs([str(root)], recursive=False))
    assert items[0].provenance.source == str(root / "a.html")
    assert not any("c.txt" in i.provenance.source for i in items)


def test_glob(tmp_path):
    root = make_tree(tmp_path)
    items = list(iter_inputs([str(root / "**" / "*.htm*")]))
    assert sources(items) == [(str(root / "a.html"), None), (str(root / "b" / "deep" / "d.htm.gz"), None)]
    [nothing] = list(iter_inputs([str(root / "*.xyz")]))
    assert isinstance(nothing, Failure)
    assert nothing.reason == "read_error"
    assert nothing.message.startswith("no files match")


def test_missing_and_empty_files_are_failures_and_reading_goes_on(tmp_path):
    (tmp_path / "empty.html").touch()
    (tmp_path / "ok.html").write_bytes(HTML)
    stats = ReadStats()
    missing, empty, ok = list(iter_inputs([str(tmp_path / "missing.html"), str(tmp_path / "empty.html"),
                                           str(tmp_path / "ok.html")], stats=stats))
    assert isinstance(missing, Failure)
    assert (missing.reason, missing.message) == ("read_error", f"no such file: {tmp_path / 'missing.html'}")
    assert (empty.reason, empty.message) == ("empty", "empty file")
    assert isinstance(ok, Page)
    assert (stats.pages, stats.failures) == (1, 2)


def test_unknown_extensions_are_sniffed(tmp_path):
    (tmp_path / "crawl.bin").write_bytes(_warc(gz=True))
    (tmp_path / "crawl.raw").write_bytes(_warc(gz=False))
    (tmp_path / "page").write_bytes(HTML)
    (tmp_path / "page.gzdata").write_bytes(gzip.compress(HTML))
    assert reader_for(str(tmp_path / "crawl.bin")).__name__ == "_warc"
    assert reader_for(str(tmp_path / "crawl.raw")).__name__ == "_warc"
    assert reader_for(str(tmp_path / "page")).__name__ == "_html"
    items = list(iter_inputs([str(tmp_path / n) for n in ("crawl.bin", "crawl.raw", "page", "page.gzdata")]))
    assert [i.data for i in items] == [HTML] * 4


def test_extension_routing():
    assert reader_for("x.HTML").__name__ == "_html"
    assert reader_for("x.xhtml.gz").__name__ == "_html"
    assert reader_for("x.txt.gz").__name__ == "_text"
    assert reader_for("x.ndjson").__name__ == "_jsonl"
    assert reader_for("x.json.gz").__name__ == "_jsonl"
    assert reader_for("CC-MAIN-1.warc.wet.gz").__name__ == "_warc"
    assert reader_for("x.wet").__name__ == "_warc"


def test_paths_keep_the_spelling_given(tmp_path, monkeypatch):
    (tmp_path / "a.html").write_bytes(HTML)
    monkeypatch.chdir(tmp_path)
    [page] = list(iter_inputs(["./a.html"]))
    assert page.provenance.source == "./a.html"


def test_urls_go_through_the_fetcher(tmp_path):
    (tmp_path / "a.html").write_bytes(HTML)
    seen = []

    def fake_fetch(url):
        seen.append(url)
        return Page(data=HTML, url=url, provenance=Provenance(source=url))

    stats = ReadStats()
    items = list(iter_inputs(["https://example.org/x", str(tmp_path / "a.html")], fetcher=fake_fetch, stats=stats))
    assert seen == ["https://example.org/x"]
    assert [i.provenance.source for i in items] == ["https://example.org/x", str(tmp_path / "a.html")]
    assert stats.files == 2


def test_dash_reads_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(HTML)))
    [page] = list(iter_inputs(["-"]))
    assert (page.data, page.provenance.source) == (HTML, "<stdin>")


def test_input_list_file(tmp_path):
    listing = tmp_path / "inputs.txt"
    listing.write_text("# pages to read\n\n  a.html  \nhttps://example.org/x\n   # indented comment\nb/\n",
                       encoding="utf-8")
    assert read_input_list(str(listing)) == ["a.html", "https://example.org/x", "b/"]


def test_is_url():
    assert is_url("http://a.b/") and is_url("HTTPS://a.b/")
    assert not is_url("ftp://a.b/") and not is_url("http.html")


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_bundled_samples_read_cleanly():
    stats = ReadStats()
    items = list(iter_inputs([str(SAMPLES)], stats=stats))
    assert all(isinstance(i, Page) for i in items)
    names = [Path(i.provenance.source).name for i in items]
    assert names == [
        "founding-example.txt",
        "0536-forum.html.gz", "0610-product.html.gz", "0668-documentation.html.gz", "2825-article.html.gz",
        "sample.warc.gz", "sample.warc.gz", "sample.warc.gz",
        "sample.warc.wet.gz", "sample.warc.wet.gz",
    ]
    assert [i.kind for i in items] == ["text"] + ["auto"] * 7 + ["text"] * 2
    assert all(i.url and i.url.startswith("https://") for i in items[5:])
    assert stats.skipped == {"warcinfo": 2, "request": 1, "other_file": 2}  # README.md, make_samples.py
    assert (stats.pages, stats.failures) == (10, 0)


def test_directory_walk_leaves_assets_out_but_named_files_are_read(tmp_path):
    (tmp_path / "page.html").write_bytes(HTML)
    (tmp_path / "style.css").write_bytes(b"p { color: red }")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    stats = ReadStats()
    assert [Path(i.provenance.source).name for i in iter_inputs([str(tmp_path)], stats=stats)] == ["page.html"]
    assert stats.skipped == {"other_file": 2}
    [named] = list(iter_inputs([str(tmp_path / "style.css")]))
    assert isinstance(named, Page)


def test_symlink_loop_is_walked_once(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html").write_bytes(HTML)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    items = list(iter_inputs([str(tmp_path)]))
    assert len(items) == 1


def test_a_url_of_another_scheme_is_named_as_unsupported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    [failure] = list(iter_inputs(["ftp://example.org/page.html"]))
    assert isinstance(failure, Failure) and failure.reason == "read_error"
    assert "ftp" in failure.message and "http" in failure.message and "no such file" not in failure.message


def test_an_empty_directory_is_a_read_failure_not_silence(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "style.css").write_text("p { color: red }")
    empty, assets = list(iter_inputs([str(tmp_path / "empty"), str(tmp_path / "assets")]))
    assert isinstance(empty, Failure) and empty.reason == "read_error"
    assert empty.message == f"no input files in {tmp_path / 'empty'}"
    assert isinstance(assets, Failure) and "1 other file left out" in assets.message


def test_a_directory_with_files_gives_no_extra_failure(tmp_path):
    (tmp_path / "a.html").write_bytes(HTML)
    assert [type(i) for i in iter_inputs([str(tmp_path)])] == [Page]


def test_a_pattern_matching_an_asset_folder_beside_pages_is_no_error(tmp_path):
    from thresher.model import Failure
    from thresher.read.sources import iter_inputs

    (tmp_path / "site" / "a").mkdir(parents=True)
    (tmp_path / "site" / "img").mkdir()
    (tmp_path / "site" / "a" / "a.html").write_text("<p>Page.</p>")
    (tmp_path / "site" / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    got = list(iter_inputs([str(tmp_path / "site" / "*")]))
    assert len(got) == 1 and not isinstance(got[0], Failure)
    only_assets = list(iter_inputs([str(tmp_path / "site" / "im*")]))
    assert len(only_assets) == 1 and isinstance(only_assets[0], Failure)
    assert "no input files" in only_assets[0].message
