"""The page title chosen among its candidates by a small learned ranker.

Candidates are the values the page offers for its own name: ``og:title``, ``twitter:title``,
``<title>``, JSON-LD ``headline``/``name`` (each whole, and each part between separators such as
``" | "``), the ``<h1>`` elements and the first ``<h2>``. Values that read the same (lower-cased
``\\w+`` words) are one candidate, described by where it appears and how it relates to the others
(:func:`candidates`). A gradient-boosted model (``data/title_model.json``, trained by
``training/train_metadata_model.py`` with domain-grouped folds, walked with
``thresher.classify.trees``) scores each candidate; the best one wins when it beats the rule's
choice (``thresher.metadata.html``), which is itself a feature.

Nothing here is site-specific: the model sees only where a value comes from, its shape, where the
page text shows it, whether a date is written beside it (a headline has one; a slogan or a section
name does not), how deep in its site the page stands, and its agreement with the other values.
The model file holds several rankers trained with different seeds; their scores are averaged.

Measured out of fold (domain-grouped, ``benchmarks/metadata.py --title-folds``): exact titles
0.829 / 0.830 on the two halves of WCXB dev against 0.802 / 0.813 for the rules alone (0.823 / 0.828
before the training weighed each page by its domain's share, 0.818 / 0.829 before the date and URL
features). Most of what is left is the truth itself: where ``<title>`` and
``<h1>`` differ, annotators took one or the other with nothing on the page to tell which (tried
without gain: parts of ``<title>`` without the site's name, or without its last part, as more
candidates; agreement with the URL's words; ``og:type``; the ``<h1>`` inside ``<header>``/``<nav>``
or ``<main>``/``<article>``; a byline beside a candidate; how much prose follows it; letter case;
smaller trees; a lambdarank objective; a value ending like a sentence or a slogan, the number of
sentences in it; the page text's length; whether the page names an author, how many dates it
writes; the domain's own label of a sub-domain host as the site's name; in 2026-11 again, with
ensembles over several seeds: the ``<title>`` or ``og:title`` with only its site-naming end parts cut
(``"A - B | Site"`` -> ``"A - B"``: the true title among the candidates on 10 more pages, 3 fewer
right); a candidate being a word-prefix of the ``<h1>`` or of another stated value, or extending one;
the candidate written as a whole line of the page text, as a link's text, as the last item of a
JSON-LD ``BreadcrumbList``; its words shared with the meta description or the top of the page text;
dropping the page-level or the ``<h2>`` features; 400 or 800 rounds, 7 or 31 leaves, other
``min_data_in_leaf`` or L2; even WCXB's own page type given as a feature: all within the ±5 pages
that seeds move). Of the 255 pages missed out of fold (2026-11-27), 220 have the true title among
the candidates: 107 of them the ``<h1>`` where the truth is the ``<title>`` or ``og:title`` only, or
the reverse (62 / 45), 94 a value where the truth is a part of it or it a part of the truth (the
site's name or a second clause kept or dropped: 41 / 53), 19 other; of the 35 whose truth is no
candidate, 27 are a stretch of a longer candidate (the ``<title>`` without the site's name, a
product's ``<h1>`` without its variant) and 8 are written nowhere as such.
Ensembles of 9 seeds instead of 3: 0.829 / 0.829 (2026-11-28). The ``<h1>`` read with no space
between its elements (``Planning C<span>ycle</span>``) matches the truth on 1 page and loses it on 6
(one element per word or line: ``Data AnalyticsAgency``).

Values whose UTF-8 was read as Latin-1 (``Investorâ€™s``) are read again (:func:`repair`). The model
file also carries the date ranker (``thresher.metadata.dates``) under its ``date`` key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from thresher.classify.trees import Trees
from thresher.model_files import read_model_file

MODEL_RESOURCE = "data/title_model.json"

SOURCES = ("og", "twitter", "title", "jsonld_headline", "jsonld_name", "h1", "h2")
"""Where a candidate comes from; each gives the features ``<source>_whole`` (the whole value),
``<source>_first`` (its first part) and ``<source>_later`` (a later part)."""

PAGE_TYPES = ("article", "product", "collection", "listing", "service", "documentation", "forum")

TEXT_WINDOW = 30_000
"""Characters of page text searched for a candidate (where a page shows its title: near the top)."""
DATE_WINDOW = 60_000
"""Characters of page text searched for a candidate when looking for a date beside it."""
DATE_BEFORE = 400
"""Characters of page text before a candidate searched for a written date."""
DATE_AFTER = 600
"""Characters of page text after a candidate searched for a written date."""

_KINDS = ("_whole", "_first", "_later")
_TITLE_SEP = re.compile(r"\s+[|\-–—·•»/:]\s+|\s*[|·•»]\s*")
_WORD = re.compile(r"\w+")
_EDGE = " |-–—·•»/:"
"""Separators left at either end of a value (``"| Site"``) are not part of it."""


def fold(value: str) -> str:
    """The words of ``value``, lower-cased: how the reference scorer compares titles."""
    return " ".join(_WORD.findall(value.lower()))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value offered as the title, with the places that offer it."""

    text: str
    key: str
    """:func:`fold` of ``text``."""
    flags: dict[str, float] = field(default_factory=dict)


def _names() -> list[str]:
    names = [f"{s}{k}" for s in SOURCES for k in _KINDS]
    names += ["h1_index", "n_sources", "n_places", "words", "chars", "part_index", "n_parts",
              "names_site", "has_site_words", "upper_share", "is_rule", "rule_overlap", "h1_overlap",
              "og_overlap", "title_overlap", "longest_share", "contains_rule", "inside_rule",
              "page_has_h1", "page_n_h1", "page_n_candidates", "page_title_parts", "page_og_parts",
              "og_is_title", "has_digit", "has_year", "h1_equals_og_first", "in_text", "text_at",
              "text_count", "h1_date", "cand_date", "url_depth", "url_root"]
    names += [f"type_{t}" for t in PAGE_TYPES]
    return names


FEATURES: tuple[str, ...] = tuple(_names())


def _split(value: str) -> list[str]:
    return [p.strip() for p in _TITLE_SEP.split(value) if p.strip()]


_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u20ac\u201a-\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


def repair(value: str) -> str:
    """A value whose UTF-8 bytes were read as Latin-1 or Windows-1252 (``Investorâ€™s``) read again
    as UTF-8 (``Investor’s``); any other value unchanged."""
    if not _MOJIBAKE.search(value):
        return value
    for codec in ("latin-1", "cp1252"):
        try:
            return value.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return value


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_DIGIT = re.compile(r"\d")


def candidates(
    stated: Sequence[tuple[str, str]],
    headings: Sequence[str],
    second: str | None,
    rule: str | None,
    names_site: Callable[[str], bool],
    site: str | None,
    page_type: str | None,
    text: str = "",
    url: str | None = None,
    dated: Callable[[str], bool] | None = None,
) -> tuple[list[Candidate], np.ndarray]:
    """The distinct candidate values and their feature rows (columns :data:`FEATURES`).

    ``stated``: (source, raw value) with source one of :data:`SOURCES` other than ``h1``/``h2``;
    ``headings``: the ``<h1>`` texts in page order; ``second``: the first ``<h2>``; ``rule``: the
    rule's title; ``names_site``: whether a part names the site; ``text``: the page text (where the
    page shows a candidate); ``url``: the page's address (how deep in its site it stands);
    ``dated``: whether a stretch of page text holds a written date (``thresher.metadata.dates``),
    which tells a headline (a date beside it) from a slogan or a section name."""
    by_key: dict[str, Candidate] = {}
    parts_of: dict[str, int] = {}

    def add(text: str, flag: str, part_index: int, n_parts: int) -> None:
        text = repair(text).strip(_EDGE)
        key = fold(text)
        if not key or len(text) > 300:
            return
        cand = by_key.get(key)
        if cand is None:
            cand = by_key[key] = Candidate(text=text, key=key)
            cand.flags["part_index"] = float(part_index)
            cand.flags["n_parts"] = float(n_parts)
        cand.flags[flag] = 1.0
        cand.flags["n_places"] = cand.flags.get("n_places", 0.0) + 1.0
        cand.flags["part_index"] = min(cand.flags["part_index"], float(part_index))

    for source, raw in stated:
        parts = _split(raw)
        parts_of.setdefault(source, len(parts))
        add(raw, f"{source}_whole", 0, len(parts))
        if len(parts) > 1:
            for i, part in enumerate(parts):
                add(part, f"{source}_first" if i == 0 else f"{source}_later", i, len(parts))
    for i, heading in enumerate(headings):
        add(heading, "h1_whole" if i == 0 else "h1_later", i, 1)
        key = fold(heading)
        if key in by_key:
            by_key[key].flags.setdefault("h1_index", float(i + 1))
    if second:
        add(second, "h2_whole", 0, 1)
    if not by_key:
        return [], np.zeros((0, len(FEATURES)))
    cands = list(by_key.values())
    rule_key = fold(rule) if rule else ""
    h1_key = fold(headings[0]) if headings else ""
    og_key = fold(next((v for s, v in stated if s == "og"), ""))
    title_key = fold(next((v for s, v in stated if s == "title"), ""))
    og_raw = next((v for s, v in stated if s == "og"), "")
    og_first = fold((_split(og_raw) or [""])[0]) if og_raw else ""
    longest = max(len(c.key) for c in cands)
    site_words = set(fold(site).split()) if site else set()
    page = {
        "page_has_h1": float(bool(headings)), "page_n_h1": float(len(headings)),
        "page_n_candidates": float(len(cands)), "page_title_parts": float(parts_of.get("title", 0)),
        "page_og_parts": float(parts_of.get("og", 0)), "og_is_title": float(bool(og_key) and og_key == title_key),
        "h1_equals_og_first": float(bool(h1_key) and h1_key == og_first),
    }
    if page_type in PAGE_TYPES:
        page[f"type_{page_type}"] = 1.0
    page.update(_url_features(url))
    shown_whole = text[:DATE_WINDOW]
    near: dict[str, float] = {}

    def date_near(value: str) -> float:
        """1 when the page text shows a date around ``value``, 0 when not, -1 when it does not show
        ``value``."""
        if value not in near:
            at = shown_whole.find(value) if value and dated is not None else -1
            near[value] = -1.0 if at < 0 or dated is None else float(
                dated(shown_whole[max(0, at - DATE_BEFORE): at + len(value) + DATE_AFTER]))
        return near[value]

    page["h1_date"] = date_near(headings[0]) if headings else -1.0
    rule_set, h1_set, og_set, title_set = (set(k.split()) for k in (rule_key, h1_key, og_key, title_key))
    shown = text[:TEXT_WINDOW]
    rows = []
    for cand in cands:
        f = dict(page)
        f.update(cand.flags)
        key = cand.key
        words = set(key.split())
        letters = [ch for ch in cand.text if ch.isalpha()]
        f["n_sources"] = float(len({k.rsplit("_", 1)[0] for k in cand.flags if k.endswith(_KINDS)}))
        f["words"] = float(len(key.split()))
        f["chars"] = float(len(cand.text))
        f["names_site"] = float(names_site(cand.text))
        f["has_site_words"] = float(bool(site_words & words))
        f["upper_share"] = sum(map(str.isupper, letters)) / len(letters) if letters else 0.0
        f["is_rule"] = float(key == rule_key)
        f["rule_overlap"] = _jaccard(words, rule_set)
        f["h1_overlap"] = _jaccard(words, h1_set)
        f["og_overlap"] = _jaccard(words, og_set)
        f["title_overlap"] = _jaccard(words, title_set)
        f["longest_share"] = len(key) / longest
        f["contains_rule"] = float(bool(rule_key) and rule_key in key and key != rule_key)
        f["inside_rule"] = float(bool(rule_key) and key in rule_key and key != rule_key)
        f["has_digit"] = float(_DIGIT.search(key) is not None)
        f["has_year"] = float(_YEAR.search(key) is not None)
        at = shown.find(cand.text) if shown else -1
        f["in_text"] = float(at >= 0)
        f["text_at"] = at / 1000 if at >= 0 else TEXT_WINDOW / 1000
        f["text_count"] = float(min(shown.count(cand.text), 5)) if at >= 0 else 0.0
        f["cand_date"] = date_near(cand.text)
        rows.append([f.get(name, 0.0) for name in FEATURES])
    x = np.array(rows, dtype=np.float64)
    return cands, x


def _url_features(url: str | None) -> dict[str, float]:
    """How deep in its site the page stands: ``url_depth`` (path segments, at most 5) and ``url_root``
    (the home page, whose title names the site rather than a headline). Without an address: an
    inner page."""
    if not url:
        return {"url_depth": 1.0, "url_root": 0.0}
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return {"url_depth": 1.0, "url_root": 0.0}
    depth = len([s for s in path.split("/") if s])
    return {"url_depth": float(min(depth, 5)), "url_root": float(depth == 0)}


class TitleModel:
    """A loaded title ranker: its trees (one model, or several averaged: ``models`` in the file) and
    the margin a candidate needs over the rule's choice."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        if tuple(payload["features"]) != FEATURES:
            raise ValueError("title model features do not match this version of thresher")
        dumps = payload.get("models") or [payload["model"]]
        self.trees = [Trees(str(dump)) for dump in dumps]
        self.margin = float(payload.get("margin", 0.0))

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Each candidate's score: the mean of the models' probabilities."""
        return np.mean([trees.predict(x) for trees in self.trees], axis=0)

    def choose(self, cands: Sequence[Candidate], x: np.ndarray) -> Candidate | None:
        """The best candidate, or None to keep the rule's choice."""
        if not len(cands):
            return None
        probs = self.scores(x)
        best = int(np.argmax(probs))
        rule = x[:, FEATURES.index("is_rule")] > 0
        if rule[best] or (rule.any() and probs[best] < float(probs[rule].max()) + self.margin):
            return None
        return cands[best]


@lru_cache(maxsize=8)
def model_payload(path: str | None = None) -> Mapping[str, Any] | None:
    """The parsed metadata model file: the packaged one, or the one at ``path`` (``"none"``: None).
    It holds the title ranker and, under ``date``, the date ranker (``metadata.dates``); parsed once."""
    raw = read_model_file(MODEL_RESOURCE, path)
    return json.loads(raw) if raw is not None else None


@lru_cache(maxsize=8)
def load_model(path: str | None = None) -> TitleModel | None:
    """The packaged title model (or the one at ``path``; ``"none"``: no model), loaded once per
    process; None when there is none."""
    payload = model_payload(path)
    return TitleModel(payload) if payload is not None else None
