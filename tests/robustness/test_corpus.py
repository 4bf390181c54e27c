"""Every adversarial input gives exactly one record per document, in bounded time, and never stops a batch.

Through three doors: the Python API (``extract_result`` on the bytes, ``extract_many`` over a
batch), the readers (``iter_inputs`` on the files) and the command line (one run over a directory).
Default Options everywhere, except the slow cases, which run with a short time limit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from thresher import Document, Failure, Options, extract_many, extract_result
from thresher.read.sources import iter_inputs
from thresher.read.stats import ReadStats

from .corpus import DOCUMENT, QUICK_CASES, SLOW_CASES, Case, bug_params, outcome, params

LIMIT = Options().time_limit or 10.0
SLACK = 5.0
"""Seconds over the time limit a document may take before it counts as hung (busy CI machines)."""


def _check(case: Case, results: list[Document | Failure]) -> None:
    got = [outcome(r) for r in results]
    if case.records is None:
        assert got, f"{case.name}: no record at all"
    else:
        assert len(got) == case.records, f"{case.name}: {len(got)} records, expected {case.records}: {got}"
    assert set(got) <= case.expect, f"{case.name}: outcomes {got}, allowed {sorted(case.expect)}"
    assert case.required <= set(got), f"{case.name}: outcomes {got} lack {sorted(case.required - set(got))}"
    for result in results:
        if isinstance(result, Failure):
            assert result.message, f"{case.name}: a failure without a message"
    if case.contains is not None:
        docs = [r for r in results if isinstance(r, Document)]
        seen = " ".join(d.text + " " + (d.title or "") + " ".join(b.text for b in d.removed) for d in docs)
        assert case.contains in seen, f"{case.name}: {case.contains!r} not in the extracted text"


@pytest.mark.parametrize("case", params(tuple(c for c in QUICK_CASES if c.single)) + bug_params())
def test_api_gives_one_result_per_page(case: Case) -> None:
    assert case.build is not None
    data = case.build()
    started = time.monotonic()
    result = extract_result(data)
    assert time.monotonic() - started < LIMIT + SLACK
    _check(case, [result])


def test_readers_and_extract_many_give_one_record_per_document(corpus_dir: Path) -> None:
    """The whole corpus as one batch: every case its records, in order, none lost, none hung."""
    stats = ReadStats()
    items = list(iter_inputs([str(corpus_dir)], stats=stats))
    assert stats.pages + stats.failures == len(items)
    by_case: dict[str, list[Document | Failure]] = {c.filename: [] for c in QUICK_CASES}
    results = extract_many(items)  # type: ignore[arg-type]  # reader Failures pass through
    started = time.monotonic()
    for item, result in zip(items, results, strict=True):
        elapsed, started = time.monotonic() - started, time.monotonic()
        assert elapsed < LIMIT + SLACK, f"{item.provenance.source}: took {elapsed:.1f} s"
        assert result.provenance == item.provenance  # one to one, in order
        by_case[Path(result.provenance.source).name].append(result)
    problems = []
    for case in QUICK_CASES:
        try:
            _check(case, by_case[case.filename])
        except AssertionError as err:
            problems.append(str(err))
    assert not problems, "\n".join(problems)


def test_bytes_and_mappings_of_every_kind_through_the_api() -> None:
    odd_items: list[object] = [
        b"", "", "   ", b"\x00" * 100, {"html": 5}, {"nothing": "here"}, {"text": ""}, {"html": "<p>x</p>", "url": 3},
        {"html": b"<p>bytes in a mapping</p>"}, 42, None, ["<p>a list</p>"], bytearray(b"<p>bytearray</p>"),
        "\ud800 lone surrogate <p>text</p>", "<p>" + "\u202e" * 1000 + "</p>", "\x00<html>\x00",
    ]
    results = list(extract_many(odd_items))  # type: ignore[arg-type]
    assert len(results) == len(odd_items)
    assert all(isinstance(r, Document | Failure) for r in results)
    assert {outcome(r) for r in results} <= {DOCUMENT, "empty", "invalid_record", "not_html", "undecodable"}


def _cli(inputs: list[str], out: Path, *extra: str, timeout: float) -> tuple[int, list[dict[str, object]], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "thresher", *inputs, "--output-format", "jsonl", "-o", str(out), *extra],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    return proc.returncode, records, proc.stderr


def _summary_counts(stderr: str) -> dict[str, int]:
    line = [ln for ln in stderr.splitlines() if ln.startswith("thresher: ") and " read, " in ln][-1]
    return {key: int(n) for n, key in re.findall(r"(\d+) (read|extracted|rejected|failed)\b", line)}


def test_cli_over_the_corpus_directory(corpus_dir: Path, tmp_path: Path) -> None:
    code, records, stderr = _cli([str(corpus_dir)], tmp_path / "out.jsonl", timeout=300)
    assert code == 1, stderr  # some inputs failed: exit status 1, not a crash
    assert "Traceback" not in stderr
    expected = {c.filename: c.records for c in QUICK_CASES}
    got = Counter(Path(str(r["source"])).name for r in records)
    for name, n in expected.items():
        if n is None:
            assert got[name] >= 1, name
        else:
            assert got[name] == n, f"{name}: {got[name]} records in the output, expected {n}"
    assert sum(got.values()) == len(records)
    counts = _summary_counts(stderr)
    failed = sum(1 for r in records if r.get("error"))
    rejected = sum(1 for r in records if not r.get("error") and r.get("rejected"))
    assert counts["read"] == len(records)
    assert counts["failed"] == failed
    assert counts["rejected"] == rejected
    assert counts["extracted"] == len(records) - failed - rejected
    for record in records:
        if record.get("error"):
            case = next(c for c in QUICK_CASES if c.filename == Path(str(record["source"])).name)
            assert record["error"] in case.expect, record


@pytest.mark.slow
def test_cli_slow_cases_stop_at_the_time_limit(tmp_path: Path) -> None:
    """The million siblings, the 19 MB text node, the 10 MB line...: a document or a timeout, fast."""
    inputs = []
    for case in SLOW_CASES:
        inputs.append(str(case.write(tmp_path)))
    started = time.monotonic()
    code, records, stderr = _cli(inputs, tmp_path / "out.jsonl", "--time-limit", "1", timeout=300)
    elapsed = time.monotonic() - started
    assert code in (0, 1), stderr
    assert len(records) == len(SLOW_CASES), stderr
    for case, record in zip(SLOW_CASES, records, strict=True):
        assert Path(str(record["source"])).name == case.filename
        assert record.get("error", DOCUMENT) in case.expect, record
    # each one stops near the limit (reading and decoding happen before the clock starts)
    assert elapsed < len(SLOW_CASES) * (1 + SLACK) + 20


def test_many_attributes_on_one_element_stop_at_the_time_limit() -> None:
    """Lexbor's attribute handling is quadratic and runs in C, out of reach of both time limits:
    overlong start tags are cut before parsing. The extraction is timed inside the child process, so
    that its start-up (slow on a loaded machine) does not count; the outer timeout only catches a hang."""
    code = (
        "import time, thresher\n"
        "attrs = ' '.join(f'data-a{i}=v{i}' for i in range(60_000))\n"
        "page = f'<html><body><div {attrs}><p>' + 'text ' * 50 + '</p></div></body></html>'\n"
        "thresher.extract_result('<p>warm up</p>')\n"
        "start = time.perf_counter()\n"
        "thresher.extract_result(page, options=thresher.Options(time_limit=1.0))\n"
        "print(time.perf_counter() - start)\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120, check=True, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail("60,000 attributes hung (no answer in 120 s)")
    elapsed = float(done.stdout.strip().splitlines()[-1])
    assert elapsed < 5.0, f"60,000 attributes ran past a 1 s time limit by more than 4 s ({elapsed:.1f} s)"
