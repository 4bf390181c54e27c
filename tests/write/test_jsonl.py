import json

from thresher.model import Document, Failure, Provenance, Rejected, RemovedBlock
from thresher.write.jsonl import render_json, render_jsonl


def test_one_line_per_record_whatever_the_text():
    doc = Document(text="line1\nline2\u2028sep\r\nend", title="Ünïcode ✓", id="a")
    out = render_jsonl(doc)
    assert out.endswith("\n") and out.count("\n") == 1
    assert "Ünïcode ✓" in out  # written as UTF-8, not \u escapes
    assert json.loads(out)["text"] == doc.text


def test_records_keep_removed_blocks_and_rejection():
    doc = Document(text="", removed=(RemovedBlock(label="navigation", reason="link_density>0.5", text="Home"),),
                   rejected=Rejected(stage="assemble", reason="no_main_content"))
    rec = json.loads(render_jsonl(doc))
    assert rec["removed"] == [{"label": "navigation", "reason": "link_density>0.5", "text": "Home", "index": 0}]
    assert rec["rejected"] == "assemble:no_main_content"


def test_failure_record_has_error_and_message():
    fail = Failure(reason="truncated", message="gzip stream cut off", provenance=Provenance(source="a.warc.gz"))
    rec = json.loads(render_jsonl(fail))
    assert rec["error"] == "truncated" and rec["message"] == "gzip stream cut off"
    assert rec["source"] == "a.warc.gz"


def test_json_pretty_and_compact():
    doc = Document(text="x", id="1")
    assert json.loads(render_json(doc))["id"] == "1"
    assert "\n" in render_json(doc)
    assert "\n" not in render_json(doc, indent=None)
