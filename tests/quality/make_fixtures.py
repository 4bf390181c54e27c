"""Rebuild the quality gate's fixed page set from WCXB dev (run by hand, not by pytest).

    python tests/quality/make_fixtures.py [--data ../shared/data/wcxb-dev]

Per page type, every k-th page (sorted by id) whose ground truth is not empty, ``PER_TYPE`` in all:
a fixed, spread-out subset. Each page is copied as ``NNNN.html.gz`` with ``NNNN.json`` holding its
url, page type and ground-truth main text (WCXB dev, Foley 2026, CC-BY-4.0).
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path

PER_TYPE = 6
HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "fixtures" / "wcxb_gate"


def page_type(record: dict) -> str:
    pt = (record.get("_internal") or {}).get("page_type") or {}
    pt = pt.get("primary", "article") if isinstance(pt, dict) else (pt or "article")
    return "collection" if pt == "category" else str(pt)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data" / "wcxb-dev")
    a = ap.parse_args()
    by_type: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for path in sorted((a.data / "ground-truth").glob("*.json")):
        record = json.loads(path.read_text("utf-8"))
        if record["ground_truth"].get("main_content", "").strip():
            by_type[page_type(record)].append((path.stem, record))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("[0-9]*"):
        old.unlink()
    for ptype, pages in sorted(by_type.items()):
        step = len(pages) / PER_TYPE
        for k in range(PER_TYPE):
            pid, record = pages[int(k * step + step / 2)]
            shutil.copyfile(a.data / "html" / f"{pid}.html.gz", OUT / f"{pid}.html.gz")
            truth = {"url": record.get("url"), "page_type": ptype,
                     "main_content": record["ground_truth"]["main_content"]}
            (OUT / f"{pid}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{sum(1 for _ in OUT.glob('*.html.gz'))} pages in {OUT}")


if __name__ == "__main__":
    main()
