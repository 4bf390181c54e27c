"""The HTML classifier: the rules label every block, then the learned model decides main or not.

The rules give each block a label and a reason (navigation, share, comment ...). The model, trained
on WCXB dev (see training/train_html_model.py), reads the block's features plus the rules' view and
gives the probability that the block is main content. The blocks kept are those that maximise the
page's expected F1 under those probabilities (or, for older models, those above a threshold), with
a calibration that depends on ``opts.focus``; a kept text repeated later on the page is kept once;
on a product page, kept customer reviews become comments (``product_review``), and on any page those
of a shop's review widget (``customer_review``, see ``html_rules.customer_review_tokens``); the few blocks the
rules are sure of (``html_rules.sure_boilerplate``: footer footnotes, consent dialogs, bare URLs, code runs) are
never kept.
Removed blocks keep the rules' label when the rules had one, so the reason stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from thresher.classify.html_model import drop_repeats, load_model, product_comments
from thresher.classify.html_rules import classify_html as classify_html_rules
from thresher.classify.html_rules import customer_review_tokens, sure_boilerplate
from thresher.compiled import function, slotted_maker
from thresher.deadline import Deadline
from thresher.model import Block, Decision, Metadata
from thresher.options import Options

_round_floats = function("round_floats")
"""The extension's ``round_floats``: ``[round(p, n) for p in probs.tolist()]``, the same floats."""
_new_decisions = slotted_maker(Decision, {})
"""The extension's ``new_slotted`` for decisions (see :func:`thresher.compiled.slotted_maker`)."""

CUSTOMER_REVIEW_MAX_SHARE = 0.9
"""Kept blocks in a customer-review widget become comments unless they are this share of the kept
words or more (then the page is the reviews)."""


def classify_html(
    blocks: Sequence[Block], metadata: Metadata, opts: Options, deadline: Deadline
) -> list[Decision]:
    """One decision per block, in order."""
    rules = classify_html_rules(blocks, metadata, opts, deadline)
    model = load_model(opts.html_model)
    if model is None or not blocks:
        return rules
    deadline.check()
    probs = model.predict(blocks, metadata, rules)
    chosen = model.keep(blocks, probs, opts.focus)
    # a table row the threshold keeps stays: the page-level choice weighs rows by their few words
    threshold = model.thresholds.get(opts.focus, 0.5)
    scores: list[float] = probs.tolist()  # the same floats as float(p), without a numpy scalar each
    chosen = [c or (b.kind == "table_row" and p >= threshold) for c, b, p in zip(chosen, blocks, scores,
                                                                                   strict=True)]
    keep = chosen
    if model.repeat_min_words is not None:
        # table rows repeat legitimately (the same row in two tables, "Yes | No" lines): never dropped
        words = [0.0 if b.kind == "table_row" else b.features.get("n_words", 0.0) for b in blocks]
        keep = drop_repeats([b.text for b in blocks], chosen, words, model.repeat_min_words)
    reviews = [False] * len(blocks)
    if model.product_comment_tokens and metadata.page_type == "product":
        n_words = [b.features.get("n_words", 0.0) for b in blocks]
        reviews = product_comments([b.hints for b in blocks], keep, n_words, model.product_comment_tokens,
                                   model.product_comment_max_share)
    product_review = any(reviews)
    if not product_review:  # the kept blocks of a shop's review widget, on any page
        n_words = [b.features.get("n_words", 0.0) for b in blocks]
        reviews = product_comments([b.hints for b in blocks], keep, n_words, customer_review_tokens(),
                                   CUSTOMER_REVIEW_MAX_SHARE)
    sure = sure_boilerplate(blocks, keep)
    rounded: list[float] = (_round_floats(np.ascontiguousarray(probs, dtype=np.float64), 3)
                            if _round_floats is not None else [round(p, 3) for p in scores])
    labels: list[str] = []
    reasons: list[str] = []
    as_ruled: list[int] = []  # blocks whose decision is the rules' own
    for i, (rule, picked, kept, review, never) in enumerate(zip(rules, chosen, keep, reviews, sure, strict=True)):
        label = rule.label
        if label == "comment" and opts.include_comments:
            as_ruled.append(i)
            labels.append(label)
            reasons.append(rule.reason)
        elif review:
            labels.append("comment")
            reasons.append("product_review" if product_review else "customer_review")
        elif picked and not kept:
            labels.append("boilerplate")
            reasons.append("repeated_text")
        elif kept and label == "title":  # the page's title is metadata, as in text mode
            labels.append("title")
            reasons.append(f"{rule.reason}; model")
        elif kept and never is not None:
            labels.append(never.label)
            reasons.append(f"{never.reason}; model")
        elif kept:
            labels.append("caption" if label == "caption" else "main")
            reasons.append("model" if rule.kept else f"model over rules ({rule.reason})")
        elif rule.kept:
            labels.append("boilerplate")
            reasons.append(f"model over rules ({rule.reason})")
        else:
            labels.append(label)
            reasons.append(f"{rule.reason}; model")
    out: list[Decision]
    if _new_decisions is not None:  # the same decisions, without a frozen dataclass's __init__ each
        out = _new_decisions(Decision, len(labels), {"label": labels, "reason": reasons, "score": rounded}, {})
    else:
        out = [Decision(label, reason, score)  # type: ignore[arg-type]
               for label, reason, score in zip(labels, reasons, rounded, strict=True)]
    for i in as_ruled:
        out[i] = rules[i]
    return out
