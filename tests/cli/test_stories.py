"""`thresher stories` through the real console entry point."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "ticker-overlapping-stories.json"


def _run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "thresher", "stories", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_ticker_lines_group_into_stories_without_mixing(tmp_path):
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))["items"]
    ticker = tmp_path / "ticker.txt"
    ticker.write_text("".join(f"{it['time']} {it['headline']}\n" for it in items), encoding="utf-8")
    out, assigned = tmp_path / "stories.jsonl", tmp_path / "items.jsonl"
    proc = _run(str(ticker), "-o", str(out), "--assignments", str(assigned), "--backend", "lexical")
    assert proc.returncode == 0, proc.stderr
    stories = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    rows = [json.loads(line) for line in assigned.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(items)
    assert sum(s["size"] for s in stories) == len(items)
    truth = {f"ticker.txt:{n + 1}": it["story"] for n, it in enumerate(items)}
    for story in stories:
        labels = {truth[m["id"]] for m in story["members"]}
        assert len(labels) == 1, f"different stories merged: {labels}"
    assert any(s["size"] > 1 for s in stories)
    assert "stories" in proc.stderr and "backend lexical" in proc.stderr


def test_jsonl_headlines_keep_outlets_and_times(tmp_path):
    records = [
        {"id": "a", "headline": "Ford and UAW reach tentative agreement to end strike", "outlet": "a.com",
         "timestamp": "2023-10-26T00:10:00Z"},
        {"id": "b", "headline": "UAW reaches tentative agreement with Ford to end strike", "outlet": "b.com",
         "timestamp": "2023-10-26T02:00:00Z"},
        {"id": "c", "headline": "Giant pandas to leave the National Zoo for China", "outlet": "c.com"},
    ]
    src = tmp_path / "h.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records) + "{\"headline\": broken\n", encoding="utf-8")
    proc = _run(str(src), "--backend", "lexical")
    assert proc.returncode == 1  # one bad line, reported and counted, the rest grouped
    assert "skipped" in proc.stderr
    stories = [json.loads(line) for line in proc.stdout.splitlines()]
    together = next(s for s in stories if {m["id"] for m in s["members"]} >= {"a", "b"})
    assert together["outlet_count"] == 2
    assert together["first_seen"].startswith("2023-10-26T00:10")


def test_a_scraped_pages_ticker_goes_from_extract_to_stories(tmp_path):
    """extract keeps the removed ticker lines as `headlines`; stories --headlines groups them with the page."""
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))["items"]
    article = "\n\n".join(
        f"Paragraph {i} of a long article about the city council and its budget vote, with enough words "
        "to read as the body of the page rather than as a list of headlines." for i in range(6)
    )
    page = tmp_path / "page.txt"
    page.write_text("City council passes budget\n\n" + article + "\n\n"
                    + "".join(f"{it['time']} {it['headline']}\n" for it in items), encoding="utf-8")
    extracted = subprocess.run([sys.executable, "-m", "thresher", str(page), "--output-format", "jsonl"],
                               capture_output=True, text=True, timeout=120)
    assert extracted.returncode == 0, extracted.stderr
    record = json.loads(extracted.stdout)
    got = [(h["time"], h["headline"]) for h in record["headlines"]]
    assert len(got) >= len(items) - 5  # the ticker, line by line, clock time apart
    assert (items[0]["time"], items[0]["headline"]) in got
    assert not any(h.startswith(t) for t, h in got if t)
    assigned = tmp_path / "items.jsonl"
    proc = _run("-", "--assignments", str(assigned), "--backend", "lexical", "--headlines", stdin=extracted.stdout)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in assigned.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 + len(got)  # the page's own title, then each ticker line
    assert sum(1 for r in rows if "#headline-" in r["id"]) == len(got)


def test_a_window_of_no_hours_is_a_usage_error():
    """`--window-hours -5` was taken silently and put every item in a story of its own."""
    from thresher.cli.main import main

    for bad in ("-5", "0", "nan", "soon"):
        assert main(["stories", "--window-hours", bad]) == 2


def test_a_parquet_part_of_a_run_is_read_as_records(tmp_path, capsys):
    """`thresher stories OUT/data/part-00000.parquet` (a `thresher run --format parquet` part) took the
    file's bytes for text lines: hundreds of garbage headlines."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from thresher.cli.main import main

    records = [{"id": f"d{i}", "title": title, "hostname": host, "text": "Body text.", "date": "2024-03-01"}
               for i, (title, host) in enumerate([("Kane praises Tuchel as a wonderful man", "a.example"),
                                                  ("Kane praises Tuchel: a wonderful man", "b.example"),
                                                  ("Stock markets fall sharply in Asia", "a.example")])]
    part = tmp_path / "part-00000.parquet"
    pq.write_table(pa.Table.from_pylist(records), part)
    out = tmp_path / "stories.jsonl"
    assert main(["stories", str(part), "-o", str(out), "--backend", "lexical"]) == 0
    assert "3 items" in capsys.readouterr().err
    stories = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(s["size"] for s in stories) == [1, 2]


@pytest.mark.parametrize("flag", ["-o", "--assignments"])
def test_an_unwritable_output_is_a_clear_error_not_a_traceback(tmp_path, flag):
    ticker = tmp_path / "ticker.txt"
    ticker.write_text("3:19 Storm batters the coast\n", encoding="utf-8")
    proc = _run(str(ticker), flag, str(tmp_path / "missing-dir" / "out.jsonl"), "--backend", "lexical")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "missing-dir" in proc.stderr


@pytest.mark.parametrize(("content", "words"), [(b"", "empty"), (bytes(range(256)) * 8, "binary")])
def test_an_empty_or_binary_input_is_reported_not_clustered(tmp_path, content, words):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    proc = _run(str(path), "--backend", "lexical")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and words in proc.stderr
    assert proc.stdout == ""  # no garbage headlines made of control bytes


def test_a_directory_without_inputs_is_named_as_one(tmp_path):
    proc = _run(str(tmp_path), "--backend", "lexical")
    assert proc.returncode == 2 and "no JSONL, Parquet, feed or text files" in proc.stderr


def test_a_run_folder_a_folder_of_parts_and_a_glob_are_read(tmp_path, capsys):
    """`thresher stories OUT/` or `OUT/data/` (the output of `thresher run`) was refused ("is a
    directory"), and a quoted glob was "no such file"; of a run folder only the kept documents count
    (its duplicates, rejected and failed records are not stories)."""
    from thresher.cli.main import main

    out = tmp_path / "crawls" / "out"
    for kind, title in (("data", "Kane praises Tuchel as a wonderful man"), ("duplicates", "Kane praises Tuchel"),
                        ("rejected", "Stock markets fall")):
        (out / kind).mkdir(parents=True)
        rec = {"id": f"{kind}/0", "title": title, "hostname": "a.example", "text": "Body.", "date": "2024-03-01"}
        (out / kind / "part-00000.jsonl").write_text(json.dumps(rec) + "\n")
    (out / "data" / "part-00001.jsonl").write_text(json.dumps(
        {"id": "data/1", "title": "Kane praises Tuchel: a wonderful man", "hostname": "b.example",
         "text": "Body.", "date": "2024-03-01"}) + "\n")
    (out / "_work").mkdir()
    (out / "_work" / "run.json").write_text("{}")
    (out / "stats.json").write_text("{}")
    # a folder holding run folders: of each, only its data/ parts count too
    for given in (out, out / "data", out / "data" / "part-*.jsonl", tmp_path / "crawls"):
        assert main(["stories", str(given), "--backend", "lexical", "-o", str(tmp_path / "s.jsonl")]) == 0
        assert "2 items, 1 stories" in capsys.readouterr().err


def test_error_records_of_an_extract_run_are_passed_over_not_failed(tmp_path):
    """`thresher extract ... -o out.jsonl` writes error records for unreadable inputs; stories reads
    the documents and counts the errors, exit 0 (they are not malformed lines)."""
    out = tmp_path / "out.jsonl"
    out.write_text(
        json.dumps({"id": "a", "title": "Storm batters the coast as thousands lose power", "text": "x"}) + "\n"
        + json.dumps({"id": None, "error": "empty", "message": "empty file", "source": "e.html"}) + "\n",
        encoding="utf-8",
    )
    proc = _run(str(out), "--backend", "lexical")
    assert proc.returncode == 0, proc.stderr
    assert "1 error records passed over" in proc.stderr and "skipped:" not in proc.stderr


def test_the_json_output_of_extract_is_read_as_records_not_lines(tmp_path):
    """`thresher a.html b.html --json -o docs.json` writes one pretty-printed array: its documents are
    the items, not each of its lines."""
    docs = [{"id": "a", "title": "Storm batters the coast as thousands lose power", "text": "x"},
            {"id": "b", "title": "Thousands lose power as storm batters coast", "text": "y"}]
    for name, payload in (("docs.json", docs), ("one.json", docs[0])):
        path = tmp_path / name
        path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        proc = _run(str(path), "--backend", "lexical")
        assert proc.returncode == 0, proc.stderr
        heads = sorted(m["headline"] for line in proc.stdout.splitlines() for m in json.loads(line)["members"])
        expected = [d["title"] for d in docs] if isinstance(payload, list) else [docs[0]["title"]]
        assert heads == sorted(expected)


def test_untitled_documents_are_passed_over_not_failed(tmp_path, capsys):
    """`thresher stories OUT/data/` over a run of WET and untitled pages exited 1 with one "skipped: record
    N has no headline or title" line per untitled document: they are documents, not broken lines."""
    from thresher.cli.main import main

    part = tmp_path / "part-00000.jsonl"
    rows = [{"id": "a", "title": "Rain falls on Paris", "text": "Body.", "hostname": "a.example"},
            {"id": "b", "title": None, "text": "A WET page without a title.", "hostname": "b.example"},
            {"id": "c", "text": "Another one.", "hostname": "c.example"}]
    part.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["stories", str(part), "--backend", "lexical", "-o", str(tmp_path / "s.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "skipped:" not in err and "1 items" in err and "2 documents without a title passed over" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"outlet": "x.example"}) + "\n")  # a headline item without its headline
    assert main(["stories", str(bad), "--backend", "lexical", "-o", str(tmp_path / "s.jsonl")]) == 1


def test_a_documents_headline_lists_are_items_only_when_asked(tmp_path, capsys):
    """Issue 9: `thresher stories OUT/` made an item of every related-articles line of a document's
    `headlines` ("Read more from ...": 668 items) where `thresher run --stories` made one per titled
    document (112). By default both group the documents; `--headlines` adds the lines."""
    from thresher.cli.main import main

    part = tmp_path / "part-00000.jsonl"
    rows = [{"id": "a", "title": "Storm batters the coast as thousands lose power", "text": "Body.",
             "date": "2024-03-01", "headlines": [{"time": None, "headline": "Read more from our weather desk"},
                                                 {"time": None, "headline": "Food Reports"}]},
            {"id": "b", "title": "Thousands lose power as storm batters coast", "text": "Body.", "date": "2024-03-01",
             "headlines": [{"time": "3:19", "headline": "Diamondbacks beat the Phillies in game 7"}]}]
    part.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assigned = tmp_path / "items.jsonl"
    assert main(["stories", str(part), "--backend", "lexical", "-o", str(tmp_path / "s.jsonl"),
                 "--assignments", str(assigned)]) == 0
    err = capsys.readouterr().err
    assert "2 items, 1 stories" in err and "3 headline-list lines of documents not grouped (--headlines" in err
    assert [json.loads(line)["id"] for line in assigned.read_text().splitlines()] == ["a", "b"]
    assert main(["stories", str(part), "--backend", "lexical", "--headlines", "-o", str(tmp_path / "s.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "5 items, 4 stories" in err and "not grouped" not in err


def test_undated_documents_of_one_topic_are_no_story_but_undated_headlines_are(tmp_path):
    """Issue 9: evergreen pages of a general crawl (no date) were grouped by topic; a ticker's
    headlines (no date either) still group."""
    pages = [{"id": "c1", "title": "What is Cloud Computing?", "hostname": "a.example",
              "text": "Cloud computing is the delivery of computing services over the internet."},
             {"id": "c2", "title": "Investing in Cloud Computing Stocks", "hostname": "b.example",
              "text": "Cloud computing stocks have grown as computing moves online."}]
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(r) + "\n" for r in pages))
    heads = tmp_path / "heads.jsonl"
    heads.write_text("".join(json.dumps({"id": r["id"], "headline": r["title"], "lead": r["text"]}) + "\n"
                             for r in pages))
    sizes = {}
    for path in (docs, heads):
        proc = _run(str(path), "--backend", "lexical")
        assert proc.returncode == 0, proc.stderr
        sizes[path.name] = sorted(json.loads(line)["size"] for line in proc.stdout.splitlines())
    assert sizes == {"docs.jsonl": [1, 1], "heads.jsonl": [2]}


def test_a_line_that_is_no_json_in_a_jsonl_file_is_skipped_not_a_headline(tmp_path):
    path = tmp_path / "headlines.jsonl"
    path.write_text(json.dumps({"headline": "Ford and UAW reach a tentative deal"}) + "\n"
                    + "{not json either\n" + "this line is no JSON record\n", encoding="utf-8")
    out = tmp_path / "stories.jsonl"
    proc = _run(str(path), "-o", str(out), "--backend", "lexical")
    assert proc.returncode == 1
    headlines = [m["headline"] for line in out.read_text(encoding="utf-8").splitlines()
                 for m in json.loads(line)["members"]]
    assert headlines == ["Ford and UAW reach a tentative deal"]
    assert "headlines.jsonl:3: skipped: not a JSON object" in proc.stderr
    assert "2 lines skipped" in proc.stderr


def test_help_reads_as_plain_text_and_gives_the_exit_status():
    proc = _run("--help")
    assert proc.returncode == 0
    assert "``" not in proc.stdout
    assert "Exit status" in proc.stdout


def test_a_timestamp_that_cannot_be_read_is_said_not_dropped_silently(tmp_path):
    path = tmp_path / "headlines.jsonl"
    path.write_text(json.dumps({"headline": "Ford and UAW reach a tentative deal", "timestamp": "last tuesday"}) + "\n"
                    + json.dumps({"headline": "Union and Ford agree", "timestamp": "2023-10-26T02:31:00Z"}) + "\n",
                    encoding="utf-8")
    proc = _run(str(path), "--backend", "lexical")
    assert proc.returncode == 0, proc.stderr
    assert "1 timestamps not understood (e.g. 'last tuesday'): those items have no time" in proc.stderr


def test_a_reader_that_leaves_early_stops_the_output_quietly_and_the_assignments_are_written(tmp_path):
    # `thresher stories ... | head -1` printed "error: cannot write output: Broken pipe" and skipped
    # the --assignments file, which was written after the stories
    ticker = tmp_path / "ticker.txt"
    ticker.write_text("".join(f"{h}:00 Headline number {h} about topic {h} here\n" for h in range(3000)))
    assignments = tmp_path / "items.jsonl"
    with subprocess.Popen([sys.executable, "-m", "thresher", "stories", str(ticker), "--backend", "lexical",
                           "--assignments", str(assignments)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
    assert "Broken pipe" not in err and "Traceback" not in err
    assert len(assignments.read_text().splitlines()) == 3000


def _rss(items):
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>" for title, link, date in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'


def test_rss_and_atom_feeds_group_into_stories_with_their_outlets(tmp_path):
    (tmp_path / "wire.rss").write_text(_rss([
        ("UAW reaches tentative agreement with Ford to end strike", "https://www.a-news.com/uaw-ford",
         "Thu, 26 Oct 2023 00:10:00 GMT"),
        ("Giant pandas to leave the National Zoo for China", "https://www.a-news.com/pandas",
         "Thu, 26 Oct 2023 01:00:00 GMT"),
    ]), encoding="utf-8")
    (tmp_path / "b.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>b</title>'
        '<entry><title>Ford and UAW reach tentative agreement to end strike</title>'
        '<link href="https://b-times.org/ford-uaw"/><id>b-1</id><updated>2023-10-26T02:00:00Z</updated></entry>'
        "</feed>", encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url>'
        "</urlset>", encoding="utf-8")
    proc = _run(str(tmp_path), "--backend", "lexical")  # a folder: its feeds, and an XML file that is none
    assert proc.returncode == 1  # the sitemap is skipped, with its reason; the feeds are grouped
    assert "sitemap.xml: skipped: XML, but not an RSS or Atom feed" in proc.stderr
    stories = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sum(s["size"] for s in stories) == 3
    strike = next(s for s in stories if s["size"] == 2)
    assert sorted(strike["outlets"]) == ["a-news.com", "b-times.org"]
    assert {m["id"] for m in strike["members"]} == {"https://www.a-news.com/uaw-ford", "b-1"}
    assert strike["first_seen"].startswith("2023-10-26T00:10") and strike["last_seen"].startswith("2023-10-26T02:00")


def test_a_feed_on_stdin_and_an_empty_feed(tmp_path):
    feed = _rss([("Pandas leave the National Zoo", "https://c.net/p", "Thu, 26 Oct 2023 01:00:00 GMT")])
    proc = _run("--backend", "lexical", stdin=feed)
    assert proc.returncode == 0, proc.stderr
    (story,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert story["outlets"] == ["c.net"] and story["headline"] == "Pandas leave the National Zoo"
    proc = _run("--backend", "lexical", stdin=_rss([]))
    assert proc.returncode == 1 and "<stdin>: skipped: no feed entries found" in proc.stderr


def test_stream_answers_each_item_as_it_comes_and_agrees_with_the_batch(tmp_path):
    records = [
        {"id": "a", "headline": "Ford and UAW reach tentative agreement to end strike", "outlet": "a.com",
         "timestamp": "2023-10-26T00:10:00Z"},
        {"id": "b", "headline": "UAW reaches tentative agreement with Ford to end strike", "outlet": "b.com",
         "timestamp": "2023-10-26T02:00:00Z"},
        {"id": "c", "headline": "Giant pandas to leave the National Zoo for China", "outlet": "c.com",
         "timestamp": "2023-10-30T02:00:00Z"},
        {"id": "d", "headline": "National Zoo pandas leave for China", "outlet": "d.com",
         "timestamp": "2023-10-30T03:00:00Z"},
        {"id": "e", "headline": "Mike Johnson elected House speaker", "outlet": "e.com",
         "timestamp": "2023-10-30T04:00:00Z"},
    ]
    out = tmp_path / "stories.jsonl"
    answers = []
    with subprocess.Popen([sys.executable, "-m", "thresher", "stories", "--stream", "--backend", "lexical",
                           "-o", str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stdin and proc.stdout and proc.stderr
        try:
            for record in records:  # each answer comes back before the next item is sent: one at a time
                proc.stdin.write(json.dumps(record) + "\n")
                proc.stdin.flush()
                answers.append(json.loads(proc.stdout.readline()))
            proc.stdin.close()
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
        finally:
            proc.kill()
    assert [a["id"] for a in answers] == ["a", "b", "c", "d", "e"]
    assert answers[0]["story"] == answers[1]["story"] and answers[2]["story"] == answers[3]["story"]
    assert len({answers[0]["story"], answers[2]["story"], answers[4]["story"]}) == 3
    stories = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # the strike story closed (no item for 72 hours) before the pandas arrived: written first
    assert stories[0]["size"] == 2 and stories[0]["outlets"] == ["a.com", "b.com"]
    src = tmp_path / "h.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    batch = [json.loads(line) for line in _run(str(src), "--backend", "lexical").stdout.splitlines()]

    def groups(found):
        return sorted(sorted(m["id"] for m in s["members"]) for s in found)

    assert groups(stories) == groups(batch)


def test_stream_needs_a_place_for_the_stories(tmp_path):
    proc = _run("--stream", stdin="Pandas leave the zoo\n")
    assert proc.returncode == 2 and "--stream" in proc.stderr and "-o FILE" in proc.stderr


def test_a_dash_output_is_standard_output(tmp_path, monkeypatch, capsys):
    from thresher.cli.main import main

    monkeypatch.chdir(tmp_path)
    lines = tmp_path / "h.txt"
    lines.write_text("Kane praises Tuchel as a wonderful man\nKane praises Tuchel: a wonderful man\n", encoding="utf-8")
    assert main(["stories", str(lines), "-o", "-", "--backend", "lexical"]) == 0
    stories = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["size"] for s in stories] == [2]
    assert not (tmp_path / "-").exists()


def test_a_files_stream_places_an_id_again_once_its_story_has_closed(tmp_path, monkeypatch, capsys):
    """A file's items are placed in runs; an id repeated after its story closed (no item for the
    window) is a new item, as when the items come one at a time, and an id repeated while its story
    is open names the same item."""
    from thresher.cli.main import main

    monkeypatch.chdir(tmp_path)
    records = [
        {"id": "a", "headline": "Ford and UAW reach tentative agreement to end strike", "timestamp": "2023-10-26T00:10:00Z"},
        {"id": "a", "headline": "Ford and UAW reach tentative agreement to end strike", "timestamp": "2023-10-26T01:10:00Z"},
        {"id": "b", "headline": "Giant pandas to leave the National Zoo for China", "timestamp": "2023-10-30T02:00:00Z"},
        {"id": "a", "headline": "Ford and UAW reach tentative agreement to end strike", "timestamp": "2023-10-30T03:00:00Z"},
    ]
    src = tmp_path / "h.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "stories.jsonl"
    assert main(["stories", "--stream", "--backend", "lexical", str(src), "-o", str(out)]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["a", "b", "a"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
