#!/usr/bin/env python3
"""Markdown structure of thresher against trafilatura on WCXB dev, same pages, same run.

    python benchmarks/markdown.py [--data DIR] [--sample N] [--folds-dir DIR] [--out FILE]

Runs ``thresher.extract(html, url, Options(with_markdown=True))`` and
``trafilatura.extract(html, output_format="markdown", include_tables=True, include_formatting=False)``
(and, with ``--trafilatura-formatting``, the same with ``include_formatting=True``: trafilatura
writes heading marks only then) on a sample of pages stratified by page type (default 150), parses
the outputs and the ground-truth ``main_content_markdown`` with markdown-it-py (CommonMark + GFM
tables) into headings (level + text), list items, table cells and code blocks, and prints
micro-averaged precision/recall/F1 of each per engine side by side (every page type gets at least
one page, so small samples run a little over N). Items compare as multisets of their lower-cased ``\\w+`` token strings.

Also the page-averaged word F1 (lower-cased ``\\w+`` bag, as ``../shared/score/wcxb_score.py``)
of the Markdown with its syntax stripped against ``main_content``, beside the plain-text F1 of
``Document.text`` (trafilatura: its plain-text output).

Code blocks of documentation pages get two recalls: exact (the block's token string matches) and
contained (the reference block's tokens lie inside one of the engine's code blocks: the reference
often splits one ``<pre>`` into several fences, or cuts lines the page hides).

Rendering overhead: thresher's extraction runs without Markdown (``extract_trace``), then its kept
blocks are rendered to Markdown and to HTML (``render_markdown``, ``render_html``, what ``assemble``
calls), each timed on its own; the report gives the total rendering time over the total extraction
time and the median of the per-page ratios.

When ``--folds-dir`` (default /tmp/html_folds) holds fold-0..4.json, thresher scores each page with
the model of its domain's fold (``training/wcxb_folds.py``): out-of-fold block selection. Otherwise
the packaged model is used, which was trained on these pages: block selection is then in-sample and
only the Markdown structure is being measured.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
DEFAULT_FOLDS = Path("/tmp/html_folds")
FOLDS_MODULE = Path(__file__).resolve().parents[1] / "training" / "wcxb_folds.py"
KINDS = ("heading", "heading_text", "list_item", "table_cell", "code")

_MD = MarkdownIt("commonmark").enable("table")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


def norm(text: str) -> str:
    return " ".join(tokens(text))


def load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_ITEM_MARK = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")


def _item_lines(tok: Any, children: list[Any], lines: list[str], column: int | None) -> list[Any]:
    """The inline children of an item's first paragraph up to its first lazy continuation line (a line
    not indented to the item's content, which CommonMark reads into the item's paragraph; written
    after a list it starts the next line of text, as ``- item\\n**Pros:**`` does), when
    ``lazy_lines`` asks for it."""
    if not LAZY_LINES_END_ITEMS or column is None or tok.map is None:
        return children
    body = lines[tok.map[0] + 1: tok.map[1]]
    lazy = next((k for k, line in enumerate(body, start=1)
                 if line.strip() and len(line) - len(line.lstrip()) < min(column, 2)), None)
    if lazy is None:
        return children
    breaks = 0
    for n, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            breaks += 1
            if breaks == lazy:
                return children[:n]
    return children


LAZY_LINES_END_ITEMS = False
"""``--lazy-lines``: a lazy continuation line ends the list item it follows (both sides alike)."""


def structure(markdown: str) -> tuple[dict[str, Counter[str]], str]:
    """Multisets of headings, list items, table cells, code blocks; and the text without syntax."""
    items: dict[str, Counter[str]] = {k: Counter() for k in KINDS}
    plain: list[str] = []
    toks = _MD.parse(markdown or "")
    lines = (markdown or "").split("\n")
    open_heading: int | None = None
    list_depth = 0
    item_started: list[bool] = []
    item_column: list[int | None] = []
    in_cell = False
    for i, tok in enumerate(toks):
        t = tok.type
        if t == "heading_open":
            open_heading = int(tok.tag[1])
        elif t == "heading_close":
            open_heading = None
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "list_item_open":
            item_started.append(False)
            mark = _ITEM_MARK.match(lines[tok.map[0]]) if tok.map and tok.map[0] < len(lines) else None
            item_column.append(len(mark.group(0)) if mark else None)
        elif t == "list_item_close":
            item_started.pop()
            item_column.pop()
        elif t in ("th_open", "td_open"):
            in_cell = True
        elif t in ("th_close", "td_close"):
            in_cell = False
        elif t in ("fence", "code_block"):
            plain.append(tok.content)
            text = norm(tok.content)
            if text:
                items["code"][text] += 1
            if item_started:
                item_started[-1] = True
        elif t == "inline":
            text_parts = [c.content for c in tok.children or () if c.type in ("text", "code_inline")]
            raw = " ".join(text_parts)
            plain.append(raw)
            text = norm(raw)
            if not text:
                continue
            if open_heading is not None:
                items["heading"][f"{open_heading}:{text}"] += 1
                items["heading_text"][text] += 1
            elif in_cell:
                items["table_cell"][text] += 1
            elif item_started and not item_started[-1] and toks[i - 1].type == "paragraph_open":
                # the item's first paragraph names it
                named = _item_lines(toks[i - 1], list(tok.children or ()), lines, item_column[-1])
                text = norm(" ".join(c.content for c in named if c.type in ("text", "code_inline")))
                if text:
                    items["list_item"][text] += 1
                item_started[-1] = True
    return items, "\n".join(plain)


def prf(pred: Iterable[str], ref: Iterable[str]) -> tuple[float, float, float]:
    p, r = Counter(pred), Counter(ref)
    if not r:
        return (1.0, 1.0, 1.0) if not p else (0.0, 0.0, 0.0)
    if not p:
        return (0.0, 0.0, 0.0)
    hit = sum((p & r).values())
    precision, recall = hit / sum(p.values()), hit / sum(r.values())
    return precision, recall, (2 * precision * recall / (precision + recall) if hit else 0.0)


Engine = Callable[[str, str | None, Path | None], tuple[str, str]]
"""(html, url, fold model or None) -> (markdown, plain text)"""


def thresher_engine(timings: dict[str, list[float]]) -> Engine:
    """Extraction without Markdown, then Markdown and HTML rendered from the kept blocks, each timed
    (seconds per page appended to ``timings["extract"]``, ``["markdown"]``, ``["html"]``)."""
    import thresher
    from thresher.assemble.html import render_html
    from thresher.assemble.markdown import render_markdown
    from thresher.extract import extract_trace

    def run(html: str, url: str | None, model: Path | None) -> tuple[str, str]:
        # no time limit: a page over it under a loaded machine would score as empty
        opts = thresher.Options(html_model=str(model) if model else None, time_limit=None)
        t0 = time.perf_counter()
        try:
            trace = extract_trace(html, url=url, options=opts)
        except thresher.ThresherError:
            return "", ""
        t1 = time.perf_counter()
        kept = [b for b, d in zip(trace.blocks, trace.decisions, strict=True) if d.kept]
        markdown = render_markdown(kept, trace.metadata, opts)
        t2 = time.perf_counter()
        render_html(kept, trace.metadata, opts)
        t3 = time.perf_counter()
        timings["extract"].append(t1 - t0)
        timings["markdown"].append(t2 - t1)
        timings["html"].append(t3 - t2)
        return markdown, trace.document.text

    return run


def trafilatura_engine(formatting: bool = False) -> Engine:
    import trafilatura

    def run(html: str, url: str | None, model: Path | None) -> tuple[str, str]:
        md = trafilatura.extract(html, url=url, output_format="markdown", include_tables=True,
                                 include_formatting=formatting)
        text = trafilatura.extract(html, url=url, include_tables=True)
        return md or "", text or ""

    return run


def stratified(data: Path, folds: Any, sample: int) -> list[tuple[str, dict[str, Any], str]]:
    """Every k-th page within each page type, types in proportion to their share of the set."""
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for p in sorted((data / "ground-truth").glob("*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        _, ptype = folds.page_domain_and_type(d)
        by_type[ptype].append((p.stem, d))
    total = sum(len(v) for v in by_type.values())
    out: list[tuple[str, dict[str, Any], str]] = []
    for ptype, pages in sorted(by_type.items()):
        n = max(1, round(sample * len(pages) / total))
        step = max(1, len(pages) // n)
        out.extend((pid, d, ptype) for pid, d in pages[::step][:n])
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=150, help="pages, stratified by page type")
    ap.add_argument("--folds-dir", type=Path, default=DEFAULT_FOLDS,
                    help="fold-K.json models for out-of-fold thresher numbers (used when all 5 exist)")
    ap.add_argument("--out", type=Path, default=None, help="write per-page Markdown outputs as JSONL")
    ap.add_argument("--trafilatura-formatting", action="store_true",
                    help="also run trafilatura with include_formatting=True (it marks headings only then)")
    ap.add_argument("--lazy-lines", action="store_true",
                    help="a lazy continuation line (not indented to the item's content) ends the list item "
                         "before it, in the reference and every engine alike: the ground truth often writes "
                         "a line right after a list without a blank line between")
    a = ap.parse_args(argv)
    global LAZY_LINES_END_ITEMS
    LAZY_LINES_END_ITEMS = a.lazy_lines

    folds = load_module("wcxb_folds", FOLDS_MODULE)
    use_folds = all((a.folds_dir / f"fold-{k}.json").exists() for k in range(5))
    timings: dict[str, list[float]] = defaultdict(list)
    engines = {"thresher": thresher_engine(timings)}
    if importlib.util.find_spec("trafilatura") is None:
        print("trafilatura is not installed (pip install -e '.[bench]'): thresher only", file=sys.stderr)
    else:
        engines["trafilatura"] = trafilatura_engine()
        if a.trafilatura_formatting:
            engines["trafilatura+fmt"] = trafilatura_engine(formatting=True)
    pages = stratified(a.data, folds, a.sample)

    hits: dict[str, dict[str, list[int]]] = {e: {k: [0, 0, 0] for k in KINDS} for e in engines}
    word_md: dict[str, list[float]] = defaultdict(list)
    word_text: dict[str, list[float]] = defaultdict(list)
    doc_code: dict[str, list[int]] = {e: [0, 0, 0] for e in engines}  # exact, contained, reference
    seconds: dict[str, float] = defaultdict(float)
    sink = a.out.open("w", encoding="utf-8") if a.out else None
    for pid, d, ptype in pages:
        html = gzip.decompress((a.data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        gt = d["ground_truth"]
        ref, _ = structure(gt.get("main_content_markdown") or "")
        domain, _ = folds.page_domain_and_type(d)
        model = a.folds_dir / f"fold-{folds.fold_of(domain)}.json" if use_folds else None
        for name, run in engines.items():
            t0 = time.perf_counter()
            md, text = run(html, d.get("url"), model)
            seconds[name] += time.perf_counter() - t0
            got, stripped = structure(md)
            if ptype == "documentation":
                exact, contained, total = code_recall(got["code"], ref["code"])
                dc = doc_code[name]
                dc[0] += exact
                dc[1] += contained
                dc[2] += total
            for k in KINDS:
                tally = hits[name][k]
                tally[0] += sum((got[k] & ref[k]).values())
                tally[1] += sum(got[k].values())
                tally[2] += sum(ref[k].values())
            word_md[name].append(prf(tokens(stripped), tokens(gt.get("main_content") or ""))[2])
            word_text[name].append(prf(tokens(text), tokens(gt.get("main_content") or ""))[2])
            if sink:
                sink.write(json.dumps({"source": pid, "engine": name, "page_type": ptype, "markdown": md})
                           + "\n")
    if sink:
        sink.close()

    n = len(pages)
    types = Counter(ptype for _, _, ptype in pages)
    print(f"WCXB dev Markdown structure: {n} pages ({', '.join(f'{t} {c}' for t, c in sorted(types.items()))})")
    if use_folds:
        print(f"thresher block selection: out-of-fold ({a.folds_dir}/fold-K.json, K = fold of the domain)")
    else:
        print("thresher block selection: IN-SAMPLE (packaged model trained on these pages); "
              "the Markdown structure is what is being measured")
    names = list(engines)
    print(f"{'':14}" + "".join(f"{e:>26}" for e in names))
    print(f"{'':14}" + "".join(f"{'P     R     F1   (n)':>26}" for _ in names))
    for k in KINDS:
        row = f"{k:14}"
        for e in names:
            h, np_, nr = hits[e][k]
            p = h / np_ if np_ else 0.0
            r = h / nr if nr else 0.0
            f = 2 * p * r / (p + r) if h else 0.0
            row += f"{p:>9.3f} {r:.3f} {f:.3f} {np_:>5}"
        print(row + f"   ref n={hits[names[0]][k][2]}")
    for label, src in (("words md", word_md), ("words text", word_text)):
        print(f"{label:14}" + "".join(f"{'F1 ' + format(sum(src[e]) / max(1, len(src[e])), '.3f'):>26}"
                                      for e in names))
    print(f"code recall on documentation pages (ref n={doc_code[names[0]][2]}): " + "; ".join(
        f"{e} exact {_ratio(doc_code[e][0], doc_code[e][2])} contained {_ratio(doc_code[e][1], doc_code[e][2])}"
        for e in names))
    print(f"{'seconds':14}" + "".join(f"{seconds[e]:>26.1f}" for e in names))
    extract_s = sum(timings["extract"])
    for fmt in ("markdown", "html"):
        ratios = sorted(r / e for r, e in zip(timings[fmt], timings["extract"], strict=True) if e > 0)
        median = ratios[len(ratios) // 2] if ratios else 0.0
        print(f"thresher {fmt} rendering: {sum(timings[fmt]):.3f} s = {sum(timings[fmt]) / extract_s:.1%} of "
              f"extraction ({extract_s:.1f} s); median page {median:.1%}")
    return 0


def code_recall(got: Counter[str], ref: Counter[str]) -> tuple[int, int, int]:
    """Reference code blocks matched exactly, contained in one of ``got``'s blocks, and in all."""
    exact = sum((got & ref).values())
    padded = [f" {g} " for g in got]
    contained = sum(n for item, n in ref.items() if any(f" {item} " in g for g in padded))
    return exact, contained, sum(ref.values())


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.3f}" if total else "-"


if __name__ == "__main__":
    sys.exit(main())
