"""The WCXB reference scorer's word-level metric (``shared/score/wcxb_score.py``), shared by the
training scripts, the benchmarks and the quality gate in the tests.

A bag of lower-cased ``\\w+`` tokens; precision, recall and F1 per page. An empty ground truth
scores 1.0 for an empty prediction and 0.0 for anything else, as in the scorer.
"""

from __future__ import annotations

import re
from collections import Counter

TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def prf(pred: str, ref: str) -> tuple[float, float, float]:
    """Word-level P/R/F1 of a prediction against the ground truth, as the WCXB scorer computes it."""
    p, r = Counter(tokens(pred)), Counter(tokens(ref))
    if not r:
        return (1.0, 1.0, 1.0) if not p else (0.0, 0.0, 0.0)
    if not p:
        return 0.0, 0.0, 0.0
    hit = sum((p & r).values())
    if not hit:
        return 0.0, 0.0, 0.0
    precision, recall = hit / sum(p.values()), hit / sum(r.values())
    return precision, recall, 2 * precision * recall / (precision + recall)
