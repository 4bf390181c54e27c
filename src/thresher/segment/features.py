"""Per-block numeric features, shared by the rules and (later) the learned classifier.

Every feature is a float so that a gradient-boosted model can read them directly. Depth features
(``d_*``) give the depth of the nearest ancestor (or the element itself) carrying that hint, 0 when
none: compared with a region's depth they tell whether the hint sits inside or above it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from thresher.deadline import Deadline
from thresher.model import Block

CATEGORIES = (
    "navigation", "share", "comment", "promo", "related", "legal", "sidebar", "meta", "header", "content",
)
"""Hint categories, in the order of the ``d_<category>`` features (see data/html_hint_tokens.json)."""
BOILERPLATE_CATEGORIES = frozenset(CATEGORIES) - {"content", "meta"}
_CAT_KEYS = tuple(("d_" + c, c in BOILERPLATE_CATEGORIES) for c in CATEGORIES)
_CONTENT = CATEGORIES.index("content")
_TAG_KEYS = ("d_tag_nav", "d_tag_header", "d_tag_footer", "d_tag_aside", "d_tag_article")

_CJK = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f"
    "\u1780-\u17ff"
)
WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
"""A word: a run of letters/digits, or one CJK/Thai/Lao/Khmer/Myanmar character (no spaces there)."""
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_PUNCT_CHARS = ".,;:!?\u3002\uff0c\u3001\uff01\uff1f\uff1b\uff1a\u060c\u061f\u0964\u2026"
_COMMA_CHARS = ",\uff0c\u3001\u060c"
_DROP_PUNCT = str.maketrans("", "", _PUNCT_CHARS)
_DROP_COMMA = str.maketrans("", "", _COMMA_CHARS)
_DROP_DIGIT = str.maketrans("", "", "0123456789")
_DROP_UPPER = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0410\u0411\u0412\u0413\u0414\u0415\u0416"
                            "\u0417\u0418\u0419\u041a\u041b\u041c\u041d\u041e\u041f\u0420\u0421"
                            "\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c"
                            "\u042d\u042e\u042f")
_SENTENCE_END = tuple(".!?\u3002\uff01\uff1f\u061f\u0964\u2026:;")
_CLOSERS = "\"'\u201d\u2019\u00bb)]\u300d\u300f\uff09 "
_CAMEL = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
CHAR_LANGUAGES = frozenset({"zh", "ja"})
"""Languages whose stop-word rate counts function characters rather than words."""


@lru_cache(maxsize=1)
def hint_vocabulary() -> dict[str, frozenset[int]]:
    """token → indices into CATEGORIES (read once from the package data)."""
    raw = json.loads(resources.files("thresher").joinpath("data/html_hint_tokens.json").read_text("utf-8"))
    vocab: dict[str, set[int]] = {}
    for i, cat in enumerate(CATEGORIES):
        for token in raw.get(cat, []):
            vocab.setdefault(token, set()).add(i)
    return {k: frozenset(v) for k, v in vocab.items()}


@lru_cache(maxsize=64)
def stopwords(lang: str) -> frozenset[str]:
    """Stop words (or, for zh/ja, function characters) of ``lang``; empty when there is no list."""
    try:
        text = resources.files("thresher").joinpath(f"data/stopwords/{lang}.txt").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return frozenset()
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def split_hint_tokens(value: str) -> tuple[str, ...]:
    """``"postBody main-content"`` → ``("post", "body", "postbody", "main", "content", "maincontent")``."""
    out: list[str] = []
    for chunk in value.split()[:12]:
        if chunk.isalpha() and chunk.islower():
            if chunk not in out:
                out.append(chunk)
            continue
        pieces = [p.lower() for p in _CAMEL.findall(chunk)]
        for p in pieces:
            if p not in out and not p.isdigit():
                out.append(p)
        if len(pieces) > 1:
            whole = "".join(pieces)
            if len(whole) <= 24 and whole not in out:
                out.append(whole)
        if len(out) >= 16:
            break
    return tuple(out[:16])


def hint_categories(tokens: Sequence[str]) -> frozenset[int]:
    vocab = hint_vocabulary()
    found: set[int] = set()
    for t in tokens:
        got = vocab.get(t)
        if got:
            found |= got
    return frozenset(found)


def stopword_language(declared: str | None, sample: str) -> str | None:
    """The language whose stop words to count: ``<html lang>`` if we have a list, else identified."""
    lang = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    if lang in CHAR_LANGUAGES or (lang and stopwords(lang)):
        return lang
    if len(sample) < 20:
        return None
    from thresher.metadata.language import identify

    found = identify(sample)
    return found


def block_features(
    raws: Sequence[Any],
    declared_lang: str | None,
    flag_features: Sequence[tuple[str, int]],
    deadline: Deadline,
) -> list[Block]:
    """Compute the features of raw blocks (from the HTML walker) and build Blocks."""
    if not raws:
        return []
    sample = " ".join(r.text for r in sorted(raws, key=lambda r: -len(r.text))[:8])[:3000]
    lang = stopword_language(declared_lang, sample)
    char_mode = lang in CHAR_LANGUAGES
    stops = stopwords(lang) if lang else frozenset()

    n = len(raws)
    total_chars = sum(len(r.text) for r in raws) or 1
    parent_chars: dict[str, int] = {}
    parent_links: dict[str, int] = {}
    parent_blocks: dict[str, int] = {}
    for r in raws:
        parent_chars[r.parent] = parent_chars.get(r.parent, 0) + len(r.text)
        parent_links[r.parent] = parent_links.get(r.parent, 0) + r.link_chars
        parent_blocks[r.parent] = parent_blocks.get(r.parent, 0) + 1

    base: list[dict[str, float]] = []
    seen = 0
    for i, r in enumerate(raws):
        if i & 255 == 0:
            deadline.check()
        text = r.text
        n_chars = len(text)
        words = WORD.findall(text.lower())
        n_words = len(words)
        if char_mode:
            cjk = _CJK_CHAR.findall(text)
            stop_hits = sum(map(stops.__contains__, cjk))
            stop_rate = stop_hits / len(cjk) if cjk else 0.0
        elif stops and n_words:
            stop_rate = sum(map(stops.__contains__, words)) / n_words
        else:
            stop_rate = 0.0
        stripped = text.rstrip(_CLOSERS)
        link_density = min(1.0, r.link_chars / n_chars) if n_chars else 0.0
        f: dict[str, float] = {
            "n_chars": float(n_chars),
            "n_words": float(n_words),
            "n_lines": float(text.count("\n") + 1),
            "link_density": link_density,
            "n_links": float(r.n_links),
            "punct_rate": (n_chars - len(text.translate(_DROP_PUNCT))) / n_chars if n_chars else 0.0,
            "n_commas": float(n_chars - len(text.translate(_DROP_COMMA))),
            "digit_rate": (n_chars - len(text.translate(_DROP_DIGIT))) / n_chars if n_chars else 0.0,
            "upper_rate": (n_chars - len(text.translate(_DROP_UPPER))) / n_chars if n_chars else 0.0,
            "avg_word_len": (sum(len(w) for w in words) / n_words) if n_words else 0.0,
            "stopword_rate": stop_rate,
            "sentence_end": 1.0 if stripped.endswith(_SENTENCE_END) else 0.0,
            "depth": float(r.depth),
            "position": i / (n - 1) if n > 1 else 0.0,
            "char_position": seen / total_chars,
            "is_heading": 1.0 if r.kind == "heading" else 0.0,
            "heading_level": float(r.level) if r.kind == "heading" else 0.0,
            "is_list_item": 1.0 if r.kind == "list_item" else 0.0,
            "is_code": 1.0 if r.kind == "code" else 0.0,
            "is_caption": 1.0 if r.kind == "caption" else 0.0,
            "is_table_row": 1.0 if r.kind == "table_row" else 0.0,
            "n_cells": float(len(r.cells)) if r.cells else 0.0,
            "parent_chars": float(parent_chars[r.parent]),
            "parent_blocks": float(parent_blocks[r.parent]),
            "parent_link_density": min(1.0, parent_links[r.parent] / parent_chars[r.parent])
            if parent_chars[r.parent] else 0.0,
        }
        seen += n_chars
        for name, bit in flag_features:
            f[name] = 1.0 if r.flags & bit else 0.0
        boiler = 0.0
        for (name, is_boiler), d in zip(_CAT_KEYS, r.cats, strict=True):
            f[name] = float(d)
            if d and is_boiler:
                boiler += 1.0
        f["boilerplate_score"] = boiler
        f["content_score"] = 1.0 if r.cats[_CONTENT] else 0.0
        for name, d in zip(_TAG_KEYS, r.tagdepths, strict=True):
            f[name] = float(d)
        base.append(f)
    blocks: list[Block] = []
    for i, (r, f) in enumerate(zip(raws, base, strict=True)):
        prev = base[i - 1] if i else None
        nxt = base[i + 1] if i + 1 < n else None
        f["prev_link_density"] = prev["link_density"] if prev else 0.0
        f["prev_n_chars"] = prev["n_chars"] if prev else 0.0
        f["next_link_density"] = nxt["link_density"] if nxt else 0.0
        f["next_n_chars"] = nxt["n_chars"] if nxt else 0.0
        blocks.append(
            Block(index=i, text=r.text, kind=r.kind, level=r.level, path=r.path, features=f,
                  cells=r.cells, hints=r.hints)
        )
    return blocks
