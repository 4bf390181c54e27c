"""The corpus store: import of run output, search, filters, keyset paging over 100k records."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from thresher.web.store import Query, Store, fts_query


def _rec(i: int, **extra: object) -> dict[str, object]:
    return {"id": f"d{i}", "url": f"https://site{i % 7}.example/p/{i}", "hostname": f"site{i % 7}.example",
            "title": f"Title {i}", "language": "en" if i % 3 else "de",
            "text": f"Document number {i} about {'barley' if i % 5 == 0 else 'wheat'} harvests.",
            "rejected": None, **extra}


@pytest.fixture
def run_output(tmp_path: Path) -> Path:
    """A folder shaped like `thresher run` output: shards, a rejected file, a failed file, one bad line."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "part-00000.jsonl").write_text("\n".join(json.dumps(_rec(i)) for i in range(10)) + "\n")
    with gzip.open(out / "part-00001.jsonl.gz", "wt") as fh:
        fh.write("\n".join(json.dumps(_rec(i, duplicate_of="d0" if i == 12 else None)) for i in range(10, 20)))
        fh.write("\n{broken line\n")
    (out / "rejected.jsonl").write_text(json.dumps(_rec(20, rejected="assemble:too_short", text="")) + "\n")
    (out / "failed.jsonl").write_text(json.dumps({"id": "d21", "url": "https://x.example/", "error": "undecodable",
                                                  "message": "no charset fits", "source": "a.warc"}) + "\n")
    (out / "_SUCCESS").write_text("")
    return out


def test_import_a_run_folder(run_output: Path) -> None:
    store = Store()
    report = store.import_path(run_output)
    assert report.files == 4
    assert report.records == 22
    assert report.skipped_lines == 1
    assert store.count() == 22
    # a duplicate is not an "ok" document: the corpus view counted 142 documents for a run whose
    # data/ held 121 (21 duplicates)
    assert dict(store.facets("status")) == {"ok": 19, "duplicate": 1, "rejected": 1, "failed": 1}
    assert dict(store.facets("rejected")) == {"assemble:too_short": 1, "undecodable": 1}
    assert dict(store.facets("duplicate_of")) == {"d0": 1}
    store.close()


def test_a_run_folder_s_working_state_and_story_list_are_not_records(run_output: Path) -> None:
    """`thresher serve --corpus OUT` showed 19 records for a 9-record run: it imported OUT/_work/."""
    work = run_output / "_work" / "extract"
    work.mkdir(parents=True)
    (work / "shard-1.jsonl").write_text(json.dumps(_rec(99)) + "\n")
    (run_output / "stats.json").write_text("{}")
    (run_output / "stories.jsonl").write_text(json.dumps({"id": "s-1", "headline": "h", "members": []}) + "\n")
    store = Store()
    report = store.import_path(run_output)
    assert report.files == 4 and store.count() == 22
    store.close()


def test_search_and_filters(run_output: Path) -> None:
    store = Store()
    store.import_path(run_output)
    barley = store.page(Query(search="barley"))
    assert {r.doc_id for r in barley.rows} == {"d0", "d5", "d10", "d15", "d20"} - {"d20"}  # d20 has no text
    assert barley.total == 4
    both = store.page(Query(search="barley", filters={"language": "de"}))
    assert {r.doc_id for r in both.rows} == {"d0", "d15"}
    assert store.page(Query(filters={"status": "failed"})).rows[0].rejected == "undecodable"
    assert [r.doc_id for r in store.page(Query(filters={"duplicate_of": "d0"})).rows] == ["d12"]
    assert store.page(Query(search='"unbalanced AND ( NEAR')).total == 0  # never an FTS syntax error
    with pytest.raises(ValueError):
        store.page(Query(filters={"text": "x"}))
    store.close()


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('a "b" OR c*') == '"a" """b""" "OR" "c*"'


def test_keyset_paging_over_100k_records() -> None:
    store = Store()
    n = 100_000
    started = time.perf_counter()
    store.import_records(((i, _rec(i)) for i in range(n)), source_file="gen.jsonl", batch=10_000)
    import_seconds = time.perf_counter() - started
    assert store.count() == n

    first = store.page(Query(limit=50))
    assert first.prev_before is None
    assert [r.doc_id for r in first.rows[:2]] == ["d0", "d1"]
    second = store.page(Query(after=first.next_after, limit=50))
    assert second.rows[0].doc_id == "d50"
    back = store.page(Query(before=second.prev_before, limit=50))
    assert [r.rowid for r in back.rows] == [r.rowid for r in first.rows]

    started = time.perf_counter()
    far = store.page(Query(after=99_900, limit=50, filters={"hostname": "site3.example"}))
    far_plain = store.page(Query(after=99_950, limit=50))
    far_search = store.page(Query(search="barley", after=99_000, limit=50))
    elapsed = time.perf_counter() - started
    assert far_plain.next_after is None  # the last page
    assert far_plain.rows[-1].doc_id == "d99999"
    assert all(r.hostname == "site3.example" for r in far.rows)
    assert far_search.rows and all("barley" in r.snippet for r in far_search.rows)
    assert far_search.total == n // 5
    assert elapsed < 1.0, f"far pages took {elapsed:.2f} s"
    assert import_seconds < 60
    store.close()


def test_store_file_persists(tmp_path: Path, run_output: Path) -> None:
    db = tmp_path / "corpus.sqlite"
    store = Store(db)
    store.import_path(run_output / "part-00000.jsonl")
    store.close()
    again = Store(db)
    assert again.count() == 10
    item = again.get(1)
    assert item is not None and item["record"]["id"] == "d0" and item["line"] == 0
    assert again.get(999) is None
    again.close()


def test_missing_path_raises(tmp_path: Path) -> None:
    store = Store()
    with pytest.raises(FileNotFoundError):
        store.import_path(tmp_path / "nope")
    store.close()


def test_documents_of_one_story(tmp_path: Path) -> None:
    """`thresher run --stories` gives every document a `story` id; the corpus view could not list the
    documents of one story."""
    path = tmp_path / "part-00000.jsonl"
    path.write_text("".join(json.dumps(_rec(i, story=f"s-{i % 2}")) + "\n" for i in range(6)))
    store = Store()
    store.import_path(path)
    assert [r.doc_id for r in store.page(Query(filters={"story": "s-1"})).rows] == ["d1", "d3", "d5"]
    store.close()


def test_a_store_file_of_an_older_schema_gets_the_new_columns(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE documents (rowid INTEGER PRIMARY KEY, doc_id TEXT, url TEXT, hostname TEXT, title TEXT,"
        " language TEXT, status TEXT NOT NULL, rejected TEXT, duplicate_of TEXT, length INTEGER NOT NULL DEFAULT 0,"
        " text TEXT, source_file TEXT NOT NULL, line INTEGER NOT NULL, record TEXT NOT NULL);"
    )
    con.close()
    path = tmp_path / "part-00000.jsonl"
    path.write_text(json.dumps(_rec(1, story="s-9")) + "\n")
    store = Store(db)
    store.import_path(path)
    assert store.page(Query(filters={"story": "s-9"})).total == 1
    store.close()


def test_a_record_of_a_file_name_that_is_not_utf8_is_imported(tmp_path: Path) -> None:
    # `thresher extract`/`run` write the source b"caf\xe9.html" as "caf\udce9.html" (the JSON escape):
    # the import failed ("surrogates not allowed") and the corpus showed none of the file's records
    path = tmp_path / "part-00000.jsonl"
    path.write_text(json.dumps({"id": "d0", "title": "T\udce9", "text": "Some text.",
                                "source": "pages/caf\udce9.html",
                                "provenance": {"source": "pages/caf\udce9.html"}}) + "\n")
    store = Store()
    report = store.import_path(path)
    assert report.errors == () and report.records == 1
    (row,) = store.page(Query()).rows
    got = store.get(row.rowid)
    assert got is not None
    assert got["record"]["provenance"]["source"] == "pages/caf\udce9.html"  # the file opens again
    store.close()
