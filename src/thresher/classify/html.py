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

from thresher.classify.html_model import drop_repeats, load_model, product_comments
from thresher.classify.html_rules import classify_html as classify_html_rules
from thresher.classify.html_rules import customer_review_tokens, sure_boilerplate
from thresher.deadline import Deadline
from thresher.model import Block, Decision, Metadata
from thresher.options import Options

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
    out: list[Decision] = []
    for rule, p, picked, kept, review, never in zip(rules, scores, chosen, keep, reviews, sure, strict=True):
        score = round(p, 3)
        if rule.label == "comment" and opts.include_comments:
            out.append(rule)
        elif review:
            out.append(Decision("comment", "product_review" if product_review else "customer_review", score))
        elif picked and not kept:
            out.append(Decision("boilerplate", "repeated_text", score))
        elif kept and rule.label == "title":  # the page's title is metadata, as in text mode
            out.append(Decision("title", f"{rule.reason}; model", score))
        elif kept and never is not None:
            out.append(Decision(never.label, f"{never.reason}; model", score))
        elif kept:
            why = "model" if rule.kept else f"model over rules ({rule.reason})"
            out.append(Decision("caption" if rule.label == "caption" else "main", why, score))
        elif rule.kept:
            out.append(Decision("boilerplate", f"model over rules ({rule.reason})", score))
        else:
            out.append(Decision(rule.label, f"{rule.reason}; model", score))
    return out
