"""Already-scraped text (WET records, scraped corpora) → ordered blocks with per-block features.

A paragraph is a run of non-empty lines between blank lines. A paragraph whose lines are hard-wrapped
prose becomes one block; any other multi-line paragraph (tickers, menus, headline lists, WET records
with one paragraph a line) becomes one block per line, so that each line can be labelled on its own.
The paragraph grouping survives as features (``para``, ``para_lines``, ``line_in_para``).

Every feature is a number (see :func:`segment_text` for the list); the classifier in
:mod:`thresher.classify.text_rules` reads them. The features of a document live in one table (a
float array, one row a block, one column a feature — :class:`FeatureTable`); each block's
``features`` is a read-only view of its row, so a line costs a row of floats, not a dict. They are
computed for the whole document at once. With the C extension (``thresher._speedups``, from
_speedups_text.c) one pass over the joined text fills every column (``text_features``: character
classes, words looked up in the stop-word table, the document's distinct content words and its
blocks' normal forms kept as C hash tables, not Python strings) for documents without CJK or
characters beyond the BMP; rare patterns (relative time stamps, markup, links, e-mail addresses)
are looked for in Python only in the blocks holding one of their marks. Otherwise character
classes are counted and words looked up in one pass (in C, or with numpy and Python sets: the same
numbers) and the per-block columns are Python lists turned into the table in one step. The blocks
themselves are made by the extension's ``new_slotted`` (a frozen dataclass's __init__ sets each
field through object.__setattr__, a cost per block the table was built to avoid).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate, pairwise
from operator import attrgetter
from typing import NamedTuple

import numpy as np

from thresher.compiled import extension, slotted_maker
from thresher.deadline import Deadline
from thresher.errors import ThresherError
from thresher.model import Block, BlockKind
from thresher.options import Options

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_CJK_RUN_RE = re.compile(f"[{CJK}]+")
_WORD_CHAR_RE = re.compile(r"\w")
_WORD_RE = re.compile(r"[^\W\d_]+")
_FULL_STOPS = ".!?…。！？؟।॥۔။។៕።፧։།༎᠃"
"""Sentence ends: Latin, CJK, Arabic ?, Devanagari danda and double danda, Urdu, Burmese, Khmer (2),
Ethiopic (full stop, question mark), Armenian, Tibetan (shad, double shad), Mongolian full stops."""
_TERMINAL_RE = re.compile(f"[{_FULL_STOPS}]" + r"[\"'”’»)\]』」]*\s*$")
_TIME_RE = re.compile(r"^\s*\[?\d{1,2}:\d{2}\b")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪►▸»–—]|\d{1,2}[.)])\s+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MARKUP_RE = re.compile(r"<[!/]?[A-Za-z][^<>]{0,300}>|&(?:[A-Za-z]{2,8}|#\d{2,5}|#x[0-9A-Fa-f]{2,4});|\{\{.*?\}\}")
_STRONG_RESIDUE_RE = re.compile(
    r"<!doctype|</?(?:html|head|body|script|style|meta|link|iframe|noscript|div|span|br)\b|"
    r"javascript:|document\.(?:write|getElementById)|window\.\w+\s*=|function\s*\(\s*\)\s*\{|"
    r"\bvar\s+\w+\s*=\s*[\[{'\"]|\{\{|\}\}",
    re.IGNORECASE,
)
_TERMINAL_CHARS = frozenset(_FULL_STOPS)
_LINE_MARKS = frozenset("[-*•·▪►▸»–—")
_COMMAS = (",", "，", "、", "،")
"""First characters of time stamps and bullets other than digits."""
_CLOSING_CHARS = frozenset("\"'”’»)]』」")
_TITLE_MAX_WORDS = 60
"""``title_case`` is computed for lines up to this many words (it describes headlines; 0 beyond)."""
_PROBE_CHARS = 4000
"""Patterns that could backtrack on pathological input (markup, URLs, e-mails) see at most this much."""
_LIST_MAX_CHARS = 200
"""A line without terminal punctuation and at most this long may belong to a list run."""
RUNNING_MIN_CHARS = 120
"""Thai and Lao are written without sentence punctuation (a space ends a sentence, and a paragraph
just stops): a line of at least this many characters ending in one of their letters is running
text, and counts as ending like a sentence (``terminal``). Headlines and menu items are shorter."""


FOLD_THEN = str.maketrans({
    "\u0131": "i", "\u017f": "s", "\u00b5": "\u03bc", "\u0345": "\u03b9", "\u1fbe": "\u03b9", "\u1fd3": "\u0390",
    "\u1fe3": "\u03b0", "\u03d0": "\u03b2", "\u03f5": "\u03b5", "\u03d1": "\u03b8", "\u03f0": "\u03ba",
    "\u03d6": "\u03c0", "\u03f1": "\u03c1", "\u03c2": "\u03c3", "\u03d5": "\u03c6", "\u1e9b": "\u1e61",
    "\ufb06": "\ufb05",
})
"""Letters the patterns' case-insensitive match takes as one (ı and i, ſ and s, ς and σ ...; Python's
``re`` equivalences), mapped to one of them after lower()."""
_FOLD_THEN_RE = re.compile("[" + "".join(map(chr, FOLD_THEN)) + "]")
"""Any of the letters :data:`FOLD_THEN` maps (most lines hold none: no translation then)."""


def fold(text: str) -> str:
    """Lower case, with the letters ``re.IGNORECASE`` takes as one made one: two words that match
    case-insensitively have the same fold (İ, which lower() makes i + a combining dot, becomes i)."""
    if text.isascii():
        return text.lower()
    # the translations only where they change something (str.translate looks up every character)
    low = (text.replace("\u0130", "i") if "\u0130" in text else text).lower()
    return low.translate(FOLD_THEN) if _FOLD_THEN_RE.search(low) else low


@dataclass(frozen=True, slots=True)
class TextVocabulary:
    """Stop words (all bundled languages together) and relative-time patterns."""

    stopwords: frozenset[str]
    relative_time: re.Pattern[str]
    relative_triggers: frozenset[str]
    """Words (or, for scripts without spaces, characters) a line needs before the patterns run."""
    relative_chars: tuple[str, ...]
    """The one-character triggers (CJK, found anywhere in a line with CJK)."""
    compiled: object | None = None
    """``stopwords`` and ``relative_triggers`` as the C extension's word table (``text_vocab``), when
    the extension is built."""
    relative_parts: tuple[tuple[tuple[str, ...] | None, re.Pattern[str]], ...] = ()
    """``relative_time``'s patterns one by one, each with the texts (:func:`fold`) one of which every
    match of it holds, or None (see :func:`has_relative_time`)."""


@cache
def text_vocabulary() -> TextVocabulary:
    """Load the package data files once (they never change while the process runs)."""
    data = resources.files("thresher") / "data"
    words: set[str] = set()
    for entry in (data / "stopwords").iterdir():
        if entry.name.endswith(".txt"):
            words.update(w.strip().lower() for w in entry.read_text(encoding="utf-8").splitlines())
    words.discard("")
    patterns: list[str] = []
    triggers: set[str] = set()
    for line in (data / "text" / "relative_time.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("@triggers"):
            triggers.update(line.split()[1:])
        elif line.strip() and not line.startswith("#"):
            patterns.append(line.strip())
    stopwords, relative_triggers = frozenset(words), frozenset(triggers)
    return TextVocabulary(
        stopwords=stopwords,
        relative_time=re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE),
        relative_triggers=relative_triggers,
        relative_chars=tuple(sorted(t for t in triggers if len(t) == 1)),
        compiled=_words_vocab.text_vocab(stopwords, relative_triggers) if _words_vocab is not None else None,
        relative_parts=tuple((required_texts(p, re.IGNORECASE), re.compile(p, re.IGNORECASE)) for p in patterns),
    )


def has_relative_time(line: str, vocab: TextVocabulary) -> bool:
    """``vocab.relative_time.search(line) is not None``, running only the patterns whose required
    texts (:func:`required_texts`) the line holds: the alternation of them all tries every
    language's pattern at every character (tens of microseconds a line), a substring test does not."""
    if not vocab.relative_parts:
        return vocab.relative_time.search(line) is not None
    folded = fold(line)
    return any((need is None or any(text in folded for text in need)) and pattern.search(line) is not None
               for need, pattern in vocab.relative_parts)


_MAX_REQUIRED = 64
"""Alternatives :func:`required_texts` gives at most."""


def required_texts(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Texts (their :func:`fold`) one of which every match of ``pattern`` holds, or None when none is
    found: the longest run of consecutive single items of the pattern's top level that are a
    literal, a class of literals or an alternation of literal strings (the match holds one string of
    each in a row; with ``re.IGNORECASE`` case-insensitively, which their folds and the text's tell).
    It reads the pattern with ``re``'s own (private) parser: should a Python release change that
    parser's output, the answer is None (run the pattern on every line), never an error."""
    try:
        return _required_texts(pattern, flags)
    except Exception:  # re's private parser changed shape: no shortcut, same results
        return None


def _required_texts(pattern: str, flags: int) -> tuple[str, ...] | None:
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    best: tuple[str, ...] | None = None
    run: set[str] = {""}

    def close() -> None:
        nonlocal best, run
        if run != {""} and (best is None or min(map(len, run)) > min(map(len, best))):
            best = tuple(sorted(run))
        run = {""}

    for op, arg in _parser.parse(pattern, flags):
        options: list[str] | None = None
        if op is sre.LITERAL:
            options = [chr(arg)]
        elif op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):
            options = [chr(code) for _, code in arg]
        elif op is sre.BRANCH and all(item and all(kind is sre.LITERAL for kind, _ in item) for item in arg[1]):
            options = ["".join(chr(code) for _, code in item) for item in arg[1]]
        if options is None or len(run) * len(options) > _MAX_REQUIRED:
            close()
            continue
        run = {text + option for text in run for option in options}
    close()
    return None if best is None else tuple(sorted({fold(text) for text in best}))


_compiled = extension("text_counts", "text_words")
_words_vocab = extension("text_counts", "text_vocab", "text_words_vocab")
"""The extension when it has the word table (``text_words_vocab``: no str made for a looked-up word)."""
_whole = extension("text_vocab", "text_features")
"""The extension when it computes every column of a document at once (``text_features``)."""


TEXT_LINES_PER_ELEMENT = 5
"""A text line costs about five HTML elements' worth of memory; the line cap is max_elements / 5."""


class Columns(NamedTuple):
    """The features of a document, one list per feature (index: block), as the rules read them."""

    n_chars: list[float]
    n_words: list[float]
    cjk_ratio: list[float]
    terminal: list[float]
    ends_with_colon: list[float]
    title_case: list[float]
    digit_ratio: list[float]
    leading_time: list[float]
    relative_time: list[float]
    bullet: list[float]
    html_residue: list[float]
    n_urls: list[float]
    n_emails: list[float]
    listy: list[float]
    repeated: list[float]
    position: list[float]
    para: list[float]
    para_lines: list[float]
    line_in_para: list[float]
    n_content: list[float]
    run_len: list[float]
    run_time_share: list[float]
    topic_fit: list[float]
    stop_ratio: list[float]
    comma_ratio: list[float]


FEATURES: tuple[str, ...] = Columns._fields
"""The feature names, in table column order."""
_COLUMN = {name: j for j, name in enumerate(FEATURES)}
_INT_COLUMNS_FROM = 1000
"""Blocks from which :meth:`FeatureTable.columns` stores whole-number columns as ints."""
_SMALL_INT = (-5, 256)
"""The ints CPython keeps one object of (a list of them holds pointers only)."""


@dataclass(frozen=True, slots=True, eq=False)
class FeatureTable:
    """The features of one document's blocks: ``values[i, j]`` is feature ``FEATURES[j]`` of block i."""

    values: np.ndarray
    doc: str | None = None
    """The blocks' texts joined by line breaks, when the table was made from them (segment_text)."""
    low: str | None = None
    """``doc`` in lower case (the rules read it too: made once)."""

    def low_doc(self, texts: Sequence[str]) -> str:
        """``texts`` joined by line breaks, in lower case (``low`` when ``texts`` are the ones the
        table was made from)."""
        return self.joined(texts)[1]

    def joined(self, texts: Sequence[str]) -> tuple[str, str]:
        """``texts`` joined by line breaks, as they are and in lower case (``doc`` and ``low`` when
        ``texts`` are the ones the table was made from)."""
        doc = "\n".join(texts)
        if self.low is not None and self.doc is not None and doc == self.doc:
            return self.doc, self.low
        return doc, doc.lower()

    def column(self, name: str) -> np.ndarray:
        return self.values[:, _COLUMN[name]]

    def columns(self) -> Columns:
        """Every column as a Python list (fast element access for per-block rules). A column of whole
        numbers in CPython's small-int range (counts, flags) is a list of ints, which are shared
        objects: 8 bytes a block instead of a 32-byte float each, and the same arithmetic (in long
        documents only: in short ones the check costs more than the memory is worth)."""
        values = self.values
        if len(values) < _INT_COLUMNS_FROM:
            return Columns(*values.T.tolist())
        whole = np.all((values == np.rint(values)) & (values >= _SMALL_INT[0]) & (values <= _SMALL_INT[1]), axis=0)
        return Columns(*(values[:, j].astype(np.int64).tolist() if whole[j] else values[:, j].tolist()
                         for j in range(values.shape[1])))


class TextFeatures(Mapping[str, float]):
    """A block's features: a read-only view of its row in the document's :class:`FeatureTable`."""

    __slots__ = ("row", "table")

    def __init__(self, table: FeatureTable, row: int) -> None:
        self.table = table
        self.row = row

    def __getitem__(self, key: str) -> float:
        return float(self.table.values[self.row, _COLUMN[key]])

    def __iter__(self) -> Iterator[str]:
        return iter(FEATURES)

    def __len__(self) -> int:
        return len(FEATURES)

    def __repr__(self) -> str:
        return f"TextFeatures({dict(self)!r})"


_BLOCK_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Block)
                   if f.name in ("level", "path", "cells", "hints", "spans")}
"""The fields every text block has the same value in: Block's own defaults."""


_FEATURES_OF = attrgetter("features")
_TABLE_OF = attrgetter("table")
_ROW_OF = attrgetter("row")


def feature_table(blocks: Sequence[Block]) -> FeatureTable:
    """The feature table of these blocks: the one :func:`segment_text` made when the blocks are its
    output (as they come), otherwise a new table from each block's ``features`` (missing ones 0)."""
    if blocks:
        first = blocks[0].features
        if isinstance(first, TextFeatures) and len(first.table.values) == len(blocks):
            table = first.table
            if _same_rows is not None and type(blocks) is list:
                if _same_rows(blocks, TextFeatures, table):
                    return table
                return _new_table(blocks)
            feats = list(map(_FEATURES_OF, blocks))  # the checks in C-level loops: this runs per stage
            if set(map(type, feats)) == {TextFeatures} and set(map(id, map(_TABLE_OF, feats))) == {id(table)} \
                    and list(map(_ROW_OF, feats)) == list(range(len(blocks))):
                return table
    return _new_table(blocks)


def _new_table(blocks: Sequence[Block]) -> FeatureTable:
    """A table of the blocks' ``features`` (missing ones 0)."""
    values = np.array([[float(b.features.get(name, 0.0)) for name in FEATURES] for b in blocks], dtype=np.float64)
    return FeatureTable(values.reshape(len(blocks), len(FEATURES)))


_same_rows = getattr(extension("same_rows"), "same_rows", None)
"""The extension's check that every block's features view its row of one table."""


# Character classes, one bit each. _SPACE: what str.split() splits on; _LETTER: ``[^\W\d_]`` outside
# CJK (letters of scripts with spaces between words); _WORD: ``\w`` but ``_``.
_SPACE, _LETTER, _UPPER, _LOWER, _DIGIT, _CJK_CLASS, _WORD, _NEWLINE = 1, 2, 4, 8, 16, 32, 64, 128
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF))
# What a character and the one before it make (bits of the pair table, counted per block).
_TOKEN_START, _UPPER_START, _LOWER_START, _DIGIT_AT, _CJK_AT = range(5)
_COMMA_AT = 5
"""Column of the comma count in :func:`_block_counts`' table."""


def _classes_of(chars: str) -> np.ndarray:
    """Class bits of each character of ``chars``."""
    def flags(test: object) -> np.ndarray:
        return np.fromiter(map(test, chars), dtype=bool, count=len(chars))  # type: ignore[call-overload]

    codes = _codes(chars)
    alnum = flags(str.isalnum)
    cjk = np.zeros(len(chars), dtype=bool)
    for lo, hi in _CJK_RANGES:
        cjk |= (codes >= lo) & (codes <= hi)
    letter = alnum & ~flags(str.isdecimal) & (codes != ord("_")) & ~cjk
    out = flags(str.isspace) * _SPACE | letter * _LETTER | flags(str.isupper) * _UPPER
    out |= flags(str.islower) * _LOWER | ((codes >= 48) & (codes <= 57)) * _DIGIT | cjk * _CJK_CLASS
    out |= alnum * _WORD | (codes == 10) * _NEWLINE
    return out.astype(np.uint8)


@cache
def _bmp_classes() -> np.ndarray:
    """Class bits of every code point of the Basic Multilingual Plane (built once, ~10 ms)."""
    return _classes_of("".join(map(chr, range(0x10000))))


def bmp_classes() -> np.ndarray:
    """The class bits of every code point of the Basic Multilingual Plane, one byte each (the table
    the extension's text functions read; built once)."""
    return _bmp_classes()


@cache
def _pair_table() -> np.ndarray:
    """For (a character's space/letter/upper/lower/digit/CJK bits << 2 | the previous character's
    space/letter bits): the :data:`_TOKEN_START` ... bits it contributes to its block's counts."""
    idx = np.arange(256)
    prev, cur = idx & 3, idx >> 2  # prev: _SPACE | _LETTER; cur: the low six class bits
    letter, prev_letter = (cur & _LETTER) > 0, (prev & _LETTER) > 0
    word_start = letter & ~prev_letter
    out = (((cur & _SPACE) == 0) & ((prev & _SPACE) > 0)) << _TOKEN_START
    out |= (word_start & ((cur & _UPPER) > 0)) << _UPPER_START
    out |= (word_start & ((cur & _LOWER) > 0)) << _LOWER_START
    out |= ((cur & _DIGIT) > 0) << _DIGIT_AT | ((cur & _CJK_CLASS) > 0) << _CJK_AT
    return out.astype(np.uint8)


_FIELD_BITS = 12
_FIELD_SHIFTS = np.arange(5, dtype=np.int64) * _FIELD_BITS


@cache
def _packed_pair_table() -> np.ndarray:
    """:func:`_pair_table` with each bit moved to its own 12-bit field of an int64, so that one sum
    counts all five (for blocks under 4,096 characters)."""
    bits = np.unpackbits(_pair_table()[:, None], axis=1, count=5, bitorder="little").astype(np.int64)
    return np.asarray((bits << _FIELD_SHIFTS).sum(axis=1), dtype=np.int64)


def _codes(doc: str) -> np.ndarray:
    """The code points of ``doc``."""
    return np.frombuffer(doc.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _char_classes(doc: str, codes: np.ndarray) -> np.ndarray:
    """Class bits of every character of ``doc`` (``codes``: its code points)."""
    table = _bmp_classes()
    if codes.size and int(codes.max()) > 0xFFFF:  # astral planes (emoji, rare CJK): one by one
        out = table[np.minimum(codes, 0xFFFF)]
        astral = np.flatnonzero(codes > 0xFFFF)
        uniq = sorted({doc[k] for k in astral.tolist()})
        bits = dict(zip(uniq, _classes_of("".join(uniq)).tolist(), strict=True))
        out[astral] = [bits[doc[k]] for k in astral.tolist()]
        return out
    return table[codes]


def segment_text(text: str, opts: Options, deadline: Deadline) -> list[Block]:
    """Split scraped text into blocks (paragraphs, or single lines of lists) with numeric features.

    Features: ``n_chars``, ``n_words`` (CJK characters count as words), ``cjk_ratio``, ``terminal``
    (ends with sentence punctuation of one of many scripts, or is a long line of running text in one
    written without it: :func:`ends_running_text`), ``ends_with_colon``, ``title_case`` (share of capitalised
    words among words of cased scripts; 0 for lines over 60 words), ``digit_ratio``,
    ``leading_time`` (``H:MM`` at the start), ``relative_time`` ("2 hours ago" in several languages), ``bullet``, ``html_residue`` (0-1, share
    of markup or 1 for unmistakable markup/script), ``n_urls``, ``n_emails``, ``repeated`` (how often
    the same normalised line occurs elsewhere), ``position`` (0-1), ``para``, ``para_lines``,
    ``line_in_para``, ``listy`` (short line without terminal punctuation, or timestamped), ``run_len``
    and ``run_time_share`` (the run of consecutive listy blocks it belongs to), ``n_content`` (distinct
    content words), ``topic_fit`` (share of its content words found in the document's long paragraphs;
    0.5 when the line has fewer than two content words or the document has no long paragraph),
    ``stop_ratio`` (share of its words that are stop words of one of the bundled languages: high in
    prose, low in menus and headlines) and ``comma_ratio`` (commas per word, in several scripts).
    The blocks' ``features`` are views of one :class:`FeatureTable` (see :func:`feature_table`).
    """
    if "\u00a0" in text:  # a no-break space is a space (strip() already drops it at the ends)
        text = text.replace("\u00a0", " ")
    lines, sizes = paragraph_lines(text)
    cap = max(opts.max_elements // TEXT_LINES_PER_ELEMENT, 1)
    if len(lines) > cap:
        raise ThresherError(
            "too_large", f"the text has more than {cap:,} non-empty lines (the cap, from max_elements)")
    texts, kinds, para_of, line_of, lines_in = blocks_of(lines, sizes, deadline)
    del lines, sizes
    if not texts:
        return []
    deadline.check()
    doc = "\n".join(texts)
    low_doc = lower(doc)  # lower() may change lengths (İ → i̇): the blocks are split on \n again
    table = FeatureTable(_features(texts, doc, low_doc, para_of, line_of, lines_in, deadline), doc, low_doc)
    bullet = table.column("bullet").tolist()
    kinds = ["list_item" if is_bullet and kind == "line" else kind for kind, is_bullet in zip(kinds, bullet, strict=True)]
    if _new_slotted is not None:  # the same objects, without a frozen dataclass's __init__ per block
        rows = list(range(len(texts)))
        features = _new_slotted(TextFeatures, len(texts), {"row": rows}, {"table": table})
        return _new_slotted(Block, len(texts), {"index": rows, "text": texts, "kind": kinds, "features": features},
                            _BLOCK_DEFAULTS)
    return [Block(i, t, kind, features=TextFeatures(table, i))
            for i, t, kind in zip(range(len(texts)), texts, kinds, strict=True)]


_text_lines = getattr(extension("text_lines"), "text_lines", None)
_text_blocks = getattr(extension("text_blocks"), "text_blocks", None)


def blocks_of(lines: list[str], sizes: list[int], deadline: Deadline) -> tuple[
        list[str], list[BlockKind], list[int], list[int], list[int]]:
    """The blocks of :func:`paragraph_lines`' lines and paragraph sizes: their texts, kinds,
    paragraphs, lines in the paragraph and the paragraph's number of lines. A paragraph of one line
    or of hard-wrapped prose is one block (its lines joined by spaces); any other paragraph is one
    block a line. In C when the extension is built (no Python loop over the paragraphs)."""
    n_lines = len(lines)
    if len(sizes) == n_lines:  # every paragraph one line (no line of its own to judge): one block each
        return lines, ["paragraph"] * n_lines, list(range(n_lines)), [0] * n_lines, [1] * n_lines
    if _text_blocks is not None:
        found: tuple[list[str], list[BlockKind], list[int], list[int], list[int]] = _text_blocks(
            lines, sizes, "paragraph", "line")
        return found
    texts: list[str] = []
    kinds: list[BlockKind] = []
    para_of: list[int] = []
    line_of: list[int] = []
    lines_in: list[int] = []
    at = 0
    for p_id, size in enumerate(sizes):
        if p_id % 256 == 255:
            deadline.check()
        para = lines[at : at + size]
        at += size
        if size == 1 or _is_wrapped_prose(para):
            texts.append(" ".join(para))
            kinds.append("paragraph")
            para_of.append(p_id)
            line_of.append(0)
            lines_in.append(size)
            continue
        for i, line in enumerate(para):
            texts.append(line)
            kinds.append("line")
            para_of.append(p_id)
            line_of.append(i)
            lines_in.append(size)
    return texts, kinds, para_of, line_of, lines_in


def paragraph_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of ``text.splitlines()`` that are not empty once stripped, stripped, and how many of
    them each paragraph (a run of such lines between empty or blank lines) holds — in C when the
    extension is built (one pass, no str for the blank lines and none for a line before stripping)."""
    if _text_lines is not None:
        found: tuple[list[str], list[int]] = _text_lines(text)
        return found
    lines: list[str] = []
    sizes: list[int] = []
    run = 0
    for line in text.splitlines():  # \n, \r\n, \r and the Unicode line separators
        line = line.strip()
        if line:
            lines.append(line)
            run += 1
        elif run:
            sizes.append(run)
            run = 0
    if run:
        sizes.append(run)
    return lines, sizes


_new_slotted = slotted_maker(Block, _BLOCK_DEFAULTS) if TextFeatures.__slots__ == ("row", "table") else None


def _features(
    texts: list[str], doc: str, low_doc: str, para_of: list[int], line_of: list[int], lines_in: list[int],
    deadline: Deadline,
) -> np.ndarray:
    """The feature table of a document's blocks (see :func:`segment_text`; ``doc``: the blocks joined
    by line breaks, ``low_doc``: it in lower case)."""
    vocab = text_vocabulary()
    n = len(texts)
    if _compiled is not None and _whole is not None and vocab.compiled is not None:
        # every column in C but the rare patterns', for the documents it takes (see text_features)
        out = np.empty((n, len(FEATURES)), dtype=np.float64)
        triggered_at = _whole.text_features(doc, low_doc, _bmp_classes(), vocab.compiled, para_of, line_of, lines_in,
                                            out)
        if triggered_at is not None:
            marks: tuple[Mapping[int, float], ...] = _rare_marks(texts, doc, triggered_at, vocab)
            for column, found in zip(_RARE_COLUMNS, marks, strict=True):
                for i, value in found.items():
                    out[i, column] = value
            return out
    # one Python list per feature, turned into the table at the end: a document has tens of blocks,
    # where a list comprehension costs what one numpy call does, and a numpy call is made per column
    lengths = list(map(len, texts))
    counts, words = _counts_and_words(doc, low_doc, lengths, vocab)
    n_letter_list, n_stop_list, triggered, tokens, norm_list = words
    token_starts, upper, lower, digits, n_cjk, commas = counts.T.tolist()
    n_chars = [float(x) for x in lengths]
    n_words = [float(x) for x in token_starts]
    cjk_lines = [i for i, k in enumerate(n_cjk) if k]
    for i in cjk_lines:  # CJK characters count as words; punctuation between CJK runs does not
        non_cjk = _CJK_RUN_RE.sub(" ", texts[i])
        n_words[i] = float(sum(1 for t in non_cjk.split() if _WORD_CHAR_RE.search(t)) + n_cjk[i])
    chars1 = [c if c >= 1.0 else 1.0 for c in n_chars]  # at least 1 (a divisor)
    title = [u / (u + lo) if u + lo > 0 and w <= _TITLE_MAX_WORDS else 0.0
             for u, lo, w in zip(upper, lower, n_words, strict=True)]

    # line ends
    terminal = [t[-1] in _TERMINAL_CHARS or (t[-1] in _CLOSING_CHARS and is_terminal(t)) or
                (len(t) >= RUNNING_MIN_CHARS and _unpunctuated(t[-1])) for t in texts]

    # rare patterns: only in blocks a cheap test (first character, a substring test) picks
    leading_time = [False] * n
    bullet = [False] * n
    for i, t in enumerate(texts):
        if t[0] in _LINE_MARKS or t[0].isdecimal():
            leading_time[i] = _TIME_RE.match(t) is not None
            bullet[i] = _BULLET_RE.match(t) is not None
    listy = [timed or (not term and length <= _LIST_MAX_CHARS)
             for timed, term, length in zip(leading_time, terminal, lengths, strict=True)]

    deadline.check()
    # relative time stamps: blocks with a trigger word (or, in CJK, a trigger character)
    candidates = [i for i, hit in enumerate(triggered) if hit]
    candidates += [i for i in cjk_lines if not triggered[i] and any(t in texts[i] for t in vocab.relative_chars)]
    relative, residue, urls, emails = [0.0] * n, [0.0] * n, [0] * n, [0] * n
    found_relative, found_residue, found_urls, found_emails = _rare_marks(texts, doc, candidates, vocab)
    for i, value in found_relative.items():
        relative[i] = value
    for i, value in found_residue.items():
        residue[i] = value
    for i, count in found_urls.items():
        urls[i] = count
    for i, count in found_emails.items():
        emails[i] = count

    # content words and repetition
    for i in cjk_lines:
        tokens[i].update(_cjk_bigrams(texts[i]))
    norms = [t if len(t) > _LIST_MAX_CHARS else x for t, x in zip(texts, norm_list, strict=True)]
    seen = Counter(norms)
    last = max(1, n - 1)
    run_len, run_time_share = _run_features(listy, leading_time)
    deadline.check()
    columns: dict[str, Sequence[float]] = {
        "n_chars": n_chars,
        "n_words": n_words,
        "cjk_ratio": [k / c for k, c in zip(n_cjk, chars1, strict=True)],
        "terminal": terminal,
        "ends_with_colon": [t[-1] in ":：" for t in texts],
        "title_case": title,
        "digit_ratio": [d / c for d, c in zip(digits, chars1, strict=True)],
        "leading_time": leading_time,
        "relative_time": relative,
        "bullet": bullet,
        "html_residue": residue,
        "n_urls": urls,
        "n_emails": emails,
        "listy": listy,
        "repeated": [seen[x] - 1 if x else 0 for x in norms],
        "position": [i / last for i in range(n)],
        "para": para_of,
        "para_lines": lines_in,
        "line_in_para": line_of,
        "n_content": list(map(len, tokens)),
        "run_len": run_len,
        "run_time_share": run_time_share,
        "topic_fit": _topic_fit(tokens, terminal, n_words, leading_time, n_chars),
        "stop_ratio": [s / (w if w >= 1 else 1.0) for s, w in zip(n_stop_list, n_letter_list, strict=True)],
        "comma_ratio": [k / (w if w >= 1.0 else 1.0) for k, w in zip(commas, n_words, strict=True)],
    }
    out = np.empty((n, len(FEATURES)), dtype=np.float64)
    out.T[:] = [columns[name] for name in FEATURES]  # bools and ints become 1.0/0.0 and floats, exactly
    return out

def _rare_marks(
    texts: list[str], doc: str, candidates: Sequence[int], vocab: TextVocabulary,
) -> tuple[dict[int, float], dict[int, float], dict[int, int], dict[int, int]]:
    """The blocks with a relative time stamp (among ``candidates``: those holding a trigger), with
    markup (their ``html_residue``), links and e-mail addresses (how many), each as {block: value}:
    patterns looked for only in the blocks holding one of their marks (a substring test)."""
    relative = {i: 1.0 for i in candidates if len(texts[i]) <= _LIST_MAX_CHARS and has_relative_time(texts[i], vocab)}
    residue: dict[int, float] = {}
    urls: dict[int, int] = {}
    emails: dict[int, int] = {}
    starts: list[int] | None = None  # made once, when a mark is there
    if "<" in doc or "&" in doc or "{" in doc or "=" in doc or "script" in doc:
        starts = _starts(texts)
        for i in _holding(doc, starts, ("<", "&", "{", "=", "script")):
            residue[i] = _residue(texts[i][:_PROBE_CHARS])
    if "http" in doc or "www." in doc:
        starts = starts or _starts(texts)
        for i in _holding(doc, starts, ("http", "www.")):
            probe = texts[i][:_PROBE_CHARS]
            if "http" in probe or "www." in probe:
                urls[i] = len(_URL_RE.findall(probe))
    if "@" in doc:
        for i in _holding(doc, starts or _starts(texts), ("@",)):
            probe = texts[i][:_PROBE_CHARS]
            if "@" in probe:
                emails[i] = len(_EMAIL_RE.findall(probe))
    return relative, residue, urls, emails


def _starts(texts: list[str]) -> list[int]:
    """Where each block starts in the blocks joined by line breaks."""
    return list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))


def _holding(doc: str, starts: list[int], marks: tuple[str, ...]) -> list[int]:
    """The blocks (``doc``: the blocks joined by line breaks, ``starts``: where each starts) holding
    one of ``marks`` (which hold no line break), in order."""
    found: set[int] = set()
    for mark in marks:
        k = doc.find(mark)
        while k >= 0:
            i = bisect_right(starts, k) - 1
            found.add(i)
            k = doc.find(mark, starts[i + 1]) if i + 1 < len(starts) else -1
    return sorted(found)


_RARE_COLUMNS = tuple(_COLUMN[name] for name in ("relative_time", "html_residue", "n_urls", "n_emails"))


Words = tuple[list[int], list[int], list[bool], list[set[str]], list[str]]
"""Per block: letter words, stop words among them, whether one is a relative-time trigger, the set
of content words (letter words of 3+ characters that are no stop words), the word-character runs
joined by single spaces (the block's normal form for repetition)."""
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def _astral_classes(text: str) -> dict[int, int]:
    """Class bits of the characters of ``text`` beyond the Basic Multilingual Plane."""
    seen = _ASTRAL_SEEN  # each character's bits are computed once per process (emoji recur)
    out: dict[int, int] = {}
    missing: list[str] = []
    for ch in set(_ASTRAL_RE.findall(text)):
        bits = seen.get(ch)
        if bits is None:
            missing.append(ch)
        else:
            out[ord(ch)] = bits
    if missing:
        missing.sort()
        if len(seen) > _ASTRAL_SEEN_MAX:
            seen.clear()
        for ch, bits in zip(missing, _classes_of("".join(missing)).tolist(), strict=True):
            seen[ch] = out[ord(ch)] = bits
    return out


_ASTRAL_SEEN: dict[str, int] = {}
"""Class bits of the characters beyond the BMP met so far (see :func:`_astral_classes`)."""
_ASTRAL_SEEN_MAX = 1 << 16


def _counts_and_words(doc: str, low_doc: str, lengths: list[int], vocab: TextVocabulary) -> tuple[np.ndarray, Words]:
    """Per block of ``doc`` (the blocks, of these ``lengths``, joined by line breaks; ``low_doc``: it
    in lower case): the character counts (columns :data:`_TOKEN_START` ... :data:`_COMMA_AT`) and its
    :data:`Words` — in C when the extension is built, else with numpy (the same numbers)."""
    if _compiled is None:
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(np.array(lengths[:-1], dtype=np.int64) + 1, out=starts[1:])
        return _counts_numpy(doc, starts), _words_numpy(doc, low_doc, vocab)
    table = _bmp_classes()
    counts = np.empty((len(lengths), _COMMA_AT + 1), dtype=np.int64)
    astral = None
    if _compiled.text_counts(doc, table, None, counts) is None:  # characters beyond the BMP: look them up
        astral = _astral_classes(doc + low_doc)
        _compiled.text_counts(doc, table, astral, counts)
    words = _text_words(low_doc, doc, table, astral, vocab)
    if words is None:
        words = _text_words(low_doc, doc, table, _astral_classes(doc + low_doc), vocab)
        assert words is not None  # every character beyond the BMP is in the table now
    return counts, words


def _text_words(low_doc: str, doc: str, table: np.ndarray, astral: dict[int, int] | None,
                vocab: TextVocabulary) -> Words | None:
    """The extension's ``text_words`` (with its own word table when it has one: the same answers)."""
    assert _compiled is not None
    if vocab.compiled is not None and _words_vocab is not None:
        words: Words | None = _words_vocab.text_words_vocab(low_doc, doc, table, astral, vocab.compiled)
    else:
        words = _compiled.text_words(low_doc, doc, table, astral, vocab.stopwords, vocab.relative_triggers)
    return words


def _counts_numpy(doc: str, starts: np.ndarray) -> np.ndarray:
    """:func:`_counts_and_words`' counts with numpy."""
    codes = _codes(doc)
    classes = _char_classes(doc, codes)
    low6 = classes & 63
    pair = low6 << 2
    pair[1:] |= low6[:-1] & (_SPACE | _LETTER)
    pair[0] |= _SPACE
    ends = np.append(starts[1:] - 1, len(doc))
    if int((ends - starts).max()) < 1 << _FIELD_BITS:  # the five counts of a block fit 12 bits each: one sum
        packed = np.add.reduceat(_packed_pair_table()[pair], starts)
        counts = (packed[:, None] >> _FIELD_SHIFTS) & ((1 << _FIELD_BITS) - 1)
    else:
        bits = np.unpackbits(_pair_table()[pair][:, None], axis=1, count=5, bitorder="little")
        counts = np.add.reduceat(bits, starts, axis=0, dtype=np.int64)
    commas = codes == 44
    for mark in _COMMAS[1:]:
        commas |= codes == ord(mark)
    return np.column_stack([counts.astype(np.int64), np.add.reduceat(commas, starts).astype(np.int64)])


def _words_numpy(doc: str, low_doc: str, vocab: TextVocabulary) -> Words:
    """:func:`_counts_and_words`' words with numpy and Python sets."""
    low_codes = _codes(low_doc)
    # a character and its lower case have the same letter/word/line-break bits: when no character
    # changed length the classes of the document serve
    if len(low_doc) == len(doc):
        low_classes = _char_classes(doc, _codes(doc))
    else:
        low_classes = _char_classes(low_doc, low_codes)
    letters_doc = _text_of(np.where(low_classes & (_LETTER | _NEWLINE), low_codes, 32))
    norm_doc = _text_of(np.where(low_classes & (_WORD | _NEWLINE), low_codes, 32))
    words = [line.split() for line in letters_doc.split("\n")]  # the letter words of each block
    stop, triggers = vocab.stopwords, vocab.relative_triggers
    tokens = [{w for w in ws if len(w) > 2} for ws in words]
    for toks in tokens:
        toks -= stop
    return (
        list(map(len, words)),
        [sum(map(stop.__contains__, ws)) for ws in words],
        [not triggers.isdisjoint(ws) for ws in words],
        tokens,
        [" ".join(x.split()) for x in norm_doc.split("\n")],
    )


def _text_of(codes: np.ndarray) -> str:
    """The string of these code points."""
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _cjk_bigrams(line: str) -> list[str]:
    """Character bigrams of the CJK runs of a line (a one-character run is its own token)."""
    return [run[k : k + 2] for run in _CJK_RUN_RE.findall(line) for k in range(max(1, len(run) - 1))]


def _residue(probe: str) -> float:
    """0-1: share of markup in the line, 1 for unmistakable markup or script."""
    if "<" in probe or "&" in probe or "{" in probe or "=" in probe or "script" in probe:
        if _may_be_strong(probe) and _STRONG_RESIDUE_RE.search(probe):
            return 1.0
        markup = sum(len(m) for m in _MARKUP_RE.findall(probe))
        return min(1.0, markup / max(1, len(probe)))
    return 0.0


_STRONG_NEEDLES = ("<", "javascript:", "document.", "window.", "function", "var", "{{", "}}")
"""A literal each branch of _STRONG_RESIDUE_RE needs (its search is slow: a cheap test first)."""


def _may_be_strong(probe: str) -> bool:
    """False when _STRONG_RESIDUE_RE cannot match: the line, lower-cased, holds none of
    :data:`_STRONG_NEEDLES`. Case-insensitive matching takes ASCII letters also as İ, ı (i), ſ (s)
    and the Kelvin sign (k, which lower() makes k): those are made their letter first."""
    if probe.isascii():
        low = probe.lower()
    else:
        low = probe.replace("\u0130", "i").lower().replace("\u0131", "i").replace("\u017f", "s")
    return any(needle in low for needle in _STRONG_NEEDLES)


def is_terminal(line: str) -> bool:
    """True when the line ends like a sentence (., !, ?, …, CJK and other scripts' full stops)."""
    return _TERMINAL_RE.search(line.rstrip()[-12:]) is not None


def _unpunctuated(ch: str) -> bool:
    """A letter or mark of a script written without sentence punctuation (Thai, Lao; not digits)."""
    return "\u0e01" <= ch <= "\u0e4f" or "\u0e81" <= ch <= "\u0edf"


UNPUNCTUATED = "[\u0e01-\u0e4f\u0e81-\u0edf]"
""":func:`_unpunctuated` as a character class."""
_UNPUNCTUATED_RANGES = (0x0E01, 0x0E4F, 0x0E81, 0x0EDF)
"""The same as (first, last) code point pairs."""
_UNPUNCTUATED_RE = re.compile(UNPUNCTUATED)
_has_chars_in = getattr(extension("has_chars_in"), "has_chars_in", None)


_lower = getattr(extension("lower"), "lower", None)


def lower(text: str) -> str:
    """``text.lower()``; in C when the extension is built and the text is not ASCII (str.lower()
    looks every other character up in the full case mappings, a few times slower than the
    extension's table for ASCII letters and the simple mapping, the same for every character of the
    BMP but İ and the capital sigma, which it leaves to str.lower())."""
    if _lower is None or text.isascii():
        return text.lower()
    low: str | None = _lower(text)
    return text.lower() if low is None else low


def has_unpunctuated(text: str) -> bool:
    """Whether ``text`` holds a letter of a script written without sentence punctuation (Thai, Lao):
    ``re.search(UNPUNCTUATED, text)``, in C when the extension is built (most texts hold none, and
    the regex engine costs tens of nanoseconds a character to say so)."""
    if _has_chars_in is not None:
        return bool(_has_chars_in(text, _UNPUNCTUATED_RANGES))
    return _UNPUNCTUATED_RE.search(text) is not None


def ends_running_text(line: str) -> bool:
    """A long line of running text in a script without sentence punctuation (see
    :data:`RUNNING_MIN_CHARS`): prose, however few spaces it holds (Thai puts none between words)."""
    return len(line) >= RUNNING_MIN_CHARS and _unpunctuated(line[-1])


def content_token_set(text: str, stopwords: frozenset[str]) -> set[str]:
    """``set(content_tokens(text, stopwords))``, each distinct word lower-cased and looked up once
    (a long text repeats most of its words)."""
    cjk = _CJK_RE.search(text) is not None
    words = set(_WORD_RE.findall(_CJK_RUN_RE.sub(" ", text) if cjk else text))
    out = {w for w in map(str.lower, words) if len(w) > 2}
    out -= stopwords
    if cjk:
        for run in _CJK_RUN_RE.findall(text):
            out.update(run[k : k + 2] for k in range(max(1, len(run) - 1)))
    return out


def content_tokens(line: str, stopwords: frozenset[str]) -> list[str]:
    """Lower-cased content words: letters-only tokens of 3+ characters that are not stop words, plus
    character bigrams of CJK runs (which have no spaces)."""
    cjk = _CJK_RE.search(line) is not None  # most lines have none: no CJK pass then
    words = _WORD_RE.findall(_CJK_RUN_RE.sub(" ", line) if cjk else line)
    out = [w for w in map(str.lower, words) if len(w) > 2 and w not in stopwords]
    if cjk:
        for run in _CJK_RUN_RE.findall(line):
            out.extend(run[k : k + 2] for k in range(max(1, len(run) - 1)))
    return out


def _may_be_marked(line: str) -> bool:
    """False when neither _TIME_RE nor _BULLET_RE can match: the line starts with a character that is
    no space, no digit and none of their marks."""
    first = line[:1]
    return not first or first.isspace() or first in _LINE_MARKS or first.isdecimal()


def _ends_sentence(line: str) -> bool:
    """:func:`is_terminal`, decided by the last character when it can be (a full stop: yes; no space,
    stop or closing quote: no)."""
    last = line[-1:]
    if last in _TERMINAL_CHARS:
        return True
    if last and not last.isspace() and last not in _CLOSING_CHARS:
        return False
    return is_terminal(line)


def _is_wrapped_prose(para: Sequence[str]) -> bool:
    """Hard-wrapped prose: most line breaks fall mid-sentence in lines of similar, long length."""
    longest = max(len(line) for line in para)
    if longest < 30 or any(_may_be_marked(line) and (_TIME_RE.match(line) or _BULLET_RE.match(line))
                           for line in para):
        return False
    need = 0.5 * (len(para) - 1)
    long_enough = 0.6 * longest
    breaks = 0
    left = len(para) - 1  # pairs not looked at yet
    for line, nxt in pairwise(para):
        left -= 1
        if len(line) >= long_enough and not _ends_sentence(line) and not line.endswith((":", "：")) and (
                nxt[:1].islower() or line.endswith((",", ";", "-", "–", "—")) or nxt[:1] in "(\"'“‘"):
            breaks += 1
            if breaks >= need:
                return True
        elif breaks + left < need:  # the breaks still possible cannot make it (a menu, a list)
            return False
    return breaks >= need


def _run_features(listy: list[bool], leading_time: list[bool]) -> tuple[list[float], list[float]]:
    """``run_len`` and ``run_time_share`` of every block in a run of consecutive listy blocks (0
    elsewhere): the run's length and the share of its blocks with a leading time stamp."""
    n = len(listy)
    run_len = [0.0] * n
    share = [0.0] * n
    i = 0
    while i < n:
        if not listy[i]:
            i += 1
            continue
        j = i
        timed = 0
        while j < n and listy[j]:
            timed += leading_time[j]
            j += 1
        size = float(j - i)
        run_len[i:j] = [size] * (j - i)
        share[i:j] = [timed / size] * (j - i)
        i = j
    return run_len, share


def _topic_fit(
    tokens: list[set[str]], terminal: list[bool], n_words: list[float], leading_time: list[bool],
    n_chars: list[float],
) -> list[float]:
    """Share of each block's content words that also occur in the document's long prose paragraphs
    (0.5 for a block with fewer than two, or when the document has no long paragraph)."""
    n = len(tokens)
    body = [i for i in range(n) if terminal[i] and n_words[i] >= 25 and not leading_time[i]]
    if not body:  # the three longest blocks (the first of equally long ones first) of 12+ words
        ranked = sorted(range(n), key=lambda k: -n_chars[k])[:3]
        body = [k for k in ranked if n_words[k] >= 12]
    vocab: set[str] = set()
    shared: set[str] = set()  # for a body block: found in another one
    for i in body:
        toks = tokens[i]
        shared |= vocab & toks
        vocab |= toks
    if not vocab:
        return [0.5] * n
    in_body = set(body)
    return [
        len(toks & (shared if i in in_body else vocab)) / len(toks) if len(toks) >= 2 else 0.5
        for i, toks in enumerate(tokens)
    ]
