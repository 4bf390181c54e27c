from thresher.corpus.records import BOILERPLATE_REJECTED, finish_record, shard_record, site_of
from thresher.dedup.boilerplate import line_keys
from thresher.model import Document, Failure, Provenance, Rejected


def test_results_become_records_with_the_corpus_id():
    doc = Document(text="Body", id="<urn:1>", provenance=Provenance(source="a.warc", record=3))
    rec = shard_record(doc, shard_key="a-1", n=3)
    assert rec.kind == "doc" and rec.record["id"] == "a-1/3" and "removed" not in rec.record
    assert rec.record["provenance"]["record"] == 3
    rejected = shard_record(Document(text="", rejected=Rejected("assemble", "too_short")), shard_key="a-1", n=4)
    assert rejected.kind == "rejected" and rejected.record["rejected"] == "assemble:too_short"
    failed = shard_record(Failure(reason="empty", message="no text"), shard_key="a-1", n=5)
    assert failed.kind == "failed" and failed.record["error"] == "empty" and failed.record["id"] == "a-1/5"
    assert type(rec).from_dict(rec.to_dict()) == rec


def test_site_is_the_hostname_or_the_url_host():
    assert site_of({"hostname": "News.Example"}) == "news.example"
    assert site_of({"hostname": None, "url": "https://b.example/x"}) == "b.example"
    assert site_of({"url": None}) is None


def test_boilerplate_lines_go_and_a_document_left_too_short_is_rejected():
    text = "A real paragraph about rivers.\nSubscribe to our newsletter.\nAnother paragraph about boats."
    keys = {line_keys(text)[1]}
    kind, rec, removed = finish_record({"text": text, "fingerprint": "x"}, keys, min_length=10)
    assert kind == "doc" and removed == 1 and "Subscribe" not in rec["text"]
    assert rec["fingerprint"] == Document(text=rec["text"]).fingerprint
    kind, rec, removed = finish_record({"text": "Subscribe to our newsletter."}, keys, min_length=0)
    assert kind == "rejected" and rec["rejected"] == BOILERPLATE_REJECTED and removed == 1
    assert finish_record({"text": text}, set(), min_length=0) == ("doc", {"text": text}, 0)


def test_the_markdown_loses_the_same_boilerplate_lines_as_the_text():
    """`run --with-markdown`: the site's boilerplate went from `text` but stayed in `markdown`."""
    line = "Subscribe to our newsletter for daily updates"
    keys = {k for k in line_keys(line) if k is not None}
    record = {"text": f"Story title\n\nFirst paragraph here.\n\n{line}",
              "markdown": f"# Story title\n\nFirst paragraph here.\n\n**{line}**"}
    kind, out, removed = finish_record(record, keys, min_length=0)
    assert kind == "doc" and removed == 1
    assert line not in out["text"] and line not in out["markdown"]
    assert out["markdown"] == "# Story title\n\nFirst paragraph here."
