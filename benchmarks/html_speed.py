#!/usr/bin/env python3
"""Speed of the HTML path, stage by stage, and a check that a faster version says exactly the same.

    python benchmarks/html_speed.py stages [--limit N] [--sample N] [--repeat R]
    python benchmarks/html_speed.py same --rev REV [--limit N] [--sample N] [--model PATH] [--files F,G]

``stages``: CPU milliseconds per page for parse, segment, metadata, rules, model matrix, trees and
assemble (medians over ``--repeat`` passes, taken in the same process as a trafilatura pass over the
same pages, so a busy machine shifts both), plus the thresher/trafilatura ratio of pages per second.

``same``: the HTML stages (files listed in STAGE_FILES) as they were at git revision ``REV`` against
the working tree, on every WCXB dev page, in one process. The old stages are loaded as a copy of
the package (``thresher_rev``) built from the working tree with those files taken from ``REV``, so a
change elsewhere in the tree cannot show up as a difference. Compared per page: blocks (text, kind,
path, hints, features), the rules' decisions, the model's feature matrix (float32, bit for bit),
probabilities, final decisions, the document's text and language. Exit status 1 on any difference
that changes a keep/drop decision or the text.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from revision import package_at

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "wcxb-dev"
STAGE_FILES = (
    "classify/html_model.py", "classify/trees.py", "classify/html.py", "classify/html_rules.py",
    "segment/html.py", "segment/features.py", "parse/html.py", "assemble/document.py",
    "metadata/language.py",
)
"""The HTML path's stage files (paths under src/thresher) that ``same`` takes from ``--rev``."""


def pages(data: Path, limit: int | None, sample: int | None) -> list[tuple[str, str]]:
    files = sorted((data / "html").glob("*.html.gz"))
    if sample:
        files = files[:: max(1, len(files) // sample)][:sample]
    if limit:
        files = files[:limit]
    return [(f.name.split(".")[0], gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace"))
            for f in files]


def old_package(rev: str, workdir: Path, files: tuple[str, ...] = STAGE_FILES) -> Any:
    """The working tree's package with ``files`` (default STAGE_FILES) from ``rev``, importable as
    ``thresher_rev``. Compiled extensions are left out: the old package walks in pure Python."""
    return package_at(rev, workdir, files)


def model_matrix(pkg: str, model: Any, blocks: Any, metadata: Any, rules: Any) -> np.ndarray:
    if hasattr(model, "matrix"):
        return np.asarray(model.matrix(blocks, metadata, rules))
    mod = importlib.import_module(f"{pkg}.classify.html_model")
    return np.asarray(mod.to_matrix(mod.context_features(blocks, metadata, rules), model.names))


def run_page(pkg: str, html: str, options: Any) -> dict[str, Any]:
    """Every intermediate result of one page (``pkg`` is ``thresher`` or ``thresher_rev``)."""
    top = importlib.import_module(pkg)
    rules_mod = importlib.import_module(f"{pkg}.classify.html_rules")
    model_mod = importlib.import_module(f"{pkg}.classify.html_model")
    deadline = importlib.import_module(f"{pkg}.deadline").Deadline(None)
    try:
        trace = top.extract_trace(html, options=options)
    except top.ThresherError as err:
        return {"error": err.reason}
    blocks, metadata = list(trace.blocks), trace.metadata
    out: dict[str, Any] = {
        "blocks": [(b.text, b.kind, b.level, b.path, b.hints, b.cells, dict(b.features)) for b in blocks],
        "decisions": [(d.label, d.reason, d.score) for d in trace.decisions],
        "text": trace.document.text,
        "language": trace.document.language,
    }
    if blocks:
        rules = rules_mod.classify_html(blocks, metadata, options, deadline)
        out["rules"] = [(d.label, d.reason) for d in rules]
        model = model_mod.load_model(options.html_model)
        if model is not None:
            out["matrix"] = model_matrix(pkg, model, blocks, metadata, rules)
            out["probs"] = np.asarray(model.predict(blocks, metadata, rules))
            out["threshold"] = model.thresholds.get(options.focus, 0.5)
    return out


def same(args: argparse.Namespace) -> int:
    import thresher

    with tempfile.TemporaryDirectory() as tmp:
        files = tuple(args.files.split(",")) if args.files else STAGE_FILES
        unknown = set(files) - set(STAGE_FILES)
        if unknown:
            raise SystemExit(f"not stage files: {sorted(unknown)}")
        old = old_package(args.rev, Path(tmp), files)
        opts_new = thresher.Options(html_model=args.model) if args.model else thresher.Options()
        opts_old = old.Options(html_model=args.model) if args.model else old.Options()
        diff: Counter[str] = Counter()
        flips = 0
        max_prob = 0.0
        n = 0
        for pid, html in pages(args.data, args.limit, args.sample):
            n += 1
            a = run_page("thresher_rev", html, opts_old)
            b = run_page("thresher", html, opts_new)
            if a.get("error") or b.get("error"):
                if a.get("error") != b.get("error"):
                    diff["error"] += 1
                    print(f"{pid}: error {a.get('error')} vs {b.get('error')}")
                continue
            for key in ("blocks", "rules", "decisions", "text", "language"):
                if a.get(key) != b.get(key):
                    diff[key] += 1
                    print(f"{pid}: {key} differ")
            if "matrix" in a:
                ma, mb = a["matrix"], b["matrix"]
                if ma.shape != mb.shape or ma.dtype != mb.dtype or not np.array_equal(ma, mb, equal_nan=True):
                    diff["matrix"] += 1
                    print(f"{pid}: matrix differs ({ma.shape} {ma.dtype} vs {mb.shape} {mb.dtype})")
                pa, pb = a["probs"], b["probs"]
                if len(pa) == len(pb):
                    delta = float(np.max(np.abs(pa - pb))) if len(pa) else 0.0
                    max_prob = max(max_prob, delta)
                    if delta:
                        diff["probs"] += 1
                    t = a["threshold"]
                    flips += int(np.sum((pa >= t) != (pb >= t)))
                else:
                    diff["probs"] += 1
        print(f"pages={n} differing pages per check: {dict(diff) or 'none'}; max |prob delta|={max_prob:.3g}; "
              f"keep/drop flips={flips}")
        return 1 if flips or diff["text"] or diff["decisions"] or diff["error"] else 0


def stages(args: argparse.Namespace) -> int:
    import trafilatura

    from thresher.assemble.document import assemble
    from thresher.classify.html_model import load_model
    from thresher.classify.html_rules import classify_html as rules_of
    from thresher.deadline import Deadline
    from thresher.metadata.html import html_metadata
    from thresher.model import Page
    from thresher.options import Options
    from thresher.parse.html import parse_html
    from thresher.segment.html import segment_html

    opts = Options()
    model = load_model(None)
    docs = pages(args.data, args.limit, args.sample)
    names = ("parse", "segment", "metadata", "rules", "matrix", "trees", "decide+assemble", "total",
             "trafilatura")
    runs: dict[str, list[float]] = {k: [] for k in names}
    clock = time.process_time
    for _ in range(args.repeat):
        spent = dict.fromkeys(names, 0.0)
        for _pid, html in docs:
            t0 = clock()
            trafilatura.bare_extraction(html, with_metadata=True)
            spent["trafilatura"] += clock() - t0
            d = Deadline(None)
            t0 = clock()
            tree = parse_html(html, opts)
            t1 = clock()
            blocks = segment_html(tree, opts, d)
            t2 = clock()
            metadata = html_metadata(tree, None, opts)
            t3 = clock()
            rules = rules_of(blocks, metadata, opts, d)
            t4 = clock()
            x = model.matrix(blocks, metadata, rules) if model is not None and blocks else None
            t5 = clock()
            if model is not None and x is not None:
                model.trees.predict(x)
            t6 = clock()
            from thresher.classify import classify_html

            decisions = classify_html(blocks, metadata, opts, d)  # repeats rules+model: subtracted
            t7 = clock()
            assemble(blocks, decisions, metadata, Page(data=html), "html", opts)
            t8 = clock()
            for k, s in zip(names[:6], (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5), strict=True):
                spent[k] += s
            spent["decide+assemble"] += max(0.0, (t7 - t6) - (t6 - t3)) + (t8 - t7)
            spent["total"] += (t6 - t0) + max(0.0, (t7 - t6) - (t6 - t3)) + (t8 - t7)
        for k in names:
            runs[k].append(1000 * spent[k] / len(docs))
    print(f"pages={len(docs)} repeat={args.repeat} (CPU ms per page, median of passes)")
    med = {k: float(np.median(v)) for k, v in runs.items()}
    for k in names:
        print(f"  {k:<16} {med[k]:8.2f}")
    print(f"thresher {1000 / med['total']:.1f} pages/s, trafilatura {1000 / med['trafilatura']:.1f} pages/s, "
          f"ratio {med['trafilatura'] / med['total']:.2f}x")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("stages", "same"):
        p = sub.add_parser(name)
        p.add_argument("--data", type=Path, default=DEFAULT_DATA)
        p.add_argument("--limit", type=int, default=None)
        p.add_argument("--sample", type=int, default=None, help="every k-th page, this many in all")
    sub.choices["stages"].add_argument("--repeat", type=int, default=3)
    sub.choices["same"].add_argument("--rev", required=True, help="git revision of the old stages")
    sub.choices["same"].add_argument("--model", default=None, help="model file (default: the packaged one)")
    sub.choices["same"].add_argument("--files", default=None,
                                     help="comma-separated subset of the stage files to take from --rev "
                                          "(default: all; others keep the working tree's version)")
    a = ap.parse_args(argv)
    return stages(a) if a.command == "stages" else same(a)


if __name__ == "__main__":
    sys.exit(main())
