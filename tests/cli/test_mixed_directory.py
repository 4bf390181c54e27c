"""The foundation's acceptance case: a directory mixing every input kind plus broken files.

One record per document, errors included; exit status 1; a summary that counts each kind.
"""

import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _mixed_directory(root: Path) -> Path:
    d = root / "mixed"
    (d / "nested").mkdir(parents=True)
    shutil.copy(SAMPLES / "founding-example.txt", d / "scraped.txt")
    shutil.copy(SAMPLES / "pages" / "2825-article.html.gz", d / "article.html.gz")
    (d / "nested" / "plain.html").write_bytes(gzip.decompress((SAMPLES / "pages" / "0536-forum.html.gz").read_bytes()))
    shutil.copy(SAMPLES / "sample.warc.gz", d / "crawl.warc.gz")
    shutil.copy(SAMPLES / "sample.warc.wet.gz", d / "crawl.warc.wet.gz")
    records = [
        {"id": "j1", "url": "https://example.org/a", "html": "<html><body><article><p>" + "A sentence of "
         "body text that is long enough to keep. " * 6 + "</p></article></body></html>"},
        {"id": "j2", "text": "Already scraped text, one paragraph of it, written as a full sentence. " * 4},
        {"id": "j3", "neither": True},
    ]
    (d / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + "{broken\n", encoding="utf-8")
    (d / "empty.html").write_bytes(b"")
    (d / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page = "<html><body>" + "".join(f"<p>paragraph {i} of {i * 7919 % 1000} words</p>" for i in range(3000))
    packed = gzip.compress(page.encode())
    (d / "truncated.html.gz").write_bytes(packed[: len(packed) // 2])
    return d


def test_mixed_directory_gives_one_record_per_document_and_exit_1(tmp_path):
    d = _mixed_directory(tmp_path)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "thresher", str(d), "-o", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # documents: 1 text + 1 gz html + 1 html + 3 WARC responses + 2 WET conversions + 4 JSONL lines
    # (2 good, 2 bad) + 3 broken files = 15
    assert len(records) == 15
    errors = [r for r in records if r.get("error")]
    assert sorted(r["error"] for r in errors) == sorted(
        ["invalid_record", "invalid_record", "empty", "not_html", "truncated"])
    assert all(r["message"] for r in errors)
    by_source = {Path(r["source"]).name for r in records}
    assert {"scraped.txt", "article.html.gz", "plain.html", "crawl.warc.gz", "crawl.warc.wet.gz",
            "records.jsonl", "empty.html", "binary.html", "truncated.html.gz"} <= by_source
    modes = {Path(r["source"]).name: r.get("mode") for r in records if not r.get("error")}
    assert modes["scraped.txt"] == "text" and modes["crawl.warc.wet.gz"] == "text"
    assert modes["plain.html"] == "html" and modes["crawl.warc.gz"] == "html"
    summary = proc.stderr.strip().splitlines()[-1]
    assert re.search(r"\b15 read\b", summary), summary
    assert re.search(r"\b5 failed\b", summary), summary
    for reason in ("invalid_record 2", "empty 1", "not_html 1", "truncated 1"):
        assert reason in summary, summary
    assert "warcinfo 2" in summary and "request 1" in summary, summary
    assert "pages/s" in summary
