"""Peak memory of the biggest cases, each measured in a fresh process (ru_maxrss), under default caps."""

from __future__ import annotations

from pathlib import Path

import pytest

from thresher.testing.measure import run_case

from .corpus import Case, cases, params

PEAK_MB = 1024.0
BIG_CASES = tuple(c for c in cases(slow=False) if c.name in ("page_50mb", "gzip_bomb", "gzip_bomb_jsonl"))
"""The 50 MB page and the 4 GiB gzip bombs (the benchmark measures every case)."""


@pytest.mark.slow
@pytest.mark.parametrize("case", params(BIG_CASES))
def test_big_inputs_stay_under_a_gigabyte(case: Case, tmp_path: Path) -> None:
    m = run_case(case, tmp_path, timeout=120)
    assert not m.crashed and not m.hung, m.detail
    assert set(m.outcomes) <= case.expect, m.outcomes
    assert m.peak_rss_mb < PEAK_MB, f"{case.name}: peak RSS {m.peak_rss_mb:.0f} MB"
