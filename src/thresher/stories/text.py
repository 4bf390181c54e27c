"""Headline text for story clustering: normalised keys, content terms, named entities and numbers.

Language-neutral on purpose. Words are runs of letters and digits; in scripts written without spaces
(Han, Kana, Thai, Lao, Khmer, Myanmar, Tibetan) each run is cut into character bigrams instead.
Inflection is handled by a crude but script-blind rule: a long alphabetic word is keyed by its first
``STEM`` characters ("collapses" and "collapse" meet, so do "Ukraine" and "Ukrainian"). Named
entities are words written with a capital letter in a script that has case (Latin, Greek, Cyrillic,
Armenian ...); scripts without case simply have none and rely on the other signals. A capital that
opens the headline or one of its clauses (after ``:``, ``;``, ``?``, ``!``, ``|`` or a spaced dash) is
there by convention, so such a name is also kept apart as an ``opener``: the pair scores let it meet
the same word written in lower case in another headline ("Runway ... reopens" and "... its shuttered
runway"). The function words that get no weight come from ``data/stories/function_words.txt``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from thresher.compiled import extension

STEM = 6
"""Alphabetic words longer than this are keyed by their first ``STEM`` characters."""

_TABLE: dict[int, str | None] = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}
_TABLE.update({ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u02bc\u2032"})
_TABLE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb"})
_TABLE.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_SPECIAL = re.compile("[" + "".join(chr(c) for c in _TABLE) + "]")
_ASCII_AFTER_NORMALISING = {
    c: unicodedata.normalize("NFKC", chr(c)).translate(_TABLE) for c in (*_TABLE, ord("\u2026"))
}
"""What ``normalise`` makes of each of these characters (ASCII, no white space: quotes, dashes,
zero-width characters, the ellipsis): a text of ASCII and these alone is read in C (``_read_terms``)."""

_NO_SPACE_CLASS = (
    "\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_NO_SPACE = re.compile(f"[{_NO_SPACE_CLASS}]+")
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:'[^\W_]+)*")
_WORD = re.compile(r"\w+(?:'\w+)*")
"""``_TOKEN`` for texts without ``.`` and ``_`` (the same tokens, found faster)."""
_POSSESSIVE = re.compile(r"'s?$")
_DIGIT = re.compile(r"\d")
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}(?!\d))")


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The words that carry no story (all languages in the data file), lower case."""
    text = resources.files("thresher.data").joinpath("stories/function_words.txt").read_text("utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        if not line.startswith("#"):
            words.update(line.split())
    return frozenset(words)


def normalise(text: str) -> str:
    """NFKC, zero-width characters dropped, quotes straightened, dashes unified, whitespace collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _SPECIAL.search(text):
            text = text.translate(_TABLE)
    return " ".join(text.split())


def fold(text: str) -> str:
    """The comparison key of a text: normalised, case-folded, words only, single spaces."""
    return _fold_normalised(normalise(text))


def _fold_normalised(norm: str) -> str:
    return " ".join(m.group().replace(".", "") for m in _TOKEN.finditer(norm.casefold()))


@dataclass(frozen=True, slots=True)
class Terms:
    """What the clustering reads from one headline (plus lead, when given)."""

    key: str
    """Folded headline (its words, case-folded; thousands separators dropped): the text that
    near-identical collapse and story ids compare."""
    words: tuple[str, ...]
    """Content-term keys in reading order (function words dropped, long words cut to their stem)."""
    entities: frozenset[str]
    """Keys of the capitalised content words (names of people, places, teams, works ...)."""
    plain: frozenset[str]
    """Keys of the lower-case content words (what happened, as opposed to who); empty when the
    headline is in title case, where case says nothing."""
    numbers: frozenset[str]
    """Numbers as written, without separators (``1,000`` and ``1000`` meet; ``$60M`` is ``60m``)."""
    openers: frozenset[str] = frozenset()
    """The keys of ``entities`` whose word opens the headline or one of its clauses, where a capital
    says nothing about the word (not all-capital words: acronyms are names anywhere); empty when
    ``plain`` is (title case)."""

    def opener_meets_plain(self, other: Terms) -> bool:
        """Whether an opener of one headline is a plain word of the other: a shared capital that only
        opens a clause, so not a shared name."""
        return not (self.openers.isdisjoint(other.plain) and self.plain.isdisjoint(other.openers))


def _key(word: str) -> str:
    return word[:STEM] if len(word) > STEM and word.isalpha() else word


def terms(headline: str, lead: str | None = None) -> Terms:
    """Read the terms of a headline (the lead, when given, adds content words but no entities)."""
    key, words, names, plain, numbers = _read_terms(headline)
    if lead:
        words.extend(_read_terms(lead)[1])
    capitalised = len(names)
    title_case = capitalised >= 4 and len(plain) <= capitalised // 5
    entities = frozenset(names)
    return Terms(
        key=key,
        words=tuple(words),
        entities=entities,
        plain=frozenset() if title_case else frozenset(plain),
        numbers=frozenset(numbers),
        openers=(entities.intersection(openers(normalise(headline))) if names and plain and not title_case
                 else frozenset()),
    )


_TWO_WORDS = r"[\W_]*(\w+)(?:[\W_]+(\w+))?"
_FIRST_WORDS = re.compile(_TWO_WORDS)
_CLAUSE_WORDS = re.compile(r"(?:[:;?!|]\s|\s[-\u2013\u2014]\s)" + _TWO_WORDS)
"""The first two words of a text, and of each clause after ``:``, ``;``, ``?``, ``!``, ``|`` or a
spaced dash."""


def openers(headline: str) -> list[str]:
    """The keys of the capitalised words (not all capitals) that open the headline or a clause of it,
    after a capitalised function word ("The", "A"): "Boulder attack updates: Multiple people
    injured" gives ``boulde`` and ``multip``. (Words here end at an apostrophe, so a possessive is
    dropped as ``terms`` drops it.)"""
    first = _FIRST_WORDS.match(headline)
    if first is None:
        return []
    starts: list[tuple[str, str]] = [(first.group(1), first.group(2) or "")]
    if (": " in headline or "- " in headline or "; " in headline or "? " in headline or "! " in headline
            or "| " in headline or "\u2013 " in headline or "\u2014 " in headline):
        starts.extend(_CLAUSE_WORDS.findall(headline))
    found: list[str] = []
    skip = function_words()
    for word, after in starts:
        token = word
        if token[0].isupper() and token.casefold() in skip:
            token = after  # "The Knicks ...": the next word opens the clause
        if token and token[0].isupper() and not token.isupper() and len(token) > 1:
            low = token.casefold()
            if low not in skip and (low.isalpha() or not _DIGIT.search(low)):
                found.append(_key(low))
    return found


_OUTLET_SEPARATORS = (" : ", " - ", " | ", " \u2013 ", " \u2014 ")


def without_outlet(headline: str, outlet: str | None) -> str:
    """The headline without a last part that names its outlet (" : NPR", " - Reuters", " | BBC News"
    from ``npr.org``, ``reuters.com``, ``bbc.co.uk``): the name tells nothing about the event, and
    would be a shared name of all that outlet's headlines. The outlet matches when the part's first
    words, joined (case-folded, a leading "the" dropped, here and in the labels), are a label of its
    host name ("BBC News" and ``bbc``, "Fox News" and ``foxnews``), not a label that names no outlet
    (``www``, ``news``, ``com``: "... - Commonwealth steps in" from smh.com.au stays whole); the
    part has at most 40 characters and the rest at least 10."""
    if not outlet:
        return headline
    tail = headline[-44:]
    if " : " not in tail and " - " not in tail and " | " not in tail and "\u2013" not in tail and "\u2014" not in tail:
        return headline
    at = max(headline.rfind(sep, 10, len(headline)) for sep in _OUTLET_SEPARATORS)
    if at < 10 or len(headline) - at > 43:
        return headline
    words = _OUTLET_WORD.findall(headline[at + 3 :].casefold())
    generic = generic_host_labels()
    labels = {name for label in outlet.casefold().split(".")[:-1] if label not in generic
              for name in (label, _without_the(label))}
    joined = ""
    for k, word in enumerate(words):
        if k == 0 and word == "the" and len(words) > 1:
            continue
        joined += word
        if joined in labels:
            return headline[:at].rstrip()
    return headline


_OUTLET_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def generic_host_labels() -> frozenset[str]:
    """Host-name labels that name no outlet (``www``, ``news``, ``com``; data/stories/generic_host_labels.txt)."""
    text = resources.files("thresher").joinpath("data/stories/generic_host_labels.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _without_the(name: str) -> str:
    return name[3:] if name.startswith("the") and len(name) > 3 else name


Gathered = tuple[list[str], list[str], list[str], list[str]]
ReadTerms = tuple[str, list[str], list[str], list[str], list[str]]


def _read_terms(text: str) -> ReadTerms:
    """The folded key of a text, every content-term key in reading order, and the keys of its names,
    plain words and numbers (lists in reading order, with repeats)."""
    if _terms_ascii is not None:
        found = _terms_ascii(text, function_words(), STEM, _ASCII_AFTER_NORMALISING)
        if found is not None:
            return found
    return _read_terms_python(text)


def _read_terms_python(text: str) -> ReadTerms:
    """``_read_terms`` in Python (``stories_terms_ascii`` in ``_speedups_stories.c`` is the same in C
    for texts of ASCII and the characters of ``_ASCII_AFTER_NORMALISING``)."""
    tokens, infos = _read(normalise(text))
    words, names, plain, numbers = _gather(infos, _ENTITY, _PLAIN, _NUMBER)
    return " ".join(tokens).casefold().replace(".", ""), words, names, plain, numbers


def _gather_python(infos: list[TokenKind], entity: int, plain: int, number: int) -> Gathered:
    """Every key of the tokens in reading order, and the first key of each token of kind ``entity``,
    ``plain`` and ``number`` (``stories_gather`` in ``_speedups_stories.c`` is the same in C)."""
    words = [k for _, keys in infos for k in keys]
    names = [keys[0] for kind, keys in infos if kind == entity and keys]
    plains = [keys[0] for kind, keys in infos if kind == plain and keys]
    numbers = [keys[0] for kind, keys in infos if kind == number and keys]
    return words, names, plains, numbers


_compiled = extension()
_gather: Callable[[list[TokenKind], int, int, int], Gathered] = getattr(_compiled, "stories_gather", _gather_python)
_ascii: Callable[[str, frozenset[str], int], TokenKind | None] | None = getattr(
    _compiled, "stories_token_ascii", None)
"""``_token`` in C for tokens of ASCII letters and digits (None for others); None when not built."""
_terms_ascii: Callable[[str, frozenset[str], int, dict[int, str]], ReadTerms | None] | None = getattr(
    _compiled, "stories_terms_ascii", None)
"""``_read_terms_python`` in C for texts of ASCII and the characters of ``_ASCII_AFTER_NORMALISING``
(it returns None for other texts: accents, other scripts); None when not built."""


def _read(source: str) -> tuple[list[str], list[TokenKind]]:
    """The tokens of a normalised text and what each is (from the cache, or ``_token``)."""
    if "," in source or "." in source:
        source = _THOUSANDS.sub("", source)
    no_space = not source.isascii() and _NO_SPACE.search(source) is not None
    tokens: list[str] = (_TOKEN if "." in source or "_" in source else _WORD).findall(source)
    get = _CACHE[no_space].get
    return tokens, [get(token) or _remember(token, no_space) for token in tokens]


_SKIP, _NUMBER, _ENTITY, _PLAIN, _OTHER = range(5)
TokenKind = tuple[int, tuple[str, ...]]
CACHE_SIZE = 1 << 16
"""Tokens remembered per kind of text (``_token`` is pure; headlines repeat their words). A full
cache is emptied, so memory stays bounded on an endless stream."""
_CACHE: tuple[dict[str, TokenKind], dict[str, TokenKind]] = ({}, {})


def clear_cache() -> None:
    """Forget the tokens seen so far (benchmarks measure a cold start with it)."""
    for cache in _CACHE:
        cache.clear()


def _remember(token: str, no_space: bool) -> TokenKind:
    cache = _CACHE[no_space]
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    found = cache[token] = (_ascii(token, function_words(), STEM) if _ascii else None) or _token(token, no_space)
    return found


def _token(token: str, no_space: bool) -> TokenKind:
    """What one token of a headline is (function word, number, name, plain word ...) and its keys."""
    if "." in token:  # U.S. -> US
        token = token.replace(".", "")
    if "'" in token:
        token = _POSSESSIVE.sub("", token)
        if not token:
            return _SKIP, ()
    if no_space and _NO_SPACE.search(token):
        return _OTHER, tuple(_no_space_terms(token))
    low = token.casefold()
    if low in function_words():
        return _SKIP, ()
    if not low.isalpha() and _DIGIT.search(low):
        return _NUMBER, (low,)
    key = _key(low)
    if token[0].isupper() and len(token) > 1:
        return _ENTITY, (key,)
    if token[0].islower():
        return _PLAIN, (key,)
    return _OTHER, (key,)


def _no_space_terms(token: str) -> list[str]:
    """Character bigrams of the no-space runs inside a token, plus its other parts as words."""
    out: list[str] = []
    last = 0
    for run in _NO_SPACE.finditer(token):
        if run.start() > last:
            out.append(_key(token[last : run.start()].casefold()))
        chars = run.group()
        out.extend(chars[i : i + 2] for i in range(max(1, len(chars) - 1)))
        last = run.end()
    if last < len(token):
        out.append(_key(token[last:].casefold()))
    return out
