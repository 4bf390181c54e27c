"""Peak memory of the biggest cases, each measured in a fresh process (ru_maxrss), under default caps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from thresher.testing.measure import run_case

from .corpus import Case, cases, params

PEAK_MB = 1024.0
BIG_CASES = tuple(c for c in cases(slow=False) if c.name in ("page_50mb", "gzip_bomb"))
"""The 50 MB page and the 4 GiB gzip bomb (the benchmark measures every case)."""


@pytest.mark.slow
@pytest.mark.parametrize("case", params(BIG_CASES))
def test_big_inputs_stay_under_a_gigabyte(case: Case, tmp_path: Path) -> None:
    m = run_case(case, tmp_path, timeout=120)
    assert not m.crashed and not m.hung, m.detail
    assert set(m.outcomes) <= case.expect, m.outcomes
    assert m.peak_rss_mb < PEAK_MB, f"{case.name}: peak RSS {m.peak_rss_mb:.0f} MB"


_PER_BLOCK = """
import sys, tracemalloc
from thresher import Options, extract_result
opts = Options(time_limit=None)
extract_result(sys.argv[1].encode() * 50, options=opts)  # warm up: models, vocabularies
tracemalloc.start()
extract_result(sys.argv[1].encode() * int(sys.argv[2]), options=opts)
print(tracemalloc.get_traced_memory()[1] / int(sys.argv[2]))
"""


@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason=(
    "about 1,060 bytes of peak memory per one-letter line (8,000 lines): the blocks and their compact "
    "feature table (~400 B/line) stay, and classification builds per-document matrices on top: the rules' "
    "columns (Python lists; whole-number columns of long documents are shared small ints) and the text "
    "model's float32 feature matrices of both stages (~650 B/line). segment_text caps the lines at "
    "max_elements / 5 (too_large past it), which bounds the total; still to do: predict in chunks of rows"
))
def test_memory_per_short_line_is_bounded() -> None:
    """Peak traced memory per input line of the text path, for 8,000 one-letter lines."""
    proc = subprocess.run([sys.executable, "-c", _PER_BLOCK, "a\n", "8000"], capture_output=True, text=True,
                          timeout=120, check=True)
    per_line = float(proc.stdout.split()[-1])
    assert per_line < 500, f"{per_line:.0f} bytes of peak memory per line"


def test_html_model_memory_does_not_grow_with_rows_times_trees() -> None:
    tracemalloc = pytest.importorskip("tracemalloc")
    np = pytest.importorskip("numpy")
    from thresher.classify.html_model import load_model

    model = load_model(None)
    if model is None:
        pytest.skip("no packaged HTML model")
    rows = np.zeros((20_000, len(model.names)), dtype=np.float32)
    tracemalloc.start()
    try:
        model.trees.predict(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150_000_000, f"predicting 20,000 rows peaks at {peak / 1e6:.0f} MB"


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    # Linux keeps ru_maxrss across fork + exec: a measuring child of a large test runner must not
    # report the runner's size (what made the big-input cases fail after the model tests ran)
    parent = (
        "import subprocess, sys\n"
        "big = bytearray(400 * 1024 * 1024)\n"
        "big[::4096] = b'x' * len(big[::4096])\n"
        "code = 'from thresher.testing.measure import peak_rss_mb; print(peak_rss_mb())'\n"
        "print(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout)\n"
    )
    out = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, check=True).stdout
    assert 5 < float(out) < 300, out
