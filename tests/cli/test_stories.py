"""`thresher stories` through the real console entry point."""

import json
import subprocess
import sys
from pathlib import Path

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
