"""Language identification of a text with py3langid (model loaded once per process, lazily)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MIN_CHARS = 20
"""Shorter texts get no language: too little evidence."""
MIN_PROBABILITY = 0.5
"""Below this normalised probability the answer is None."""


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or None when short or unsure."""
    sample = " ".join(text.split())
    if len(sample) < MIN_CHARS:
        return None
    if len(sample) > 5000:
        sample = sample[:5000]
    lang, prob = _identifier().classify(sample)
    if prob < MIN_PROBABILITY:
        return None
    return str(lang)
