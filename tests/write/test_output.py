import io
import json

import pytest

from thresher.model import Document, Failure, Provenance, Rejected
from thresher.write.formats import get_format
from thresher.write.output import DirectoryOutput, FileNamer, StreamOutput, stem_for


def _doc(text, source="", record=None, **kw):
    return Document(text=text, provenance=Provenance(source=source, record=record), **kw)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_json_array_stream_parses_for_any_count(n):
    buffer = io.StringIO()
    with StreamOutput(buffer, get_format("json", many=True)) as out:
        for i in range(n):
            out.write(_doc(f"t{i}"))
    assert [r["text"] for r in json.loads(buffer.getvalue())] == [f"t{i}" for i in range(n)]


def test_txt_stream_separates_documents_and_skips_what_it_cannot_show():
    buffer = io.StringIO()
    out = StreamOutput(buffer, get_format("txt"))
    assert out.write(_doc("one"))
    assert not out.write(Failure(reason="empty", message="x"))
    assert not out.write(_doc("", rejected=Rejected(stage="assemble", reason="too_short")))
    assert out.write(_doc("two"))
    out.close()
    out.close()
    assert buffer.getvalue() == "one\n\ntwo\n"


def test_csv_file_has_one_header(tmp_path):
    path = tmp_path / "out.csv"
    with StreamOutput.to_file(path, get_format("csv")) as out:
        out.write(_doc("a"))
        out.write(_doc("b"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("url,id,") and len(lines) == 3


@pytest.mark.parametrize(
    ("source", "record", "stem"),
    [
        ("data/page.html", None, "page"),
        ("data/page.html.gz", None, "page"),
        ("crawl/CC-MAIN-1.warc.gz", 3, "CC-MAIN-1-3"),
        ("notes.txt", None, "notes"),
        ("https://example.org/news/2024/story?id=5", None, "example.org_news_2024_story_id_5"),
        ("https://example.org/", None, "example.org"),
        ("<stdin>", None, "stdin"),
        ("../../etc/passwd", None, "passwd"),
        ("", None, "document"),
    ],
)
def test_file_stems(source, record, stem):
    assert stem_for(_doc("x", source, record)) == stem


def test_stem_prefers_id_for_unnamed_sources():
    assert stem_for(_doc("x", "<python>", id="rec/42")) == "rec_42"


def test_names_are_collision_safe_within_a_run():
    namer = FileNamer(".txt")
    names = [namer.name_for(_doc("x", src)) for src in ("a/page.html", "b/page.html", "c/Page.htm", "page")]
    assert names == ["page.txt", "page-2.txt", "Page-3.txt", "page-4.txt"]


def test_directory_output_writes_one_file_per_result(tmp_path):
    out = DirectoryOutput(tmp_path / "out", get_format("jsonl"))
    out.write(_doc("first", "x/a.html"))
    out.write(Failure(reason="empty", message="m", provenance=Provenance(source="y/a.html")))
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["a-2.jsonl", "a.jsonl"]
    assert json.loads((tmp_path / "out" / "a-2.jsonl").read_text(encoding="utf-8"))["error"] == "empty"


def test_a_gz_output_file_is_gzipped_and_reproducible(tmp_path):
    """``-o out.jsonl.gz`` writes gzip (what the name says), byte-identical from run to run."""
    import gzip

    written = []
    for name in ("a.jsonl.gz", "b.jsonl.gz"):
        path = tmp_path / name
        with StreamOutput.to_file(path, get_format("jsonl")) as out:
            out.write(_doc("één"))
            out.write(_doc("two"))
        written.append(path.read_bytes())
    assert written[0][:2] == b"\x1f\x8b" and written[0] == written[1]
    lines = gzip.decompress(written[0]).decode("utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["één", "two"]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "txt"])
def test_a_file_name_that_is_not_utf8_does_not_break_the_output(tmp_path, fmt):
    """``os.scandir`` hands a Latin-1 file name over with a lone surrogate (``caf\\udce9.html``); the
    record still writes, and JSON reads it back exactly (the surrogate as a ``\\udce9`` escape)."""
    source = "pages/caf\udce9.html"
    path = tmp_path / f"out.{fmt}"
    with StreamOutput.to_file(path, get_format(fmt), with_metadata=True) as out:
        assert out.write(_doc("text", source=source, title="caf\udce9"))
    text = path.read_bytes().decode("utf-8")  # valid UTF-8
    if fmt == "jsonl":
        assert json.loads(text)["source"] == source
    directory = tmp_path / f"dir-{fmt}"
    DirectoryOutput(directory, get_format(fmt)).write(_doc("text", source=source))
    [written] = directory.iterdir()
    written.read_bytes().decode("utf-8")


def test_parquet_output_writes_one_row_per_document_and_reports_failures(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from thresher.write.output import ParquetOutput

    path = tmp_path / "out.parquet"
    with ParquetOutput(path, get_format("parquet")) as out:
        assert out.write(_doc("first text", source="a.html"))
        assert not out.write(Failure(reason="empty", message="empty file"))  # reported, not a row
        assert out.write(_doc("", source="b.html", rejected=Rejected(stage="assemble", reason="too_short")))
    rows = pq.read_table(path).to_pylist()
    assert [(r["text"], r["source"], r["rejected"]) for r in rows] == [
        ("first text", "a.html", None), ("", "b.html", "assemble:too_short")]


def test_parquet_output_of_a_failed_run_leaves_no_file(tmp_path):
    pytest.importorskip("pyarrow.parquet")
    from thresher.write.output import ParquetOutput

    path = tmp_path / "out.parquet"
    with pytest.raises(KeyboardInterrupt), ParquetOutput(path, get_format("parquet")) as out:
        out.write(_doc("first text", source="a.html"))
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
