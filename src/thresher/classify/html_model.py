"""The learned HTML block classifier: a LightGBM model over block features, stacked on the rules.

The model reads, per block: its own features (``thresher.segment.features``), those of its
neighbours, page-level context (page type, size), the rules' decision and how the rules treated the
other blocks sharing its tag path. It outputs the probability that the block is main content.
The model file ships inside the package (``data/html_model.json``) and loads once per process.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from thresher.classify.trees import Trees
from thresher.model import Block, Decision, Metadata

MODEL_RESOURCE = "data/html_model.json"
NEIGHBOUR_FEATURES = (
    "n_chars", "link_density", "sentence_end", "stopword_rate", "punct_rate", "is_heading",
    "is_list_item", "boilerplate_score", "content_score",
)
PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
HINT_PREFIX = "h_"
"""Hint-token bag: ``h_<token>`` is 1 when the block or an ancestor carries that class/id/role token.
Which tokens the model reads is chosen at training time (tokens common across many domains)."""
RULE_LABELS = ("main", "title", "navigation", "comment", "headline_list", "promo", "share", "legal",
               "boilerplate", "caption", "byline")


def context_features(
    blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]
) -> list[dict[str, float]]:
    """Per block: own features plus neighbours, page context and the rules' view."""
    n = len(blocks)
    total_chars = sum(len(b.text) for b in blocks) or 1
    kept_chars = sum(len(b.text) for b, d in zip(blocks, rules, strict=True) if d.kept) or 0
    path_count: Counter[str] = Counter(b.path for b in blocks)
    path_kept: Counter[str] = Counter(b.path for b, d in zip(blocks, rules, strict=True) if d.kept)
    path_chars: Counter[str] = Counter()
    for b in blocks:
        path_chars[b.path] += len(b.text)
    page: dict[str, float] = {
        "page_n_blocks": float(n),
        "page_log_chars": math.log1p(total_chars),
        "page_rule_kept_share": kept_chars / total_chars,
    }
    for t in PAGE_TYPES:
        page["page_type_" + t] = 1.0 if metadata.page_type == t else 0.0
    rows: list[dict[str, float]] = []
    for i, (b, d) in enumerate(zip(blocks, rules, strict=True)):
        row: dict[str, float] = dict(b.features)
        row.update(page)
        for label in RULE_LABELS:
            row["rule_" + label] = 1.0 if d.label == label else 0.0
        row["path_blocks"] = float(path_count[b.path])
        row["path_kept_share"] = path_kept[b.path] / path_count[b.path]
        row["path_char_share"] = path_chars[b.path] / total_chars
        row["log_chars"] = math.log1p(len(b.text))
        for token in b.hints:
            row[HINT_PREFIX + token] = 1.0
        for offset, prefix in ((-1, "p1_"), (1, "n1_"), (-2, "p2_"), (2, "n2_")):
            j = i + offset
            other = blocks[j].features if 0 <= j < n else None
            for name in NEIGHBOUR_FEATURES:
                row[prefix + name] = float(other.get(name, 0.0)) if other is not None else -1.0
            row[prefix + "rule_main"] = (1.0 if rules[j].kept else 0.0) if 0 <= j < n else -1.0
        # Nearby kept text: a paragraph among kept paragraphs is more likely content.
        lo, hi = max(0, i - 5), min(n, i + 6)
        window = [k for k in range(lo, hi) if k != i]
        row["window_rule_kept"] = (
            sum(1 for k in window if rules[k].kept) / len(window) if window else 0.0
        )
        rows.append(row)
    return rows


def smooth(paths: Sequence[str], keep: Sequence[bool]) -> list[bool]:
    """Keep a dropped block that sits between two kept blocks of its own tag path (a paragraph the
    model doubted inside a run of kept paragraphs)."""
    out = list(keep)
    for i in range(1, len(keep) - 1):
        if not keep[i] and keep[i - 1] and keep[i + 1] and paths[i - 1] == paths[i] == paths[i + 1]:
            out[i] = True
    return out


def to_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of named features → a float32 matrix in the model's column order (missing → NaN;
    missing hint tokens → 0)."""
    out = np.full((len(rows), len(names)), np.nan, dtype=np.float32)
    hint_cols = [j for j, name in enumerate(names) if name.startswith(HINT_PREFIX)]
    out[:, hint_cols] = 0.0
    index = {name: j for j, name in enumerate(names)}
    for i, row in enumerate(rows):
        for name, value in row.items():
            j = index.get(name)
            if j is not None:
                out[i, j] = value
    return out


class HtmlModel:
    """A loaded model: its trees, feature names and decision thresholds."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.names: list[str] = list(payload["features"])
        self.thresholds: dict[str, float] = dict(payload["thresholds"])
        self.smooth: bool = bool(payload.get("smooth", False))
        self.trees = Trees(payload["model"])

    def predict(self, blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]) -> np.ndarray:
        if not blocks:
            return np.zeros(0, dtype=np.float64)
        rows = context_features(blocks, metadata, rules)
        matrix = to_matrix(rows, self.names)
        return self.trees.predict(matrix)


@lru_cache(maxsize=8)
def load_model(path: str | None = None) -> HtmlModel | None:
    """The packaged model (or the one at ``path``), loaded once per process; None when there is none."""
    if path == "none":
        return None
    try:
        if path is None:
            raw = resources.files("thresher").joinpath(MODEL_RESOURCE).read_text("utf-8")
        else:
            raw = Path(path).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    return HtmlModel(json.loads(raw))
