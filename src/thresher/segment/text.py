"""Already-scraped text (WET records, scraped corpora) → ordered blocks with per-block features.

A paragraph is a run of non-empty lines between blank lines. A paragraph whose lines are hard-wrapped
prose becomes one block; any other multi-line paragraph (tickers, menus, headline lists, WET records
with one paragraph a line) becomes one block per line, so that each line can be labelled on its own.
The paragraph grouping survives as features (``para``, ``para_lines``, ``line_in_para``).

Every feature is a number (see :func:`segment_text` for the list); the classifier in
:mod:`thresher.classify.text_rules` reads them.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from thresher.deadline import Deadline
from thresher.errors import ThresherError
from thresher.model import Block, BlockKind
from thresher.options import Options

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_CJK_RUN_RE = re.compile(f"[{CJK}]+")
_WORD_CHAR_RE = re.compile(r"\w")
_WORD_RE = re.compile(r"[^\W\d_]+")
_TERMINAL_RE = re.compile(r"[.!?…。！？؟।][\"'”’»)\]』」]*\s*$")
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
_NORM_RE = re.compile(r"[\W_]+")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_FIRST_LETTER_RE = re.compile(r"(?<![^\W\d_])[^\W\d_]")
_ASCII_DIGITS = "0123456789"
_ASCII_NON_LETTERS = {c: " " for c in range(128) if not chr(c).isalpha()}
_ASCII_NON_WORD = {c: " " for c in range(128) if not chr(c).isalnum()}
_first_char = operator.itemgetter(0)
_TITLE_MAX_WORDS = 60
"""``title_case`` is computed for lines up to this many words (it describes headlines; 0 beyond)."""
_PROBE_CHARS = 4000
"""Patterns that could backtrack on pathological input (markup, URLs, e-mails) see at most this much."""
_LIST_MAX_CHARS = 200
"""A line without terminal punctuation and at most this long may belong to a list run."""


@dataclass(frozen=True, slots=True)
class TextVocabulary:
    """Stop words (all bundled languages together) and relative-time patterns."""

    stopwords: frozenset[str]
    relative_time: re.Pattern[str]
    relative_triggers: frozenset[str]
    """Words (or, for scripts without spaces, characters) a line needs before the patterns run."""


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
    return TextVocabulary(
        stopwords=frozenset(words),
        relative_time=re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE),
        relative_triggers=frozenset(triggers),
    )


TEXT_LINES_PER_ELEMENT = 5
"""A text line costs about five HTML elements' worth of memory; the line cap is max_elements / 5."""


def segment_text(text: str, opts: Options, deadline: Deadline) -> list[Block]:
    """Split scraped text into blocks (paragraphs, or single lines of lists) with numeric features.

    Features: ``n_chars``, ``n_words`` (CJK characters count as words), ``cjk_ratio``, ``terminal``
    (ends with sentence punctuation), ``ends_with_colon``, ``title_case`` (share of capitalised
    words among words of cased scripts; 0 for lines over 60 words), ``digit_ratio``,
    ``leading_time`` (``H:MM`` at the start), ``relative_time`` ("2 hours ago" in several languages), ``bullet``, ``html_residue`` (0-1, share
    of markup or 1 for unmistakable markup/script), ``n_urls``, ``n_emails``, ``repeated`` (how often
    the same normalised line occurs elsewhere), ``position`` (0-1), ``para``, ``para_lines``,
    ``line_in_para``, ``listy`` (short line without terminal punctuation, or timestamped), ``run_len``
    and ``run_time_share`` (the run of consecutive listy blocks it belongs to), ``n_content`` (distinct
    content words) and ``topic_fit`` (share of its content words found in the document's long paragraphs;
    0.5 when the line has fewer than two content words or the document has no long paragraph).
    """
    vocab = text_vocabulary()
    lines = text.splitlines()  # \n, \r\n, \r and the Unicode line separators
    cap = max(opts.max_elements // TEXT_LINES_PER_ELEMENT, 1)
    if sum(1 for line in lines if line.strip()) > cap:
        raise ThresherError(
            "too_large", f"the text has more than {cap:,} non-empty lines (the cap, from max_elements)")
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped.replace("\u00a0", " ") if "\u00a0" in stripped else stripped)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)

    pieces: list[tuple[str, BlockKind, int, int, int]] = []  # text, kind, para, line index, para lines
    for p_id, para in enumerate(paragraphs):
        if p_id % 256 == 255:
            deadline.check()
        if len(para) == 1 or _is_wrapped_prose(para):
            pieces.append((" ".join(para), "paragraph", p_id, 0, len(para)))
            continue
        for i, line in enumerate(para):
            kind: BlockKind = "list_item" if _BULLET_RE.match(line) else "line"
            pieces.append((line, kind, p_id, i, len(para)))

    n = len(pieces)
    norms = [_norm_line(t) if len(t) <= _LIST_MAX_CHARS else t for t, *_ in pieces]
    has_cjk = not text.isascii() and _CJK_RE.search(text) is not None
    norm_counts = Counter(norms)
    feats: list[dict[str, float]] = []
    tokens: list[set[str]] = []
    for i, (line, _kind, p_id, li, plen) in enumerate(pieces):
        if i % 256 == 255:
            deadline.check()
        f, toks = _line_features(line, vocab, has_cjk)
        f["repeated"] = float(norm_counts[norms[i]] - 1) if norms[i] else 0.0
        f["position"] = i / max(1, n - 1)
        f["para"] = float(p_id)
        f["para_lines"] = float(plen)
        f["line_in_para"] = float(li)
        feats.append(f)
        tokens.append(toks)
        f["n_content"] = float(len(toks))

    _add_run_features(feats)
    _add_topic_fit(feats, tokens)
    return [
        Block(index=i, text=t, kind=kind, features=feats[i])
        for i, (t, kind, *_rest) in enumerate(pieces)
    ]


def _norm_line(line: str) -> str:
    """Lower case, runs of non-word characters as one space (to find repeated lines)."""
    if line.isascii():
        return " ".join(line.lower().translate(_ASCII_NON_WORD).split())
    return _NORM_RE.sub(" ", line.lower()).strip()


def is_terminal(line: str) -> bool:
    """True when the line ends like a sentence (., !, ?, …, CJK and other scripts' full stops)."""
    return _TERMINAL_RE.search(line.rstrip()[-12:]) is not None


def content_tokens(line: str, stopwords: frozenset[str]) -> list[str]:
    """Lower-cased content words: letters-only tokens of 3+ characters that are not stop words, plus
    character bigrams of CJK runs (which have no spaces)."""
    out = [w for w in (m.lower() for m in _WORD_RE.findall(_CJK_RUN_RE.sub(" ", line))) if len(w) > 2]
    out = [w for w in out if w not in stopwords]
    for run in _CJK_RUN_RE.findall(line):
        out.extend(run[k : k + 2] for k in range(max(1, len(run) - 1)))
    return out


def _line_features(line: str, vocab: TextVocabulary, has_cjk: bool) -> tuple[dict[str, float], set[str]]:
    """The features of one line, and its content tokens (``has_cjk``: the document has CJK text).

    Hot path: every step is one call into C (regex, str methods, set algebra), none loops over words
    in Python."""
    n_chars = len(line)
    if has_cjk and _CJK_RE.search(line):
        cjk_runs = _CJK_RUN_RE.findall(line)
        n_cjk = sum(map(len, cjk_runs))
        non_cjk = _CJK_RUN_RE.sub(" ", line)  # punctuation between CJK runs is not a word
        n_words = sum(1 for t in non_cjk.split() if _WORD_CHAR_RE.search(t)) + n_cjk
    else:
        cjk_runs = []
        n_cjk = 0
        non_cjk = line
        n_words = len(line.split())
    if line.isascii():  # fast path: ASCII non-letters → spaces leaves exactly the letter runs
        runs = line.translate(_ASCII_NON_LETTERS).split()
        lowered: list[str] = list(map(str.lower, runs))
        lowered_runs: list[str] | None = lowered
        tokens = set(lowered)
        tokens -= vocab.stopwords
        tokens = {t for t in tokens if len(t) > 2}
        firsts = "".join(map(_first_char, runs)) if n_words <= _TITLE_MAX_WORDS else ""
    else:
        lowered_runs = None
        tokens = set(_LONG_WORD_RE.findall(non_cjk.lower()))
        tokens -= vocab.stopwords
        firsts = "".join(_FIRST_LETTER_RE.findall(non_cjk)) if n_words <= _TITLE_MAX_WORDS else ""
    for run in cjk_runs:
        tokens.update(run[k : k + 2] for k in range(max(1, len(run) - 1)))
    title = 0.0
    if firsts:
        upper = sum(map(str.isupper, firsts))
        cased = upper + sum(map(str.islower, firsts))
        title = upper / cased if cased else 0.0
    digits = sum(map(line.count, _ASCII_DIGITS))
    probe = line[:_PROBE_CHARS]  # patterns that could backtrack see a bounded prefix of long lines
    residue = 0.0
    if "<" in probe or "&" in probe or "{" in probe or "=" in probe or "script" in probe:
        markup = sum(len(m) for m in _MARKUP_RE.findall(probe))
        residue = 1.0 if _STRONG_RESIDUE_RE.search(probe) else min(1.0, markup / max(1, len(probe)))
    relative = False
    if n_chars <= _LIST_MAX_CHARS and (
        not vocab.relative_triggers.isdisjoint(
            lowered_runs if lowered_runs is not None else _WORD_RE.findall(non_cjk.lower())
        )
        or (n_cjk and any(t in line for t in vocab.relative_triggers if len(t) == 1))
    ):
        relative = vocab.relative_time.search(line) is not None
    terminal = is_terminal(line)
    leading_time = _TIME_RE.match(line) is not None
    return {
        "n_chars": float(n_chars),
        "n_words": float(n_words),
        "cjk_ratio": n_cjk / max(1, n_chars),
        "terminal": float(terminal),
        "ends_with_colon": float(line.endswith((":", "："))),
        "title_case": title,
        "digit_ratio": digits / max(1, n_chars),
        "leading_time": float(leading_time),
        "relative_time": float(relative),
        "bullet": float(_BULLET_RE.match(line) is not None),
        "html_residue": residue,
        "n_urls": float(len(_URL_RE.findall(probe))) if "http" in probe or "www." in probe else 0.0,
        "n_emails": float(len(_EMAIL_RE.findall(probe))) if "@" in probe else 0.0,
        "listy": float(leading_time or (not terminal and n_chars <= _LIST_MAX_CHARS)),
    }, tokens


def _is_wrapped_prose(para: Sequence[str]) -> bool:
    """Hard-wrapped prose: most line breaks fall mid-sentence in lines of similar, long length."""
    longest = max(len(line) for line in para)
    if longest < 30 or any(_TIME_RE.match(line) or _BULLET_RE.match(line) for line in para):
        return False
    breaks = 0
    for line, nxt in pairwise(para):
        mid_sentence = not is_terminal(line) and not line.endswith((":", "："))
        continues = nxt[:1].islower() or line.endswith((",", ";", "-", "–", "—")) or nxt[:1] in "(\"'“‘"
        if mid_sentence and continues and len(line) >= 0.6 * longest:
            breaks += 1
    return breaks >= 0.5 * (len(para) - 1)


def _add_run_features(feats: list[dict[str, float]]) -> None:
    i, n = 0, len(feats)
    while i < n:
        if not feats[i]["listy"]:
            feats[i]["run_len"] = 0.0
            feats[i]["run_time_share"] = 0.0
            i += 1
            continue
        j = i
        while j < n and feats[j]["listy"]:
            j += 1
        share = sum(f["leading_time"] for f in feats[i:j]) / (j - i)
        for f in feats[i:j]:
            f["run_len"] = float(j - i)
            f["run_time_share"] = share
        i = j


def _add_topic_fit(feats: list[dict[str, float]], tokens: list[set[str]]) -> None:
    """Share of a block's content words that also occur in the document's long prose paragraphs."""
    body = [i for i, f in enumerate(feats) if f["terminal"] and f["n_words"] >= 25 and not f["leading_time"]]
    if not body:
        ranked = sorted(range(len(feats)), key=lambda k: -feats[k]["n_chars"])
        body = [k for k in ranked[:3] if feats[k]["n_words"] >= 12]
    counts: Counter[str] = Counter()
    for i in body:
        counts.update(tokens[i])
    vocab = set(counts)
    shared = {t for t, c in counts.items() if c > 1}  # for a body block: found in another one
    in_body = set(body)
    for i, f in enumerate(feats):
        toks = tokens[i]
        if len(toks) < 2 or not counts:
            f["topic_fit"] = 0.5
            continue
        f["topic_fit"] = len(toks & (shared if i in in_body else vocab)) / len(toks)
