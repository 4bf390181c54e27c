"""The learned text-mode block classifier: a LightGBM model stacked on the text rules.

The model reads, per block: its own features (:mod:`thresher.segment.text`), a few features of its
two neighbours on each side, document-level context and the rules' decision (label, reason, how much
the rules kept nearby). It outputs the probability that the block is main content. An optional second stage
(:func:`stage2_matrix`) reads the first stage's scores around each block — neighbours, windows, its
paragraph, the document — and smooths them along the text (main content comes in runs); a small run
of kept blocks far from the text's main runs is then dropped (:func:`stray_runs`). The rules
keep their labels for blocks the model also drops, so the reasons stay readable. The model file ships
inside the package (``data/text_model.json``, trained by ``training/train_text_model.py``) and is
loaded once per process.
"""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import compress, count, repeat
from operator import attrgetter, sub
from typing import Any

import numpy as np

from thresher.classify.trees import Trees
from thresher.compiled import extension, slotted_maker
from thresher.model import KEPT_LABELS, Block, Decision
from thresher.model_files import read_model_file
from thresher.options import Options
from thresher.segment.text import FEATURES, FeatureTable, feature_table

_compiled = extension("text_matrix", "text_stage2")
_new_decisions = slotted_maker(Decision, {})
"""The extension's ``new_slotted`` for decisions (see :func:`thresher.compiled.slotted_maker`)."""

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
_BASE_COLUMNS = [FEATURES.index(name) for name in BASE_FEATURES]
_PREDICT_ROWS = 512
"""Rows the trees see at once (their work arrays grow with rows x trees)."""
EVIDENCE_REASONS = frozenset({
    "html_residue", "ticker_run", "legal_phrase", "legal_link", "stock_phrase", "call_to_action", "dateline",
    "boilerplate_phrase", "share_line", "promo_phrase", "byline", "contact_line", "relative_time",
    "after_promo_header", "section_header", "after_section_header",
})
"""Rule reasons that rest on positive evidence (a phrase, markup, a ticker; a list under a header
phrase): the model never brings such a block back. Blocks the rules dropped for where they sit or
for the shape of their neighbourhood (a run of headline-like lines off the body's topic) can come
back when both stages of the model call them main: in clean text such runs are the article's own
lists (out of fold, clean-article recall rose from 0.9931 to 0.9940 and WET F1 did not fall)."""


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


def feature_matrix(
    blocks: Sequence[Block], rules: Sequence[Decision], reasons: Sequence[str], *,
    table: FeatureTable | None = None, kept: np.ndarray | None = None,
) -> np.ndarray:
    """The model's input: one row per block, columns as :func:`feature_names` lists them. ``table``:
    the blocks' :func:`feature_table` and ``kept``: :func:`kept_by_rules`, when the caller has them."""
    n = len(blocks)
    if len(rules) != n:
        raise ValueError(f"{n} blocks but {len(rules)} rule decisions")
    n_reasons = len(reasons)
    width = _N_FIXED + n_reasons
    out = np.zeros((n, width), dtype=np.float32)  # one float32 matrix, filled column block by column block
    if not n:
        return out
    values = (feature_table(blocks) if table is None else table).values
    if kept is None:
        kept = kept_by_rules(rules)
    if _compiled is not None:  # the same numbers in C (one pass instead of a hundred numpy calls)
        reason_index = _reason_index(tuple(reasons))
        _compiled.text_matrix(
            np.ascontiguousarray(values, dtype=np.float64), _BASE_COLUMNS_I32, _NB_COLUMNS_I32, _LAYOUT,
            # the look-ups in C-level loops (map), not a comprehension's per-block bytecode
            np.array(list(map(_KIND_INDEX.get, map(_KIND_OF, blocks), repeat(-1))), dtype=np.int32),
            np.array(list(map(_LABEL_INDEX.get, map(_LABEL_OF, rules), repeat(-1))), dtype=np.int32),
            np.array(list(map(reason_index.get, map(_REASON_OF, rules), repeat(-1))), dtype=np.int32),
            kept, np.log1p(values[:, _CHARS_COLUMN]), np.log1p(values[:, _WORDS_COLUMN]), out,
        )
        return out
    base = values[:, _BASE_COLUMNS]
    out[:, :_N_BASE] = base
    chars = base[:, _B_CHARS]
    log_chars = np.log1p(chars)
    out[:, _N_BASE] = log_chars
    # one-hot columns: kind, rule kept, rule label, rule reason
    rows = np.arange(n)
    kind_at = [_KIND_INDEX.get(b.kind, -1) for b in blocks]
    label_at = [_LABEL_INDEX.get(d.label, -1) for d in rules]
    reason_index = _reason_index(tuple(reasons))
    reason_at = [reason_index.get(d.reason, -1) for d in rules]
    hot = np.array([kind_at, label_at, reason_at], dtype=np.int64)
    hot += np.array([[_C_KINDS], [_C_LABELS], [_C_REASONS]])
    hit = hot >= np.array([[_C_KINDS], [_C_LABELS], [_C_REASONS]])
    for k in range(3):
        out[rows[hit[k]], hot[k][hit[k]]] = 1.0
    out[:, _C_KEPT] = kept
    # neighbours: a few features of the blocks two before to two after (-1 past the ends)
    nb = np.full((n + 4, len(NEIGHBOUR_FEATURES) + 1), -1.0)
    nb[2 : n + 2, :-1] = base[:, _B_NEIGHBOURS]
    nb[2 : n + 2, -1] = kept
    j = _C_REASONS + n_reasons
    step = len(NEIGHBOUR_FEATURES) + 1
    for off in _OFFSETS:
        out[:, j : j + step] = nb[2 + off : 2 + off + n]
        j += step
    total = float(chars.sum()) or 1.0
    prose = (base[:, _B_TERMINAL] > 0) & (base[:, _B_WORDS] >= 12)
    cum = np.zeros(n + 1)
    np.cumsum(kept, out=cum[1:])
    idx = rows
    lo, hi = np.maximum(0, idx - 5), np.minimum(n, idx + 6)
    kept_at = np.flatnonzero(kept)
    para = values[:, _PARA]
    begins = np.ones(n, dtype=bool)
    np.not_equal(para[1:], para[:-1], out=begins[1:])  # blocks of one paragraph are consecutive
    inverse = np.cumsum(begins) - 1
    counts = np.bincount(inverse)
    out[:, j] = n
    out[:, j + 1] = math.log1p(total)
    out[:, j + 2] = float((chars * kept).sum()) / total
    out[:, j + 3] = float(np.count_nonzero(prose)) / n
    out[:, j + 4] = (cum[hi] - cum[lo] - kept) / np.maximum(1, hi - lo - 1)
    if len(kept_at):
        pos = np.searchsorted(kept_at, idx)
        left = np.where(pos > 0, idx - kept_at[np.maximum(pos - 1, 0)], n)
        right = np.where(pos < len(kept_at), kept_at[np.minimum(pos, len(kept_at) - 1)] - idx, n)
        out[:, j + 5] = np.minimum(np.minimum(left, right), 50)
        out[:, j + 6] = (idx >= kept_at[0]) & (idx <= kept_at[-1])
    else:
        out[:, j + 5] = 50.0
    out[:, j + 7] = (np.bincount(inverse, weights=kept) / counts)[inverse]
    j += 8
    # windows of neighbours: the mean of a few features over the blocks within w on either side
    stacked = np.empty((n + 1, len(_WINDOW_FEATURES)))
    stacked[0] = 0.0
    stacked[1:, 0] = base[:, _B_TERMINAL]
    stacked[1:, 1] = np.log1p(base[:, _B_WORDS])
    stacked[1:, 2] = base[:, _B_LISTY]
    stacked[1:, 3] = base[:, _B_FIT]
    stacked[1:, 4] = kept
    stacked[1:, 5] = base[:, _B_REPEATED] > 0
    stacked[1:, 6] = prose
    stacked[1:, 7] = base[:, _B_STOP]
    csum = np.cumsum(stacked, axis=0)
    for w in _WINDOWS:
        lo, hi = np.maximum(0, idx - w), np.minimum(n, idx + w + 1)
        out[:, j : j + len(_WINDOW_FEATURES)] = (csum[hi] - csum[lo]) / (hi - lo)[:, None]
        j += len(_WINDOW_FEATURES)
    # where the block sits relative to the prose of the document and to what the rules kept
    prose_at = np.flatnonzero(prose)
    if len(prose_at):
        pos = np.searchsorted(prose_at, idx)
        out[:, j] = np.minimum(np.where(pos > 0, idx - prose_at[np.maximum(pos - 1, 0)], 60), 60)
        nxt = np.searchsorted(prose_at, idx, side="right")
        out[:, j + 1] = np.minimum(
            np.where(nxt < len(prose_at), prose_at[np.minimum(nxt, len(prose_at) - 1)] - idx, 60), 60)
        pchars = np.cumsum(chars * prose)
        out[:, j + 2] = (pchars - chars * prose) / max(1.0, float(pchars[-1]))
    else:
        out[:, j : j + 2] = 60
        out[:, j + 2] = 0.5
    out[:, j + 3] = (np.cumsum(chars) - chars) / total
    out[:, j + 4] = log_chars - math.log1p(float(chars.max()))
    if len(kept_at):
        out[:, j + 5] = (idx - kept_at[0]) / max(1, n)
        out[:, j + 6] = (idx - kept_at[-1]) / max(1, n)
    return out


@lru_cache(maxsize=8)
def _reason_index(reasons: tuple[str, ...]) -> dict[str, int]:
    return {r: j for j, r in enumerate(reasons)}


_N_BASE = len(BASE_FEATURES)
_C_KINDS = _N_BASE + 1
_C_KEPT = _C_KINDS + len(KINDS)
_C_LABELS = _C_KEPT + 1
_C_REASONS = _C_LABELS + len(RULE_LABELS)
_N_FIXED = len(feature_names([]))
_KIND_INDEX = {k: j for j, k in enumerate(KINDS)}
_LABEL_INDEX = {k: j for j, k in enumerate(RULE_LABELS)}
_B = {name: j for j, name in enumerate(BASE_FEATURES)}
_B_CHARS, _B_WORDS, _B_TERMINAL, _B_LISTY = _B["n_chars"], _B["n_words"], _B["terminal"], _B["listy"]
_B_FIT, _B_REPEATED, _B_STOP = _B["topic_fit"], _B["repeated"], _B["stop_ratio"]
_B_NEIGHBOURS = [_B[f] for f in NEIGHBOUR_FEATURES]
_PARA = FEATURES.index("para")
_BASE_COLUMNS_I32 = np.array(_BASE_COLUMNS, dtype=np.int32)
_NB_COLUMNS_I32 = np.array(_B_NEIGHBOURS, dtype=np.int32)
_LAYOUT = np.array([_PARA, _B_CHARS, _B_WORDS, _B_TERMINAL, _B_LISTY, _B_FIT, _B_REPEATED, _B_STOP, _C_KINDS,
                    _C_KEPT, _C_LABELS, _C_REASONS], dtype=np.int32)
"""Where :func:`feature_matrix`'s C twin finds its inputs and puts its columns."""
_CHARS_COLUMN, _WORDS_COLUMN = FEATURES.index("n_chars"), FEATURES.index("n_words")


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


_S2_NAMES = stage2_names()
_S2_BASE_COLUMNS = [FEATURES.index(f) for f in _S2_BASE]
_S2_BASE_COLUMNS_I32 = np.array(_S2_BASE_COLUMNS, dtype=np.int32)


def kept_by_rules(rules: Sequence[Decision]) -> np.ndarray:
    """1.0 where the rules kept the block, else 0.0 (a column both stages read)."""
    return np.array(list(map(KEPT_LABELS.__contains__, map(_LABEL_OF, rules))), dtype=np.float64)


_KIND_OF, _LABEL_OF, _REASON_OF = attrgetter("kind"), attrgetter("label"), attrgetter("reason")


def stage2_matrix(
    blocks: Sequence[Block], rules: Sequence[Decision], scores: np.ndarray, *,
    table: FeatureTable | None = None, kept: np.ndarray | None = None,
) -> np.ndarray:
    """The second stage's input: each block's first-stage score with the scores around it (neighbours,
    windows, its paragraph, the run of blocks on the same side of 0.5, the document) and a few of its
    features. The second stage smooths the first along the document: main text comes in runs.
    ``table`` and ``kept`` as for :func:`feature_matrix`."""
    n = len(blocks)
    if table is None:
        table = feature_table(blocks)
    s = np.asarray(scores, dtype=np.float64)
    out = np.empty((n, len(_S2_NAMES)), dtype=np.float32)
    out[:, 0] = s
    if not n:
        return out
    if _compiled is not None and _S2_WINDOWS == (2, 5, 15) and _S2_OFFSETS == (-3, -2, -1, 1, 2, 3):
        # the same numbers in C (its window sums are numpy's pairwise sums, to the bit)
        _compiled.text_stage2(  # the mean as s.mean() computes it (numpy's pairwise sum / n), without its wrapper
            np.ascontiguousarray(s), float(np.add.reduce(s) / n), np.ascontiguousarray(table.column("para")),
            kept_by_rules(rules) if kept is None else kept,
            np.ascontiguousarray(table.values, dtype=np.float64), _S2_BASE_COLUMNS_I32, out,
        )
        return out
    pad = max(max(_S2_WINDOWS), max(_S2_OFFSETS))
    filled = np.full(n + 2 * pad, -1.0)  # neighbours past either end read -1
    filled[pad : pad + n] = s
    j = 1
    for off in _S2_OFFSETS:
        out[:, j] = filled[pad + off : pad + off + n]
        j += 1
    # windows (cut at the ends of the document): the sum over zeros past the ends, so the mean is
    # exactly numpy's nanmean over the cut window; min and max over +-inf past the ends
    padded = np.empty((3, n + 2 * pad))
    padded[0], padded[1], padded[2] = 0.0, np.inf, -np.inf
    padded[:, pad : pad + n] = s
    width = 2 * pad + 1  # every block's widest window, one strided view (row i: blocks i-pad .. i+pad)
    view = np.ndarray((3, n, width), dtype=np.float64, buffer=padded, strides=(padded.strides[0], 8, 8))
    idx = np.arange(n)
    for w in _S2_WINDOWS:
        cut = slice(pad - w, pad + w + 1)
        count = np.minimum(n, idx + w + 1) - np.maximum(0, idx - w)
        out[:, j] = view[0, :, cut].sum(axis=1) / count
        out[:, j + 1] = view[1, :, cut].min(axis=1)
        out[:, j + 2] = view[2, :, cut].max(axis=1)
        j += 3
    # paragraphs: blocks of one paragraph are consecutive
    para = table.column("para")
    begins = np.ones(n, dtype=bool)
    np.not_equal(para[1:], para[:-1], out=begins[1:])
    first = np.flatnonzero(begins)
    inverse = np.cumsum(begins) - 1
    counts = np.diff(np.append(first, n))
    above = s >= 0.5
    run_begins = np.ones(n, dtype=bool)
    np.not_equal(above[1:], above[:-1], out=run_begins[1:])
    run = np.cumsum(run_begins) - 1
    mean = s.mean()
    out[:, j] = mean
    out[:, j + 1] = above.mean()
    out[:, j + 2] = s.max()
    out[:, j + 3] = s - mean
    out[:, j + 4] = (np.bincount(inverse, weights=s) / counts)[inverse]
    out[:, j + 5] = np.minimum.reduceat(s, first)[inverse]
    out[:, j + 6] = np.maximum.reduceat(s, first)[inverse]
    out[:, j + 7] = (np.bincount(run, weights=s) / np.bincount(run))[run]
    out[:, j + 8] = [d.label in KEPT_LABELS for d in rules]
    out[:, j + 9 :] = table.values[:, _S2_BASE_COLUMNS]
    return out


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

    relative: float | None = None
    """Below this highest score in a document, its threshold shrinks with it (see :func:`keep_mask`)."""

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
        self.relative = payload.get("relative")
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

    def predict_first(self, blocks: Sequence[Block], rules: Sequence[Decision], *,
                      table: FeatureTable | None = None, kept: np.ndarray | None = None) -> np.ndarray:
        """The first stage's probability of main content per block (``table``, ``kept``: see
        :func:`feature_matrix`)."""
        if not blocks:
            return np.zeros(0, dtype=np.float64)
        matrix = feature_matrix(blocks, rules, self.reasons, table=table, kept=kept)
        if self.columns is not None:
            matrix = matrix[:, self.columns]
        return self._trees(self.trees, matrix)

    @staticmethod
    def _trees(trees: Trees, matrix: np.ndarray) -> np.ndarray:
        forest = _forest(trees)
        if forest is not None and _forests is not None and matrix.dtype == np.float32 and matrix.ndim == 2 and matrix.flags.c_contiguous \
                and matrix.shape[1]:
            # the extension's walk for the text model's trees (the same numbers as trees.predict)
            raw = np.empty(len(matrix), dtype=np.float64)
            _forests.forest_walk(forest, matrix, matrix.shape[1], raw)
            return trees._sigmoid(raw)
        if len(matrix) <= _PREDICT_ROWS:
            return np.asarray(trees.predict(matrix), dtype=np.float64)
        return np.concatenate([  # rows are independent: same numbers, bounded memory
            np.asarray(trees.predict(matrix[i : i + _PREDICT_ROWS]), dtype=np.float64)
            for i in range(0, len(matrix), _PREDICT_ROWS)
        ])

    def decide(self, blocks: Sequence[Block], rules: Sequence[Decision], opts: Options) -> list[Decision]:
        """Stack the model on the rules: main when the model says so (see :func:`keep_mask`), except
        for blocks the rules removed on positive evidence (:data:`EVIDENCE_REASONS`), titles and
        bylines, which keep the rules' label; a block the rules kept and the model does not becomes
        ``boilerplate``/``model``; kept blocks in a :func:`stray_runs` run become
        ``boilerplate``/``stray_run``."""
        table = feature_table(blocks) if blocks else None
        kept = kept_by_rules(rules)
        first = self.predict_first(blocks, rules, table=table, kept=kept)
        scores = first if self.stage2 is None or not len(first) else self._trees(
            self.stage2, stage2_matrix(blocks, rules, first, table=table, kept=kept))
        threshold = self.thresholds[opts.focus]
        if self.relative and len(scores):  # np.max's value, without its wrapper
            threshold *= min(1.0, float(np.maximum.reduce(scores)) / self.relative)
        # keep_mask's decision, inlined (one pass, no per-block property calls)
        labels: list[str] = []
        reasons: list[str] = []
        probabilities = scores.tolist()
        for d, p, p1 in zip(rules, probabilities, first.tolist(), strict=True):
            label, reason = d.label, d.reason
            if not (label == "title" or label == "byline" or reason in EVIDENCE_REASONS):
                rule_kept = label in KEPT_LABELS
                if p >= threshold and (rule_kept or p1 >= threshold):
                    if not rule_kept:
                        label, reason = "main", "model"
                elif rule_kept:
                    label, reason = "boilerplate", "model"
            labels.append(label)
            reasons.append(reason)
        if len(labels) > 1:  # runs far from the text's main runs, too small to be its own part: out
            stray = _stray_at(list(compress(count(), map(KEPT_LABELS.__contains__, labels))),
                              table.values[:, _CHARS_COLUMN])  # type: ignore[union-attr]
            if stray is not None:
                for i in stray.tolist():
                    labels[i], reasons[i] = "boilerplate", "stray_run"
        if _new_decisions is not None:  # the same decisions, without a frozen dataclass's __init__ each
            decisions: list[Decision] = _new_decisions(
                Decision, len(labels), {"label": labels, "reason": reasons, "score": probabilities}, {})
            return decisions
        return [Decision(label, reason, p)  # type: ignore[arg-type]
                for label, reason, p in zip(labels, reasons, probabilities, strict=True)]


_forests = extension("forest_table", "forest_walk")
_FORESTS: weakref.WeakKeyDictionary[Trees, object] = weakref.WeakKeyDictionary()
"""Each Trees' table packed for the extension's ``forest_walk`` (None: it cannot be)."""


def _forest(trees: Trees) -> object | None:
    """``trees`` packed for the extension's ``forest_walk`` (once per Trees), or None: without the
    extension, for trees with missing-value rules (the walk reads NaN as 0, the paired layout's
    rule) and for tables it cannot pack."""
    if _forests is None or trees.has_missing_rule or not len(trees.p_roots):
        return None
    try:
        return _FORESTS[trees]
    except KeyError:
        feat, left, leaf, depth, value, roots = trees.c_table
        forest = _FORESTS[trees] = _forests.forest_table(np.ascontiguousarray(trees.p_thr32), feat, left, leaf,
                                                         depth, value, roots)
        return forest


RUN_GAP = 1
"""Kept blocks with at most this many dropped blocks between them are one run (see :func:`stray_runs`)."""
RUN_MIN_SHARE = 0.03
"""A run of kept blocks with less than this share of the characters of the document's largest run is
dropped (see :func:`stray_runs`)."""


def stray_runs(keep: np.ndarray, chars: np.ndarray) -> np.ndarray:
    """The kept blocks that are stray: main text comes in runs, and a run of kept blocks (kept blocks
    with at most :data:`RUN_GAP` dropped ones between them) holding less than :data:`RUN_MIN_SHARE`
    of the characters of the document's largest run is a stray line of the page around the text (a
    teaser, a caption of a link, a menu entry that reads like prose), not a part of it. Out of fold
    on WCXB dev as WET-style text (domain-grouped 5-fold, the parameters chosen on four folds and
    scored on the fifth, each fold in turn): word F1 +0.003, higher in every fold; clean-article
    recall 0.9941 -> 0.9938. ``keep``: bool per block; ``chars``: characters per block."""
    out = np.zeros(len(keep), dtype=bool)
    stray = _stray_at(np.flatnonzero(keep).tolist(), chars)
    if stray is not None:
        out[stray] = True
    return out


def _stray_at(at: list[int], chars: np.ndarray) -> np.ndarray | None:
    """The indices of the stray blocks (:func:`stray_runs`) among the kept blocks ``at`` (ascending),
    or None when none is: in the common case, one run, found in C-level loops over Python ints
    (no numpy call)."""
    if len(at) < 2 or max(map(sub, at[1:], at[:-1])) <= RUN_GAP + 1:  # one run: nothing is stray
        return None
    kept = np.array(at, dtype=np.int64)
    run = np.zeros(len(kept), dtype=np.int64)
    np.cumsum(np.diff(kept) > RUN_GAP + 1, out=run[1:])
    mass = np.bincount(run, weights=chars[kept])
    small = mass < RUN_MIN_SHARE * mass.max()
    return kept[small[run]] if small.any() else None


def keep_mask(rules: Sequence[Decision], scores: np.ndarray, first: np.ndarray, threshold: float, *,
              relative: float | None = None, chars: np.ndarray | None = None) -> list[bool]:
    """Which blocks the stacked classifier keeps (the training script scores this very decision).

    A block is kept when its score reaches the threshold. With ``relative``, a document whose highest
    score stays below ``relative`` has its threshold scaled down by (highest score / ``relative``): a
    page unlike the training pages, where the model is unsure everywhere, keeps what scores well *for
    it* instead of next to nothing, while a document with a clear body keeps the plain threshold.
    Titles, bylines and blocks the rules removed on positive evidence (:data:`EVIDENCE_REASONS`) keep
    the rules' verdict. A block the rules dropped comes back only when the first stage (``first``)
    reaches the threshold too: the second stage smooths along the text, and alone it would carry a
    menu next to the body along. With ``chars`` (characters per block, as :meth:`TextModel.decide`
    has them), the :func:`stray_runs` of what is kept are dropped."""
    if relative and len(scores):
        threshold *= min(1.0, float(np.max(scores)) / relative)
    keep = [
        d.kept if d.label in ("title", "byline") or d.reason in EVIDENCE_REASONS
        else p >= threshold and (d.kept or p1 >= threshold)
        for d, p, p1 in zip(rules, scores.tolist(), first.tolist(), strict=True)
    ]
    if chars is not None and len(keep) > 1:
        for i in np.flatnonzero(stray_runs(np.array(keep, dtype=bool), np.asarray(chars, dtype=np.float64))).tolist():
            keep[i] = False
    return keep


def model_from_json(raw: str) -> TextModel:
    return TextModel(json.loads(raw))


@lru_cache(maxsize=1)
def load_model() -> TextModel | None:
    """The packaged model, loaded once per process; None when the package ships none."""
    raw = read_model_file(MODEL_RESOURCE)
    return model_from_json(raw) if raw is not None else None
