#!/usr/bin/env python3
"""Why thresher's Markdown list items and headings miss WCXB dev's ``main_content_markdown``.

    python benchmarks/markdown_errors.py [--data DIR] [--sample N] [--folds-dir DIR] [--examples K]

The same pages, model folds and item matching as ``benchmarks/markdown.py`` (list items: an item's
first paragraph; headings: level and text; lower-cased ``\\w+`` token strings, compared as multisets).
Each truth item thresher misses and each thresher item the truth does not have gets one cause:

1. ``not kept``: the text is on the page but its block was not kept (a missed item whose block was
   dropped, even when a copy of the text was kept as another kind, such as a table of contents line
   for a dropped heading); an extra item whose text is nowhere in the truth.
2. ``other kind``: the block was kept and rendered as another kind than the truth's (a paragraph for
   a list item, a list item for a heading), the markup saying so: for a missed list item, a list item
   of the markup that ``LIST_SHAPES`` renders as a paragraph (``li-card``, ``li-nav``, ``dl``) or a
   paragraph with no list markup; for an extra item, one that only the text's shape made an item.
3. ``split/merged``: the truth's item holds several of thresher's, or is a part of one.
4. ``level``: a heading with the truth's text at another level.
5. ``truth``: the truth writes the page's own list or heading element as text (a paragraph, or lines
   of one), or its item is no unit of the page: its text lies inside a code block (lines of code the
   truth did not fence, read as headings) or is nowhere in the page's blocks.
6. ``matching``: multiset counts (the same item more or fewer times), and a truth item whose text
   runs across several of thresher's units (a lazy continuation line: text written right under a
   list line is read into that item; a heading written as a numbered line followed by its paragraph).

Prints the counts per cause for missed and extra list items and headings, and what the item F1
would be without the items of causes 1 and 5 (the part the Markdown renderer cannot reach).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import markdown as bench  # benchmarks/markdown.py

CAUSES = ("1 not kept", "2 other kind", "3 split/merged", "4 level", "5 truth", "6 matching")
KINDS = ("list_item", "heading")


def units(markdown: str) -> list[tuple[str, int, str]]:
    """Every unit of text of the Markdown as (kind, heading level, token string): ``heading``,
    ``list_item`` (an item's first paragraph, as the benchmark reads it), ``cell``, ``code`` and
    ``para`` (any other paragraph, an item's later paragraphs too)."""
    out: list[tuple[str, int, str]] = []
    toks = bench._MD.parse(markdown or "")
    heading: int | None = None
    cell = False
    started: list[bool] = []
    for i, tok in enumerate(toks):
        t = tok.type
        if t == "heading_open":
            heading = int(tok.tag[1])
        elif t == "heading_close":
            heading = None
        elif t == "list_item_open":
            started.append(False)
        elif t == "list_item_close":
            started.pop()
        elif t in ("th_open", "td_open"):
            cell = True
        elif t in ("th_close", "td_close"):
            cell = False
        elif t in ("fence", "code_block"):
            out.append(("code", 0, bench.norm(tok.content)))
            if started:
                started[-1] = True
        elif t == "inline":
            text = bench.norm(" ".join(c.content for c in tok.children or () if c.type in ("text", "code_inline")))
            if not text:
                continue
            if heading is not None:
                out.append(("heading", heading, text))
            elif cell:
                out.append(("cell", 0, text))
            elif started and not started[-1] and toks[i - 1].type == "paragraph_open":
                out.append(("list_item", 0, text))
                started[-1] = True
            else:
                out.append(("para", 0, text))
    return out


def _inside(part: str, whole: str) -> bool:
    return f" {part} " in f" {whole} "


def _markup_kind(block: Any) -> str:
    """What the markup made of a kept block: ``li`` (an item the renderer writes as a list line),
    ``li-card``/``li-nav``/``dl`` (items ``LIST_SHAPES`` writes as paragraphs), ``h`` or ``other``."""
    from thresher.assemble.markdown import _li_of, not_a_list_line

    path = block.path or ""
    if block.kind == "heading":
        return "h"
    if block.kind != "list_item":
        return "other"
    if _li_of(path) is None:
        return "dl" if "/dl[" in path else "other"
    if not_a_list_line(path, frozenset({"nav"})):
        return "li-nav"
    if not_a_list_line(path, frozenset({"cards"})):
        return "li-card"
    return "li"


def _not_kept(side: str, text: str, same: list[tuple[str, int, str]], other: list[tuple[str, int, str]],
              other_plain: str, dropped_same_kind: set[str], dropped_texts: list[str]) -> bool:
    """A missed item whose block of its kind was dropped (or whose text is only in dropped blocks);
    an extra item nowhere in the truth, or a copy of a dropped block of its kind (a table of
    contents line for a dropped heading)."""
    if text in dropped_same_kind:
        return True
    if side == "extra":
        return not _inside(text, other_plain)
    return not same and not any(_inside(text, u[2]) for u in other) and any(_inside(text, d) for d in dropped_texts)


def classify(kind: str, truth: list[tuple[str, int, str]], ours: list[tuple[str, int, str]],
             kept: list[Any], dropped: list[Any]) -> dict[str, Counter[str]]:
    """Cause counts of the missed (``missed``) and extra (``extra``) items of ``kind``."""
    def key(u: tuple[str, int, str]) -> str:
        return f"{u[1]}:{u[2]}" if kind == "heading" else u[2]

    block_kind = "heading" if kind == "heading" else "list_item"
    kept_by_text: dict[str, Any] = {}
    for block in kept:
        kept_by_text.setdefault(bench.norm(block.text), block)
    dropped_texts = [bench.norm(b.text) for b in dropped]
    dropped_same_kind = {bench.norm(b.text) for b in dropped if b.kind == block_kind}
    out: dict[str, Counter[str]] = {"missed": Counter(), "extra": Counter()}
    t_items = Counter(key(u) for u in truth if u[0] == kind)
    o_items = Counter(key(u) for u in ours if u[0] == kind)
    t_plain = " ".join(u[2] for u in truth)
    o_plain = " ".join(u[2] for u in ours)
    for side, diff, other, other_plain in (("missed", t_items - o_items, ours, o_plain),
                                           ("extra", o_items - t_items, truth, t_plain)):
        for k, n in diff.items():
            text = k.split(":", 1)[1] if kind == "heading" else k
            same = [u for u in other if u[2] == text]
            same_kind = [u for u in same if u[0] == kind]
            words = len(text.split())
            held = sum(len(u[2].split()) for u in other if u[0] == kind and _inside(u[2], text) and u[2] != text)
            if kind == "heading" and any(u[1] != int(k.split(":", 1)[0]) for u in same_kind):
                cause = "4 level"
            elif same_kind:
                cause = "6 matching"
            elif _not_kept(side, text, same, other, other_plain, dropped_same_kind, dropped_texts):
                cause = "1 not kept"
            elif any(u[0] == kind and _inside(text, u[2]) for u in other) or held >= words / 2:
                cause = "3 split/merged"
            elif side == "missed" and any(u[0] == "code" and _inside(text, u[2]) for u in ours):
                cause = "5 truth"
            elif same or any(_inside(text, u[2]) for u in other):
                block = kept_by_text.get(text)
                markup = _markup_kind(block) if block is not None else "other"
                if side == "missed":
                    cause = "2 other kind"
                else:
                    # the page's own element, written as text by the truth; or a shape only the text showed
                    own = markup == "h" if kind == "heading" else markup == "li"
                    cause = "5 truth" if own else "2 other kind"
            elif _inside(text, other_plain):
                cause = "6 matching"
            else:
                cause = "5 truth"
            out[side][cause] += n
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=bench.DEFAULT_DATA)
    ap.add_argument("--sample", type=int, default=150, help="pages, stratified by page type")
    ap.add_argument("--folds-dir", type=Path, default=bench.DEFAULT_FOLDS)
    a = ap.parse_args(argv)

    import thresher
    from thresher.assemble.markdown import render_markdown
    from thresher.extract import extract_trace

    folds = bench.load_module("wcxb_folds", bench.FOLDS_MODULE)
    use_folds = all((a.folds_dir / f"fold-{k}.json").exists() for k in range(5))
    pages = bench.stratified(a.data, folds, a.sample)
    totals: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    hits: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for pid, d, _ in pages:
        html = gzip.decompress((a.data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        domain, _ = folds.page_domain_and_type(d)
        model = a.folds_dir / f"fold-{folds.fold_of(domain)}.json" if use_folds else None
        opts = thresher.Options(html_model=str(model) if model else None, time_limit=None)
        try:
            trace = extract_trace(html, url=d.get("url"), options=opts)
        except thresher.ThresherError:
            continue
        kept = [b for b, x in zip(trace.blocks, trace.decisions, strict=True) if x.kept]
        dropped = [b for b, x in zip(trace.blocks, trace.decisions, strict=True) if not x.kept]
        truth = units(d["ground_truth"].get("main_content_markdown") or "")
        ours = units(render_markdown(kept, trace.metadata, opts))
        for kind in KINDS:
            for side, counts in classify(kind, truth, ours, kept, dropped).items():
                totals[(kind, side)].update(counts)
            t = Counter((u[1], u[2]) if kind == "heading" else u[2] for u in truth if u[0] == kind)
            o = Counter((u[1], u[2]) if kind == "heading" else u[2] for u in ours if u[0] == kind)
            hits[kind] += sum((t & o).values())
            sizes[kind + " truth"] += sum(t.values())
            sizes[kind + " ours"] += sum(o.values())
    print(f"WCXB dev, {len(pages)} pages; thresher block selection "
          f"{'out-of-fold' if use_folds else 'IN-SAMPLE (packaged model)'}")
    cols = [(k, s) for k in KINDS for s in ("missed", "extra")]
    print(f"{'cause':16}" + "".join(f"{k + ' ' + s:>20}" for k, s in cols))
    for cause in CAUSES:
        print(f"{cause:16}" + "".join(f"{totals[c][cause]:>20}" for c in cols))
    print(f"{'all':16}" + "".join(f"{sum(totals[c].values()):>20}" for c in cols))
    for kind in KINDS:
        h, nt, no = hits[kind], sizes[kind + " truth"], sizes[kind + " ours"]
        f1 = 2 * h / (nt + no) if nt + no else 0.0
        out = sum(totals[(kind, "missed")][c] for c in ("1 not kept", "5 truth"))
        extra = sum(totals[(kind, "extra")][c] for c in ("1 not kept", "5 truth"))
        reach = 2 * h / (nt - out + no - extra) if nt - out + no - extra else 0.0
        print(f"{kind}: F1 {f1:.3f} (hits {h}, truth {nt}, thresher {no}); without causes 1 and 5: F1 {reach:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
