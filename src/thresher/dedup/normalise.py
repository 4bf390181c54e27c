"""Text normalisation and language-neutral tokenisation for hashing, vectorised with numpy.

Normalising means: Unicode NFKC, lower-case, punctuation and symbols removed, whitespace collapsed.

Tokens are runs of word characters (letters and digits with their combining marks, so a Devanagari
or Arabic word is not cut at a vowel sign), except in scripts written without spaces between words
(Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan): there every character (with its
marks) is a token of its own, so word n-gram shingles still work on Chinese, Japanese or Thai.
Korean Hangul is written with spaces and is tokenised in words. ``_`` counts as punctuation.

The work is done on the array of code points (one ``str.encode`` and a few numpy passes), never
with a Python loop per character or per token: each code point is looked up in a class table and a
lower-case table, built once at import from ``str.isalnum``/``unicodedata`` (so they follow the
Unicode version of the running Python). Lower-casing is per code point: the rare characters whose
lower case is two code points (``İ``) keep the first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SEPARATOR, WORD, NO_SPACE, MARK, NO_SPACE_MARK = 0, 1, 2, 3, 4

# Scripts written without spaces between words: one token per character (plus its marks).
NO_SPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # ideographic iteration mark, closing mark, number zero
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana (NFKC folds them)
    (0x20000, 0x3134F),  # CJK extensions B-G
)
# Code points from here on (planes 3 to 16: rare CJK extension H, tags, private use) are separators.
_TABLE_SIZE = 0x31350


def _tables() -> tuple[npt.NDArray[np.uint8], U32, BoolArray]:
    """Per code point: its class (SEPARATOR, WORD, NO_SPACE, MARK), its lower-case code point, and
    whether it is a separator whose NFKC form is made of separators only (NBSP, ellipsis, ...)."""
    code_points = np.arange(_TABLE_SIZE + 1, dtype=np.uint32)
    as_chars = code_points.view("<U1")
    classes = np.where(np.char.isalnum(as_chars), WORD, SEPARATOR).astype(np.uint8)
    category = unicodedata.category
    # Combining marks: none below U+0300 or beyond plane 1, and none is alphanumeric.
    candidates = (np.flatnonzero(classes[0x300:0x20000] == SEPARATOR) + 0x300).tolist()
    classes[[cp for cp in candidates if category(chr(cp))[0] == "M"]] = MARK
    for lo, hi in NO_SPACE_RANGES:
        span = classes[lo : hi + 1]
        span[span == WORD] = NO_SPACE
    classes[_TABLE_SIZE] = SEPARATOR
    lower = code_points.copy()
    # Upper and title case letters, and a few lower-cased "other" characters (Roman numerals).
    cased = np.flatnonzero(np.char.isupper(as_chars) | np.char.istitle(as_chars)).tolist()
    cased += range(0x2160, 0x2190)
    lower[cased] = [ord(chr(cp).lower()[0]) for cp in cased]
    separators = set(np.flatnonzero(classes == SEPARATOR).tolist())
    is_normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    space_like = np.zeros(_TABLE_SIZE + 1, dtype=np.bool_)
    space_like[
        [
            cp
            for cp in separators
            if not is_normalized("NFKC", chr(cp))
            and all(min(ord(c), _TABLE_SIZE) in separators for c in normalize("NFKC", chr(cp)))
        ]
    ] = True
    tables = classes, lower, space_like
    for table in tables:
        table.setflags(write=False)
    return tables


CLASS_TABLE, LOWER_TABLE, SPACE_LIKE_TABLE = _tables()


@dataclass(frozen=True, slots=True)
class Tokenised:
    """The tokens of a text as spans over its array of lower-cased code points."""

    chars: U32
    """Code points of the whole text (NFKC, lower-cased), separators included, as uint32."""
    starts: I64
    """Index in ``chars`` where each token starts."""
    ends: I64
    """Index in ``chars`` just after each token."""
    no_space: BoolArray
    """Whether each token is a character of a script written without spaces."""

    def __len__(self) -> int:
        return int(self.starts.size)

    def strings(self) -> list[str]:
        """The tokens as Python strings (for inspection and tests; hashing never needs them)."""
        text = self.chars.tobytes().decode("utf-32-le", errors="surrogatepass")
        return [text[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist(), strict=True)]


def fold(text: str) -> str:
    """NFKC and lower-case: the character-level part of normalisation."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenise(text: str) -> Tokenised:
    """Split a text into tokens (see the module notes), in a few numpy passes."""
    raw = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        # Most web text fails the check only for NBSP, ellipses and the like: separators before and
        # after NFKC. Spaces in their place tokenise the same and save the costly full NFKC.
        space_like = SPACE_LIKE_TABLE.take(np.minimum(raw, _TABLE_SIZE, dtype=np.intp))
        if space_like.any():
            raw = np.where(space_like, np.uint32(0x20), raw)
            text = raw.tobytes().decode("utf-32-le", errors="surrogatepass")
        if not unicodedata.is_normalized("NFKC", text):
            # NFKC never joins across a line break: normalise only the lines that need it.
            text = "\n".join(
                line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
                for line in text.split("\n")
            )
            raw = np.frombuffer(text.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    # Code points past the tables read as the last entry (a separator); most texts have none.
    index = raw.astype(np.intp) if raw.size == 0 or raw.max() < _TABLE_SIZE else np.minimum(raw, _TABLE_SIZE).astype(np.intp)
    cls = CLASS_TABLE.take(index)
    if cls.size and cls.max() >= MARK:
        # A mark belongs to the last character before it that is not a mark: it continues that
        # character's token (or, after a separator or at the start, begins a word run).
        is_mark = cls == MARK
        marks = np.flatnonzero(is_mark)
        bases = np.flatnonzero(~is_mark)
        owner_at = np.searchsorted(bases, marks) - 1
        owner = np.where(owner_at >= 0, cls[bases[np.maximum(owner_at, 0)]] if bases.size else SEPARATOR, SEPARATOR)
        cls[marks] = np.where(owner == NO_SPACE, NO_SPACE_MARK, WORD)
    # A token starts at a no-space character, or at a word character after a non-word one. The
    # next character continues it when it is a mark of a no-space character, or word after word.
    word = np.zeros(cls.size + 1, dtype=np.bool_)
    np.equal(cls, WORD, out=word[:-1])
    is_start = cls == NO_SPACE
    is_start[1:] |= word[1:-1] > word[:-2]
    is_start[:1] |= word[:1]
    continued = np.zeros(cls.size + 1, dtype=np.bool_)
    np.equal(cls, NO_SPACE_MARK, out=continued[:-1])
    continued[1:-1] |= word[1:-1] & word[:-2]
    is_end = cls != SEPARATOR
    is_end &= ~continued[1:]
    starts = np.flatnonzero(is_start)
    ends = np.flatnonzero(is_end) + 1
    chars = LOWER_TABLE.take(index)
    return Tokenised(chars=chars, starts=starts, ends=ends, no_space=cls[starts] == NO_SPACE)


def tokens(text: str) -> list[str]:
    """The word tokens of a text as strings; no-space scripts give one token per character."""
    return tokenise(text).strings()


def normalise(text: str) -> str:
    """The text as hashed for exact duplicates: its tokens joined by single spaces.

    Neighbouring tokens of a no-space script are joined without a space, so a Chinese sentence and
    the same sentence with stray spaces or punctuation normalise alike.
    """
    tok = tokenise(text)
    if len(tok) == 0:
        return ""
    parts = tok.strings()
    glued = (tok.no_space[1:] & tok.no_space[:-1]).tolist()
    out = [parts[0]]
    for part, glue in zip(parts[1:], glued, strict=True):
        if not glue:
            out.append(" ")
        out.append(part)
    return "".join(out)
