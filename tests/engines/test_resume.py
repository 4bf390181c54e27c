"""A run killed with SIGKILL mid-way, then rerun, writes exactly what an uninterrupted run writes."""

import os
import signal
import subprocess
import sys
import time

from .conftest import output_files


def _kill_after(markers: str, out, argv: list[str], least: int) -> int:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "_work" / markers).glob("*.done"))) >= least:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
    finally:
        proc.wait()
    return proc.returncode


def test_sigkill_during_extraction_then_rerun_gives_identical_output(corpus, local_run, tmp_path):
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "thresher", "run", str(corpus[0]), "-o", str(out), "--workers", "2"]
    code = _kill_after("extract", out, argv, least=3)
    assert code == -signal.SIGKILL, "the run finished before it could be killed"
    done = list((out / "_work" / "extract").glob("*.done"))
    assert 3 <= len(done) < 13 and not (out / "stats.json").exists()
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "13 shards" in rerun.stderr
    assert output_files(out) == output_files(local_run)
    assert not list(out.rglob("*.tmp-*"))
