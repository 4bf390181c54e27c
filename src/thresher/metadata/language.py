"""Language identification of a text with py3langid (model loaded once per process, lazily).

py3langid counts byte n-gram features by walking its automaton one byte at a time in Python. The
automaton is an Aho-Corasick matcher: its state after any byte is the longest suffix of the input
that is a node of its n-gram trie, so it depends only on the last ``depth`` bytes (the trie's
depth, 6 for the shipped model). :class:`_Scanner` uses that to find the state at every byte at
once with numpy (``depth`` vectorised steps from the start state over a sliding window), then
scores exactly as py3langid does: same features, same counts, same order, same numbers.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np

MIN_CHARS = 20
"""Shorter texts get no language: too little evidence."""
MIN_PROBABILITY = 0.5
"""Below this normalised probability the answer is None."""


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


class _Scanner:
    """py3langid's classification with the automaton walked by numpy (see the module docstring)."""

    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier
        self.nextmove = np.asarray(identifier.tk_nextmove)  # no copy: it is the model's table
        self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.depth = self._trie_depth()

    def _trie_depth(self) -> int:
        """Breadth-first levels from the start state until no new state appears. States share rows
        of the transition table (``tk_row``); a row's moves are followed once."""
        row = np.asarray(self.identifier.tk_row, dtype=np.int64)
        seen = np.zeros(len(row), dtype=bool)
        seen[0] = True
        followed = np.zeros(int(row.max()) + 1, dtype=bool)
        frontier = np.zeros(1, dtype=np.int64)
        depth = 0
        while True:
            rows = np.unique(row[frontier])
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

    def visits(self, data: bytes) -> dict[int, int]:
        """Feature → count, in order of first occurrence (what py3langid's ``visit_counts`` gives)."""
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
            return {}
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return dict(zip(found[order].tolist(), counts[order].tolist(), strict=True))

    def classify(self, text: str) -> tuple[str, float]:
        """py3langid's ``classify`` for a normalised-probabilities identifier."""
        ident = self.identifier
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        visits = self.visits(data)
        if visits:
            scores = ident._sparse_score(visits, ident.nb_ptc)
        else:
            scores = np.full(len(ident.nb_classes), 0.0, dtype=np.float32)
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for i, j in ident._alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        best = int(scores.argmax())
        return str(ident.nb_classes[best]), float(scores[best])


@lru_cache(maxsize=1)
def _scanner() -> _Scanner | None:
    """The numpy scanner, or None when this py3langid is not built the way it expects (then
    py3langid's own walk is used)."""
    identifier = _identifier()
    needed = ("tk_nextmove", "tk_row", "_rowbase", "tk_output", "_sparse_score", "nb_ptc", "nb_classes",
              "_alias_pairs", "_norm_probs", "min_confidence")
    if not all(hasattr(identifier, name) for name in needed):
        return None
    if not identifier._norm_probs or identifier.min_confidence is not None:
        return None
    scanner = _Scanner(identifier)
    probe = "Thresher checks its scanner against py3langid: ÆØÅ ñ 漢字 ひらがな кириллица ١٢٣ 🙂 \U0001d4d0."
    if scanner.classify(probe) != identifier.classify(probe):
        return None
    return scanner


def load() -> None:
    """Load the identifier now (once per process), e.g. before a per-document time limit starts."""
    _scanner()


def identify(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or None when short or unsure."""
    sample = " ".join(text.split())
    if len(sample) < MIN_CHARS:
        return None
    if len(sample) > 5000:
        sample = sample[:5000]
    scanner = _scanner()
    lang, prob = scanner.classify(sample) if scanner is not None else _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return None
    return str(lang)
