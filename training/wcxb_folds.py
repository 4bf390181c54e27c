"""How WCXB dev pages are grouped for cross-validation: by domain, five folds.

Shared by training/train_html_model.py (which trains fold-K models on the other folds) and
benchmarks/wcxb.py --folds-dir (which scores each page with the model of its own fold), so a page is
never scored by a model trained on its domain.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit


def page_domain_and_type(gt: dict[str, Any]) -> tuple[str, str]:
    """The page's host (``www.`` dropped) and its page type, as the scorer reads them."""
    host = (urlsplit(gt.get("url") or "").hostname or "").removeprefix("www.")
    pt = (gt.get("_internal") or {}).get("page_type") or {}
    page_type = pt.get("primary", "article") if isinstance(pt, dict) else (pt or "article")
    return host, "collection" if page_type == "category" else page_type


def fold_of(domain: str, k: int = 5) -> int:
    """The fold (0..k-1) of a domain: stable across runs and machines."""
    return int(hashlib.md5(domain.encode()).hexdigest(), 16) % k
