"""Per-block numeric features, shared by the rules and (later) the learned classifier.

Every feature is a float so that a gradient-boosted model can read them directly. Depth features
(``d_*``) give the depth of the nearest ancestor (or the element itself) carrying that hint, 0 when
none: compared with a region's depth they tell whether the hint sits inside or above it.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

import numpy as np

from thresher.compiled import function
from thresher.deadline import Deadline
from thresher.model import Block, BlockKind

CATEGORIES = (
    "navigation", "share", "comment", "promo", "related", "legal", "sidebar", "meta", "header", "content",
)
"""Hint categories, in the order of the ``d_<category>`` features (see data/html_hint_tokens.json)."""
BOILERPLATE_CATEGORIES = frozenset(CATEGORIES) - {"content", "meta"}
_CAT_KEYS = tuple(("d_" + c, c in BOILERPLATE_CATEGORIES) for c in CATEGORIES)
_CONTENT = CATEGORIES.index("content")
_TAG_KEYS = ("d_tag_nav", "d_tag_header", "d_tag_footer", "d_tag_aside", "d_tag_article")
_BLOCK_KEYS = (
    "n_chars", "n_words", "n_lines", "link_density", "n_links", "punct_rate", "n_commas", "digit_rate",
    "upper_rate", "avg_word_len", "stopword_rate", "sentence_end", "depth", "position", "char_position",
    "is_heading", "heading_level", "is_list_item", "is_code", "is_caption", "is_table_row", "n_cells",
    "parent_chars", "parent_blocks", "parent_link_density",
)
"""Features of the block's own text and place, in the order of a block's feature mapping; the
element's flags (``in_*``), then _HINT_KEYS, then _NEIGHBOUR_KEYS follow."""
_HINT_KEYS = (*(name for name, _ in _CAT_KEYS), "boilerplate_score", "content_score", *_TAG_KEYS)
_NEIGHBOUR_KEYS = ("prev_link_density", "prev_n_chars", "next_link_density", "next_n_chars")

_CJK = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f"
    "\u1780-\u17ff"
)
WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
"""A word: a run of letters/digits, or one CJK/Thai/Lao/Khmer/Myanmar character (no spaces there)."""
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_PUNCT_CHARS = ".,;:!?\u3002\uff0c\u3001\uff01\uff1f\uff1b\uff1a\u060c\u061f\u0964\u2026"
_COMMA_CHARS = ",\uff0c\u3001\u060c"
_PUNCT = re.compile(f"[{re.escape(_PUNCT_CHARS)}]")
_COMMA = re.compile(f"[{re.escape(_COMMA_CHARS)}]")
_DIGIT = re.compile("[0-9]")
_UPPER = re.compile("[A-Z\u0410-\u042f]")
"""Basic Latin and Russian capitals (the ``upper_rate`` feature)."""
_C_PUNCT, _C_COMMA, _C_DIGIT, _C_UPPER = range(4)


def _class_table() -> np.ndarray:
    """Code point (BMP) → bit set of the character classes above; every class lies in the BMP."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for bit, chars in ((_C_PUNCT, _PUNCT_CHARS), (_C_COMMA, _COMMA_CHARS), (_C_DIGIT, "0123456789"),
                       (_C_UPPER, "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(map(chr, range(0x410, 0x430))))):
        table[[ord(c) for c in chars]] |= 1 << bit
    return table


_CLASS_TABLE = _class_table()


def char_class_counts(texts: Sequence[str]) -> np.ndarray:
    """Per text, how many of its characters are punctuation, commas, ASCII digits and (Latin or
    Russian) capitals (the sets _PUNCT, _COMMA, _DIGIT, _UPPER match one character of): rows in
    that order, one column per text. All texts at once: one pass over their code points."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _CLASS_TABLE[np.minimum(codes, 0xFFFF)]
    out = np.empty((4, len(texts)), dtype=np.int64)
    for row in range(4):
        csum = np.concatenate([[0], np.cumsum((bits >> row) & 1, dtype=np.int64)])
        out[row] = csum[ends] - csum[ends - lengths]
    return out


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
    """``"postBody main-content"`` → ``("post", "body", "postbody", "main", "content", "maincontent")``:
    the tokens of the first 12 words, in order, each once, at most 16."""
    out: dict[str, None] = {}
    for chunk in value.split()[:12]:
        out.update(_chunk_tokens(chunk))
        if len(out) >= 16:
            break
    return tuple(out)[:16]


@lru_cache(maxsize=65_536)
def _chunk_tokens(chunk: str) -> dict[str, None]:
    """One class/id word's tokens (camelCase and separators split, digits-only parts left out, the
    parts joined when there are several), each once. Memoised: words recur across elements and
    pages far more than whole attribute values do."""
    if chunk.isalpha() and chunk.islower():
        return {chunk: None}
    pieces = [p.lower() for p in _CAMEL.findall(chunk)]
    out = {p: None for p in pieces if not p.isdigit()}
    if len(pieces) > 1:
        whole = "".join(pieces)
        if len(whole) <= 24:
            out[whole] = None
    return out


def hint_categories(tokens: Sequence[str]) -> frozenset[int]:
    vocab = hint_vocabulary()
    found: set[int] = set()
    for t in tokens:
        got = vocab.get(t)
        if got:
            found |= got
    return frozenset(found)


@lru_cache(maxsize=16_384)
def hint_tokens(value: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """An element's hint attribute values (joined by spaces) → its tokens and their categories.
    Memoised: the same class strings come back on every element and page of a site."""
    tokens = split_hint_tokens(value)
    return tokens, hint_categories(tokens)


def declared_stopword_language(declared: str | None) -> str | None:
    """``<html lang>`` reduced to its language, when we have its stop words (or it is zh/ja)."""
    lang = (declared or "").strip().lower().replace("_", "-").split("-")[0]
    if lang in CHAR_LANGUAGES or (lang and stopwords(lang)):
        return lang
    return None


def stopword_language(declared: str | None, sample: str) -> str | None:
    """The language whose stop words to count: ``<html lang>`` if we have a list, else identified."""
    lang = declared_stopword_language(declared)
    if lang is not None:
        return lang
    if len(sample) < 20:
        return None
    from thresher.metadata.language import identify

    found = identify(sample)
    return found


class RawBlocks(NamedTuple):
    """A page's blocks before their features (what the HTML walker finds), column by column: one
    item (or row) per block, in reading order."""

    texts: list[str]
    kinds: list[BlockKind]
    levels: list[int]
    paths: list[str]
    parents: list[str]
    """Path of the element around the block's element ("" for the body)."""
    hints: list[tuple[str, ...]]
    cells: list[tuple[str, ...] | None]
    depths: np.ndarray
    """int64: depth of the block's element."""
    flags: np.ndarray
    """int64: the element's frame flags (segment/html.py ``F_*``)."""
    cats: np.ndarray
    """int64, a row per block, a column per CATEGORIES: depth of the nearest element with such a hint."""
    tagdepths: np.ndarray
    """int64, a row per block, a column per _TAG_KEYS: depth of the nearest such element."""
    link_chars: np.ndarray
    """int64: characters of the text inside links."""
    n_links: np.ndarray
    """int64: links in the block."""


def block_features(
    raws: RawBlocks,
    declared_lang: str | None,
    flag_features: Sequence[tuple[str, int]],
    deadline: Deadline,
) -> list[Block]:
    """Compute the features of raw blocks (from the HTML walker) and build Blocks."""
    texts = raws.texts
    if not texts:
        return []
    lang = declared_stopword_language(declared_lang)
    if lang is None:
        longest = heapq.nlargest(8, texts, key=len)
        lang = stopword_language(None, " ".join(longest)[:3000])
    char_mode = lang in CHAR_LANGUAGES
    stops = stopwords(lang) if lang else frozenset()

    n = len(texts)
    deadline.check()
    stats = _text_stats(texts, lang, stops, char_mode)
    chars = stats[_S_CHARS]
    total_chars = float(chars.sum()) or 1.0
    some = chars > 0
    safe = np.where(some, chars, 1.0)

    def rate(counts: Any) -> np.ndarray:
        return np.where(some, np.asarray(counts, dtype=np.float64) / safe, 0.0)

    def per_block(values: Any) -> np.ndarray:
        return np.asarray(values, dtype=np.float64)

    n_words, word_chars, hits, among = stats[_S_WORDS], stats[_S_WORD_CHARS], stats[_S_HITS], stats[_S_AMONG]
    link_chars = per_block(raws.link_chars)
    kinds = raws.kinds
    parent_of: dict[str, int] = {}
    parent_ids = np.array([parent_of.setdefault(p, len(parent_of)) for p in raws.parents], dtype=np.intp)
    parent_chars = np.bincount(parent_ids, weights=chars)[parent_ids]
    parent_links = np.bincount(parent_ids, weights=link_chars)[parent_ids]
    heading = per_block([k == "heading" for k in kinds])
    flags = np.asarray(raws.flags, dtype=np.int64)
    cats = per_block(raws.cats).reshape(n, len(CATEGORIES))
    tagdepths = per_block(raws.tagdepths).reshape(n, len(_TAG_KEYS))
    link_density = np.where(some, np.minimum(1.0, link_chars / safe), 0.0)
    columns: list[np.ndarray] = [
        chars,  # n_chars
        n_words,
        stats[_S_LINES],  # n_lines
        link_density,
        per_block(raws.n_links),  # n_links
        rate(stats[_S_PUNCT]),  # punct_rate
        stats[_S_COMMA],  # n_commas
        rate(stats[_S_DIGIT]),  # digit_rate
        rate(stats[_S_UPPER]),  # upper_rate
        np.where(n_words > 0, word_chars / np.maximum(n_words, 1.0), 0.0),  # avg_word_len
        np.where(among > 0, hits / np.maximum(among, 1.0), 0.0),  # stopword_rate
        stats[_S_SENTENCE_END],  # sentence_end
        per_block(raws.depths),  # depth
        np.arange(n) / (n - 1) if n > 1 else np.zeros(n),  # position
        (np.cumsum(chars) - chars) / total_chars,  # char_position
        heading,  # is_heading
        np.where(heading > 0, per_block(raws.levels), 0.0),  # heading_level
        per_block([k == "list_item" for k in kinds]),
        per_block([k == "code" for k in kinds]),
        per_block([k == "caption" for k in kinds]),
        per_block([k == "table_row" for k in kinds]),
        per_block([len(c) if c else 0 for c in raws.cells]),  # n_cells
        parent_chars,
        np.bincount(parent_ids)[parent_ids].astype(np.float64),  # parent_blocks
        np.where(parent_chars > 0, np.minimum(1.0, parent_links / np.maximum(parent_chars, 1.0)), 0.0),
    ]
    columns += [((flags & bit) != 0).astype(np.float64) for _, bit in flag_features]
    columns += list(cats.T)
    boiler = [j for j, (_, is_boiler) in enumerate(_CAT_KEYS) if is_boiler]
    columns.append((cats[:, boiler] != 0).sum(axis=1).astype(np.float64))  # boilerplate_score
    columns.append((cats[:, _CONTENT] != 0).astype(np.float64))  # content_score
    columns += list(tagdepths.T)
    for col in (link_density, chars):  # prev_link_density, prev_n_chars
        columns.append(np.concatenate([[0.0], col[:-1]]))
    for col in (link_density, chars):  # next_link_density, next_n_chars
        columns.append(np.concatenate([col[1:], [0.0]]))
    names = (*_BLOCK_KEYS, *(name for name, _ in flag_features), *_HINT_KEYS, *_NEIGHBOUR_KEYS)
    values = np.column_stack(columns)
    make = _compiled_blocks()
    if make is not None:
        columns_of = (list(range(n)), texts, kinds, raws.levels, raws.paths, None, raws.cells, raws.hints, [()] * n)
        blocks: list[Block] = make(Block, _BLOCK_FIELDS, columns_of, names, np.ascontiguousarray(values))
    else:
        blocks = [
            Block(index=i, text=text, kind=kind, level=level, path=path, features=f, cells=cells, hints=hints)
            for i, (text, kind, level, path, f, cells, hints) in enumerate(
                zip(texts, kinds, raws.levels, raws.paths, _row_dicts(names, values), raws.cells, raws.hints,
                    strict=True))
        ]
    return FeatureBlocks(blocks, values, names)


(_S_CHARS, _S_WORDS, _S_WORD_CHARS, _S_HITS, _S_AMONG, _S_PUNCT, _S_COMMA, _S_DIGIT, _S_UPPER, _S_LINES,
 _S_SENTENCE_END) = range(11)


def _text_stats(texts: list[str], lang: str | None, stops: frozenset[str], char_mode: bool) -> np.ndarray:
    """Per text (a column each), in the rows _S_*: its length; of ``WORD.findall(text.lower())``
    how many words, their characters, the stop words among them (in char mode: the CJK characters
    of the text that are stop characters) and how many they are counted among; punctuation,
    commas, digits and capitals (char_class_counts); lines; whether it ends a sentence. In C when
    the extension is built (the same numbers)."""
    compiled = _compiled("lexbor_text_stats")
    if compiled is not None:
        got = compiled(texts, stops or None, _longest_stopword(lang), char_mode, _CLASS_TABLE, _CLOSERS,
                       "".join(_SENTENCE_END))
        return np.frombuffer(got, dtype=np.float64).reshape(len(texts), 11).T.copy()
    return _text_stats_py(texts, stops, char_mode)


def _text_stats_py(texts: list[str], stops: frozenset[str], char_mode: bool) -> np.ndarray:
    n = len(texts)
    out = np.zeros((11, n), dtype=np.float64)
    words = [WORD.findall(t.lower()) for t in texts]
    out[_S_CHARS] = [len(t) for t in texts]
    out[_S_WORDS] = [len(w) for w in words]
    out[_S_WORD_CHARS] = [len("".join(w)) for w in words]
    is_stop = stops.__contains__
    if char_mode:
        cjk = [_CJK_CHAR.findall(t) for t in texts]
        out[_S_HITS] = [sum(map(is_stop, c)) for c in cjk]
        out[_S_AMONG] = [len(c) for c in cjk]
    elif stops:
        out[_S_HITS] = [sum(map(is_stop, w)) for w in words]
        out[_S_AMONG] = out[_S_WORDS]
    out[_S_PUNCT:_S_UPPER + 1] = char_class_counts(texts)[[_C_PUNCT, _C_COMMA, _C_DIGIT, _C_UPPER]]
    out[_S_LINES] = [t.count("\n") + 1 for t in texts]
    out[_S_SENTENCE_END] = [t.rstrip(_CLOSERS).endswith(_SENTENCE_END) for t in texts]
    return out


@lru_cache(maxsize=64)
def _longest_stopword(lang: str | None) -> int:
    return max(map(len, stopwords(lang)), default=0) if lang else 0


_BLOCK_FIELDS = ("index", "text", "kind", "level", "path", "features", "cells", "hints", "spans")
"""Block's fields, in the order _compiled_blocks is given their columns."""


@cache
def _compiled(name: str) -> Any:
    """A function of the compiled extension (thresher/_speedups*.c), None when it is not built."""
    return function(name)


@lru_cache(maxsize=1)
def _compiled_blocks() -> Any:
    """``lexbor_blocks`` of the extension, once it made the same blocks as Block's own constructor
    (it fills the slots without calling ``__init__``: a field it does not know, or an ``__init__``
    that does more than store its arguments, turns it off); None otherwise."""
    make = _compiled("lexbor_blocks")
    if make is None:
        return None
    import dataclasses

    fields = dataclasses.fields(Block)
    if (tuple(f.name for f in fields) != _BLOCK_FIELDS or fields[-1].default != () or hasattr(Block, "__post_init__")
            or getattr(Block, "__slots__", None) != _BLOCK_FIELDS):
        return None
    names = ("a", "b", "a", "c")
    values = np.array([[0.0, -0.0, 1.5, 1.0], [np.nan, 2.0, 0.0, -1.0]])
    try:
        made = make(Block, _BLOCK_FIELDS, ([0, 1], ["x", "y z"], ["paragraph", "table_row"], [0, 2], ["p", "q"], None,
                                           [None, ("y", "z")], [(), ("h",)], [(), ()]), names, values)
    except (TypeError, ValueError, AttributeError):
        return None
    expected = [
        Block(index=0, text="x", kind="paragraph", level=0, path="p", features=dict(zip(names, values[0].tolist(), strict=True)),
              cells=None, hints=()),
        Block(index=1, text="y z", kind="table_row", level=2, path="q", features=dict(zip(names, values[1].tolist(), strict=True)),
              cells=("y", "z"), hints=("h",)),
    ]
    # the repr shows every field, the features' order, -0.0 and NaN
    same = len(made) == len(expected) and all(
        type(m) is Block and repr(m) == repr(e) for m, e in zip(made, expected, strict=True))
    return make if same else None


def _row_dicts(names: tuple[str, ...], values: np.ndarray) -> list[dict[str, float]]:
    """``[dict(zip(names, row)) for row in values.tolist()]``, in C when the extension is built."""
    compiled = _compiled_row_dicts()
    if compiled is not None:
        out: list[dict[str, float]] = compiled(names, np.ascontiguousarray(values, dtype=np.float64))
        return out
    return [dict(zip(names, row, strict=True)) for row in values.tolist()]


@lru_cache(maxsize=1)
def _compiled_row_dicts() -> Any:
    """``row_dicts`` of the compiled extension (thresher/_speedups.c), None when not built."""
    return function("row_dicts")


class FeatureBlocks(list[Block]):
    """The blocks :func:`block_features` returns: a plain list of them that also holds their
    features as one float64 matrix (a row per block, a column per name, the same numbers as each
    block's ``features`` mapping), so that a model can read columns without going through the
    mappings. See :func:`feature_values`: the matrix is only used while it still describes the
    blocks."""

    def __init__(self, blocks: list[Block], values: np.ndarray, names: Sequence[str]) -> None:
        super().__init__(blocks)
        self.matrix = values
        self.column_of = _name_index(tuple(names))
        self._features = [b.features for b in blocks]


@lru_cache(maxsize=16)
def _name_index(names: tuple[str, ...]) -> dict[str, int]:
    return {name: j for j, name in enumerate(names)}  # a repeated name: its last column, as in a dict


def feature_values(blocks: Sequence[Block]) -> tuple[np.ndarray, dict[str, int]] | None:
    """The features of ``blocks`` as a matrix (rows in block order) and the column of each name,
    when ``blocks`` came from :func:`block_features` and every block still carries the features
    mapping it was built with; else None (read the mappings)."""
    if type(blocks) is not FeatureBlocks:
        return None
    known = blocks._features
    if len(known) != len(blocks) or not all(b.features is f for b, f in zip(blocks, known, strict=True)):
        return None
    return blocks.matrix, blocks.column_of
