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
