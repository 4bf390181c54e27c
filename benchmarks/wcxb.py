#!/usr/bin/env python3
"""Thresher against trafilatura on WCXB-style data, same pages, same process, interleaved timing.

    python benchmarks/wcxb.py [--data DIR] [--limit N] [--sample N] [--engines thresher,trafilatura]
                              [--out DIR] [--folds-dir DIR] [--title-folds DIR]

For each engine: a predictions JSONL ``{source, text, title, author, date}`` in --out, scored with
the reference scorer's functions (``../shared/score/wcxb_score.py``, imported by path), printed
side by side: F1/P/R overall and per page type, p10 page F1, pages below 0.5, metadata
title/author/date exact, invented dates, pages/s and peak RSS. Pages are decoded as UTF-8 for all
engines alike. glibc's malloc thresholds are set as the CLI sets them (``thresher.allocator``:
big blocks freed after a big page go back to the system) unless ``--glibc-defaults``.

With ``--folds-dir DIR`` (written by ``training/train_html_model.py --folds-dir DIR``) thresher scores
each page with ``DIR/fold-K.json``, K = the fold of the page's domain, so the numbers are
out-of-fold: no page is scored by a model trained on its own domain. The title ranker
(``thresher.metadata.titles``) is learned on these pages too: ``--title-folds DIR`` (written by
``training/train_metadata_model.py --folds-out DIR``) gives each page the fold title model that did
not see its domain; without it the title line is in-sample and says so.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "score" / "wcxb_score.py"
FOLDS_MODULE = Path(__file__).resolve().parents[1] / "training" / "wcxb_folds.py"

Engine = Callable[[str, str | None, Path | None], dict[str, Any]]
"""(html, url, model file or None for the packaged one) -> {text, title, author, date}"""


def load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def thresher_engine() -> Engine:
    import thresher

    def run(html: str, url: str | None, model: Path | None, title_model: Path | None = None) -> dict[str, Any]:
        options = thresher.Options(html_model=str(model) if model is not None else None,
                                   title_model=str(title_model) if title_model is not None else None)
        try:
            doc = thresher.extract(html, url=url, options=options)
        except thresher.ThresherError:
            return {"text": "", "title": None, "author": None, "date": None}
        return {"text": doc.text, "title": doc.title, "author": doc.author, "date": doc.date}

    return run


def trafilatura_engine() -> Engine:
    import trafilatura

    def run(html: str, url: str | None, model: Path | None) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
        if doc is None:
            return {"text": "", "title": None, "author": None, "date": None}
        get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
        return {"text": get("text") or "", "title": get("title"), "author": get("author"),
                "date": get("date")}

    return run


def trafilatura_text_engine() -> Engine:
    """trafilatura's plain ``extract`` (text only: no metadata, so no htmldate search): its fastest
    common use, for the speed comparison; title/author/date come out empty."""
    import trafilatura

    def run(html: str, url: str | None, model: Path | None) -> dict[str, Any]:
        text = trafilatura.extract(html, url=url)
        return {"text": text or "", "title": None, "author": None, "date": None}

    return run


ENGINES: dict[str, Callable[[], Engine]] = {
    "thresher": thresher_engine,
    "trafilatura": trafilatura_engine,
    "trafilatura-text": trafilatura_text_engine,
}


def page_ids(data: Path, limit: int | None, sample: int | None) -> list[str]:
    ids = sorted(p.name.split(".")[0] for p in (data / "html").glob("*.html.gz"))
    if sample:
        step = max(1, len(ids) // sample)
        ids = ids[::step][:sample]
    if limit:
        ids = ids[:limit]
    return ids


def truth_of(data: Path, pid: str, folds: Any) -> tuple[dict[str, Any], str, str | None, int]:
    """Ground truth, page type, url and the fold (by domain) of one page."""
    d = json.loads((data / "ground-truth" / f"{pid}.json").read_text(encoding="utf-8"))
    domain, page_type = folds.page_domain_and_type(d)
    return d["ground_truth"], page_type, d.get("url"), folds.fold_of(domain)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--sample", type=int, default=None, help="every k-th page, this many in all")
    ap.add_argument("--engines", default="thresher,trafilatura",
                    help="comma-separated: " + ", ".join(ENGINES) + " (trafilatura = bare_extraction with "
                         "metadata, like thresher; trafilatura-text = plain extract, no metadata)")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out/wcxb"))
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages of the first engine")
    ap.add_argument("--folds-dir", type=Path, default=None,
                    help="score each page with DIR/fold-K.json (K = fold of its domain): out-of-fold numbers")
    ap.add_argument("--title-folds", type=Path, default=None,
                    help="title ranker fold models DIR/foldK.json: out-of-fold titles")
    ap.add_argument("--glibc-defaults", action="store_true",
                    help="leave glibc's malloc thresholds as they are (by default they are set as the CLI, "
                         "`thresher run` and the server set them: thresher.allocator.return_big_blocks)")
    a = ap.parse_args(argv)
    allocator = "glibc defaults"
    if not a.glibc_defaults:
        from thresher.allocator import return_big_blocks

        allocator = "as the CLI sets it" if return_big_blocks() else "glibc defaults (not settable here)"

    scorer = load_module("wcxb_score", a.scorer)
    if a.title_folds is not None:
        missing = [k for k in range(5) if not (a.title_folds / f"fold{k}.json").exists()]
        if missing:
            raise SystemExit(f"{a.title_folds}: no title fold model(s) {missing}")
    folds = load_module("wcxb_folds", FOLDS_MODULE)
    if a.folds_dir is not None:
        missing = [k for k in range(5) if not (a.folds_dir / f"fold-{k}.json").exists()]
        if missing:
            raise SystemExit(f"{a.folds_dir}: no fold model(s) {missing}")
    names = [n.strip() for n in a.engines.split(",") if n.strip()]
    engines = {n: ENGINES[n]() for n in names}
    ids = page_ids(a.data, a.limit, a.sample)
    a.out.mkdir(parents=True, exist_ok=True)
    outs = {n: (a.out / f"{n}.jsonl").open("w", encoding="utf-8") for n in names}
    seconds = dict.fromkeys(names, 0.0)
    rows: dict[str, list[tuple[str, str, float, float, float]]] = {n: [] for n in names}
    meta: dict[str, dict[str, list[int]]] = {n: defaultdict(lambda: [0, 0]) for n in names}
    invented = dict.fromkeys(names, 0)
    undated = 0
    errors = dict.fromkeys(names, 0)
    for pid in ids:
        raw = gzip.decompress((a.data / "html" / f"{pid}.html.gz").read_bytes())
        html = raw.decode("utf-8", errors="replace")
        gt, ptype, url, fold = truth_of(a.data, pid, folds)
        model = a.folds_dir / f"fold-{fold}.json" if a.folds_dir is not None else None
        title_model = a.title_folds / f"fold{fold}.json" if a.title_folds is not None else None
        if not gt.get("publish_date"):
            undated += 1
        for n in names:
            t0 = time.perf_counter()
            try:
                pred = engines[n](html, url, model, title_model) if n == "thresher" else engines[n](html, url, model)
            except Exception as err:  # an engine's crash costs it the page, not the run
                errors[n] += 1
                pred = {"text": "", "title": None, "author": None, "date": None, "error": repr(err)}
            seconds[n] += time.perf_counter() - t0
            outs[n].write(json.dumps({"source": pid, **pred}, ensure_ascii=False) + "\n")
            p, r, f = scorer.prf(pred.get("text") or "", gt.get("main_content", ""))
            rows[n].append((pid, ptype, p, r, f))
            for field, key in (("title", "title"), ("author", "author"), ("date", "publish_date")):
                if gt.get(key):
                    meta[n][field][1] += 1
                    got = pred.get(field) or ""
                    ok = (str(got)[:10] == gt[key][:10]) if field == "date" else scorer.same(got, gt[key])
                    meta[n][field][0] += int(ok)
            if not gt.get("publish_date") and pred.get("date"):
                invented[n] += 1
    for fh in outs.values():
        fh.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    width = max(14, *(len(n) + 2 for n in names))
    print(f"WCXB pages={len(ids)} data={a.data} thresher model="
          + (f"out-of-fold {a.folds_dir}/fold-K.json" if a.folds_dir else "packaged"))
    print(f"{'':<22}" + "".join(f"{n:>{width}}" for n in names))

    def line(label: str, values: list[str]) -> None:
        print(f"{label:<22}" + "".join(f"{v:>{width}}" for v in values))

    line("F1", [f"{mean([r[4] for r in rows[n]]):.3f}" for n in names])
    line("precision", [f"{mean([r[2] for r in rows[n]]):.3f}" for n in names])
    line("recall", [f"{mean([r[3] for r in rows[n]]):.3f}" for n in names])
    line("p10 page F1", [f"{sorted(r[4] for r in rows[n])[len(rows[n]) // 10]:.3f}" for n in names])
    line("pages F1<0.5", [str(sum(1 for r in rows[n] if r[4] < 0.5)) for n in names])
    types: dict[str, int] = defaultdict(int)
    for r in rows[names[0]]:
        types[r[1]] += 1
    for t, count in sorted(types.items(), key=lambda kv: -kv[1]):
        line(f"F1 {t} ({count})", [f"{mean([r[4] for r in rows[n] if r[1] == t]):.3f}" for n in names])
    for field in ("title", "author", "date"):
        vals = []
        for n in names:
            ok, tot = meta[n][field]
            vals.append(f"{ok / tot:.3f}" if tot else "-")
        label = f"{field} exact" if field != "title" or a.title_folds is not None else "title exact (in-sample)"
        line(label, vals)
    line(f"invented dates (/{undated})", [str(invented[n]) for n in names])
    line("errors", [str(errors[n]) for n in names])
    line("pages/s", [f"{len(ids) / seconds[n]:.1f}" if seconds[n] else "-" for n in names])
    line("ms/page", [f"{1000 * seconds[n] / max(1, len(ids)):.1f}" for n in names])
    print(f"peak RSS (whole process, all engines; allocator {allocator}): {rss_mb:.0f} MB")
    print(f"predictions: {', '.join(str(a.out / f'{n}.jsonl') for n in names)}")
    if a.worst:
        first = names[0]
        for pid, ptype, p, r, f in sorted(rows[first], key=lambda r: r[4])[: a.worst]:
            print(f"  worst {first} {pid} {ptype:<13} F1={f:.2f} P={p:.2f} R={r:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
