"""The real ``thresher`` console script, run as a user runs it, on small inputs in tmp_path."""

import csv
import gzip
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import thresher

MARKERS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("thresher")
    if script.exists():
        return [str(script)]
    found = shutil.which("thresher")
    return [found] if found else [sys.executable, "-m", "thresher"]


def run(*args, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_command(), *map(str, args)], cwd=cwd, input=stdin, capture_output=True, text=True,
        encoding="utf-8", timeout=120, stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def prose(marker: str) -> str:
    return (
        f"The {marker} orchard report describes how the harvest went this year in the valley. "
        "Farmers picked apples and pears through the autumn, and the cooperative sold most of the fruit "
        "at the regional market before the first frost arrived in the hills.\n\n"
        f"According to the {marker} growers, the dry summer made the apples smaller but sweeter, and "
        "prices stayed steady because demand from the cities did not fall during the season."
    )


def html_page(marker: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in prose(marker).split("\n\n"))
    return (f"<!DOCTYPE html><html><head><title>Orchard news {marker}</title></head>"
            f"<body><article><h1>Orchard news {marker}</h1>{paragraphs}</article></body></html>")


def summary(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert lines, "no summary on stderr"
    return lines[-1]


@pytest.fixture
def pages(tmp_path):
    paths = []
    for marker in MARKERS:
        path = tmp_path / f"{marker}.html"
        path.write_text(html_page(marker), encoding="utf-8")
        paths.append(path.name)
    return paths


def test_version(tmp_path):
    proc = run("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"thresher {thresher.__version__}"


def test_one_html_file_gives_plain_text(tmp_path, pages):
    proc = run(pages[0], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "alpha orchard report" in proc.stdout
    assert not proc.stdout.lstrip().startswith("{")  # one document: txt by default
    assert re.fullmatch(r"thresher: 1 read, 1 extracted, 0 rejected, 0 failed, [\d.]+ pages/s", summary(proc))
    sub = run("extract", pages[0], cwd=tmp_path)  # the subcommand is the same as the bare form
    assert sub.returncode == 0
    assert sub.stdout == proc.stdout


def test_several_inputs_default_to_jsonl_with_error_records_and_exit_1(tmp_path, pages):
    (tmp_path / "empty.html").write_bytes(b"")
    proc = run(pages[0], "empty.html", pages[1], cwd=tmp_path)
    assert proc.returncode == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 3
    assert "alpha" in records[0]["text"] and "bravo" in records[2]["text"]
    assert records[1]["error"] == "empty" and records[1]["source"] == "empty.html"
    assert all("removed" in r for r in (records[0], records[2]))
    assert re.fullmatch(
        r"thresher: 3 read, 2 extracted, 0 rejected, 1 failed \(empty 1\), [\d.]+ pages/s", summary(proc)
    )


def test_json_output_parses(tmp_path, pages):
    one = run("--json", "--with-metadata", pages[2], cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    record = json.loads(one.stdout)  # one document: one object (several: an array, see below)
    assert "charlie" in record["text"] and record["source"] == pages[2]


def test_txt_output_reports_failures_on_stderr(tmp_path, pages):
    (tmp_path / "empty.html").write_bytes(b"")
    proc = run("--output-format", "txt", pages[0], "empty.html", cwd=tmp_path)
    assert proc.returncode == 1
    assert "alpha orchard report" in proc.stdout
    assert "thresher: failed: empty.html: empty" in proc.stderr


def test_stdin_when_no_input_is_given(tmp_path):
    proc = run("--json", cwd=tmp_path, stdin=html_page("hotel"))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record["source"] == "<stdin>" and "hotel orchard report" in record["text"]


def test_rejected_documents_are_counted_and_kept_as_records(tmp_path, pages):
    txt = run("--target-language", "de", pages[0], cwd=tmp_path)
    assert txt.returncode == 0
    assert txt.stdout == ""
    assert "1 rejected (language_en 1)" in summary(txt) and "not written" in summary(txt)
    jsonl = run("--jsonl", "--target-language", "de", pages[0], cwd=tmp_path)
    assert json.loads(jsonl.stdout)["rejected"] == "filter:language_en"


def test_output_file_and_csv(tmp_path, pages):
    proc = run("-o", "out.csv", pages[0], pages[1], cwd=tmp_path)  # the extension gives the format
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert ["alpha" in rows[0]["text"], "bravo" in rows[1]["text"]] == [True, True]


def test_output_dir_one_file_per_input(tmp_path, pages):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / pages[0]).write_text(html_page("india"), encoding="utf-8")
    proc = run("--output-dir", "out", pages[0], pages[1], f"sub/{pages[0]}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["alpha-2.txt", "alpha.txt", "bravo.txt"]
    assert "india orchard" in (out / "alpha-2.txt").read_text(encoding="utf-8")


def test_parallel_keeps_input_order(tmp_path, pages):
    proc = run("--parallel", "2", "--json", *pages, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    records = json.loads(proc.stdout)  # several documents in --json: one array
    assert [r["source"] for r in records] == pages
    for marker, record in zip(MARKERS, records, strict=True):
        assert f"{marker} orchard" in record["text"]
    assert summary(proc).startswith("thresher: 6 read, 6 extracted, 0 rejected, 0 failed")


@pytest.mark.parametrize("args", [["--bogus"], ["--output-dir", "out"]])  # more in test_args.py
def test_usage_errors_exit_2(tmp_path, args):
    proc = run(*args, cwd=tmp_path, stdin="some text on stdin")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr or "error:" in proc.stderr


def test_input_file_list_and_input_dir(tmp_path, pages):
    (tmp_path / "list.txt").write_text(f"{pages[3]}\n{pages[4]}\n", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "one.html").write_text(html_page("juliett"), encoding="utf-8")
    proc = run("--jsonl", "-i", "list.txt", "--input-dir", "dir", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    texts = [json.loads(line)["text"] for line in proc.stdout.splitlines()]
    assert [m for t in texts for m in ("delta", "echo", "juliett") if f"{m} orchard" in t] == [
        "delta", "echo", "juliett"
    ]


def _warc_record(kind: str, url: str, payload: bytes, n: int) -> bytes:
    head = (f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\n"
            f"WARC-Date: 2024-05-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
            f"Content-Type: application/http; msgtype={kind}\r\nContent-Length: {len(payload)}\r\n\r\n")
    return gzip.compress(head.encode() + payload + b"\r\n\r\n")


def test_warc_records_to_output_dir_and_skipped_records_in_summary(tmp_path):
    records = []
    for n, marker in enumerate(("kilo", "lima")):
        url = f"https://example.org/{marker}"
        body = html_page(marker).encode()
        response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        records.append(_warc_record("request", url, b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n", 2 * n))
        records.append(_warc_record("response", url, response, 2 * n + 1))
    (tmp_path / "crawl.warc.gz").write_bytes(b"".join(records))
    proc = run("--output-dir", "out", "crawl.warc.gz", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = sorted((tmp_path / "out").iterdir())
    assert [f.name.startswith("crawl-") and f.suffix == ".txt" for f in files] == [True, True]
    assert "kilo orchard" in files[0].read_text(encoding="utf-8")
    assert "2 read, 2 extracted" in summary(proc) and "2 skipped records (request 2)" in summary(proc)


def test_output_to_an_existing_directory_acts_as_output_dir(tmp_path, pages, monkeypatch, capsys):
    from thresher.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    assert main(["-o", "out", "--markdown", "--with-metadata", pages[0]]) == 0
    written = (tmp_path / "out" / "alpha.md").read_text(encoding="utf-8")
    assert written.startswith("---\n") and "alpha orchard" in written
    assert capsys.readouterr().out == ""



def test_a_dash_output_is_standard_output_not_a_file_named_dash(tmp_path, pages, monkeypatch, capsys):
    from thresher.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["-o", "-", "--json", pages[0]]) == 0
    assert json.loads(capsys.readouterr().out)["text"]
    assert not (tmp_path / "-").exists()


HTML_PAGE = (
    "<html><head><title>T</title></head><body><article><h1>T</h1><h2>Part</h2><p>Words of the article, "
    "long enough to be the main content of this page. Words of the article, long enough to be the main "
    "content of this page.</p><ul><li>one &lt;b&gt; tag, written as text</li><li>two more words in the second "
    "item</li><li>a third item of the list</li></ul><p>More words of the article, "
    "long enough to be the main content of this page.</p></article></body></html>"
)


def test_html_output_is_a_page_of_the_kept_structure(tmp_path, capsys):
    import lxml.html

    from thresher.cli.main import main

    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    assert main(["--time-limit", "0", "--output-format", "html", str(page)]) == 0
    article = lxml.html.document_fromstring(capsys.readouterr().out.encode()).find("body/article")
    assert article.find("h2").text == "Part"
    assert [li.text for li in article.findall("ul/li")] == [
        "one <b> tag, written as text", "two more words in the second item", "a third item of the list"]
    assert main(["--time-limit", "0", "-o", str(tmp_path / "out.html"), str(page)]) == 0
    assert (tmp_path / "out.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_xml_output_keeps_headings_and_lists(tmp_path, capsys):
    import xml.etree.ElementTree as ET

    from thresher.cli.main import main

    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    assert main(["--time-limit", "0", "--output-format", "xml", str(page)]) == 0
    doc = ET.fromstring(capsys.readouterr().out)
    main_ = doc.find("main")
    assert main_.find("head").get("rend") == "h2" and main_.find("head").text == "Part"
    assert [item.text for item in main_.findall("list/item")] == [
        "one <b> tag, written as text", "two more words in the second item", "a third item of the list"]


def test_a_warc_piped_on_stdin_gives_one_record_per_page(tmp_path):
    """``cat crawl.warc | thresher --jsonl``: every HTML response, as for a named archive."""
    from thresher.testing.adversarial import warc_record

    archive = b"".join(
        warc_record("response", f"http://example.com/{m}",
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + html_page(m).encode(), number=n,
                    content_type="application/http; msgtype=response")
        for n, m in enumerate(MARKERS[:2])
    )
    proc = run("--jsonl", cwd=tmp_path, stdin=archive.decode())
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["url"] for r in records] == ["http://example.com/alpha", "http://example.com/bravo"]
    assert "2 read, 2 extracted" in summary(proc)


def test_the_output_inside_an_input_directory_is_not_read_back(tmp_path):
    """``thresher pages/ -o pages/out.jsonl`` twice, or ``--output-dir pages/clean``: the output of the
    previous run (or the file being written) is not an input."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for marker in MARKERS[:2]:
        (pages / f"{marker}.html").write_text(html_page(marker), encoding="utf-8")
    for _ in range(2):
        proc = run(pages, "-o", pages / "out.jsonl", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert len((pages / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    (pages / "out.jsonl").unlink()  # another run's output is an input like any other
    for _ in range(2):
        proc = run(pages, "--output-dir", pages / "clean", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert sorted(p.name for p in (pages / "clean").iterdir()) == ["alpha.txt", "bravo.txt"]


def test_writing_over_an_input_is_a_usage_error(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(html_page("alpha"), encoding="utf-8")
    proc = run(page, "-o", page, cwd=tmp_path)
    assert proc.returncode == 2 and "input" in proc.stderr
    assert page.read_text(encoding="utf-8") == html_page("alpha")


@pytest.mark.parametrize(("name", "is_json"), [("out.jsonl.gz", True), ("out.md.gz", False), ("out.json.gz", True)])
def test_the_format_of_a_gz_output_comes_from_the_name_inside(tmp_path, name, is_json):
    page = tmp_path / "page.html"
    page.write_text(html_page("alpha"), encoding="utf-8")
    proc = run(page, "-o", tmp_path / name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = gzip.decompress((tmp_path / name).read_bytes()).decode("utf-8")
    assert text.startswith("{") == is_json and "alpha orchard report" in text


def test_a_jsonl_record_with_markdown(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(html_page("alpha"), encoding="utf-8")
    proc = run(page, "--jsonl", "--with-markdown", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert "alpha orchard report" in record["text"] and "alpha orchard report" in record["markdown"]


def test_an_output_directory_that_is_the_input_directory_still_reads_the_inputs(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "alpha.html").write_text(html_page("alpha"), encoding="utf-8")
    proc = run("--input-dir", pages, "--output-dir", pages, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (pages / "alpha.txt").exists() and "1 read, 1 extracted" in summary(proc)


def test_a_latin1_file_name_gives_a_record_on_stdout(tmp_path):
    import os

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / os.fsdecode(b"caf\xe9.html")).write_text(html_page("alpha"), encoding="utf-8")
    proc = run(pages, "--jsonl", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["source"].endswith("caf\udce9.html")


def test_the_module_file_runs_as_a_script_for_spark_submit(tmp_path):
    """The README's cluster command hands ``thresher/cli/main.py`` to spark-submit, which runs it as a
    script: it must run the command line, not import and exit silently."""
    import thresher.cli.main as cli_main

    proc = subprocess.run([sys.executable, cli_main.__file__, "--version"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"thresher {thresher.__version__}"


def test_parquet_output_is_a_parquet_file_not_text(tmp_path, pages):
    pq = pytest.importorskip("pyarrow.parquet")
    proc = run("-o", "out.parquet", pages[0], pages[1], cwd=tmp_path)  # the extension gives the format
    assert proc.returncode == 0, proc.stderr
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert ["alpha" in rows[0]["text"], "bravo" in rows[1]["text"]] == [True, True]


@pytest.mark.parametrize("args", [["--parquet"], ["--parquet", "--output-dir", "out"], ["-o", "out.parquet.gz"],
                                  ["-o", "missing/out.parquet"]])
def test_parquet_needs_one_named_output_file(tmp_path, pages, args):
    proc = run(*args, pages[0], cwd=tmp_path)
    assert proc.returncode == 2
    assert "parquet" in proc.stderr.lower()


def test_an_empty_input_directory_is_said_and_fails(tmp_path):
    (tmp_path / "pages").mkdir()
    proc = run("pages", cwd=tmp_path)
    assert proc.returncode == 1
    assert "no input files in pages" in proc.stderr
