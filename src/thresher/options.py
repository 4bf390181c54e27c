"""Options: frozen values passed into the library; the one home of every default."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal, get_args

from thresher.model import InputFormat

Focus = Literal["balanced", "precision", "recall"]

MAX_TIME_LIMIT = 1e6
"""Seconds: a longer per-document limit is no limit in practice and overflows the system timer."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How to extract one page. Every field has the default a new user wants."""

    input_format: InputFormat = "auto"
    """``auto`` looks at the payload (and the reader's hint); ``html`` or ``text`` force an engine."""
    focus: Focus = "balanced"
    """``precision`` drops doubtful blocks, ``recall`` keeps them (trafilatura's presets)."""
    include_comments: bool = False
    include_tables: bool = True
    include_links: bool = False
    include_images: bool = False
    include_formatting: bool = False
    with_markdown: bool = False
    """Also render ``Document.markdown``."""
    with_html: bool = False
    """Also render ``Document.html`` (clean semantic HTML of the kept content)."""
    fast: bool = False
    """Skip the costlier steps (date search in the whole page, language identification)."""
    target_language: str | None = None
    """When set, pages in another language are rejected (ISO 639-1 code; ``EN`` and ``en-US`` read as
    ``en``)."""
    min_text_length: int = 0
    """Pages whose extracted text is shorter (in characters) are rejected as ``too_short``."""
    html_model: str | None = None
    """Path of an HTML model file to use instead of the packaged one (evaluation on held-out folds);
    ``"none"`` runs the rules alone."""
    title_model: str | None = None
    """Path of a metadata ranker file (the title ranker of ``thresher.metadata.titles`` and the date
    ranker of ``thresher.metadata.dates``) to use instead of the packaged one (evaluation on held-out
    folds); ``"none"`` keeps the rules' title and date."""
    max_bytes: int = 20_000_000
    """Input size cap: larger payloads become a ``too_large`` error record."""
    max_elements: int = 500_000
    """HTML element cap: pages with more elements are cut at this many (counted, never hung)."""
    time_limit: float | None = 10.0
    """Seconds per document; past it the document becomes a ``timeout`` error record. ``None`` (or
    infinity) for no limit."""

    def __post_init__(self) -> None:
        for name, kind in (("focus", Focus), ("input_format", InputFormat)):
            allowed = get_args(kind)
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        limit = self.time_limit
        if limit is not None:
            if math.isinf(limit) and limit > 0:
                object.__setattr__(self, "time_limit", None)
            elif not (limit > 0 and math.isfinite(limit)) or limit > MAX_TIME_LIMIT:
                raise ValueError(f"time_limit must be a positive number of seconds (at most "
                                 f"{MAX_TIME_LIMIT:g}) or None, not {limit!r}")
        if self.target_language is not None:
            code = self.target_language.strip().lower().replace("_", "-").split("-")[0]
            if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
                raise ValueError(f"target_language must be an ISO 639-1 code such as 'en' or 'de', "
                                 f"not {self.target_language!r}")
            object.__setattr__(self, "target_language", code or None)
        for name in ("max_bytes", "max_elements"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)!r}")

    def with_(self, **changes: object) -> Options:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_OPTIONS = Options()
