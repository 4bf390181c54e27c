import gzip
import json

from thresher.model import Failure, Page
from thresher.read.jsonl import read_jsonl

GOOD = [
    {"html": "<p>first</p>", "url": "https://example.org/1", "id": "a1"},
    {"text": "second, already text", "id": 2},
    {"html": "<p>third</p>", "date": "2024-05-01"},
]


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_records_become_pages(tmp_path):
    path = write_lines(tmp_path / "in.jsonl", [json.dumps(r) for r in GOOD])
    pages = list(read_jsonl(path))
    assert all(isinstance(p, Page) for p in pages)
    assert [p.data for p in pages] == ["<p>first</p>", "second, already text", "<p>third</p>"]
    assert [p.kind for p in pages] == ["html", "text", "html"]
    assert [p.id for p in pages] == ["a1", "2", None]
    assert pages[0].url == "https://example.org/1"
    assert pages[2].provenance.date == "2024-05-01"
    assert [p.provenance.record for p in pages] == [0, 1, 2]
    assert pages[1].provenance.record_id == "2"
    assert pages[0].provenance.offset == 0
    with open(path, "rb") as handle:
        handle.seek(pages[1].provenance.offset)
        assert json.loads(handle.readline()) == GOOD[1]


def test_bad_lines_give_one_failure_each_and_the_rest_is_read(tmp_path):
    lines = [
        json.dumps(GOOD[0]),
        "{not json",
        json.dumps({"url": "https://example.org/no-payload"}),
        json.dumps({"html": 42}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "ok", "url": 7}),
        json.dumps({"text": "ok", "id": {"nested": True}}),
        "",
        json.dumps(GOOD[1]),
    ]
    items = list(read_jsonl(write_lines(tmp_path / "mixed.jsonl", lines)))
    assert [type(i).__name__ for i in items] == ["Page"] + ["Failure"] * 6 + ["Page"]
    failures = [i for i in items if isinstance(i, Failure)]
    assert {f.reason for f in failures} == {"invalid_record"}
    assert [f.message.split(":")[0] for f in failures] == [f"line {n}" for n in range(2, 8)]
    assert "neither an 'html' nor a 'text'" in failures[1].message
    assert "'html' must be a string" in failures[2].message
    assert failures[0].provenance.record == 1


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(json.dumps(r) for r in GOOD)).encode()))
    pages = list(read_jsonl(str(path)))
    assert len(pages) == 3
    assert pages[1].provenance.offset is None  # offsets are into the compressed file: unknown


def test_truncated_gzipped_jsonl_keeps_the_lines_before_the_cut(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    body = "\n".join(json.dumps({"text": f"record {i} " + "x" * 50}) for i in range(200)).encode()
    path.write_bytes(gzip.compress(body)[:-40])
    items = list(read_jsonl(str(path)))
    assert isinstance(items[-1], Failure)
    assert items[-1].reason == "truncated"
    assert all(isinstance(i, Page) for i in items[:-1])
    assert len(items) > 100


def test_overlong_line_is_a_failure_and_reading_goes_on(tmp_path):
    path = write_lines(tmp_path / "long.jsonl", [json.dumps({"text": "y" * 5000}), json.dumps(GOOD[1])])
    first, second = list(read_jsonl(path, max_record_bytes=1000))
    assert isinstance(first, Failure)
    assert first.reason == "too_large"
    assert isinstance(second, Page)
    assert second.provenance.record == 1


def test_bom_and_missing_final_newline(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD[0]).encode() + b"\n" + json.dumps(GOOD[1]).encode())
    assert [p.id for p in read_jsonl(str(path))] == ["a1", "2"]


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.jsonl").touch()
    [empty] = list(read_jsonl(str(tmp_path / "empty.jsonl")))
    assert (empty.reason, empty.message) == ("empty", "empty file")
    [missing] = list(read_jsonl(str(tmp_path / "missing.jsonl")))
    assert missing.reason == "read_error"


def test_a_json_file_holding_an_array_or_one_object_gives_its_records(tmp_path):
    """``.json`` is often one JSON document (an array of records, or ``thresher --json`` output
    pretty-printed over many lines), not JSON Lines."""
    array = tmp_path / "records.json"
    array.write_text(json.dumps([{"html": "<p>one</p>", "url": "https://a.example/1"}, {"text": "two"}, 3],
                                indent=2), encoding="utf-8")
    items = list(read_jsonl(str(array)))
    assert [type(i).__name__ for i in items] == ["Page", "Page", "Failure"]
    assert items[0].url == "https://a.example/1" and items[1].kind == "text"
    assert [i.provenance.record for i in items] == [0, 1, 2]
    assert items[2].reason == "invalid_record" and "item 3" in items[2].message
    single = tmp_path / "page.json.gz"
    single.write_bytes(gzip.compress(json.dumps({"html": "<p>pretty</p>"}, indent=2).encode()))
    [page] = list(read_jsonl(str(single)))
    assert isinstance(page, Page) and page.data == "<p>pretty</p>"


def test_json_lines_in_a_json_file_are_still_lines(tmp_path):
    path = tmp_path / "lines.json"
    path.write_text('{"text": "one"}\n{"text": "two"}\n', encoding="utf-8")
    assert [p.data for p in read_jsonl(str(path))] == ["one", "two"]


def test_an_empty_json_array_is_an_empty_input(tmp_path):
    path = tmp_path / "none.json"
    path.write_text("[]\n", encoding="utf-8")
    [failure] = list(read_jsonl(str(path)))
    assert isinstance(failure, Failure) and failure.reason == "empty"


def test_datatrove_records_give_their_url_and_date_and_html_in_text_is_html(tmp_path):
    """datatrove's WarcReader → JsonlWriter writes the raw HTML of a page in `text`, its URL and crawl
    date in `metadata`: such a file went through the text engine (scripts and tags as the "text") and
    lost its URL (so no hostname, no site boilerplate)."""
    html = "<!DOCTYPE html><html><head><title>T</title></head><body><p>Words.</p></body></html>"
    rows = [
        {"text": html, "id": "cc/1", "media": [],
         "metadata": {"url": "https://a.example/x", "date": "2025-01-01T00:00:00Z"}},
        {"text": "  <html lang=en><body><p>Hi</p></body></html>", "metadata": {"url": "https://a.example/y"}},
        {"text": "<b>Scraped</b> text that starts with a tag is still text", "url": "https://b.example/z",
         "metadata": {"url": "https://ignored.example/"}},
    ]
    path = tmp_path / "dt.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    pages = list(read_jsonl(str(path)))
    assert [p.kind for p in pages] == ["auto", "auto", "text"]
    assert [p.url for p in pages] == ["https://a.example/x", "https://a.example/y", "https://b.example/z"]
    assert pages[0].provenance.date == "2025-01-01T00:00:00Z" and pages[1].provenance.date is None
