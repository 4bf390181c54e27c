"""The learned text-mode block classifier: a LightGBM model stacked on the text rules.

The model reads, per block: its own features (:mod:`thresher.segment.text`), a few features of its
two neighbours on each side, document-level context and the rules' decision (label, reason, how much
the rules kept nearby). It outputs the probability that the block is main content. An optional second stage
(:func:`stage2_matrix`) reads the first stage's scores around each block — neighbours, windows, its
paragraph, the document — and smooths them along the text (main content comes in runs). The rules
keep their labels for blocks the model also drops, so the reasons stay readable. The model file ships
inside the package (``data/text_model.json``, trained by ``training/train_text_model.py``) and is
loaded once per process.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from thresher.classify.trees import Trees
from thresher.model import Block, Decision
from thresher.options import Options
from thresher.segment.text import FEATURES, feature_table

MODEL_RESOURCE = "data/text_model.json"
BASE_FEATURES = (
    "n_chars", "n_words", "cjk_ratio", "terminal", "ends_with_colon", "title_case", "digit_ratio",
    "leading_time", "relative_time", "bullet", "html_residue", "n_urls", "n_emails", "repeated",
    "position", "para_lines", "line_in_para", "listy", "run_len", "run_time_share", "n_content",
    "topic_fit", "stop_ratio", "comma_ratio",
)
NEIGHBOUR_FEATURES = ("n_words", "terminal", "listy", "topic_fit", "leading_time", "title_case", "stop_ratio")
RULE_LABELS = ("main", "title", "byline", "navigation", "headline_list", "promo", "share", "legal",
               "residue", "boilerplate")
KINDS = ("paragraph", "line", "list_item")
_OFFSETS = (-2, -1, 1, 2)
_WINDOWS = (3, 10)
_WINDOW_FEATURES = ("terminal", "log_words", "listy", "topic_fit", "rule_kept", "repeated", "prose", "stop_ratio")
_KEPT_BY_RULES = frozenset({"main", "caption"})
_BASE_COLUMNS = [FEATURES.index(name) for name in BASE_FEATURES]
_PREDICT_ROWS = 512
"""Rows the trees see at once (their work arrays grow with rows x trees)."""
EVIDENCE_REASONS = frozenset({
    "html_residue", "ticker_run", "legal_phrase", "legal_link", "stock_phrase", "call_to_action", "dateline",
    "boilerplate_phrase", "share_line", "promo_phrase", "byline", "contact_line", "relative_time",
    "after_promo_header", "section_header", "after_section_header", "headline_run",
})
"""Rule reasons that rest on positive evidence in the line (a phrase, markup, a ticker): the model
never brings such a block back. Blocks the rules dropped for where they sit can come back."""


def feature_names(reasons: Sequence[str]) -> list[str]:
    """Column names, in matrix order, for a model that knows these rule reasons."""
    names = list(BASE_FEATURES)
    names += ["log_chars", *("kind_" + k for k in KINDS)]
    names += ["rule_kept", *("rule_" + lab for lab in RULE_LABELS), *("reason_" + r for r in reasons)]
    for off in _OFFSETS:
        prefix = f"p{-off}_" if off < 0 else f"n{off}_"
        names += [prefix + f for f in NEIGHBOUR_FEATURES] + [prefix + "rule_kept"]
    names += ["doc_blocks", "doc_log_chars", "doc_rule_kept_share", "doc_prose_share",
              "window_rule_kept", "kept_distance", "inside_kept_span", "para_rule_kept"]
    for w in _WINDOWS:
        names += [f"w{w}_{f}" for f in _WINDOW_FEATURES]
    names += ["prose_before", "prose_after", "prose_mass_before", "chars_before", "rel_log_chars",
              "kept_offset_start", "kept_offset_end"]
    return names


def feature_matrix(blocks: Sequence[Block], rules: Sequence[Decision], reasons: Sequence[str]) -> np.ndarray:
    """The model's input: one row per block, columns as :func:`feature_names` lists them."""
    n = len(blocks)
    if len(rules) != n:
        raise ValueError(f"{n} blocks but {len(rules)} rule decisions")
    table = feature_table(blocks)
    base = table.values[:, _BASE_COLUMNS]
    col = {name: j for j, name in enumerate(BASE_FEATURES)}
    kept = np.array([d.label in _KEPT_BY_RULES for d in rules], dtype=np.float64)
    rows = np.arange(n)
    labels = _one_hot(rows, [d.label for d in rules], RULE_LABELS)
    why = _one_hot(rows, [d.reason for d in rules], reasons)
    kinds = _one_hot(rows, [b.kind for b in blocks], KINDS)
    parts = [base, np.log1p(base[:, col["n_chars"]])[:, None], kinds, kept[:, None], labels, why]
    nb = base[:, [col[f] for f in NEIGHBOUR_FEATURES]]
    nb = np.hstack([nb, kept[:, None]])
    for off in _OFFSETS:
        shifted = np.full_like(nb, -1.0)
        if off < 0 and n > -off:
            shifted[-off:] = nb[:off]
        elif off > 0 and n > off:
            shifted[:-off] = nb[off:]
        parts.append(shifted)
    chars = base[:, col["n_chars"]]
    total = float(chars.sum()) or 1.0
    prose = (base[:, col["terminal"]] > 0) & (base[:, col["n_words"]] >= 12)
    cum = np.concatenate([[0.0], np.cumsum(kept)])
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - 5), np.minimum(n, idx + 6)
    window = (cum[hi] - cum[lo] - kept) / np.maximum(1, hi - lo - 1)
    kept_at = np.flatnonzero(kept)
    if len(kept_at):
        pos = np.searchsorted(kept_at, idx)
        left = np.where(pos > 0, idx - kept_at[np.maximum(pos - 1, 0)], n)
        right = np.where(pos < len(kept_at), kept_at[np.minimum(pos, len(kept_at) - 1)] - idx, n)
        distance = np.minimum(np.minimum(left, right), 50).astype(np.float64)
        inside = ((idx >= kept_at[0]) & (idx <= kept_at[-1])).astype(np.float64)
    else:
        distance = np.full(n, 50.0)
        inside = np.zeros(n)
    para = table.column("para")
    _, inverse, counts = np.unique(para, return_inverse=True, return_counts=True)
    para_kept = np.bincount(inverse, weights=kept) / counts
    doc = np.empty((n, 8))
    doc[:, 0] = n
    doc[:, 1] = math.log1p(total)
    doc[:, 2] = float((chars * kept).sum()) / total
    doc[:, 3] = float(prose.mean()) if n else 0.0
    doc[:, 4] = window
    doc[:, 5] = distance
    doc[:, 6] = inside
    doc[:, 7] = para_kept[inverse]
    parts.append(doc)
    # windows of neighbours: the mean of a few features over the blocks within w on either side
    stacked = np.column_stack([
        base[:, col["terminal"]], np.log1p(base[:, col["n_words"]]), base[:, col["listy"]],
        base[:, col["topic_fit"]], kept, (base[:, col["repeated"]] > 0).astype(np.float64), prose,
        base[:, col["stop_ratio"]],
    ])
    csum = np.vstack([np.zeros((1, stacked.shape[1])), np.cumsum(stacked, axis=0)])
    for w in _WINDOWS:
        lo, hi = np.maximum(0, idx - w), np.minimum(n, idx + w + 1)
        parts.append((csum[hi] - csum[lo]) / (hi - lo)[:, None])
    # where the block sits relative to the prose of the document and to what the rules kept
    extra = np.empty((n, 7))
    prose_at = np.flatnonzero(prose)
    if len(prose_at):
        pos = np.searchsorted(prose_at, idx)
        extra[:, 0] = np.where(pos > 0, idx - prose_at[np.maximum(pos - 1, 0)], 60)
        nxt = np.searchsorted(prose_at, idx, side="right")
        extra[:, 1] = np.where(nxt < len(prose_at), prose_at[np.minimum(nxt, len(prose_at) - 1)] - idx, 60)
        pchars = np.cumsum(chars * prose)
        extra[:, 2] = (pchars - chars * prose) / max(1.0, float(pchars[-1]))
    else:
        extra[:, 0:2] = 60
        extra[:, 2] = 0.5
    np.minimum(extra[:, 0:2], 60, out=extra[:, 0:2])
    extra[:, 3] = (np.cumsum(chars) - chars) / total
    extra[:, 4] = np.log1p(chars) - math.log1p(float(chars.max()) if n else 0.0)
    if len(kept_at):
        extra[:, 5] = (idx - kept_at[0]) / max(1, n)
        extra[:, 6] = (idx - kept_at[-1]) / max(1, n)
    else:
        extra[:, 5:7] = 0.0
    parts.append(extra)
    out = np.empty((n, sum(part.shape[1] for part in parts)), dtype=np.float32)
    j = 0
    for part in parts:  # one float32 matrix, without a float64 copy of it on the way
        out[:, j : j + part.shape[1]] = part
        j += part.shape[1]
    return out


_S2_OFFSETS = (-3, -2, -1, 1, 2, 3)
_S2_WINDOWS = (2, 5, 15)
_S2_BASE = ("n_words", "terminal", "listy", "topic_fit", "position", "stop_ratio", "repeated")


def stage2_names() -> list[str]:
    """Columns of :func:`stage2_matrix`."""
    names = ["score"] + [f"s{off:+d}" for off in _S2_OFFSETS]
    names += [f"sw{w}_{f}" for w in _S2_WINDOWS for f in ("mean", "min", "max")]
    names += ["doc_mean", "doc_kept_share", "doc_max", "rel_doc", "para_mean", "para_min", "para_max",
              "run_mean", "rule_kept"]
    return names + [f"b_{f}" for f in _S2_BASE]


def stage2_matrix(blocks: Sequence[Block], rules: Sequence[Decision], scores: np.ndarray) -> np.ndarray:
    """The second stage's input: each block's first-stage score with the scores around it (neighbours,
    windows, its paragraph, the run of blocks on the same side of 0.5, the document) and a few of its
    features. The second stage smooths the first along the document: main text comes in runs."""
    n = len(blocks)
    table = feature_table(blocks)
    s = np.asarray(scores, dtype=np.float64)
    parts: list[np.ndarray] = [s[:, None]]
    for off in _S2_OFFSETS:
        shifted = np.full(n, -1.0)
        if off < 0 and n > -off:
            shifted[-off:] = s[:off]
        elif off > 0 and n > off:
            shifted[:-off] = s[off:]
        parts.append(shifted[:, None])
    pad = max(_S2_WINDOWS)
    padded = np.concatenate([np.full(pad, np.nan), s, np.full(pad, np.nan)])
    for w in _S2_WINDOWS:
        view = np.lib.stride_tricks.sliding_window_view(padded[pad - w : pad + n + w], 2 * w + 1)
        parts.append(np.column_stack([np.nanmean(view, axis=1), np.nanmin(view, axis=1), np.nanmax(view, axis=1)]))
    para = table.column("para")
    _, inverse, counts = np.unique(para, return_inverse=True, return_counts=True)
    para_mean = np.bincount(inverse, weights=s) / counts
    para_min = np.full(len(counts), np.inf)
    np.minimum.at(para_min, inverse, s)
    para_max = np.full(len(counts), -np.inf)
    np.maximum.at(para_max, inverse, s)
    above = s >= 0.5
    begins = np.ones(n, dtype=bool)
    begins[1:] = above[1:] != above[:-1]
    run = np.cumsum(begins) - 1
    run_mean = np.bincount(run, weights=s) / np.bincount(run)
    doc = np.empty((n, 9))
    doc[:, 0] = s.mean()
    doc[:, 1] = above.mean()
    doc[:, 2] = s.max()
    doc[:, 3] = s - s.mean()
    doc[:, 4] = para_mean[inverse]
    doc[:, 5] = para_min[inverse]
    doc[:, 6] = para_max[inverse]
    doc[:, 7] = run_mean[run]
    doc[:, 8] = [d.label in _KEPT_BY_RULES for d in rules]
    parts.append(doc)
    parts.append(table.values[:, [FEATURES.index(f) for f in _S2_BASE]])
    return np.hstack(parts).astype(np.float32)


def _one_hot(rows: np.ndarray, values: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """One column per vocabulary entry, 1 where the row's value is that entry."""
    index = {v: j for j, v in enumerate(vocabulary)}
    out = np.zeros((len(rows), len(vocabulary)))
    at = np.array([index.get(v, -1) for v in values], dtype=np.int64)
    hit = at >= 0
    out[rows[hit], at[hit]] = 1.0
    return out


class TextModel:
    """A loaded tree model with its rule-reason vocabulary and decision thresholds."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.reasons: list[str] = list(payload["reasons"])
        self.names: list[str] = list(payload["features"])
        known = {name: j for j, name in enumerate(feature_names(self.reasons))}
        if any(name not in known for name in self.names):
            raise ValueError("text model was trained on other features; retrain it")
        self.columns: list[int] | None = [known[name] for name in self.names]
        if self.columns == list(range(len(known))):
            self.columns = None  # the model reads every column, in order
        """Columns of :func:`feature_matrix` the model reads (a model trained on fewer features)."""
        self.thresholds: dict[str, float] = dict(payload["thresholds"])
        self.trees = Trees(payload["model"])
        self.stage2: Trees | None = None
        """The second stage (:func:`stage2_matrix`), when the model has one."""
        if payload.get("stage2"):
            if list(payload["stage2"]["features"]) != stage2_names():
                raise ValueError("text model's second stage was trained on other features; retrain it")
            self.stage2 = Trees(payload["stage2"]["model"])

    def predict(self, blocks: Sequence[Block], rules: Sequence[Decision]) -> np.ndarray:
        """Probability of main content per block (after the second stage, when there is one)."""
        scores = self.predict_first(blocks, rules)
        if self.stage2 is None or not len(scores):
            return scores
        return self._trees(self.stage2, stage2_matrix(blocks, rules, scores))

    def predict_first(self, blocks: Sequence[Block], rules: Sequence[Decision]) -> np.ndarray:
        """The first stage's probability of main content per block."""
        if not blocks:
            return np.zeros(0, dtype=np.float64)
        matrix = feature_matrix(blocks, rules, self.reasons)
        if self.columns is not None:
            matrix = matrix[:, self.columns]
        return self._trees(self.trees, matrix)

    @staticmethod
    def _trees(trees: Trees, matrix: np.ndarray) -> np.ndarray:
        if len(matrix) <= _PREDICT_ROWS:
            return np.asarray(trees.predict(matrix), dtype=np.float64)
        return np.concatenate([  # rows are independent: same numbers, bounded memory
            np.asarray(trees.predict(matrix[i : i + _PREDICT_ROWS]), dtype=np.float64)
            for i in range(0, len(matrix), _PREDICT_ROWS)
        ])

    def decide(self, blocks: Sequence[Block], rules: Sequence[Decision], opts: Options) -> list[Decision]:
        """Stack the model on the rules: main when the model says so, except for blocks the rules
        removed on positive evidence (:data:`EVIDENCE_REASONS`), titles and bylines, which keep the
        rules' label; a block the rules kept and the model does not becomes ``boilerplate``/``model``.
        With a second stage, a block the rules dropped comes back only when both stages say main (the
        second stage smooths along the text: alone it would carry a menu next to the body along)."""
        first = self.predict_first(blocks, rules)
        scores = first if self.stage2 is None else self._trees(self.stage2, stage2_matrix(blocks, rules, first))
        threshold = self.thresholds[opts.focus]
        out: list[Decision] = []
        for d, p, p1 in zip(rules, scores.tolist(), first.tolist(), strict=True):
            if d.label in ("title", "byline") or d.reason in EVIDENCE_REASONS:
                out.append(Decision(d.label, d.reason, p))
            elif p >= threshold and (d.kept or p1 >= threshold):
                out.append(Decision(d.label, d.reason, p) if d.kept else Decision("main", "model", p))
            elif d.kept:
                out.append(Decision("boilerplate", "model", p))
            else:
                out.append(Decision(d.label, d.reason, p))
        return out


def model_from_json(raw: str) -> TextModel:
    return TextModel(json.loads(raw))


@lru_cache(maxsize=1)
def load_model() -> TextModel | None:
    """The packaged model, loaded once per process; None when the package ships none."""
    try:
        raw = resources.files("thresher").joinpath(MODEL_RESOURCE).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    return model_from_json(raw)
