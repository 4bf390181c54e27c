"""Run adversarial cases each in a fresh process and measure outcome, time and peak memory.

The parent writes the case's file, then starts ``python -m thresher.testing.measure PATH``, which
warms up (one small page: models and vocabularies load), reads the file through the readers
(``iter_inputs``), extracts every record with default Options and prints one JSON line: the outcomes, the seconds taken and the process's peak RSS
(:func:`peak_rss_mb`: its own, not a parent's). The file is written by the parent, so its generation never counts in the peak.
A child that dies is a *crash*, one that outlives its budget a *hang*, and fewer records than
expected are *missing* records.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from thresher.testing.adversarial import Case

HANG_SECONDS = 60.0
"""Budget per record beyond the time limit before a run counts as hung."""


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one case did in its own process."""

    case: str
    outcomes: tuple[str, ...]
    seconds: float
    peak_rss_mb: float
    crashed: bool = False
    hung: bool = False
    detail: str = ""

    def unexpected(self, case: Case) -> tuple[str, ...]:
        """Outcomes the case does not allow, and required outcomes that did not occur."""
        bad = tuple(o for o in self.outcomes if o not in case.expect)
        return bad + tuple(sorted(f"missing:{o}" for o in case.required - set(self.outcomes)))


def missing_records(case: Case, outcomes: tuple[str, ...]) -> int:
    """How many records fewer than the case expects (a hang or crash loses all of them)."""
    expected = 1 if case.records is None else case.records
    return max(0, expected - len(outcomes))


def run_case(case: Case, directory: Path | None = None, *, timeout: float = HANG_SECONDS) -> Measurement:
    """Write the case and measure it in a fresh ``python`` process."""
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        path = case.write(Path(tmp))
        return run_path(case.name, path, timeout=timeout)


def run_path(name: str, path: Path, *, timeout: float = HANG_SECONDS) -> Measurement:
    """Measure reading and extracting the file at ``path`` in a fresh process."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "thresher.testing.measure", str(path)],
            capture_output=True, timeout=timeout, check=False,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    except subprocess.TimeoutExpired:
        return Measurement(name, (), time.monotonic() - started, 0.0, hung=True,
                           detail=f"no answer after {timeout:g} s")
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        return Measurement(name, (), time.monotonic() - started, 0.0, crashed=True,
                           detail=f"exit {proc.returncode}: {' | '.join(tail)}")
    report = json.loads(lines[-1])
    return Measurement(name, tuple(report["outcomes"]), report["seconds"], report["peak_rss_mb"])


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: Linux's ``VmHWM`` (the high-water mark of this
    program's own memory, new at ``exec``), else ``ru_maxrss``. Linux keeps ``ru_maxrss`` across
    ``fork`` + ``exec``, so a child of a large process (a test runner that has loaded models) would
    report its parent's size instead of its own."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes there, KiB here


def measure_path(path: str) -> dict[str, object]:
    """In this process: read the file, extract every record, return outcomes, time and peak RSS."""
    from thresher.extract import extract_result
    from thresher.read.sources import iter_inputs
    from thresher.testing.adversarial import outcome

    extract_result("<html><body><p>Warm up: load the models and vocabularies first.</p></body></html>")
    started = time.perf_counter()
    outcomes = [outcome(extract_result(item)) for item in iter_inputs([path])]
    seconds = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    return {"outcomes": outcomes, "seconds": round(seconds, 3), "peak_rss_mb": round(peak_mb, 1)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m thresher.testing.measure PATH", file=sys.stderr)
        return 2
    print(json.dumps(measure_path(args[0])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
