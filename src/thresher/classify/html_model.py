"""The learned HTML block classifier: a LightGBM model over block features, stacked on the rules.

The model reads, per block: its own features (``thresher.segment.features``), those of its
neighbours, page-level context (page type, size), the rules' decision and how the rules treated the
other blocks sharing its tag path. It outputs the probability that the block is main content.
The model file ships inside the package (``data/html_model.json``) and loads once per process.

Which blocks are kept is decided per page from those probabilities, first mixed with the mean of
the block's sibling-path group (``region_mix``, :func:`group_mean`: a grid of cards or the posts of
a thread then tend to go together), by :func:`expected_f1_keep` (the set with the best expected word
F1); a text repeated on the page is kept once (:func:`drop_repeats`), and on a product page kept
customer reviews become comments (:func:`product_comments`). A second stage over the region
statistics of the first stage's probabilities (:class:`RegionModel`, :func:`region_columns`,
trained by training/html_stack.py) is supported but not shipped: out of fold it adds +0.001 to the
mix alone for about 1 ms a page. Two kinds of context columns are built here for models that name them:
the structure columns (:func:`structure_columns`: repeated sibling runs, container shares) and
page-type probabilities from a small page-level model shipped in the same file
(:class:`PageTypeModel`); out of fold neither has raised the score yet, so the shipped model reads
neither (see training/html_context_model.py). The page-shape columns (:func:`shape_columns`) and
the title-fit columns (:data:`TITLE_FIT_FEATURES`) are in the same state; the card-group columns of
:func:`topic_columns` (prices, how alike a repeated group and its records are, where they sit:
:data:`CARD_FEATURES`) are read by the shipped model (training/train_html_model.py ``CARDS``). A model
file may hold boosters trained with other seeds (``seed_models``): the block probability is then
their mean.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np

from thresher.classify.html_rules import hints_containing
from thresher.classify.trees import Trees
from thresher.compiled import function
from thresher.model import Block, Decision, Metadata
from thresher.model_files import read_model_file
from thresher.segment.features import WORD, feature_values

MODEL_RESOURCE = "data/html_model.json"
NEIGHBOUR_FEATURES = (
    "n_chars", "link_density", "sentence_end", "stopword_rate", "punct_rate", "is_heading",
    "is_list_item", "boilerplate_score", "content_score",
)
PAGE_TYPES = ("article", "forum", "product", "collection", "listing", "documentation", "service")
PAGE_TYPE_PREFIX = "pt_"
"""``pt_<type>``: the page-type model's probability that the block's page is of that type, the same
for every block of the page (see :class:`PageTypeModel`)."""
HINT_PREFIX = "h_"
"""Hint-token bag: ``h_<token>`` is 1 when the block or an ancestor carries that class/id/role token.
Which tokens the model reads is chosen at training time (tokens common across many domains)."""
RULE_LABELS = ("main", "title", "navigation", "comment", "headline_list", "promo", "share", "legal",
               "boilerplate", "caption", "byline")


def context_features(
    blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]
) -> list[dict[str, float]]:
    """Per block: own features plus neighbours, page context and the rules' view."""
    n = len(blocks)
    total_chars = sum(len(b.text) for b in blocks) or 1
    kept_chars = sum(len(b.text) for b, d in zip(blocks, rules, strict=True) if d.kept) or 0
    path_count: Counter[str] = Counter(b.path for b in blocks)
    path_kept: Counter[str] = Counter(b.path for b, d in zip(blocks, rules, strict=True) if d.kept)
    path_chars: Counter[str] = Counter()
    for b in blocks:
        path_chars[b.path] += len(b.text)
    page: dict[str, float] = {
        "page_n_blocks": float(n),
        "page_log_chars": math.log1p(total_chars),
        "page_rule_kept_share": kept_chars / total_chars,
    }
    for t in PAGE_TYPES:
        page["page_type_" + t] = 1.0 if metadata.page_type == t else 0.0
    struct = structure_columns(
        [b.path for b in blocks], np.array([len(b.text) for b in blocks], dtype=np.float64),
        np.array([b.features.get("link_density", 0.0) for b in blocks], dtype=np.float64),
        np.array([d.kept for d in rules], dtype=np.float64))
    shape = shape_columns([b.path for b in blocks], np.array([len(b.text) for b in blocks], dtype=np.float64),
                          np.array([b.features.get("link_density", 0.0) for b in blocks], dtype=np.float64),
                          [b.kind for b in blocks],
                          np.array([b.features.get("n_words", 0.0) for b in blocks], dtype=np.float64))
    topic = topic_columns([b.text for b in blocks], [b.path for b in blocks], rules, [b.kind for b in blocks],
                          [b.level for b in blocks], metadata.title, metadata.description)
    rows: list[dict[str, float]] = []
    for i, (b, d) in enumerate(zip(blocks, rules, strict=True)):
        row: dict[str, float] = dict(b.features)
        row.update(page)
        for name in TOPIC_FEATURES:
            row[name] = float(topic[name][i])
        for name in STRUCT_FEATURES:
            row[name] = float(struct[name][i])
        for name in SHAPE_FEATURES:
            row[name] = float(shape[name][i])
        for label in RULE_LABELS:
            row["rule_" + label] = 1.0 if d.label == label else 0.0
        row["path_blocks"] = float(path_count[b.path])
        row["path_kept_share"] = path_kept[b.path] / path_count[b.path]
        row["path_char_share"] = path_chars[b.path] / total_chars
        row["log_chars"] = math.log1p(len(b.text))
        for token in b.hints:
            row[HINT_PREFIX + token] = 1.0
        for offset, prefix in ((-1, "p1_"), (1, "n1_"), (-2, "p2_"), (2, "n2_")):
            j = i + offset
            other = blocks[j].features if 0 <= j < n else None
            for name in NEIGHBOUR_FEATURES:
                row[prefix + name] = float(other.get(name, 0.0)) if other is not None else -1.0
            row[prefix + "rule_main"] = (1.0 if rules[j].kept else 0.0) if 0 <= j < n else -1.0
        # Nearby kept text: a paragraph among kept paragraphs is more likely content.
        lo, hi = max(0, i - 5), min(n, i + 6)
        window = [k for k in range(lo, hi) if k != i]
        row["window_rule_kept"] = (
            sum(1 for k in window if rules[k].kept) / len(window) if window else 0.0
        )
        rows.append(row)
    return rows


STRUCT_FEATURES = (
    "s_gpath_blocks", "s_gpath_char_share", "s_gpath_kept_share", "s_gpath_link",
    "s_rec_n", "s_rec_char_share", "s_rec_kept_share", "s_rec_link", "s_rec_own_share",
    "s_a2_char_share", "s_a2_kept_share", "s_a2_link",
    "s_a4_char_share", "s_a4_kept_share", "s_a4_link",
    "s_in_kept_region", "s_in_text_region", "s_kept_before", "s_kept_after",
)
"""Structure of the page around a block, from the tag paths (see :func:`structure_columns`)."""


def _strip_index(part: str) -> str:
    cut = part.find("[")
    return part if cut < 0 else part[:cut]


def structure_columns(
    paths: Sequence[str], lengths: np.ndarray, link_density: np.ndarray, kept: np.ndarray
) -> dict[str, np.ndarray]:
    """Per block, what the tag paths say about its surroundings.

    - ``s_gpath_*``: the blocks sharing its path once sibling indices are dropped (``div/ul/li`` for
      every item of every such list): how many, their share of the page's text, how much of it the
      rules kept, their link density. Cards of a product grid or posts of a thread share one.
    - ``s_rec_*``: its *record*: the nearest ancestor (or itself) whose parent holds at least three
      children of the same tag that carry text, i.e. one card of a run of cards; how many such
      siblings, the parent's share of page text, rules-kept share and link density, and this
      record's share of the run's text.
    - ``s_aK_*``: the ancestor K levels up: share of page text, rules-kept share, link density.
    - ``s_in_kept_region`` / ``s_in_text_region``: inside the deepest container holding half of the
      text the rules kept / half of all text.
    - ``s_kept_before`` / ``s_kept_after``: share of rules-kept text before / after the block.
    """
    n = len(paths)
    lengths = np.asarray(lengths, dtype=np.float64)
    links = lengths * np.asarray(link_density, dtype=np.float64)
    kept_chars = lengths * np.asarray(kept, dtype=np.float64)
    total = float(lengths.sum()) or 1.0
    total_kept = float(kept_chars.sum())
    # every ancestor prefix of every block, as ids; per prefix: chars, link chars, kept chars
    prefix_id: dict[str, int] = {}
    chains: list[list[int]] = []
    for path in paths:
        chain = []
        end = path.find("/")
        while end >= 0:
            chain.append(prefix_id.setdefault(path[:end], len(prefix_id)))
            end = path.find("/", end + 1)
        chain.append(prefix_id.setdefault(path, len(prefix_id)))
        chains.append(chain)
    m = len(prefix_id)
    p_chars = np.zeros(m)
    p_links = np.zeros(m)
    p_kept = np.zeros(m)
    for i, chain in enumerate(chains):
        idx = np.array(chain, dtype=np.intp)
        p_chars[idx] += lengths[i]
        p_links[idx] += links[i]
        p_kept[idx] += kept_chars[i]
    names = list(prefix_id)
    # children with text, per (parent prefix, tag): how many distinct ones
    runs: Counter[str] = Counter()
    for name in names:
        parent, _, last = name.rpartition("/")
        runs[parent + "/" + _strip_index(last)] += 1

    def share(a: float, b: float) -> float:
        return a / b if b > 0 else 0.0

    # the deepest container with half of the rules-kept text / half of all text
    def region(weight: np.ndarray, whole: float) -> int:
        best, best_depth = -1, -1
        if whole <= 0:
            return best
        for name, k in prefix_id.items():
            if weight[k] >= 0.5 * whole:
                depth = name.count("/")
                if depth > best_depth:
                    best, best_depth = k, depth
        return best

    kept_region = region(p_kept, total_kept)
    text_region = region(p_chars, total)
    gid: dict[str, int] = {}
    g = np.array([gid.setdefault("/".join(_strip_index(x) for x in p.split("/")), len(gid)) for p in paths],
                 dtype=np.intp) if n else np.zeros(0, dtype=np.intp)
    g_count = np.bincount(g, minlength=len(gid)).astype(np.float64)
    g_chars = np.bincount(g, weights=lengths, minlength=len(gid))
    g_kept = np.bincount(g, weights=kept_chars, minlength=len(gid))
    g_links = np.bincount(g, weights=links, minlength=len(gid))
    out = {name: np.zeros(n) for name in STRUCT_FEATURES}
    out["s_gpath_blocks"] = np.log1p(g_count[g])
    out["s_gpath_char_share"] = g_chars[g] / total
    out["s_gpath_kept_share"] = np.divide(g_kept, g_chars, out=np.zeros(len(gid)), where=g_chars > 0)[g]
    out["s_gpath_link"] = np.divide(g_links, g_chars, out=np.zeros(len(gid)), where=g_chars > 0)[g]
    cum_kept = np.concatenate([[0.0], np.cumsum(kept_chars)])
    for i, chain in enumerate(chains):
        depth = len(chain)
        rec = -1
        for level in range(depth - 1, 0, -1):
            name = names[chain[level]]
            parent, _, last = name.rpartition("/")
            count = runs[parent + "/" + _strip_index(last)]
            if count >= 3:
                rec = level
                out["s_rec_n"][i] = math.log1p(count)
                break
        if rec > 0:
            own, par = chain[rec], chain[rec - 1]
            out["s_rec_char_share"][i] = p_chars[par] / total
            out["s_rec_kept_share"][i] = share(p_kept[par], p_chars[par])
            out["s_rec_link"][i] = share(p_links[par], p_chars[par])
            out["s_rec_own_share"][i] = share(p_chars[own], p_chars[par])
        else:
            out["s_rec_own_share"][i] = -1.0
        for up, key in ((2, "s_a2_"), (4, "s_a4_")):
            k = chain[max(0, depth - 1 - up)]
            out[key + "char_share"][i] = p_chars[k] / total
            out[key + "kept_share"][i] = share(p_kept[k], p_chars[k])
            out[key + "link"][i] = share(p_links[k], p_chars[k])
        out["s_in_kept_region"][i] = 1.0 if kept_region in chain else 0.0
        out["s_in_text_region"][i] = 1.0 if text_region in chain else 0.0
        if total_kept > 0:
            out["s_kept_before"][i] = cum_kept[i] / total_kept
            out["s_kept_after"][i] = (total_kept - cum_kept[i + 1]) / total_kept
    return out


TITLE_FIT_FEATURES = ("tf_title_share", "tf_desc_share", "tf_group_title", "tf_a2_title", "tf_after_title")
"""How the block and its region fit the page's title and description (see :func:`topic_columns`)."""
CARD_FEATURES = (
    "tf_currency", "cg_len_cv", "cg_lead_share", "cg_currency", "cg_dup_share", "cg_order",
    "cg_kept_before", "cr_priced", "cr_run_priced", "cr_run_n", "cr_run_words_cv", "cr_run_order",
    "cr_run_kept_before",
)
"""What kind of repeated group (cards) the block is in and where the group sits (see :func:`topic_columns`)."""
TOPIC_FEATURES = (*TITLE_FIT_FEATURES, *CARD_FEATURES)
"""Every column :func:`topic_columns` gives."""
CARD_GROUP_MIN_BLOCKS = 3
"""A sibling-path group of at least this many blocks is a repeated (card) group for ``cg_*``."""


@lru_cache(maxsize=1)
def _currency_sign() -> re.Pattern[str]:
    """Any currency sign: Unicode category Sc (all of them lie below U+20000)."""
    return re.compile("[" + "".join(re.escape(chr(c)) for c in range(0x20000)
                                    if unicodedata.category(chr(c)) == "Sc") + "]")


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def topic_columns(
    texts: Sequence[str], paths: Sequence[str], rules: Sequence[Decision], kinds: Sequence[str],
    levels: Sequence[int], title: str | None, description: str | None,
) -> dict[str, np.ndarray]:
    """Per block, how it fits the page's topic and what its repeated group looks like:

    - ``tf_title_share`` / ``tf_desc_share``: share of its words that are words of the page's title
      / description (metadata: JSON-LD, Open Graph or meta); NaN when the page has none;
    - ``tf_group_title`` / ``tf_a2_title``: the same share over its sibling-path group (indices
      dropped: every card of a grid) / over the blocks under its ancestor two levels up;
    - ``tf_after_title``: signed share of the page's blocks between the title block (the rules'
      ``title``, else the first level-1 heading) and it; NaN when the page has neither;
    - ``tf_currency`` / ``cg_currency``: it holds a currency sign (Unicode category Sc) / the share
      of its group's blocks that do (the prices of product cards);
    - ``cg_len_cv``: its group's coefficient of variation of text length (alike card titles vs
      paragraphs of a text); ``cg_lead_share``: share of the group's blocks starting with the
      group's most common first word; ``cg_dup_share``: share of the group's blocks whose text
      occurs elsewhere on the page (menus shown twice, related items repeating the grid);
    - ``cg_order``: rank of its group among the page's groups of at least
      ``CARD_GROUP_MIN_BLOCKS`` blocks, by first block (0 = first; -1 when not in one);
      ``cg_kept_before``: share of the rules-kept text that comes before its group's first block;
    - ``cr_*``: the same for its *record* (one card: the nearest ancestor, or the block, whose
      parent holds at least ``CARD_GROUP_MIN_BLOCKS`` children of its tag with text, so that a
      card's name and price count together) and the record's run (all the cards): the record holds
      a price, the share of the run's records that do, log1p of their number, the coefficient of
      variation of their word counts, the run's rank by first block, the share of the rules-kept
      text before it; -1 when the block is in no run.
    """
    n = len(texts)
    out = {name: np.zeros(n) for name in TOPIC_FEATURES}
    if not n:
        return out
    texts = list(texts)
    n_words, heads = _word_heads(texts)
    lengths = np.array([len(t) for t in texts], dtype=np.float64)
    weight = n_words + 1.0

    def overlap(ref: str | None) -> np.ndarray:
        vocab = set(_words(ref)) if ref else set()
        if not vocab:
            return np.full(n, np.nan)
        return np.array([sum(1 for x in w if x.lower() in vocab) / len(w) if w else 0.0
                         for w in map(WORD.findall, texts)])

    title_share = overlap(title)
    out["tf_title_share"] = title_share
    out["tf_desc_share"] = overlap(description)
    gi, m = _group(_sibling_paths(paths))
    gw = np.bincount(gi, weights=weight, minlength=m)
    if np.isnan(title_share).all():
        out["tf_group_title"][:] = np.nan
        out["tf_a2_title"][:] = np.nan
    else:
        out["tf_group_title"] = (np.bincount(gi, weights=title_share * weight, minlength=m) / gw)[gi]
        ai, am = _group([_ancestor(path, 2) for path in paths])
        aw = np.bincount(ai, weights=weight, minlength=am)
        out["tf_a2_title"] = (np.bincount(ai, weights=title_share * weight, minlength=am) / aw)[ai]
    anchor = next((i for i, d in enumerate(rules) if d.label == "title"), None)
    if anchor is None:
        anchor = next((i for i, (k, lv) in enumerate(zip(kinds, levels, strict=True))
                       if k == "heading" and lv == 1), None)
    out["tf_after_title"] = (np.arange(n) - anchor) / n if anchor is not None else np.full(n, np.nan)
    currency = np.array(_priced(texts), dtype=np.float64)
    out["tf_currency"] = currency
    count = np.bincount(gi, minlength=m).astype(np.float64)
    out["cg_currency"] = (np.bincount(gi, weights=currency, minlength=m) / count)[gi]
    mean = np.bincount(gi, weights=lengths, minlength=m) / count
    sq = np.bincount(gi, weights=lengths * lengths, minlength=m) / count
    std = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    out["cg_len_cv"] = np.divide(std, mean, out=np.zeros(m), where=mean > 0)[gi]
    top_lead = [0] * m  # per group, how many of its blocks start with its most common first word
    for (g, head), times in Counter(zip(gi.tolist(), heads, strict=True)).items():
        if head is not None and times > top_lead[g]:
            top_lead[g] = times
    out["cg_lead_share"] = (np.array(top_lead, dtype=np.float64) / count)[gi]
    stripped = [t.strip() for t in texts]
    seen = Counter(stripped)
    dup = np.array([seen[t] > 1 for t in stripped], dtype=np.float64)
    out["cg_dup_share"] = (np.bincount(gi, weights=dup, minlength=m) / count)[gi]
    first = np.full(m, n, dtype=np.intp)
    np.minimum.at(first, gi, np.arange(n))
    cards = sorted((int(first[g]), g) for g in range(m) if count[g] >= CARD_GROUP_MIN_BLOCKS)
    order = np.full(m, -1.0)
    for rank, (_, g) in enumerate(cards):
        order[g] = float(rank)
    out["cg_order"] = order[gi]
    kept = np.array([d.kept for d in rules], dtype=np.float64) * lengths
    cum = np.concatenate([[0.0], np.cumsum(kept)])
    total_kept = float(cum[-1])
    out["cg_kept_before"] = cum[first[gi]] / total_kept if total_kept > 0 else np.zeros(n)
    # records: one card of a run of cards (the nearest ancestor, or the block, whose parent holds at
    # least CARD_GROUP_MIN_BLOCKS children of its tag that carry text), so a card's title and price
    # are seen together
    rec, run = _records(paths)
    has = rec >= 0
    out["cr_priced"][:] = -1.0
    for name in ("cr_run_priced", "cr_run_n", "cr_run_words_cv", "cr_run_order", "cr_run_kept_before"):
        out[name][:] = -1.0
    if has.any():
        r_count = int(rec.max()) + 1
        k_count = int(run.max()) + 1
        r_cur = np.bincount(rec[has], weights=currency[has], minlength=r_count) > 0
        r_words = np.bincount(rec[has], weights=n_words[has], minlength=r_count)
        r_run = np.zeros(r_count, dtype=np.intp)
        r_run[rec[has]] = run[has]
        k_recs = np.bincount(r_run, minlength=k_count).astype(np.float64)
        k_cur = np.bincount(r_run, weights=r_cur.astype(np.float64), minlength=k_count) / np.maximum(k_recs, 1)
        k_mean = np.bincount(r_run, weights=r_words, minlength=k_count) / np.maximum(k_recs, 1)
        k_sq = np.bincount(r_run, weights=r_words * r_words, minlength=k_count) / np.maximum(k_recs, 1)
        k_cv = np.divide(np.sqrt(np.maximum(k_sq - k_mean * k_mean, 0.0)), k_mean, out=np.zeros(k_count),
                         where=k_mean > 0)
        k_first = np.full(k_count, n, dtype=np.intp)
        np.minimum.at(k_first, run[has], np.flatnonzero(has))
        k_order = np.empty(k_count)
        k_order[np.argsort(k_first, kind="stable")] = np.arange(k_count)
        out["cr_priced"][has] = r_cur[rec[has]]
        kh = run[has]
        out["cr_run_priced"][has] = k_cur[kh]
        out["cr_run_n"][has] = np.log1p(k_recs[kh])
        out["cr_run_words_cv"][has] = k_cv[kh]
        out["cr_run_order"][has] = k_order[kh]
        out["cr_run_kept_before"][has] = cum[k_first[kh]] / total_kept if total_kept > 0 else 0.0
    return out


def _word_heads(texts: list[str]) -> tuple[np.ndarray, list[str | None]]:
    """Per text, of ``WORD.findall(text)``: how many words (float64) and the first one lower-cased
    (None when there is none); in C when the extension is built (the same numbers and words)."""
    compiled = _compiled_word_heads()
    if compiled is not None:
        counts, heads = compiled(texts)
        return np.frombuffer(counts, dtype=np.float64), heads
    raw = [WORD.findall(t) for t in texts]
    return (np.array([len(w) for w in raw], dtype=np.float64),
            [w[0].lower() if w else None for w in raw])


@lru_cache(maxsize=1)
def _compiled_word_heads() -> Any:
    """``lexbor_word_heads`` of the compiled extension (thresher/_speedups_lexbor.c), None when not built."""
    return function("lexbor_word_heads")


def _priced(texts: Sequence[str]) -> list[bool]:
    """Per text, whether it holds a currency sign (:func:`_currency_sign`). An ASCII text is only
    searched for ``$``, the one ASCII character of category Sc (``str.isascii`` reads a flag)."""
    search = _currency_sign().search
    return [("$" in t) if t.isascii() else search(t) is not None for t in texts]


def _records(paths: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per block, the id of its record (the nearest ancestor prefix, or its own path, whose parent
    holds at least ``CARD_GROUP_MIN_BLOCKS`` children of that tag with text) and of the record's run
    (parent and tag); -1 for both when the block is in no run. In C when the extension is built
    (``path_records``; :func:`_records_py` is the reference)."""
    compiled = _compiled_records()
    if compiled is not None:
        rec, run = compiled(list(paths), CARD_GROUP_MIN_BLOCKS)
        return np.frombuffer(rec, dtype=np.int64).astype(np.intp), np.frombuffer(run, dtype=np.int64).astype(np.intp)
    return _records_py(paths)


@lru_cache(maxsize=1)
def _compiled_records() -> Any:
    """``path_records`` of the compiled extension (thresher/_speedups.c), None when not built."""
    return function("path_records")


def _records_py(paths: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_records` in Python (the reference of the C ``path_records``)."""
    seen: set[str] = set()
    for path in paths:  # every prefix once: stop where an ancestor was already reached
        name = path
        while name not in seen:
            seen.add(name)
            cut = name.rfind("/")
            if cut < 0:
                break
            name = name[:cut]
    runs: Counter[str] = Counter()
    key_of: dict[str, str] = {}
    for name in seen:
        cut = name.rfind("/")
        if cut >= 0:
            key = name[: cut + 1] + _strip_index(name[cut + 1:])
            key_of[name] = key
            runs[key] += 1
    found: dict[str, tuple[str, str] | None] = {}

    def record(name: str) -> tuple[str, str] | None:
        chain = []
        hit: tuple[str, str] | None = None
        while True:
            if name in found:
                hit = found[name]
                break
            key = key_of.get(name)
            if key is None:
                break
            if runs[key] >= CARD_GROUP_MIN_BLOCKS:
                hit = (name, key)
                found[name] = hit
                break
            chain.append(name)
            name = name[: name.rfind("/")]
        for below in chain:
            found[below] = hit
        return hit

    rec_ids: dict[str, int] = {}
    run_ids: dict[str, int] = {}
    rec = np.full(len(paths), -1, dtype=np.intp)
    run = np.full(len(paths), -1, dtype=np.intp)
    for i, path in enumerate(paths):
        hit = record(path)
        if hit is not None:
            rec[i] = rec_ids.setdefault(hit[0], len(rec_ids))
            run[i] = run_ids.setdefault(hit[1], len(run_ids))
    return rec, run


SHAPE_FEATURES = (
    "pg_link_share", "pg_list_share", "pg_short_share", "pg_top_group_share", "pg_top_group_n",
    "g_char_share", "g_n", "g_is_top",
)
"""The page's shape and the block's place in it (see :func:`shape_columns`)."""
TOP_GROUP_MIN_BLOCKS = 3
"""A sibling-path group needs this many blocks to be the page's top (repeated) group."""
SHORT_BLOCK_WORDS = 8
"""``pg_short_share``: blocks of at most this many words are short (card titles, prices, labels)."""


def shape_columns(
    paths: Sequence[str], lengths: np.ndarray, link_density: np.ndarray, kinds: Sequence[str],
    n_words: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per block, what kind of page it sits on and whether it belongs to the page's dominant
    repeated group, so that one model can treat linked card titles as content on a grid page and
    as boilerplate beside an article:

    - ``pg_link_share``, ``pg_list_share``: share of the page's text inside links / in list items;
    - ``pg_short_share``: share of the page's blocks that are short (``SHORT_BLOCK_WORDS``);
    - ``pg_top_group_share``, ``pg_top_group_n``: the sibling-path group (tag path without sibling
      indices: every card of a grid) holding the most text among those of at least
      ``TOP_GROUP_MIN_BLOCKS`` blocks: its share of the page's text and log1p of its size;
    - ``g_char_share``, ``g_n``, ``g_is_top``: the block's own group: share of text, log1p of its
      size, and 1 when it is the page's top group.
    """
    n = len(paths)
    out = {name: np.zeros(n) for name in SHAPE_FEATURES}
    if not n:
        return out
    lengths = np.asarray(lengths, dtype=np.float64)
    total = float(lengths.sum()) or 1.0
    out["pg_link_share"][:] = float((lengths * np.nan_to_num(np.asarray(link_density, dtype=np.float64))).sum()) / total
    out["pg_list_share"][:] = float(lengths[np.array([k == "list_item" for k in kinds], dtype=bool)].sum()) / total
    out["pg_short_share"][:] = float((np.nan_to_num(np.asarray(n_words, dtype=np.float64)) <= SHORT_BLOCK_WORDS).mean())
    gi, m = _group(_sibling_paths(paths))
    g_count = np.bincount(gi, minlength=m).astype(np.float64)
    g_share = np.bincount(gi, weights=lengths, minlength=m) / total
    eligible = np.where(g_count >= TOP_GROUP_MIN_BLOCKS, g_share, -1.0)
    top = int(np.argmax(eligible))
    if eligible[top] > 0:
        out["pg_top_group_share"][:] = g_share[top]
        out["pg_top_group_n"][:] = np.log1p(g_count[top])
        out["g_is_top"] = (gi == top).astype(np.float64)
    out["g_char_share"] = g_share[gi]
    out["g_n"] = np.log1p(g_count[gi])
    return out


REGION_FEATURES = (
    "r_p", "r_g_mean", "r_g_max", "r_g_min", "r_g_n", "r_g_share", "r_g_kept",
    "r_a1_mean", "r_a1_share", "r_a2_mean", "r_a2_share", "r_a3_mean", "r_a3_share",
    "r_a5_mean", "r_a5_share", "r_p2", "r_p1", "r_n1", "r_n2", "r_win",
    "r_page_max", "r_page_mean", "r_page_kept", "r_rank", "r_rel_max", "r_before", "r_after",
)
"""The second stage's view of a block (see :func:`region_columns`)."""


def _ancestor(path: str, levels: int) -> str:
    for _ in range(levels):
        cut = path.rfind("/")
        if cut < 0:
            return ""
        path = path[:cut]
    return path


def _group(keys: Sequence[str]) -> tuple[np.ndarray, int]:
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(k, len(ids)) for k in keys], dtype=np.intp), len(ids)


_SIBLING_INDEX = re.compile(r"\[\d+\]")


def _sibling_paths(paths: Sequence[str]) -> list[str]:
    """Tag paths without sibling indices: ``div/ul/li`` for every item of every such list (one pass
    over all paths at once, in C when the extension is built: a path holds no newline)."""
    if not paths:
        return []
    strip = _compiled_strip()
    joined = "\n".join(paths)
    out: list[str] = (strip(joined) if strip is not None else _strip_indices(joined)).split("\n")
    return out


def _strip_indices(text: str) -> str:
    """``text`` without its sibling indices (``[2]``): the reference of the C ``strip_indices``."""
    return _SIBLING_INDEX.sub("", text)


@lru_cache(maxsize=1)
def _compiled_strip() -> Any:
    """``strip_indices`` of the compiled extension (thresher/_speedups.c), None when not built."""
    return function("strip_indices")


def group_mean(paths: Sequence[str], probs: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Per block, the word-weighted mean probability (weights: words + 1) of the blocks sharing its
    tag path once sibling indices are dropped: the cards of a grid, the posts of a thread, the
    paragraphs of one text."""
    p = np.asarray(probs, dtype=np.float64)
    if not len(p):
        return p
    w = np.nan_to_num(np.asarray(words, dtype=np.float64)) + 1.0
    gi, m = _group(_sibling_paths(paths))
    return (np.bincount(gi, weights=p * w, minlength=m) / np.bincount(gi, weights=w, minlength=m))[gi]


def region_columns(paths: Sequence[str], probs: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Per block (rows, in :data:`REGION_FEATURES` order), the first stage's probabilities of the
    region around it, for a second stage that keeps or drops regions rather than lone blocks:

    - ``r_g_*``: the blocks sharing its tag path once sibling indices are dropped (every card of a
      grid, every post of a thread): word-weighted mean, max and min probability, how many, their
      share of the page's words, the share of their words above 0.5;
    - ``r_aK_*``: the blocks under its ancestor K levels up: word-weighted mean, share of words;
    - ``r_p2`` .. ``r_n2``, ``r_win``: neighbours' probabilities, the mean over five each side;
    - ``r_page_*``, ``r_rank``, ``r_rel_max``: the page's best and word-weighted mean probability,
      its share of words above 0.5, the block's rank (0 = most likely) and its share of the best;
    - ``r_before`` / ``r_after``: share of the page's expected main words before / after it.
    """
    p = np.asarray(probs, dtype=np.float64)
    n = len(p)
    out = np.zeros((n, len(REGION_FEATURES)), dtype=np.float32)
    if not n:
        return out
    w = np.nan_to_num(np.asarray(words, dtype=np.float64)) + 1.0
    total = float(w.sum())
    high = (p >= 0.5) * w
    cols: dict[str, np.ndarray] = {"r_p": p}

    gi, m = _group(_sibling_paths(paths))
    gw = np.bincount(gi, weights=w, minlength=m)
    cols["r_g_mean"] = (np.bincount(gi, weights=p * w, minlength=m) / gw)[gi]
    top = np.full(m, -1.0)
    np.maximum.at(top, gi, p)
    low = np.full(m, 2.0)
    np.minimum.at(low, gi, p)
    cols["r_g_max"], cols["r_g_min"] = top[gi], low[gi]
    cols["r_g_n"] = np.log1p(np.bincount(gi, minlength=m))[gi]
    cols["r_g_share"] = gw[gi] / total
    cols["r_g_kept"] = (np.bincount(gi, weights=high, minlength=m) / gw)[gi]
    for k in (1, 2, 3, 5):
        ai, am = _group([_ancestor(path, k) for path in paths])
        aw = np.bincount(ai, weights=w, minlength=am)
        cols[f"r_a{k}_mean"] = (np.bincount(ai, weights=p * w, minlength=am) / aw)[ai]
        cols[f"r_a{k}_share"] = aw[ai] / total
    for offset, name in ((-2, "r_p2"), (-1, "r_p1"), (1, "r_n1"), (2, "r_n2")):
        shifted = np.full(n, -1.0)
        if offset < 0 and n > -offset:
            shifted[-offset:] = p[:offset]
        elif offset > 0 and n > offset:
            shifted[:-offset] = p[offset:]
        cols[name] = shifted
    cum = np.concatenate([[0.0], np.cumsum(p)])
    idx = np.arange(n)
    lo, hi = np.maximum(0, idx - 5), np.minimum(n, idx + 6)
    size = hi - lo - 1
    cols["r_win"] = np.where(size > 0, (cum[hi] - cum[lo] - p) / np.maximum(size, 1), -1.0)
    best = float(p.max())
    cols["r_page_max"] = np.full(n, best)
    cols["r_page_mean"] = np.full(n, float((p * w).sum()) / total)
    cols["r_page_kept"] = np.full(n, float(high.sum()) / total)
    rank = np.empty(n)
    rank[np.argsort(-p, kind="stable")] = np.arange(n) / n
    cols["r_rank"] = rank
    cols["r_rel_max"] = p / max(best, 1e-6)
    expected = np.concatenate([[0.0], np.cumsum(p * w)])
    whole = float(expected[-1]) or 1.0
    cols["r_before"] = expected[:-1] / whole
    cols["r_after"] = (expected[-1] - expected[1:]) / whole
    for j, name in enumerate(REGION_FEATURES):
        out[:, j] = cols[name]
    return out


def smooth(paths: Sequence[str], keep: Sequence[bool]) -> list[bool]:
    """Keep a dropped block that sits between two kept blocks of its own tag path (a paragraph the
    model doubted inside a run of kept paragraphs)."""
    out = list(keep)
    for i in range(1, len(keep) - 1):
        if not keep[i] and keep[i - 1] and keep[i + 1] and paths[i - 1] == paths[i] == paths[i + 1]:
            out[i] = True
    return out


def expected_f1_keep(probs: np.ndarray, words: np.ndarray, power: float, floor: float) -> np.ndarray:
    """The blocks that maximise the page's expected word F1 under the model's probabilities.

    With ``q = probs ** power`` (a calibration the training chose), the page's expected main text
    has ``T = sum(q * words)`` words; keeping the k most likely blocks has expected F1 about
    ``2 * sum(q * words over the k) / (words over the k + T)``, and the best k is kept. So a page
    whose blocks are all doubtful keeps its best ones rather than nothing or everything, and a clear
    page keeps what a threshold would. Blocks below ``floor`` are never kept."""
    p = np.asarray(probs, dtype=np.float64)
    keep = np.zeros(len(p), dtype=bool)
    if not len(p):
        return keep
    q = p ** power
    w = np.asarray(words, dtype=np.float64)
    order = np.argsort(-q, kind="stable")
    gain = np.cumsum(q[order] * w[order])
    size = np.cumsum(w[order])
    total = float(gain[-1])
    f1 = 2.0 * gain / np.maximum(size + total, 1e-12)
    keep[order[: int(np.argmax(f1)) + 1]] = True
    return keep & (p >= floor)


def product_comments(
    hints: Sequence[tuple[str, ...]], keep: Sequence[bool], words: Sequence[float], tokens: Sequence[str],
    max_share: float,
) -> list[bool]:
    """The kept blocks of a product page that are customer reviews: a hint token (the block's or an
    ancestor's class/id) contains one of ``tokens``. WCXB's main text of a product page leaves the
    reviews out, as an article's leaves its comments. None when they would be ``max_share`` or more
    of the kept words: then the page is more likely a review than a shop page."""
    out = hints_containing(hints, tokens)
    hit_words = sum(w for w, k, r in zip(words, keep, out, strict=True) if k and r)
    kept_words = sum(w for w, k in zip(words, keep, strict=True) if k)
    if not hit_words or hit_words >= max_share * kept_words:
        return [False] * len(out)
    return [k and r for k, r in zip(keep, out, strict=True)]


def drop_repeats(texts: Sequence[str], keep: Sequence[bool], words: Sequence[float], min_words: float) -> list[bool]:
    """Keep a text once: a kept block of at least ``min_words`` words whose text (trimmed) equals an
    earlier kept block's is dropped (carousel clones, desktop and mobile copies, quoted posts)."""
    out = list(keep)
    seen: set[str] = set()
    for i, text in enumerate(texts):
        if not out[i]:
            continue
        key = text.strip()
        if key in seen and words[i] >= min_words:
            out[i] = False
        seen.add(key)
    return out


def to_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of named features → a float32 matrix in the model's column order (missing → NaN;
    missing hint tokens → 0)."""
    out = np.full((len(rows), len(names)), np.nan, dtype=np.float32)
    hint_cols = [j for j, name in enumerate(names) if name.startswith(HINT_PREFIX)]
    out[:, hint_cols] = 0.0
    index = {name: j for j, name in enumerate(names)}
    for i, row in enumerate(rows):
        for name, value in row.items():
            j = index.get(name)
            if j is not None:
                out[i, j] = value
    return out


_NEIGHBOURS = ((-1, "p1_"), (1, "n1_"), (-2, "p2_"), (2, "n2_"))
_DERIVED = ("page_n_blocks", "page_log_chars", "page_rule_kept_share",
            *("page_type_" + t for t in PAGE_TYPES), *("rule_" + label for label in RULE_LABELS),
            "path_blocks", "path_kept_share", "path_char_share", "log_chars", "window_rule_kept",
            *STRUCT_FEATURES, *SHAPE_FEATURES, *TOPIC_FEATURES)
"""Columns :func:`context_features` computes from the page rather than reads from a block."""


def page_vector(x: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """One page's summary for the page-type model, from its blocks' feature rows: the mean of every
    column (NaN ignored), the word-weighted mean (NaN as 0), and the log of the page's word count.
    Training and run time call this on the same float32 rows, so the numbers are the same."""
    x = np.asarray(x, dtype=np.float64)
    w = np.nan_to_num(np.asarray(n_words, dtype=np.float64)) + 1.0
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    count = present.sum(axis=0)
    mean = np.where(count > 0, filled.sum(axis=0) / np.maximum(count, 1), np.nan)
    wmean = (filled * w[:, None]).sum(axis=0) / w.sum() if len(x) else np.full(x.shape[1], np.nan)
    return np.concatenate([mean, wmean, [math.log1p(float(w.sum()))]])


class PageTypeModel:
    """One-vs-rest page-type models over :func:`page_vector`: per page type, the probability that the
    page is of that type. Their outputs become the block model's ``pt_<type>`` columns."""

    def __init__(self, payload: Mapping[str, Any], block_names: Sequence[str]) -> None:
        index = {name: j for j, name in enumerate(block_names)}
        self.inputs = np.array([index[name] for name in payload["features"]], dtype=np.intp)
        self.words = index["n_words"]
        self.classes: list[str] = list(payload["classes"])
        self.trees = [Trees(dump) for dump in payload["models"]]
        self.outputs = np.array([index[PAGE_TYPE_PREFIX + c] for c in self.classes], dtype=np.intp)

    def fill(self, x: np.ndarray) -> None:
        """Write the page's type probabilities into the ``pt_`` columns of its block matrix ``x``."""
        if not len(x):
            return
        vec = page_vector(x[:, self.inputs], x[:, self.words])[None, :]
        x[:, self.outputs] = [float(t.predict(vec)[0]) for t in self.trees]


class Columns:
    """Where each of a model's feature names comes from, worked out once per model: a block's own
    feature, a neighbour's, a hint token, or a value derived from the page and the rules."""

    def __init__(self, names: Sequence[str]) -> None:
        self.width = len(names)
        self.hint_cols = np.array([j for j, name in enumerate(names) if name.startswith(HINT_PREFIX)],
                                  dtype=np.intp)
        self.hint: dict[str, int] = {}
        self.derived: list[tuple[int, str]] = []
        self.neighbour: list[tuple[int, int, str]] = []  # column, offset, feature (or "rule_main")
        own: list[tuple[int, str]] = []
        prefixes = {prefix: offset for offset, prefix in _NEIGHBOURS}
        computed = set(_DERIVED)
        index = {name: j for j, name in enumerate(names)}  # a name listed twice fills its last column
        for name, j in index.items():
            head, tail = name[:3], name[3:]
            if name.startswith(HINT_PREFIX):
                self.hint[name[len(HINT_PREFIX):]] = j
            elif name.startswith(PAGE_TYPE_PREFIX):
                continue  # filled by the page-type model (NaN until then)
            elif name in computed:
                self.derived.append((j, name))
            elif head in prefixes and (tail in NEIGHBOUR_FEATURES or tail == "rule_main"):
                self.neighbour.append((j, prefixes[head], tail))
            else:
                own.append((j, name))
        # block features read: the model's own columns first, then those only neighbours read
        self.own_cols = np.array([j for j, _ in own], dtype=np.intp)
        self.read = [name for _, name in own]
        self.read += [f for f in NEIGHBOUR_FEATURES if f not in self.read]
        self.slot = {name: k for k, name in enumerate(self.read)}


def _mapping_values(feats: Sequence[Mapping[str, float]], read: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The ``read`` features of each mapping, as rows: for the block's own columns and for its
    neighbours' (the same unless a block lacks a feature: NaN in its own row, 0 as a neighbour)."""
    try:
        getter = itemgetter(*read)
        values = np.array([getter(f) for f in feats], dtype=np.float64).reshape(len(feats), len(read))
        return values, values
    except KeyError:
        nan = math.nan
        values = np.array([[f.get(k, nan) for k in read] for f in feats], dtype=np.float64)
        return values, np.array([[f.get(k, 0.0) for k in read] for f in feats], dtype=np.float64)


def feature_matrix(
    blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision], columns: Columns
) -> np.ndarray:
    """``to_matrix(context_features(blocks, metadata, rules), names)``, built column by column
    (the same float32 numbers, bit for bit, pinned by a test): what the model reads at run time."""
    n = len(blocks)
    out = np.full((n, columns.width), np.nan, dtype=np.float32)
    out[:, columns.hint_cols] = 0.0
    if not n:
        return out
    read = columns.read
    feats = [b.features for b in blocks]
    page = feature_values(blocks)
    read_cols: list[int] | None = None
    if page is not None:
        index = page[1]
        read_cols = [index[k] for k in read] if all(k in index for k in read) else None
    if page is not None and read_cols is not None:
        values = neighbour_values = page[0][:, read_cols]
    else:
        values, neighbour_values = _mapping_values(feats, read)
    out[:, columns.own_cols] = values[:, : len(columns.own_cols)]

    lengths = np.array([len(b.text) for b in blocks], dtype=np.float64)
    kept = np.array([d.kept for d in rules], dtype=np.float64)
    if len(kept) != n:
        raise ValueError(f"{n} blocks but {len(kept)} decisions")
    total_chars = float(lengths.sum()) or 1.0
    path_ids: dict[str, int] = {}
    ids = np.array([path_ids.setdefault(b.path, len(path_ids)) for b in blocks], dtype=np.intp)
    path_count = np.bincount(ids)[ids].astype(np.float64)
    labels = [d.label for d in rules]
    codes: np.ndarray | None = None  # the rules' labels numbered, when a rule_* column asks
    label_ids: dict[str, int] = {}
    struct: dict[str, np.ndarray] | None = None
    shape: dict[str, np.ndarray] | None = None
    topic: dict[str, np.ndarray] | None = None
    for j, name in columns.derived:
        if name == "page_n_blocks":
            out[:, j] = float(n)
        elif name == "page_log_chars":
            out[:, j] = math.log1p(total_chars)
        elif name == "page_rule_kept_share":
            out[:, j] = float((lengths * kept).sum()) / total_chars
        elif name.startswith("page_type_"):
            out[:, j] = 1.0 if metadata.page_type == name[len("page_type_"):] else 0.0
        elif name.startswith("rule_"):
            if codes is None:
                codes = np.array([label_ids.setdefault(x, len(label_ids)) for x in labels], dtype=np.intp)
            out[:, j] = codes == label_ids.get(name[len("rule_"):], -1)
        elif name == "path_blocks":
            out[:, j] = path_count
        elif name == "path_kept_share":
            out[:, j] = np.bincount(ids, weights=kept)[ids] / path_count
        elif name == "path_char_share":
            out[:, j] = np.bincount(ids, weights=lengths)[ids] / total_chars
        elif name == "log_chars":
            out[:, j] = list(map(math.log1p, map(len, (b.text for b in blocks))))
        elif name == "window_rule_kept":
            cum = np.concatenate([[0.0], np.cumsum(kept)])
            idx = np.arange(n)
            lo, hi = np.maximum(0, idx - 5), np.minimum(n, idx + 6)
            size = hi - lo - 1
            out[:, j] = np.where(size > 0, (cum[hi] - cum[lo] - kept) / np.maximum(size, 1), 0.0)
        elif name in STRUCT_FEATURES:
            if struct is None:
                struct = structure_columns(
                    [b.path for b in blocks], lengths,
                    np.array([f.get("link_density", 0.0) for f in feats], dtype=np.float64), kept)
            out[:, j] = struct[name]
        elif name in SHAPE_FEATURES:
            if shape is None:
                shape = shape_columns(
                    [b.path for b in blocks], lengths,
                    np.array([f.get("link_density", 0.0) for f in feats], dtype=np.float64),
                    [b.kind for b in blocks], np.array([f.get("n_words", 0.0) for f in feats], dtype=np.float64))
            out[:, j] = shape[name]
        elif name in TOPIC_FEATURES:
            if topic is None:  # the title and description only when a title-fit column asks
                fit = any(n in TITLE_FIT_FEATURES for _, n in columns.derived)
                topic = topic_columns([b.text for b in blocks], [b.path for b in blocks], rules,
                                      [b.kind for b in blocks], [b.level for b in blocks],
                                      metadata.title if fit else None, metadata.description if fit else None)
            out[:, j] = topic[name]
    for j, offset, name in columns.neighbour:
        col = kept if name == "rule_main" else neighbour_values[:, columns.slot[name]]
        shifted = np.full(n, -1.0)
        if offset < 0 and n > -offset:
            shifted[-offset:] = col[:offset]
        elif offset > 0 and n > offset:
            shifted[:-offset] = col[offset:]
        out[:, j] = shifted
    if columns.hint:
        # blocks share their tuples of tokens (siblings in one container): each distinct tuple is
        # looked up once and its blocks' columns set together
        # (by the tuple's id: the segmenter shares equal tuples; unshared equal ones are set twice)
        groups: dict[int, list[int]] = {}
        for i, b in enumerate(blocks):
            groups.setdefault(id(b.hints), []).append(i)
        hint = columns.hint
        for members in groups.values():
            found = [j for j in map(hint.get, blocks[members[0]].hints) if j is not None]
            if found:
                out[np.array(members, dtype=np.intp)[:, None], np.array(found, dtype=np.intp)] = 1.0
    return out


class RegionModel:
    """The second stage: trees over :func:`region_columns` of the first stage's probabilities plus a
    few of the first stage's own columns (``block_columns``), so that a region (a grid of cards, the
    posts of a thread, the blocks under one container) tends to be kept or dropped as a whole."""

    def __init__(self, payload: Mapping[str, Any], block_names: Sequence[str]) -> None:
        index = {name: j for j, name in enumerate(block_names)}
        if list(payload["region_features"]) != list(REGION_FEATURES):
            raise ValueError("the model's region columns differ from this version's")
        self.block_cols = np.array([index[name] for name in payload["block_columns"]], dtype=np.intp)
        self.words = index["n_words"]
        self.trees = Trees(payload["model"])

    def predict(self, paths: Sequence[str], probs: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Second-stage probabilities from the first stage's ``probs`` and its input matrix ``x``."""
        region = region_columns(paths, probs, x[:, self.words])
        return self.trees.predict(np.hstack([region, x[:, self.block_cols]]))


class HtmlModel:
    """A loaded model: its trees, feature names and decision thresholds."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.names: list[str] = list(payload["features"])
        self.thresholds: dict[str, float] = dict(payload["thresholds"])
        self.smooth: bool = bool(payload.get("smooth", False))
        self.expected_f1: dict[str, tuple[float, float]] = {
            focus: (float(power), float(floor)) for focus, (power, floor) in payload.get("expected_f1", {}).items()}
        """Per focus, (power, floor) of :func:`expected_f1_keep`; a focus not listed uses its threshold."""
        repeat = payload.get("repeat_min_words")
        self.repeat_min_words: float | None = None if repeat is None else float(repeat)
        """:func:`drop_repeats` runs on kept blocks when set."""
        self.trees = Trees(payload["model"])
        self.seed_trees = [Trees(dump) for dump in payload.get("seed_models", ())]
        """More boosters over the same columns, trained with other seeds: the block probability is
        the mean over ``trees`` and these (a seed-averaged model: less retraining noise)."""
        self.columns = Columns(self.names)
        page_type = payload.get("page_type")
        self.page_type = PageTypeModel(page_type, self.names) if page_type else None
        mix = payload.get("region_mix")
        self.region_mix: float | None = None if mix is None else float(mix)
        """When set, a block's probability becomes ``(1 - mix) * own + mix * group_mean`` (see
        :func:`group_mean`), so that a group of like blocks is kept or dropped more as a whole."""
        self.words_col = self.names.index("n_words") if "n_words" in self.names else None
        self.product_comment_tokens: tuple[str, ...] = tuple(payload.get("product_comment_tokens", ()))
        """On a product page, a kept block with a hint token containing one of these (customer
        reviews) is a comment (see :func:`product_comments`)."""
        self.product_comment_max_share = float(payload.get("product_comment_max_share", 0.5))
        stage2 = payload.get("stage2")
        self.stage2 = RegionModel(stage2, self.names) if stage2 else None
        """The second stage (:class:`RegionModel`), when the model file has one."""

    def matrix(self, blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]) -> np.ndarray:
        """The model's input for these blocks (see :func:`feature_matrix`), with the page-type
        model's columns filled when the model has one."""
        x = feature_matrix(blocks, metadata, rules, self.columns)
        if self.page_type is not None:
            self.page_type.fill(x)
        return x

    def keep(self, blocks: Sequence[Block], probs: np.ndarray, focus: str) -> list[bool]:
        """Which blocks the model keeps, before :func:`drop_repeats`: the expected-F1 selection when
        the model has one for this focus, else the focus's threshold (then smoothing, if on)."""
        if focus in self.expected_f1:
            power, floor = self.expected_f1[focus]
            words = np.array([b.features.get("n_words", 0.0) for b in blocks], dtype=np.float64)
            keep = [bool(k) for k in expected_f1_keep(probs, words, power, floor)]
        else:
            threshold = self.thresholds.get(focus, 0.5)
            keep = [bool(p >= threshold) for p in probs]
        return smooth([b.path for b in blocks], keep) if self.smooth else keep

    def predict(self, blocks: Sequence[Block], metadata: Metadata, rules: Sequence[Decision]) -> np.ndarray:
        if not blocks:
            return np.zeros(0, dtype=np.float64)
        x = self.matrix(blocks, metadata, rules)
        probs = self.trees.predict(x)
        if self.seed_trees:
            probs = (probs + sum(t.predict(x) for t in self.seed_trees)) / (1 + len(self.seed_trees))
        paths = [b.path for b in blocks]
        if self.stage2 is not None:
            probs = self.stage2.predict(paths, probs, x)
        if self.region_mix is not None:
            mix = self.region_mix
            j = self.words_col
            words = x[:, j] if j is not None else np.array([b.features.get("n_words", 0.0) for b in blocks])
            probs = (1.0 - mix) * probs + mix * group_mean(paths, probs, words)
        return probs


@lru_cache(maxsize=8)
def load_model(path: str | None = None) -> HtmlModel | None:
    """The packaged model (or the one at ``path``), loaded once per process; None when there is none."""
    raw = read_model_file(MODEL_RESOURCE, path)
    return HtmlModel(json.loads(raw)) if raw is not None else None
