"""Run the atheris harness for a bounded time and check it finds no crash (skipped without atheris)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "fuzz" / "fuzz_extract.py"
SEEDS = HARNESS.parent / "corpus"
SECONDS = int(os.environ.get("THRESHER_FUZZ_SECONDS", "12"))


def test_seed_corpus_is_small() -> None:
    files = list(SEEDS.iterdir())
    assert files, "fuzz/corpus holds the seed inputs"
    assert all(f.stat().st_size < 16_384 for f in files)
    assert sum(f.stat().st_size for f in files) < 200_000


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed ([fuzz] extra)")
def test_fuzzing_the_html_and_text_paths_finds_no_crash(tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(SEEDS, work)  # libFuzzer adds what it finds to the first directory: not the repo's
    proc = subprocess.run(
        [sys.executable, str(HARNESS), f"-max_total_time={SECONDS}", "-timeout=15", "-rss_limit_mb=2048",
         f"-artifact_prefix={tmp_path}/", str(work)],
        capture_output=True, text=True, timeout=SECONDS + 120, check=False,
    )
    crashes = list(tmp_path.glob("crash-*")) + list(tmp_path.glob("timeout-*")) + list(tmp_path.glob("oom-*"))
    tail = "\n".join(proc.stderr.splitlines()[-30:])
    assert proc.returncode == 0 and not crashes, f"exit {proc.returncode}, artifacts {crashes}:\n{tail}"
    assert "Done " in proc.stderr
