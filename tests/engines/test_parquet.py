import pytest

from thresher.engines.parquet import read_parquet, write_parquet
from thresher.model import Document, Headline, Provenance

pytest.importorskip("pyarrow.parquet")


def test_a_parquet_part_keeps_every_field_of_the_jsonl_record(tmp_path):
    """`--format parquet` dropped the `headlines` a JSONL record carries (the removed ticker lines
    that `thresher stories` reads): Parquet parts held less than JSONL parts of the same run."""
    doc = Document(
        text="Body.", title="T", url="https://a.example/x", language="en",
        headlines=(Headline(time="3:19", headline="Council approves budget"), Headline(time=None, headline="Rain")),
        provenance=Provenance(source="crawl.warc.gz", record=3, offset=120, record_id="<urn:x>"),
    )
    plain = Document(text="Other.")
    records = [doc.to_dict(with_removed=False), plain.to_dict(with_removed=False)]
    path = tmp_path / "part-00000.parquet"
    write_parquet(path, records)
    rows = read_parquet(path)
    for rec, row in zip(records, rows, strict=True):
        assert {k: row[k] for k in rec} == rec
    assert rows[1]["headlines"] is None


def test_html_and_removed_blocks_round_trip_as_in_jsonl(tmp_path):
    """`-o out.parquet` dropped what a JSONL record of the same document holds: the removed blocks
    with their labels and reasons, and `--with-html`'s HTML."""
    from thresher.model import RemovedBlock

    doc = Document(
        text="Body.", html="<p>Body.</p>",
        removed=(RemovedBlock(index=0, text="Home | News", label="navigation", reason="link_density>0.5"),),
    )
    rec = doc.to_dict()
    path = tmp_path / "one.parquet"
    write_parquet(path, [rec])
    [row] = read_parquet(path)
    assert {k: row[k] for k in rec} == rec
    assert row["removed"][0]["reason"] == "link_density>0.5"


def test_the_writer_streams_row_groups_and_names_the_file_only_when_complete(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from thresher.engines.parquet import ParquetWriter

    path = tmp_path / "big.parquet"
    writer = ParquetWriter(path, group_rows=10)
    for i in range(35):
        writer.write(Document(text=f"document {i}").to_dict())
        assert len(writer._rows) < 10  # never more than a group in memory
        assert not path.exists()
    writer.close()
    writer.close()  # twice is fine
    meta = pq.ParquetFile(path).metadata
    assert (meta.num_rows, meta.num_row_groups) == (35, 4)
    assert [r["text"] for r in read_parquet(path)][-1] == "document 34"
    assert [p.name for p in tmp_path.iterdir()] == ["big.parquet"]  # no temporary file left


def test_a_large_text_closes_its_row_group_early(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    from thresher.engines.parquet import ParquetWriter

    path = tmp_path / "wide.parquet"
    writer = ParquetWriter(path, group_rows=1000, group_bytes=5_000)
    for i in range(6):
        writer.write(Document(text=f"{i} " + "x" * 2_000).to_dict())
    writer.close()
    assert pq.ParquetFile(path).metadata.num_row_groups == 2  # 3 texts pass 5,000 characters


def test_an_aborted_file_leaves_nothing_and_a_failing_source_writes_no_file(tmp_path):
    from thresher.engines.parquet import ParquetWriter

    old = tmp_path / "kept.parquet"
    write_parquet(old, [Document(text="old").to_dict()])
    writer = ParquetWriter(old)
    writer.write(Document(text="new").to_dict())
    writer.abort()
    assert [r["text"] for r in read_parquet(old)] == ["old"]  # left as it was

    def records():
        yield Document(text="a").to_dict()
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        write_parquet(tmp_path / "never.parquet", records())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.parquet"]


def test_a_file_name_that_is_not_utf8_is_written_not_a_crash(tmp_path):
    # a directory entry b"caf\xe9.html" is the str "caf\udce9.html": pyarrow refused it and
    # `thresher run --format parquet` (and `thresher -o out.parquet`) died with a traceback
    doc = Document(text="Some text.", mode="html", provenance=Provenance(source="pages/caf\udce9.html"))
    path = tmp_path / "part.parquet"
    write_parquet(path, [doc.to_dict()])
    (row,) = read_parquet(path)
    assert row["provenance"]["source"] == "pages/caf\\udce9.html" == row["source"]
