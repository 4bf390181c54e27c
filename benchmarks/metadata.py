#!/usr/bin/env python3
"""Metadata only: title, author and date of every WCXB page, Thresher beside its peers, no model.

    python benchmarks/metadata.py [--data DIR] [--half 0|1] [--peers trafilatura,htmldate,htmldate-ext]
                                  [--samples N] [--fields title,author,date] [--out FILE]
                                  [--title-folds DIR]

Each page is decoded as UTF-8, parsed with ``thresher.parse.html.parse_html`` and given to
``thresher.metadata.html.html_metadata`` with the page's URL. Fields are compared exactly as the
reference scorer does (``../shared/score/wcxb_score.py``: title/author by its ``same``, date by the
first ten characters), over the pages whose ground truth has the field. "invented" counts pages whose
truth has no date but the engine gives one.

Pages are split into two halves by domain (``wcxb_folds.fold_of(domain, 2)``): tune rules on half 0,
check them on half 1; a rule that helps only one half is suspect. Both halves are always printed.

The packaged title and date rankers (``data/title_model.json``, the date ranker under its ``date``
key) were trained on these pages: their numbers here are in-sample. ``--title-folds DIR`` (fold
models written by ``training/train_metadata_model.py --folds-out DIR``) scores each page with the
models that never saw its domain (``fold_of(domain, k)``), the honest figure; a fold file without a
``date`` section (written before the date ranker) leaves the date to the rules. ``--title-folds
none`` runs without either ranker (the rules alone).

Peers, run on the same pages in the same process: ``trafilatura`` (``extract_metadata``, the
metadata step of ``bare_extraction``), ``htmldate`` (``find_date``, original date, fast search) and
``htmldate-ext`` (original date, extensive search). htmldate only gives dates.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "score" / "wcxb_score.py"
FOLDS_MODULE = Path(__file__).resolve().parents[1] / "training" / "wcxb_folds.py"
FIELDS = (("title", "title"), ("author", "author"), ("date", "publish_date"))

Engine = Callable[..., dict[str, Any]]
"""(html, url) -> {title, author, date, sources}; thresher's also takes the title model (see
:func:`title_model_for`)."""


def load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def thresher_engine() -> Engine:
    from thresher.metadata.html import html_metadata
    from thresher.options import Options
    from thresher.parse.html import parse_html

    def run(html: str, url: str | None, title_model: str | None = None) -> dict[str, Any]:
        opts = Options(title_model=title_model)
        m = html_metadata(parse_html(html, opts), url, opts)
        return {"title": m.title, "author": m.author, "date": m.date, "sources": dict(m.sources)}

    return run


def trafilatura_engine() -> Engine:
    from trafilatura.metadata import extract_metadata

    def run(html: str, url: str | None) -> dict[str, Any]:
        doc = extract_metadata(html, default_url=url)
        return {"title": doc.title, "author": doc.author, "date": doc.date, "sources": {}}

    return run


def htmldate_engine(extensive: bool) -> Callable[[], Engine]:
    def make() -> Engine:
        from htmldate import find_date

        def run(html: str, url: str | None) -> dict[str, Any]:
            date = find_date(html, url=url, original_date=True, extensive_search=extensive)
            return {"title": None, "author": None, "date": date, "sources": {}}

        return run

    return make


ENGINES: dict[str, Callable[[], Engine]] = {
    "thresher": thresher_engine,
    "trafilatura": trafilatura_engine,
    "htmldate": htmldate_engine(False),
    "htmldate-ext": htmldate_engine(True),
}


def title_model_for(where: str, domain: str, folds: Any) -> str:
    """``Options.title_model`` for a page of ``domain``: the fold model (of ``training/train_metadata_model.py
    --folds-out where``) that did not see it, or ``"none"``."""
    if where == "none":
        return "none"
    k = len(list(Path(where).glob("fold*.json")))
    if not k:
        raise SystemExit(f"no fold*.json in {where}")
    return str(Path(where) / f"fold{folds.fold_of(domain, k)}.json")


class Tally:
    """Exact-match counts of one engine on one half."""

    def __init__(self) -> None:
        self.ok: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.invented = 0
        self.undated = 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--peers", default="", help="comma-separated: trafilatura, htmldate, htmldate-ext")
    ap.add_argument("--half", type=int, choices=(0, 1), default=None, help="only the pages of this half")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--samples", type=int, default=10, help="error samples printed per field")
    ap.add_argument("--fields", default="title,author,date", help="fields whose errors are sampled")
    ap.add_argument("--out", type=Path, default=None, help="write thresher's predictions (JSONL) here")
    ap.add_argument("--title-folds", default=None,
                    help="directory of fold title models (out-of-fold scoring), or 'none' for no ranker")
    a = ap.parse_args(argv)

    scorer = load_module("wcxb_score", a.scorer)
    folds = load_module("wcxb_folds", FOLDS_MODULE)
    names = ["thresher"] + [n.strip() for n in a.peers.split(",") if n.strip()]
    unknown = [n for n in names if n not in ENGINES]
    if unknown:
        raise SystemExit(f"unknown engine(s) {unknown}; known: {sorted(ENGINES)}")
    engines = {n: ENGINES[n]() for n in names}
    ids = sorted(p.name.split(".")[0] for p in (a.data / "html").glob("*.html.gz"))
    tallies = {(n, h): Tally() for n in names for h in (0, 1)}
    by_type: dict[str, Tally] = defaultdict(Tally)
    """Thresher's counts per WCXB page type (both halves)."""
    seconds = dict.fromkeys(names, 0.0)
    errors: dict[str, list[tuple[int, str, str, str, str, str]]] = defaultdict(list)
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    out = a.out.open("w", encoding="utf-8") if a.out else None
    pages = 0
    for pid in ids:
        d = json.loads((a.data / "ground-truth" / f"{pid}.json").read_text(encoding="utf-8"))
        domain, page_type = folds.page_domain_and_type(d)
        half = folds.fold_of(domain, 2)
        if a.half is not None and half != a.half:
            continue
        if a.limit is not None and pages >= a.limit:
            break
        pages += 1
        gt, url = d["ground_truth"], d.get("url")
        title_model = title_model_for(a.title_folds, domain, folds) if a.title_folds else None
        html = gzip.decompress((a.data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", errors="replace")
        for n in names:
            t0 = time.perf_counter()
            try:
                pred = engines[n](html, url, title_model) if n == "thresher" else engines[n](html, url)
            except Exception as err:  # a crash costs the engine the page, not the run
                pred = {"title": None, "author": None, "date": None, "sources": {"error": repr(err)}}
            seconds[n] += time.perf_counter() - t0
            tally = tallies[(n, half)]
            for field, key in FIELDS:
                got = pred.get(field) or ""
                if gt.get(key):
                    tally.total[field] += 1
                    ok = str(got)[:10] == gt[key][:10] if field == "date" else scorer.same(got, gt[key])
                    tally.ok[field] += int(ok)
                    verdict = "ok" if ok else ("missing" if not got else "wrong")
                else:
                    verdict = "extra" if got else "none"
                if n != "thresher":
                    continue
                if gt.get(key):
                    by_type[page_type].total[field] += 1
                    by_type[page_type].ok[field] += int(ok)
                src = pred["sources"].get(field, "-") if got else "-"
                by_source[field][f"{src}:{verdict}"] += 1
                if verdict in ("wrong", "missing", "extra"):
                    errors[field].append((half, pid, domain, verdict, str(gt.get(key) or ""), f"{got!s} [{src}]"))
            if not gt.get("publish_date"):
                tally.undated += 1
                tally.invented += int(bool(pred.get("date")))
                if n == "thresher":
                    by_type[page_type].undated += 1
                    by_type[page_type].invented += int(bool(pred.get("date")))
            if out is not None and n == "thresher":
                out.write(json.dumps({"source": pid, **pred}, ensure_ascii=False) + "\n")
    if out is not None:
        out.close()

    width = 14
    print(f"WCXB metadata pages={pages} data={a.data}")
    print(f"{'':<26}" + "".join(f"{n:>{width}}" for n in names))

    def line(label: str, values: list[str]) -> None:
        print(f"{label:<26}" + "".join(f"{v:>{width}}" for v in values))

    halves = (0, 1) if a.half is None else (a.half,)
    for scope, hs in [("all", halves)] + ([(f"half {h}", (h,)) for h in halves] if a.half is None else []):
        for field, _ in FIELDS:
            vals = []
            for n in names:
                ok = sum(tallies[(n, h)].ok[field] for h in hs)
                tot = sum(tallies[(n, h)].total[field] for h in hs)
                vals.append(f"{ok / tot:.3f}" if tot and (field == "date" or not n.startswith("htmldate")) else "-")
            tot0 = sum(tallies[(names[0], h)].total[field] for h in hs)
            line(f"{scope} {field} (/{tot0})", vals)
        undated = sum(tallies[(names[0], h)].undated for h in hs)
        line(f"{scope} invented (/{undated})", [str(sum(tallies[(n, h)].invented for h in hs)) for n in names])
    line("ms/page", [f"{1000 * seconds[n] / max(1, pages):.1f}" for n in names])

    print("\nthresher by page type: title, author, date (exact / pages with the field), invented / undated")
    for page_type, t in sorted(by_type.items()):
        cells = [f"{t.ok[f] / t.total[f]:.3f}/{t.total[f]}" if t.total[f] else "-" for f, _ in FIELDS]
        print(f"  {page_type:<14}" + "".join(f"{c:>12}" for c in cells) + f"{t.invented:>6}/{t.undated}")

    wanted = {f.strip() for f in a.fields.split(",") if f.strip()}
    for field, _ in FIELDS:
        print(f"\n{field} by source (thresher): "
              + ", ".join(f"{k}={v}" for k, v in sorted(by_source[field].items(), key=lambda kv: -kv[1])))
        if field not in wanted or not a.samples:
            continue
        rows = errors[field]
        print(f"{field} errors: {len(rows)} (first {a.samples} shown; half pid domain verdict | truth | got)")
        for half, pid, domain, verdict, truth, got in rows[: a.samples]:
            print(f"  h{half} {pid} {domain[:28]:<28} {verdict:<7} | {truth[:70]} | {got[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
