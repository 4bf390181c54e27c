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
from operator import itemgetter
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


_NEIGHBOURS = ((-1, "p1_"), (1, "n1_"), (-2, "p2_"), (2, "n2_"))
_DERIVED = ("page_n_blocks", "page_log_chars", "page_rule_kept_share",
            *("page_type_" + t for t in PAGE_TYPES), *("rule_" + label for label in RULE_LABELS),
            "path_blocks", "path_kept_share", "path_char_share", "log_chars", "window_rule_kept")
"""Columns :func:`context_features` computes from the page rather than reads from a block."""


class Columns:
    """Where each of a model's feature names comes from, worked out once per model: a block's own
    feature, a neighbour's, a hint token, or a value derived from the page and the rules."""

    def __init__(self, names: Sequence[str]) -> None:
        self.width = len(names)
        self.hint_cols = np.array([j for j, name in enumerate(names) if name.startswith(HINT_PREFIX)],
                                  dtype=np.intp)
        self.hint: dict[str, int] = {}
        self.derived: list[tuple[int, str]] = []
        self.neighbour: list[tuple[int, int, str]] = []  # column, offset, feature (or "rule_main")
        own: list[tuple[int, str]] = []
        prefixes = {prefix: offset for offset, prefix in _NEIGHBOURS}
        computed = set(_DERIVED)
        index = {name: j for j, name in enumerate(names)}  # a name listed twice fills its last column
        for name, j in index.items():
            head, tail = name[:3], name[3:]
            if name.startswith(HINT_PREFIX):
                self.hint[name[len(HINT_PREFIX):]] = j
            elif name in computed:
                self.derived.append((j, name))
            elif head in prefixes and (tail in NEIGHBOUR_FEATURES or tail == "rule_main"):
                self.neighbour.append((j, prefixes[head], tail))
            else:
                own.append((j, name))
        # block features read: the model's own columns first, then those only neighbours read
        self.own_cols = np.array([j for j, _ in own], dtype=np.intp)
        self.read = [name for _, name in own]
        self.read += [f for f in NEIGHBOUR_FEATURES if f not in self.read]
        self.slot = {name: k for k, name in enumerate(self.read)}


def feature_matrix(
    blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision], columns: Columns
) -> np.ndarray:
    """``to_matrix(context_features(blocks, metadata, rules), names)``, built column by column
    (the same float32 numbers, bit for bit, pinned by a test): what the model reads at run time."""
    n = len(blocks)
    out = np.full((n, columns.width), np.nan, dtype=np.float32)
    out[:, columns.hint_cols] = 0.0
    if not n:
        return out
    read = columns.read
    feats = [b.features for b in blocks]
    try:
        getter = itemgetter(*read)
        values = np.array([getter(f) for f in feats], dtype=np.float64).reshape(n, len(read))
        neighbour_values = values
    except KeyError:  # a block without some feature: NaN in its own row, 0 as a neighbour
        nan = math.nan
        values = np.array([[f.get(k, nan) for k in read] for f in feats], dtype=np.float64)
        neighbour_values = np.array([[f.get(k, 0.0) for k in read] for f in feats], dtype=np.float64)
    out[:, columns.own_cols] = values[:, : len(columns.own_cols)]

    lengths = np.array([len(b.text) for b in blocks], dtype=np.float64)
    kept = np.array([d.kept for d in rules], dtype=np.float64)
    if len(kept) != n:
        raise ValueError(f"{n} blocks but {len(kept)} decisions")
    total_chars = float(lengths.sum()) or 1.0
    path_ids: dict[str, int] = {}
    ids = np.array([path_ids.setdefault(b.path, len(path_ids)) for b in blocks], dtype=np.intp)
    path_count = np.bincount(ids)[ids].astype(np.float64)
    labels = [d.label for d in rules]
    for j, name in columns.derived:
        if name == "page_n_blocks":
            out[:, j] = float(n)
        elif name == "page_log_chars":
            out[:, j] = math.log1p(total_chars)
        elif name == "page_rule_kept_share":
            out[:, j] = float((lengths * kept).sum()) / total_chars
        elif name.startswith("page_type_"):
            out[:, j] = 1.0 if metadata.page_type == name[len("page_type_"):] else 0.0
        elif name.startswith("rule_"):
            label = name[len("rule_"):]
            out[:, j] = [1.0 if x == label else 0.0 for x in labels]
        elif name == "path_blocks":
            out[:, j] = path_count
        elif name == "path_kept_share":
            out[:, j] = np.bincount(ids, weights=kept)[ids] / path_count
        elif name == "path_char_share":
            out[:, j] = np.bincount(ids, weights=lengths)[ids] / total_chars
        elif name == "log_chars":
            out[:, j] = [math.log1p(len(b.text)) for b in blocks]
        elif name == "window_rule_kept":
            cum = np.concatenate([[0.0], np.cumsum(kept)])
            idx = np.arange(n)
            lo, hi = np.maximum(0, idx - 5), np.minimum(n, idx + 6)
            size = hi - lo - 1
            out[:, j] = np.where(size > 0, (cum[hi] - cum[lo] - kept) / np.maximum(size, 1), 0.0)
    for j, offset, name in columns.neighbour:
        col = kept if name == "rule_main" else neighbour_values[:, columns.slot[name]]
        shifted = np.full(n, -1.0)
        if offset < 0 and n > -offset:
            shifted[-offset:] = col[:offset]
        elif offset > 0 and n > offset:
            shifted[:-offset] = col[offset:]
        out[:, j] = shifted
    if columns.hint:
        rows: list[int] = []
        cols: list[int] = []
        seen: dict[tuple[str, ...], list[int]] = {}
        hint = columns.hint
        for i, b in enumerate(blocks):
            found = seen.get(b.hints)
            if found is None:
                found = seen[b.hints] = [j for j in map(hint.get, b.hints) if j is not None]
            if found:
                rows += [i] * len(found)
                cols += found
        out[rows, cols] = 1.0
    return out


class HtmlModel:
    """A loaded model: its trees, feature names and decision thresholds."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.names: list[str] = list(payload["features"])
        self.thresholds: dict[str, float] = dict(payload["thresholds"])
        self.smooth: bool = bool(payload.get("smooth", False))
        self.trees = Trees(payload["model"])
        self.columns = Columns(self.names)

    def matrix(self, blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]) -> np.ndarray:
        """The model's input for these blocks (see :func:`feature_matrix`)."""
        return feature_matrix(blocks, metadata, rules, self.columns)

    def predict(self, blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]) -> np.ndarray:
        if not blocks:
            return np.zeros(0, dtype=np.float64)
        return self.trees.predict(self.matrix(blocks, metadata, rules))


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
