"""Text-mode rules: label the blocks of already-scraped text (see :mod:`thresher.segment.text`).

Three passes:

1. *Line rules* that need no context: HTML residue, timestamped ticker runs, promo lines ("Read more:",
   "Mehr zum Thema", "相关阅读" ...), share lines, cookie/legal/copyright lines, stock boilerplate
   ("Advertisement", newsletter sign-ups, affiliate disclosures, "Learn more"), datelines, bylines
   and contact lines, bare "2 hours ago" stamps. Phrases live in ``data/text/phrases.json``.
2. *The body*: runs of prose blocks (a sentence of 12+ words, 20+ CJK characters), split wherever hard
   boilerplate (a ticker, a legal line, a promo header over a list) or a long list sits between
   them. The run with the most prose is the body; other runs join it when their words fit its topic.
   Inside the body every block not caught by a line rule is kept — subheadings, list items and
   short paragraphs belong to the article.
3. *Around the body*: the title is the headline-like line just before it; short lines before it are
   navigation. After the body, lines stay until the first line rule fires (a contact line, a share
   row, a promo header ...); from then on only lines that fit the body's topic stay. A header ending
   with a colon ("Football news:") marks the list below it, and runs of headline-like lines that do
   not fit the topic are headline lists wherever they are.

Text that is clean prose from start to end comes back whole: every rule that removes something
inside the body needs positive evidence (a phrase, markup, a ticker).

:func:`classify_text` stacks the learned model (:mod:`thresher.classify.text_model`) on these rules
when the package ships one; :func:`rule_decisions` is the rules alone.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate, pairwise
from operator import attrgetter
from typing import Any

import numpy as np

from thresher.classify.text_model import load_model
from thresher.compiled import extension
from thresher.deadline import Deadline
from thresher.metadata import authors
from thresher.model import Block, Decision
from thresher.options import Options
from thresher.segment.text import (
    FOLD_THEN,
    Columns,
    bmp_classes,
    content_token_set,
    ends_running_text,
    feature_table,
    fold,
    has_unpunctuated,
    text_vocabulary,
)

_compiled = extension("line_masks")
_decision = cache(Decision)
"""``Decision(label, reason)``, one shared instance per pair (decisions are frozen: the rules' labels
and reasons are a small set, and making a dataclass instance costs more than looking one up)."""
_TEXT_OF = attrgetter("text")
_gate = extension("word_flags", "text_line_gate")
"""The extension when it has the line gate and the headline runs (see :func:`rule_decisions`)."""
_str_masks = extension("line_masks_text")
"""The extension when its line_masks also takes a str (``line_masks_text``)."""
_compact_masks = extension("line_masks_compact")
"""The extension when it walks an automaton with byte classes (``line_masks_compact``)."""

_SEPARATORS = ":：»›>|–—-·•/／"
_SPLIT_RE = re.compile(r"[\s|•·/,;:()\[\]]+")
_DIGIT_RE = re.compile(r"\d")
_OFFTOPIC_FIT = 0.1
"""A run of headline-like lines whose mean topic fit is below this does not belong to the text."""
_CTA_MAX_WORDS = 5
"""A call to action ("Learn more here.") is a line of its own; in a longer sentence it is prose."""
_TOKEN_RE = re.compile(r"\w+")
_WORDS_RE = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?")
_UNSPACED_TITLE_MIN_CHARS = 15
"""A title in Thai or Lao (a line of one "word") has at least this many characters; menu items fewer."""
_CJK_NAME_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af·]{2,8}")


@dataclass(frozen=True, slots=True)
class TextPhrases:
    """The phrase lists of ``data/text/phrases.json``, compiled for matching."""

    promo: PhraseMatcher
    share_words: frozenset[str]
    share_heads: frozenset[str]
    """The first words of the share phrases."""
    legal: re.Pattern[str]
    legal_weak: re.Pattern[str]
    legal_triggers: tuple[str, ...]
    """Substrings one of which every legal phrase contains (a cheap test before the phrase search)."""
    legal_literals: tuple[str, ...]
    """``legal``'s plain phrases in lower case (substring tests are much faster than the alternation)."""
    legal_patterns: re.Pattern[str]
    """``legal``'s regular expressions."""
    legal_weak_literals: tuple[str, ...]
    legal_folds: tuple[str, ...]
    """:func:`_fold` of ``legal``'s plain phrases (and of the weak and stock phrases below)."""
    legal_weak_folds: tuple[str, ...]
    stock_folds: tuple[str, ...]
    stock_literals: tuple[str, ...]
    boilerplate_lines: frozenset[str]
    stock: re.Pattern[str]
    """Newsletter, subscription and affiliate-disclosure phrases, found anywhere in a line."""
    stock_triggers: tuple[str, ...]
    call_to_action: PhraseMatcher
    """"Learn more", "Shop now" ... found anywhere in a short line."""
    dateline: PhraseMatcher
    byline_glue: re.Pattern[str]
    """Words glued to the end of a byline by scraping ("By Jane DoePublished: ...")."""
    byline: PhraseMatcher
    contact: PhraseMatcher
    name_joiners: re.Pattern[str]
    """Splits a list of names: commas, semicolons, "&" and "and" in several languages."""
    name_particles: frozenset[str]
    """Lower-case words inside names ("von", "de", "van der")."""
    trigger_automaton: tuple[np.ndarray, np.ndarray] | None
    """:func:`_automaton` of the legal triggers then the stock triggers (see :func:`_trigger_lines`)."""
    compact_automaton: tuple[np.ndarray, np.ndarray] | None
    """The same automaton with byte classes (:func:`_compact`), or None."""
    head_keys: frozenset[str]
    """Line heads (:func:`line_head`) with which a line of 11-40 words can match a line rule (the
    prefix lists of promo, byline and contact lines); every head when a phrase starts with no word."""
    gate_words: object | None = None
    """The words the extension's line gate looks for (``text_line_gate``: a ``word_flags`` table of
    the prefix lists' first words, the call-to-action keys, the words of the stock lines and of the
    share phrases), when the extension is built."""
    gate_always: int = 0
    """Bits of those four lists holding a phrase without a word (lines can match it whatever their words)."""


_HEAD_RE = re.compile(r"\W{0,3}(\w+)")
_RUN_RE = re.compile(r"\w+")
_UNSAFE = "".join(map(chr, FOLD_THEN))
"""The letters whose fold is not their lower case (the line gate leaves their lines to Python)."""
_fold = fold


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """A phrase-list pattern behind a cheap gate: the regex runs only when a word of the line (its
    first word, for prefix lists) is, in lower case, the first word of one of the phrases (a word:
    a run of word characters). A match implies it — the pattern wants no word character right
    before or after a phrase — so most lines fail the gate with one set lookup."""

    pattern: re.Pattern[str]
    keys: frozenset[str]
    prefix: bool

    @classmethod
    def build(cls, phrases: Sequence[str], *, prefix: bool) -> PhraseMatcher:
        ordered = sorted(phrases, key=len, reverse=True)
        alts = "|".join(re.escape(p) for p in ordered)
        # a prefix phrase ending in a mark ("文:", "文/") is whole: nothing need follow it; one ending
        # in a colon matches a full-width colon too, with space before it ("文 ：")
        marked = [p for p in ordered if p and unicodedata.category(p[-1])[0] not in "LMN"]
        if prefix and marked:
            words = "|".join(re.escape(p) for p in ordered if p not in marked)
            ends = "|".join(re.escape(p[:-1].rstrip()) + r"\s*[:：]" if p.endswith(":") else re.escape(p) for p in marked)
            pattern = re.compile(rf"^\W{{0,3}}(?:(?:{words})(?=$|[\s{re.escape(_SEPARATORS)},.!，。！])|(?:{ends}))",
                                 re.IGNORECASE)
        elif prefix:
            pattern = re.compile(rf"^\W{{0,3}}(?:{alts})(?=$|[\s{re.escape(_SEPARATORS)},.!，。！])", re.IGNORECASE)
        else:
            pattern = re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)
        keys = set()
        for phrase in phrases:
            m = _RUN_RE.search(phrase)
            if m is None or m.start() > 0:
                keys.add("")  # a phrase that does not start with a word character: no gate
            else:
                keys.add(_fold(m.group()))
        return cls(pattern, frozenset(keys), prefix)

    def _gate(self, text: str) -> bool:
        if "" in self.keys:
            return True
        if self.prefix:
            return line_head(text) in self.keys
        return not self.keys.isdisjoint(_RUN_RE.findall(_fold(text)))

    def match(self, text: str) -> re.Match[str] | None:
        """The phrase at the start of the line (prefix lists)."""
        return self.pattern.match(text) if self._gate(text) else None

    def match_head(self, text: str, head: str) -> re.Match[str] | None:
        """:meth:`match` for a prefix list, given the line's head (:func:`line_head`)."""
        if head in self.keys or "" in self.keys:
            return self.pattern.match(text)
        return None

    def search(self, text: str) -> re.Match[str] | None:
        """The phrase anywhere in the line."""
        return self.pattern.search(text) if self._gate(text) else None

    def search_low(self, text: str, low: str) -> re.Match[str] | None:
        """:meth:`search`, given the line in lower case."""
        if "" in self.keys or not self.keys.isdisjoint(_RUN_RE.findall(low if low.isascii() else _fold(text))):
            return self.pattern.search(text)
        return None


def line_head(text: str) -> str:
    """The line's first word in lower case (:func:`_fold`), after up to three non-word characters:
    what the prefix-list gates look up ("\x00" when there is none)."""
    m = _HEAD_RE.match(text)
    return _fold(m.group(1)) if m else "\x00"


@cache
def text_phrases() -> TextPhrases:
    """Load and compile the phrase lists once."""
    raw = json.loads((resources.files("thresher") / "data" / "text" / "phrases.json").read_text(encoding="utf-8"))
    legal_alts = [re.escape(p) for p in raw["legal_phrases"]] + list(raw["legal_patterns"])
    promo = PhraseMatcher.build(raw["promo_prefixes"], prefix=True)
    byline = PhraseMatcher.build(byline_labels(raw), prefix=True)
    contact = PhraseMatcher.build(raw["contact_prefixes"], prefix=True)
    dateline = PhraseMatcher.build(raw["dateline_prefixes"], prefix=True)
    call_to_action = PhraseMatcher.build(raw["call_to_action"], prefix=False)
    legal_triggers = tuple(sorted({w.lower() for w in raw["legal_triggers"]}))
    stock_triggers = tuple(sorted({w.lower() for w in raw["boilerplate_triggers"] + raw["boilerplate_triggers_cjk"]}))
    automaton = _automaton(legal_triggers + stock_triggers)
    gate_words, gate_always = _gate_words(
        promo.keys | byline.keys | contact.keys | dateline.keys, call_to_action.keys,
        frozenset(w.lower() for w in raw["boilerplate_lines"]), frozenset(w.lower() for w in raw["share_words"]))
    return TextPhrases(
        promo=promo,
        share_words=frozenset(w.lower() for w in raw["share_words"]),
        share_heads=frozenset(w.lower().split()[0] for w in raw["share_words"] if w.split()),
        legal=re.compile("|".join(f"(?:{a})" for a in legal_alts), re.IGNORECASE),
        legal_weak=re.compile("|".join(re.escape(p) for p in raw["legal_weak_phrases"]), re.IGNORECASE),
        legal_triggers=legal_triggers,
        legal_literals=tuple(p.lower() for p in raw["legal_phrases"]),
        legal_patterns=re.compile("|".join(f"(?:{a})" for a in raw["legal_patterns"]), re.IGNORECASE),
        legal_weak_literals=tuple(p.lower() for p in raw["legal_weak_phrases"]),
        legal_folds=tuple(_fold(p) for p in raw["legal_phrases"]),
        legal_weak_folds=tuple(_fold(p) for p in raw["legal_weak_phrases"]),
        stock_folds=tuple(_fold(p) for p in raw["boilerplate_phrases"]),
        stock_literals=tuple(p.lower() for p in raw["boilerplate_phrases"]),
        boilerplate_lines=frozenset(w.lower() for w in raw["boilerplate_lines"]),
        stock=re.compile("|".join(re.escape(p) for p in raw["boilerplate_phrases"]), re.IGNORECASE),
        stock_triggers=stock_triggers,
        call_to_action=call_to_action,
        dateline=dateline,
        byline_glue=re.compile(r"(?<=[^\W\d_])(?:" + "|".join(raw["byline_glue"]) + r")\b.*$"),
        byline=byline,
        contact=contact,
        name_joiners=re.compile(
            r"\s*(?:[,;&]|\b(?:" + "|".join(re.escape(w) for w in raw["name_joiners"]) + r")\b)\s*", re.IGNORECASE
        ),
        name_particles=frozenset(w.lower() for w in raw["name_particles"]),
        trigger_automaton=automaton,
        compact_automaton=_compact(automaton),
        head_keys=promo.keys | byline.keys | contact.keys,
        gate_words=gate_words,
        gate_always=gate_always,
    )


def byline_labels(own: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The words that open a byline ("By", "بقلم", "लेखक:"): the HTML path's labels of every language
    (``metadata.authors.words``) and the text-only ones of ``byline_prefixes``, but for
    ``byline_labels_not_taken`` ("Reviewed by": a reviewer, not the author). ``own``: the parsed
    ``data/text/phrases.json`` (read here when not given)."""
    if own is None:
        own = json.loads((resources.files("thresher") / "data" / "text" / "phrases.json").read_text(encoding="utf-8"))
    labels = authors.words().labels | {w.lower() for w in own["byline_prefixes"]}
    return tuple(sorted(labels - {w.lower() for w in own["byline_labels_not_taken"]}))


def _gate_words(heads: frozenset[str], cta: frozenset[str], stock_lines: frozenset[str],
                share: frozenset[str]) -> tuple[object | None, int]:
    """:class:`TextPhrases`' ``gate_words`` and ``gate_always`` (see ``text_line_gate`` in
    _speedups_text.c): the prefix lists' and call-to-action keys (an empty key: a phrase that starts
    with no word), the word runs of the stock lines and share phrases (none: one without a word)."""
    if _gate is None:
        return None, 0
    always = 0
    sets: list[frozenset[str]] = []
    for bit, (keys, runs) in enumerate(((heads, False), (cta, False), (stock_lines, True), (share, True))):
        words = {r for phrase in keys for r in _RUN_RE.findall(phrase)} if runs else set(keys) - {""}
        if "" in keys or (runs and any(not _RUN_RE.search(phrase) for phrase in keys)):
            always |= 1 << bit
        sets.append(frozenset(words))
    return _gate.word_flags(tuple(sets)), always


@dataclass(frozen=True, slots=True)
class _Doc:
    """What the passes share: the blocks, the line-rule verdicts and the shape of each block."""

    blocks: Sequence[Block]
    c: Columns
    """The blocks' features, one list per feature."""
    flags: Sequence[Decision | None]
    prose: Sequence[bool]
    headline_run: Sequence[bool]
    """In a run of 3+ headline-like lines that do not fit the body's topic."""
    headline_title_run: Sequence[bool]
    """In a run of 3+ headline-like lines, most words capitalised (a list of headlines, on topic or not)."""
    opts: Options


def classify_text(blocks: Sequence[Block], opts: Options, deadline: Deadline) -> list[Decision]:
    """One decision per block: ``main`` for the article body, other labels with a reason.

    The rules decide first; the learned model (:mod:`thresher.classify.text_model`), when the
    package ships one, reads their decisions with the block features and decides main vs not."""
    rules = rule_decisions(blocks, opts, deadline)
    model = load_model()
    if model is None or not blocks:
        return rules
    deadline.check()
    return model.decide(blocks, rules, opts)


def rule_decisions(blocks: Sequence[Block], opts: Options, deadline: Deadline) -> list[Decision]:
    """The hand rules alone: one decision per block."""
    phrases = text_phrases()
    n = len(blocks)
    if n == 0:
        return []
    table = feature_table(blocks)
    c = table.columns()
    texts = list(map(_TEXT_OF, blocks))
    whole, low_doc = table.joined(texts)
    lows = low_doc.split("\n")
    legal_at, stock_at = _trigger_lines(lows, c.n_words, phrases, low_doc)
    flags: list[Decision | None] = [None] * n
    residue, timed = c.html_residue, c.leading_time
    # the extension's gate when every block is one line: the lines a line rule may catch (None when
    # lower() changed the length of the text), and the runs of headline-like lines
    gated: list[int] | None = None
    runs: tuple[list[bool], list[bool]] | None = None
    if _gate is not None and phrases.gate_words is not None and whole.count("\n") == n - 1:
        gated, offtopic, titled = _gate.text_line_gate(whole, low_doc, table.values, bmp_classes(),
                                                       phrases.gate_words, phrases.gate_always, _UNSAFE)
        runs = (offtopic, titled)
    if gated is not None:
        at = sorted(set(gated).union(legal_at, stock_at)) if legal_at or stock_at else gated
        for done, i in enumerate(at):
            if done % 256 == 255:
                deadline.check()
            text, words = texts[i], c.n_words[i]
            head = line_head(text) if words <= 40 or residue[i] >= 0.5 or timed[i] else "\x00"
            flags[i] = _line_rule(text, lows[i], head, c, i, phrases, legal_at.get(i, 0), stock_at.get(i, 0))
    else:
        _line_rules(texts, lows, c, phrases, legal_at, stock_at, flags, deadline)
    prose = _prose_mask(c, flags)
    if has_unpunctuated(whole):  # Thai, Lao: long running text, with few spaces, is prose too
        prose = [is_prose or (flag is None and not (timed[i] or residue[i] >= 0.5) and bool(c.terminal[i])
                              and ends_running_text(texts[i]))
                 for i, (is_prose, flag) in enumerate(zip(prose, flags, strict=True))]
    if not any(prose):
        return [flag or _decision("main", "no_body_found") for flag in flags]
    doc = _Doc(blocks, c, flags, prose, *(runs or _headline_runs(blocks, c)), opts)

    regions = _body_regions(doc)
    deadline.check()
    decisions: list[Decision | None] = [None] * n
    listy, bullet = c.listy, c.bullet
    for start, end in regions:
        for i in range(start, end + 1):
            flag = flags[i]
            if flag is not None:
                decisions[i] = flag
            elif listy[i] and not bullet[i]:  # _inside_body's only case that is not plain body
                decisions[i] = _inside_body(doc, i)
            else:
                decisions[i] = _MAIN_BODY
    for (_, end), (start, _) in pairwise(regions):
        for i in range(end + 1, start):  # between two parts of the body
            decisions[i] = flags[i] or _between(doc, i)
    _label_head(doc, decisions, regions[0][0])
    _label_tail(doc, decisions, regions[-1][1])
    return [d or _OUTSIDE_BODY for d in decisions]


# -- pass 1: line rules -------------------------------------------------------------------------


def _line_rules(
    texts: list[str], lows: list[str], c: Columns, phrases: TextPhrases, legal_at: dict[int, int],
    stock_at: dict[int, int], flags: list[Decision | None], deadline: Deadline,
) -> None:
    """The line rules' verdicts (into ``flags``) of the lines that may match one."""
    heads = phrases.head_keys
    every_head = "" in heads
    residue, timed = c.html_residue, c.leading_time
    for i, (text, words) in enumerate(zip(texts, c.n_words, strict=True)):
        if i % 256 == 255:
            deadline.check()
        # most lines can match no line rule: only short lines, lines that start like a prefix
        # phrase, lines with a trigger word, markup or a time stamp are looked at
        if words <= 10 or residue[i] >= 0.5 or timed[i]:
            head = line_head(text)
        elif words > 80:
            continue
        else:
            head = line_head(text) if words <= 40 else "\x00"
            if not (words <= 40 and (every_head or head in heads)) and i not in legal_at and i not in stock_at:
                continue
        flags[i] = _line_rule(text, lows[i], head, c, i, phrases, legal_at.get(i, 0), stock_at.get(i, 0))


def _line_rule(
    text: str, low: str, head: str, c: Columns, i: int, phrases: TextPhrases, legal: int, stock: int,
) -> Decision | None:
    """A verdict from the line alone, or None. ``low``: the line in lower case; ``head``: its
    :func:`line_head`; ``legal`` and ``stock``: not 0 when the line holds a trigger substring of
    those phrase lists (usually not): the bits of the triggers it holds (:func:`_trigger_lines`)."""
    words = c.n_words[i]
    if c.html_residue[i] >= 0.5 and (words <= 12 or not c.terminal[i]):
        return _decision("residue", "html_residue")
    if c.leading_time[i] and c.run_len[i] >= 3 and c.run_time_share[i] >= 0.5:
        return _decision("headline_list", "ticker_run")
    if words > 80:
        return None
    if legal or stock:
        if legal:
            if _has_phrase(text, low, _literals_for("legal", legal), phrases.legal_folds) or \
                    phrases.legal_patterns.search(text):
                return _decision("legal", "legal_phrase")
            if words <= 12 and _has_phrase(text, low, _literals_for("weak", legal), phrases.legal_weak_folds):
                return _decision("legal", "legal_link")
        if words <= 50 and stock and _has_phrase(text, low, _literals_for("stock", stock), phrases.stock_folds):
            return _decision("boilerplate", "stock_phrase")
    if words > 40:
        return None
    if words <= _CTA_MAX_WORDS and phrases.call_to_action.search_low(text, low):
        return _decision("boilerplate", "call_to_action")
    if words <= 10 and phrases.dateline.match_head(text, head) and _DIGIT_RE.search(text):
        return _decision("boilerplate", "dateline")
    if words <= 6 and " ".join(low.strip(" .:!|·•-–—>»›").split()) in phrases.boilerplate_lines:
        return _decision("boilerplate", "boilerplate_phrase")
    if words <= 10 and _is_share_line(low, phrases):
        return _decision("share", "share_line")
    if _is_promo(text, head, c, i, phrases):
        return _decision("promo", "promo_phrase")
    contact = _contact_kind(text, head, c, i, phrases)
    if contact:
        return _decision("byline", contact)
    if c.relative_time[i] and words <= 8:
        return _decision("boilerplate", "relative_time")
    return None


def _trigger_lines(
    lows: list[str], n_words: list[float], phrases: TextPhrases, low_doc: str | None = None,
) -> tuple[dict[int, int], dict[int, int]]:
    """The lines of up to 80 words (the phrase lists apply to those lines only) holding a trigger of
    the legal phrases and of the stock phrases, each with the bits of the triggers it holds (legal
    then stock triggers; -1: not known, any of them). One pass of an Aho-Corasick automaton in C
    over those lines when the extension is built. ``low_doc``: ``lows`` joined by line breaks, when
    the caller has it."""
    automaton = phrases.trigger_automaton
    if _compiled is None or automaton is None:
        whole = "\n".join([low for low, w in zip(lows, n_words, strict=True) if w <= 80])
        legal = tuple(t for t in phrases.legal_triggers if t in whole)
        stock = tuple(t for t in phrases.stock_triggers if t in whole)
        whole_all = "\n".join(lows)
        return ({i: -1 for i in _lines_with(whole_all, legal, lows) if n_words[i] <= 80},
                {i: -1 for i in _lines_with(whole_all, stock, lows) if n_words[i] <= 80})
    doc = "\n".join(lows) if low_doc is None else low_doc
    compact = phrases.compact_automaton
    if compact is not None and _compact_masks is not None:  # a small table; lines over 80 words skipped
        masks: list[int] = _compact_masks.line_masks_compact(compact[0], compact[1], automaton[1], doc, len(lows),
                                                             n_words, 80.0)
    elif _str_masks is not None:  # the str walked as its UTF-8 bytes in C, without encoding it first
        masks = _str_masks.line_masks_text(automaton[0], automaton[1], doc, len(lows))
    else:
        masks = _compiled.line_masks(automaton[0], automaton[1], doc.encode("utf-8", "surrogatepass"), len(lows))
    present = 0
    for mask, words in zip(masks, n_words, strict=True):
        if words <= 80:
            present |= mask
    legal_bits = present & ((1 << len(phrases.legal_triggers)) - 1)
    stock_bits = present & ~legal_bits
    return (
        {i: mask for i, mask in enumerate(masks) if mask & legal_bits and n_words[i] <= 80} if legal_bits else {},
        {i: mask for i, mask in enumerate(masks) if mask & stock_bits and n_words[i] <= 80} if stock_bits else {},
    )


@lru_cache(maxsize=1024)
def _literals_for(kind: str, mask: int) -> tuple[str, ...]:
    """The plain phrases (``kind``: legal, weak legal or stock) a line holding the triggers of
    ``mask`` (bits of the legal then stock triggers; -1: any) can hold: those with one of its
    triggers, and those with none at all. A phrase in the line brings its triggers along, so the
    substring test over these says what the test over all of them says."""
    ph = text_phrases()
    literals = {"legal": ph.legal_literals, "weak": ph.legal_weak_literals, "stock": ph.stock_literals}[kind]
    if mask < 0:
        return literals
    triggers = ph.legal_triggers + ph.stock_triggers
    return tuple(p for p in literals if not any(t in p for t in triggers)
                 or any(mask >> k & 1 and t in p for k, t in enumerate(triggers)))


def _automaton(needles: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """An Aho-Corasick automaton over the UTF-8 bytes of up to 64 needles (a substring of a text is a
    substring of its UTF-8 bytes and back): a full transition table (state * 256 + byte -> state)
    and per state the bits of the needles that end there. None for more needles or an empty one."""
    if len(needles) > 64 or not all(needles):
        return None
    children: list[dict[int, int]] = [{}]
    found = [0]
    for k, needle in enumerate(needles):
        state = 0
        for byte in needle.encode("utf-8", "surrogatepass"):
            nxt = children[state].get(byte)
            if nxt is None:
                nxt = len(children)
                children[state][byte] = nxt
                children.append({})
                found.append(0)
            state = nxt
        found[state] |= 1 << k
    table = np.zeros((len(children), 256), dtype=np.int32)
    fail = [0] * len(children)
    queue: deque[int] = deque()
    for byte, child in children[0].items():
        table[0, byte] = child
        queue.append(child)
    while queue:  # breadth first: a state's fallback is shallower, so complete before it is read
        state = queue.popleft()
        table[state] = table[fail[state]]
        for byte, child in children[state].items():
            table[state, byte] = child
            fail[child] = int(table[fail[state], byte])
            found[child] |= found[fail[child]]
            queue.append(child)
    return table.ravel(), np.array(found, dtype=np.uint64)


def _compact(automaton: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The automaton's transitions with byte classes: (int16 table, state * classes + class -> state;
    uint8 class of each byte). The bytes that lead every state back to the start (those no needle
    holds) share class 0; None when the states do not fit int16 or the classes a byte."""
    if automaton is None:
        return None
    table = automaton[0].reshape(-1, 256)
    used = np.flatnonzero(table.any(axis=0))
    if len(table) >= 1 << 15 or len(used) > 254:
        return None
    classes = np.zeros(256, dtype=np.uint8)
    classes[used] = np.arange(1, len(used) + 1)
    compact = np.zeros((len(table), len(used) + 1), dtype=np.int16)
    compact[:, 1:] = table[:, used]
    return compact.ravel(), classes


def _lines_with(doc: str, needles: tuple[str, ...], lines: Sequence[str]) -> set[int]:
    """Indices of the lines (``doc`` is ``lines`` joined by line breaks) holding one of the needles."""
    if not needles:
        return set()
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    out = set()
    for needle in needles:
        k = doc.find(needle)
        while k >= 0:
            out.add(bisect_right(starts, k) - 1)
            k = doc.find(needle, k + 1)
    return out


def _has_phrase(text: str, low: str, literals: tuple[str, ...], folds: tuple[str, ...]) -> bool:
    """One of the plain phrases occurs in the line, case-insensitively as ``re.IGNORECASE`` matches. A
    substring test on the lower-cased line decides for ASCII text; elsewhere (where lower() and
    case-insensitive matching can differ, as for "İ", "ı" or "ς") the phrases' :func:`_fold` in the
    line's: two strings match case-insensitively, character by character, exactly when their folds
    are equal (the fold is the lower case with ``re``'s case equivalences made one), so this is the
    phrase pattern's search without its cost."""
    if any(p in low for p in literals):
        return True
    if text.isascii():
        return False
    folded = _fold(text)
    return any(f in folded for f in folds)


def _is_share_line(low: str, phrases: TextPhrases) -> bool:
    """Every word of the (lower-cased) line is a share/social word."""
    share = phrases.share_words
    head = low.split(None, 1)
    if head and head[0].isalpha() and head[0] not in share and head[0] not in phrases.share_heads:
        return False  # no share word, and no share phrase starts with it (the common case, without the join)
    norm = " ".join(low.split())
    if norm in share:
        return True
    first = norm.partition(" ")[0]
    if first.isalpha() and first not in share:
        return False  # a first word that is no share word (the common case, decided without the split)
    tokens = [t for t in _SPLIT_RE.split(norm) if t and not t.isdigit()]
    return bool(tokens) and share.issuperset(tokens) and not _WEAK_SHARE.issuperset(tokens)


_WEAK_SHARE = frozenset({"on", "like", "line", "x", "del", "save", "mail"})
"""Share words that, alone, make no share line ("Like", "Save", "Line")."""


def _is_promo(text: str, head: str, c: Columns, i: int, phrases: TextPhrases) -> bool:
    m = phrases.promo.match_head(text, head)
    if not m:
        return False
    rest = text[m.end() :].strip()
    if not rest or rest[0] in _SEPARATORS:
        return True
    return not c.terminal[i] and c.n_words[i] <= 20 and rest[:1].isupper()


def _contact_kind(text: str, head: str, c: Columns, i: int, phrases: TextPhrases) -> str | None:
    words = c.n_words[i]
    if words > 30 or c.n_chars[i] > 400:
        return None
    m = phrases.byline.match_head(text, head)
    if m and byline_names(text, phrases):
        return "byline"
    m = phrases.contact.match_head(text, head)
    if m:
        rest = text[m.end() :].lstrip()
        phrase = text[: m.end()].lower()
        if phrase.rstrip().endswith(" by") or c.n_emails[i] or c.n_urls[i]:
            return "contact_line"
        if rest[:1] in ":：" and words <= 15:
            return "contact_line"
    return None


def byline_names(text: str, phrases: TextPhrases | None = None) -> list[str]:
    """The person names in a byline or contact line ("By A and B", "Write to A at a@x.com"), or []."""
    ph = phrases or text_phrases()
    text = text[:400]
    m = ph.byline.match(text) or ph.contact.match(text)
    rest = text[m.end() :] if m else text
    rest = ph.byline_glue.sub("", rest.strip().lstrip(":：").strip())
    rest = re.split(r"\s+[|•·]\s+|\s+[-–—]\s+|\s*\d", rest, maxsplit=1)[0]
    rest = _EMAIL_RE.sub(" ", rest)
    names: list[str] = []
    for raw_part in ph.name_joiners.split(rest):
        words = raw_part.strip(" .,;:").split()
        while words and words[-1][:1].islower() and words[-1].lower() not in ph.name_particles:
            words.pop()  # "Write to A at", "Schreiben Sie an A unter": the words after the name
        part = " ".join(words).strip(" .,;:")
        if _is_name(part, ph.name_particles):
            names.append(part)
        elif part:
            break
    return names


def _is_name(part: str, particles: frozenset[str]) -> bool:
    if not part or len(part) > 60:
        return False
    if _CJK_NAME_RE.fullmatch(part):
        return True
    words = part.split()
    if not 2 <= len(words) <= 5:
        return False  # one capitalised word after "By" is more often a heading ("By Region")
    caps = [w for w in words if w.lower() not in particles]
    return bool(caps) and all((_WORDS_RE.fullmatch(w) and w[0].isupper()) or _caseless_word(w) for w in caps)


def _caseless_word(word: str) -> bool:
    """A word of a script without capitals (Arabic, Hebrew, Devanagari, Thai ...): a letter that is
    neither upper- nor lower-case (category Lo) followed by letters and their marks (vowel signs)."""
    return unicodedata.category(word[0]) == "Lo" and all(unicodedata.category(ch)[0] in "LM" for ch in word)


# -- pass 2: the body ---------------------------------------------------------------------------


def _prose_mask(c: Columns, flags: Sequence[Decision | None]) -> list[bool]:
    """:func:`_is_prose` of every block no line rule caught, in one pass over the columns."""
    return [
        flag is None and not (time or residue >= 0.5)
        and ((terminal and words >= (20 if cjk > 0.3 else 12)) or words >= 50)
        for flag, time, residue, terminal, words, cjk in zip(
            flags, c.leading_time, c.html_residue, c.terminal, c.n_words, c.cjk_ratio, strict=True)
    ]


def _is_prose(c: Columns, i: int) -> bool:
    if c.leading_time[i] or c.html_residue[i] >= 0.5:
        return False
    long_words = 20 if c.cjk_ratio[i] > 0.3 else 12
    return bool((c.terminal[i] and c.n_words[i] >= long_words) or c.n_words[i] >= 50)


_BREAKERS = frozenset({"ticker_run", "legal_phrase"})


def _breaks(doc: _Doc, k: int) -> bool:
    """Hard boilerplate: a ticker, a legal line, or a promo header over a list."""
    flag = doc.flags[k]
    if flag is None:
        return False
    if flag.reason == "promo_phrase":
        return doc.c.run_len[k] >= 2
    return flag.reason in _BREAKERS


def _body_regions(doc: _Doc) -> list[tuple[int, int]]:
    """Spans of the body. Prose blocks form runs; a run ends at hard boilerplate (residue, tickers,
    legal lines, promo headers over lists) or at a long list. The biggest run is the body; another run joins when its
    words fit the biggest (less strictly when only a list separates them)."""
    blocks = doc.blocks
    clusters: list[list[int]] = []
    hard: list[bool] = []  # hard[c]: boilerplate separates cluster c from cluster c-1
    last = -1
    for i, is_prose in enumerate(doc.prose):
        if not is_prose:
            continue
        if clusters and last + 1 == i:  # nothing in between: the run goes on
            clusters[-1].append(i)
            last = i
            continue
        gap = range(last + 1, i)
        broken = any(_breaks(doc, k) for k in gap)
        # (a gap of fewer than 12 blocks is no long list)
        if clusters and not broken and (len(gap) < 12 or not _long_list(doc, gap)):
            clusters[-1].append(i)
        else:
            clusters.append([i])
            hard.append(broken)
        last = i
    if len(clusters) == 1:
        return [(clusters[0][0], clusters[0][-1])]
    sizes = [sum(doc.c.n_chars[k] for k in c) for c in clusters]
    best = max(range(len(clusters)), key=lambda c: sizes[c])
    stop = text_vocabulary().stopwords
    # a cluster's words: content_tokens of its blocks joined by line breaks (no word and no CJK run
    # spans a line break: the union of its blocks' tokens, in one pass)
    vocab = content_token_set("\n".join([blocks[k].text for k in clusters[best]]), stop)
    chosen = []
    for c, members in enumerate(clusters):
        if c == best:
            chosen.append(c)
            continue
        toks = content_token_set("\n".join([blocks[k].text for k in members]), stop)
        overlap = len(toks & vocab) / len(toks) if toks else 0.0
        separated = any(hard[j] for j in range(min(c, best) + 1, max(c, best) + 1))
        need = (0.2 if separated else 0.08) + (0.15 if sizes[c] < 0.1 * sizes[best] else 0.0)
        if overlap >= need:
            chosen.append(c)
    return [(clusters[c][0], clusters[c][-1]) for c in chosen]


def _long_list(doc: _Doc, gap: range) -> bool:
    """Many short unpunctuated lines between two prose blocks: a list that is not part of the text
    (many lines that do not fit the topic, or very many lines)."""
    listy = [k for k in gap if doc.flags[k] is None and doc.c.listy[k]]
    if len(listy) >= 30:
        return True
    return len(listy) >= 12 and sum(doc.c.topic_fit[k] for k in listy) / len(listy) < 0.25


def _inside_body(doc: _Doc, i: int) -> Decision:
    """Inside the body everything stays, except the list right under a promo header ("Related:")."""
    c = doc.c
    if c.listy[i] and not c.bullet[i]:
        for k in range(i - 1, max(-1, i - 12), -1):
            flag = doc.flags[k]
            if flag is not None and flag.reason == "promo_phrase" and c.run_len[k] >= 2:
                return _decision("headline_list", "after_promo_header")
            if flag is not None or not c.listy[k]:
                break
    return _MAIN_BODY


_MAIN_BODY = Decision("main", "body")
"""One decision for every plain block of the body (decisions are frozen: one instance serves all)."""
_OUTSIDE_BODY = Decision("boilerplate", "outside_body")


def _between(doc: _Doc, i: int) -> Decision:
    """Between two parts of the body: lists of headlines go, other lines stay when they fit."""
    c = doc.c
    if doc.headline_run[i]:
        return _decision("headline_list", "headline_run")
    if doc.headline_title_run[i]:
        return _decision("headline_list", "title_case_run")
    if doc.prose[i]:
        return _decision("boilerplate", "offtopic_prose")
    if _fits(c, i, doc.opts) or c.bullet[i] or not c.repeated[i]:
        return _decision("main", "between_fit")
    return _decision("navigation" if c.listy[i] else "boilerplate", "between_parts")


def _headline_like(text: str, c: Columns, i: int) -> bool:
    """A headline in a list: a few words, no bullet, no table cells, not a number row."""
    words = c.n_words[i]
    if c.bullet[i] or " | " in text or "\t" in text or c.digit_ratio[i] >= 0.2:
        return False
    if c.cjk_ratio[i] > 0.3:
        return 6 <= words <= 60
    return 4 <= words <= 40 and (c.title_case[i] >= 0.5 or not c.terminal[i])


def _headline_like_mask(blocks: Sequence[Block], c: Columns) -> list[bool]:
    """:func:`_headline_like` of every block, in one pass over the columns."""
    return [
        not (bullet or digits >= 0.2 or " | " in b.text or "\t" in b.text)
        and (6 <= words <= 60 if cjk > 0.3 else 4 <= words <= 40 and (title >= 0.5 or not terminal))
        for b, words, bullet, digits, cjk, title, terminal in zip(
            blocks, c.n_words, c.bullet, c.digit_ratio, c.cjk_ratio, c.title_case, c.terminal, strict=True)
    ]


def _headline_runs(blocks: Sequence[Block], c: Columns) -> tuple[list[bool], list[bool]]:
    """Runs of 3+ headline-like lines: those that, on average, do not fit the body's topic; and
    those whose words are mostly capitalised."""
    like = _headline_like_mask(blocks, c)
    offtopic = [False] * len(blocks)
    titled = [False] * len(blocks)
    i = 0
    while i < len(blocks):
        if not like[i]:
            i += 1
            continue
        j = i
        while j < len(blocks) and like[j]:
            j += 1
        if j - i >= 3:
            span = range(i, j)
            if sum(c.topic_fit[k] for k in span) / (j - i) < _OFFTOPIC_FIT:
                offtopic[i:j] = [True] * (j - i)
            if sum(c.title_case[k] for k in span) / (j - i) >= 0.6:
                titled[i:j] = [True] * (j - i)
        i = j
    return offtopic, titled


# -- pass 3: around the body --------------------------------------------------------------------


def _titleish(text: str, c: Columns, i: int) -> bool:
    text = text.rstrip()
    if c.leading_time[i] or c.ends_with_colon[i] or c.n_urls[i] or c.n_emails[i] or c.bullet[i]:
        return False
    if c.digit_ratio[i] >= 0.3:
        return False
    if text.endswith((".", "。")) and not text.endswith("..."):
        return False
    if c.terminal[i] and c.title_case[i] < 0.5 and c.cjk_ratio[i] <= 0.3:
        return False  # a question or exclamation in sentence case is a sentence, not a headline
    if c.cjk_ratio[i] > 0.3:
        return 4 <= c.n_words[i] <= 50
    if has_unpunctuated(text[-1]):  # Thai, Lao: no spaces between words, a title may have none
        return c.n_words[i] <= 20 and len(text) >= _UNSPACED_TITLE_MIN_CHARS
    return 2 <= c.n_words[i] <= 20


def _label_head(doc: _Doc, decisions: list[Decision | None], first: int) -> None:
    """Before the body: the title line, bylines, navigation; other lines stay when they fit."""
    blocks, flags, c = doc.blocks, doc.flags, doc.c
    title = None
    for k in range(first - 1, max(-1, first - 9), -1):
        if flags[k] is not None or (c.n_words[k] <= 6 and c.digit_ratio[k] >= 0.15):
            continue  # bylines, dates, share lines sit between title and body
        if _titleish(blocks[k].text, c, k):
            title = k
        break
    if title is None and first > 0 and flags[0] is None and _titleish(blocks[0].text, c, 0):
        title = 0
    for k in range(first):
        if flags[k] is not None:
            decisions[k] = flags[k]
        elif k == title:
            decisions[k] = _decision("title", "title_line")
        elif doc.prose[k]:
            decisions[k] = _decision("boilerplate", "offtopic_prose")
        elif title is not None and k < title:
            decisions[k] = _decision("navigation" if c.listy[k] else "boilerplate", "before_title")
        elif doc.headline_run[k]:
            decisions[k] = _decision("headline_list", "headline_run")
        elif _fits(c, k, doc.opts) and not (c.listy[k] and c.run_len[k] >= 3 and c.n_words[k] <= 4 and title is None):
            decisions[k] = _decision("main", "near_body")
        else:
            decisions[k] = _decision("navigation" if c.listy[k] else "boilerplate", "before_body")


_NEED = {"precision": 0.5, "balanced": 0.3, "recall": 0.15}


def _fits(c: Columns, i: int, opts: Options) -> bool:
    """The line shares enough content words with the body (how many: ``opts.focus``)."""
    need = _NEED[opts.focus]
    if c.repeated[i] and c.listy[i]:
        return False
    if c.n_content[i] < 2 and not c.terminal[i]:
        return False  # one-word lines ("Paris", "More") carry no evidence of belonging
    fit = c.topic_fit[i]
    return bool(fit >= need or (c.terminal[i] and c.n_words[i] >= 6 and fit >= need / 2))


def _label_tail(doc: _Doc, decisions: list[Decision | None], last: int) -> None:
    """After the body. Until the first line caught by a line rule (contact line, promo, residue ...)
    lines stay unless they are a headline list; after it only lines that fit the topic stay, and a
    header ending with a colon ("Football news:") marks the list below it."""
    blocks, flags, c = doc.blocks, doc.flags, doc.c
    strict = doc.opts.focus == "precision"
    in_list = False
    for k in range(last + 1, len(blocks)):
        flag = flags[k]
        if flag is not None:
            decisions[k] = flag
            strict = True
            in_list = in_list or flag.label == "promo"
            continue
        if doc.prose[k]:
            in_list = False
            ok = _fits(c, k, doc.opts) if strict else True
            decisions[k] = _decision("main", "after_body") if ok else _decision("boilerplate", "offtopic_prose")
        elif c.ends_with_colon[k] and c.n_words[k] <= 8 and _list_follows(doc, k):
            in_list = strict = True
            decisions[k] = _decision("navigation", "section_header")
        elif in_list and (c.listy[k] or c.n_words[k] <= 40):
            decisions[k] = _decision("headline_list", "after_section_header")
        elif doc.headline_run[k]:
            strict = True
            decisions[k] = _decision("headline_list", "headline_run")
        elif (not strict and _plausible(c, k)) or _fits(c, k, doc.opts):
            decisions[k] = _decision("main", "after_body")
        else:
            decisions[k] = _decision("navigation" if c.listy[k] else "boilerplate", "after_body")


def _plausible(c: Columns, i: int) -> bool:
    """Could belong to the text: a sentence, a bullet, or a line with words of substance."""
    if c.listy[i] and c.repeated[i]:
        return False
    return bool(c.terminal[i] or c.bullet[i] or c.n_content[i] >= 3)


def _list_follows(doc: _Doc, k: int) -> bool:
    """The next block that is not residue is a short line, or a ticker."""
    for j in range(k + 1, min(len(doc.blocks), k + 4)):
        flag = doc.flags[j]
        if flag is not None and flag.reason == "html_residue":
            continue
        return bool(doc.c.listy[j] or (flag is not None and flag.reason == "ticker_run"))
    return False
