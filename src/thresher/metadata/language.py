"""Language identification of a text with py3langid (model loaded once per process, lazily).

py3langid counts byte n-gram features by walking its automaton one byte at a time in Python. The
automaton is an Aho-Corasick matcher: its state after any byte is the longest suffix of the input
that is a node of its n-gram trie, so it depends only on the last ``depth`` bytes (the trie's
depth, 6 for the shipped model). :class:`_Scanner` uses that to find the state at every byte at
once with numpy (``depth`` vectorised steps from the start state over a sliding window): the same
features, counts and order as py3langid's walk.

The score of a class is the sum, over the features met, of log1p(count) times the feature's float16
row of the class table, plus the class prior. py3langid adds those products up in float32 in
whatever order the BLAS product takes; here each product (a float32 weight times a float16 entry) is
exact in float64 and the sum runs feature after feature in order of first occurrence, in float64:
the C extension (``thresher._speedups``, built from _speedups_text.c: ``lang_score``) walks the
automaton, counts and sums in one call, without the float32 copy of the rows (hundreds of kilobytes a
text) and the product that reads it back (converting eight float16 at once with F16C and adding with
FMA where the processor has them, sixteen at once and each row in one pass with AVX-512: the same
numbers, as the product is exact; each row is asked for as soon as the walk meets its feature, so the
fetches overlap), and its numpy twin (``np.add.reduce`` over the rows, which
adds them in that same order) gives the same numbers to the last bit. The answers are py3langid's:
the two ways of summing differ by far less than any two languages' scores on real text (on every
WCXB dev text, and prefixes of them, no answer changes).
"""

from __future__ import annotations

import lzma
import math
import struct
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any, BinaryIO

import numpy as np

from thresher.compiled import extension

MIN_CHARS = 20
"""Shorter texts get no language: too little evidence."""
MIN_PROBABILITY = 0.5
"""Below this normalised probability the answer is None."""
_MODEL = ("py3langid", "data/model.npz.xz")
"""py3langid's model: an LZMA-compressed npz (see py3langid.modelio)."""
_ARRAYS = {
    "ptc": ("float16", 2), "pc": ("float32", 1), "classes": ("<U", 1), "nextmove": ("uint", 1),
    "nextmove_row": ("uint", 1), "out_feat": ("int32", 1),
}
"""The model's arrays, with the dtype (kind) and dimensions the scanner expects."""
_SLICE = 1 << 20


_compiled: Any = extension("lang_visits", "lang_score")
_collapse: Any = getattr(extension("collapsed_prefix"), "collapsed_prefix", None)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's own identifier: the fallback when its model file is not laid out as expected."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _read_npz(stream: BinaryIO) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed (stored) npz read in one pass from a stream, each straight
    into its final array: no temporary file and no second copy, so loading peaks at the model's size.
    Raises ValueError on anything but stored members with their sizes in the local headers."""
    out: dict[str, np.ndarray] = {}
    while True:
        head = stream.read(30)
        if len(head) < 4 or head[:4] != b"PK\x03\x04":
            return out
        if len(head) < 30:
            raise ValueError("truncated zip header")
        _, _, flags, method, _, _, _, size, usize, n_name, n_extra = struct.unpack("<IHHHHHIIIHH", head)
        name = stream.read(n_name).decode("utf-8")
        extra = stream.read(n_extra)
        if method != 0 or flags & 8:
            raise ValueError(f"{name}: not a stored member with known size")
        if size == 0xFFFFFFFF:  # zip64: sizes in the extra field
            at = 0
            while at + 4 <= len(extra):
                tag, length = struct.unpack_from("<HH", extra, at)
                if tag == 1:
                    usize, size = struct.unpack_from("<QQ", extra, at + 4)
                    break
                at += 4 + length
            else:
                raise ValueError(f"{name}: zip64 sizes missing")
        if size != usize:
            raise ValueError(f"{name}: sizes differ")
        start = stream.tell()
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        if fortran or dtype.hasobject:
            raise ValueError(f"{name}: unexpected array layout")
        array = np.empty(shape, dtype=dtype)
        view = array.reshape(-1).view(np.uint8).data
        got = 0
        while got < len(view):  # in slices: a whole-array read would hold a second copy
            chunk = stream.read(min(_SLICE, len(view) - got))
            if not chunk:
                raise ValueError(f"{name}: truncated")
            view[got:got + len(chunk)] = chunk
            got += len(chunk)
        if stream.tell() - start != size:
            raise ValueError(f"{name}: sizes differ")
        out[name.removesuffix(".npy")] = array


def _load_arrays() -> dict[str, np.ndarray] | None:
    """py3langid's model arrays, or None when the file is missing or not laid out as expected."""
    try:
        with resources.files(_MODEL[0]).joinpath(_MODEL[1]).open("rb") as raw, lzma.open(raw) as stream:
            arrays = _read_npz(stream)  # type: ignore[arg-type]
    except (OSError, ValueError, lzma.LZMAError, ModuleNotFoundError):
        return None
    for name, (kind, ndim) in _ARRAYS.items():
        a = arrays.get(name)
        if a is None or a.ndim != ndim or not a.dtype.str.lstrip("<=|").startswith(
            {"float16": "f2", "float32": "f4", "int32": "i4", "<U": "U", "uint": "u"}[kind]
        ):
            return None
    n_states, n_classes = len(arrays["out_feat"]), len(arrays["pc"])
    nextmove, rows = arrays["nextmove"], arrays["nextmove_row"]
    if (len(arrays["nextmove_row"]) != n_states or arrays["ptc"].shape[1] != n_classes
            or len(arrays["classes"]) != n_classes or len(nextmove) % 256 or not n_states
            or int(rows.max()) >= len(nextmove) // 256 or int(nextmove.max()) >= n_states
            or int(arrays["out_feat"].max()) >= len(arrays["ptc"])):
        return None
    return arrays


class _Scanner:
    """py3langid's classification with the automaton walked by numpy (see the module docstring).

    Holds only the model's compact arrays: the transition rows (uint32, shared between states as
    py3langid stores them), each state's row, its feature, and the float16 feature/class table."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.nextmove = arrays["nextmove"]
        self.row = arrays["nextmove_row"]
        self.rowbase = self.row.astype(np.int64) << 8
        self.output = arrays["out_feat"]
        self.ptc = arrays["ptc"]
        self.pc = arrays["pc"]
        self.pc64 = self.pc.astype(np.float64)
        self.classes: list[str] = [str(c) for c in arrays["classes"].tolist()]
        first: dict[str, int] = {}
        self.alias_pairs: list[tuple[int, int]] = []
        for i, c in enumerate(self.classes):  # labels listed twice (srl → sr): py3langid's pairs
            if c in first:
                self.alias_pairs.append((first[c], i))
            else:
                first[c] = i
        self.depth = self._trie_depth()
        self._weights = np.log1p(np.arange(4096, dtype=np.float32))
        """``_weights[k]``: the weight of a feature met k times (py3langid's float32 log1p of the count)."""
        self._lock = threading.Lock()
        self._slot = np.zeros(len(self.ptc), dtype=np.int32)
        """Scratch of the C scan (one int per feature, zero between calls)."""
        self.compiled = _compiled is not None and self.nextmove.dtype == np.uint32 \
            and self.row.dtype == np.uint16 and self.ptc.dtype == np.float16 and self.ptc.flags.c_contiguous
        """The extension walks and sums (it takes the model's arrays in these types only)."""

    def _trie_depth(self) -> int:
        """Breadth-first levels from the start state until no new state appears. States share rows
        of the transition table; a row's moves are followed once."""
        row = self.row
        seen = np.zeros(len(row), dtype=bool)
        seen[0] = True
        followed = np.zeros(int(row.max()) + 1, dtype=bool)
        frontier = np.zeros(1, dtype=np.int64)
        depth = 0
        while True:
            rows = np.unique(row[frontier]).astype(np.int64)
            rows = rows[~followed[rows]]
            followed[rows] = True
            reached = np.zeros(len(row), dtype=bool)
            for start in range(0, len(rows), 2048):  # bounded memory: 2048 rows of 256 moves
                part = rows[start:start + 2048]
                reached[self.nextmove[((part << 8)[:, None] + np.arange(256)).ravel()]] = True
            reached &= ~seen
            if not reached.any():
                return depth
            seen |= reached
            frontier = np.flatnonzero(reached)
            depth += 1

    def visits(self, data: bytes) -> tuple[np.ndarray, np.ndarray]:
        """Features and their counts, in order of first occurrence (py3langid's ``visit_counts``)."""
        codes = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
        n, depth = len(codes), self.depth
        nextmove, rowbase = self.nextmove, self.rowbase
        head = min(n, depth - 1)
        state = np.zeros(n, dtype=np.int64)
        at = 0
        for i in range(head):  # the first bytes: the plain walk
            at = int(nextmove[rowbase[at] + codes[i]])
            state[i] = at
        if n > head:  # every later byte: its last ``depth`` bytes walked from the start state
            tail = np.zeros(n - head, dtype=np.int64)
            for step in range(depth):
                tail = nextmove[rowbase[tail] + codes[step:step + n - head]]
            state[head:] = tail
        features = self.output[state]
        features = features[features >= 0]
        if not len(features):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return found[order].astype(np.intp), counts[order].astype(np.float32)

    def visits_compiled(self, data: bytes) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`visits` in C (same features, same order, same counts)."""
        idx = np.empty(len(data), dtype=np.intp)
        counts = np.empty(len(data), dtype=np.float32)
        m = _compiled.lang_visits(data, self.nextmove, self.row, self.output, self._slot, idx, counts, self.depth)
        return idx[:m], counts[:m]

    def weights(self, n: int) -> np.ndarray:
        """The weights of counts 0 .. at least n (:attr:`_weights`, grown when a text is longer)."""
        table = self._weights
        if len(table) <= n:
            with self._lock:
                table = self._weights
                if len(table) <= n:
                    table = self._weights = np.log1p(np.arange(max(n + 1, 2 * len(table)), dtype=np.float32))
        return table

    def sums(self, data: bytes) -> np.ndarray | None:
        """Per class, float64: the sum over the features of ``data`` (in order of first occurrence) of
        weight(count) x the feature's row (see the module docstring); None when no feature is met.
        In C when the extension is built, else with numpy: the same numbers to the last bit."""
        weights = self.weights(len(data))
        if self.compiled:
            out = np.empty(len(self.pc), dtype=np.float64)
            m = _compiled.lang_score(data, self.nextmove, self.row, self.output, self._slot, self.depth, self.ptc,
                                     weights, out)
            return out if m else None
        idx, counts = self.visits(data)
        if not len(idx):
            return None
        w = weights[counts.astype(np.intp)].astype(np.float64)
        return np.add.reduce(w[:, None] * self.ptc[idx].astype(np.float64), axis=0)  # row after row, in order

    def classify(self, text: str) -> tuple[str, float]:
        """py3langid's ``classify`` for a normalised-probabilities identifier (the class sums in float64,
        see the module docstring)."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        sums = self.sums(data)
        scores = np.zeros(len(self.classes)) if sums is None else sums + self.pc64
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - np.maximum.reduce(scores), out=scores)  # scores.max() and .sum() without their wrappers
        scores /= np.add.reduce(scores)
        for i, j in self.alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        return self.classes[best], float(scores[best])


@lru_cache(maxsize=1)
def _scanner() -> _Scanner | None:
    """The numpy scanner over py3langid's model arrays, or None when the model file is not laid out
    the way it expects (then py3langid's own identifier is used)."""
    arrays = _load_arrays()
    if arrays is None:
        return None
    return _Scanner(arrays)


def load() -> None:
    """Load the identifier now (once per process), e.g. before a per-document time limit starts."""
    _scanner()


SAMPLE_CHARS = 3000
"""Characters of the (white-space collapsed) text the identifier reads (was 5000: on all 1,497 WCXB
dev pages the answer is the same, and identification reads 40% less)."""


def sample_of(text: str) -> str:
    """What the identifier reads: ``" ".join(text.split())[:SAMPLE_CHARS]`` (white space collapsed,
    at most SAMPLE_CHARS), from only as much of ``text`` as that needs — in C when the extension is
    built."""
    if _collapse is not None:
        return str(_collapse(text, SAMPLE_CHARS))
    # collapsing a prefix gives a prefix of the whole collapsed text, so a long enough prefix says
    # the same as the whole text, faster
    sample = " ".join(text[: 2 * SAMPLE_CHARS].split())
    if len(sample) <= SAMPLE_CHARS and len(text) > 2 * SAMPLE_CHARS:
        sample = " ".join(text.split())
    return sample[:SAMPLE_CHARS]


def identify(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or None when short or unsure."""
    sample = sample_of(text)
    if len(sample) < MIN_CHARS:
        return None
    scanner = _scanner()
    lang, prob = scanner.classify(sample) if scanner is not None else _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return None
    return str(lang)
