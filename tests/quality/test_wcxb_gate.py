"""Quality gate: a fixed set of 42 WCXB dev pages (6 per page type, see make_fixtures.py) must keep
their word F1 above per-type floors.

The shipped model was trained on all of WCXB dev, these pages included, so these are *not* quality
numbers to quote (``benchmarks/wcxb.py --folds-dir`` gives those, out of fold); they are a tripwire:
a change to segmentation, rules, model or assembly that lowers a page type below its floor fails
here, and a floor is only lowered on purpose, in review. Floors sit ~0.03 under the values measured
when they were set (noted beside each).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

import pytest

import thresher
from thresher.testing.wcxb import prf

GATE = Path(__file__).resolve().parents[1] / "fixtures" / "wcxb_gate"

FLOORS = {
    "article": 0.95,  # 0.981 when set (2026-11-26, refined-label model); 0.984 on 2026-11-27
    "collection": 0.82,  # 0.895 when set (2026-11-26, refined-label model); 0.886 on 2026-11-27;
    # 0.853 once hidden content a script shows was kept (3001's closed FAQ accordion shifts its
    # block selection; out of fold, WCXB dev collection stayed 0.688 over 117 pages)
    "documentation": 0.94,  # 0.979 when set (2026-11-26, refined-label model); 0.971 on 2026-11-27
    "forum": 0.74,  # 0.774 when set (2026-11-27, expected-F1 selection + repeats dropped)
    "listing": 0.88,  # 0.943 when set (2026-11-27, expected-F1 selection + repeats dropped); 0.932 on
    # 2026-11-28, 0.909 with the card-group columns (out of fold, all dev: listing 0.737 -> 0.739, all
    # 0.8705 -> 0.8724, both domain halves up): lowered from 0.91 on purpose
    "product": 0.82,  # 0.856 when set (2026-11-27, expected-F1 selection + repeats dropped)
    "service": 0.85,  # 0.913 when set (2026-11-26, refined-label model); 0.890 on 2026-11-27; 0.876
    # with the model the training command gives today (2026-11-27 night: collection 0.853 -> 0.896,
    # product 0.853 -> 0.870, all 0.897 -> 0.902 on these pages; out of fold, service 0.840 -> 0.841)
}
OVERALL_FLOOR = 0.87  # 0.900 when set (2026-11-27; 0.891 on 2026-11-26)


@pytest.fixture(scope="module")
def scores() -> dict[str, list[float]]:
    by_type: dict[str, list[float]] = defaultdict(list)
    for page in sorted(GATE.glob("*.html.gz")):
        truth = json.loads(page.with_name(page.name.replace(".html.gz", ".json")).read_text("utf-8"))
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        doc = thresher.extract(html, url=truth["url"])
        text = "" if doc.rejected else doc.text
        by_type[truth["page_type"]].append(prf(text, truth["main_content"])[2])
    return dict(by_type)


def test_the_gate_holds_every_page_type(scores: dict[str, list[float]]) -> None:
    assert set(scores) == set(FLOORS)
    assert all(len(values) == 6 for values in scores.values())


@pytest.mark.parametrize("page_type", sorted(FLOORS))
def test_page_type_stays_above_its_floor(scores: dict[str, list[float]], page_type: str) -> None:
    values = scores[page_type]
    mean = sum(values) / len(values)
    assert mean >= FLOORS[page_type], f"{page_type}: F1 {mean:.3f} < floor {FLOORS[page_type]}"


def test_overall_stays_above_its_floor(scores: dict[str, list[float]]) -> None:
    values = [v for vs in scores.values() for v in vs]
    mean = sum(values) / len(values)
    assert mean >= OVERALL_FLOOR, f"overall F1 {mean:.3f} < floor {OVERALL_FLOOR}"
