"""Robustness report: every adversarial case in its own process, with outcome, time and peak memory.

    python benchmarks/robustness.py            # the whole corpus (a few minutes)
    python benchmarks/robustness.py --quick    # leave out the cases that take seconds each
    python benchmarks/robustness.py --only gzip_bomb page_50mb

Each case's file is written here, then read and extracted with default Options by
``python -m thresher.testing.measure`` in a fresh process, which reports its peak RSS
(``ru_maxrss``). Totals: crashes (the process died), hangs (no answer within the budget, or
longer than the time limit plus 5 s per document), missing records (fewer records than the case has), unexpected outcomes. Targets: all zero, and peak RSS under
1 GB for the 50 MB cases. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from thresher.options import Options
from thresher.testing.adversarial import Case, cases
from thresher.testing.measure import Measurement, missing_records, run_path

RSS_TARGET_MB = 1024.0


def _per_document_bound() -> float:
    """Seconds one document may take: the default time limit plus slack for a busy machine."""
    return (Options().time_limit or 10.0) + 5.0


def _budget(case: Case) -> float:
    """When to give up waiting for the case's process (a hang)."""
    return 30.0 + _per_document_bound() * (case.records or 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="leave out the slow cases")
    parser.add_argument("--only", nargs="*", metavar="CASE", help="run only these cases")
    args = parser.parse_args(argv)
    selected = [c for c in cases(slow=not args.quick) if not args.only or c.name in args.only]

    crashes = hangs = missing = unexpected = over_rss = 0
    rows: list[tuple[Case, Measurement, str]] = []
    print(f"{'case':32} {'outcome':40} {'time s':>7} {'peak MB':>8} {'file MB':>8}  note")
    with tempfile.TemporaryDirectory(prefix="thresher-robustness-") as tmp:
        for case in selected:
            path = case.write(Path(tmp))
            size_mb = path.stat().st_size / 1e6
            m = run_path(case.name, path, timeout=_budget(case))
            path.unlink()
            notes = []
            lost = missing_records(case, m.outcomes)
            bound = _per_document_bound() * max(1, len(m.outcomes))
            if m.crashed:
                crashes += 1
                notes.append(f"CRASH {m.detail}")
            elif m.hung:
                hangs += 1
                notes.append(f"HANG {m.detail}")
            elif m.seconds > bound:
                hangs += 1
                notes.append(f"HANG past the time limit ({m.seconds:.0f} s > {bound:.0f} s)")
            if lost:
                missing += lost
                notes.append(f"MISSING {lost}")
            if case.records is not None and len(m.outcomes) > case.records:
                notes.append(f"EXTRA {len(m.outcomes) - case.records}")
                unexpected += 1
            bad = m.unexpected(case) if not (m.crashed or m.hung) else ()
            if bad:
                unexpected += 1
                notes.append(f"UNEXPECTED {','.join(bad)}")
            if m.peak_rss_mb > RSS_TARGET_MB:
                over_rss += 1
                notes.append(f"RSS>{RSS_TARGET_MB:.0f}MB")
            if case.known_bug:
                notes.append("known bug: " + case.known_bug.split(":")[0])
            shown = _summarise(m.outcomes) or ("crash" if m.crashed else "hang" if m.hung else "-")
            print(f"{case.name:32} {shown:40} {m.seconds:7.2f} {m.peak_rss_mb:8.1f} {size_mb:8.2f}  "
                  f"{'; '.join(notes)}", flush=True)
            rows.append((case, m, "; ".join(notes)))

    big = [m.peak_rss_mb for c, m, _ in rows if c.large]
    print()
    print(f"cases: {len(rows)}, records: {sum(len(m.outcomes) for _, m, _ in rows)}")
    print(f"crashes: {crashes}, hangs: {hangs}, missing records: {missing}, unexpected outcomes: {unexpected}")
    print(f"peak RSS: max {max((m.peak_rss_mb for _, m, _ in rows), default=0):.0f} MB; "
          f"large (20-50 MB, gzip bomb) cases max {max(big, default=0):.0f} MB (target < {RSS_TARGET_MB:.0f} MB)")
    failed = crashes or hangs or missing or unexpected or over_rss
    return 1 if failed else 0


def _summarise(outcomes: tuple[str, ...]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o] = counts.get(o, 0) + 1
    return ", ".join(f"{k}×{v}" if v > 1 else k for k, v in counts.items())


if __name__ == "__main__":
    sys.exit(main())
